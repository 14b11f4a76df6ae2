"""The explainer's own content: sourced, complete in every language, glossary linked, timeline in order."""

from __future__ import annotations

import gzip
import re
import unicodedata
from pathlib import Path

import pytest

from explainer.config import load_config
from explainer.load.content import load_content
from explainer.model import Page, State
from explainer.translate.glossary import load_glossary
from explainer.translate.segment import plain_text, segment_pages
from explainer.translate.stage import translate_pages
from tests.project import REPOSITORY, build_flagship

CONFIG = load_config(REPOSITORY)
PAGES, _ = load_content(CONFIG.content_dir, CONFIG.root)
BY_PATH = {page.path: page for page in PAGES}
REQUIRED_TERMS = {
    "persona-non-grata",
    "convention-de-vienne",
    "jnim",
    "eigs",
    "cnsp",
    "aes",
    "cedeao",
    "minusma",
    "serval",
    "barkhane",
    "takuba",
    "africa-corps",
    "wagner",
    "dgse",
}


def _body_words(page: Page) -> int:
    body = "\n".join(line for line in page.body.splitlines() if not line.startswith("[^"))
    return len(plain_text(body).split())


def test_every_page_the_explainer_needs_is_there() -> None:
    assert sorted(BY_PATH) == [
        "",
        "about",
        "background/coups",
        "background/insurgency",
        "background/wagner",
        "glossary",
        "news",
        "original",
        "people",
        "timeline",
    ]


@pytest.mark.parametrize(
    ("path", "low", "high"),
    [
        ("news", 400, 700),
        ("background/coups", 700, 1200),
        ("background/wagner", 700, 1200),
        ("background/insurgency", 700, 1200),
    ],
)
def test_lengths(path: str, low: int, high: int) -> None:
    assert low <= _body_words(BY_PATH[path]) <= high


@pytest.mark.parametrize("path", ["news", "original", "background/coups", "background/wagner", "background/insurgency"])
def test_pages_cite_sources_and_contested_claims_carry_notes(path: str) -> None:
    page = BY_PATH[path]
    assert len(page.sources) >= 3
    assert all(source.outlet and (source.title or source.description) for source in page.sources)
    assert sum(source.date is not None for source in page.sources) >= 3
    if page.kind != "original":  # the article's editorial notes cite their sources inline
        assert len(re.findall(r"^\[\^[^\]]+\]:", page.body, re.MULTILINE)) >= 5


def _top_level_split(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator``, except inside parentheses and « quotes »."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(text):
        character = text[index]
        if character in "(«":
            depth += 1
        elif character in ")»":
            depth -= 1
        elif depth == 0 and text.startswith(separator, index):
            parts.append(text[start:index])
            start = index = index + len(separator)
            continue
        index += 1
    return [*parts, text[start:]]


def _outlet_key(name: str) -> set[str]:
    """The outlets a name stands for, compared without accents, case or editorial remarks:
    "Wikipédia (en)" is Wikipedia, "clashreport.com (d'après AP)" is clashreport.com,
    "AFP (via a et b)" is AFP via a and AFP via b."""
    name = unicodedata.normalize("NFKD", name.replace("*", ""))
    name = "".join(character for character in name if not unicodedata.combining(character)).casefold().strip()
    via = re.search(r"\(via ([^)]*)\)", name)
    name = re.sub(r"\s*\((?!via )[^)]*\)", "", name).strip()
    if via:
        base = name[: name.index("(via")].strip()
        return {f"{base} (via {host.strip()})" for host in via.group(1).split(" et ")}
    return {name}


def _cited_outlets(note: str) -> list[str]:
    """The outlets a footnote cites: each citation ('; ') starts with its outlet(s), up to the first comma."""
    names = []
    for citation in _top_level_split(note.strip().rstrip("."), " ; "):
        head = _top_level_split(citation, ", ")[0]
        names.extend(name.strip() for name in _top_level_split(head, " et "))
    return names


@pytest.mark.parametrize("path", [page.path for page in PAGES if page.sources])
def test_every_outlet_a_page_s_footnotes_cite_is_in_its_source_list(path: str) -> None:
    page = BY_PATH[path]
    listed = set()
    for source in page.sources:
        for outlet in _top_level_split(source.outlet, ", "):
            listed |= _outlet_key(outlet)
    missing = [
        name
        for note in re.findall(r"^\[\^[^\]]+\]:\s*(.*)$", page.body, re.MULTILINE)
        for name in _cited_outlets(note)
        if not _outlet_key(name) <= listed
    ]
    assert missing == []


def test_outlets_are_recognised_as_written_in_footnotes() -> None:
    assert _cited_outlets(
        "CNN (via einpresswire) et BBC Pidgin (via ghanaweb), 26 mai 2021 ; Reuters, « x, y », 2021."
    ) == [
        "CNN (via einpresswire)",
        "BBC Pidgin (via ghanaweb)",
        "Reuters",
    ]
    assert _outlet_key("Wikipédia (en)") == {"wikipedia"}
    assert _outlet_key("clashreport.com (d'après AP)") == {"clashreport.com"}
    assert _outlet_key("AFP (via a.com et b.org)") == {"afp (via a.com)", "afp (via b.org)"}


def test_source_links_lead_to_articles_not_home_pages() -> None:
    links = [
        source.url
        for page in PAGES
        for source in (*page.sources, *(s for entry in page.timeline for s in entry.sources))
        if source.url
    ]
    assert links
    assert [url for url in links if not re.sub(r"^https?://[^/]+/?", "", url).strip("/")] == []


def test_the_original_is_the_seed_verbatim_without_the_unrelated_line() -> None:
    seed = REPOSITORY.parent / "shared" / "seed" / "article-fr.txt"
    body = BY_PATH["original"].body
    assert "Lire aussi" not in body.split("## Notes de la rédaction")[0]
    if seed.exists():  # the seed sits beside the repository where the content was written
        sentences = re.split(
            r"(?<=[.»])\s+",
            seed.read_text(encoding="utf-8").replace(
                "Lire aussi: Sahara-ONU : Vers une recomposition des alliances autour du plan d'autonomie ", ""
            ),
        )
        for sentence in sentences:
            assert sentence.strip() in body


def test_timeline_has_thirty_dated_sourced_entries_in_order() -> None:
    timeline = BY_PATH["timeline"].timeline
    assert len(timeline) >= 30
    assert [entry.sort_key for entry in timeline] == sorted(entry.sort_key for entry in timeline)
    assert timeline[0].date.startswith("2012") and timeline[-1].date.startswith("2026")
    assert all(entry.sources for entry in timeline)


def test_glossary_has_the_terms_and_every_page_links_them_where_they_first_appear() -> None:
    glossary = BY_PATH["glossary"].glossary
    assert len(glossary) >= 20
    assert {term.id for term in glossary} >= REQUIRED_TERMS
    unlinked = []
    for page in PAGES:
        if page.kind in ("glossary", "timeline"):
            continue
        body = page.body
        if page.path == "original":
            body = body.split("## Notes de la rédaction")[-1]  # the article itself stays verbatim
        body = "\n".join(line for line in body.splitlines() if not line.startswith(("[^", "#")))
        body = re.sub(r"\[[^\]]*\]\([^)]*\)", "", body)  # a term inside another link's text cannot be linked
        for term in glossary:
            name = term.term.split(" (")[0]
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", body) and f"/glossary/#{term.id}" not in page.body:
                unlinked.append(f"{page.source_file}: {term.id}")
    assert unlinked == []


def test_every_segment_is_accounted_for_and_claims_no_review_without_a_record() -> None:
    """Every passage has a translation (none missing or outdated); the flagship's
    translations were written and checked by its editorial team, with no reviewer on record
    in the PO files: they are "translated", and nothing is "reviewed" that records no reviewer."""
    translation = translate_pages(
        CONFIG,
        segment_pages(PAGES),
        load_glossary(CONFIG.i18n_dir, CONFIG.root, CONFIG.language_codes, CONFIG.source_language),
        use_machine=False,
    )
    incomplete = [
        f"{page.language} {page.page.source_file}: {counts}"
        for page in translation.pages
        if page.language != "fr"
        for counts in [page.counts()]
        if counts[State.MISSING] or counts[State.STALE]
    ]
    assert incomplete == []
    reviewed = [
        (page.language, page.page.path, rendition.text[:40])
        for page in translation.pages
        for rendition in page.renditions
        if rendition.state is State.REVIEWED and not rendition.reviewer
    ]
    assert reviewed == []


def test_translations_pass_the_quality_checks_or_are_accepted_exceptions() -> None:
    from explainer.check.qa import quality_problems

    assert quality_problems(CONFIG, segment_pages(PAGES)) == ([], [])


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_flagship(tmp_path_factory.mktemp("content") / "project")


def test_timeline_dates_are_written_in_each_languages_own_way(built_site: Path) -> None:
    expected = {
        "fr": "19 septembre 2025",
        "en": "19 September 2025",
        "ar": "19 سبتمبر 2025",
        "es": "19 de septiembre de 2025",
    }
    for language, date in expected.items():
        html = (built_site / language / "timeline" / "index.html").read_text(encoding="utf-8")
        assert f'<time class="event-date" datetime="2025-09-19">{date}</time>' in html


MONTHS = {
    "en": "January|February|March|April|May|June|July|August|September|October|November|December",
    "es": "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre",
}
# The date styles a language must not mix with its CLDR long format (en_GB "19 September 2025",
# es "19 de septiembre de 2025"), in page headers, source lists, timelines and the translated footnotes.
OTHER_STYLES = {
    "en": rf"\b(?:{MONTHS['en']}) \d{{1,2}}, \d{{4}}",
    "es": rf"\b\d{{1,2}} (?:{MONTHS['es']}) \d{{4}}|\b(?:{MONTHS['es']}) \d{{1,2}}, \d{{4}}",
}


@pytest.mark.parametrize("language", sorted(OTHER_STYLES))
def test_one_date_style_per_language_in_headers_sources_and_footnotes(built_site: Path, language: str) -> None:
    pages = sorted((built_site / language).rglob("*.html"))
    mixed = [
        f"{page.relative_to(built_site)}: {match.group(0)}"
        for page in pages
        for match in re.finditer(OTHER_STYLES[language], page.read_text(encoding="utf-8"))
    ]
    assert mixed == []
    header = (built_site / language / "news" / "index.html").read_text(encoding="utf-8")
    expected = {"en": "19 September 2025", "es": "19 de septiembre de 2025"}[language]
    assert f'<time datetime="2025-09-19">{expected}</time>' in header


def test_an_article_page_with_its_css_stays_under_60_kb(built_site: Path) -> None:
    # Compressed, as it travels (fonts are counted per page type by tests/browser/test_weight.py).
    def size(path: Path) -> int:
        return len(gzip.compress(path.read_bytes(), mtime=0))

    css = sum(size(path) for path in (built_site / "assets").glob("*.css"))
    articles = [path for language in ("fr", "en", "ar", "es") for path in (built_site / language).glob("*/index.html")]
    articles += [path for path in built_site.glob("*/background/*/index.html")]
    heaviest = max(articles, key=size)
    assert size(heaviest) + css <= 60 * 1024, f"{heaviest}: {size(heaviest)} + {css} bytes, compressed"
