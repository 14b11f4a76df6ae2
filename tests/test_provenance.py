"""Every visible string of a translated page has a provenance: a segment with a state,
a UI string, or text marked with its language (isolated where its direction differs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from explainer.build import build_in_memory, check
from explainer.check.provenance import Vocabulary, check_provenance, vocabularies
from explainer.config import load_config
from explainer.errors import CheckError
from tests.project import REPOSITORY, make_project, publish_arabic_news

VOCABULARY = Vocabulary(("Sources", "Updated %(date)s", "Read the <a>French original</a>"), frozenset({"The facts"}))


def _page(body: str, lang: str = "en", direction: str = "ltr") -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}">\n<head><title>Pas vérifié</title>'
        f"<style>p::before {{ content: 'x' }}</style></head>\n<body>{body}<script>var texte = 1;</script></body></html>"
    ).encode()


def _problems(body: str, lang: str = "en", direction: str = "ltr") -> list[str]:
    vocabularies = {"en": VOCABULARY, "ar": VOCABULARY}
    found = check_provenance([("en/news/index.html", _page(body, lang, direction))], "fr", vocabularies)
    return [f"{problem.path}: {problem.message}" for problem in found]


@pytest.mark.parametrize(
    "body",
    [
        '<p data-state="reviewed">Two diplomats <em>expelled</em>.</p>',  # a segment, inline markup and all
        '<p data-state="missing" lang="fr">Deux diplomates.</p>',  # French fallback: a segment, marked
        "<h2>Sources</h2>",  # a UI string
        "<p>Updated <time>5 June 2026</time></p>",  # a UI string around its placeholder; a date
        "<p>Read the <a>French original</a></p>",  # a UI string cut by its own markup
        '<nav><a href="../news/">The facts</a></nav>',  # a segment's text shown as is (menu)
        '<li><bdi lang="fr">Le Monde</bdi>, 20 · 09 — 2025</li>',  # foreign text marked; punctuation and digits
        '<span lang="ar" dir="rtl">العربية</span>',  # another direction, isolated by dir
        '<bdi lang="ar">العربية</bdi>',  # isolated by bdi
    ],
)
def test_accounted_for_text_passes(body: str) -> None:
    assert _problems(body) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "<li>Article sur les mesures confirmées</li>",
            "en/news/index.html: text with no provenance (not a segment, a UI string, or marked with its lang): "
            "'Article sur les mesures confirmées'",
        ),
        (
            "<h2>Sources et références</h2>",
            "en/news/index.html: text with no provenance (not a segment, a UI string, or marked with its lang): "
            "'Sources et références'",
        ),
        (
            '<span lang="ar">العربية</span>',
            "en/news/index.html: text in 'ar' is not isolated from the page's direction (use <bdi> or dir): 'العربية'",
        ),
    ],
)
def test_unaccounted_text_is_reported_with_page_and_text(body: str, expected: str) -> None:
    assert _problems(body) == [expected]


def test_latin_text_on_an_arabic_page_needs_isolation() -> None:
    assert _problems('<span lang="fr">Le Monde</span>', "ar", "rtl") == [
        "en/news/index.html: text in 'fr' is not isolated from the page's direction (use <bdi> or dir): 'Le Monde'"
    ]
    assert _problems('<bdi lang="fr">Le Monde</bdi>', "ar", "rtl") == []


def test_pages_in_the_source_language_and_other_files_are_not_checked() -> None:
    vocabularies = {"en": VOCABULARY}
    french = _page("<p>Texte français</p>", "fr")
    assert check_provenance([("fr/index.html", french), ("feed.xml", b"<feed>Texte</feed>")], "fr", vocabularies) == []


def test_long_texts_are_shortened_in_the_message() -> None:
    [message] = _problems(f"<p>{'mot ' * 40}</p>")
    assert message.endswith("mot m...'")
    assert len(message) < 200


# -- a small site with each kind of string, built for real --------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The fixture site, with its Arabic news page published though only its title is translated
    (so that the page shows French fallback text beside Arabic)."""
    project = make_project(tmp_path / "project")
    publish_arabic_news(project)
    return project


def _built_pages(project: Path) -> dict[str, str]:
    built = build_in_memory(load_config(project))
    return {file.path: file.content.decode() for file in built.files if file.path.endswith(".html")}


def test_fixture_site_has_each_kind_of_string_and_passes(project: Path) -> None:
    check(load_config(project))  # raises CheckError on any problem, provenance included
    pages = _built_pages(project)
    english, arabic = pages["en/news/index.html"], pages["ar/news/index.html"]
    # (a) a source's description is a segment: translated in English, French fallback in Arabic
    # (the state of a person's translation: whatever its review record supports, never machine or missing)
    assert re.search(
        r'<span class="source-description" data-state="(reviewed|translated)">Wire report of 19 September</span>',
        english,
    )
    assert (
        '<span class="source-description" data-state="missing" data-pagefind-ignore="all" lang="fr" dir="ltr">'
        "Dépêche du 19 septembre</span>" in arabic
    )
    # (b) UI strings from the catalogs
    assert '<h2 id="sources-heading">المصادر</h2>' in arabic
    # (c) the source's own title and outlet, in their language, isolated
    assert '<bdi class="source-title" lang="en">France expels Malian diplomats' in arabic
    assert '<bdi class="source-title" lang="fr">Le Mali expulse deux diplomates</bdi>' in english
    assert '<bdi class="outlet" lang="fr">Le Monde</bdi>' in arabic


def test_an_undated_source_says_so_in_the_reader_s_language(project: Path) -> None:
    news = project / "content" / "news.md"
    text = news.read_text(encoding="utf-8")
    news.write_text(
        text.replace(
            '    description: "Dépêche du 19 septembre"\n    date: 2025-09-19\n',
            '    description: "Dépêche du 19 septembre"\n',
        ),
        encoding="utf-8",
    )
    check(load_config(project))
    pages = _built_pages(project)
    assert "Dépêche du 19 septembre</span>, non daté</li>" in pages["fr/news/index.html"]
    assert "Wire report of 19 September</span>, undated</li>" in pages["en/news/index.html"]
    assert "</span>, بلا تاريخ</li>" in pages["ar/news/index.html"]


def test_fixture_site_with_a_string_of_no_provenance_fails_the_check(project: Path) -> None:
    template = project / "templates" / "page.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace(
            '<div class="body">', '<p class="aside">Texte ajouté sans traduction</p>\n  <div class="body">'
        ),
        encoding="utf-8",
    )
    with pytest.raises(CheckError) as raised:
        check(load_config(project))
    messages = {f"{problem.path}: {problem.message}" for problem in raised.value.problems}
    for page in ("en/news/index.html", "ar/index.html", "ar/news/index.html"):
        assert (
            f"{page}: text with no provenance (not a segment, a UI string, or marked with its lang): "
            "'Texte ajouté sans traduction'" in messages
        )
    assert not any(message.startswith("fr/") for message in messages)


def test_fixture_site_with_an_unisolated_source_title_fails_the_check(project: Path) -> None:
    template = project / "templates" / "page.html"
    text = template.read_text(encoding="utf-8")
    assert '<bdi class="source-title" lang="{{ source.lang }}">{{ source.title }}</bdi>' in text
    template.write_text(
        text.replace(
            '<bdi class="source-title" lang="{{ source.lang }}">{{ source.title }}</bdi>',
            '<span class="source-title" lang="{{ source.lang }}">{{ source.title }}</span>',
        ),
        encoding="utf-8",
    )
    with pytest.raises(CheckError) as raised:
        check(load_config(project))
    messages = {f"{problem.path}: {problem.message}" for problem in raised.value.problems}
    assert messages == {
        "ar/news/index.html: text in 'en' is not isolated from the page's direction (use <bdi> or dir): "
        "'France expels Malian diplomats, ends anti-terror cooperation'",
        "ar/news/index.html: text in 'fr' is not isolated from the page's direction (use <bdi> or dir): "
        "'Le Mali expulse deux diplomates'",
    }


# -- the flagship site: every page, every translated language ----------------------------------

FLAGSHIP = load_config(REPOSITORY)
_BUILT = build_in_memory(FLAGSHIP)
_VOCABULARIES = vocabularies(FLAGSHIP, _BUILT.translated, _BUILT.glossary)
_TRANSLATED_PAGES = sorted(
    file.path
    for file in _BUILT.files
    if file.path.endswith(".html")
    and file.path.startswith(tuple(f"{lang.code}/" for lang in FLAGSHIP.target_languages))
)


def test_flagship_pages_are_all_checked() -> None:
    # 10 pages and their side-by-side views, a dashboard, a search page and a 404 page, in 3 languages
    assert len(_TRANSLATED_PAGES) == 3 * (10 + 10 + 3)


@pytest.mark.parametrize("path", _TRANSLATED_PAGES)
def test_every_string_of_the_flagship_site_has_a_provenance(path: str) -> None:
    content = next(file.content for file in _BUILT.files if file.path == path)
    assert check_provenance([(path, content)], FLAGSHIP.source_language, _VOCABULARIES) == []


@pytest.mark.parametrize("language", ["en", "ar", "es"])
def test_flagship_source_lists_show_no_unmarked_french(language: str) -> None:
    # The old defect: descriptions such as "Article sur..." left in French with no lang.
    page = next(file.content.decode() for file in _BUILT.files if file.path == f"{language}/news/index.html")
    sources = page[page.index('<section class="sources"') :]
    descriptions = re.findall(r'<span class="source-description" data-state="(\w+)"[^>]*>([^<]+)</span>', sources)
    assert len(descriptions) >= 10
    assert {state for state, _ in descriptions} <= {"reviewed", "translated"}
    assert not any(text.startswith(("Article sur", "Dépêche")) for _, text in descriptions)
