"""Language codes as CLDR knows them: the one conversion of a code to a Babel locale, the text
direction and the Open Graph form of a language. ``config.Language`` carries these for every
configured language; the functions here are for codes being validated or found in content."""

from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError
from babel.core import get_global


@functools.lru_cache(maxsize=64)
def babel_locale(code: str) -> Locale:
    """The Babel locale of a language code as written in explainer.toml (``pt-BR``, ``zh-Hant``).

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


def og_locale(locale: Locale) -> str:
    """The Open Graph locale of a language, with its likely territory: ``fr`` -> ``fr_FR``."""
    likely = get_global("likely_subtags").get(str(locale), str(locale))
    parts = likely.split("_")
    territory = next((part for part in parts[1:] if len(part) == 2 and part.isupper()), None)
    return f"{parts[0]}_{territory}" if territory else parts[0]
