"""The site configuration: one frozen object, read and validated once.

The configuration lives in ``explainer.toml`` at the project root. Adding a
language is a change to that file, not to the code: text direction and
language names come from Babel's CLDR data.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from .errors import ConfigError, Problem

CONFIG_NAME = "explainer.toml"

_SITE_KEYS: dict[str, type | tuple[type, ...]] = {
    "base_url": str,
    "source_language": str,
    "languages": list,
    "content_dir": str,
    "templates_dir": str,
    "i18n_dir": str,
    "output_dir": str,
    "search": bool,
}
_SITE_REQUIRED = ("base_url", "source_language", "languages")
_LANGUAGE_KEYS: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "description": str,
    "engine": str,
    "publish_threshold": (int, float),
    "language_threshold": (int, float),
    "noindex_machine": bool,
    "preview": bool,
    "locale": str,
    "fonts": list,
}
_TRANSLATION_KEYS: dict[str, type | tuple[type, ...]] = {
    "engine": str,
    "models_dir": str,
    "threads": int,
    "timeout": (int, float),
    "pivot": str,
}
ENGINES = ("argos", "apertium", "none")
DEFAULT_THRESHOLD = 50.0  # percent: half of a page (or of a language's site) translated


@functools.lru_cache(maxsize=64)
def babel_locale(code: str) -> Locale:
    """The Babel locale of a language code as written in explainer.toml (``pt-BR``, ``zh-Hant``).

    The one conversion of a code to a locale: a configured language carries its own
    (``Language.babel_locale``); this is for codes being validated or found in content.
    Raises ``babel.UnknownLocaleError`` or ``ValueError`` for a code CLDR does not know.
    """
    return Locale.parse(code.replace("-", "_"))


@functools.lru_cache(maxsize=64)
def text_direction(code: str) -> str:
    """``rtl`` or ``ltr`` for a language tag, from CLDR; a tag CLDR does not know is read as its
    language alone (``ar-XY`` as ``ar``), and is ``ltr`` if CLDR does not know that either."""
    try:
        locale = babel_locale(code)
    except (UnknownLocaleError, ValueError):
        try:
            locale = babel_locale(code.split("-")[0])
        except (UnknownLocaleError, ValueError):
            return "ltr"
    return "rtl" if locale.character_order == "right-to-left" else "ltr"


def _og_locale(locale: Locale) -> str:
    """The Open Graph locale of a language, with its likely territory: ``fr`` -> ``fr_FR``."""
    likely = get_global("likely_subtags").get(str(locale), str(locale))
    parts = likely.split("_")
    territory = next((part for part in parts[1:] if len(part) == 2 and part.isupper()), None)
    return f"{parts[0]}_{territory}" if territory else parts[0]


@dataclass(frozen=True)
class Language:
    """One language the site is published in.

    Its Babel locales, direction and names are computed from ``code`` (and ``locale``) once, when
    the language is made; they are left out of ``repr`` (used in cache keys) and of pickles, as
    they follow from the fields that are in them.
    """

    code: str
    title: str
    description: str
    direction: str = field(init=False)  # "ltr" or "rtl", from CLDR
    engine: str = "none"  # machine translation engine for this language
    # Percent of a page that must be translated (any state but missing) for the page to be published.
    publish_threshold: float = DEFAULT_THRESHOLD
    # Percent of the whole site that must be translated for the language to go live: listed in the
    # chooser and the switchers, in hreflang and the sitemap. Until then it is not published at all...
    language_threshold: float = DEFAULT_THRESHOLD
    preview: bool = False  # ...unless previewed: built, kept out of search engines, linked from nowhere
    noindex_machine: bool = True  # keep pages that are mostly unreviewed machine output out of search engines
    # The CLDR locale of dates and numbers, when it is not the language's own: "en_GB" writes
    # "19 September 2025" where "en" writes "September 19, 2025". One style per language, everywhere.
    locale: str = ""

    @property
    def cldr_locale(self) -> str:
        return self.locale or self.code.replace("-", "_")

    fonts: tuple[Path, ...] = ()  # web fonts (TrueType/OpenType) served on this language's pages, subset
    # The language's own Babel locale: its catalogs' plural forms, its name, the names it gives other languages.
    babel_locale: Locale = field(init=False, repr=False, compare=False)
    # The Babel locale of its dates, numbers and country names (``locale`` where one is configured).
    format_locale: Locale = field(init=False, repr=False, compare=False)
    autonym: str = field(init=False, repr=False, compare=False)  # its name in itself: "العربية" (the chooser)
    og_locale: str = field(init=False, repr=False, compare=False)  # Open Graph's form: "fr_FR"

    def __post_init__(self) -> None:
        """Raises ``babel.UnknownLocaleError`` or ``ValueError`` for a code CLDR does not know."""
        own = babel_locale(self.code)
        object.__setattr__(self, "babel_locale", own)
        object.__setattr__(self, "format_locale", babel_locale(self.cldr_locale))
        object.__setattr__(self, "direction", text_direction(self.code))
        object.__setattr__(self, "autonym", str(own.get_display_name(own)))
        object.__setattr__(self, "og_locale", _og_locale(own))

    def __getstate__(self) -> dict[str, object]:
        # A loaded Babel locale pickles to hundreds of kilobytes: send the fields, derive the rest again.
        return {item.name: getattr(self, item.name) for item in fields(self) if item.init}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self.__post_init__()


@dataclass(frozen=True)
class Config:
    """Validated settings for one project."""

    root: Path
    base_url: str
    source_language: str
    languages: tuple[Language, ...]
    content_dir: Path
    templates_dir: Path
    i18n_dir: Path
    output_dir: Path
    models_dir: Path
    threads: int  # engine threads; 0 means one per core
    timeout: float  # seconds one machine-translation batch may take
    search: bool = False  # build a per-language search index with Pagefind
    pivot: str = "en"  # the language the argos engine goes through where it has no direct model

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.languages)

    @property
    def target_languages(self) -> tuple[Language, ...]:
        """Every language but the source language."""
        return tuple(lang for lang in self.languages if lang.code != self.source_language)

    def language(self, code: str) -> Language:
        for language in self.languages:
            if language.code == code:
                return language
        raise KeyError(code)

    def ui_catalog(self, code: str) -> Path:
        """The PO file of the interface strings of language ``code``."""
        return self.i18n_dir / code / "LC_MESSAGES" / "messages.po"

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always ending with ``/``."""
        match = re.match(r"^https?://[^/]+(/.*)?$", self.base_url)
        assert match is not None  # checked in load_config
        return match.group(1) or "/"


def _line_of(text: str, pattern: str) -> int:
    """Return the 1-based line where ``pattern`` (a regex) first matches, or 0."""
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def _key_line(text: str, table: str, key: str) -> int:
    """Best-effort line of ``key`` inside ``[table]``, for error messages."""
    start = _line_of(text, rf"^[ \t]*\[{re.escape(table)}\]")
    lines = text.splitlines()
    for number in range(max(start, 1), len(lines) + 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[number - 1]):
            return number
        if number > start and start and re.match(r"\s*\[", lines[number - 1]):
            break
    return start


def _check_table(
    text: str,
    name: str,
    table: dict[str, Any],
    schema: Mapping[str, type | tuple[type, ...]],
    required: tuple[str, ...],
    problems: list[Problem],
) -> None:
    for key in sorted(table):
        if key not in schema:
            allowed = ", ".join(sorted(schema))
            problems.append(
                Problem(
                    CONFIG_NAME, _key_line(text, name, key), f"unknown key '{key}' in [{name}]; allowed keys: {allowed}"
                )
            )
        elif not isinstance(table[key], schema[key]) or (schema[key] is not bool and isinstance(table[key], bool)):
            expected = schema[key]
            kind = "number" if isinstance(expected, tuple) else expected.__name__
            problems.append(Problem(CONFIG_NAME, _key_line(text, name, key), f"'{key}' in [{name}] must be a {kind}"))
    for key in required:
        if key not in table:
            problems.append(
                Problem(CONFIG_NAME, _line_of(text, rf"^[ \t]*\[{re.escape(name)}\]"), f"[{name}] is missing '{key}'")
            )


def _font_paths(root: Path, text: str, code: str, fonts: object, problems: list[Problem]) -> tuple[Path, ...]:
    """The font files of ``[languages.<code>] fonts``: project-relative paths of existing .ttf or .otf files."""
    line = _key_line(text, f"languages.{code}", "fonts")
    if not isinstance(fonts, list):
        return ()  # reported by _check_table
    paths = []
    for font in fonts:
        if not isinstance(font, str) or not font.lower().endswith((".ttf", ".otf")):
            problems.append(
                Problem(CONFIG_NAME, line, f"fonts of [languages.{code}]: {font!r} is not a .ttf or .otf file")
            )
        elif not (root / font).is_file():
            problems.append(
                Problem(
                    CONFIG_NAME,
                    line,
                    f"fonts of [languages.{code}]: no such file '{font}' (paths are from the project root)",
                )
            )
        else:
            paths.append((root / font).resolve())
    return tuple(paths)


def load_config(root: Path) -> Config:
    """Read and validate ``explainer.toml`` in ``root``.

    Returns the frozen configuration. Raises ``ConfigError`` listing every
    problem found, each with its line.
    """
    path = root / CONFIG_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [Problem(CONFIG_NAME, 0, f"no {CONFIG_NAME} in {root}; is this an explainer project?")]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line_match = re.search(r"line (\d+)", str(error))
        line = int(line_match.group(1)) if line_match else 0
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise ConfigError([Problem(CONFIG_NAME, line, f"invalid TOML: {message}")]) from None

    problems: list[Problem] = []
    for key in sorted(data):
        if key not in ("site", "languages", "translation"):
            problems.append(
                Problem(
                    CONFIG_NAME,
                    _line_of(text, rf"^[ \t]*\[?{re.escape(key)}\b"),
                    f"unknown table '{key}'; allowed: [site], [translation], [languages.<code>]",
                )
            )
    site = data.get("site", {})
    if not isinstance(site, dict):
        raise ConfigError([Problem(CONFIG_NAME, 0, "[site] must be a table")])
    _check_table(text, "site", site, _SITE_KEYS, _SITE_REQUIRED, problems)
    translation = data.get("translation", {})
    _check_table(text, "translation", translation, _TRANSLATION_KEYS, (), problems)
    default_engine = translation.get("engine", "none")
    language_tables = data.get("languages", {})
    if problems:
        raise ConfigError(problems)

    base_url = site["base_url"]
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", base_url):
        problems.append(
            Problem(
                CONFIG_NAME,
                _key_line(text, "site", "base_url"),
                f"base_url '{base_url}' must be an absolute http(s) URL",
            )
        )
    elif not base_url.endswith("/"):
        base_url += "/"

    pivot = translation.get("pivot", "en")
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", pivot):
        problems.append(
            Problem(
                CONFIG_NAME,
                _key_line(text, "translation", "pivot"),
                f"pivot '{pivot}' is not a language code like 'en'",
            )
        )

    codes: list[str] = site["languages"]
    source = site["source_language"]
    languages: list[Language] = []
    seen: set[str] = set()
    for code in codes:
        line = _key_line(text, "site", "languages")
        if not isinstance(code, str) or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", code):
            problems.append(Problem(CONFIG_NAME, line, f"'{code}' is not a language code like 'en' or 'pt-BR'"))
            continue
        try:
            babel_locale(code)
        except (UnknownLocaleError, ValueError):
            problems.append(Problem(CONFIG_NAME, line, f"unknown language code '{code}' (not in CLDR)"))
            continue
        if code in seen:
            problems.append(Problem(CONFIG_NAME, line, f"language '{code}' is listed twice"))
            continue
        seen.add(code)
        table = language_tables.get(code)
        if not isinstance(table, dict):
            problems.append(
                Problem(
                    CONFIG_NAME,
                    line,
                    f"language '{code}' has no [languages.{code}] table with a title and a description",
                )
            )
            continue
        _check_table(text, f"languages.{code}", table, _LANGUAGE_KEYS, ("title", "description"), problems)
        engine = table.get("engine", default_engine)
        if engine not in ENGINES:
            problems.append(
                Problem(
                    CONFIG_NAME,
                    _key_line(text, f"languages.{code}", "engine") or _key_line(text, "translation", "engine"),
                    f"unknown engine '{engine}'; use one of: {', '.join(ENGINES)}",
                )
            )
        thresholds = {key: table.get(key, DEFAULT_THRESHOLD) for key in ("publish_threshold", "language_threshold")}
        for key, threshold in thresholds.items():
            if isinstance(threshold, (int, float)) and not 0 <= threshold <= 100:
                problems.append(
                    Problem(
                        CONFIG_NAME,
                        _key_line(text, f"languages.{code}", key),
                        f"{key} is a percentage, from 0 to 100",
                    )
                )
        locale = table.get("locale", "")
        if isinstance(locale, str) and locale:
            try:
                parsed = Locale.parse(locale.replace("-", "_"))
            except (UnknownLocaleError, ValueError):
                parsed = None
            if parsed is None or parsed.language != Locale.parse(code.replace("-", "_")).language:
                problems.append(
                    Problem(
                        CONFIG_NAME,
                        _key_line(text, f"languages.{code}", "locale"),
                        f"locale '{locale}' is not a CLDR locale of '{code}' (like '{code}_GB')",
                    )
                )
        fonts = _font_paths(root, text, code, table.get("fonts", []), problems)
        if "title" in table and "description" in table:
            languages.append(
                Language(
                    code,
                    table["title"],
                    table["description"],
                    engine=engine if code != source else "none",
                    publish_threshold=float(thresholds["publish_threshold"]),
                    language_threshold=float(thresholds["language_threshold"]),
                    preview=bool(table.get("preview", False)),
                    noindex_machine=bool(table.get("noindex_machine", True)),
                    locale=str(locale).replace("-", "_") if isinstance(locale, str) else "",
                    fonts=fonts,
                )
            )
    for code in sorted(language_tables):
        if code not in codes:
            problems.append(
                Problem(
                    CONFIG_NAME,
                    _line_of(text, rf"^[ \t]*\[languages\.{re.escape(code)}\]"),
                    f"[languages.{code}] is configured but '{code}' is not in [site] languages",
                )
            )
    if source not in codes:
        problems.append(
            Problem(
                CONFIG_NAME,
                _key_line(text, "site", "source_language"),
                f"source_language '{source}' must be one of the languages {codes}",
            )
        )
    if problems:
        raise ConfigError(problems)

    def directory(key: str, default: str) -> Path:
        return (root / str(site.get(key, default))).resolve()

    # The source language comes first; the others keep their configured order.
    languages.sort(key=lambda language: language.code != source)
    return Config(
        root=root.resolve(),
        base_url=base_url,
        source_language=source,
        languages=tuple(languages),
        content_dir=directory("content_dir", "content"),
        templates_dir=directory("templates_dir", "templates"),
        i18n_dir=directory("i18n_dir", "i18n"),
        output_dir=directory("output_dir", "site"),
        models_dir=(root / str(translation.get("models_dir", ".cache/argos-packages"))).resolve(),
        threads=int(translation.get("threads", 0)),
        timeout=float(translation.get("timeout", 600)),
        search=bool(site.get("search", False)),
        pivot=pivot,
    )
