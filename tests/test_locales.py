"""Language codes as CLDR knows them: the text direction of every locale is CLDR's own, whether
it is found in the generator's table (without loading the locale's data) or asked of CLDR."""

from __future__ import annotations

import babel
import pytest
from babel import Locale, localedata

from explainer import locales


def test_the_table_of_right_to_left_locales_is_cldrs() -> None:
    if babel.__version__ != locales._RIGHT_TO_LEFT_BABEL:
        pytest.skip(f"the table is of Babel {locales._RIGHT_TO_LEFT_BABEL}'s CLDR; this is Babel {babel.__version__}")
    right_to_left = {
        name for name in localedata.locale_identifiers() if Locale.parse(name).character_order == "right-to-left"
    }
    assert right_to_left == locales._RIGHT_TO_LEFT


CODES = ["fr", "en", "ar", "es", "he", "fa", "ur", "pt-BR", "zh-Hant", "sd", "sd-Deva", "ks-Deva", "pa-Arab", "uz-Arab"]
CODES += ["az-Arab-IR", "ff-Adlm", "ar-XY", "he-ZZ", "xx", "qq-Arab", "ar_EG"]


@pytest.mark.parametrize("code", CODES)
def test_the_direction_of_a_code_is_the_same_from_the_table_and_from_cldr(
    code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_table = locales.text_direction.__wrapped__(code)
    monkeypatch.setattr(locales, "_RIGHT_TO_LEFT_BABEL", "another version")  # CLDR is asked
    assert locales.text_direction.__wrapped__(code) == from_table
