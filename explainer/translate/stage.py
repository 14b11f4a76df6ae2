"""Segments + translation memory + machine translation -> every page in every language.

For each language: read the page's PO file, bring it up to date with the
French (new, revised and vanished segments), refuse translations that add
markup, machine-translate what is missing or stale in one batch for the whole
site, then resolve each segment's text and state. The updated PO files are
returned as bytes, for the build to write once it has succeeded as a whole.
It reads ``i18n/`` only through the memory (``translate.memory``) and writes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from babel.messages.catalog import Catalog

from ..check.markup import markup_problem, reference_definitions
from ..config import Config, Language
from ..errors import Problem, TranslationMemoryError, count, relative
from ..model import Rendition, SegmentedPage, State, TranslatedPage
from .glossary import Glossary
from .memory import (
    REVIEW_FORM,
    StoredMemory,
    UpdatedFile,
    entries_of,
    malformed_reviews,
    memory_folder,
    messages_of,
    needs_machine,
    read_memory,
    resolve,
    set_machine_translation,
    updated_catalog,
    updated_file,
)
from .mt import Engine, EngineError, make_engine, run_with_timeout
from .protect import PlaceholderError, Protected, protect, restore

# Segments sent to an engine per call: large enough to batch well, small
# enough to report progress on long runs.
CHUNK = 256
Progress = Callable[[str, int, int], None]  # (language, done, total)


@dataclass(frozen=True)
class Translation:
    """The outcome of the translate step."""

    pages: tuple[TranslatedPage, ...]
    memory_files: dict[str, bytes]  # project-relative PO path -> new content, for those that changed
    warnings: tuple[Problem, ...]
    machine_translated: int = 0  # segments translated by an engine in this run
    memory_hashes: dict[str, str] = field(default_factory=dict)  # every PO path -> hash of its content
    # PO path -> status when read, of the files that are not to be written (their hash is in ``memory_hashes``)
    memory_kept: dict[str, os.stat_result] = field(default_factory=dict)


@dataclass(frozen=True)
class _Outcome:
    text: str
    markup_dropped: bool


def _plausible(source: str, translated: str) -> bool:
    """Reject empty or runaway output (a model that never stops repeats itself)."""
    return bool(translated.strip()) and len(translated) <= 4 * len(source) + 40


def machine_translate(
    texts: Sequence[str],
    engine: Engine,
    language: Language,
    source_language: str,
    terms: dict[str, str],
    timeout: float,
    progress: Progress | None = None,
) -> dict[str, _Outcome]:
    """Translate ``texts`` (French segments) with placeholders checked.

    Returns the texts that came back whole. A segment whose placeholders do not
    all come back is tried again without its inline markup (marked for review);
    if that fails too it is left out. Raises ``EngineError`` if the engine fails.
    """
    outcomes: dict[str, _Outcome] = {}
    for keep_markup in (True, False):
        pending = [text for text in texts if text not in outcomes]
        protected = {text: protect(text, terms, keep_markup=keep_markup) for text in pending}
        for start in range(0, len(pending), CHUNK):
            chunk = pending[start : start + CHUNK]
            inputs = [protected[text].text for text in chunk]
            outputs = run_with_timeout(partial(engine.translate, inputs, source_language, language.code), timeout)
            for text, output in zip(chunk, outputs, strict=True):
                restored = _restored(output, protected[text])
                if restored is not None and _plausible(text, restored):
                    outcomes[text] = _Outcome(restored, markup_dropped=not keep_markup and protected[text].text != text)
            if progress:
                progress(language.code, len(outcomes), len(texts))
    return outcomes


def _restored(output: str, protected: Protected) -> str | None:
    try:
        return restore(output, protected)
    except PlaceholderError:
        return None


def translation_problems(catalog: Catalog, shown: str, references: dict[str, str]) -> list[Problem]:
    """The entries of a page's memory that cannot be used: plural entries (content has no
    plural forms) and translations that break the markup rule (``markup.markup_problem``)."""
    problems = []
    for message in messages_of(catalog):
        if isinstance(message.id, tuple) or isinstance(message.string, tuple):
            problems.append(
                Problem(
                    shown,
                    message.lineno or 0,
                    "plural entry (msgid_plural, msgstr[n]) in a content translation file: page text has no "
                    "plural forms; write one msgid and one msgstr",
                )
            )
            continue
        if not message.id or not message.string:
            continue
        reason = markup_problem(str(message.id), str(message.string), references)
        if reason:
            problems.append(Problem(shown, message.lineno or 0, f"{reason}; fix or empty this translation"))
    return problems


def _source_page(segmented: SegmentedPage, language: str) -> TranslatedPage:
    renditions = tuple(Rendition(segment.text, State.SOURCE) for segment in segmented.segments)
    return TranslatedPage(segmented, language, renditions, None)


@dataclass(frozen=True)
class _PageMemory:
    """One page's memory in one language, read and brought up to date with the French."""

    segmented: SegmentedPage
    stored: StoredMemory
    catalog: Catalog  # one entry per French segment; the machine pass fills in what it translates


@dataclass(frozen=True)
class _ResolvedPage:
    """One page's memory in one language once resolved: all that is kept of its catalogs."""

    path: str  # the page's
    renditions: tuple[Rendition, ...]
    file: UpdatedFile
    missing: Problem | None  # the warning for segments left in French


@dataclass(frozen=True)
class _LanguageMemory:
    """One language's memory as read: the pages whose memory can be used, and what was found."""

    pages: tuple[_PageMemory | _ResolvedPage, ...]
    warnings: tuple[Problem, ...]
    problems: tuple[Problem, ...]  # unreadable files and unusable translations: the build stops


@dataclass(frozen=True)
class MachineRequest:
    """What the machine pass of one language works with."""

    config: Config
    language: Language
    glossary: Glossary
    engines: dict[str, Engine]  # the engines made so far, by name: made once, kept by the caller across builds
    progress: Progress | None


@dataclass(frozen=True)
class MachineResult:
    """What the machine pass of one language translated (French -> outcome), as ``label``."""

    outcomes: dict[str, _Outcome]
    label: str
    warnings: tuple[Problem, ...]


@dataclass(frozen=True)
class _LanguageResult:
    """One language translated: each page's renditions and memory file, by page path."""

    renditions: dict[str, tuple[Rendition, ...]]
    files: dict[str, UpdatedFile]
    warnings: tuple[Problem, ...]
    machine_translated: int


def translate_pages(
    config: Config,
    pages: tuple[SegmentedPage, ...],
    glossary: Glossary,
    *,
    use_machine: bool = True,
    engines: dict[str, Engine] | None = None,
    progress: Progress | None = None,
    judged: bool = False,
) -> Translation:
    """Resolve every segment of every page in every configured language.

    Returns the translated pages, the PO files to write and the warnings. Raises
    ``TranslationMemoryError`` for unreadable PO files and for translations that
    add markup their French does not have; with ``judged`` (pages whose page and memory
    are as a build already accepted them) the translations are not judged again.
    """
    warnings: list[Problem] = []
    problems: list[Problem] = []
    results: dict[str, _LanguageResult] = {}
    engines = engines if engines is not None else {}
    for language in config.target_languages:
        # One language at a time: the catalogs of a large site do not all fit in memory at once.
        memory = _read_language(config, language.code, pages, judged, machine=use_machine)
        warnings.extend(memory.warnings)
        problems.extend(memory.problems)
        if problems:
            continue  # reported once every language is read; no engine runs on a broken memory
        request = MachineRequest(config, language, glossary, engines, progress) if use_machine else None
        results[language.code] = _translate_language(memory, request)
        warnings.extend(results[language.code].warnings)
    if problems:
        raise TranslationMemoryError(problems)

    translated: list[TranslatedPage] = []
    for segmented in pages:
        translated.append(_source_page(segmented, config.source_language))
        for code, result in results.items():
            path = segmented.page.path
            if path in result.renditions:
                translated.append(TranslatedPage(segmented, code, result.renditions[path], result.files[path].shown))
    files = [file for result in results.values() for file in result.files.values()]
    return Translation(
        tuple(translated),
        {file.shown: file.content for file in files if file.content is not None},
        tuple(warnings),
        sum(result.machine_translated for result in results.values()),
        {file.shown: file.digest for file in files},
        {file.shown: file.kept_status for file in files if file.kept_status is not None},
    )


def _read_language(
    config: Config, language: str, pages: tuple[SegmentedPage, ...], judged: bool, machine: bool
) -> _LanguageMemory:
    """Read the memory of every page in ``language``, refuse the translations that cannot be used,
    and bring each catalog up to date with the French; resolve each page at once (its catalogs are
    let go) unless the ``machine`` pass is to fill it in: a language's catalogs are never all held."""
    memories: list[_PageMemory | _ResolvedPage] = []
    warnings: list[Problem] = []
    problems: list[Problem] = []
    for segmented in pages:
        try:
            stored = read_memory(config, language, segmented.page.path)
        except TranslationMemoryError as error:
            problems.extend(error.problems)
            continue
        warnings.extend(_review_warnings(stored))
        if stored.catalog is not None and not judged:
            found = translation_problems(stored.catalog, stored.shown, reference_definitions(segmented.page.body))
            if found:
                problems.extend(found)
                continue
        page = _PageMemory(segmented, stored, updated_catalog(stored.catalog, segmented, language))
        memories.append(page if machine and needs_machine(page.catalog) else _resolve_page(page, None))
    return _LanguageMemory(tuple(memories), tuple(warnings), tuple(problems))


def _review_warnings(stored: StoredMemory) -> list[Problem]:
    """A warning for each ``reviewed-by`` comment that does not read as a review."""
    return [
        Problem(
            stored.shown,
            message.lineno or 0,
            f"'# {comment}' is not a review on record: write '# {REVIEW_FORM}' "
            "(or use python build.py review); the entry counts as translated, not reviewed",
        )
        for message in (messages_of(stored.catalog) if stored.catalog is not None else ())
        for comment in malformed_reviews(message)
    ]


def _translate_language(memory: _LanguageMemory, request: MachineRequest | None) -> _LanguageResult:
    """Machine-translate what ``memory`` lacks (unless ``request`` is None), then resolve every page."""
    needed: dict[str, list[str]] = {}  # French text -> the PO files that need it
    for page in memory.pages:
        if isinstance(page, _PageMemory):
            for text in needs_machine(page.catalog):
                needed.setdefault(text, []).append(page.stored.shown)
    machine = _machine_pass(request, needed) if request is not None and needed else None
    renditions: dict[str, tuple[Rendition, ...]] = {}
    files: dict[str, UpdatedFile] = {}
    warnings = list(machine.warnings) if machine else []
    for page in memory.pages:
        resolved = page if isinstance(page, _ResolvedPage) else _resolve_page(page, machine)
        renditions[resolved.path] = resolved.renditions
        files[resolved.path] = resolved.file
        if resolved.missing is not None:
            warnings.append(resolved.missing)
    return _LanguageResult(renditions, files, tuple(warnings), len(machine.outcomes) if machine else 0)


def _resolve_page(page: _PageMemory, machine: MachineResult | None) -> _ResolvedPage:
    if machine is not None:
        _apply(machine, page.catalog)
    renditions = resolve(page.segmented, entries_of(page.catalog))
    missing = _missing_warning(page.segmented, renditions, page.stored.shown)
    return _ResolvedPage(page.segmented.page.path, renditions, updated_file(page.stored, page.catalog), missing)


def _apply(machine: MachineResult, catalog: Catalog) -> None:
    """Record the machine translations of ``machine`` in ``catalog`` (changed in place)."""
    for text in needs_machine(catalog):
        outcome = machine.outcomes.get(text)
        message = catalog.get(text)
        if outcome is not None and message is not None:
            dropped = " (inline markup dropped: restore links and emphasis)" if outcome.markup_dropped else ""
            set_machine_translation(message, outcome.text, machine.label + dropped)


def _missing_warning(segmented: SegmentedPage, renditions: tuple[Rendition, ...], shown: str) -> Problem | None:
    """The warning for a page with segments left in French, if it has any."""
    missing = [s for s, r in zip(segmented.segments, renditions, strict=True) if r.state is State.MISSING]
    if not missing:
        return None
    distinct = len({s.text for s in missing})
    total = len(segmented.unique_texts)
    first = f"{segmented.page.data_file if missing[0].entry is not None else segmented.page.source_file}"
    return Problem(
        shown,
        0,
        f"{distinct} of {count(total, 'segment')} of {segmented.page.source_file} "
        f"{'has' if distinct == 1 else 'have'} no translation "
        f"and {'is' if distinct == 1 else 'are'} shown in French (first at {first}:{missing[0].line})",
    )


def _engine(request: MachineRequest) -> Engine:
    """The engine of the request's language, made on first use and kept in ``request.engines``."""
    config, name = request.config, request.language.engine
    engine = request.engines.get(name)
    if engine is None:
        engine = request.engines[name] = make_engine(name, config.engine_settings)
    return engine


def _machine_pass(request: MachineRequest, needed: dict[str, list[str]]) -> MachineResult | None:
    """Machine-translate, in one batch, the French texts ``needed`` (each with the PO files that
    need it); None when the language has no engine. Engine failures and texts that could not be
    translated are warnings: those texts stay untranslated."""
    config, language = request.config, request.language
    if language.engine == "none":
        return None
    engine = _engine(request)
    label = engine.describe(config.source_language, language.code)
    # Said once per language, of its memory folder: the counts are of every file that needs it.
    files = {shown for places in needed.values() for shown in places}
    folder = relative(memory_folder(config.i18n_dir, language.code), config.root)
    what = f"{count(len(needed), 'segment')} in {count(len(files), 'file')}"
    if label is None:
        hint = f" nor through {config.pivot} (python build.py models install --configured)"
        reason = f"no {language.engine} model for {config.source_language}->{language.code}"
        reason += hint if language.engine == "argos" else ""
        return MachineResult({}, "", (Problem(folder, 0, f"{reason}: {what} could not be machine translated"),))
    terms = request.glossary.for_language(language.code)
    try:
        outcomes = machine_translate(
            sorted(needed), engine, language, config.source_language, terms, config.timeout, request.progress
        )
    except EngineError as error:
        return MachineResult({}, label, (Problem(folder, 0, f"{label} failed: {error}; {what} left untranslated"),))
    warnings = tuple(
        Problem(
            needed[text][0],
            0,
            f"{label} could not translate {text[:60]!r}: placeholders did not come back; left untranslated",
        )
        for text in sorted(set(needed) - set(outcomes))
    )
    return MachineResult(outcomes, label, warnings)
