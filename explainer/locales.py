"""Language codes as CLDR knows them: the one conversion of a code to a Babel locale, the text
direction and the Open Graph form of a language. ``config.Language`` carries these for every
configured language; the functions here are for codes being validated or found in content."""

from __future__ import annotations

import functools

import babel
from babel import Locale, UnknownLocaleError
from babel.core import get_global

# The locales CLDR writes right to left, as Babel 2.18.0's CLDR has them (``tests/test_locales.py``
# compares them with CLDR's ``character_order`` of every locale): reading a locale's CLDR data to
# learn its direction costs several milliseconds. With another Babel, CLDR is asked.
_RIGHT_TO_LEFT_BABEL = "2.18.0"
_RIGHT_TO_LEFT = frozenset(
    [
        "apc",
        "apc_SY",
        "ar",
        "ar_001",
        "ar_AE",
        "ar_BH",
        "ar_DJ",
        "ar_DZ",
        "ar_EG",
        "ar_EH",
        "ar_ER",
        "ar_IL",
        "ar_IQ",
        "ar_JO",
        "ar_KM",
        "ar_KW",
        "ar_LB",
        "ar_LY",
        "ar_MA",
        "ar_MR",
        "ar_OM",
        "ar_PS",
        "ar_QA",
        "ar_SA",
        "ar_SD",
        "ar_SO",
        "ar_SS",
        "ar_SY",
        "ar_TD",
        "ar_TN",
        "ar_YE",
        "az_Arab",
        "az_Arab_IQ",
        "az_Arab_IR",
        "az_Arab_TR",
        "bal",
        "bal_Arab",
        "bal_Arab_PK",
        "bgn",
        "bgn_AE",
        "bgn_AF",
        "bgn_IR",
        "bgn_OM",
        "bgn_PK",
        "bm_Nkoo",
        "bm_Nkoo_ML",
        "ckb",
        "ckb_IQ",
        "ckb_IR",
        "dv",
        "dv_MV",
        "fa",
        "fa_AF",
        "fa_IR",
        "ff_Adlm",
        "ff_Adlm_BF",
        "ff_Adlm_CM",
        "ff_Adlm_GH",
        "ff_Adlm_GM",
        "ff_Adlm_GN",
        "ff_Adlm_GW",
        "ff_Adlm_LR",
        "ff_Adlm_MR",
        "ff_Adlm_NE",
        "ff_Adlm_NG",
        "ff_Adlm_SL",
        "ff_Adlm_SN",
        "ha_Arab",
        "ha_Arab_NG",
        "ha_Arab_SD",
        "he",
        "he_IL",
        "kk_Arab",
        "kk_Arab_CN",
        "ks",
        "ks_Arab",
        "ks_Arab_IN",
        "lrc",
        "lrc_IQ",
        "lrc_IR",
        "ms_Arab",
        "ms_Arab_BN",
        "ms_Arab_MY",
        "mzn",
        "mzn_IR",
        "nqo",
        "nqo_GN",
        "pa_Arab",
        "pa_Arab_PK",
        "ps",
        "ps_AF",
        "ps_PK",
        "rhg",
        "rhg_Rohg",
        "rhg_Rohg_BD",
        "rhg_Rohg_MM",
        "sd",
        "sd_Arab",
        "sd_Arab_PK",
        "sdh",
        "sdh_IQ",
        "sdh_IR",
        "skr",
        "skr_PK",
        "syr",
        "syr_IQ",
        "syr_SY",
        "trw",
        "trw_PK",
        "ug",
        "ug_CN",
        "ur",
        "ur_IN",
        "ur_PK",
        "uz_Arab",
        "uz_Arab_AF",
        "yi",
        "yi_UA",
    ]
)


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
    return "rtl" if _right_to_left(locale) else "ltr"


def _right_to_left(locale: Locale) -> bool:
    if babel.__version__ == _RIGHT_TO_LEFT_BABEL:
        return str(locale) in _RIGHT_TO_LEFT  # a locale Babel parses is one of the locales CLDR has
    return bool(locale.character_order == "right-to-left")


def og_locale(locale: Locale) -> str:
    """The Open Graph locale of a language, with its likely territory: ``fr`` -> ``fr_FR``."""
    likely = get_global("likely_subtags").get(str(locale), str(locale))
    parts = likely.split("_")
    territory = next((part for part in parts[1:] if len(part) == 2 and part.isupper()), None)
    return f"{parts[0]}_{territory}" if territory else parts[0]
