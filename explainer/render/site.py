"""The site as a whole: what is published where, site-wide files, writing.

``plan_site`` and ``site_files`` are pure; ``write_site`` is the only
function here that touches disk.
"""

from __future__ import annotations

import datetime
import multiprocessing
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any

from ..cache import digest
from ..config import Config
from ..errors import ContentError, Problem, ProblemsError
from ..model import SEARCH_PATH, STATUS_PATH, OutputFile, PageInfo, SiteMap, State, TranslatedPage, page_info
from ..urls import page_dir

if TYPE_CHECKING:  # the renderer (Jinja, Markdown) is loaded only when something is rendered
    from .pages import Renderer

FEED_KINDS = ("news", "original", "background")


def translated_share(counts: dict[State, int]) -> float:
    """The percentage of segments with a translation in any state (not French fallback); 0 when there are none."""
    total = sum(counts.values())
    return 100.0 * (total - counts[State.MISSING]) / total if total else 0.0


def is_publishable(config: Config, info: PageInfo) -> bool:
    """Whether enough of the page is translated (not French fallback) to publish it.

    A page with nothing translated is never published as a translation, whatever the threshold."""
    if info.language == config.source_language:
        return True
    share = translated_share(info.state_counts())
    return share > 0 and share >= config.language(info.language).publish_threshold


def live_languages(config: Config, infos: Sequence[PageInfo]) -> tuple[str, ...]:
    """The source language, and every language whose whole site meets its language threshold."""
    totals: dict[str, dict[State, int]] = {}
    for info in infos:
        counts = totals.setdefault(info.language, dict.fromkeys(State, 0))
        for state, count in info.state_counts().items():
            counts[state] += count
    return tuple(
        language.code
        for language in config.languages
        if language.code == config.source_language
        or (
            translated_share(totals.get(language.code, {State.MISSING: 0})) > 0
            and translated_share(totals[language.code]) >= language.language_threshold
        )
    )


def is_noindex(config: Config, info: PageInfo) -> bool:
    """Mostly unreviewed machine output is kept out of search engines, where configured."""
    if info.language == config.source_language:
        return False
    counts = info.state_counts()
    total = sum(counts.values()) or 1
    return config.language(info.language).noindex_machine and counts[State.MACHINE] > total / 2


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


def _feed_entries(config: Config, infos: list[PageInfo]) -> list[dict[str, Any]]:
    entries = [
        {
            "title": info.title,
            "summary": info.summary,
            "url": config.base_url + page_dir(info.language, info.path),
            "published": info.published_on,
            "updated": info.last_changed,
        }
        for info in infos
        if info.kind in FEED_KINDS and info.last_changed is not None
    ]
    entries.sort(key=lambda entry: (entry["updated"], entry["url"]), reverse=True)
    return entries


# Below this many pages (all languages counted), starting worker processes costs more than it saves.
PARALLEL_FROM = 400
_worker_state: tuple[Renderer, tuple[TranslatedPage, ...], str] | None = None


def _render_one(index: int) -> tuple[list[OutputFile], list[Problem], ProblemsError | None]:
    """Render page ``index``: its files, its content problems, and a fatal error (returned, not raised).

    Runs in a worker process (forked with the renderer) or in the parent.
    """
    assert _worker_state is not None
    renderer, pages, source_language = _worker_state
    translated = pages[index]
    try:
        files = [renderer.render_page(translated)]
        if translated.language != source_language:
            files.append(renderer.render_compare(translated))
    except ContentError as error:
        # Keep going: an editor wants every broken link at once, not one page at a time.
        return [], list(error.problems), None
    except ProblemsError as error:
        # A template error stops the build: it would repeat on every page.
        return [], [], error
    return files, [], None


def render_pages(
    renderer: Renderer,
    pages: tuple[TranslatedPage, ...],
    source_language: str,
    workers: int,
    on_file: Callable[[OutputFile], None] | None = None,
) -> list[OutputFile]:
    """Render every page, across ``workers`` processes on a large site; the output does not
    depend on the number of workers. Returns the files, or hands each to ``on_file`` as it
    comes (a large site's pages need not all be in memory at once). Raises ``ContentError``
    listing every page's problems."""
    global _worker_state
    _worker_state = (renderer, pages, source_language)
    files: list[OutputFile] = []
    problems: list[Problem] = []

    def collect(results: Iterable[tuple[list[OutputFile], list[Problem], ProblemsError | None]]) -> None:
        for page_files, page_problems, fatal in results:
            if fatal is not None:
                raise fatal
            for file in page_files:
                if on_file is None:
                    files.append(file)
                else:
                    on_file(file)
            problems.extend(page_problems)

    try:
        if workers > 1 and len(pages) >= PARALLEL_FROM:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                chunk = max(1, min(64, len(pages) // (8 * workers)))
                collect(pool.map(_render_one, range(len(pages)), chunksize=chunk))
        else:
            collect(_render_one(index) for index in range(len(pages)))
    finally:
        _worker_state = None
    if problems:
        raise ContentError(problems)
    return files


def site_files(
    config: Config, renderer: Renderer, site_map: SiteMap, pages: tuple[TranslatedPage, ...], workers: int = 1
) -> list[OutputFile]:
    """Every file of the site: pages, chooser, 404s, feeds, sitemap, robots.txt, assets."""
    published = tuple(p for p in pages if site_map.is_published(p.page.path, p.language))
    files = render_pages(renderer, published, config.source_language, workers)
    files.extend(make(renderer) for _, _, make in site_wide_files(config, site_map, [page_info(p) for p in pages]))
    return sorted(files, key=lambda file: file.path)


SiteWideFile = tuple[str, str, Callable[["Renderer"], OutputFile]]


def site_wide_files(config: Config, site_map: SiteMap, infos: list[PageInfo]) -> list[SiteWideFile]:
    """The files made from every page's summary (chooser, 404s, dashboards, feeds, sitemap,
    assets), each as (path, the hash of the pages' data it shows, how to render it)."""
    from .fonts import plan_fonts
    from .pages import Renderer, load_assets

    dates = [info.last_changed for info in infos if info.last_changed]
    newest = max(dates) if dates else datetime.date(2025, 1, 1)
    published = [info for info in infos if site_map.is_published(info.path, info.language)]
    dashboard = _data_key(
        ([(i.path, i.language, i.counts, i.title, i.page_title) for i in infos], site_map.live, site_map.previewed)
    )
    files: list[SiteWideFile] = [
        ("index.html", "", lambda renderer: renderer.render_chooser()),
        ("404.html", "", lambda r: OutputFile("404.html", r.render_not_found(config.source_language).content)),
        ("manifest.webmanifest", "", lambda renderer: renderer.render_manifest()),
    ]
    for language in site_map.built_languages:
        status = page_dir(language, STATUS_PATH) + "index.html"
        files.append((f"{language}/404.html", "", partial(Renderer.render_not_found, language=language)))
        files.append((status, dashboard, partial(Renderer.render_status, language=language, infos=infos)))
        if config.search:
            search = page_dir(language, SEARCH_PATH) + "index.html"
            files.append((search, "", partial(Renderer.render_search, language=language)))
        entries = _feed_entries(config, [info for info in published if info.language == language])
        files.append(
            (
                f"{language}/feed.xml",
                _data_key((entries, newest)),
                partial(Renderer.render_feed, language=language, entries=entries, updated=newest),
            )
        )
    urls = []
    for info in published:
        if site_map.is_noindex(info.path, info.language):
            continue
        alternates = [
            {"lang": code, "url": config.base_url + page_dir(code, info.path)} for code in site_map.indexed(info.path)
        ]
        x_default = config.base_url + ("" if info.path == "" else page_dir(config.source_language, info.path))
        urls.append(
            {
                "loc": config.base_url + page_dir(info.language, info.path),
                "lastmod": info.last_changed,
                "alternates": alternates,
                "x_default": x_default,
            }
        )
    urls.sort(key=lambda url: str(url["loc"]))
    files.append(("sitemap.xml", _data_key(urls), partial(Renderer.render_sitemap, urls=urls)))
    robots = OutputFile("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {config.base_url}sitemap.xml\n".encode())
    files.append(("robots.txt", "", lambda _: robots))
    files.extend(
        (asset.path, "", partial(Renderer.asset_file, name=name))
        for name, asset in sorted(load_assets(config.templates_dir / "static").items())
    )
    # Web fonts: their names change with what they hold (font files and characters).
    for code, fonts in sorted(plan_fonts(config, site_map).items()):
        for path in (*(face.path for face in fonts.faces), fonts.stylesheet):
            files.append((path, "", partial(Renderer.font_file, language=code, path=path)))
    return files


def _data_key(data: object) -> str:
    return digest(repr(data))
