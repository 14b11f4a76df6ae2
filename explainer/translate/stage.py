"""Segments + translation memory + machine translation -> every page in every language.

For each language: read the page's PO file, bring it up to date with the
French (new, revised and vanished segments), refuse translations that add
markup, machine-translate what is missing or stale in one batch for the whole
site, then resolve each segment's text and state. The work on each page is
``workers``'s, across processes on a large site; the machine pass is done here,
in the build's process. The updated PO files are returned as bytes, for the
build to write once it has succeeded as a whole. It reads ``i18n/`` only
through the memory (``translate.memory``) and writes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from babel.messages.catalog import Catalog

from ..config import Config, Language
from ..errors import Problem, TranslationMemoryError, count, relative
from ..layout import memory_folder
from ..model import Rendition, SegmentedPage, State, TranslatedPage
from .glossary import Glossary
from .memory import UpdatedFile, needs_machine, set_machine_translation
from .mt import Engine, EngineError, make_engine, run_with_timeout
from .protect import PlaceholderError, Protected, protect, restore
from .workers import PageJob, PageOutcome, finish, page_readers

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
    # Every PO path -> hash of the file as it was read (a build that does not write the memory, the
    # preview, translated from it: its pages are keyed by it, as the next build will find it).
    memory_read_hashes: dict[str, str] = field(default_factory=dict)


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


def _source_page(segmented: SegmentedPage, language: str) -> TranslatedPage:
    renditions = tuple(Rendition(segment.text, State.SOURCE) for segment in segmented.segments)
    return TranslatedPage(segmented, language, renditions, None)


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
    use_machine: bool = True,
    engines: dict[str, Engine] | None = None,
    progress: Progress | None = None,
    workers: int = 1,
    *,
    judged: bool = False,
    parallel_from: int | None = None,
) -> Translation:
    """Resolve every segment of every page in every configured language.

    Returns the translated pages, the PO files to write and the warnings. Raises
    ``TranslationMemoryError`` for unreadable PO files and for translations that
    add markup their French does not have; with ``judged`` (pages whose page and memory
    are as a build already accepted them) the translations are not judged again.
    Each page's memory is read by ``workers`` processes when there are at least
    ``parallel_from`` pages to read (every language counted; default
    ``workers.PARALLEL_FROM``); the result is the same whatever the number.
    """
    warnings: list[Problem] = []
    problems: list[Problem] = []
    results: dict[str, _LanguageResult] = {}
    engines = engines if engines is not None else {}
    machine = frozenset(language.code for language in config.target_languages if use_machine)
    job = PageJob(config, pages, judged, machine)
    with page_readers(job, len(config.target_languages), workers, parallel_from) as read:
        for language in config.target_languages:
            # One language at a time: the catalogs of a large site do not all fit in memory at once.
            outcomes = read(language.code)
            warnings.extend(warning for outcome in outcomes for warning in outcome.warnings)
            problems.extend(problem for outcome in outcomes for problem in outcome.problems)
            if problems:
                continue  # reported once every language is read; no engine runs on a broken memory
            request = MachineRequest(config, language, glossary, engines, progress) if use_machine else None
            results[language.code] = _translate_language(pages, outcomes, request)
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
        {file.shown: file.read_digest for file in files},
    )


def _translate_language(
    pages: tuple[SegmentedPage, ...], outcomes: list[PageOutcome], request: MachineRequest | None
) -> _LanguageResult:
    """Machine-translate what the pages of ``outcomes`` lack (unless ``request`` is None), then
    finish the pages the machine pass could change (the others are finished already)."""
    needed: dict[str, list[str]] = {}  # French text -> the PO files that need it
    for outcome in outcomes:
        for text in outcome.needs_machine:
            needed.setdefault(text, []).append(outcome.shown)
    machine = _machine_pass(request, needed) if request is not None and needed else None
    renditions: dict[str, tuple[Rendition, ...]] = {}
    files: dict[str, UpdatedFile] = {}
    warnings = list(machine.warnings) if machine else []
    for segmented, outcome in zip(pages, outcomes, strict=True):
        finished = outcome.finished
        if outcome.pending is not None:
            if machine is not None:
                _apply(machine, outcome.pending.catalog)
            finished = finish(segmented, outcome.pending.stored, outcome.pending.catalog)
        assert finished is not None, "a page without problems is finished or pending"
        path = segmented.page.path
        renditions[path], files[path] = finished.renditions, finished.file
        if finished.missing is not None:
            warnings.append(finished.missing)
    return _LanguageResult(renditions, files, tuple(warnings), len(machine.outcomes) if machine else 0)


def _apply(machine: MachineResult, catalog: Catalog) -> None:
    """Record the machine translations of ``machine`` in ``catalog`` (changed in place)."""
    for text in needs_machine(catalog):
        outcome = machine.outcomes.get(text)
        message = catalog.get(text)
        if outcome is not None and message is not None:
            dropped = " (inline markup dropped: restore links and emphasis)" if outcome.markup_dropped else ""
            set_machine_translation(message, outcome.text, machine.label + dropped)


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
