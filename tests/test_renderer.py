"""What the renderer shares between outputs: its warnings, the context of every template and
the language switcher."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup

from explainer.config import load_config
from explainer.errors import Problem
from explainer.model import SiteMap
from explainer.render.renderer import Renderer
from tests.project import make_project


def _site_map() -> SiteMap:
    return SiteMap(
        source_language="fr",
        languages=("fr", "en", "ar", "es"),
        published={"": ("fr", "en", "ar"), "news": ("fr", "ar")},
        titles={("", "fr"): "Accueil", ("", "en"): "Home", ("", "ar"): "الرئيسية"},
        order=("", "news"),
        anchors={"": frozenset(), "news": frozenset()},
        live=("fr", "en", "ar"),
    )


def test_the_renderer_returns_its_warnings_instead_of_filling_a_list(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    (project / "i18n" / "es" / "LC_MESSAGES" / "messages.po").unlink()
    renderer = Renderer(load_config(project), _site_map())
    assert renderer.warnings == (
        Problem(
            "i18n/es/LC_MESSAGES/messages.po", 0, "no UI catalog for this language: interface text stays in English"
        ),
    )


def test_one_switcher_for_generated_and_content_pages(tmp_path: Path) -> None:
    renderer = Renderer(load_config(make_project(tmp_path / "project")), _site_map())
    assert renderer.warnings == ()
    # A generated page exists in every language: the switcher leads to it in each live language.
    generated = renderer.common("en", "en/translation-status/")["switcher"]
    assert [(entry["lang"], entry["url"], entry["current"]) for entry in generated] == [
        ("fr", "../../fr/translation-status/", False),
        ("en", "./", True),
        ("ar", "../../ar/translation-status/", False),
    ]
    # A content page: languages it is not published in are shown without a link.
    page = renderer.common("ar", "ar/news/", page_path="news")["switcher"]
    assert [(entry["lang"], entry["url"], entry["dir"]) for entry in page] == [
        ("fr", "../../fr/news/", "ltr"),
        ("en", None, "ltr"),
        ("ar", "./", "rtl"),
    ]
    # A language not open to readers appears only on its own pages.
    spanish = renderer.common("es", "es/translation-status/")["switcher"]
    assert [entry["lang"] for entry in spanish] == ["fr", "en", "ar", "es"]


def test_a_date_is_formatted_with_cldr_once_per_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime

    import babel.dates
    import jinja2
    from babel.support import NullTranslations

    import explainer.render.templates as templates

    calls: list[tuple[object, str]] = []

    def counting(value: datetime.date, form: str = "long", locale: object = None) -> str:
        calls.append((value, form))
        return babel.dates.format_date(value, form, locale=locale)  # type: ignore[arg-type]

    monkeypatch.setattr(templates, "format_date", counting)
    config = load_config(make_project(tmp_path / "project"))
    environment = templates.make_environment(config, "ar", NullTranslations(), jinja2.BytecodeCache())
    shown = environment.from_string("{{ day|date }} {{ day|date }} {{ day|date('medium') }} {{ day|date }}")
    day = datetime.date(2025, 9, 19)
    text = shown.render(day=day)
    locale = config.language("ar").format_locale
    long, medium = (
        babel.dates.format_date(day, "long", locale=locale),
        babel.dates.format_date(day, "medium", locale=locale),
    )
    assert text == f"{long} {long} {medium} {long}"
    assert calls == [(day, "long"), (day, "medium")]


def test_ui_messages_are_remembered_and_give_what_jinjas_gettext_gives(tmp_path: Path) -> None:
    import io

    import jinja2
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    import explainer.render.templates as templates

    catalog = Catalog(locale="en")
    catalog.add("Pages", "Pages <& co>")
    catalog.add("Page %(n)s of 100%%", "Page %(n)s of 100%%")
    catalog.add("100%% sure", "<b>100%%</b> sure")
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    translations = Translations(mo)
    config = load_config(make_project(tmp_path / "project"))
    source = (
        "{{ _('Pages') }}|{{ _('Pages') }}|{{ gettext('Pages') }}|{{ _('Page %(n)s of 100%%', n='<1>') }}|"
        "{{ _('100%% sure') }}|{% trans %}Pages{% endtrans %}|{% autoescape false %}{{ _('Pages') }}{% endautoescape %}"
    )
    remembered = templates.make_environment(config, "en", translations, jinja2.BytecodeCache())
    # The same environment as Jinja sets it up, without the remembering: what the pages showed before.
    plain = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    plain.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: Markup.escape(translations.gettext(message)),
        ngettext=lambda singular, plural, number: Markup.escape(translations.ngettext(singular, plural, number)),
        newstyle=True,
    )
    expected = "Pages &lt;&amp; co&gt;|" * 3 + "Page &lt;1&gt; of 100%|&lt;b&gt;100%&lt;/b&gt; sure|"
    expected += "Pages &lt;&amp; co&gt;|Pages &lt;&amp; co&gt;"
    first = remembered.from_string(source).render()
    assert first == plain.from_string(source).render() == expected
    asked: list[str] = []
    looked_up = translations.gettext

    def counting(message: str) -> str:
        asked.append(message)
        return looked_up(message)

    translations.gettext = counting  # type: ignore[method-assign]
    assert remembered.from_string(source).render() == first
    assert asked == ["Page %(n)s of 100%%"]  # only the message with a placeholder is looked up again


def test_a_ui_catalog_is_parsed_again_only_when_its_bytes_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import explainer.render.ui as ui
    from explainer.translate.memory import parse_catalog as original

    parsed: list[str] = []

    def counting(content: bytes, shown: str, language: str) -> object:
        parsed.append(language)
        return original(content, shown, language)

    monkeypatch.setattr(ui, "parse_catalog", counting)
    config = load_config(make_project(tmp_path / "project"))
    first = ui.ui_translations(config, "fr")
    assert first is not None and ui.ui_translations(config, "fr") is first
    catalog = config.ui_catalog("fr")
    text = catalog.read_text(encoding="utf-8")
    assert 'msgstr "État de la traduction"' in text
    catalog.write_text(text.replace('"État de la traduction"', '"Où en est la traduction"'), encoding="utf-8")
    changed = ui.ui_translations(config, "fr")
    assert changed is not None and changed.gettext("Translation status") == "Où en est la traduction"
    assert parsed.count("fr") <= 2  # once per content (none if another test in this process read it first)
