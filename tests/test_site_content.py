"""The explainer's own content: sourced, complete in every language, glossary linked, timeline in order."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from explainer.config import load_config
from explainer.content import load_content
from explainer.glossary import load_glossary
from explainer.model import Page, State
from explainer.segment import plain_text, segment_pages
from explainer.translate import translate_pages
from tests.project import REPOSITORY

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
    assert all(source.outlet and (source.title or source.description) and source.date for source in page.sources)
    if page.kind != "original":  # the article's editorial notes cite their sources inline
        assert len(re.findall(r"^\[\^[^\]]+\]:", page.body, re.MULTILINE)) >= 5


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


def test_every_language_has_every_segment_reviewed() -> None:
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
        if counts[State.REVIEWED] != sum(counts.values())
    ]
    assert incomplete == []


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from explainer.pipeline import build

    project = tmp_path_factory.mktemp("content") / "project"
    project.mkdir()
    for name in ("content", "templates", "i18n"):
        shutil.copytree(REPOSITORY / name, project / name)
    (project / "explainer.toml").write_text(
        (REPOSITORY / "explainer.toml").read_text(encoding="utf-8").replace("search = true", "search = false"),
        encoding="utf-8",
    )
    build(load_config(project), use_machine=False)
    return project / "site"


def test_timeline_dates_are_written_in_each_languages_own_way(built_site: Path) -> None:
    expected = {
        "fr": "19 septembre 2025",
        "en": "September 19, 2025",
        "ar": "19 سبتمبر 2025",
        "es": "19 de septiembre de 2025",
    }
    for language, date in expected.items():
        html = (built_site / language / "timeline" / "index.html").read_text(encoding="utf-8")
        assert f'<time class="event-date" datetime="2025-09-19">{date}</time>' in html


def test_an_article_page_with_its_css_stays_under_60_kb(built_site: Path) -> None:
    css = sum(path.stat().st_size for path in (built_site / "assets").glob("*.css"))
    articles = [path for language in ("fr", "en", "ar", "es") for path in (built_site / language).glob("*/index.html")]
    articles += [path for path in built_site.glob("*/background/*/index.html")]
    heaviest = max(articles, key=lambda path: path.stat().st_size)
    assert heaviest.stat().st_size + css <= 60 * 1024, f"{heaviest}: {heaviest.stat().st_size} + {css} bytes"
