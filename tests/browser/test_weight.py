"""What a reader on a slow connection downloads: each page type's HTML, CSS and fonts, compressed,
within its budget (measured on the built site); Arabic pages use the Naskh served with the site,
Latin pages never download it."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LANGUAGES

# Budgets in bytes: HTML and stylesheets gzip-compressed, fonts as served (WOFF2 is compressed).
ARTICLE_BUDGET = 60_000
BUDGETS = {
    "": ARTICLE_BUDGET,
    "news/": ARTICLE_BUDGET,
    "original/": ARTICLE_BUDGET,
    "background/coups/": ARTICLE_BUDGET,
    "background/wagner/": ARTICLE_BUDGET,
    "background/insurgency/": ARTICLE_BUDGET,
    "people/": ARTICLE_BUDGET,
    "about/": ARTICLE_BUDGET,
    "glossary/": ARTICLE_BUDGET,
    "timeline/": 80_000,  # the longest page: 60 dated events with their sources
    "news/compare.html": 80_000,  # two columns: the French and the translation
}


def page_weight(site: Path, page: Path) -> int:
    """The compressed bytes of ``page`` with the stylesheets it links and the fonts they declare."""
    html = page.read_bytes()
    total = len(gzip.compress(html, 9))
    for href in re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html):
        stylesheet = (page.parent / href.decode()).resolve()
        assert stylesheet.is_relative_to(site.resolve()), href
        css = stylesheet.read_bytes()
        total += len(gzip.compress(css, 9))
        total += sum(
            (stylesheet.parent / font.decode()).stat().st_size for font in re.findall(rb'url\("([^"]+)"\)', css)
        )
    return total


# No side-by-side view of the original; the Spanish "people" page is unpublished in the test build.
CASES = [
    (language, path)
    for language in LANGUAGES
    for path in sorted(BUDGETS)
    if (language, path) not in (("fr", "news/compare.html"), ("es", "people/"))
]


@pytest.mark.parametrize(("language", "path"), CASES)
def test_page_weight_is_within_budget(built_site: Path, language: str, path: str) -> None:
    page = built_site / language / path
    page = page / "index.html" if page.is_dir() else page
    assert page_weight(built_site, page) <= BUDGETS[path]


def test_arabic_fonts_count_in_the_weight(built_site: Path) -> None:
    page = built_site / "ar" / "news" / "index.html"
    fonts = sum(path.stat().st_size for path in (built_site / "assets" / "fonts").glob("*.woff2"))
    assert fonts > 10_000
    assert page_weight(built_site, page) > fonts  # the fonts are part of what is measured


@pytest.mark.parametrize("language", LANGUAGES)
def test_naskh_is_used_on_arabic_pages_only(new_page: Any, base_url: str, language: str) -> None:
    page, watcher = new_page("mobile")
    fonts: list[str] = []
    page.on("request", lambda request: fonts.append(request.url) if request.resource_type == "font" else None)
    page.goto(f"{base_url}{language}/news/")
    page.evaluate("document.fonts.ready")
    family = page.evaluate("getComputedStyle(document.querySelector('.body p')).fontFamily")
    if language == "ar":
        assert family.startswith('"Noto Naskh Arabic"')
        assert fonts and all(url.endswith(".woff2") and "/assets/fonts/" in url for url in fonts)
        # The served face is the one in use (loaded from the site, not a system font of that name).
        statuses = page.evaluate("Array.from(document.fonts).map(face => [face.family, face.weight, face.status])")
        assert ["Noto Naskh Arabic", "400", "loaded"] in [[f.strip('"'), w, s] for f, w, s in statuses]
        assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontWeight") == "700"
    else:
        assert "Naskh" not in family.split(",")[0]
        assert fonts == []  # the switcher's "العربية" does not make a Latin page download the font
    assert watcher.errors == []  # nothing refused by the Content-Security-Policy
