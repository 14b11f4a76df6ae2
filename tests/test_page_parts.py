"""A page's parts kept between builds (``render.pages.PageParts``): a page rendered again as it
was (a template edit, a change elsewhere in the site) is rendered from them without decoding its
translations or converting anything, and gives the page a whole rendering would give; where the
parts cannot tell (a site link that now resolves otherwise or is broken, an id the templates now
give), the page is rendered whole, and says why."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from explainer import pagecache
from explainer.build import build
from explainer.config import load_config
from explainer.errors import ContentError
from explainer.render import pages
from explainer.render.renderer import Renderer
from tests.engines import ScriptedEngine, upper
from tests.project import make_project, tree


def _project(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "project")
    in_short = 'in_short:\n  - "Un *premier* point."\n  - "Un deuxième point."\n  - "Un [troisième](/news/)."\n'
    _edit(project, "content/news.md", "\n---\n", "\n" + in_short + "---\n")
    config = project / "explainer.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[site]", '[translation]\nengine = "argos"\n\n[site]', 1), encoding="utf-8")
    return project


def _build(project: Path, **options: Any) -> None:
    # Stands in for Argos (tested for real in test_mt_argos.py): the pages' notices then name an engine.
    build(load_config(project), engines={"argos": ScriptedEngine(upper)}, jobs=1, **options)


def _edit(project: Path, relative: str, old: str, new: str, count: int = 1) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} in {relative}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _cold(tmp_path: Path, project: Path) -> dict[str, bytes]:
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    shutil.copytree(project, cold, ignore=shutil.ignore_patterns("site", ".site.*", ".cache"))
    _build(cold, cache=False)
    return tree(cold / "site")


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple[str, str]]]:
    """The pages decoded (their translations read from the page cache), rendered whole, and
    rendered from their kept parts, from now on."""
    found: dict[str, list[tuple[str, str]]] = {"decoded": [], "whole": [], "kept": []}
    decoded, whole, kept = pagecache.CachedPage.decoded, Renderer.render_translated, Renderer.render_kept

    def decoding(self: pagecache.CachedPage) -> Any:
        found["decoded"].append(self.unit)
        return decoded(self)

    def rendering_whole(self: Renderer, translated: Any, view: bool = True) -> Any:
        found["whole"].append((translated.page.path, translated.language))
        return whole(self, translated, view)

    def rendering_kept(self: Renderer, unit: tuple[str, str], segmented: Any) -> Any:
        file = kept(self, unit, segmented)
        if file is not None:
            found["kept"].append(unit)
        return file

    monkeypatch.setattr(pagecache.CachedPage, "decoded", decoding)
    monkeypatch.setattr(Renderer, "render_translated", rendering_whole)
    monkeypatch.setattr(Renderer, "render_kept", rendering_kept)
    return found


def test_a_page_template_edit_renders_every_page_from_its_kept_parts(
    tmp_path: Path, calls: dict[str, list[tuple[str, str]]]
) -> None:
    project = _project(tmp_path)
    _build(project)
    assert calls["whole"] and not calls["kept"]  # a cold build renders every page whole
    every_page = sorted(calls["whole"])
    for made in calls.values():
        made.clear()
    _edit(project, "templates/page.html", "{% block main %}", "{% block main %}<!-- v2 -->")
    _build(project)
    # The content pages' template alone: their side-by-side views are kept, and so are their parts.
    assert sorted(calls["kept"]) == every_page
    assert calls["decoded"] == [] and calls["whole"] == []
    assert tree(project / "site") == _cold(tmp_path, project)


def _built(tmp_path: Path, calls: dict[str, list[tuple[str, str]]]) -> Path:
    """The project, built, with what its build counted forgotten."""
    project = _project(tmp_path)
    _build(project)
    for made in calls.values():
        made.clear()
    return project


def _shape(value: object) -> object:
    """The types in ``value``, all the way down (``==`` says a ``Markup`` equals its ``str``)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [type(value), *map(_shape, value)]
    return type(value)


def test_the_parts_read_back_are_the_parts_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[pages.PageParts] = []
    keep = Renderer.keep_parts

    def keeping(self: Renderer, path: str, language: str, parts: pages.PageParts) -> None:
        made.append(parts)
        keep(self, path, language, parts)

    monkeypatch.setattr(Renderer, "keep_parts", keeping)
    _build(_project(tmp_path))
    assert len(made) >= 20
    # Among them: Markup in plain fields, entries and the "in short" box, a machine notice, source descriptions.
    assert any(parts.in_short is not None for parts in made)
    assert any(parts.entries for parts in made) and any(parts.descriptions for parts in made)
    assert any(parts.status["engines"] for parts in made) and any(parts.links for parts in made)
    for parts in made:
        again = pages.PageParts.decode(parts.encode())
        assert again == parts
        for field in ("fields", "body", "in_short", "entries", "descriptions", "status", "links"):
            assert _shape(getattr(again, field)) == _shape(getattr(parts, field)), field
    assert isinstance(made[0].fields["title"]["attrs"], Markup)


def test_a_link_the_parts_resolved_that_is_now_broken_is_reported_where_it_is_written(
    tmp_path: Path, calls: dict[str, list[tuple[str, str]]]
) -> None:
    project = _built(tmp_path, calls)
    # The heading the news page links to is renamed: the news page itself is as it was.
    _edit(project, "content/original.md", "## Le texte", "## Le récit", count=2)
    with pytest.raises(ContentError) as raised:
        _build(project)
    assert "content/news.md:46: link to '/original/#le-texte': that page has no heading with id 'le-texte'" in str(
        raised.value
    )
    # The French page too, which has no side-by-side view: rendered whole, not from its parts.
    assert ("news", "fr") in calls["whole"] and ("news", "fr") not in calls["kept"]


def test_a_link_the_parts_resolved_that_now_leads_elsewhere_is_resolved_again(
    tmp_path: Path, calls: dict[str, list[tuple[str, str]]]
) -> None:
    project = _built(tmp_path, calls)
    # The news page links to the original's first "Le texte": renamed, the second one takes its id.
    # (Its translations are rendered whole: their side-by-side views show the site's headings too.)
    _edit(project, "content/original.md", "## Le texte", "## Le récit")
    _build(project)
    assert ("news", "fr") in calls["kept"]  # its links resolve as they did: the same URL
    assert tree(project / "site") == _cold(tmp_path, project)


def test_an_id_the_templates_now_give_is_reported_though_the_page_did_not_change(
    tmp_path: Path, calls: dict[str, list[tuple[str, str]]]
) -> None:
    project = _project(tmp_path)
    _build(project)
    _edit(project, "templates/page.html", "{% block main %}", '{% block main %}<span id="chiffres"></span>')
    with pytest.raises(ContentError) as raised:
        _build(project)
    assert "heading id '#chiffres' is already used by the templates (templates/page.html)" in str(raised.value)
