"""The locator map, the "in short" box and the timeline's years strip, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import ARTIFACTS, LANGUAGES, VIEWPORTS

MAP_PAGES = ("", "background/wagner/")


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("language", ("fr", "ar"))
def test_map_screenshots(new_page: Any, base_url: str, viewport: str, language: str) -> None:
    """Screenshots of the map to look at; the map fits the viewport and is not mirrored."""
    page, watcher = new_page(viewport)
    page.goto(f"{base_url}{language}/")
    figure = page.locator("figure.place-map")
    figure.scroll_into_view_if_needed()
    folder = ARTIFACTS / viewport
    folder.mkdir(parents=True, exist_ok=True)
    figure.screenshot(path=str(folder / f"{language}-map.png"))
    svg = page.locator("figure.place-map svg").bounding_box()
    assert svg is not None
    assert svg["x"] >= 0 and svg["x"] + svg["width"] <= VIEWPORTS[viewport]["width"]
    # Geography is not mirrored: Bamako (west) is drawn left of Gao (east) in every direction.
    dots = page.locator("figure.place-map circle")
    names = page.locator("figure.place-map .places text")
    positions = {}
    for index in range(dots.count()):
        box = dots.nth(index).bounding_box()
        assert box is not None
        positions[names.nth(index).text_content()] = box["x"]
    bamako, gao = ("باماكو", "غاو") if language == "ar" else ("Bamako", "Gao")
    assert positions[bamako] < positions[gao]
    # Each label starts where the data says, on the right of its dot (Gao's label is "right").
    gao_label = names.nth(list(positions).index(gao)).bounding_box()
    assert gao_label is not None and gao_label["x"] > positions[gao]
    assert watcher.errors == [] and watcher.foreign == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]


@pytest.mark.parametrize("path", MAP_PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_map_has_a_name_and_every_place_links_somewhere_real(
    new_page: Any, base_url: str, language: str, path: str
) -> None:
    page, _ = new_page("mobile")
    page.goto(f"{base_url}{language}/{path}")
    svg = page.get_by_role("img", name=page.locator("#map-title").text_content() or "?")
    assert svg.count() == 1
    assert (page.locator("#map-title").text_content() or "").strip()
    places = page.locator(".places-list > li")
    assert places.count() == page.locator("figure.place-map circle").count() > 5
    hrefs: list[str] = []
    for index in range(places.count()):
        links = places.nth(index).locator("a")
        assert links.count() >= 1
        hrefs += [links.nth(n).evaluate("a => a.href") for n in range(links.count())]
    pages: dict[str, str] = {}
    for href in dict.fromkeys(hrefs):
        address, _, fragment = href.partition("#")
        if address not in pages:
            response = page.request.get(address)
            assert response.status == 200, href
            pages[address] = response.text()
        assert fragment and pages[address].count(f'id="{fragment}"') == 1, href
    page.locator("figure.place-map summary").click()  # the list of places, open
    assert page.locator(".places-list a").first.is_visible()
    results = Axe().run(page, context="figure.place-map")
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("language", LANGUAGES)
def test_years_strip_and_places_on_the_timeline(new_page: Any, base_url: str, language: str) -> None:
    page, _ = new_page("mobile")
    page.goto(f"{base_url}{language}/timeline/")
    years = page.locator("nav.years a")
    assert years.count() >= 5
    for index in range(years.count()):
        target = (years.nth(index).get_attribute("href") or "").removeprefix("#")
        entry = page.locator(f"[id='{target}']")
        assert entry.count() == 1
        # The entry the year leads to is that year's first.
        year_text = years.nth(index).text_content() or ""
        assert (entry.locator("time").first.get_attribute("datetime") or "").startswith(target[2:6])
        assert year_text.strip()
    years.nth(years.count() - 1).click()
    assert page.evaluate("location.hash") == years.nth(years.count() - 1).get_attribute("href")
    back = page.locator(".event-places a")
    assert back.count() >= 5
    href = back.first.evaluate("a => a.href")
    page.goto(href)
    assert page.locator(f"[id='{href.partition('#')[2]}']").is_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_in_short_box_opens_each_background_page(new_page: Any, base_url: str, language: str) -> None:
    page, _ = new_page("mobile")
    for path in ("coups", "wagner", "insurgency"):
        page.goto(f"{base_url}{language}/background/{path}/")
        box = page.locator("aside.in-short")
        assert box.is_visible()
        assert 3 <= box.locator("li").count() <= 5
        body = page.locator(".body").bounding_box()
        shown = box.bounding_box()
        assert body is not None and shown is not None and shown["y"] < body["y"]
