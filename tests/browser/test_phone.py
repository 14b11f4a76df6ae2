"""Readers on phones (390x844, and 320 px wide for overflow) and on desktops, in every language:
the page menu, the language switcher, no horizontal overflow. Debian's Chromium, through Playwright."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LANGUAGES, VIEWPORTS

PAGE = "background/wagner/"  # deep in the menu: its entry is not among the first ones


def _in_view(box: dict[str, float], viewport: dict[str, int]) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


def _menu_links_fit(page: Any) -> None:
    """Every entry of the open menu is whole on screen: none is cut at either edge."""
    width = VIEWPORTS["mobile"]["width"]
    for box in page.locator(".menu a").evaluate_all(
        "links => links.map(link => { const r = link.getBoundingClientRect(); return [r.left, r.right]; })"
    ):
        assert box[0] >= 0 and box[1] <= width, box


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_phone_menu_opens_with_a_tap_and_shows_the_current_page(
    new_page: Any, base_url: str, language: str, javascript: bool
) -> None:
    page, watcher = new_page("mobile", javascript=javascript, touch=True)
    page.goto(f"{base_url}{language}/{PAGE}")
    current = page.locator(".menu a[aria-current='page']")
    assert current.count() == 1
    assert not current.is_visible()  # closed: the article comes first
    summary = page.locator(".menu summary")
    box = summary.bounding_box()
    assert box["height"] >= 44 and _in_view(box, VIEWPORTS["mobile"])  # a thumb-sized target, on screen
    summary.tap()
    assert page.locator(".menu").evaluate("details => details.open")
    assert current.is_visible()
    assert _in_view(current.bounding_box(), VIEWPORTS["mobile"])
    assert current.evaluate("link => getComputedStyle(link).fontWeight") == "700"
    _menu_links_fit(page)
    # Every entry is a thumb-sized target too, and one tap leads to its page.
    heights = page.locator(".menu a").evaluate_all("links => links.map(link => link.getBoundingClientRect().height)")
    assert min(heights) >= 40, heights
    target = page.locator(".menu a:not([aria-current])").last
    href = target.evaluate("link => link.href")
    target.tap()
    page.wait_for_url(href)
    assert page.locator(".menu a[aria-current='page']").count() == 1
    assert watcher.errors == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_phone_menu_works_from_the_keyboard(new_page: Any, base_url: str, language: str, javascript: bool) -> None:
    page, _ = new_page("mobile", javascript=javascript)
    page.goto(f"{base_url}{language}/{PAGE}")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.menu summary')"):
            break
    else:
        pytest.fail("the menu button is not reachable with Tab")
    page.keyboard.press("Enter")
    assert page.locator(".menu").evaluate("details => details.open")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.menu a[aria-current=page]')"):
            break
    else:
        pytest.fail("the current page's entry is not reachable with Tab")
    assert _in_view(page.locator(".menu a[aria-current='page']").bounding_box(), VIEWPORTS["mobile"])
    page.keyboard.press("Enter")  # follows the link: the same page, loaded again
    page.wait_for_url(f"**/{language}/{PAGE}")
    assert not page.locator(".menu").evaluate("details => details.open")


@pytest.mark.parametrize("language", LANGUAGES)
def test_switcher_is_at_the_top_of_phone_pages(new_page: Any, base_url: str, language: str) -> None:
    page, _ = new_page("mobile")
    page.goto(f"{base_url}{language}/{PAGE}")
    switcher = page.locator(".switcher")
    box = switcher.bounding_box()
    assert box["y"] < page.locator(".menu summary").bounding_box()["y"]  # above the menu, first screen
    for entry in page.locator(".switcher li > *").evaluate_all(
        "items => items.map(item => { const r = item.getBoundingClientRect(); return [r.left, r.right, r.height]; })"
    ):
        assert entry[0] >= 0 and entry[1] <= VIEWPORTS["mobile"]["width"] and entry[2] >= 30, entry


@pytest.mark.parametrize("language", LANGUAGES)
def test_desktop_menu_is_open_with_the_current_page_marked(new_page: Any, base_url: str, language: str) -> None:
    page, _ = new_page("desktop", javascript=False)
    page.goto(f"{base_url}{language}/{PAGE}")
    assert not page.locator(".menu summary").is_visible()
    links = page.locator(".menu a")
    assert links.count() >= 5
    assert all(links.nth(index).is_visible() for index in range(links.count()))
    assert _in_view(page.locator(".menu a[aria-current='page']").bounding_box(), VIEWPORTS["desktop"])
    page.locator(".menu a").first.focus()  # reachable from the keyboard though the disclosure is closed
    assert page.evaluate("document.activeElement.matches('.menu a')")


def _site_pages(site: Any, language: str) -> list[str]:
    """Every HTML page of ``language`` in the built site, as site paths."""
    pages = sorted(path.relative_to(site).as_posix() for path in (site / language).rglob("*.html"))
    return [page.removesuffix("index.html") for page in pages]


@pytest.mark.parametrize("width", [320, 390])
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_overflows_a_phone(new_page: Any, base_url: str, built_site: Any, language: str, width: int) -> None:
    page, _ = new_page(str(width))
    paths = _site_pages(built_site, language) + ([""] if language == "fr" else [])  # and the chooser, once
    assert len(paths) >= 12
    overflowing = {}
    for path in paths:
        page.goto(base_url + path)
        if "/search/" in path:
            page.locator(".pagefind-ui__search-input").wait_for()
        extra = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if extra > 0:
            overflowing[path] = extra
    assert overflowing == {}, f"pages wider than {width} px (by so many px): {overflowing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_dashboard_is_readable_on_a_phone(new_page: Any, base_url: str, language: str) -> None:
    page, _ = new_page("mobile")
    page.goto(f"{base_url}{language}/translation-status/")
    width = VIEWPORTS["mobile"]["width"]
    cells = page.locator(".status tbody td, .status tbody th").evaluate_all(
        "cells => cells.map(cell => { const r = cell.getBoundingClientRect(); return [r.left, r.right]; })"
    )
    assert cells and all(left >= 0 and right <= width for left, right in cells)  # nothing cut off
    # Each share is shown under its label, and page titles get the row's full width.
    label = page.locator(".status tbody td").first.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label.strip('"') == page.locator(".status thead th").nth(1).inner_text().strip()
    title = page.locator(".status tbody th").first.bounding_box()
    assert title["width"] > width * 0.8
