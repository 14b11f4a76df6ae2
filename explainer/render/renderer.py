"""The renderer: Jinja2 + Python-Markdown + Babel, pages in, HTML and XML bytes out.

The UI catalogs, the static assets, the templates' ids and the map's borders are read when the
``Renderer`` is made; after that, only Jinja reads a template (once, the first time it is used)
and a web font is read when it is subset; converted Markdown comes from and goes to the segment
cache (``segcache``) when the build gives the renderer one. What each output holds is in
``pages`` (content pages), ``compare`` (side-by-side views) and ``lists`` (site-wide files);
this module holds what they share: the context every template gets, the language switcher,
segment attributes, dates and Markdown conversions.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

import babel
import jinja2
import markdown
from babel.dates import format_date, format_skeleton
from babel.support import NullTranslations
from markupsafe import Markup

from ..cache import generator_digest, template_files
from ..config import Config
from ..errors import ContentError, Problem, TemplateError, relative
from ..grammar import INLINE_TRIGGERS
from ..grammar.markdown import without_unused_patterns
from ..layout import PLACES_FILE
from ..model import (
    SEARCH_PATH,
    STATUS_PATH,
    OutputFile,
    Place,
    Rendition,
    SegmentedPage,
    SiteMap,
    State,
    TranslatedPage,
)
from ..translate.glossary import Glossary
from ..urls import page_dir, relative_url
from . import compare, pages
from .assets import load_assets
from .fonts import plan_fonts, stylesheet, subset_font
from .markdown import RenderState, SegmentExtension, convert, make_markdown
from .placemap import BORDERS_FILE, Borders, outside, parse_borders
from .segcache import (
    CONVERSIONS_OF_A_PAGE,
    PARTS_OF_A_PAGE,
    KeptKeys,
    SegmentCache,
    conversion_key,
    decode_keys,
    encode_keys,
    page_key,
)
from .templates import MemoryBytecodeCache, TemplateInputs, make_environment, render_template, template_ids
from .ui import missing_catalog, ui_translations


def _borders(config: Config, places: tuple[Place, ...]) -> Borders | None:
    """The map's borders (None: no places, no map). Raises ``TemplateError`` when the borders
    file is missing, ``ContentError`` for places outside the map."""
    if not places:
        return None
    borders_path = config.templates_dir / BORDERS_FILE
    shown = relative(borders_path, config.root)
    if not borders_path.is_file():
        raise TemplateError([Problem(shown, 0, "missing: the map's borders (make it with scripts/make_map.py)")])
    borders = parse_borders(borders_path.read_text(encoding="utf-8"), shown)
    problems = outside(places, relative(config.content_dir / PLACES_FILE, config.root), borders)
    if problems:
        raise ContentError(problems)
    return borders


# Each template is compiled once for every language's environment, and for every build of the
# process (the preview's), until its text changes: Jinja checks each compiled template against
# a checksum of its source. Compiled templates are code: they are never kept on disk, where a
# crafted cache file would be run.
COMPILED_TEMPLATES = MemoryBytecodeCache()


class Renderer:
    """Renders every kind of output file for one project.

    ``warnings`` holds what was found while reading the UI catalogs (a language with none).
    """

    def __init__(
        self,
        config: Config,
        site_map: SiteMap,
        places: tuple[Place, ...] = (),
        glossary: Glossary | None = None,
        segment_cache: SegmentCache | None = None,
        templates: tuple[str, str] | None = None,
    ) -> None:
        """``places``: the places of the locator map (none: no map), labelled with ``glossary``'s
        name forms; ``segment_cache``: converted Markdown kept across builds (none: every
        conversion is made); ``templates``: ``cache.template_files`` of the templates folder as the
        build read it when it began (none: read now)."""
        self.config = config
        # Hashed before the assets and the map's pieces are read (``TemplateInputs``).
        self._template_files = templates if templates is not None else template_files(config.templates_dir)
        self.segment_cache = segment_cache
        self.site_map = site_map
        self.places = places
        self.glossary = glossary or Glossary()
        self.borders = _borders(config, places)
        bytecode_cache = COMPILED_TEMPLATES
        self.assets = load_assets(config.templates_dir / "static")
        self.template_ids = template_ids(config.templates_dir, config.root)
        self.fonts = plan_fonts(config, site_map)
        self.environments: dict[str, jinja2.Environment] = {}
        # A language's Markdown converters: one for each set of the characters some inline patterns
        # need (``grammar.INLINE_TRIGGERS``) that its texts hold, without the patterns they cannot use.
        self.markdown: dict[tuple[str, frozenset[str]], tuple[markdown.Markdown, SegmentExtension]] = {}
        self.markdown_setup: dict[str, tuple[str, ...]] = {}  # what a language's Markdown set-up depends on
        # Page path -> the French column of its side-by-side view (the same in every language).
        self.source_columns: dict[str, list[str]] = {}
        self._template_inputs: TemplateInputs | None = None
        # Each page's digest in each language (``PageInfo.digest``: all of the translated page),
        # given by a build: the keys of a page's conversions are kept by it (``kept_conversions``).
        self.page_digests: Mapping[tuple[str, str], str] = {}
        warnings: list[Problem] = []
        for language in config.languages:
            translations = ui_translations(config, language.code)
            if translations is None:
                warnings.append(missing_catalog(config, language.code))
                translations = NullTranslations()
            self.environments[language.code] = make_environment(config, language.code, translations, bytecode_cache)
            backlink_title = translations.gettext("Back to reference {}")
            self.markdown_setup[language.code] = (backlink_title,)
        # What a page's conversions' texts and attributes are made from in each language, besides
        # the page: the code, the Markdown set-up, which language is the source, and the directions.
        source = config.language(config.source_language)
        self._conversions_made_with = {
            language.code: repr(
                (
                    generator_digest(),
                    self.markdown_setup[language.code],
                    source.code,
                    language.direction,
                    source.direction,
                )
            )
            for language in config.languages
        }
        # What a page's parts are made from besides the page and its conversions (``pages.PageParts``):
        # the notice names languages from Babel's data, in the language's locale.
        self._parts_made_with = {
            language.code: repr(
                (self._conversions_made_with[language.code], babel.__version__, str(language.babel_locale))
            )
            for language in config.languages
        }
        self.warnings: tuple[Problem, ...] = tuple(warnings)

    # -- the outputs ---------------------------------------------------------------------

    def render_translated(self, translated: TranslatedPage, view: bool = True) -> tuple[OutputFile, ...]:
        """A page in one language and, in a translation with ``view``, its side-by-side view (the
        original and the translation, block by block, with the page's anchors): each segment's
        Markdown converted once for both."""
        converted = pages.convert_page(self, translated)
        page = pages.render_page(self, translated, converted)
        if translated.language == self.config.source_language or not view:
            return (page,)
        return page, compare.render_compare(self, translated, converted.side)

    def render_kept(self, unit: tuple[str, str], segmented: SegmentedPage) -> OutputFile | None:
        """Page ``unit`` (its path, its language), rendered from the parts kept for it in its
        language as it is now (``pages.PageParts``), without its translations; None when none are
        kept, or they cannot tell (``pages.render_kept``): the page is then rendered whole."""
        path, language = unit
        key = self._parts_key(path, language)
        if key is None or self.segment_cache is None:
            return None
        found = self.segment_cache.kept(key, pages.PageParts.decode)
        return pages.render_kept(self, segmented, language, found) if found is not None else None

    def keep_parts(self, path: str, language: str, parts: pages.PageParts) -> None:
        """Keep the parts of page ``path`` in ``language`` for the builds after (``render_kept``)."""
        key = self._parts_key(path, language)
        if key is not None and self.segment_cache is not None:
            self.segment_cache.keep(key, parts.encode())

    def _parts_key(self, path: str, language: str) -> str | None:
        digest = self.page_digests.get((path, language))
        return page_key(PARTS_OF_A_PAGE, digest, self._parts_made_with[language]) if digest is not None else None

    def templates(self) -> TemplateInputs:
        """What the templates render from, each template read and parsed once for this renderer."""
        if self._template_inputs is None:
            environment = self.environments[self.config.source_language]
            self._template_inputs = TemplateInputs(environment, self._template_files)
        return self._template_inputs

    def template_inputs(self, *names: str) -> str:
        """The hash of what templates ``names`` render from in the templates folder (``TemplateInputs.digest``)."""
        return self.templates().digest(*names)

    def convert(self, language: str, text: str, state: RenderState) -> str:
        """``text`` converted by ``language``'s Markdown; ``state`` receives what was found."""
        return self.convert_keyed(language, text, state)[0]

    def convert_keyed(self, language: str, text: str, state: RenderState) -> tuple[str, str | None]:
        """``convert``, and the conversion's key in the segment cache (None without one)."""
        converter, extension = self._markdown(language, text)
        if self.segment_cache is None:
            return convert(converter, extension, text, state), None
        key = conversion_key(self.markdown_setup[language], text, state)
        return self.segment_cache.convert(key, state, lambda given: convert(converter, extension, text, given)), key

    def _markdown(self, language: str, text: str) -> tuple[markdown.Markdown, SegmentExtension]:
        """``language``'s converter for ``text``: without the inline patterns it cannot use (exact:
        ``grammar.markdown.without_unused_patterns``), made once for each set of their characters."""
        key = (language, INLINE_TRIGGERS.intersection(text))
        found = self.markdown.get(key)
        if found is None:
            converter, extension = make_markdown(self.markdown_setup[language][0])
            found = self.markdown[key] = (without_unused_patterns(converter, key[1]), extension)
        return found

    def kept_conversions(self, translated: TranslatedPage) -> KeptKeys | None:
        """Where the keys of the conversions of ``translated`` are kept, and those keys if they are
        (None: no segment cache, or a page the build has no digest of)."""
        language = translated.language
        digest = self.page_digests.get((translated.page.path, language))
        if self.segment_cache is None or digest is None:
            return None
        key = page_key(CONVERSIONS_OF_A_PAGE, digest, self._conversions_made_with[language])
        return KeptKeys(key, self.segment_cache.kept(key, decode_keys) or ())

    def keep_conversions(self, key: str, keys: list[str | None]) -> None:
        """Keep the keys of a page's conversions under ``key`` (``kept_conversions``)."""
        if self.segment_cache is not None and all(keys):
            self.segment_cache.keep(key, encode_keys([made for made in keys if made]))

    def replay(self, key: str, state: RenderState) -> str | None:
        """The HTML of the conversion of ``key`` if the segment cache has it and its site links
        resolve as they did (``state`` then receives what it found), else None."""
        return self.segment_cache.replay(key, state) if self.segment_cache is not None else None

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

    # -- shared by the outputs -----------------------------------------------------------

    def render(self, language: str, template: str, where: str, **context: Any) -> bytes:
        """``template`` in ``language``. Raises ``TemplateError`` (``where``: what was being rendered)."""
        return render_template(self.environments[language], self.config, template, where, context).encode("utf-8")

    def render_text(self, language: str, template: str, where: str, **context: Any) -> str:
        """``render``, as text."""
        return render_template(self.environments[language], self.config, template, where, context)

    def common(
        self,
        language: str,
        current_dir: str,
        link: Callable[[str], str] | None = None,
        page_path: str | None = None,
    ) -> dict[str, Any]:
        """Context every template gets. ``link`` maps a site-relative target to a URL; ``page_path``:
        the content page shown, whose switcher leads to the same page in each language."""
        to = link or (lambda target: relative_url(current_dir, target))
        lang = self.config.language(language)
        site_map = self.site_map
        return {
            "switcher": self._switcher(language, current_dir, to, page_path),
            "preview": language in site_map.previewed,
            "lang": language,
            "dir": lang.direction,
            "site": lang,
            "source_language": self.config.source_language,
            "source_direction": self.config.language(self.config.source_language).direction,
            "asset": lambda name: to(self.assets[name].path),
            # Web fonts are linked only from the pages of their language.
            "fonts_css": to(self.fonts[language].stylesheet) if language in self.fonts else None,
            # A language whose home page is not published links to the source language's.
            "home_url": to(
                page_dir(language if site_map.is_published("", language) else self.config.source_language, "")
            ),
            "root_url": to(""),
            "status_url": to(page_dir(language, STATUS_PATH)),
            "search_url": to(page_dir(language, SEARCH_PATH)) if self.config.search else None,
            "manifest_url": to("manifest.webmanifest"),
            "base_url": self.config.base_url,
            "nav": [
                {
                    "url": to(page_dir(language, path)),
                    "title": site_map.titles[(path, language)],
                    "current": page_dir(language, path) == current_dir,
                    "lang": self.fallback_language(path, language),
                }
                for path in site_map.menu
                if site_map.is_published(path, language)
            ],
        }

    def _switcher(
        self, language: str, current_dir: str, link: Callable[[str], str], page_path: str | None
    ) -> list[dict[str, Any]]:
        """The language switcher: the languages open to readers (and the reader's own).

        A content page's leads to that page in each language, and shows the languages it is not
        published in as unavailable (no URL). Generated pages (dashboard, search) exist in every
        language: the switcher leads to the same page in each."""
        inner = current_dir.removeprefix(f"{language}/") if current_dir.startswith(f"{language}/") else None

        def url(code: str) -> str | None:
            if page_path is not None:
                published = self.site_map.is_published(page_path, code)
                return relative_url(current_dir, page_dir(code, page_path)) if published else None
            return link(f"{code}/{inner}" if inner is not None else page_dir(code, ""))

        return [
            {
                "lang": code,
                "dir": self.config.language(code).direction,
                "name": self.config.language(code).autonym,
                "url": url(code),
                "current": code == language,
            }
            for code in self.config.language_codes
            if self.site_map.is_live(code) or code == language
        ]

    def fallback_language(self, path: str, language: str) -> str | None:
        """The source language where a page's title in ``language`` is the source's text, else None."""
        source = self.config.source_language
        titles = self.site_map.titles
        return source if language != source and titles.get((path, language)) == titles.get((path, source)) else None

    def partial_date(self, date: str, language: str) -> str:
        """A timeline date in the reader's language (and date style), as precise as it was written."""
        locale = self.config.language(language).format_locale
        parts = [int(part) for part in date.split("-")]
        if len(parts) == 3:
            return str(format_date(datetime.date(*parts), "long", locale=locale))
        if len(parts) == 2:
            return str(format_skeleton("yMMMM", datetime.date(parts[0], parts[1], 1), locale=locale))
        return str(format_skeleton("y", datetime.date(parts[0], 1, 1), locale=locale))

    def attribute_map(self, rendition: Rendition, language: str, anchor: str | None) -> dict[str, str]:
        """The HTML attributes of a segment's element: its id, its state, and where it is French
        fallback text, its language (and direction)."""
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

    def attributes(self, rendition: Rendition, language: str, anchor: str | None) -> Markup:
        """``attribute_map`` written out: `` id="x" data-state="machine"``."""
        pairs = self.attribute_map(rendition, language, anchor)
        return Markup("".join(f' {name}="{Markup.escape(value)}"' for name, value in pairs.items()))
