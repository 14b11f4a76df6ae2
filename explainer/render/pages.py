"""Jinja2 + Python-Markdown + Babel: pages in, HTML and XML bytes out.

Pure given its inputs: templates and UI catalogs are read once when the
``Renderer`` is made; rendering itself touches no disk.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import json
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import Any

import jinja2
from babel.core import get_global
from babel.dates import format_date, format_skeleton
from babel.messages.catalog import Message
from babel.messages.mofile import write_mo
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from markupsafe import Markup

from ..check.markup import reference_line
from ..config import Config, babel_locale
from ..errors import ContentError, Problem, TemplateError, TranslationMemoryError, relative
from ..grammar import FOOTNOTE_ID, linked_notes, note_row
from ..load.data import PLACES_FILE
from ..model import (
    SEARCH_PATH,
    STATUS_PATH,
    OutputFile,
    PageInfo,
    Place,
    Rendition,
    SiteMap,
    State,
    TranslatedPage,
    timeline_anchors,
)
from ..translate.glossary import Glossary
from ..translate.memory import read_catalog
from ..translate.mt.route import pivots_of
from ..translate.segment import footnote_labels, plain_text, reassemble
from ..urls import page_dir, relative_url, split_site_link
from .fonts import plan_fonts, stylesheet, subset_font
from .markdown import RenderState, convert, make_markdown, mark
from .placemap import (
    BORDERS_FILE,
    MAP_KINDS,
    Borders,
    MapLabels,
    map_context,
    outside,
    parse_borders,
    places_by_anchor,
)
from .placemap import timeline_date as _timeline_date

# Segments shown as plain text by templates (not Markdown): page fields, glossary terms.
PLAIN_ROLES = ("title", "summary", "credit", "term", "expansion", "source")
ASSET_SUFFIXES = (".css", ".js", ".svg", ".png", ".ico", ".webmanifest")


@dataclass(frozen=True)
class Asset:
    """A static file published under a content-hashed name."""

    name: str  # as templates ask for it: "style.css"
    path: str  # site-relative output path: "assets/style.3f2a9c1b.css"
    content: bytes


def load_assets(static_dir: Path) -> dict[str, Asset]:
    """Read ``templates/static`` and give each file a content-hashed name."""
    assets: dict[str, Asset] = {}
    if not static_dir.is_dir():
        return assets
    for file in sorted(static_dir.rglob("*")):
        if file.is_file() and file.suffix in ASSET_SUFFIXES:
            content = file.read_bytes()
            digest = hashlib.sha256(content).hexdigest()[:10]
            name = file.relative_to(static_dir).as_posix()
            stem, _, suffix = name.rpartition(".")
            assets[name] = Asset(name, f"assets/{stem}.{digest}.{suffix}", content)
    return assets


def ui_translations(config: Config, language: str, warnings: list[Problem]) -> NullTranslations:
    """The UI catalog of ``language``, compiled in memory from its PO file."""
    path = config.ui_catalog(language)
    catalog = read_catalog(path, config.root, language)
    if catalog is None:
        warnings.append(
            Problem(relative(path, config.root), 0, "no UI catalog for this language: interface text stays in English")
        )
        return NullTranslations()
    problems = [
        Problem(relative(path, config.root), message.lineno or 0, reason)
        for message in catalog
        if (reason := placeholder_problem(message))
    ]
    if problems:
        raise TranslationMemoryError(problems)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates shared by the environments of one build, in memory only."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_NAMED = re.compile(r"%\((\w+)\)")


def placeholder_problem(message: Message) -> str | None:
    """Why a UI translation would fail where it is used, or None: its placeholders must fit its
    English's (``%(name)s`` for the templates, ``{}`` for the footnote back-link title)."""
    if not isinstance(message.id, str) or not message.id or not isinstance(message.string, str) or not message.string:
        return None
    english, translation = message.id, message.string
    names = dict.fromkeys(_NAMED.findall(english), "x")
    fields = 0
    if "{" in english:
        fields = sum(1 for _, field, _, _ in string.Formatter().parse(english) if field is not None)
    try:
        _ = translation % names  # what the templates' gettext does with it
        if fields:
            translation.format(*["1"] * fields)
    except (KeyError, IndexError, ValueError, TypeError) as error:
        return (
            f"UI catalog: the translation's placeholders do not fit the English's ({type(error).__name__}: {error}); "
            "keep the English's placeholders as they are (write %% for a literal %)"
        )
    return None


class Renderer:
    """Renders every kind of output file for one project."""

    def __init__(
        self,
        config: Config,
        site_map: SiteMap,
        warnings: list[Problem],
        places: tuple[Place, ...] = (),
        glossary: Glossary | None = None,
    ) -> None:
        """``places``: the places of the locator map (none: no map), labelled with ``glossary``'s
        name forms."""
        self.config = config
        self.site_map = site_map
        self.places = places
        self.glossary = glossary or Glossary()
        self.borders: Borders | None = None
        if places:
            borders_path = config.templates_dir / BORDERS_FILE
            shown = relative(borders_path, config.root)
            if not borders_path.is_file():
                raise TemplateError(
                    [Problem(shown, 0, "missing: the map's borders (make it with scripts/make_map.py)")]
                )
            self.borders = parse_borders(borders_path.read_text(encoding="utf-8"), shown)
            problems = outside(places, relative(config.content_dir / PLACES_FILE, config.root), self.borders)
            if problems:
                raise ContentError(problems)
        # Each template is compiled once for every language's environment. Compiled templates
        # are code: they are never kept on disk, where a crafted cache file would be run.
        self.bytecode_cache = _MemoryBytecodeCache()
        self.assets = load_assets(config.templates_dir / "static")
        self.template_ids = template_ids(config.templates_dir, config.root)
        self.fonts = plan_fonts(config, site_map)
        self.environments: dict[str, jinja2.Environment] = {}
        self.markdown: dict[str, Any] = {}
        self._source_columns: dict[str, list[str]] = {}  # page path -> French column of the side-by-side view
        for language in config.languages:
            translations = ui_translations(config, language.code, warnings)
            environment = self._environment(language.code, translations)
            self.environments[language.code] = environment
            backlink = translations.gettext("Back to reference {}")
            self.markdown[language.code] = make_markdown(backlink)

    def _environment(self, language: str, translations: NullTranslations) -> jinja2.Environment:
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.config.templates_dir)),
            bytecode_cache=self.bytecode_cache,
            autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # Translations are text, like content: escaped, with only their placeholders filled in
        # (Jinja's newstyle gettext would publish them as HTML).
        environment.install_gettext_callables(  # type: ignore[attr-defined]
            gettext=lambda message: Markup.escape(translations.gettext(message)),
            ngettext=lambda singular, plural, number: Markup.escape(translations.ngettext(singular, plural, number)),
            pgettext=lambda context, message: Markup.escape(translations.pgettext(context, message)),
            npgettext=lambda context, singular, plural, number: Markup.escape(
                translations.npgettext(context, singular, plural, number)
            ),
            newstyle=True,
        )
        locale = babel_locale(self.config.language(language).cldr_locale)
        environment.filters["date"] = lambda value, form="long": format_date(value, form, locale=locale)
        environment.filters["number"] = lambda value: format_decimal(value, locale=locale)
        # The dashboard shows thousands of shares, out of few distinct values.
        environment.filters["percent"] = functools.lru_cache(maxsize=4096)(
            lambda value: format_percent(value, locale=locale)
        )
        environment.globals["language_name"] = language_name
        environment.globals["og_locale"] = og_locale
        return environment

    # -- helpers shared by the templates -------------------------------------------------

    def _render(self, language: str, template: str, where: str, **context: Any) -> bytes:
        environment = self.environments[language]
        try:
            return environment.get_template(template).render(**context).encode("utf-8")
        except jinja2.TemplateSyntaxError as error:
            shown = relative(self.config.templates_dir / (error.filename or template), self.config.root)
            if error.filename:
                shown = relative(Path(error.filename), self.config.root)
            raise TemplateError([Problem(shown, error.lineno, f"template syntax error: {error.message}")]) from None
        except jinja2.UndefinedError as error:
            file, line = _template_position(error, self.config.templates_dir / template)
            raise TemplateError(
                [
                    Problem(
                        relative(file, self.config.root),
                        line,
                        f"undefined variable while rendering {where}: {error.message}",
                    )
                ]
            ) from None
        except jinja2.TemplateNotFound as error:
            raise TemplateError(
                [Problem(relative(self.config.templates_dir, self.config.root), 0, f"template not found: {error.name}")]
            ) from None

    def _common(self, language: str, current_dir: str, link: Any = None) -> dict[str, Any]:
        """Context every template gets. ``link`` maps a site-relative target to a URL."""
        if link is None:

            def link(target: str) -> str:
                return relative_url(current_dir, target)

        lang = self.config.language(language)
        # Generated pages (dashboard, search, side by side) exist in every language: the
        # switcher leads to the same page in each. Content pages pass their own.
        inner = current_dir.removeprefix(f"{language}/") if current_dir.startswith(f"{language}/") else None
        switcher = [
            {
                "lang": code,
                "dir": self.config.language(code).direction,
                "name": language_name(code),
                "url": link(f"{code}/{inner}" if inner is not None else page_dir(code, "")),
                "current": code == language,
            }
            for code in self.config.language_codes
            if self.site_map.is_live(code) or code == language
        ]
        return {
            "switcher": switcher,
            "preview": language in self.site_map.previewed,
            "lang": language,
            "dir": lang.direction,
            "site": lang,
            "source_language": self.config.source_language,
            "source_direction": self.config.language(self.config.source_language).direction,
            "asset": lambda name: link(self.assets[name].path),
            # Web fonts are linked only from the pages of their language.
            "fonts_css": link(self.fonts[language].stylesheet) if language in self.fonts else None,
            # A language whose home page is not published links to the source language's.
            "home_url": link(
                page_dir(language if self.site_map.is_published("", language) else self.config.source_language, "")
            ),
            "root_url": link(""),
            "status_url": link(page_dir(language, STATUS_PATH)),
            "search_url": link(page_dir(language, SEARCH_PATH)) if self.config.search else None,
            "manifest_url": link("manifest.webmanifest"),
            "base_url": self.config.base_url,
            "nav": [
                {
                    "url": link(page_dir(language, path)),
                    "title": self.site_map.titles[(path, language)],
                    "current": page_dir(language, path) == current_dir,
                    "lang": self._fallback_language(path, language),
                }
                for path in self.site_map.menu
                if self.site_map.is_published(path, language)
            ],
        }

    def _fallback_language(self, path: str, language: str) -> str | None:
        """The source language where a page's title in ``language`` is the source's text, else None."""
        source = self.config.source_language
        titles = self.site_map.titles
        return source if language != source and titles.get((path, language)) == titles.get((path, source)) else None

    # -- pages ---------------------------------------------------------------------------

    def render_page(self, translated: TranslatedPage) -> OutputFile:
        """The HTML of one page in one language."""
        language = translated.language
        page = translated.page
        current = page_dir(language, page.path)
        segments = translated.segmented.segments
        renditions = translated.renditions

        def plain(index: int) -> dict[str, Any]:
            """A segment shown as plain text, with its attributes for the template."""
            rendition = renditions[index]
            return {"text": rendition.text, "attrs": Markup(self._attributes(rendition, language, None))}

        fields = {
            s.role: plain(i)
            for i, s in enumerate(segments)
            if s.role in PLAIN_ROLES and s.entry is None and s.source is None
        }
        descriptions = {s.source: plain(i) for i, s in enumerate(segments) if s.source is not None}
        sources = [
            {"source": source, "description": descriptions.get(number)} for number, source in enumerate(page.sources)
        ]
        attributes = {
            index: self._attribute_map(renditions[index], language, segment.anchor)
            for index, segment in enumerate(segments)
            if segment.role not in PLAIN_ROLES
        }
        broken: list[tuple[str, str]] = []
        right_to_left = self.config.language(language).direction == "rtl"
        state = RenderState(
            {i: a for i, a in attributes.items() if segments[i].entry is None and segments[i].role != "brief"},
            lambda href: self._site_link(href, page.path, language, current, broken),
            isolate_latin=right_to_left,
        )
        converter, extension = self.markdown[language]
        marked = [mark(index, rendition.text) for index, rendition in enumerate(renditions)]
        body = convert(converter, extension, reassemble(translated.segmented, marked), state)

        # The "in short" box: its lines as one list.
        brief = [index for index, segment in enumerate(segments) if segment.role == "brief"]
        in_short = None
        if brief:
            piece = RenderState(
                {index: attributes[index] for index in brief}, state.resolve_link, isolate_latin=right_to_left
            )
            listed = "".join(f"- {marked[index]}\n" for index in brief)
            in_short = Markup(convert(converter, extension, listed, piece))
            state.bad_links.extend(piece.bad_links)
            state.unmarked.extend(piece.unmarked)
            state.external_images.extend(piece.external_images)

        # Timeline events and glossary definitions: one small Markdown block each.
        entries: dict[int, dict[str, Any]] = {}
        for index, segment in enumerate(segments):
            if segment.entry is None:
                continue
            entry = entries.setdefault(segment.entry, {"expansion": None})
            if segment.role in PLAIN_ROLES:
                entry[segment.role] = plain(index)
            else:
                piece = RenderState({index: attributes[index]}, state.resolve_link, isolate_latin=right_to_left)
                entry["html"] = Markup(convert(converter, extension, marked[index], piece))
                state.bad_links.extend(piece.bad_links)
                state.unmarked.extend(piece.unmarked)
                state.external_images.extend(piece.external_images)

        problems = [
            self._link_problem(
                translated, link, "unsafe link {link!r}: only http(s), mailto and site links are allowed"
            )
            for link in state.bad_links
        ]
        problems += [self._link_problem(translated, link, reason) for link, reason in broken]
        problems += [
            self._link_problem(
                translated,
                link,
                "external image {link!r}: the site's Content-Security-Policy lets pages show only the site's "
                "own images, so readers would see a broken image; remove it",
            )
            for link in state.external_images
        ]
        problems += self._id_problems(translated)
        if problems:
            raise ContentError(problems)
        if state.unmarked:
            lost = ", ".join(f"line {segments[i].line}" for i in state.unmarked)
            raise TemplateError([Problem(page.source_file, 0, f"Markdown lost segments ({lost}) in '{language}'")])
        where = f"{page.source_file} in '{language}'"
        event_ids = timeline_anchors(page.timeline)
        mentioned = places_by_anchor(self.places, page.path)
        events = [
            {
                "id": event_ids[number],
                "date": event.date,
                "shown": self._partial_date(event.date, language),
                "sources": event.sources,
                "places": [
                    self._place_link(place, language, current) for place in mentioned.get(event_ids[number], ())
                ],
                **entries[number],
            }
            for number, event in enumerate(page.timeline)
        ]
        years: dict[str, str] = {}  # year -> the id of its first entry: the years strip
        for event, event_id in zip(page.timeline, event_ids, strict=True):
            years.setdefault(event.date[:4], event_id)
        terms = [{"id": term.id, **entries[number]} for number, term in enumerate(page.glossary)]

        noindex = self.site_map.is_noindex(page.path, language)
        alternates = [
            {"lang": code, "url": self.config.base_url + page_dir(code, page.path)}
            for code in ([] if noindex else self.site_map.indexed(page.path))
        ]
        x_default = "" if page.path == "" else page_dir(self.config.source_language, page.path)
        switcher = self._page_switcher(page.path, language, current)
        counts = translated.counts()
        return OutputFile(
            current + "index.html",
            self._render(
                language,
                f"{page.kind}.html" if (self.config.templates_dir / f"{page.kind}.html").exists() else "page.html",
                where,
                **{**self._common(language, current), "switcher": switcher},
                page=page,
                title=fields["title"],
                summary=fields["summary"],
                credit=fields.get("credit"),
                body=Markup(body),
                events=events,
                years=[
                    {"shown": self._partial_date(year, language), "anchor": anchor} for year, anchor in years.items()
                ],
                terms=terms,
                sources=sources,
                in_short=in_short,
                place_map=self._place_map(page.path, language, current) if page.kind in MAP_KINDS else None,
                canonical=self.config.base_url + current,
                noindex=noindex,
                alternates=alternates,
                x_default=self.config.base_url + x_default,
                status=_status(counts, translated, language == self.config.source_language, language),
                original_url=relative_url(current, page_dir(self.config.source_language, page.path)),
            ),
        )

    def _place_map(self, page_path: str, language: str, current: str) -> dict[str, Any] | None:
        """The locator map of a page, in ``language`` (None when there are no places)."""
        if self.borders is None:
            return None

        def target(path: str) -> str:
            return language if self.site_map.is_published(path, language) else self.config.source_language

        def page_title(path: str) -> str:
            return self.site_map.titles.get((path, target(path)), path)

        def section(path: str, anchor: str) -> str:
            date = _timeline_date(anchor)
            if date:
                return self._partial_date(date, language)
            heading = self.site_map.headings.get((path, target(path)), {}).get(anchor)
            return plain_text(heading) if heading else page_title(path)

        unused: list[tuple[str, str]] = []  # the mentions were checked once, when the site was planned
        labels = MapLabels(
            language,
            self.glossary,
            lambda href: self._site_link(href, page_path, language, current, unused),
            page_title,
            section,
            lambda path: None if target(path) == language else target(path),
        )
        return map_context(self.places, self.borders, labels)

    def _place_link(self, place: Place, language: str, current: str) -> dict[str, str]:
        """A place and the link to it in the list under the home page's map."""
        target = language if self.site_map.is_published("", language) else self.config.source_language
        return {
            "name": self.glossary.for_language(language).get(place.name, place.name),
            "url": relative_url(current, page_dir(target, "")) + f"#place-{place.id}",
        }

    def _page_switcher(self, page_path: str, language: str, current: str) -> list[dict[str, Any]]:
        """The language switcher of a content page: unpublished languages are shown as unavailable."""
        return [
            {
                "lang": code,
                "dir": self.config.language(code).direction,
                "name": language_name(code),
                "url": relative_url(current, page_dir(code, page_path))
                if self.site_map.is_published(page_path, code)
                else None,
                "current": code == language,
            }
            for code in self.config.language_codes
            if self.site_map.is_live(code) or code == language
        ]

    def render_compare(self, translated: TranslatedPage) -> OutputFile:
        """The original and the translation side by side, block by block, with the page's anchors."""
        language = translated.language
        source_language = self.config.source_language
        page = translated.page
        current = page_dir(language, page.path)
        segments = translated.segmented.segments
        broken: list[tuple[str, str]] = []
        footnotes = footnote_labels(translated.segmented)
        # One Markdown conversion per column: every segment becomes its own paragraph, marked
        # with its index, and the HTML is cut back into one piece per segment.
        columns = {}
        for side, code, texts in (
            ("source", source_language, [segment.text for segment in segments]),
            ("target", language, [rendition.text for rendition in translated.renditions]),
        ):
            attributes = {
                index: {
                    **({} if side == "source" else self._attribute_map(rendition, language, None)),
                    "data-seg": str(index),
                }
                for index, rendition in enumerate(translated.renditions)
            }
            state = RenderState(
                attributes,
                partial(self._site_link, page_path=page.path, language=code, current=current, broken=broken),
                isolate_latin=self.config.language(code).direction == "rtl",
            )
            if side == "source" and page.path in self._source_columns:
                # The French column is the same for every language: pages of a path sit at the
                # same depth, so even its relative links are the same.
                columns[side] = self._source_columns[page.path]
                continue
            converter, extension = self.markdown[code]
            document = "\n\n".join(mark(index, linked_notes(text)) for index, text in enumerate(texts))
            columns[side] = _split_segments(convert(converter, extension, document, state), len(texts))
            if side == "source" and not broken:
                self._source_columns[page.path] = columns[side]
        rows = []
        for index, segment in enumerate(segments):
            cells = {side: Markup(pieces[index]) for side, pieces in columns.items()}
            anchor = segment.anchor or (note_row(footnotes[index]) if index in footnotes else None)
            rendition = translated.renditions[index]
            rows.append(
                {
                    "role": segment.role,
                    "anchor": anchor,
                    "state": rendition.state.value,
                    "reviewer": Markup("<bdi>{}</bdi>").format(rendition.reviewer) if rendition.reviewer else None,
                    "reviewed_on": rendition.reviewed_on,
                    **cells,
                }
            )
        if broken:
            raise ContentError([self._link_problem(translated, link, reason) for link, reason in broken])
        fields = {
            s.role: r.text
            for s, r in zip(segments, translated.renditions, strict=True)
            if s.entry is None and s.source is None
        }
        return OutputFile(
            current + "compare.html",
            self._render(
                language,
                "compare.html",
                f"the side-by-side view of {page.source_file} in '{language}'",
                **{**self._common(language, current), "switcher": self._page_switcher(page.path, language, current)},
                page=page,
                title=fields["title"],
                title_attrs=Markup(
                    self._attributes(
                        next(r for s, r in zip(segments, translated.renditions, strict=True) if s.role == "title"),
                        language,
                        None,
                    )
                ),
                rows=rows,
                source_name=language_name(source_language),
                target_name=language_name(language),
                source_dir=self.config.language(source_language).direction,
                page_url="./",
                canonical=self.config.base_url + current + "compare.html",
            ),
        )

    def _partial_date(self, date: str, language: str) -> str:
        """A timeline date in the reader's language (and date style), as precise as it was written."""
        locale = babel_locale(self.config.language(language).cldr_locale)
        parts = [int(part) for part in date.split("-")]
        if len(parts) == 3:
            return str(format_date(datetime.date(*parts), "long", locale=locale))
        if len(parts) == 2:
            return str(format_skeleton("yMMMM", datetime.date(parts[0], parts[1], 1), locale=locale))
        return str(format_skeleton("y", datetime.date(parts[0], 1, 1), locale=locale))

    def _attribute_map(self, rendition: Rendition, language: str, anchor: str | None) -> dict[str, str]:
        attributes: dict[str, str] = {}
        if anchor:
            attributes["id"] = anchor
        if rendition.state is not State.SOURCE:
            attributes["data-state"] = rendition.state.value
        if rendition.is_fallback:
            # French shown in another language's page stays out of that language's search index.
            attributes["data-pagefind-ignore"] = "all"
            attributes["lang"] = self.config.source_language
            source_direction = self.config.language(self.config.source_language).direction
            if source_direction != self.config.language(language).direction:
                attributes["dir"] = source_direction
        return attributes

    def _attributes(self, rendition: Rendition, language: str, anchor: str | None) -> str:
        pairs = self._attribute_map(rendition, language, anchor)
        return "".join(f' {name}="{Markup.escape(value)}"' for name, value in pairs.items())

    def _site_link(self, href: str, page_path: str, language: str, current: str, broken: list[tuple[str, str]]) -> str:
        """A content link (``/path/#anchor`` or ``#anchor``) to the page in the reader's language.

        Links to a missing page or heading are added to ``broken``.
        """
        if href.startswith("#"):
            path, fragment = page_path, href
        else:
            path, fragment = split_site_link(href)
        if path not in self.site_map.published:
            what = "file" if PurePosixPath(path).suffix else "page"
            broken.append((href, f"link to {{link!r}}: there is no such {what}"))
            return href
        anchor = fragment[1:]
        if anchor and anchor not in self.site_map.anchors[path] and not FOOTNOTE_ID.match(anchor):
            broken.append((href, f"link to {{link!r}}: that page has no heading with id '{anchor}'"))
        target = language if self.site_map.is_published(path, language) else self.config.source_language
        if path == page_path and target == language:
            return fragment or relative_url(current, current)
        return relative_url(current, page_dir(target, path)) + fragment

    def _link_problem(self, translated: TranslatedPage, link: str, reason: str) -> Problem:
        """Locate a bad link: in the French source if it is there, else in the memory file."""
        for segment in translated.segmented.segments:
            if f"]({link})" in segment.text or f"]({link} " in segment.text:
                file = translated.page.data_file if segment.entry is not None else None
                return Problem(file or translated.page.source_file, segment.line, reason.format(link=link))
        page = translated.page
        number = reference_line(page.body, link)
        if number is not None:
            return Problem(page.source_file, page.body_line + number, reason.format(link=link))
        return Problem(translated.memory_file or page.source_file, 0, reason.format(link=link))

    def _id_problems(self, translated: TranslatedPage) -> list[Problem]:
        """Heading ids and glossary ids that the templates already give to an element of every page."""
        problems = []
        page = translated.page
        for segment in translated.segmented.segments:
            if segment.anchor in self.template_ids:
                problems.append(
                    Problem(
                        page.source_file,
                        segment.line,
                        f"heading id '#{segment.anchor}' is already used by the templates "
                        f"({self.template_ids[segment.anchor]}); give the heading another id with {{#...}}",
                    )
                )
        for term in page.glossary:
            if term.id in self.template_ids:
                problems.append(
                    Problem(
                        page.data_file or page.source_file,
                        term.line,
                        f"id '{term.id}' is already used by the templates ({self.template_ids[term.id]}); "
                        "choose another",
                    )
                )
        return problems

    # -- site-wide files -----------------------------------------------------------------

    def render_chooser(self) -> OutputFile:
        """The root page: a language chooser, also the x-default of the home page."""
        source = self.config.source_language
        languages = [
            {
                "lang": lang.code,
                "dir": lang.direction,
                "name": language_name(lang.code),
                "title": lang.title,
                "description": lang.description,
                "url": page_dir(lang.code, ""),
                "absolute": self.config.base_url + page_dir(lang.code, ""),
            }
            for lang in self.config.languages
            if self.site_map.is_published("", lang.code) and self.site_map.is_live(lang.code)
        ]
        return OutputFile(
            "index.html",
            self._render(
                source,
                "chooser.html",
                "the language chooser",
                **self._common(source, ""),
                languages=languages,
                canonical=self.config.base_url,
                alternates=[
                    {"lang": code, "url": self.config.base_url + page_dir(code, "")}
                    for code in self.site_map.indexed("")
                ],
            ),
        )

    def render_status(self, language: str, infos: Sequence[PageInfo]) -> OutputFile:
        """The translation dashboard: per language and page, the share of each state."""
        current = page_dir(language, STATUS_PATH)
        sections = []
        for target in self.config.target_languages:
            rows = []
            totals = dict.fromkeys(State, 0)
            for info in infos:
                if info.language != target.code:
                    continue
                counts = info.state_counts()
                total = sum(counts.values()) or 1
                for state, count in counts.items():
                    totals[state] += count
                path = info.path
                title = self.site_map.titles.get((path, language)) or info.page_title
                published = self.site_map.is_published(path, target.code)
                # Objects, not dicts: Jinja reads attributes first, and a dashboard has thousands of rows.
                rows.append(
                    SimpleNamespace(
                        title=title,
                        lang=self._fallback_language(path, language)
                        if (path, language) in self.site_map.titles
                        else self.config.source_language,
                        url=relative_url(current, page_dir(target.code, path)) if published else None,
                        published=published,
                        noindex=self.site_map.is_noindex(path, target.code),
                        shares=SimpleNamespace(
                            **{state.value: counts[state] / total for state in State if state is not State.SOURCE}
                        ),
                        total=total,
                    )
                )
            grand = sum(totals.values()) or 1
            sections.append(
                {
                    "lang": target.code,
                    "dir": target.direction,
                    "name": language_name(target.code),
                    "rows": rows,
                    "shares": {state.value: totals[state] / grand for state in State if state is not State.SOURCE},
                    "total": grand,
                    "live": self.site_map.is_live(target.code),
                    "threshold": target.language_threshold / 100,
                }
            )
        return OutputFile(
            current + "index.html",
            self._render(
                language,
                "status.html",
                "the translation dashboard",
                **self._common(language, current),
                sections=sections,
                canonical=self.config.base_url + current,
            ),
        )

    def render_search(self, language: str) -> OutputFile:
        """The search page of ``language``: Pagefind's interface over that language's index."""
        current = page_dir(language, SEARCH_PATH)
        return OutputFile(
            current + "index.html",
            self._render(
                language,
                "search.html",
                "the search page",
                **self._common(language, current),
                pagefind_url=relative_url(current, "pagefind/"),
                canonical=self.config.base_url + current,
            ),
        )

    def render_manifest(self) -> OutputFile:
        """The web app manifest, in the source language."""
        source = self.config.language(self.config.source_language)
        manifest = {
            "name": source.title,
            "short_name": source.title,
            "description": source.description,
            "lang": source.code,
            "dir": source.direction,
            "start_url": "./",
            "display": "browser",
            "icons": [{"src": self.assets["favicon.svg"].path, "sizes": "any", "type": "image/svg+xml"}],
        }
        return OutputFile("manifest.webmanifest", (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode())

    def render_not_found(self, language: str) -> OutputFile:
        """A 404 page in ``language``; links are absolute paths (it is served anywhere)."""
        base_path = self.config.base_path
        context = self._common(language, "404", link=lambda target: base_path + target)
        return OutputFile(f"{language}/404.html", self._render(language, "404.html", "the 404 page", **context))

    def render_feed(self, language: str, entries: list[dict[str, Any]], updated: datetime.date) -> OutputFile:
        """The Atom feed of ``language``."""
        return OutputFile(
            f"{language}/feed.xml",
            self._render(
                language,
                "feed.xml",
                "the Atom feed",
                **self._common(language, page_dir(language, "")),
                entries=entries,
                updated=updated,
                feed_url=self.config.base_url + f"{language}/feed.xml",
                home_absolute=self.config.base_url + page_dir(language, ""),
            ),
        )

    def render_sitemap(self, urls: list[dict[str, Any]]) -> OutputFile:
        source = self.config.source_language
        return OutputFile("sitemap.xml", self._render(source, "sitemap.xml", "the sitemap", urls=urls))

    def asset_file(self, name: str) -> OutputFile:
        asset = self.assets[name]
        return OutputFile(asset.path, asset.content)

    def font_file(self, language: str, path: str) -> OutputFile:
        """A web font of ``language`` (subset), or its stylesheet, by site path."""
        fonts = self.fonts[language]
        if path == fonts.stylesheet:
            return OutputFile(path, stylesheet(self.config, fonts))
        face = next(face for face in fonts.faces if face.path == path)
        return OutputFile(path, subset_font(self.config, face, fonts.characters))


_TEMPLATE_ID = re.compile(r"""\bid=["']([^"'{}]+)["']""")


def template_ids(templates_dir: Path, root: Path) -> dict[str, str]:
    """The ids written literally in the templates (``id="main"``) -> the template that has it."""
    found: dict[str, str] = {}
    for template in sorted(templates_dir.glob("*.html")):
        for match in _TEMPLATE_ID.finditer(template.read_text(encoding="utf-8")):
            found.setdefault(match.group(1), relative(template, root))
    return found


_SEGMENT_START = re.compile(r'<p\b[^>]*\bdata-seg="(\d+)"')


def _split_segments(html: str, count: int) -> list[str]:
    """Cut a column of paragraphs (each marked ``data-seg``) into one HTML piece per segment."""
    starts = [(int(match.group(1)), match.start()) for match in _SEGMENT_START.finditer(html)]
    if [index for index, _ in starts] != list(range(count)):
        raise TemplateError([Problem("(side by side)", 0, "segments were lost while rendering the side-by-side view")])
    ends = [start for _, start in starts[1:]] + [len(html)]
    return [
        re.sub(r' data-seg="\d+"', "", html[start:end].strip(), count=1)
        for (_, start), end in zip(starts, ends, strict=True)
    ]


def og_locale(code: str) -> str:
    """The Open Graph locale of a language, with its likely territory: ``fr`` -> ``fr_FR``."""
    locale = str(babel_locale(code))
    likely = get_global("likely_subtags").get(locale, locale)
    parts = likely.split("_")
    territory = next((part for part in parts[1:] if len(part) == 2 and part.isupper()), None)
    return f"{parts[0]}_{territory}" if territory else parts[0]


def language_name(code: str) -> str:
    """The name of a language in that language, from CLDR: ``ar`` -> ``العربية``."""
    locale = babel_locale(code)
    return str(locale.get_display_name(locale))


def _template_position(error: jinja2.UndefinedError, default: Path) -> tuple[Path, int]:
    """The template file and line an UndefinedError was raised at, from its traceback."""
    traceback = error.__traceback__
    position = (default, 0)
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml")):
            position = (Path(filename), traceback.tb_lineno)
        traceback = traceback.tb_next
    return position


def _status(counts: dict[State, int], translated: TranslatedPage, is_source: bool, language: str) -> dict[str, Any]:
    """What the translation notice says: the share of each state and the engines.

    Machine translations that went through a pivot language are counted apart
    (``via``), so the notice says which language they passed through.
    """
    total = sum(counts.values()) or 1
    # Distinct segments, as the counts are: a repeated sentence counts once.
    machine = {
        segment.text: rendition
        for segment, rendition in zip(translated.segmented.segments, translated.renditions, strict=True)
        if rendition.state is State.MACHINE
    }
    engines = sorted({r.engine for r in machine.values() if r.engine})
    routed: dict[tuple[str, ...], list[Rendition]] = {}
    for rendition in machine.values():
        routed.setdefault(pivots_of(rendition.engine or ""), []).append(rendition)
    direct = routed.pop((), [])
    names = babel_locale(language).languages
    via = [
        {
            "share": len(group) / total,
            "language": ", ".join(names.get(code, code) for code in pivots),
            "engines": sorted({r.engine for r in group if r.engine}),
        }
        for pivots, group in sorted(routed.items())
    ]
    return {
        "is_source": is_source,
        "total": total,
        "counts": {state.value: count for state, count in counts.items()},
        "shares": {state.value: count / total for state, count in counts.items()},
        "engines": engines,
        "fully_reviewed": counts[State.REVIEWED] == total,
        "direct_machine": {
            "share": len(direct) / total,
            "engines": sorted({r.engine for r in direct if r.engine}),
        },
        "via": via,
        "fully_translated": counts[State.TRANSLATED] == total,
        # Everything written by people (reviewed or not): no machine, outdated or French text.
        "by_people": counts[State.REVIEWED] + counts[State.TRANSLATED] == total,
    }
