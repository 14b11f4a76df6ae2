"""What readers see, in a real browser (Chromium, through Playwright)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import ARTIFACTS, LANGUAGES, VIEWPORTS

ANCHOR = "des-expulsions-croisees-dans-cet-ordre"  # a heading of the news page, id from the French
PAGE_TYPES = {
    "home": "",
    "news": "news/",
    "original": "original/",
    "background": "background/coups/",
    "timeline": "timeline/",
    "glossary": "glossary/",
    "people": "people/",
    "about": "about/",
    "compare": "news/compare.html",
    "status": "translation-status/",
    "search": "search/",
    "404": "404.html",
}
SEARCHES = {"fr": "Bamako", "en": "Bamako", "ar": "باماكو", "es": "Bamako"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_switcher_keeps_the_page_and_the_anchor(new_page: Any, base_url: str, language: str) -> None:
    page, watcher = new_page()
    for other in LANGUAGES:
        if other == language:
            continue
        page.goto(f"{base_url}{language}/news/#{ANCHOR}")
        page.click(f".switcher a[hreflang='{other}']")
        page.wait_for_url(f"**/{other}/news/#{ANCHOR}")
        assert urlsplit(page.url).path == f"/{other}/news/"
        assert page.locator(f"#{ANCHOR}").count() == 1
        assert page.evaluate("document.documentElement.lang") == other
    assert watcher.errors == []


def test_unavailable_language_is_shown_as_such(new_page: Any, base_url: str) -> None:
    page, _ = new_page()
    page.goto(f"{base_url}en/people/")
    unavailable = page.locator(".switcher .unavailable[lang='es']")
    assert unavailable.is_visible()
    assert page.locator(".switcher a[hreflang='es']").count() == 0
    assert unavailable.evaluate("element => getComputedStyle(element).textDecorationLine") == "line-through"
    assert page.request.get(f"{base_url}es/people/").status == 404


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_arabic_is_laid_out_right_to_left(new_page: Any, base_url: str, viewport: str) -> None:
    page, _ = new_page(viewport)
    page.goto(f"{base_url}ar/news/")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    main = page.locator("main").bounding_box()
    title = page.locator("h1").bounding_box()
    paragraph = page.locator(".body p").first.bounding_box()
    # Text starts at the right edge of the column and ends short of the left one.
    assert abs((title["x"] + title["width"]) - (main["x"] + main["width"] - 16)) < 2
    assert abs((paragraph["x"] + paragraph["width"]) - (main["x"] + main["width"] - 16)) < 2
    if viewport == "mobile":  # the menu button starts at the right edge
        summary = page.locator(".menu summary").bounding_box()
        assert abs((summary["x"] + summary["width"]) - (main["x"] + main["width"] - 16)) < 2
    else:  # the menu's first item is the rightmost
        first, second = page.locator(".nav li").nth(0).bounding_box(), page.locator(".nav li").nth(1).bounding_box()
        assert abs(first["y"] - second["y"]) < 2
        assert first["x"] > second["x"]
    notice = page.locator(".notice")
    assert notice.evaluate("element => getComputedStyle(element).borderRightWidth") == "4px"
    assert notice.evaluate("element => getComputedStyle(element).borderLeftWidth") == "0px"
    # French fallback text, if any, would be marked; this page is fully translated.
    assert page.locator(".body [lang='fr']").count() == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_finds_results_in_the_page_language_only(new_page: Any, base_url: str, language: str) -> None:
    page, watcher = new_page()
    page.goto(f"{base_url}{language}/search/?q={SEARCHES[language]}")
    results = page.locator(".pagefind-ui__result-link")
    results.first.wait_for(timeout=15000)
    links = [urlsplit(href).path for href in results.evaluate_all("links => links.map(link => link.href)")]
    assert links
    assert all(path.startswith(f"/{language}/") for path in links), links
    # Footnote back-links stay out of the index: no stray "↩" in the snippets.
    page.locator(".pagefind-ui__result-excerpt").first.wait_for()
    excerpts = page.locator(".pagefind-ui__result-excerpt").all_inner_texts()
    assert excerpts and not any("↩" in excerpt for excerpt in excerpts), excerpts
    # The interface uses the site's type and colours.
    search_font = page.locator(".pagefind-ui").evaluate("element => getComputedStyle(element).fontFamily")
    assert search_font == page.evaluate("getComputedStyle(document.body).fontFamily")
    assert watcher.errors == []


def test_pages_work_without_javascript(new_page: Any, base_url: str) -> None:
    page, _ = new_page(javascript=False)
    page.goto(f"{base_url}fr/")
    page.click(".nav a >> nth=0")
    assert page.locator("h1").is_visible()
    page.click(".switcher a[hreflang='ar']")
    assert page.evaluate("document.documentElement.dir") == "rtl"


def _page_cases() -> list[tuple[str, str, str]]:
    cases = [(viewport, "root", "") for viewport in VIEWPORTS]
    for viewport in VIEWPORTS:
        for language in LANGUAGES:
            for kind in PAGE_TYPES:
                if (kind == "compare" and language == "fr") or (kind, language) == ("people", "es"):
                    continue  # no side-by-side view of the original; Spanish "people" is not published here
                cases.append((viewport, kind, language))
    return cases


@pytest.mark.parametrize(("viewport", "kind", "language"), _page_cases())
def test_every_page_type_is_accessible_and_clean(
    new_page: Any, base_url: str, viewport: str, kind: str, language: str
) -> None:
    page, watcher = new_page(viewport)
    url = base_url if kind == "root" else f"{base_url}{language}/{PAGE_TYPES[kind]}"
    if kind == "search":
        url += f"?q={SEARCHES[language]}"
    page.goto(url)
    if kind == "search":
        page.locator(".pagefind-ui__result").first.wait_for(timeout=15000)
    folder = ARTIFACTS / viewport
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{language or 'root'}-{kind}.png"), full_page=False)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert watcher.errors == [], watcher.errors  # includes Content-Security-Policy violations
    assert watcher.foreign == [], watcher.foreign  # no request leaves the site's origin


MARK_STYLES = {"machine": "dotted", "stale": "dashed", "missing": "solid"}


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_legend_explains_each_margin_mark_and_each_state_looks_different(
    new_page: Any, base_url: str, viewport: str
) -> None:
    page, _ = new_page(viewport)
    page.goto(f"{base_url}en/news/")
    legend = page.locator(".notice .legend")
    assert legend.is_visible()
    assert legend.locator("li").all_inner_texts() == [
        "machine translation, not reviewed",
        "outdated translation: the French has changed",
        "not translated: French text",
    ]
    for state, style in MARK_STYLES.items():
        swatch = legend.locator(f".mark-{state}")
        passage = page.locator(f".body [data-state='{state}']").first
        assert swatch.is_visible() and passage.is_visible()
        # The swatch in the legend is drawn as the mark beside the passage, and each state has its own.
        for element in (swatch, passage):
            assert element.evaluate("e => getComputedStyle(e).borderInlineStartStyle") == style
        assert swatch.evaluate("e => getComputedStyle(e).borderInlineStartColor") == passage.evaluate(
            "e => getComputedStyle(e).borderInlineStartColor"
        )
    assert page.locator(".body [data-state='missing']").first.get_attribute("lang") == "fr"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"legend-en-{viewport}.png"), full_page=False)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_side_by_side_columns_are_labelled_with_language_names_on_a_phone(
    new_page: Any, base_url: str, language: str
) -> None:
    names = {"en": "English", "ar": "العربية"}
    page, _ = new_page("mobile")
    page.goto(f"{base_url}{language}/news/compare.html")
    assert not page.locator(".pair-header").is_visible()  # the column headers do not fit on a phone
    row = page.locator(".pair:not(.pair-header)").nth(3)
    source_label, target_label = row.locator(".source .cell-label"), row.locator(".target .cell-label")
    assert source_label.is_visible() and target_label.is_visible()
    assert source_label.inner_text().casefold() == "français"
    assert target_label.inner_text().casefold() == names[language].casefold()
    # Stacked: the French above its translation, each under its own label.
    assert source_label.bounding_box()["y"] < target_label.bounding_box()["y"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"compare-labels-{language}-mobile.png"), full_page=False)
    desktop, _ = new_page("desktop")
    desktop.goto(f"{base_url}{language}/news/compare.html")
    assert desktop.locator(".pair-header").is_visible()
    assert not desktop.locator(".pair:not(.pair-header) .cell-label").first.is_visible()


def test_the_side_by_side_view_names_the_reviewer_of_a_reviewed_passage(new_page: Any, base_url: str) -> None:
    page, _ = new_page("mobile")
    page.goto(f"{base_url}en/news/compare.html")
    reviewed = page.locator(".reviewed-by")
    assert reviewed.count() == 1 and reviewed.is_visible()
    assert reviewed.inner_text() == "Reviewed by Awa Traoré on 1 December 2026"
    assert "awa@example.org" not in page.content()  # the address stays in the PO file
    row = page.locator(".pair", has=reviewed)
    assert row.get_attribute("class") == "pair pair-heading"
