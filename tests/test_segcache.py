"""Each segment converted once per language, and the segment cache (``render.segcache``):
the side-by-side view's pieces taken from the page's own conversion are the pieces its own
conversion gives; a warm cache converts nothing and changes nothing; a cache that is changed,
damaged or killed mid-write costs only time."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from explainer.build import build
from explainer.config import load_config
from explainer.model import OutputFile, TranslatedPage
from explainer.render import compare, pages, renderer, segcache
from explainer.render.markdown import RenderState
from explainer.render.renderer import Renderer
from tests.engines import ScriptedEngine, upper
from tests.project import REPOSITORY, make_project, publish_arabic_pages, tree

# Constructs whose HTML differs between a page and its side-by-side view: footnotes (cited
# twice, a note of two paragraphs, a label in words), nested lists, an aligned table, a quote,
# a link by reference, escaped characters, code.
TRICKY = """---
title: "Notes et tableaux"
kind: about
summary: "Une page *difficile* à rendre."
order: 5
---
## Des notes {#notes}

Une phrase avec une note[^a] et une autre[^note-2], puis la première encore[^a].

- Un point avec `du code` et *de l'emphase*
    - Un sous-point avec [un lien](/news/#chiffres)
- Un autre point

| Gauche | Droite |
|:---|---:|
| Paris & Bamako | 3 < 4 |

> Une citation avec **du gras** et Goïta.

Un lien [par référence][source] vers la source, et un [autre](#notes).

[source]: https://www.africanews.com/

[^a]: Première note, avec [un lien](https://example.org/).

    Son second paragraphe.

[^note-2]: Deuxième note.
"""


def _project(tmp_path: Path, name: str = "project") -> Path:
    project = make_project(tmp_path / name)
    (project / "content" / "tricky.md").write_text(TRICKY, encoding="utf-8")
    return project


def _engines() -> dict[str, Any]:
    # Stands in for Argos (tested for real in test_mt_argos.py): upper-case Latin text, which
    # the Arabic pages isolate in <bdi>, as they do real Latin names.
    return {"argos": ScriptedEngine(upper)}


def _with_machine(project: Path) -> Path:
    config = project / "explainer.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[site]", '[translation]\nengine = "argos"\n\n[site]', 1), encoding="utf-8")
    return project


@pytest.mark.parametrize("use_machine", [True, False], ids=["machine", "french-fallback"])
def test_side_by_side_pieces_from_the_page_are_the_pieces_of_the_views_own_conversion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_machine: bool
) -> None:
    given: list[tuple[str, int, int]] = []  # page, pieces from the page's conversion, segments

    def separately(self: Renderer, translated: TranslatedPage, view: bool = True) -> tuple[OutputFile, ...]:
        """The view converting every segment itself, as it did before sharing the conversion."""
        converted = pages.convert_page(self, translated)
        if translated.language != self.config.source_language:
            given.append((translated.page.path, len(converted.side), len(translated.segmented.segments)))
        page = pages.render_page(self, translated, converted)
        if translated.language == self.config.source_language or not view:
            return (page,)
        return page, compare.render_compare(self, translated, {})

    sites = []
    for name in ("shared", "own"):
        project = _project(tmp_path, name)
        if use_machine:
            _with_machine(project)
        else:  # the Arabic page shows French fallback text (lang, dir) beside its translated title
            publish_arabic_pages(project, {"tricky": ("Notes et tableaux", "ملاحظات وجداول")})
        if name == "own":
            monkeypatch.setattr(Renderer, "render_translated", separately)
        build(load_config(project), engines=_engines(), use_machine=use_machine, jobs=1, cache=False)
        sites.append(tree(project / "site"))
    assert sites[0] == sites[1]
    assert "ar/tricky/compare.html" in sites[0]
    # Most pieces came from the page; the one segment with a link by reference did not
    # (a page with reference definitions may resolve what a lone paragraph cannot).
    tricky = {(side, count) for path, side, count in given if path == "tricky"}
    assert tricky, "the tricky page was rendered in a translation"
    for side, count in tricky:
        plain = 2  # title and summary: shown as plain text by the page, converted by the view
        assert side == count - plain - 1, (side, count)


@dataclass
class _Conversions:
    """Markdown conversions made, by the page (and language) being rendered, and by converter."""

    renderer: Renderer | None = None
    current: tuple[str, str] = ("", "")
    made: list[tuple[tuple[str, str], str, tuple[int, ...]]] = field(default_factory=list)

    def by_page(self) -> dict[tuple[str, str], Counter[int]]:
        counted: dict[tuple[str, str], Counter[int]] = {}
        for page, language, indexes in self.made:
            if language == page[1]:
                counted.setdefault(page, Counter()).update(indexes)
        return counted

    def french_columns(self) -> Counter[str]:
        return Counter(page[0] for page, language, _ in self.made if language != page[1])


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Conversions]:
    """Wraps the converter: each conversion Markdown really makes (a cache hit makes none)."""
    seen = _Conversions()
    convert, render_translated = renderer.convert, Renderer.render_translated

    def counting(converter: Any, extension: Any, text: str, state: Any) -> str:
        assert seen.renderer is not None
        language = next(code for (code, _), (mine, _) in seen.renderer.markdown.items() if mine is converter)
        seen.made.append((seen.current, language, tuple(state.attributes)))
        return convert(converter, extension, text, state)

    def rendering(self: Renderer, translated: TranslatedPage, view: bool = True) -> tuple[OutputFile, ...]:
        seen.renderer, seen.current = self, (translated.page.path, translated.language)
        return render_translated(self, translated, view)

    monkeypatch.setattr(renderer, "convert", counting)
    monkeypatch.setattr(Renderer, "render_translated", rendering)
    yield seen


def _edit_template(project: Path, mark: str) -> None:
    """Edit the template every page and side-by-side view extends: every file is rendered again."""
    template = project / "templates" / "base.html"
    text = template.read_text(encoding="utf-8")
    assert "{% block main %}" in text
    template.write_text(text.replace("{% block main %}", mark + "{% block main %}", 1), encoding="utf-8")


def _cold(tmp_path: Path, project: Path, name: str) -> dict[str, bytes]:
    """The site of ``project`` as it is now, built cold elsewhere (no build cache, no segment cache)."""
    import shutil

    cold = tmp_path / name
    shutil.copytree(project, cold, ignore=shutil.ignore_patterns("site", ".cache"))
    build(load_config(cold), engines=_engines(), jobs=1, cache=False)
    return tree(cold / "site")


def _keys(project: Path) -> set[str]:
    with sqlite3.connect(project / segcache.CACHE_FILE) as db:
        return {key for (key,) in db.execute("SELECT key FROM conversions")}


def test_a_cold_build_converts_each_segment_once_per_language_and_a_template_edit_none(
    tmp_path: Path, conversions: _Conversions
) -> None:
    project = _with_machine(_project(tmp_path))
    build(load_config(project), engines=_engines(), jobs=1)
    counted = conversions.by_page()
    assert ("tricky", "ar") in counted and ("news", "en") in counted
    for (path, language), indexes in counted.items():
        # Every segment of the page, converted once: the page's conversions gave the view its pieces,
        # but for the tricky page's link by reference, which the view converts again on its own.
        twice = 1 if path == "tricky" and language != "fr" else 0
        assert sorted(indexes.values()) == [1] * (len(indexes) - twice) + [2] * twice, (path, language, indexes)
    # The French column of the side-by-side views: once per page, whatever the number of languages.
    assert set(conversions.french_columns().values()) == {1}
    conversions.made.clear()
    _edit_template(project, "<!-- v2 -->")
    report = build(load_config(project), engines=_engines(), jobs=1)
    assert conversions.made == []
    assert report.site_changed
    assert tree(project / "site") == _cold(tmp_path, project, "cold")


@pytest.mark.parametrize("memory_committed", [False, True], ids=["memory-as-committed", "memory-as-built"])
def test_a_fresh_checkout_with_the_last_build_s_cache_converts_nothing(
    tmp_path: Path, conversions: _Conversions, monkeypatch: pytest.MonkeyPatch, memory_committed: bool
) -> None:
    """What a deployment builds from (``.github/workflows/deploy.yml``): the repository checked out
    anew (no site folder, every file new) and the last deployment's ``.cache/explainer/`` restored.
    No Markdown is converted again, and the site is the last deployment's. With the memory as
    committed (without what the last deployment's engine wrote into it), those pages are read and
    machine-translated again; with the memory as that build left it, no page is even read."""
    import shutil

    from explainer.translate import segment

    project = _with_machine(_project(tmp_path))
    committed = tmp_path / "committed"
    shutil.copytree(project, committed)
    build(load_config(project), engines=_engines(), jobs=1)
    site = tree(project / "site")
    if memory_committed:
        shutil.rmtree(committed / "i18n")
        shutil.copytree(project / "i18n", committed / "i18n")
    kept = tmp_path / "kept"
    shutil.copytree(project / ".cache" / "explainer", kept)
    shutil.rmtree(project)
    shutil.copytree(committed, project, copy_function=shutil.copyfile)  # a checkout: new files
    shutil.copytree(kept, project / ".cache" / "explainer")
    segmented: list[str] = []
    segment_pages = segment.segment_pages

    def counting(pages: tuple[Any, ...], workers: int = 1) -> Any:
        segmented.extend(page.path for page in pages)
        return segment_pages(pages, workers)

    monkeypatch.setattr(segment, "segment_pages", counting)
    conversions.made.clear()
    engine = ScriptedEngine(upper)
    report = build(load_config(project), engines={"argos": engine}, jobs=1)
    assert conversions.made == []
    assert report.site_changed
    assert tree(project / "site") == site
    if memory_committed:
        assert segmented == [] and engine.calls == []
    else:
        assert segmented and engine.calls


def _edit_page_template(project: Path, mark: str) -> None:
    """Edit the content pages' template alone: their side-by-side views are kept."""
    template = project / "templates" / "page.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("{% block main %}", "{% block main %}" + mark, 1), encoding="utf-8")


def test_a_page_rendered_again_as_it_was_replays_its_conversions_by_the_keys_kept_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, conversions: _Conversions
) -> None:
    project = _with_machine(_project(tmp_path))
    build(load_config(project), engines=_engines(), jobs=1)
    keys_made: list[str] = []
    making = renderer.conversion_key

    def counting(setup: tuple[str, ...], text: str, state: RenderState) -> str:
        keys_made.append(text)
        return making(setup, text, state)

    monkeypatch.setattr(renderer, "conversion_key", counting)
    conversions.made.clear()
    _edit_page_template(project, "<!-- v2 -->")
    report = build(load_config(project), engines=_engines(), jobs=1)
    # Every page rendered again, none of its texts made again to be hashed, nothing converted.
    assert report.site_changed and report.files_written > 0
    assert keys_made == [] and conversions.made == []
    assert tree(project / "site") == _cold(tmp_path, project, "cold")

    # The kept keys lead to conversions the file no longer has: each page converts again, as it would.
    with sqlite3.connect(project / segcache.CACHE_FILE) as db:
        rows = dict(db.execute("SELECT key, value FROM conversions").fetchall())
        kept = {key for key, value in rows.items() if _is_keys(value)}
        assert kept and len(kept) < len(rows)
        db.executemany("DELETE FROM conversions WHERE key = ?", ((key,) for key in rows.keys() - kept))
    _edit_page_template(project, "<!-- v3 -->")
    build(load_config(project), engines=_engines(), jobs=1)
    assert keys_made and {page for page, _, _ in conversions.made} >= {("tricky", "ar"), ("news", "en")}
    assert tree(project / "site") == _cold(tmp_path, project, "cold again")


def _is_keys(value: str) -> bool:
    """Whether a segment cache entry holds the keys of a page's conversions (not a conversion)."""
    import json
    import re

    found = json.loads(value)
    return all(isinstance(key, str) and re.fullmatch("[0-9a-f]{64}", key) for key in found)


def test_a_new_grammar_version_converts_everything_again_and_drops_the_old_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, conversions: _Conversions
) -> None:
    project = _with_machine(_project(tmp_path))
    build(load_config(project), engines=_engines(), jobs=1)
    cold_count, old_keys = len(conversions.made), _keys(project)
    conversions.made.clear()
    monkeypatch.setattr(segcache, "GRAMMAR_VERSION", segcache.GRAMMAR_VERSION + 1)
    _edit_template(project, "<!-- v2 -->")
    build(load_config(project), engines=_engines(), jobs=1)
    assert len(conversions.made) == cold_count
    assert tree(project / "site") == _cold(tmp_path, project, "cold")
    # That build rendered every page: the entries it did not use are gone.
    new_keys = _keys(project)
    assert len(new_keys) == len(old_keys) and not new_keys & old_keys


def test_a_conversion_key_changes_with_every_input_and_only_with_them() -> None:
    from explainer.render.markdown import SideSegment

    def key(
        text: str = "\ue0000\ue001Un *texte*",
        attributes: dict[int, dict[str, str]] | None = None,
        side: dict[int, SideSegment] | None = None,
        setup: tuple[str, ...] = ("Retour",),
        isolate_latin: bool = False,
    ) -> str:
        state = RenderState(
            {0: {"id": "a"}} if attributes is None else attributes,
            lambda link: link,
            isolate_latin=isolate_latin,
            side={0: SideSegment("Un *texte*", {"data-state": "translated"})} if side is None else side,
        )
        return segcache.conversion_key(setup, text, state)

    same = key()
    assert key() == same  # the same inputs, another state object: the same key
    variants = [
        key(text="\ue0000\ue001Un *texte*."),
        key(attributes={0: {"id": "b"}}),
        key(attributes={0: {"id": "a", "lang": "fr"}}),
        key(attributes={1: {"id": "a"}}),
        key(side={0: SideSegment("Un *texte*.", {"data-state": "translated"})}),
        key(side={0: SideSegment("Un *texte*", {"data-state": "machine"})}),
        key(side={1: SideSegment("Un *texte*", {"data-state": "translated"})}),
        key(side={}),
        key(setup=("Back",)),
        key(isolate_latin=True),
        # Text moved between the page's text and a piece's: the lengths tell them apart.
        key(text="A\0B", side={0: SideSegment("", {})}),
        key(text="A", side={0: SideSegment("B\0", {})}),
    ]
    assert len({same, *variants}) == len(variants) + 1


def test_a_hit_resolves_its_links_again_and_reports_those_now_broken(tmp_path: Path, conversions: _Conversions) -> None:
    from explainer.errors import ContentError

    project = _with_machine(_project(tmp_path))
    build(load_config(project), engines=_engines(), jobs=1)
    conversions.made.clear()
    # The news page loses the heading the tricky page links to: the tricky page's own text did
    # not change, and its conversions come from the cache, but its link is now broken.
    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace(" {#chiffres}", ""), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        build(load_config(project), engines=_engines(), jobs=1)
    assert not [made for made in conversions.made if made[0][0] == "tricky"]
    assert (
        "content/tricky.md:12: link to '/news/#chiffres': that page has no heading with id 'chiffres'"
        in str(raised.value).splitlines()
    )


def test_an_entry_whose_links_resolve_otherwise_now_is_a_miss(tmp_path: Path) -> None:
    made: list[str] = []

    def conversion(state: RenderState) -> str:
        """Stands in for a Markdown conversion: it meets a site link, an unsafe link, an external
        image, and loses a segment (the real conversions are counted in the tests above)."""
        made.append(state.resolve_link("/a/"))
        state.bad_links.append("javascript:alert(1)")
        state.external_images.append("https://example.org/x.png")
        state.unmarked.append(1)
        state.side_html[0] = "<p>piece</p>"
        return f'<p><a href="{made[-1]}">a</a></p>'

    def state(url: str) -> RenderState:
        return RenderState({0: {}, 1: {}}, lambda link: url)

    cache = segcache.SegmentCache(tmp_path)
    first = state("../a/")
    assert cache.convert("key", first, conversion) == '<p><a href="../a/">a</a></p>'
    assert cache.save(every_page=True) == ()
    cache = segcache.SegmentCache(tmp_path)  # as the next build reads it
    again = state("../a/")
    assert cache.convert("key", again, conversion) == '<p><a href="../a/">a</a></p>'
    assert made == ["../a/"]  # a hit: what the conversion found comes with it
    found = (again.bad_links, again.external_images, again.unmarked, again.side_html)
    assert found == (["javascript:alert(1)"], ["https://example.org/x.png"], [1], {0: "<p>piece</p>"})
    moved = state("../../a/")
    assert cache.convert("key", moved, conversion) == '<p><a href="../../a/">a</a></p>'
    assert made == ["../a/", "../../a/"]  # the link resolves to another URL now: converted again
    assert moved.bad_links == ["javascript:alert(1)"]


def test_a_damaged_cache_file_is_a_cold_build_with_a_note(tmp_path: Path, conversions: _Conversions) -> None:
    project = _with_machine(_project(tmp_path))
    build(load_config(project), engines=_engines(), jobs=1)
    cold_count = len(conversions.made)
    (project / segcache.CACHE_FILE).write_bytes(b"not a database" * 1000)
    conversions.made.clear()
    _edit_template(project, "<!-- v2 -->")
    report = build(load_config(project), engines=_engines(), jobs=1)
    assert len(conversions.made) == cold_count
    assert any("segment cache cannot be read" in note for note in report.notes)
    assert tree(project / "site") == _cold(tmp_path, project, "cold")
    # The damaged file was replaced by a working one.
    conversions.made.clear()
    _edit_template(project, "<!-- v3 -->")
    report = build(load_config(project), engines=_engines(), jobs=1)
    assert conversions.made == [] and report.notes == ()


def test_check_neither_reads_nor_writes_the_segment_cache(tmp_path: Path, conversions: _Conversions) -> None:
    from explainer.build import check

    project = _with_machine(_project(tmp_path))
    check(load_config(project))
    assert not (project / segcache.CACHE_FILE).exists()
    build(load_config(project), engines=_engines(), jobs=1)
    before = (project / segcache.CACHE_FILE).read_bytes()
    conversions.made.clear()
    check(load_config(project))
    assert conversions.made  # converted in memory, as always
    assert (project / segcache.CACHE_FILE).read_bytes() == before


# A build in a process of its own, killed (SIGKILL: nothing runs after it) at a chosen point.
_KILLED_BUILD = """
import os, signal, sqlite3, sys
from pathlib import Path
from explainer.build import build
from explainer.config import load_config
from explainer.render import renderer

where = sys.argv[2]
if where == "render":
    rendered = []

    def and_die(render):
        def render_and_die(self, *args):
            rendered.append(args)
            if len(rendered) == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            return render(self, *args)

        return render_and_die

    # A page rendered whole, or again from its kept parts.
    renderer.Renderer.render_translated = and_die(renderer.Renderer.render_translated)
    renderer.Renderer.render_kept = and_die(renderer.Renderer.render_kept)
else:
    connect = sqlite3.connect
    statement_start = {"write": "INSERT OR REPLACE INTO conversions", "commit": "COMMIT"}[where]

    def connect_and_die(path, *args, **kwargs):
        db = connect(path, *args, **kwargs)

        def trace(statement):
            if statement.startswith(statement_start):
                os.kill(os.getpid(), signal.SIGKILL)

        if str(path).endswith("segments.sqlite"):
            db.set_trace_callback(trace)
        return db

    sqlite3.connect = connect_and_die
build(load_config(Path(sys.argv[1])), use_machine=False, jobs=1)
"""


@pytest.mark.parametrize("where", ["render", "write", "commit"])
def test_the_segment_cache_survives_a_killed_build(tmp_path: Path, where: str) -> None:
    project = _project(tmp_path)
    build(load_config(project), use_machine=False, jobs=1)
    _edit_template(project, "<!-- v2 -->")
    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Un point", "Un seul point"), encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    saved = _keys(project)
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_BUILD, str(project), where], env=environment, capture_output=True, check=False
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert _keys(project) == saved  # nothing of the killed build's entries (its transaction rolled back)
    build(load_config(project), use_machine=False, jobs=1)
    cold = tmp_path / "cold"
    import shutil

    shutil.copytree(project, cold, ignore=shutil.ignore_patterns("site", ".cache"))
    build(load_config(cold), use_machine=False, jobs=1, cache=False)
    assert tree(project / "site") == tree(cold / "site")
    with sqlite3.connect(project / segcache.CACHE_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_cache_keeps_at_most_max_entries_the_newest_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segcache, "MAX_ENTRIES", 3)

    def conversion(state: RenderState) -> str:
        return "<p>x</p>"

    for build_number, keys in enumerate((["a", "b"], ["c", "d"], ["e"])):
        cache = segcache.SegmentCache(tmp_path)
        for key in keys:
            cache.convert(key, RenderState({}, str), conversion)
        assert cache.save(every_page=False) == (), build_number  # an incremental build: nothing pruned for age
    with sqlite3.connect(tmp_path / segcache.CACHE_FILE) as db:
        assert sorted(key for (key,) in db.execute("SELECT key FROM conversions")) == ["c", "d", "e"]


def test_an_entry_used_again_is_as_new_as_the_build_that_used_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries used again are marked apart from their HTML: a build that renders every page keeps
    those it used and those it made, and the cap drops the least recently made or used first."""
    monkeypatch.setattr(segcache, "MAX_ENTRIES", 3)

    def conversion(state: RenderState) -> str:
        return "<p>x</p>"

    def stored() -> list[str]:
        with sqlite3.connect(tmp_path / segcache.CACHE_FILE) as db:
            return sorted(key for (key,) in db.execute("SELECT key FROM conversions"))

    def one_build(used: list[str], made: list[str], every_page: bool) -> None:
        cache = segcache.SegmentCache(tmp_path)
        for key in used:
            assert cache.replay(key, RenderState({}, str)) == "<p>x</p>", key
        for key in made:
            cache.convert(key, RenderState({}, str), conversion)
        assert cache.save(every_page) == ()

    one_build([], ["a", "b"], every_page=False)
    one_build([], ["c"], every_page=False)
    one_build(["a"], ["d"], every_page=False)  # four entries: b, made first and not used since, goes
    assert stored() == ["a", "c", "d"]
    one_build(["a", "d"], ["e"], every_page=True)  # c, not used by a build of every page, goes
    assert stored() == ["a", "d", "e"]
    one_build(["e"], [], every_page=True)
    assert stored() == ["e"]
