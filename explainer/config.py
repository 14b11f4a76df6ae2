"""The site configuration: one frozen object, read and validated once.

The configuration lives in ``explainer.toml`` at the project root. Adding a
language is a change to that file, not to the code: text direction and
language names come from Babel's CLDR data.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from .errors import ConfigError, Problem
from .load.fields import Field, check_mapping
from .load.toml import TOML, parse_toml, toml_entries, toml_key_line, toml_line, toml_table_line
from .locales import babel_locale as babel_locale  # for render/ and the memory, which convert codes themselves
from .locales import og_locale, text_direction
from .translate.mt import engine_settings, engines
from .write.generations import output_path

CONFIG_NAME = "explainer.toml"

_SITE_FIELDS = {
    "base_url": Field(str, required=True),
    "source_language": Field(str, required=True),
    "languages": Field(list, required=True),
    "content_dir": Field(str),
    "templates_dir": Field(str),
    "i18n_dir": Field(str),
    "output_dir": Field(str),
    "search": Field(bool),
}
_LANGUAGE_FIELDS = {
    "title": Field(str, required=True),
    "description": Field(str, required=True),
    "engine": Field(str),
    "publish_threshold": Field((int, float)),
    "language_threshold": Field((int, float)),
    "noindex_machine": Field(bool),
    "preview": Field(bool),
    "locale": Field(str),
    "fonts": Field(list),
}
# [translation] holds these and the settings the engines declare (translate/mt).
_TRANSLATION_FIELDS = {"engine": Field(str), "timeout": Field((int, float))}
_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
DEFAULT_THRESHOLD = 50.0  # percent: half of a page (or of a language's site) translated


@dataclass(frozen=True)
class Language:
    """One language the site is published in.

    Its Babel locales and direction come from ``code`` (and ``locale``) when it is made, its names when
    first asked for (CLDR data, unread when nothing changed); all are left out of ``repr`` (cache keys) and pickles.
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

    def __post_init__(self) -> None:
        """Raises ``babel.UnknownLocaleError`` or ``ValueError`` for a code CLDR does not know."""
        object.__setattr__(self, "babel_locale", babel_locale(self.code))
        object.__setattr__(self, "format_locale", babel_locale(self.cldr_locale))
        object.__setattr__(self, "direction", text_direction(self.code))

    @functools.cached_property
    def autonym(self) -> str:  # its name in itself: "العربية" (the chooser)
        return str(self.babel_locale.get_display_name(self.babel_locale))

    @functools.cached_property
    def og_locale(self) -> str:  # Open Graph's form: "fr_FR"
        return og_locale(self.babel_locale)

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
    timeout: float  # seconds one machine-translation batch may take
    search: bool = False  # build a per-language search index with Pagefind
    # Every engine's settings from [translation], by name in name order, defaults filled in (translate/mt).
    engine_settings: dict[str, Any] = field(default_factory=dict, hash=False)

    # The argos engine's settings that the commands and the translate stage name:
    @property
    def models_dir(self) -> Path:  # where the models are installed
        return Path(self.engine_settings["models_dir"])

    @property
    def threads(self) -> int:  # 0: one per core
        return int(self.engine_settings["threads"])

    @property
    def pivot(self) -> str:  # the language a pair with no direct model goes through
        return str(self.engine_settings["pivot"])

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


def _problem(line: int, message: str) -> Problem:
    return Problem(CONFIG_NAME, line, message)


def _read_toml(root: Path) -> tuple[str, dict[str, Any]]:
    """The text of ``explainer.toml`` in ``root`` and its parsed tables; raises ``ConfigError``."""
    try:
        text = (root / CONFIG_NAME).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([_problem(0, f"no {CONFIG_NAME} in {root}; is this an explainer project?")]) from None
    return text, parse_toml(text, CONFIG_NAME)


def _check_table(text: str, name: str, table: dict[str, Any], fields: dict[str, Field]) -> tuple[Problem, ...]:
    """What is wrong with the keys of ``[name]``, with the schema engine's TOML dialect."""
    entries = toml_entries(text, name, table)
    return check_mapping(entries, toml_table_line(text, name), fields, CONFIG_NAME, f" in [{name}]", TOML).problems


def _translation_fields() -> dict[str, Field]:
    """The keys [translation] allows: its own, and every engine's settings."""
    kinds: dict[type, type | tuple[type, ...]] = {Path: str, float: (int, float)}
    settings = {name: Field(kinds.get(setting.kind, setting.kind)) for name, setting in engine_settings().items()}
    return _TRANSLATION_FIELDS | settings


def _table_problems(text: str, data: dict[str, Any]) -> list[Problem]:
    """Unknown tables, and the keys of [site] and [translation]; raises ``ConfigError`` if [site] is no table."""
    problems = [
        _problem(
            toml_line(text, rf"^[ \t]*\[?{re.escape(key)}\b"),
            f"unknown table '{key}'; allowed: [site], [translation], [languages.<code>]",
        )
        for key in sorted(data)
        if key not in ("site", "languages", "translation")
    ]
    site = data.get("site", {})
    if not isinstance(site, dict):
        raise ConfigError([_problem(0, "[site] must be a table")])
    problems += _check_table(text, "site", site, _SITE_FIELDS)
    problems += _check_table(text, "translation", data.get("translation", {}), _translation_fields())
    return problems


def _base_url_problems(text: str, site: dict[str, Any]) -> list[Problem]:
    if re.match(r"^https?://[^/\s]+(/\S*)?$", site["base_url"]):
        return []
    line = toml_key_line(text, "site", "base_url")
    return [_problem(line, f"base_url '{site['base_url']}' must be an absolute http(s) URL")]


def _unlisted_problems(text: str, site: dict[str, Any], tables: dict[str, Any]) -> list[Problem]:
    """Problems of the language tables that are not listed, and of source_language."""
    codes, source = site["languages"], site["source_language"]
    problems = [
        _problem(
            toml_line(text, rf"^[ \t]*\[languages\.{re.escape(code)}\]"),
            f"[languages.{code}] is configured but '{code}' is not in [site] languages",
        )
        for code in sorted(tables)
        if code not in codes
    ]
    if source not in codes:
        problems.append(
            _problem(
                toml_key_line(text, "site", "source_language"),
                f"source_language '{source}' must be one of the languages {codes}",
            )
        )
    return problems


def _unknown_engine(engine: str) -> str:
    return f"unknown engine '{engine}'; use one of: {', '.join(engines())}"


def _setting_problems(text: str, translation: dict[str, Any]) -> list[Problem]:
    """An unknown default engine, and what the engines' own checks find wrong in their settings
    (types are checked already)."""
    problems = []
    if translation.get("engine", "none") not in engines():
        problems.append(_problem(toml_key_line(text, "translation", "engine"), _unknown_engine(translation["engine"])))
    for name, setting in engine_settings().items():
        message = setting.check(translation[name]) if setting.check and name in translation else None
        if message:
            problems.append(_problem(toml_key_line(text, "translation", name), message))
    return problems


def _engine_settings(root: Path, translation: dict[str, Any]) -> dict[str, Any]:
    """Every engine's settings: the configured value or the default; paths resolved from ``root``."""
    values = {}
    for name, setting in sorted(engine_settings().items()):
        value = translation.get(name, setting.default)
        values[name] = (root / str(value)).resolve() if setting.kind is Path else setting.kind(value)
    return values


def _languages_problems(root: Path, text: str, codes: list[Any], tables: dict[str, Any]) -> list[Problem]:
    """Problems of each code of [site] languages (malformed, unknown to CLDR, twice, without a table),
    else of its table."""
    problems = []
    line = toml_key_line(text, "site", "languages")
    seen: set[str] = set()
    for code in codes:
        message = _code_problem(code, seen, tables)
        if message:
            problems.append(_problem(line, message))
            continue
        seen.add(code)
        problems += _language_problems(root, text, code, tables[code])
    return problems


def _code_problem(code: Any, seen: set[str], tables: dict[str, Any]) -> str | None:
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return f"'{code}' is not a language code like 'en' or 'pt-BR'"
    try:
        babel_locale(code)
    except (UnknownLocaleError, ValueError):
        return f"unknown language code '{code}' (not in CLDR)"
    if code in seen:
        return f"language '{code}' is listed twice"
    if not isinstance(tables.get(code), dict):
        return f"language '{code}' has no [languages.{code}] table with a title and a description"
    return None


def _language_problems(root: Path, text: str, code: str, table: dict[str, Any]) -> list[Problem]:
    """What is wrong in ``[languages.<code>]``: its keys, engine, thresholds, locale and fonts."""
    name = f"languages.{code}"
    problems = list(_check_table(text, name, table, _LANGUAGE_FIELDS))
    engine = table.get("engine")
    if isinstance(engine, str) and engine not in engines():
        problems.append(_problem(toml_key_line(text, name, "engine"), _unknown_engine(engine)))
    for key in ("publish_threshold", "language_threshold"):
        threshold = table.get(key, DEFAULT_THRESHOLD)
        if isinstance(threshold, (int, float)) and not 0 <= threshold <= 100:
            problems.append(_problem(toml_key_line(text, name, key), f"{key} is a percentage, from 0 to 100"))
    locale = table.get("locale", "")
    if isinstance(locale, str) and locale and not _locale_of(locale, code):
        problems.append(
            _problem(
                toml_key_line(text, name, "locale"),
                f"locale '{locale}' is not a CLDR locale of '{code}' (like '{code}_GB')",
            )
        )
    fonts = table.get("fonts", [])
    return problems + (
        _font_problems(root, toml_key_line(text, name, "fonts"), code, fonts) if isinstance(fonts, list) else []
    )


def _locale_of(locale: str, code: str) -> bool:
    """Whether ``locale`` is a CLDR locale of the language ``code``."""
    try:
        return babel_locale(locale).language == babel_locale(code).language
    except (UnknownLocaleError, ValueError):
        return False


def _font_problems(root: Path, line: int, code: str, fonts: list[Any]) -> list[Problem]:
    """``[languages.<code>] fonts`` are project-relative paths of existing .ttf or .otf files."""
    problems = []
    for font in fonts:
        if not isinstance(font, str) or not font.lower().endswith((".ttf", ".otf")):
            problems.append(_problem(line, f"fonts of [languages.{code}]: {font!r} is not a .ttf or .otf file"))
        elif not (root / font).is_file():
            message = f"fonts of [languages.{code}]: no such file '{font}' (paths are from the project root)"
            problems.append(_problem(line, message))
    return problems


def _language(root: Path, code: str, table: dict[str, Any], engine: str) -> Language:
    """The language of a valid ``[languages.<code>]`` table."""
    locale = table.get("locale", "")
    return Language(
        code,
        table["title"],
        table["description"],
        engine=engine,
        publish_threshold=float(table.get("publish_threshold", DEFAULT_THRESHOLD)),
        language_threshold=float(table.get("language_threshold", DEFAULT_THRESHOLD)),
        preview=bool(table.get("preview", False)),
        noindex_machine=bool(table.get("noindex_machine", True)),
        locale=locale.replace("-", "_"),
        fonts=tuple((root / font).resolve() for font in table.get("fonts", [])),
    )


def load_config(root: Path) -> Config:
    """Read and validate ``explainer.toml`` in ``root``.

    Returns the frozen configuration. Raises ``ConfigError`` listing every
    problem found, each with its line.
    """
    text, data = _read_toml(root)
    problems = _table_problems(text, data)
    if problems:
        raise ConfigError(problems)
    site, translation = data["site"], data.get("translation", {})
    tables, codes, source = data.get("languages", {}), site["languages"], site["source_language"]
    default_engine = translation.get("engine", "none")
    problems = _base_url_problems(text, site) + _setting_problems(text, translation)
    problems += _languages_problems(root, text, codes, tables)
    problems += _unlisted_problems(text, site, tables)
    if problems:
        raise ConfigError(problems)
    languages = [
        _language(root, code, tables[code], tables[code].get("engine", default_engine) if code != source else "none")
        for code in codes
    ]
    # The source language comes first; the others keep their configured order.
    languages.sort(key=lambda language: language.code != source)

    def directory(key: str, default: str) -> Path:
        return (root / str(site.get(key, default))).resolve()

    return Config(
        root=root.resolve(),
        base_url=site["base_url"] + ("" if site["base_url"].endswith("/") else "/"),
        source_language=source,
        languages=tuple(languages),
        content_dir=directory("content_dir", "content"),
        templates_dir=directory("templates_dir", "templates"),
        i18n_dir=directory("i18n_dir", "i18n"),
        output_dir=output_path(root / str(site.get("output_dir", "site"))),
        timeout=float(translation.get("timeout", 600)),
        search=bool(site.get("search", False)),
        engine_settings=_engine_settings(root, translation),
    )
