"""Web fonts: a language's configured fonts, subset to the characters its pages show.

Planning (where each font and its stylesheet go in the site) hashes the font files and
the characters of the language's pages, interface (read from its UI catalog) and dates. Making the
files subsets each font with fontTools and saves it as WOFF2 (Brotli), both from the
``fonts`` extra, imported only then. The same input gives the same bytes: the
subsetter keeps the font's own timestamps.
"""

from __future__ import annotations

import datetime
import io
import string
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, format_percent

from ..config import Config
from ..errors import FontError, Problem, relative
from ..fsutil import digest, file_digest
from ..model import SiteMap
from ..translate.memory import read_catalog

# Bumped when the subsetting options change: the fonts' names change with it.
SUBSET_VERSION = "1"
# Name records kept: family and style names, version, and the copyright and licence (ids 0, 13
# and 14) that the SIL Open Font License asks each copy to carry.
_NAME_IDS = [0, 1, 2, 3, 4, 5, 6, 13, 14]


@dataclass(frozen=True)
class FontFace:
    """One font file of a language, published as a WOFF2 subset."""

    source: Path
    path: str  # site path: "assets/fonts/NotoNaskhArabic-Regular.3f2a9c1b0d.woff2"


@dataclass(frozen=True)
class LanguageFonts:
    """The web fonts of one language and the stylesheet that declares them."""

    language: str
    stylesheet: str  # site path: "assets/fonts/ar.1b2c3d4e5f.css"
    faces: tuple[FontFace, ...]
    characters: str  # what the subsets keep (where the fonts have it), sorted


def shown_characters(config: Config, language: str, site_map: SiteMap) -> str:
    """Every character pages in ``language`` may show: their text, the interface catalog,
    the site's title and description, language names, dates and numbers."""
    found = set(site_map.characters.get(language, ""))
    # The catalog's translations, read as the renderer reads them (a file that is not UTF-8 is
    # reported as path:line, not a traceback).
    catalog = read_catalog(config.ui_catalog(language), config.root, language)
    for message in catalog or ():
        found.update(str(message.string or "") + (str(message.id) if not message.string else ""))
    settings = config.language(language)
    found.update(settings.title + settings.description)
    locale = settings.format_locale  # dates and numbers, as the pages format them
    found.update("".join(other.autonym for other in config.languages))
    for month in range(1, 13):
        day = datetime.date(2000, month, 28)
        found.update(format_date(day, "long", locale=locale) + format_date(day, "medium", locale=locale))
        found.update(str(format_skeleton("yMMMM", day, locale=locale)))
    found.update(format_percent(0.5, locale=locale) + format_decimal(1234.5, locale=locale))
    found.update(string.digits + string.punctuation + " \u00a0")
    found.discard("\n")
    return "".join(sorted(found))


def plan_fonts(config: Config, site_map: SiteMap) -> dict[str, LanguageFonts]:
    """The web fonts of each language that has some: their site paths, named after their inputs."""
    planned = {}
    for language in config.languages:
        if not language.fonts:
            continue
        characters = shown_characters(config, language.code, site_map)
        faces = tuple(
            FontFace(
                source,
                f"assets/fonts/{source.stem}.{digest(SUBSET_VERSION, file_digest(source), characters)[:10]}.woff2",
            )
            for source in language.fonts
        )
        stylesheet = f"assets/fonts/{language.code}.{digest(*(face.path for face in faces))[:10]}.css"
        planned[language.code] = LanguageFonts(language.code, stylesheet, faces, characters)
    return planned


def _font_tools(config: Config) -> tuple[Any, Any]:
    try:
        import brotli  # noqa: F401  (fontTools writes WOFF2 with it)
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:
        raise FontError(
            [
                Problem(
                    "explainer.toml",
                    0,
                    "web fonts (fonts in [languages.<code>]) need fontTools and Brotli: pip install 'explainer[fonts]'",
                )
            ]
        ) from None
    return subset, TTFont


def _open(config: Config, source: Path) -> Any:
    _, ttfont = _font_tools(config)
    try:
        return ttfont(source, recalcTimestamp=False)
    except Exception as error:  # fontTools raises many kinds of error for a damaged file
        shown = relative(source, config.root)
        raise FontError([Problem(shown, 0, f"not a font fontTools can read: {error}")]) from None


def subset_font(config: Config, face: FontFace, characters: str) -> bytes:
    """The WOFF2 subset of ``face`` with the glyphs ``characters`` need (ligatures and
    contextual forms included: Arabic shaping keeps every OpenType feature)."""
    subset, _ = _font_tools(config)
    font = _open(config, face.source)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = _NAME_IDS
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _ranges(codepoints: list[int]) -> str:
    """``[32, 44, 48, 49, 50]`` -> ``"U+20,U+2C,U+30-32"``."""
    ranges: list[list[int]] = []
    for codepoint in codepoints:
        if ranges and codepoint == ranges[-1][1] + 1:
            ranges[-1][1] = codepoint
        else:
            ranges.append([codepoint, codepoint])
    return ",".join(f"U+{start:X}" if start == end else f"U+{start:X}-{end:X}" for start, end in ranges)


def stylesheet(config: Config, fonts: LanguageFonts) -> bytes:
    """The ``@font-face`` rules of ``fonts`` (``font-display: swap``; each face only for the
    characters its subset has), and the family first in the site's text font stack."""
    rules = []
    families: list[str] = []
    wanted = {ord(character) for character in fonts.characters}
    for face in fonts.faces:
        font = _open(config, face.source)
        family = font["name"].getBestFamilyName()
        weight = font["OS/2"].usWeightClass
        style = "italic" if font["OS/2"].fsSelection & 1 else "normal"
        codepoints = sorted(wanted & set(font.getBestCmap()))
        if family not in families:
            families.append(family)
        rules.append(
            "@font-face {\n"
            f'  font-family: "{family}";\n'
            f'  src: url("{PurePosixPath(face.path).name}") format("woff2");\n'
            f"  font-weight: {weight};\n"
            f"  font-style: {style};\n"
            "  font-display: swap;\n"
            f"  unicode-range: {_ranges(codepoints)};\n"
            "}\n"
        )
    stack = ", ".join(f'"{family}"' for family in families)
    rules.append(f":root {{ --font-text: {stack}, var(--font-system); }}\n")
    return "".join(rules).encode("utf-8")
