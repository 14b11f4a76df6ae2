"""Source lists in a right-to-left page, measured in a real browser (Chromium, through Playwright).

The fixture site's news page cites Le Monde with its French title and a French
description that the Arabic memory lacks; in Arabic the line mixes an outlet and a
title in French, a description shown in French and a date written in Arabic.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from explainer.build import build
from explainer.config import load_config
from tests.project import make_project, publish_arabic_news, serve_folder


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = make_project(tmp_path_factory.mktemp("sources") / "project")
    publish_arabic_news(project)
    build(load_config(project), use_machine=False)
    with serve_folder(project / "site") as url:
        yield url


def _words(page: Any, selector: str) -> list[dict[str, float]]:
    """The box of each word of the first text node under ``selector``, in reading (logical) order."""
    return page.locator(selector).evaluate(  # type: ignore[no-any-return]
        """element => {
            const node = element.firstChild;
            const boxes = [];
            const pattern = /\\S+/g;
            let match;
            while ((match = pattern.exec(node.textContent)) !== null) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const box = range.getBoundingClientRect();
                boxes.push({x: box.x, right: box.right, y: box.y});
            }
            return boxes;
        }"""
    )


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}])
def test_arabic_source_line_renders_in_logical_order(browser: Any, fixture_site: str, viewport: dict[str, int]) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{fixture_site}ar/news/")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    line = "section.sources li:has(bdi.outlet:text-is('Le Monde'))"
    parts = {
        "outlet": page.locator(f"{line} bdi.outlet").bounding_box(),
        "title": page.locator(f"{line} bdi.source-title").bounding_box(),
        "description": page.locator(f"{line} .source-description").bounding_box(),
        "date": page.locator(f"{line} time").bounding_box(),
    }
    # One line at this width; read right to left, the parts come in their logical order.
    assert max(box["y"] for box in parts.values()) - min(box["y"] for box in parts.values()) < 4
    rights = [parts[name]["x"] + parts[name]["width"] for name in ("outlet", "title", "description", "date")]
    assert rights == sorted(rights, reverse=True), parts
    # No part overlaps the next: isolation keeps each run in one piece.
    for right_part, left_part in zip(("outlet", "title", "description"), ("title", "description", "date"), strict=True):
        assert parts[left_part]["x"] + parts[left_part]["width"] <= parts[right_part]["x"] + 1
    # Inside the isolated French title, words keep their left-to-right order.
    words = _words(page, f"{line} bdi.source-title")
    assert len(words) == 5
    assert [word["x"] for word in words] == sorted(word["x"] for word in words)
    # The date, written in Arabic, reads right to left: the day (first) is rightmost.
    assert page.locator(f"{line} time").evaluate("element => element.closest('[dir]').dir") == "rtl"
    date_words = _words(page, f"{line} time")
    assert date_words[0]["right"] > date_words[-1]["right"]
    context.close()


def test_english_source_line_marks_each_language(browser: Any, fixture_site: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{fixture_site}en/news/")
    titles = page.locator("section.sources bdi.source-title")
    assert titles.evaluate_all("elements => elements.map(e => [e.lang, e.textContent])") == [
        ["en", "France expels Malian diplomats, ends anti-terror cooperation"],
        ["fr", "Le Mali expulse deux diplomates"],
    ]
    translated = page.locator("section.sources li:has(bdi.outlet:text-is('AFP')) .source-description")
    assert translated.get_attribute("data-state") in ("reviewed", "translated")
    assert translated.text_content() == "Wire report of 19 September"
    fallback = page.locator("section.sources li:has(bdi.outlet:text-is('Le Monde')) .source-description")
    assert fallback.get_attribute("data-state") == "missing"
    assert fallback.get_attribute("lang") == "fr"
    context.close()
