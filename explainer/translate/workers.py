"""The translate stage's work on each page, across worker processes on a large site.

For one page in one language: read its memory (``translate.memory``), refuse the translations
that cannot be used (the markup rule), bring its catalog up to date with the French and, unless
the machine pass may change it, resolve each segment and make the PO file's new content. What
comes back to the parent is small: the renditions, the file, the warnings and problems. A page
the machine pass may change comes back with its catalog, for the parent to translate in one
batch per language (``stage``). Reads ``i18n/`` only through the memory; writes nothing.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from babel.messages.catalog import Catalog

from ..check.markup import markup_problem, reference_definitions
from ..config import Config
from ..errors import Problem, TranslationMemoryError, count, relative
from ..forked import started_by_fork
from ..layout import memory_file
from ..model import Rendition, SegmentedPage, State
from .memory import (
    REVIEW_FORM,
    StoredMemory,
    UpdatedFile,
    entries_of,
    malformed_reviews,
    messages_of,
    needs_machine,
    read_memory,
    resolve,
    updated_catalog,
    updated_file,
)

# Below this many pages to read (every target language counted), starting worker processes
# costs more than it saves: the flagship and small sites are read in the build's own process.
PARALLEL_FROM = 400


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


@dataclass(frozen=True)
class Pending:
    """A page's memory that the machine pass may change: what the parent needs to finish it."""

    stored: StoredMemory
    catalog: Catalog  # one entry per French segment; the machine pass fills in what it translates


@dataclass(frozen=True)
class Finished:
    """A page translated in one language: its renditions, its memory file, and the warning for
    segments left in French, if any."""

    renditions: tuple[Rendition, ...]
    file: UpdatedFile
    missing: Problem | None


@dataclass(frozen=True)
class PageOutcome:
    """One page's memory in one language, read and judged: finished, or pending the machine pass
    (neither when it has problems)."""

    shown: str  # the PO file, project-relative
    warnings: tuple[Problem, ...] = ()  # reviews not on record
    problems: tuple[Problem, ...] = ()  # an unreadable file, unusable translations: the build stops
    needs_machine: tuple[str, ...] = ()  # French texts with no translation, or a stale one
    finished: Finished | None = None
    pending: Pending | None = None


def finish(segmented: SegmentedPage, stored: StoredMemory, catalog: Catalog) -> Finished:
    """Resolve every segment of ``segmented`` from ``catalog`` and make its memory file."""
    renditions = resolve(segmented, entries_of(catalog))
    return Finished(renditions, updated_file(stored, catalog), _missing_warning(segmented, renditions, stored.shown))


@dataclass(frozen=True)
class PageJob:
    """What reading the pages needs: the pages, by index, and which languages have a machine pass."""

    config: Config
    pages: tuple[SegmentedPage, ...]
    judged: bool  # pages and memory as a build already accepted them: not judged again
    machine_languages: frozenset[str]  # languages whose missing and stale texts go to an engine

    def read(self, language: str, index: int) -> PageOutcome:
        """Read, judge and update page ``index``'s memory in ``language``; finish it unless the
        machine pass may change it."""
        segmented = self.pages[index]
        try:
            stored = read_memory(self.config, language, segmented.page.path)
        except TranslationMemoryError as error:
            shown = relative(memory_file(self.config.i18n_dir, language, segmented.page.path), self.config.root)
            return PageOutcome(shown, problems=error.problems)
        warnings = _review_warnings(stored)
        if stored.catalog is not None and not self.judged:
            found = translation_problems(stored.catalog, stored.shown, reference_definitions(segmented.page.body))
            if found:
                return PageOutcome(stored.shown, warnings, tuple(found))
        catalog = updated_catalog(stored.catalog, segmented, language)
        needs = tuple(needs_machine(catalog))
        if needs and language in self.machine_languages:
            return PageOutcome(stored.shown, warnings, needs_machine=needs, pending=Pending(stored, catalog))
        return PageOutcome(stored.shown, warnings, needs_machine=needs, finished=finish(segmented, stored, catalog))


# The job of a worker process, given to it by the pool's initializer; never set in the parent.
_worker_job: PageJob | None = None


def _start_worker(job: PageJob) -> None:
    global _worker_job
    started_by_fork()
    _worker_job = job


def _read_in_worker(language: str, indexes: tuple[int, ...]) -> list[PageOutcome]:
    assert _worker_job is not None, "a worker is started with its job"
    return [_worker_job.read(language, index) for index in indexes]


Reader = Callable[[str], list[PageOutcome]]  # a language -> every page's outcome, in page order

# Pages sent to a process at a time: its results come back as it goes.
CHUNK = 16


@contextmanager
def page_readers(job: PageJob, languages: int, workers: int, parallel_from: int | None = None) -> Iterator[Reader]:
    """A reader of every page's memory in one language at a time, across ``workers`` processes
    when there are at least ``parallel_from`` (default ``PARALLEL_FROM``) pages to read in the
    ``languages``; the outcomes do not depend on the number of processes. An exception raised
    in a worker is raised again by the reader."""
    count_pages = len(job.pages)
    threshold = PARALLEL_FROM if parallel_from is None else parallel_from
    if workers <= 1 or count_pages * languages < threshold:
        yield lambda language: [job.read(language, index) for index in range(count_pages)]
        return
    # Forked workers receive the job from the initializer's arguments, without pickling the pages.
    # Each process reads the same share of the pages in every language, and lasts as long as the
    # context: what the markup rule made of a page's French for its first language serves the
    # next ones (a pool handing pages to whichever process is free converted a fifth more Markdown).
    context = multiprocessing.get_context("fork")
    with ExitStack() as stack:
        processes = [
            stack.enter_context(ProcessPoolExecutor(1, mp_context=context, initializer=_start_worker, initargs=(job,)))
            for _ in range(workers)
        ]
        shares = [tuple(range(worker, count_pages, workers)) for worker in range(workers)]

        def read_in_workers(language: str) -> list[PageOutcome]:
            tasks = [
                (share[start : start + CHUNK], process.submit(_read_in_worker, language, share[start : start + CHUNK]))
                for process, share in zip(processes, shares, strict=True)
                for start in range(0, len(share), CHUNK)
            ]
            outcomes: dict[int, PageOutcome] = {}
            try:
                for indexes, task in tasks:
                    outcomes.update(zip(indexes, task.result(), strict=True))
            except BaseException:
                for _, task in tasks:
                    task.cancel()  # the build stops: the pages not started yet are not read
                raise
            return [outcomes[index] for index in range(count_pages)]

        yield read_in_workers


def _review_warnings(stored: StoredMemory) -> tuple[Problem, ...]:
    """A warning for each ``reviewed-by`` comment that does not read as a review."""
    return tuple(
        Problem(
            stored.shown,
            message.lineno or 0,
            f"'# {comment}' is not a review on record: write '# {REVIEW_FORM}' "
            "(or use python build.py review); the entry counts as translated, not reviewed",
        )
        for message in (messages_of(stored.catalog) if stored.catalog is not None else ())
        for comment in malformed_reviews(message)
    )


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
