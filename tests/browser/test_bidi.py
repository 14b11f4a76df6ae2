"""Mixed-direction lines in Arabic pages keep their logical order on screen (positions measured
in Debian's Chromium): source lists, the language chooser's heading, glossary expansions,
Latin names inside Arabic text, dates."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.browser.conftest import VIEWPORTS

# The boxes of a substring of an element's text, line by line: [[left, top, right, bottom], ...].
TEXT_BOXES = """([element, text]) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(text);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + text.length);
    return Array.from(range.getClientRects()).map(r => [r.left, r.top, r.right, r.bottom]);
  }
  return null;
}"""
BOXES = "element => Array.from(element.getClientRects()).map(r => [r.left, r.top, r.right, r.bottom])"


def _boxes(page: Any, selector: str, text: str | None = None) -> list[list[float]]:
    element = page.locator(selector).first
    boxes = element.evaluate(BOXES) if text is None else page.evaluate(TEXT_BOXES, [element.element_handle(), text])
    assert boxes, f"{selector} {text!r} is not on screen"
    return boxes


def _reads_before(first: list[list[float]], second: list[list[float]], direction: str) -> bool:
    """Whether the end of ``first`` comes before the start of ``second`` in reading order:
    on an earlier line, or on the same line further right (rtl) or further left (ltr)."""
    end, start = first[-1], second[0]
    if end[3] <= start[1] + 2:  # an earlier line
        return True
    if abs(end[1] - start[1]) > 4:
        return False
    return end[0] >= start[2] - 1 if direction == "rtl" else end[2] <= start[0] + 1


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_arabic_source_list_reads_outlet_title_date(new_page: Any, base_url: str, viewport: str) -> None:
    page, _ = new_page(viewport)
    page.goto(f"{base_url}ar/background/wagner/")
    # The first source: a Latin outlet, the project's Arabic description of it, and a date.
    item = ".sources li:first-child"
    outlet, description, date = (
        _boxes(page, f"{item} .outlet"),
        _boxes(page, f"{item} .source-description"),
        _boxes(page, f"{item} time"),
    )
    assert _reads_before(outlet, description, "rtl") and _reads_before(description, date, "rtl")
    # Inside the Latin outlet, left to right: "Reuters" before "devdiscourse".
    assert page.locator(f"{item} .outlet").evaluate("e => getComputedStyle(e).direction") == "ltr"
    reuters, site = _boxes(page, f"{item} .outlet", "Reuters"), _boxes(page, f"{item} .outlet", "devdiscourse")
    assert _reads_before(reuters, site, "ltr")
    assert page.locator(f"{item} .outlet").get_attribute("lang") == "en"


def test_arabic_timeline_sources_read_outlet_then_date(new_page: Any, base_url: str) -> None:
    page, _ = new_page("mobile")
    page.goto(f"{base_url}ar/timeline/")
    line = ".event-sources:has(time) >> nth=0"
    assert _reads_before(_boxes(page, f"{line} >> .outlet"), _boxes(page, f"{line} >> time"), "rtl")


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_chooser_heading_keeps_the_arabic_title_whole(new_page: Any, base_url: str, viewport: str) -> None:
    page, _ = new_page(viewport)
    page.goto(base_url)
    titles = [_boxes(page, f".chooser-title [lang='{code}']") for code in ("fr", "en", "ar", "es")]
    assert all(_reads_before(a, b, "ltr") for a, b in itertools.pairwise(titles))
    # The Arabic title itself reads right to left: its first word is right of its last.
    first, last = (
        _boxes(page, ".chooser-title [lang='ar']", "فرنسا"),
        _boxes(page, ".chooser-title [lang='ar']", "القطيعة"),
    )
    assert _reads_before(first, last, "rtl")


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_arabic_glossary_expansion_keeps_its_brackets(new_page: Any, base_url: str, viewport: str) -> None:
    page, _ = new_page(viewport)
    page.goto(f"{base_url}ar/glossary/")
    expansion = "#acled .expansion"
    opening, closing = _boxes(page, expansion, "("), _boxes(page, expansion, ")")
    inner = _boxes(page, f"{expansion} > bdi")
    # In right-to-left reading, "(" comes first (at the right) and ")" last (at the left).
    assert _reads_before(opening, inner, "rtl") and _reads_before(inner, closing, "rtl")
    term = _boxes(page, "#acled > bdi")
    assert _reads_before(term, opening, "rtl")


def test_latin_names_in_arabic_text_are_isolated(new_page: Any, base_url: str) -> None:
    page, _ = new_page("mobile")
    page.goto(f"{base_url}ar/")
    name = page.locator(".body bdi", has_text="JNIM").first
    assert name.evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"
    # "(JNIM)" after an Arabic name: the bracket opens at the right of JNIM, closes at its left.
    link = "a[href$='#jnim']"
    assert _reads_before(_boxes(page, link, "("), _boxes(page, f"{link} bdi"), "rtl")
    assert _reads_before(_boxes(page, f"{link} bdi"), _boxes(page, link, ")"), "rtl")
    # Dates of the page header are isolated too.
    assert page.locator(".dates bdi time").count() >= 1
