"""The site as a whole: what is published where, and rendering every file of it.

``plan_site`` is pure; ``render_pages`` renders with a renderer that has
read its inputs already, across worker processes on a large site.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from ..config import Config
from ..errors import ContentError, Problem, ProblemsError
from ..forked import started_by_fork
from ..model import OutputFile, PageInfo, SegmentedPage, SiteMap, State, TranslatedPage
from ..records import RecordError

if TYPE_CHECKING:  # the renderer (Jinja, Markdown) is loaded only when something is rendered
    from .renderer import Renderer
    from .segcache import CacheDelta


def translated_share(counts: dict[State, int]) -> float:
    """The percentage of segments with a translation in any state (not French fallback); 0 when there are none."""
    total = sum(counts.values())
    return 100.0 * (total - counts[State.MISSING]) / total if total else 0.0


_MISSING = tuple(State).index(State.MISSING)  # in ``PageInfo.counts``
_MACHINE = tuple(State).index(State.MACHINE)


def _share(counts: Sequence[int]) -> float:
    """``translated_share`` of counts in ``PageInfo.counts``' order (a site has thousands of pages)."""
    total = sum(counts)
    return 100.0 * (total - counts[_MISSING]) / total if total else 0.0


def is_publishable(config: Config, info: PageInfo) -> bool:
    """Whether enough of the page is translated (not French fallback) to publish it.

    A page with nothing translated is never published as a translation, whatever the threshold."""
    if info.language == config.source_language:
        return True
    share = _share(info.counts)
    return share > 0 and share >= config.language(info.language).publish_threshold


def live_languages(config: Config, infos: Sequence[PageInfo]) -> tuple[str, ...]:
    """The source language, and every language whose whole site meets its language threshold."""
    counts: dict[str, list[tuple[int, ...]]] = {}
    for info in infos:
        counts.setdefault(info.language, []).append(info.counts)
    totals = {code: [sum(column) for column in zip(*found, strict=True)] for code, found in counts.items()}
    return tuple(
        language.code
        for language in config.languages
        if language.code == config.source_language
        or (_share(totals.get(language.code, ())) > 0 and _share(totals[language.code]) >= language.language_threshold)
    )


def is_noindex(config: Config, info: PageInfo) -> bool:
    """Mostly unreviewed machine output is kept out of search engines, where configured."""
    if info.language == config.source_language:
        return False
    counts = info.counts
    total = sum(counts) or 1
    return config.language(info.language).noindex_machine and counts[_MACHINE] > total / 2


def plan_site(config: Config, infos: Sequence[PageInfo]) -> SiteMap:
    """Decide which page is published (and indexed) in which language, and the navigation order."""
    published: dict[str, list[str]] = {}
    noindex: set[tuple[str, str]] = set()
    titles: dict[tuple[str, str], str] = {}
    orders: dict[str, tuple[int, str]] = {}
    in_menu: set[str] = set()
    anchors: dict[str, frozenset[str]] = {}
    live = live_languages(config, infos)
    previewed = tuple(lang.code for lang in config.languages if lang.preview and lang.code not in live)
    headings: dict[tuple[str, str], dict[str, str]] = {}
    for info in infos:
        anchors[info.path] = info.anchors
        orders[info.path] = (info.order or 0, info.path)
        if info.order is not None and info.path:
            in_menu.add(info.path)
        published.setdefault(info.path, [])
        if info.language not in live and info.language not in previewed:
            continue
        if not is_publishable(config, info):
            continue
        published[info.path].append(info.language)
        if is_noindex(config, info) or info.language in previewed:
            noindex.add((info.path, info.language))
        titles[(info.path, info.language)] = info.title
        headings[(info.path, info.language)] = dict(info.headings)
    with_fonts = {language.code for language in config.languages if language.fonts}
    characters: dict[str, set[str]] = {code: set() for code in sorted(with_fonts)}
    for info in infos:
        if info.language in with_fonts and info.language in published[info.path]:
            characters[info.language].update(info.characters)
    ordering = {code: position for position, code in enumerate(config.language_codes)}
    return SiteMap(
        source_language=config.source_language,
        languages=config.language_codes,
        published={path: tuple(sorted(codes, key=ordering.__getitem__)) for path, codes in published.items()},
        titles=titles,
        order=tuple(sorted(orders, key=orders.__getitem__)),
        menu=tuple(sorted((path for path in orders if path in in_menu), key=orders.__getitem__)),
        anchors=anchors,
        noindex=frozenset(noindex),
        live=live,
        previewed=previewed,
        characters={code: "".join(sorted(found)) for code, found in characters.items()},
        headings=headings,
    )


_Seen = TypeVar("_Seen")


class StoredPage(Protocol):
    """A page as a cache holds it (``pagecache.CachedPage``): decoded where it is rendered."""

    @property
    def unit(self) -> tuple[str, str]: ...  # the page's path and language

    def decoded(self) -> TranslatedPage: ...  # raises ``RecordError`` when it cannot be read

    def segmented_page(self) -> SegmentedPage: ...  # the page in French alone; raises as ``decoded``


# Below this many pages (all languages counted), starting worker processes costs more than it saves.
PARALLEL_FROM = 400


@dataclass(frozen=True)
class _Rendered:
    """One page's files, what was seen of each, its content problems, and a fatal error (returned, not raised)."""

    files: tuple[OutputFile, ...] = ()
    seen: tuple[Any, ...] = ()  # ``inspect`` of each file, in the same order
    unreadable: str | None = None  # why the stored page could not be read (nothing rendered)
    problems: tuple[Problem, ...] = ()
    fatal: ProblemsError | None = None
    segments: CacheDelta | None = None  # what the segment cache gained (brought back from a worker)


@dataclass(frozen=True)
class _PageJob(Generic[_Seen]):
    """What rendering the pages needs: the renderer and the pages, by index, and what to make of each file."""

    renderer: Renderer
    pages: tuple[TranslatedPage | StoredPage, ...]
    views: tuple[bool, ...]  # for each page, whether its side-by-side view is rendered too (a translation's)
    inspect: Callable[[OutputFile], _Seen]

    def render(self, index: int) -> _Rendered:
        """Render page ``index`` and, in a translation, its side-by-side view (unless it is kept)."""
        cache = self.renderer.segment_cache
        try:
            files = self._files(index)
        except RecordError as error:
            return _Rendered(unreadable=str(error))
        except ContentError as error:
            # Keep going: an editor wants every broken link at once, not one page at a time.
            return _Rendered(problems=tuple(error.problems), segments=cache.take_delta() if cache else None)
        except ProblemsError as error:
            # A template error stops the build: it would repeat on every page.
            return _Rendered(fatal=error)
        seen = tuple(map(self.inspect, files))
        return _Rendered(files=files, seen=seen, segments=cache.take_delta() if cache else None)

    def _files(self, index: int) -> tuple[OutputFile, ...]:
        """The files of page ``index``. A stored page rendered again as it was (a template edit)
        without its side-by-side view is rendered from the parts kept for it, where they tell;
        else decoded (raising ``RecordError`` when it cannot be) and rendered whole."""
        page, view = self.pages[index], self.views[index]
        if isinstance(page, TranslatedPage):
            return self.renderer.render_translated(page, view)
        language = page.unit[1]
        if not view or language == self.renderer.config.source_language:
            kept = self.renderer.render_kept(page.unit, page.segmented_page())
            if kept is not None:
                return (kept,)
        return self.renderer.render_translated(page.decoded(), view)


# The job of a worker process, given to it by the pool's initializer; never set in the parent.
_worker_job: _PageJob[Any] | None = None


def _start_worker(job: _PageJob[Any]) -> None:
    global _worker_job
    started_by_fork()
    _worker_job = job


def _render_in_worker(index: int) -> _Rendered:
    assert _worker_job is not None, "a worker is started with its job"
    return _worker_job.render(index)


def render_pages(
    renderer: Renderer,
    pages: tuple[TranslatedPage | StoredPage, ...],
    views: tuple[bool, ...],
    workers: int,
    on_file: Callable[[OutputFile, _Seen], None],
    inspect: Callable[[OutputFile], _Seen],
) -> dict[int, str]:
    """Render every page (and, where ``views`` says so, a translation's side-by-side view), across
    ``workers`` processes on a large site, and hand each file to ``on_file`` as it comes, with what
    ``inspect`` made of it where the file was rendered (in a worker, on a large site: the parent,
    which takes every file, is not also the one to read them; a large site's pages need not all be
    in memory at once). The output does not depend on the number of workers. Raises
    ``ContentError`` listing every page's problems.

    A stored page that cannot be read (``StoredPage.decoded``) is not rendered: returns those
    pages, by index, with the reason."""
    job = _PageJob(renderer, pages, views, inspect)
    problems: list[Problem] = []
    unreadable: dict[int, str] = {}

    def collect(results: Iterable[_Rendered]) -> None:
        for index, result in enumerate(results):
            if result.unreadable is not None:
                unreadable[index] = result.unreadable
            if result.fatal is not None:
                raise result.fatal
            if renderer.segment_cache is not None and result.segments is not None:
                renderer.segment_cache.merge(result.segments)
            for file, seen in zip(result.files, result.seen, strict=True):
                on_file(file, seen)
            problems.extend(result.problems)

    try:
        if workers > 1 and len(pages) >= PARALLEL_FROM:
            # Forked workers receive the job from the initializer's arguments, without pickling the
            # renderer (its compiled templates and Markdown converters).
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(job,)) as pool:
                chunk = max(1, min(64, len(pages) // (8 * workers)))
                collect(pool.map(_render_in_worker, range(len(pages)), chunksize=chunk))
        else:
            collect(job.render(index) for index in range(len(pages)))
        if problems:
            raise ContentError(problems)
    except BaseException:
        if renderer.segment_cache is not None:
            renderer.segment_cache.discard()  # nothing of a failed rendering is kept
        raise
    return unreadable


# What the process making files apart makes, given to it by the pool's initializer; never set in the parent.
_apart_job: tuple[Renderer, tuple[Callable[[Renderer], OutputFile], ...]] | None = None


def _start_apart(renderer: Renderer, makes: tuple[Callable[[Renderer], OutputFile], ...]) -> None:
    global _apart_job
    started_by_fork()
    _apart_job = (renderer, makes)


def _make_apart(index: int) -> OutputFile:
    assert _apart_job is not None, "the process is started with its files"
    renderer, makes = _apart_job
    return makes[index](renderer)


@contextmanager
def made_apart(
    renderer: Renderer, makes: tuple[Callable[[Renderer], OutputFile], ...], workers: int
) -> Iterator[Callable[[int], OutputFile]]:
    """The files ``makes`` make with ``renderer``, made in another process from the start, while this
    one goes on with other work, when the build runs ``workers`` processes (else each made here when
    asked for): yields a function giving file ``index`` (waiting for it). An error making one is
    raised when that file is asked for."""
    if workers <= 1 or not makes:
        yield lambda index: makes[index](renderer)
        return
    # Forked: the process receives the renderer and the functions without pickling them.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(1, mp_context=context, initializer=_start_apart, initargs=(renderer, makes)) as pool:
        futures = [pool.submit(_make_apart, index) for index in range(len(makes))]
        try:
            yield lambda index: futures[index].result()
        finally:
            for future in futures:
                future.cancel()  # not asked for (the build stopped): not made
