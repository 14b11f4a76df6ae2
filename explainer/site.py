"""The site as a whole: what is published where, site-wide files, writing.

``plan_site`` and ``site_files`` are pure; ``write_site`` is the only
function here that touches disk.
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .config import Config
from .errors import ContentError, Problem, ProblemsError, TemplateError, WriteError
from .fsutil import exchange
from .model import OutputFile, State, TranslatedPage
from .render import Renderer, SiteMap
from .urls import page_dir

FEED_KINDS = ("news", "original", "background")


def is_publishable(config: Config, translated: TranslatedPage) -> bool:
    """Whether enough of the page is translated (not French fallback) to publish it."""
    if translated.language == config.source_language:
        return True
    counts = translated.counts()
    total = sum(counts.values()) or 1
    translated_share = 100.0 * (total - counts[State.MISSING]) / total
    return translated_share >= config.language(translated.language).publish_threshold


def is_noindex(config: Config, translated: TranslatedPage) -> bool:
    """Mostly unreviewed machine output is kept out of search engines, where configured."""
    if translated.language == config.source_language:
        return False
    counts = translated.counts()
    total = sum(counts.values()) or 1
    return config.language(translated.language).noindex_machine and counts[State.MACHINE] > total / 2


def plan_site(config: Config, pages: tuple[TranslatedPage, ...]) -> SiteMap:
    """Decide which page is published (and indexed) in which language, and the navigation order."""
    published: dict[str, list[str]] = {}
    noindex: set[tuple[str, str]] = set()
    titles: dict[tuple[str, str], str] = {}
    orders: dict[str, tuple[int, str]] = {}
    in_menu: set[str] = set()
    anchors: dict[str, frozenset[str]] = {}
    for translated in pages:
        page = translated.page
        anchors[page.path] = frozenset(
            {"main", "sources-heading"}
            | {s.anchor for s in translated.segmented.segments if s.anchor}
            | {term.id for term in page.glossary}
        )
        orders[page.path] = (page.order or 0, page.path)
        if page.order is not None and page.path:
            in_menu.add(page.path)
        published.setdefault(page.path, [])
        if not is_publishable(config, translated):
            continue
        published[page.path].append(translated.language)
        if is_noindex(config, translated):
            noindex.add((page.path, translated.language))
        title_index = next(i for i, s in enumerate(translated.segmented.segments) if s.role == "title")
        titles[(page.path, translated.language)] = translated.renditions[title_index].text
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
    )


def _feed_entries(config: Config, pages: list[TranslatedPage]) -> list[dict[str, Any]]:
    entries = []
    for translated in pages:
        page = translated.page
        if page.kind not in FEED_KINDS or page.last_changed is None:
            continue
        texts = {s.role: r.text for s, r in zip(translated.segmented.segments, translated.renditions, strict=True)}
        entries.append(
            {
                "title": texts["title"],
                "summary": texts["summary"],
                "url": config.base_url + page_dir(translated.language, page.path),
                "published": page.date or page.last_changed,
                "updated": page.last_changed,
            }
        )
    entries.sort(key=lambda entry: (entry["updated"], entry["url"]), reverse=True)
    return entries


# Below this many pages (all languages counted), starting worker processes costs more than it saves.
PARALLEL_FROM = 400
_worker_state: tuple[Renderer, tuple[TranslatedPage, ...], str] | None = None


def _render_one(index: int) -> tuple[list[OutputFile], list[Problem], tuple[str, list[Problem]] | None]:
    """Render page ``index``: its files, its content problems, and a fatal error as data.

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
        return [], [], (type(error).__name__, list(error.problems))
    return files, [], None


def render_pages(
    renderer: Renderer, pages: tuple[TranslatedPage, ...], source_language: str, workers: int
) -> list[OutputFile]:
    """Render every page, across ``workers`` processes on a large site; the output does not
    depend on the number of workers. Raises ``ContentError`` listing every page's problems."""
    global _worker_state
    _worker_state = (renderer, pages, source_language)
    try:
        if workers > 1 and len(pages) >= PARALLEL_FROM:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                results = list(pool.map(_render_one, range(len(pages)), chunksize=max(1, len(pages) // (8 * workers))))
        else:
            results = [_render_one(index) for index in range(len(pages))]
    finally:
        _worker_state = None
    files: list[OutputFile] = []
    problems: list[Problem] = []
    for page_files, page_problems, fatal in results:
        if fatal is not None:
            kind = TemplateError if fatal[0] == "TemplateError" else ContentError
            raise kind(fatal[1])
        files.extend(page_files)
        problems.extend(page_problems)
    if problems:
        raise ContentError(problems)
    return files


def site_files(
    config: Config, renderer: Renderer, site_map: SiteMap, pages: tuple[TranslatedPage, ...], workers: int = 1
) -> list[OutputFile]:
    """Every file of the site: pages, chooser, 404s, feeds, sitemap, robots.txt, assets."""
    published = tuple(p for p in pages if site_map.is_published(p.page.path, p.language))
    files = render_pages(renderer, published, config.source_language, workers)
    files.append(renderer.render_chooser())
    files.append(OutputFile("404.html", renderer.render_not_found(config.source_language).content))
    dates = [p.page.last_changed for p in pages if p.page.last_changed]
    newest = max(dates) if dates else datetime.date(2025, 1, 1)
    files.append(renderer.render_manifest())
    for language in config.language_codes:
        files.append(renderer.render_not_found(language))
        files.append(renderer.render_status(language, pages))
        if config.search:
            files.append(renderer.render_search(language))
        in_language = [p for p in published if p.language == language]
        files.append(renderer.render_feed(language, _feed_entries(config, in_language), newest))
    urls = []
    for translated in published:
        page = translated.page
        if site_map.is_noindex(page.path, translated.language):
            continue
        alternates = [
            {"lang": code, "url": config.base_url + page_dir(code, page.path)} for code in site_map.indexed(page.path)
        ]
        x_default = config.base_url + ("" if page.path == "" else page_dir(config.source_language, page.path))
        urls.append(
            {
                "loc": config.base_url + page_dir(translated.language, page.path),
                "lastmod": page.last_changed,
                "alternates": alternates,
                "x_default": x_default,
            }
        )
    urls.sort(key=lambda url: str(url["loc"]))
    files.append(renderer.render_sitemap(urls))
    files.append(
        OutputFile("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {config.base_url}sitemap.xml\n".encode())
    )
    files.extend(renderer.asset_files())
    return sorted(files, key=lambda file: file.path)


def unchanged(output_dir: Path, files: list[OutputFile], generated: tuple[str, ...] = ()) -> bool:
    """Whether ``output_dir`` already holds exactly ``files`` (folders in ``generated``, made
    after rendering, such as the search index, are not compared)."""
    if not output_dir.is_dir():
        return False
    existing = {
        path.relative_to(output_dir).as_posix()
        for path in output_dir.rglob("*")
        if path.is_file() and not path.relative_to(output_dir).as_posix().startswith(generated)
    }
    if existing != {file.path for file in files}:
        return False
    return all((output_dir / file.path).read_bytes() == file.content for file in files)


def clean_leftovers(output_dir: Path) -> None:
    """Remove what a killed build left next to ``output_dir``; restore the site if it was
    killed between the two renames of a non-atomic swap."""
    parent = output_dir.parent
    for leftover in parent.glob(f".{output_dir.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    old = parent / f".{output_dir.name}.old"
    if old.exists() and output_dir.exists():
        shutil.rmtree(old, ignore_errors=True)
    elif old.exists():
        os.replace(old, output_dir)


def write_site(output_dir: Path, files: list[OutputFile], finish: Callable[[Path], None] | None = None) -> None:
    """Write ``files`` into a fresh folder, then swap it into ``output_dir``.

    The previous site stays in place until the new one is complete. Raises
    ``WriteError`` (and leaves ``output_dir`` as it was) when writing fails or
    two files claim the same path.
    """
    seen: set[str] = set()
    for file in files:
        if file.path in seen:
            raise WriteError(f"two outputs claim the same file: {file.path}")
        seen.add(file.path)
    parent = output_dir.parent
    old = parent / f".{output_dir.name}.old"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(output_dir)
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{output_dir.name}.new-"))
    except OSError as error:
        raise WriteError(f"cannot create the output folder next to {output_dir}: {error.strerror}") from None
    try:
        for file in files:
            target = staging / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.content)
        if finish is not None:
            finish(staging)  # e.g. the search index, built from the files just written
        os.chmod(staging, 0o755)
        if output_dir.exists() and exchange(staging, output_dir):
            os.replace(staging, old)  # the previous site, now out of the way
        else:
            if output_dir.exists():
                os.replace(output_dir, old)
            os.replace(staging, output_dir)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if not isinstance(error, OSError):
            raise
        raise WriteError(f"cannot write the site to {output_dir}: {error.strerror or error}") from None
    shutil.rmtree(old, ignore_errors=True)
