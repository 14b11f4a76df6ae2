"""One hreflang cluster per page, shared by the pages, the chooser and the sitemap."""

from __future__ import annotations

from pathlib import Path

import pytest

from explainer.config import Config, load_config
from explainer.model import SiteMap
from explainer.render.hreflang import Alternate, Alternates, alternates
from tests.project import make_project

BASE = "https://example.org/explainer/"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return load_config(make_project(tmp_path_factory.mktemp("hreflang") / "project"))


def _site_map() -> SiteMap:
    return SiteMap(
        source_language="fr",
        languages=("fr", "en", "ar", "es"),
        published={"": ("fr", "en"), "news": ("fr", "en", "ar"), "about": ("fr",)},
        titles={},
        order=("", "news", "about"),
        anchors={},
        noindex=frozenset({("news", "ar")}),
    )


def test_the_home_page_s_x_default_is_the_language_chooser(config: Config) -> None:
    assert alternates(config, _site_map(), "") == Alternates(
        (Alternate("fr", BASE + "fr/"), Alternate("en", BASE + "en/")), BASE
    )


def test_a_page_s_cluster_leaves_out_languages_kept_from_search_engines(config: Config) -> None:
    assert alternates(config, _site_map(), "news") == Alternates(
        (Alternate("fr", BASE + "fr/news/"), Alternate("en", BASE + "en/news/")), BASE + "fr/news/"
    )


def test_a_page_only_in_the_source_language(config: Config) -> None:
    assert alternates(config, _site_map(), "about") == Alternates(
        (Alternate("fr", BASE + "fr/about/"),), BASE + "fr/about/"
    )


def test_built_pages_and_the_sitemap_give_the_same_cluster(tmp_path: Path) -> None:
    from explainer.build import build

    project = make_project(tmp_path / "project")
    build(load_config(project), use_machine=False, jobs=1)
    site = project / "site"
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    news = (site / "fr" / "news" / "index.html").read_text(encoding="utf-8").split("</head>")[0]
    cluster = alternates(load_config(project), _site_map(), "news")  # fr and en: as built, below
    for alternate in (*cluster.links, Alternate("x-default", cluster.x_default)):
        assert f'<link rel="alternate" hreflang="{alternate.lang}" href="{alternate.url}">' in news
        assert f'<xhtml:link rel="alternate" hreflang="{alternate.lang}" href="{alternate.url}"/>' in sitemap
