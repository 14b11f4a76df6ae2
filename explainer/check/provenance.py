"""Every visible string of a translated page accounted for.

On a page in a language other than the source language, each text node of the
``<body>`` must be one of:

(a) a segment of the translation memory with a state: inside an element that
    carries ``data-state``, or, where a template shows a segment's text as is
    (menu titles, dashboard rows), exactly the text of a segment in that
    language (not a missing one);
(b) interface text: made only of the language's UI strings (its catalog), the
    site's title and description in that language, the forms of the
    translation glossary's names and terms and CLDR's country names (the map),
    dates and numbers formatted by Babel (``<time>``), and characters that are
    not letters;
(c) text in another language inside an element carrying its ``lang``; where
    that language's direction differs from the page's, isolated by a
    ``<bdi>`` or a ``dir`` attribute between the text and that element;
(d) a person's name, as written in the record (a reviewer): inside a
    ``<bdi translate="no">``, isolated and never translated.

Anything else is reported as ``path: message`` naming the page and the text.
``check_provenance`` is pure; ``vocabularies`` reads the UI catalogs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from ..errors import Problem, relative
from ..locales import text_direction
from ..model import State
from . import Check, CheckedSite, Findings

if TYPE_CHECKING:
    from ..config import Config
    from ..model import TranslatedPage
    from ..translate.glossary import Glossary

_VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr")
)
_HIDDEN = frozenset(("script", "style", "template", "head"))
# Code blocks are kept as written, never translated (see segment.py): not prose in any language.
_VERBATIM = frozenset(("pre", "code"))
# A placeholder of a UI string, or markup inside one: the catalog text around them is what shows.
_UI_SPLIT = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]*>")
# The language of the templates' msgids: what an untranslated UI string shows.
UI_SOURCE_LANGUAGE = "en"
_LETTER = re.compile(r"[^\W\d_]")


def has_letters(text: str) -> bool:
    return bool(_LETTER.search(text))


@dataclass(frozen=True)
class Vocabulary:
    """What a page in one language may show outside marked elements."""

    ui_strings: tuple[str, ...]  # translated UI strings and the site's own texts in this language
    segment_texts: frozenset[str]  # plain texts of this language's segments that have a translation
    untranslated_ui: frozenset[str] = frozenset()  # UI strings with no translation: shown in English
    ui_catalog: str = ""  # where they are translated, for the message

    @property
    def ui_pattern(self) -> re.Pattern[str]:
        return _ui_pattern(self.ui_strings)


@lru_cache(maxsize=16)
def _ui_pattern(ui_strings: tuple[str, ...]) -> re.Pattern[str]:
    pieces: set[str] = set()
    for text in ui_strings:
        pieces.update(" ".join(part.split()) for part in _UI_SPLIT.split(text))
    words = sorted((piece for piece in pieces if has_letters(piece)), key=len, reverse=True)
    # Whole words only: a piece that starts or ends with a letter may not cut a word.
    alternatives = "|".join(
        ("(?<!\\w)" if word[0].isalnum() else "") + re.escape(word) + ("(?!\\w)" if word[-1].isalnum() else "")
        for word in words
    )
    return re.compile(alternatives or r"(?!)")


@dataclass
class _Element:
    tag: str
    lang: str | None
    isolated: bool  # a <bdi>, or a dir attribute
    segment: bool  # carries data-state
    time: bool  # or a code block, or a name (<bdi translate="no">)


class _TextScanner(HTMLParser):
    """Collects the text nodes of the body that no rule accounts for, with the reason."""

    def __init__(self, page_language: str, vocabulary: Vocabulary) -> None:
        super().__init__(convert_charrefs=True)
        self.page_direction = text_direction(page_language)
        self.vocabulary = vocabulary
        self.stack: list[_Element] = []
        self.hidden = 0
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        values = dict(attrs)
        if tag in _HIDDEN:
            self.hidden += 1
        self.stack.append(
            _Element(
                tag,
                values.get("lang") if tag != "html" else None,
                tag == "bdi" or ("dir" in values and tag != "html"),
                "data-state" in values,
                tag == "time" or tag in _VERBATIM or (tag == "bdi" and values.get("translate") == "no"),
            )
        )

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        for position in range(len(self.stack) - 1, -1, -1):
            if self.stack[position].tag == tag:
                self.hidden -= sum(element.tag in _HIDDEN for element in self.stack[position:])
                del self.stack[position:]
                return

    def handle_data(self, data: str) -> None:
        if self.hidden or not has_letters(data):
            return
        text = " ".join(data.split())
        if any(element.segment or element.time for element in self.stack):
            return  # (a) a segment with its state; (b) a date formatted by Babel; a code block
        for position in range(len(self.stack) - 1, -1, -1):
            lang = self.stack[position].lang
            if lang is None:
                continue
            # (c) marked with its language; isolated where its direction is not the page's
            if text_direction(lang) != self.page_direction and not any(
                element.isolated for element in self.stack[position:]
            ):
                self.found.append(
                    (text, f"text in '{lang}' is not isolated from the page's direction (use <bdi> or dir)")
                )
            return
        if text in self.vocabulary.segment_texts:
            return
        if has_letters(self.vocabulary.ui_pattern.sub(" ", text)):
            if text in self.vocabulary.untranslated_ui:
                self.found.append(
                    (
                        text,
                        f"an interface text with no translation (shown in English): translate it in "
                        f"{self.vocabulary.ui_catalog}",
                    )
                )
                return
            self.found.append((text, "text with no provenance (not a segment, a UI string, or marked with its lang)"))


def _scan(page_language: str, vocabulary: Vocabulary, html: str) -> list[tuple[str, str]]:
    """(text, reason) for every text node of ``html`` that is not accounted for."""
    scanner = _TextScanner(page_language, vocabulary)
    scanner.feed(html)
    scanner.close()
    return scanner.found


_HTML_LANG = re.compile(r'<html\b[^>]*\blang="([^"]+)"')


def check_provenance(
    files: Iterable[tuple[str, bytes]], source_language: str, vocabularies: Mapping[str, Vocabulary]
) -> list[Problem]:
    """A problem for each text node of a translated page that has no provenance.

    ``files`` are (site path, bytes); pages in ``source_language`` and files that
    are not HTML are skipped. ``vocabularies`` maps a language to what its pages
    may show outside marked elements.
    """
    problems: list[Problem] = []
    for path, content in files:
        if not path.endswith(".html"):
            continue
        text = content.decode("utf-8")
        match = _HTML_LANG.search(text)
        if match is None or match.group(1) == source_language or match.group(1) not in vocabularies:
            continue
        for shown, reason in _scan(match.group(1), vocabularies[match.group(1)], text):
            excerpt = shown if len(shown) <= 80 else shown[:77] + "..."
            problems.append(Problem(path, 0, f"{reason}: {excerpt!r}"))
    return problems


def vocabularies(
    config: Config, translated: tuple[TranslatedPage, ...], glossary: Glossary | None = None
) -> dict[str, Vocabulary]:
    """Per target language, what its pages may show outside marked elements (see ``provenance``):
    its UI strings, the site's own texts, the forms of the translation glossary's names and terms
    (the map's place names) and CLDR's country names (the map's countries)."""
    from ..render.pages import PLAIN_ROLES
    from ..translate.memory import read_catalog
    from ..translate.segment import plain_text

    vocabularies: dict[str, Vocabulary] = {}
    for language in config.target_languages:
        catalog = read_catalog(config.ui_catalog(language.code), config.root, language.code)
        ui_strings = [language.title, language.description]
        untranslated: set[str] = set()
        if catalog is not None:
            for message in catalog:
                if not message.id:
                    continue
                has_translation = bool(message.string) and not message.fuzzy
                # Untranslated, a UI string shows its msgid, which is English: provenance only on an English page.
                if has_translation or language.code.split("-")[0] == UI_SOURCE_LANGUAGE:
                    ui_strings.append(str(message.string if has_translation else message.id))
                elif isinstance(message.id, str):
                    untranslated.add(" ".join(message.id.split()))
        ui_strings.append(language.autonym)  # names its own column in the side-by-side view
        if glossary is not None:
            ui_strings += sorted(set(glossary.for_language(language.code).values()))
        ui_strings += sorted(set(language.format_locale.territories.values()))
        # The engines named in the notices, as the memory records them
        ui_strings += sorted(
            {
                rendition.engine
                for page in translated
                if page.language == language.code
                for rendition in page.renditions
                if rendition.engine
            }
        )
        segment_texts = frozenset(
            # Headings are shown as plain text where a template names a section (the map's list).
            rendition.text if segment.role in PLAIN_ROLES else plain_text(rendition.text)
            for page in translated
            if page.language == language.code
            for segment, rendition in zip(page.segmented.segments, page.renditions, strict=True)
            if segment.role in (*PLAIN_ROLES, "heading") and rendition.state not in (State.MISSING, State.SOURCE)
        )
        vocabularies[language.code] = Vocabulary(
            tuple(ui_strings),
            segment_texts,
            frozenset(untranslated),
            relative(config.ui_catalog(language.code), config.root),
        )
    return vocabularies


def _provenance(site: CheckedSite) -> Findings:
    found = check_provenance(
        ((file.path, file.content) for file in site.files),
        site.config.source_language,
        vocabularies(site.config, site.translated, site.glossary),
    )
    # A language not yet open to readers (a preview) is work in progress: its gaps are warnings.
    return Findings(
        errors=tuple(problem for problem in found if problem.path.split("/")[0] in site.live),
        warnings=tuple(problem for problem in found if problem.path.split("/")[0] not in site.live),
    )


CHECK = Check(
    "provenance",
    "every visible string of a translated page: a segment with its state, an interface text, "
    "or text marked with its language",
    _provenance,
)
