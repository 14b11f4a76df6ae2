"""Segments + translation memory + machine translation -> every page in every language.

For each language: read the page's PO file, bring it up to date with the
French (new, revised and vanished segments), refuse translations that add
markup, machine-translate what is missing or stale in one batch for the whole
site, then resolve each segment's text and state. The updated PO files are
returned as bytes, for the pipeline to write once the whole build succeeded.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import partial

from babel.messages.catalog import Catalog

from ..check.markup import markup_problem, reference_definitions
from ..config import Config, Language
from ..errors import Problem, TranslationMemoryError, count, relative
from ..fsutil import sha256_hex
from ..model import Rendition, SegmentedPage, State, TranslatedPage
from .glossary import Glossary
from .memory import (
    REVIEW_FORM,
    entries_of,
    malformed_reviews,
    memory_path,
    message_state,
    parse_catalog,
    render_catalog,
    resolve,
    set_machine_translation,
    updated_catalog,
)
from .mt import Engine, EngineError, make_engine
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


@dataclass(frozen=True)
class _Outcome:
    text: str
    markup_dropped: bool


def _run_with_timeout(call: Callable[[], list[str]], timeout: float) -> list[str]:
    """Run an engine call, giving up after ``timeout`` seconds.

    A hung engine cannot be killed from Python; its daemon thread is left behind
    and the build goes on without its output.
    """
    result: list[list[str]] = []
    failure: list[Exception] = []

    def target() -> None:
        try:
            result.append(call())
        except Exception as error:  # handed to the caller below, never swallowed
            failure.append(error)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise EngineError(f"no answer within {timeout:.0f} s")
    if failure:
        error = failure[0]
        if isinstance(error, EngineError):
            raise error
        # The engine boundary: third-party code may fail in any way; the build reports it and goes on.
        raise EngineError(f"{type(error).__name__}: {error}") from error
    return result[0]


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
            outputs = _run_with_timeout(partial(engine.translate, inputs, source_language, language.code), timeout)
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
    for message in catalog:
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


def _needs_machine(catalog: Catalog) -> list[str]:
    """French texts with no translation, or only an old one (stale, not yet machine-translated)."""
    needed = []
    for message in catalog:
        if not message.id:
            continue
        if message_state(message)[0] in (State.MISSING, State.STALE):
            needed.append(str(message.id))
    return needed


def translate_pages(
    config: Config,
    pages: tuple[SegmentedPage, ...],
    glossary: Glossary,
    *,
    use_machine: bool = True,
    engines: dict[str, Engine] | None = None,
    progress: Progress | None = None,
) -> Translation:
    """Resolve every segment of every page in every configured language.

    Returns the translated pages, the PO files to write and the warnings. Raises
    ``TranslationMemoryError`` for unreadable PO files and for translations that
    add markup their French does not have.
    """
    warnings: list[Problem] = []
    problems: list[Problem] = []
    shown_paths: dict[tuple[str, str], str] = {}
    resolved: dict[tuple[str, str], tuple[Rendition, ...]] = {}
    memory_files: dict[str, bytes] = {}
    memory_hashes: dict[str, str] = {}
    machine_translated = 0
    engines = engines if engines is not None else {}
    for language in config.target_languages:
        # One language at a time: the catalogs of a large site do not all fit in memory at once.
        catalogs: dict[tuple[str, str], Catalog] = {}  # (language, page path) -> updated catalog
        on_disk: dict[tuple[str, str], bytes | None] = {}
        for segmented in pages:
            path = memory_path(config.i18n_dir, language.code, segmented.page.path)
            shown = relative(path, config.root)
            key = (language.code, segmented.page.path)
            try:
                raw: bytes | None = path.read_bytes()  # read once: parsed here, compared when writing
            except FileNotFoundError:
                raw = None
            on_disk[key] = raw
            try:
                existing = parse_catalog(raw, shown, language.code) if raw is not None else None
            except TranslationMemoryError as error:
                problems.extend(error.problems)
                continue
            for message in existing or ():
                for comment in malformed_reviews(message):
                    warnings.append(
                        Problem(
                            shown,
                            message.lineno or 0,
                            f"'# {comment}' is not a review on record: write '# {REVIEW_FORM}' "
                            "(or use python build.py review); the entry counts as translated, not reviewed",
                        )
                    )
            if existing is not None:
                found = translation_problems(existing, shown, reference_definitions(segmented.page.body))
                if found:
                    problems.extend(found)
                    continue
            catalogs[key] = updated_catalog(existing, segmented, language.code)
            shown_paths[key] = shown
        if problems:
            continue  # reported once every language is read; no engine runs on a broken memory
        if use_machine:
            machine_translated += _machine_pass(
                config, language, pages, catalogs, shown_paths, glossary, engines, warnings, progress
            )
        for segmented in pages:
            key = (language.code, segmented.page.path)
            if key not in catalogs:
                continue
            renditions = resolve(segmented, entries_of(catalogs[key]))
            resolved[key] = renditions
            missing = [s for s, r in zip(segmented.segments, renditions, strict=True) if r.state is State.MISSING]
            if missing:
                distinct = len({s.text for s in missing})
                total = len(segmented.unique_texts)
                first = f"{segmented.page.data_file if missing[0].entry is not None else segmented.page.source_file}"
                warnings.append(
                    Problem(
                        shown_paths[key],
                        0,
                        f"{distinct} of {count(total, 'segment')} of {segmented.page.source_file} "
                        f"{'has' if distinct == 1 else 'have'} no translation "
                        f"and {'is' if distinct == 1 else 'are'} shown in French (first at {first}:{missing[0].line})",
                    )
                )
            content = render_catalog(catalogs[key])
            memory_hashes[shown_paths[key]] = sha256_hex(content)
            if content != on_disk[key]:
                memory_files[shown_paths[key]] = content
    if problems:
        raise TranslationMemoryError(problems)

    translated: list[TranslatedPage] = []
    for segmented in pages:
        translated.append(_source_page(segmented, config.source_language))
        for language in config.target_languages:
            key = (language.code, segmented.page.path)
            if key in resolved:
                translated.append(TranslatedPage(segmented, language.code, resolved[key], shown_paths[key]))
    return Translation(tuple(translated), memory_files, tuple(warnings), machine_translated, memory_hashes)


def orphan_memories(config: Config, paths: Collection[str]) -> list[Problem]:
    """PO files whose page no longer exists: kept, and reported, so no translation is lost silently."""
    orphans = []
    for language in config.target_languages:
        folder = config.i18n_dir / language.code / "content"
        expected = {(path or "index") + ".po" for path in paths}
        found: list[str] = []
        # os.walk rather than Path.rglob: this runs on every build, over thousands of files.
        for directory, _, names in os.walk(folder):
            prefix = os.path.relpath(directory, folder).replace(os.sep, "/")
            found.extend(name if prefix == "." else f"{prefix}/{name}" for name in names if name.endswith(".po"))
        for name in sorted(found):
            if name not in expected:
                orphans.append(
                    Problem(
                        relative(folder / name, config.root),
                        0,
                        f"no page content/{name.removesuffix('.po')}.md for this translation memory: "
                        "rename it with its page, or delete it if the page is gone",
                    )
                )
    return orphans


def _machine_pass(
    config: Config,
    language: Language,
    pages: tuple[SegmentedPage, ...],
    catalogs: dict[tuple[str, str], Catalog],
    shown_paths: dict[tuple[str, str], str],
    glossary: Glossary,
    engines: dict[str, Engine],
    warnings: list[Problem],
    progress: Progress | None,
) -> int:
    """Machine-translate, in one batch, what this language is missing; return how many."""
    needed: dict[str, list[tuple[str, str]]] = {}  # French text -> [(page path, shown PO path)]
    for segmented in pages:
        key = (language.code, segmented.page.path)
        if key in catalogs:
            for text in _needs_machine(catalogs[key]):
                needed.setdefault(text, []).append((segmented.page.path, shown_paths[key]))
    if not needed or language.engine == "none":
        return 0
    engine = engines.get(language.engine)
    if engine is None:
        engine = engines[language.engine] = make_engine(
            language.engine, config.models_dir, config.threads or None, config.pivot
        )
    label = engine.describe(config.source_language, language.code)
    # Said once per language, of its memory folder: the counts are of every file that needs it.
    files = {shown for places in needed.values() for _, shown in places}
    folder = relative(memory_path(config.i18n_dir, language.code, "x").parent, config.root)
    what = f"{count(len(needed), 'segment')} in {count(len(files), 'file')}"
    if label is None:
        hint = (
            f" nor through {config.pivot} (python build.py models install --configured)"
            if language.engine == "argos"
            else ""
        )
        warnings.append(
            Problem(
                folder,
                0,
                f"no {language.engine} model for {config.source_language}->{language.code}{hint}: "
                f"{what} could not be machine translated",
            )
        )
        return 0
    try:
        outcomes = machine_translate(
            sorted(needed),
            engine,
            language,
            config.source_language,
            glossary.for_language(language.code),
            config.timeout,
            progress,
        )
    except EngineError as error:
        warnings.append(Problem(folder, 0, f"{label} failed: {error}; {what} left untranslated"))
        return 0
    failed = sorted(set(needed) - set(outcomes))
    for text, places in needed.items():
        outcome = outcomes.get(text)
        if outcome is None:
            continue
        note = f"{label} (inline markup dropped: restore links and emphasis)" if outcome.markup_dropped else label
        for page_path, _ in places:
            message = catalogs[(language.code, page_path)].get(text)
            if message is not None:
                set_machine_translation(message, outcome.text, note)
    for text in failed:
        shown = needed[text][0][1]
        warnings.append(
            Problem(
                shown,
                0,
                f"{label} could not translate {text[:60]!r}: placeholders did not come back; left untranslated",
            )
        )
    return len(outcomes)
