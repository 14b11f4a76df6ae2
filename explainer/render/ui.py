"""The interface's words: UI catalogs compiled in memory, language names and Open Graph locales.

``ui_translations`` reads the language's PO file; the rest is pure.
"""

from __future__ import annotations

import functools
import io
import re
import string

from babel.messages.catalog import Message
from babel.messages.mofile import write_mo
from babel.support import NullTranslations, Translations

from ..config import Config
from ..errors import Problem, TranslationMemoryError, relative
from ..translate.memory import parse_catalog

_NAMED = re.compile(r"%\((\w+)\)")


def ui_translations(config: Config, language: str) -> NullTranslations | None:
    """The UI catalog of ``language``, compiled in memory from its PO file; None when there is no
    catalog. Raises ``TranslationMemoryError`` for translations whose placeholders do not fit."""
    path = config.ui_catalog(language)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return None
    return _compiled(content, relative(path, config.root), language)


# A preview builds again on every save: a catalog whose bytes did not change is not parsed again.
@functools.lru_cache(maxsize=64)
def _compiled(content: bytes, shown: str, language: str) -> Translations:
    catalog = parse_catalog(content, shown, language)
    problems = [
        Problem(shown, message.lineno or 0, reason) for message in catalog if (reason := placeholder_problem(message))
    ]
    if problems:
        raise TranslationMemoryError(problems)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def missing_catalog(config: Config, language: str) -> Problem:
    """The warning for a language with no UI catalog."""
    shown = relative(config.ui_catalog(language), config.root)
    return Problem(shown, 0, "no UI catalog for this language: interface text stays in English")


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
