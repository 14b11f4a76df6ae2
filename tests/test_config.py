from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from explainer.config import load_config
from explainer.errors import ConfigError
from explainer.locales import text_direction

VALID = """[site]
base_url = "https://example.org/sub"
source_language = "fr"
languages = ["fr", "ar"]

[languages.fr]
title = "Titre"
description = "Description"

[languages.ar]
title = "عنوان"
description = "وصف"
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "explainer.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_valid_config(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, VALID))
    assert config.base_url == "https://example.org/sub/"
    assert config.base_path == "/sub/"
    assert config.language_codes == ("fr", "ar")
    assert config.language("ar").direction == "rtl"
    assert config.language("fr").direction == "ltr"
    assert [lang.code for lang in config.target_languages] == ["ar"]
    assert config.content_dir == (tmp_path / "content").resolve()
    assert config.pivot == "en"  # machine translation goes through English where no direct model exists
    # Publishing defaults: half a page, half the site; no preview; the language's own date style.
    arabic = config.language("ar")
    assert (arabic.publish_threshold, arabic.language_threshold, arabic.preview) == (50.0, 50.0, False)
    assert arabic.cldr_locale == "ar"


def test_adding_a_language_is_configuration_only(tmp_path: Path) -> None:
    text = VALID.replace('["fr", "ar"]', '["fr", "ar", "pt-BR"]')
    text += '\n[languages.pt-BR]\ntitle = "T"\ndescription = "D"\n'
    assert load_config(_write(tmp_path, text)).language("pt-BR").direction == "ltr"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('base_url = "https://example.org/sub"', 'base_url = "example.org"'),
            "explainer.toml:2: base_url 'example.org' must be an absolute http(s) URL",
        ),
        (
            ('source_language = "fr"', 'source_language = "de"'),
            "explainer.toml:3: source_language 'de' must be one of the languages ['fr', 'ar']",
        ),
        (
            ('[languages.ar]\ntitle = "عنوان"\n', "[languages.ar]\n"),
            "explainer.toml:10: [languages.ar] is missing 'title'",
        ),
        (
            ('languages = ["fr", "ar"]', 'languages = ["fr", "ar", "ar"]'),
            "explainer.toml:4: language 'ar' is listed twice",
        ),
        (("[site]", "[site\n"), "explainer.toml:1: invalid TOML: Expected ']' at the end of a table declaration"),
        (
            ('description = "وصف"', 'description = "وصف"\nlocale = "en_GB"'),
            "explainer.toml:13: locale 'en_GB' is not a CLDR locale of 'ar' (like 'ar_GB')",
        ),
        (
            ('description = "وصف"', 'description = "وصف"\nlanguage_threshold = 120'),
            "explainer.toml:13: language_threshold is a percentage, from 0 to 100",
        ),
        (
            ('description = "وصف"\n', 'description = "وصف"\nfonts = ["fonts/Naskh.ttf"]\n'),
            "explainer.toml:13: fonts of [languages.ar]: no such file 'fonts/Naskh.ttf' "
            "(paths are from the project root)",
        ),
        (
            ('description = "وصف"\n', 'description = "وصف"\nfonts = ["Naskh.woff2"]\n'),
            "explainer.toml:13: fonts of [languages.ar]: 'Naskh.woff2' is not a .ttf or .otf file",
        ),
        (
            ("[languages.fr]", '[languages.de]\ntitle = "x"\ndescription = "y"\n[languages.fr]'),
            "explainer.toml:6: [languages.de] is configured but 'de' is not in [site] languages",
        ),
        (
            ('description = "وصف"', 'description = "وصف"\nengine = "deepl"'),
            "explainer.toml:13: unknown engine 'deepl'; use one of: apertium, argos, none",
        ),
        (
            ("[languages.fr]", '[translation]\nthreads = 2\nengine = "deepl"\n\n[languages.fr]'),
            "explainer.toml:8: unknown engine 'deepl'; use one of: apertium, argos, none",
        ),
        (
            ("[languages.fr]", '[translation]\npivot = "English"\n\n[languages.fr]'),
            "explainer.toml:7: pivot 'English' is not a language code like 'en'",
        ),
    ],
)
def test_invalid_config(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, VALID.replace(*change)))
    assert str(caught.value) == message


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no explainer\.toml in"):
        load_config(tmp_path)


def test_a_language_carries_its_locales_direction_and_names(tmp_path: Path) -> None:
    text = VALID.replace('["fr", "ar"]', '["fr", "ar", "en", "pt-BR"]')
    text += '\n[languages.en]\ntitle = "T"\ndescription = "D"\nlocale = "en_GB"\n'
    text += '\n[languages.pt-BR]\ntitle = "T"\ndescription = "D"\n'
    config = load_config(_write(tmp_path, text))
    arabic, english, brazilian = config.language("ar"), config.language("en"), config.language("pt-BR")
    assert (arabic.autonym, arabic.og_locale, arabic.direction) == ("العربية", "ar_EG", "rtl")
    assert (brazilian.autonym, brazilian.og_locale, str(brazilian.babel_locale)) == (
        "português (Brasil)",
        "pt_BR",
        "pt_BR",
    )
    assert config.language("fr").og_locale == "fr_FR"
    # Dates and numbers in the configured locale; names and catalogs in the language's own.
    assert (str(english.babel_locale), str(english.format_locale)) == ("en", "en_GB")


def test_a_language_pickles_and_prints_without_its_locales(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, VALID))
    arabic = config.language("ar")
    # repr(config) is part of the build cache's keys: the same fields, in the same order, as before.
    assert repr(arabic) == (
        "Language(code='ar', title='عنوان', description='وصف', direction='rtl', engine='none', "
        "publish_threshold=50.0, language_threshold=50.0, preview=False, noindex_machine=True, locale='', fonts=())"
    )
    assert repr(config) == repr(load_config(tmp_path))
    pickled = pickle.dumps(config)
    assert len(pickled) < 5000  # the Babel locales are derived again, not sent
    copy = pickle.loads(pickled)
    assert copy == config and copy.language("ar").autonym == "العربية"
    assert copy.language("ar").babel_locale == arabic.babel_locale


@pytest.mark.parametrize(
    ("tag", "direction"), [("ar", "rtl"), ("ar-XY", "rtl"), ("he", "rtl"), ("fr", "ltr"), ("qqq", "ltr")]
)
def test_text_direction_of_any_tag(tag: str, direction: str) -> None:
    assert text_direction(tag) == direction
