"""The registry of page kinds: what each kind needs, and a new kind added in one place."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from explainer.build import build
from explainer.config import load_config
from explainer.errors import ContentError
from explainer.kinds import KINDS, DataSegment, PageKind, data_segments, kind_names, page_kind
from explainer.load.content import load_content
from explainer.model import GlossaryEntry, Page, TimelineEntry
from tests.project import REPOSITORY, make_project


def _page(kind: str, **data: object) -> Page:
    return Page(
        "p", "content/p.md", kind, "Titre", "Résumé.", datetime.date(2025, 1, 1), None, 0, None, (), "", 6, **data
    )  # type: ignore[arg-type]


def test_kinds_are_listed_in_the_order_messages_and_the_handbook_give() -> None:
    assert kind_names() == ("home", "news", "original", "background", "timeline", "glossary", "people", "about")
    assert "use one of: home, news, original, background, timeline, glossary, people, about" in (
        REPOSITORY / "docs" / "checking.md"
    ).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", kind_names())
def test_every_kind_has_its_template_and_data_kinds_both_a_loader_and_a_segmenter(name: str) -> None:
    kind = page_kind(name)
    assert (REPOSITORY / "templates" / kind.template).is_file()
    assert (kind.load_data is None) == (kind.segment_data is None)


def test_what_each_kind_needs_and_shows() -> None:
    assert [name for name in kind_names() if page_kind(name).needs_date] == ["news", "original", "background"]
    assert [name for name in kind_names() if page_kind(name).needs_sources] == ["news", "original", "background"]
    assert [name for name in kind_names() if page_kind(name).in_feeds] == ["news", "original", "background"]
    assert [name for name in kind_names() if page_kind(name).shows_map] == ["home", "background"]
    assert [name for name in kind_names() if page_kind(name).has_data] == ["timeline", "glossary"]
    assert page_kind("timeline").template == "timeline.html"
    assert page_kind("glossary").template == "glossary.html"
    assert page_kind("news").template == "page.html"


def test_data_segments_come_from_the_page_s_kind() -> None:
    event = TimelineEntry("2012", "Une année.", (), 4)
    term = GlossaryEntry("jnim", "JNIM", "Groupe de soutien", "Une coalition.", 7)
    assert data_segments(_page("timeline", timeline=(event,))) == (DataSegment("Une année.", 4, "event", 0),)
    assert data_segments(_page("glossary", glossary=(term,))) == (
        DataSegment("JNIM", 7, "term", 0),
        DataSegment("Groupe de soutien", 7, "expansion", 0),
        DataSegment("Une coalition.", 7, "definition", 0),
    )
    assert data_segments(_page("about")) == ()


# -- a kind added in a fixture: one PageKind (and its template) is all it takes -----------------

DOSSIER = """---
title: "Le dossier"
kind: dossier
summary: "Tout sur la rupture."
date: 2026-01-10
sources:
  - {outlet: "AFP", title: "Dépêche", date: 2026-01-09}
---
Le texte du dossier.
"""

CHRONOLOGY = """---
title: "Autre chronologie"
kind: chronology
summary: "Les dates d'un autre fil."
---
Un second fil de dates.
"""

CHRONOLOGY_DATA = """- date: "2014-08"
  text: "Le début d'une opération."
  sources:
    - {outlet: "AFP", title: "Dépêche", date: 2014-08-01}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture site with two more kinds: a dated one in the feeds with its own template, and a
    third data-backed kind that reads its entries as a timeline."""
    timeline = page_kind("timeline")
    monkeypatch.setitem(
        KINDS,
        "dossier",
        PageKind("dossier", "dossier.html", needs_date=True, needs_sources=True, in_feeds=True),
    )
    monkeypatch.setitem(
        KINDS,
        "chronology",
        PageKind("chronology", "timeline.html", load_data=timeline.load_data, segment_data=timeline.segment_data),
    )
    project = make_project(tmp_path / "project")
    (project / "templates" / "dossier.html").write_text(
        '{% extends "page.html" %}\n'
        '{% block main %}<p class="dossier">{{ title.text }}</p>{{ super() }}{% endblock %}\n',
        encoding="utf-8",
    )
    (project / "content" / "dossier.md").write_text(DOSSIER, encoding="utf-8")
    (project / "content" / "chronology.md").write_text(CHRONOLOGY, encoding="utf-8")
    (project / "content" / "chronology.yaml").write_text(CHRONOLOGY_DATA, encoding="utf-8")
    return project


def test_a_registered_kind_is_built_with_its_template_feed_and_data_loader(project: Path) -> None:
    build(load_config(project), use_machine=False, jobs=1)
    site = project / "site"
    dossier = (site / "fr" / "dossier" / "index.html").read_text(encoding="utf-8")
    assert '<p class="dossier">Le dossier</p>' in dossier
    assert "Le texte du dossier." in dossier
    assert "https://example.org/explainer/fr/dossier/" in (site / "fr" / "feed.xml").read_text(encoding="utf-8")
    # Not in the feed: its kind says so.
    assert "fr/chronology/" not in (site / "fr" / "feed.xml").read_text(encoding="utf-8")
    chronology = (site / "fr" / "chronology" / "index.html").read_text(encoding="utf-8")
    assert "<p>Le début d'une opération.</p>" in chronology
    assert 'id="e-2014-08"' in chronology
    memory = (project / "i18n" / "en" / "content" / "chronology.po").read_text(encoding="utf-8")
    # Segmented by the kind's segmenter: a unit of the translation memory like any other.
    assert 'msgid "Le début d\'une opération."' in memory


def test_a_registered_kind_s_needs_are_checked_when_loading(project: Path) -> None:
    (project / "content" / "dossier.md").write_text(
        DOSSIER.replace("date: 2026-01-10\n", "").replace(
            'sources:\n  - {outlet: "AFP", title: "Dépêche", date: 2026-01-09}\n', ""
        ),
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as raised:
        load_content(project / "content", project)
    assert [str(problem) for problem in raised.value.problems] == [
        "content/dossier.md:2: a 'dossier' page needs 'sources'",
        "content/dossier.md:2: a 'dossier' page needs a 'date'",
    ]


def test_an_unknown_kind_lists_the_registered_ones(project: Path) -> None:
    (project / "content" / "dossier.md").write_text(DOSSIER.replace("kind: dossier", "kind: dosier"), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_content(project / "content", project)
    assert [str(problem) for problem in raised.value.problems] == [
        "content/dossier.md:3: unknown kind 'dosier'; did you mean 'dossier'? use one of: home, news, original, "
        "background, timeline, glossary, people, about, dossier, chronology"
    ]
