"""Site-wide files: the language chooser, dashboards, search pages, the manifest, 404 pages,
feeds, the sitemap, robots.txt, assets and web fonts.

``site_wide_files`` lists them from every page's summary without rendering anything; each
file's ``make`` renders it with the renderer. Listing reads the static assets (``load_assets``) and
plans the web fonts (``plan_fonts``: it hashes the font files and reads the UI catalogs).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..fsutil import digest
from ..kinds import KINDS
from ..model import SEARCH_PATH, STATUS_PATH, OutputFile, PageInfo, Run, SiteMap, State
from ..urls import page_dir, relative_url
from .assets import load_assets
from .fonts import plan_fonts
from .hreflang import Alternates, alternates
from .rows import ROW_TEMPLATE, RowCache, StatusRows, rows_html

if TYPE_CHECKING:  # the renderer (Jinja, Markdown) is loaded only when something is rendered
    from .renderer import Renderer


@dataclass(frozen=True)
class SiteWideFile:
    """A file made from every page's summary: its path, the hash of the pages' data it shows
    (empty: none; the file changes only with the templates and configuration), how to render it."""

    path: str
    data_key: str
    make: Callable[[Renderer], OutputFile]
    # The templates it renders (what they name, and the folder's other files, count too: see
    # ``templates.TemplateInputs``), so that another template's edit keeps it; None: every template.
    templates: tuple[str, ...] | None = None
    # The path names what the file holds (a web font: its source, the characters, the subsetter's
    # version): no template, catalog or page's data changes it.
    named_by_content: bool = False
    # Made in another process while the build makes the others, where it runs several (a web font:
    # the longest to make of these files, and made from its own inputs alone).
    apart: bool = False


def site_wide_files(
    config: Config, site_map: SiteMap, infos: list[PageInfo], rows: RowCache | None = None
) -> list[SiteWideFile]:
    """The files made from every page's summary (chooser, 404s, dashboards, feeds, sitemap,
    assets), in a stable order. The dashboards' rows are kept in ``rows`` (see ``render.rows``)."""
    dates = [info.last_changed for info in infos if info.last_changed]
    newest = max(dates) if dates else datetime.date(2025, 1, 1)
    published = [info for info in infos if site_map.is_published(info.path, info.language)]
    # Each list's key: what it shows of each page (``PageInfo.listed``, made once for each page a
    # process holds), and of the site.
    dashboard = digest("\n".join(info.listed[0] for info in infos), repr((site_map.live, site_map.previewed)))
    files = [
        SiteWideFile("index.html", "", render_chooser, ("chooser.html",)),
        SiteWideFile(
            "404.html",
            "",
            lambda r: OutputFile("404.html", render_not_found(r, config.source_language).content),
            ("404.html",),
        ),
        SiteWideFile("manifest.webmanifest", "", render_manifest, ()),
    ]
    for language in site_map.built_languages:
        status = page_dir(language, STATUS_PATH) + "index.html"
        files.append(
            SiteWideFile(f"{language}/404.html", "", partial(render_not_found, language=language), ("404.html",))
        )
        status_page = partial(render_status, language=language, infos=infos, rows=rows)
        files.append(SiteWideFile(status, dashboard, status_page, ("status.html", ROW_TEMPLATE)))
        if config.search:
            search = page_dir(language, SEARCH_PATH) + "index.html"
            files.append(SiteWideFile(search, "", partial(render_search, language=language), ("search.html",)))
        fed = [info for info in published if info.language == language and _in_feeds(info)]
        feed = partial(_feed, config=config, language=language, infos=fed, updated=newest)
        key = digest("\n".join(info.listed[1] for info in fed), repr(newest))
        files.append(SiteWideFile(f"{language}/feed.xml", key, feed, ("feed.xml",)))
    # What the sitemap shows besides its pages' addresses and dates (each page's hreflang cluster)
    # is in every site-wide file's key already: the configuration, and which page is published and
    # indexed in which language (``plan.context_digest``). Its URLs are made only to render it.
    indexed = [i.listed[2] for i in published if not site_map.is_noindex(i.path, i.language)]
    sitemap = partial(_sitemap, config=config, site_map=site_map, published=published)
    files.append(SiteWideFile("sitemap.xml", digest("\n".join(indexed)), sitemap, ("sitemap.xml",)))
    robots = OutputFile("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {config.base_url}sitemap.xml\n".encode())
    files.append(SiteWideFile("robots.txt", "", lambda _: robots, ()))
    files.extend(_static_files(config, site_map))
    return files


def _static_files(config: Config, site_map: SiteMap) -> list[SiteWideFile]:
    """The assets, and the web fonts: their names change with what they hold (font files and characters)."""
    files = [
        SiteWideFile(asset.path, "", partial(_asset_file, name=name), ())
        for name, asset in sorted(load_assets(config.templates_dir / "static").items())
    ]
    for code, fonts in sorted(plan_fonts(config, site_map).items()):
        for path in (*(face.path for face in fonts.faces), fonts.stylesheet):
            make = partial(_font_file, language=code, path=path)
            files.append(SiteWideFile(path, "", make, named_by_content=True, apart=True))
    return files


def _asset_file(renderer: Renderer, name: str) -> OutputFile:
    return renderer.asset_file(name)


def _font_file(renderer: Renderer, language: str, path: str) -> OutputFile:
    return renderer.font_file(language, path)


def _in_feeds(info: PageInfo) -> bool:
    """Whether a published page has an entry in its language's feed: a kind in the feeds, a date."""
    return info.kind in KINDS and KINDS[info.kind].in_feeds and info.last_changed is not None


def _feed(
    renderer: Renderer, config: Config, language: str, infos: list[PageInfo], updated: datetime.date
) -> OutputFile:
    return render_feed(renderer, language, _feed_entries(config, infos), updated)


def _feed_entries(config: Config, infos: list[PageInfo]) -> list[dict[str, Any]]:
    """The entries of a language's feed, from its pages in the feed (``_in_feeds``), newest first."""
    entries = [
        {
            "title": info.title,
            "summary": info.summary,
            "url": config.base_url + page_dir(info.language, info.path),
            "published": info.published_on,
            "updated": info.last_changed,
        }
        for info in infos
    ]
    entries.sort(key=lambda entry: (entry["updated"], entry["url"]), reverse=True)
    return entries


def _sitemap(renderer: Renderer, config: Config, site_map: SiteMap, published: list[PageInfo]) -> OutputFile:
    return render_sitemap(renderer, _sitemap_urls(config, site_map, published))


def _sitemap_urls(config: Config, site_map: SiteMap, published: list[PageInfo]) -> list[dict[str, Any]]:
    """Every published page open to search engines, with its hreflang cluster, sorted by URL."""
    urls = []
    clusters: dict[str, Alternates] = {}  # a page's, the same in every language
    for info in published:
        if site_map.is_noindex(info.path, info.language):
            continue
        if info.path not in clusters:
            clusters[info.path] = alternates(config, site_map, info.path)
        cluster = clusters[info.path]
        urls.append(
            {
                "loc": config.base_url + page_dir(info.language, info.path),
                "lastmod": info.last_changed,
                "alternates": cluster.links,
                "x_default": cluster.x_default,
            }
        )
    urls.sort(key=lambda url: str(url["loc"]))
    return urls


def render_chooser(renderer: Renderer) -> OutputFile:
    """The root page: a language chooser, also the x-default of the home page."""
    config, site_map = renderer.config, renderer.site_map
    source = config.source_language
    languages = [
        {
            "lang": lang.code,
            "dir": lang.direction,
            "name": lang.autonym,
            "title": lang.title,
            "description": lang.description,
            "url": page_dir(lang.code, ""),
            "absolute": config.base_url + page_dir(lang.code, ""),
        }
        for lang in config.languages
        if site_map.is_published("", lang.code) and site_map.is_live(lang.code)
    ]
    context = renderer.common(source, "")
    cluster = alternates(config, site_map, "")
    return OutputFile(
        "index.html",
        renderer.render(
            source,
            "chooser.html",
            "the language chooser",
            **context,
            languages=languages,
            canonical=cluster.x_default,
            alternates=cluster.links,
        ),
    )


def render_status(
    renderer: Renderer, language: str, infos: Sequence[PageInfo], rows: RowCache | None = None
) -> OutputFile:
    """The translation dashboard: per language and page, the share of each state.

    Each row is rendered by its own template (``status_row.html``, where the templates have it)
    and kept in ``rows``: a row whose data did not change is not rendered again. A section's rows
    are given to ``status.html`` one by one (``row_html``) and joined (``table_rows``, faster to
    show: the link check reads it from its rows' reads, each row once)."""
    from markupsafe import Markup

    current = page_dir(language, STATUS_PATH)
    by_row = (renderer.config.templates_dir / ROW_TEMPLATE).is_file()
    cache = rows or RowCache(None, "")
    cache.page_stamps(infos)
    by_language: dict[str, list[PageInfo]] = {}
    for info in infos:
        by_language.setdefault(info.language, []).append(info)
    sections, pieces = [], []
    for target in renderer.config.target_languages:
        shown = by_language.get(target.code, [])
        totals = [sum(column) for column in zip(*(info.counts for info in shown), strict=True)] or [0] * len(State)
        grand = sum(totals) or 1
        section = {
            "lang": target.code,
            "dir": target.direction,
            "name": target.autonym,
            "live": renderer.site_map.is_live(target.code),
            "threshold": target.language_threshold / 100,
        }
        row_html = rows_html(renderer, language, section, shown, cache) if by_row else []
        joined = Run(row_html, "")  # each row ends its line
        pieces.append(joined)
        sections.append(
            {
                **section,
                "rows": StatusRows(renderer, shown, language),
                "row_html": row_html,
                "table_rows": Markup(joined),
                "shares": {
                    state.value: totals[index] / grand for index, state in enumerate(State) if state is not State.SOURCE
                },
                "total": grand,
            }
        )
    html = renderer.render_text(
        language,
        "status.html",
        "the translation dashboard",
        **renderer.common(language, current),
        sections=sections,
        canonical=renderer.config.base_url + current,
    )
    return OutputFile(current + "index.html", html.encode("utf-8"), tuple(pieces), html)  # each row read once


def render_search(renderer: Renderer, language: str) -> OutputFile:
    """The search page of ``language``: Pagefind's interface over that language's index."""
    current = page_dir(language, SEARCH_PATH)
    return OutputFile(
        current + "index.html",
        renderer.render(
            language,
            "search.html",
            "the search page",
            **renderer.common(language, current),
            pagefind_url=relative_url(current, "pagefind/"),
            canonical=renderer.config.base_url + current,
        ),
    )


def render_manifest(renderer: Renderer) -> OutputFile:
    """The web app manifest, in the source language."""
    source = renderer.config.language(renderer.config.source_language)
    manifest = {
        "name": source.title,
        "short_name": source.title,
        "description": source.description,
        "lang": source.code,
        "dir": source.direction,
        "start_url": "./",
        "display": "browser",
        "icons": [{"src": renderer.assets["favicon.svg"].path, "sizes": "any", "type": "image/svg+xml"}],
    }
    return OutputFile("manifest.webmanifest", (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode())


def render_not_found(renderer: Renderer, language: str) -> OutputFile:
    """A 404 page in ``language``; links are absolute paths (it is served anywhere)."""
    base_path = renderer.config.base_path
    context = renderer.common(language, "404", link=lambda target: base_path + target)
    return OutputFile(f"{language}/404.html", renderer.render(language, "404.html", "the 404 page", **context))


def render_feed(renderer: Renderer, language: str, entries: list[dict[str, Any]], updated: datetime.date) -> OutputFile:
    """The Atom feed of ``language``."""
    base_url = renderer.config.base_url
    return OutputFile(
        f"{language}/feed.xml",
        renderer.render(
            language,
            "feed.xml",
            "the Atom feed",
            **renderer.common(language, page_dir(language, "")),
            entries=entries,
            updated=updated,
            feed_url=base_url + f"{language}/feed.xml",
            home_absolute=base_url + page_dir(language, ""),
        ),
    )


def render_sitemap(renderer: Renderer, urls: list[dict[str, Any]]) -> OutputFile:
    """The sitemap: every indexed page with its hreflang alternates and x-default."""
    source = renderer.config.source_language
    return OutputFile("sitemap.xml", renderer.render(source, "sitemap.xml", "the sitemap", urls=urls))
