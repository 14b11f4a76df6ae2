"""Adding a language to a project, and how far along each language is.

``add_language`` edits ``explainer.toml`` (the language joins ``[site] languages``
with a ``[languages.<code>]`` table marked ``preview = true``: built for the
team, kept out of search engines, linked from nowhere until it is translated
enough) and creates its interface catalog from ``i18n/messages.pot``, as
``pybabel init`` does. Its translation memory files are created by the next
build; its glossary forms are those of French until a translator sets them
(one warning lists the terms). Reads and writes disk.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from babel import UnknownLocaleError
from babel.messages.pofile import read_po, write_po

from .config import CONFIG_NAME, Config, Language, load_config
from .errors import ConfigError, ExplainerError, Problem
from .fsutil import write_files
from .translate.memory import header_date

# BCP 47 as explainer.toml takes it: a language, then optional script and region ("pt-BR", "zh-Hant").
_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|\d{3}))?$")
_SITE_LANGUAGES = re.compile(r"(?ms)^(\[site\][^\[]*?^languages\s*=\s*\[)([^\]]*)(\])")


@dataclass(frozen=True)
class LanguageProgress:
    """One configured language, as ``languages list`` shows it."""

    code: str
    name: str
    direction: str
    translated: float  # percent of the site's segments in any state but missing
    threshold: float  # the language threshold: live from this share on
    status: str  # "source", "live", "preview" or "not published"


def add_language(root: Path, code: str) -> list[str]:
    """Add ``code`` to the project in ``root``; return what was done and what to do next.

    Raises ``ConfigError`` for a code CLDR does not know, one written in another form than
    BCP 47's (``pt_BR``), or a language the project already has; nothing is written then.
    """
    config = load_config(root)
    config_path = root / CONFIG_NAME
    source = config.language(config.source_language)
    language = _new_language(config, code, source)
    text = _with_language(config_path.read_text(encoding="utf-8"), language)
    catalog_path = config.ui_catalog(code)
    catalog = _new_catalog(config, language) if not catalog_path.exists() else None
    _write_all_or_nothing(root, config_path, text, catalog_path, catalog)
    done = [f"{CONFIG_NAME}: added {code} ({language.autonym}) to [site] languages, as a preview (not published)"]
    if catalog is not None:
        done.append(f"{catalog_path.relative_to(root).as_posix()}: created from i18n/messages.pot (interface strings)")
    done += [
        f"next: translate title and description in [languages.{code}] of {CONFIG_NAME}",
        "next: python build.py build  (creates the translation memory files, i18n/"
        f"{code}/content/*.po; with a model installed, fills them by machine translation)",
        f"next: python build.py languages list  (progress); python build.py serve --language {code}  (preview)",
    ]
    return done


def _new_language(config: Config, code: str, source: Language) -> Language:
    """The language ``code`` as it is added: the source language's title and description, a preview.

    Raises ``ConfigError`` for a code that is not BCP 47 as explainer.toml writes it, that CLDR does
    not know, or that the site already has.
    """
    if not _CODE.match(code):
        raise ConfigError(
            [
                Problem(
                    CONFIG_NAME,
                    0,
                    f"'{code}' is not a language code as explainer.toml writes them: "
                    "a language, then an optional script and region, such as pt, pt-BR or zh-Hant",
                )
            ]
        )
    try:
        language = Language(code, source.title, source.description, preview=True)
    except (UnknownLocaleError, ValueError):
        raise ConfigError([Problem(CONFIG_NAME, 0, f"'{code}' is not a language CLDR knows")]) from None
    if code in config.language_codes:
        raise ConfigError([Problem(CONFIG_NAME, 0, f"'{code}' is already one of the site's languages")])
    return language


def _with_language(text: str, language: Language) -> str:
    """``text`` of explainer.toml with ``language`` in ``[site] languages`` and its own table, a preview."""
    match = _SITE_LANGUAGES.search(text)
    if match is None:
        raise ConfigError([Problem(CONFIG_NAME, 0, "[site] has no 'languages = [...]' line to add the language to")])
    code = language.code
    listed = match.group(2).rstrip()
    separator = ", " if listed.strip() else ""
    text = text[: match.start(2)] + f'{listed}{separator}"{code}"' + text[match.end(2) :]
    return text.rstrip("\n") + (
        f"\n\n[languages.{code}]\n"
        f"# Added by `python build.py languages add {code}` ({language.autonym}). Until its translation\n"
        "# is ready it is a preview: built, kept out of search engines, linked from nowhere.\n"
        "# Translate the title and description, then see docs/languages.md to publish it.\n"
        f"title = {_toml_string(language.title)}\n"
        f"description = {_toml_string(language.description)}\n"
        "preview = true\n"
    )


def _write_all_or_nothing(root: Path, config_path: Path, text: str, catalog_path: Path, catalog: bytes | None) -> None:
    """Write the edited explainer.toml (and the new catalog, unless None); on any failure restore
    the original file. Raises the configuration's own error if the edit made it invalid, and
    ``ConfigError`` naming a file that cannot be written."""
    original = config_path.read_bytes()
    try:
        write_files({config_path: text.encode("utf-8")})
        try:
            load_config(root)  # the edited file must still be a valid configuration
        except ExplainerError:
            write_files({config_path: original})
            raise
        if catalog is not None:
            try:
                write_files({catalog_path: catalog})
            except OSError:
                write_files({config_path: original})  # all or nothing
                raise
    except OSError as error:
        shown = Path(error.filename or config_path).resolve()
        where = shown.relative_to(root).as_posix() if shown.is_relative_to(root) else str(shown)
        raise ConfigError(
            [Problem(where, 0, f"cannot write this file ({error.strerror}); nothing was added")]
        ) from None


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _new_catalog(config: Config, language: Language) -> bytes:
    """The interface catalog of ``language``, made from the template as ``pybabel init`` makes it."""
    template_path = config.i18n_dir / "messages.pot"
    if not template_path.exists():
        raise ConfigError([Problem("i18n/messages.pot", 0, "missing: run `make extract-ui` to make it")])
    with template_path.open("rb") as template:
        catalog = read_po(template, locale=language.babel_locale)
    catalog.locale = language.babel_locale
    catalog.revision_date = header_date()
    catalog.fuzzy = False
    output = io.BytesIO()
    write_po(output, catalog, width=0)
    return output.getvalue()


def language_progress(config: Config) -> list[LanguageProgress]:
    """Every configured language with its translated share and whether it is open to readers."""
    from .build import status as translated
    from .model import State, page_info
    from .render.site import live_languages, translated_share

    infos = [page_info(page) for page in translated(config)]  # the one build, stopped after translation
    live = live_languages(config, infos)
    progress = []
    for language in config.languages:
        totals = dict.fromkeys(State, 0)
        for info in infos:
            if info.language == language.code:
                for state, count in info.state_counts().items():
                    totals[state] += count
        if language.code == config.source_language:
            status = "source"
        elif language.code in live:
            status = "live"
        elif language.preview:
            status = "preview"
        else:
            status = "not published"
        share = 100.0 if status == "source" else translated_share(totals)
        progress.append(
            LanguageProgress(
                language.code,
                language.autonym,
                language.direction,
                share,
                language.language_threshold,
                status,
            )
        )
    return progress
