"""The build cache: a rebuild redoes only what changed, and its output is the output of a
cold build, after any sequence of edits (content, memory, templates, configuration)."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest

import explainer.build
import explainer.render.lists
import explainer.render.renderer
import explainer.render.rows
import explainer.write.listing
import explainer.write.output
from explainer.build import build
from explainer.cache import CACHE_DIR
from explainer.config import load_config
from explainer.errors import ContentError, TranslationMemoryError
from explainer.model import OutputFile
from explainer.render.lists import SiteWideFile
from explainer.render.renderer import Renderer
from tests.engines import ScriptedEngine, upper
from tests.project import make_project, tree


def _project(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "project")
    config = project / "explainer.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[site]", '[translation]\nengine = "argos"\n\n[site]'))
    return project


def _edit(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _build(project: Path, **options: object) -> tuple[object, ScriptedEngine]:
    # The scripted engine stands in for Argos (tested for real in test_mt_argos.py): it counts
    # the segments it is sent.
    engine = ScriptedEngine(upper)
    report = build(load_config(project), engines={"argos": engine}, jobs=1, **options)  # type: ignore[arg-type]
    return report, engine


def _sent(engine: ScriptedEngine) -> list[str]:
    return [text for call in engine.calls for text in call]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("a paragraph", lambda p: _edit(p, "content/news.md", "Deux diplomates maliens", "Trois diplomates maliens")),
    ("a reviewed translation", lambda p: _edit(p, "i18n/en/content/news.po", '"The facts"', '"What happened"')),
    ("a page template", lambda p: _edit(p, "templates/page.html", "{% block main %}", "{% block main %}<!-- v2 -->")),
    ("the configuration", lambda p: _edit(p, "explainer.toml", 'title = "Test site"', 'title = "The test site"')),
    (
        "a UI catalog",
        lambda p: _edit(p, "i18n/fr/LC_MESSAGES/messages.po", '"État de la traduction"', '"Où en est la traduction"'),
    ),
    ("a timeline entry", lambda p: _edit(p, "content/timeline.yaml", 'text: "', 'text: "Ce jour-là : ')),
    (
        "a new page linked from another",
        lambda p: (
            _write(
                p / "content/extra.md",
                '---\ntitle: "En plus"\nkind: about\nsummary: "Une page de plus."\n---\n## Une section\n\nUn texte.\n',
            ),
            _edit(p, "content/news.md", "Trois diplomates", "Trois diplomates ([plus](/extra/#une-section))"),
        ),
    ),
    ("a heading", lambda p: _edit(p, "content/extra.md", "## Une section", "## Une autre section {#une-section}")),
    (
        "a publishing policy",
        lambda p: _edit(p, "explainer.toml", "[languages.es]", "[languages.es]\nnoindex_machine = false"),
    ),
    (
        "a page removed",
        lambda p: (
            (p / "content/extra.md").unlink(),
            _edit(p, "content/news.md", " ([plus](/extra/#une-section))", ""),
        ),
    ),
    (
        "the glossary of names, with a new paragraph that uses it",
        lambda p: (
            _write(p / "i18n/glossary.yaml", 'names:\n  - {fr: "Bamako", ar: "باماكو"}\nterms: []\n'),
            _edit(p, "content/news.md", "## Les chiffres", "Bamako est la capitale.\n\n## Les chiffres"),
        ),
    ),
    (
        "the places of the map",
        lambda p: _write(
            p / "content/places.yaml",
            '- id: bamako\n  name: "Bamako"\n  latitude: 12.64\n  longitude: -8.00\n'
            "  mentions:\n    - /news/#chiffres\n    - /timeline/#e-2025-09-19\n",
        ),
    ),
    # The list under the map names the heading: its page is not the one that changed.
    (
        "a heading a place links to",
        lambda p: _edit(p, "content/news.md", "## Les chiffres {#chiffres}", "## Les chiffres clés {#chiffres}"),
    ),
    ("a place's coordinates", lambda p: _edit(p, "content/places.yaml", "latitude: 12.64", "latitude: 12.65")),
    # The sitemap's and the feeds' dates.
    ("a page's date of update", lambda p: _edit(p, "content/news.md", "updated: 2026-06-05", "updated: 2026-06-07")),
    # What the feeds show of a page besides its title: its summary and its date of publication.
    (
        "a page's summary",
        lambda p: _edit(p, "content/news.md", 'summary: "La France suspend', 'summary: "Paris suspend'),
    ),
    ("a page's date of publication", lambda p: _edit(p, "content/news.md", "date: 2025-09-19", "date: 2025-09-18")),
]


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The site and standby listings the build's own process makes, with another thread running,
    as in ``serve`` (so that the site is listed in this process, not in a forked child)."""
    made: list[str] = []
    site_listing, generation_files = explainer.write.listing.site_listing, explainer.write.output.generation_files

    def listing_site(*arguments: object) -> object:
        made.append("site")
        return site_listing(*arguments)  # type: ignore[arg-type]

    def listing_standby(*arguments: object) -> object:
        made.append("standby")
        return generation_files(*arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(explainer.write.listing, "site_listing", listing_site)
    monkeypatch.setattr(explainer.write.output, "generation_files", listing_standby)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    yield made
    stop.set()
    other.join()


@pytest.mark.parametrize("held", [False, True], ids=["listed", "held"])
def test_incremental_output_equals_a_cold_build_after_every_edit(
    tmp_path: Path, listings: list[str], held: bool
) -> None:
    # Held: as in `serve`, each build holds the listings of the two generations it left, and the
    # next lists neither (the cold build's too: it made the other generation of links to its files);
    # and the dashboards' rows are kept in memory, each section patched by the next build.
    project = _project(tmp_path)
    listed = explainer.write.listing.held_in_process() if held else contextlib.nullcontext()
    with listed, explainer.render.rows.kept_in_process() if held else contextlib.nullcontext():
        _build(project)
        for step, (name, edit) in enumerate(EDITS):
            edit(project)
            # The same project, as it is before this build, built cold elsewhere.
            cold = tmp_path / f"cold-{step}"
            shutil.copytree(project, cold, ignore=shutil.ignore_patterns("site", ".cache"))
            listings.clear()
            report, _ = _build(project)
            assert listings == ([] if held else ["site", "standby"]), name
            _build(cold, cache=False)
            assert report.site_changed, name  # type: ignore[attr-defined]
            assert tree(project / "site") == tree(cold / "site"), f"site differs after editing {name}"
            assert tree(project / "i18n") == tree(cold / "i18n"), f"memory differs after editing {name}"


def test_held_listings_are_not_used_after_another_build_or_a_failed_one(tmp_path: Path, listings: list[str]) -> None:
    project = _project(tmp_path)
    with explainer.write.listing.held_in_process():
        _build(project)
        _edit(project, "content/news.md", "Deux diplomates", "Trois diplomates")
        _build(project)
        # Another process's builds (nothing held there) save their own states, two of them: the same
        # generation is live again, but this process lists the site and the standby again.
        held, explainer.write.listing._held = explainer.write.listing._held, None
        try:
            _edit(project, "content/news.md", "Trois diplomates", "Quatre diplomates")
            _build(project)
            _edit(project, "content/news.md", "Quatre diplomates", "Quatre diplomates et demi")
            _build(project)
        finally:
            explainer.write.listing._held = held
        _edit(project, "content/news.md", "Quatre diplomates et demi", "Cinq diplomates")
        listings.clear()
        _build(project)
        assert listings == ["site", "standby"]
        listings.clear()
        _edit(project, "content/news.md", "Cinq diplomates", "Six diplomates")
        _build(project)
        assert listings == []
        # A build that fails after writing into the standby: the next lists the generations again.
        _edit(project, "content/news.md", "Six diplomates", "Sept diplomates ([ailleurs](/nulle-part/))")
        with pytest.raises(ContentError, match="no such page"):
            _build(project)
        _edit(project, "content/news.md", " ([ailleurs](/nulle-part/))", "")
        listings.clear()
        _build(project)
        assert listings == ["site", "standby"]
    cold = tmp_path / "cold"
    shutil.copytree(project, cold, ignore=shutil.ignore_patterns("site", ".cache"))
    _build(cold, cache=False)
    assert tree(project / "site") == tree(cold / "site")


def test_a_build_with_nothing_changed_renders_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    first, _ = _build(project)
    before = {path: path.stat() for path in (project / "site").rglob("*")}
    memory = tree(project / "i18n")

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("rendered on a build with nothing changed")

    monkeypatch.setattr(Renderer, "__init__", fail)
    report, engine = _build(project)
    assert not report.site_changed  # type: ignore[attr-defined]
    assert report.memory_files_written == 0  # type: ignore[attr-defined]
    assert report.warnings == first.warnings  # type: ignore[attr-defined]
    assert engine.calls == []
    after = {path: path.stat() for path in (project / "site").rglob("*")}
    assert {p: (s.st_ino, s.st_mtime_ns) for p, s in after.items()} == {
        p: (s.st_ino, s.st_mtime_ns) for p, s in before.items()
    }
    assert tree(project / "i18n") == memory


def test_the_statuses_a_build_records_of_the_site_s_files_are_the_files_own(tmp_path: Path) -> None:
    """Each file's size, time and inode, as the state records them for the next build, are what a
    listing of the site finds: after a cold build, after an edit, and after a template edit, which
    writes every page again."""
    from explainer.cache import BuildCache, last_state
    from explainer.layout import LATER_FILES
    from explainer.write.listing import site_listing

    project = _project(tmp_path)
    config = load_config(project)

    def recorded() -> dict[str, object]:
        store = BuildCache(project)
        try:
            state = last_state(store, config.output_dir)
        finally:
            store.close()
        assert state is not None
        return {path: record.status for path, record in state.outputs.items()}

    _build(project)
    assert recorded() == site_listing(project / "site", LATER_FILES)
    _edit(project, "content/news.md", "Deux diplomates maliens sont expulsés.", "Deux diplomates maliens partent.")
    _build(project)
    assert recorded() == site_listing(project / "site", LATER_FILES)
    _edit(project, "templates/base.html", "{% block main %}", "<!-- v2 -->{% block main %}")
    _build(project)
    assert recorded() == site_listing(project / "site", LATER_FILES)


def test_a_paragraph_edit_retranslates_one_segment_and_rerenders_only_what_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    _build(project)
    rendered: list[tuple[str, str]] = []
    render_translated = Renderer.render_translated

    def counting(self: Renderer, translated, view=True):  # type: ignore[no-untyped-def]
        rendered.append((translated.page.path, translated.language))
        return render_translated(self, translated, view)

    monkeypatch.setattr(Renderer, "render_translated", counting)
    site = project / "site"
    before = {path.relative_to(site).as_posix(): path.stat().st_ino for path in site.rglob("*") if path.is_file()}
    _edit(project, "content/news.md", "Deux diplomates maliens sont expulsés.", "Deux diplomates maliens partent.")
    report, engine = _build(project)

    # One new segment, sent once per target language (en, ar, es).
    sent = _sent(engine)
    assert len(sent) == 3 and len(set(sent)) == 1, sent
    assert sent[0].startswith("La France suspend sa coopération avec le Mali. Deux diplomates maliens partent.")
    assert report.machine_translated == 3  # type: ignore[attr-defined]
    assert sorted(rendered) == [("news", "ar"), ("news", "en"), ("news", "es"), ("news", "fr")]
    after = {path.relative_to(site).as_posix(): path.stat().st_ino for path in site.rglob("*") if path.is_file()}
    rewritten = sorted(path for path in after if before.get(path) != after[path] and not path.startswith("pagefind/"))
    # The page in each language, its side-by-side views, and the dashboards whose shares changed.
    assert rewritten == sorted(
        [f"{code}/news/index.html" for code in ("fr", "en", "ar", "es")]
        + [f"{code}/news/compare.html" for code in ("en", "ar", "es")]
        + [f"{code}/translation-status/index.html" for code in ("fr", "en", "ar", "es")]
    )


def test_deleting_or_damaging_the_cache_only_costs_time(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _build(project)
    site = tree(project / "site")
    shutil.rmtree(project / CACHE_DIR)
    report, engine = _build(project)
    assert tree(project / "site") == site
    assert engine.calls == []
    (project / CACHE_DIR / "cache.sqlite").write_bytes(b"not a database" * 100)
    _build(project)
    assert tree(project / "site") == site
    report, _ = _build(project)  # the damaged cache was replaced by a working one
    assert not report.site_changed  # type: ignore[attr-defined]


def test_each_output_folder_keeps_its_own_state(tmp_path: Path) -> None:
    project = _project(tmp_path)
    config = load_config(project)
    preview = replace(config, output_dir=project / ".cache" / "preview")
    build(config, engines={"argos": ScriptedEngine(upper)}, jobs=1)
    build(preview, use_machine=False, jobs=1)  # what `serve` does
    assert not build(config, engines={"argos": ScriptedEngine(upper)}, jobs=1).site_changed
    assert not build(preview, use_machine=False, jobs=1).site_changed
    assert tree(project / "site") == tree(project / ".cache" / "preview")


def test_a_site_changed_by_hand_is_repaired(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _build(project)
    site = tree(project / "site")
    (project / "site/en/news/index.html").write_text("edited by hand", encoding="utf-8")
    (project / "site/fr/index.html").unlink()
    (project / "site/stray.html").write_text("left over", encoding="utf-8")
    report, _ = _build(project)
    assert report.site_changed  # type: ignore[attr-defined]
    assert tree(project / "site") == site


def test_warnings_are_reported_again_by_a_cached_build(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _edit(project, "content/news.md", "updated: 2026-06-05", "updated: 2025-01-01")  # before its date
    first, _ = _build(project)
    assert any("is before 'date'" in problem.message for problem in first.warnings)  # type: ignore[attr-defined]
    second, _ = _build(project)
    assert not second.site_changed  # type: ignore[attr-defined]
    assert second.warnings == first.warnings  # type: ignore[attr-defined]


def test_the_first_build_after_a_cold_one_reads_no_file_the_cold_build_read(tmp_path: Path) -> None:
    import os

    from explainer.cache import BuildCache, last_state
    from explainer.inputs import read_inputs

    project = make_project(tmp_path / "project")
    # Inputs written long before the build (as in a checkout): not too recent to be trusted.
    an_hour_ago = 1_000_000_000 * 3600
    for path in project.rglob("*"):
        status = path.stat()
        os.utime(path, ns=(status.st_atime_ns - an_hour_ago, status.st_mtime_ns - an_hour_ago))
    config = load_config(project)
    build(config, use_machine=False, jobs=1)
    # The memory files the cold build read and left as they were are on record with their hashes.
    memory = sorted(str(path) for path in (project / "i18n").glob("*/content/*.po"))
    assert memory
    store = BuildCache(project)
    try:
        previous = last_state(store, config.output_dir)
    finally:
        store.close()
    assert previous is not None and set(memory) <= previous.inputs.keys()
    inputs = read_inputs(config, previous, use_machine=False)
    assert inputs.files_read == 0
    assert {str(path) for path in memory} <= inputs.hashed.keys()


def test_input_hashes_are_reused_only_for_files_whose_status_is_unchanged_and_not_racy(tmp_path: Path) -> None:
    from explainer.cache import BuildState, InputHashes, InputRecord, file_digest

    page = tmp_path / "page.md"
    page.write_text("Un texte.", encoding="utf-8")
    status = page.stat()

    def state(saved_after_ns: int) -> BuildState:
        return BuildState(
            "g",
            "site",
            inputs={
                str(page): InputRecord(status.st_size, status.st_mtime_ns, status.st_ino, "as hashed before", False)
            },
            saved_at=status.st_mtime_ns + saved_after_ns,
        )

    assert InputHashes(state(3_000_000_000))(page) == "as hashed before"  # unchanged since: not read again
    assert InputHashes(state(1_000_000_000))(page) == file_digest(page)  # saved too soon after the write
    page.write_text("Un autre texte.", encoding="utf-8")
    assert InputHashes(state(3_000_000_000))(page) == file_digest(page)  # changed: read again
    assert InputHashes(None)(tmp_path / "missing.po") == "absent"
    # A file the build wrote itself is trusted however recent: its hash is known.
    hashes = InputHashes(None)
    page.write_bytes(b"Ecrit par le build.")
    hashes.wrote(page, b"Ecrit par le build.")
    just_saved = BuildState("g", "site", inputs=hashes.seen, saved_at=page.stat().st_mtime_ns + 1)
    trusting = InputHashes(just_saved)
    assert trusting(page) == file_digest(page) and trusting.read == 0


def test_a_template_edit_does_not_judge_again_the_translations_the_last_build_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import explainer.translate.workers as workers

    project = make_project(tmp_path / "project")
    build(load_config(project))
    judged: list[str] = []
    problems = workers.translation_problems

    def counting(catalog, shown, references):  # type: ignore[no-untyped-def]
        judged.append(shown)
        return problems(catalog, shown, references)

    monkeypatch.setattr(workers, "translation_problems", counting)
    # Every page is rendered again, from a page and a memory that the last build judged as they are.
    _edit(project, "templates/page.html", "{% block main %}", "{% block main %}<!-- v2 -->")
    build(load_config(project))
    assert judged == []
    # A memory that changed is judged: a translation the rule refuses stops the build as before.
    catalog = project / "i18n" / "en" / "content" / "news.po"
    text = catalog.read_text(encoding="utf-8")
    translation = 'msgstr "France suspends its cooperation with Mali."'
    assert translation in text
    catalog.write_text(text.replace(translation, translation[:-1] + ' <b>Now</b>."'), encoding="utf-8")
    with pytest.raises(TranslationMemoryError):
        build(load_config(project))
    # The page whose memory changed is read again, in every language; the other pages are not.
    assert sorted(judged) == [f"i18n/{code}/content/news.po" for code in ("ar", "en", "es")]


def test_an_edit_saves_only_the_page_records_it_changed_and_the_state_reads_back_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import explainer.cache as cache_module
    from explainer.cache import BuildCache, UnitRecord

    project = _project(tmp_path)
    _build(project)
    # Each page record is stored in two rows: the page itself, and its rendering (key and files).
    records: list[tuple[str, str]] = []
    renderings: list[tuple[str, str]] = []
    saved = []
    encode, save, itself, encode_rendering = (
        cache_module.encode,
        BuildCache.save,
        cache_module._unit_itself,
        cache_module.encode_rendering,
    )
    written: dict[int, tuple[str, str]] = {}  # the page a record was made of, by the id of the record encoded

    def made(unit: UnitRecord) -> object:
        value = itself(unit)
        written[id(value)] = (unit.info.path, unit.info.language)
        return value

    def counting(value: object) -> bytes:
        if id(value) in written:
            records.append(written.pop(id(value)))
        return encode(value)

    def rendered(unit: UnitRecord) -> bytes:
        renderings.append((unit.info.path, unit.info.language))
        return encode_rendering(unit)

    def keeping(self: BuildCache, state, scans):  # type: ignore[no-untyped-def]
        saved.append(state)
        return save(self, state, scans)

    monkeypatch.setattr(cache_module, "_unit_itself", made)
    monkeypatch.setattr(cache_module, "encode", counting)
    monkeypatch.setattr(cache_module, "encode_rendering", rendered)
    monkeypatch.setattr(BuildCache, "save", keeping)
    _edit(project, "content/news.md", "Deux diplomates maliens", "Trois diplomates maliens")
    _build(project)
    news = [("news", "ar"), ("news", "en"), ("news", "es"), ("news", "fr")]
    assert sorted(records) == news and sorted(renderings) == news
    # A template edit renders every page again, each as it was: their renderings alone are written.
    records.clear()
    renderings.clear()
    _edit(project, "templates/page.html", "{% block main %}", "{% block main %}<!-- v2 -->")
    _build(project)
    assert records == [] and sorted(renderings) == sorted(saved[-1].units)
    cache_module._kept.clear()  # read from the file, not the state this process kept
    store = BuildCache(project)
    try:
        loaded = store.load(load_config(project).output_dir)
        assert loaded == saved[-1] and loaded is not saved[-1]
        assert len(saved[-1].units) > 4
    finally:
        store.close()
    # A page record whose rendering is lost: the state is not believed (the next build is a cold one).
    with sqlite3.connect(project / CACHE_DIR / "cache.sqlite") as db:
        db.execute("DELETE FROM renders WHERE page = 'news' AND language = 'en'")
    db.close()
    cache_module._kept.clear()
    store = BuildCache(project)
    try:
        assert store.load(load_config(project).output_dir) is None
        assert any("without its rendering" in note for note in store.notes), store.notes
    finally:
        store.close()


def test_a_process_that_builds_again_finds_its_last_state_without_decoding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import explainer.cache as cache_module
    from explainer.cache import BuildCache, UnitRecord

    project = _project(tmp_path)
    output_dir = load_config(project).output_dir
    _build(project)
    decoded: list[bytes] = []
    read_record = cache_module._read_record

    def counted(data: bytes, rendering: bytes | None) -> UnitRecord:
        decoded.append(data)
        return read_record(data, rendering)

    monkeypatch.setattr(cache_module, "_read_record", counted)

    def load() -> object:
        store = BuildCache(project)
        try:
            return store.load(output_dir)
        finally:
            store.close()

    kept = load()  # the state the build saved, as this process kept it
    assert kept is not None and decoded == []
    cache_module._kept.clear()
    assert load() == kept and len(decoded) > 4  # the same state, from the file
    # Another process builds (here: this one, whose memory is then set back to what it knew before).
    known = dict(cache_module._kept)
    _edit(project, "content/news.md", "Deux diplomates maliens", "Trois diplomates maliens")
    _build(project)
    newer = load()
    cache_module._kept.clear()
    cache_module._kept.update(known)
    decoded.clear()
    found = load()
    assert found == newer and found != kept and len(decoded) > 4  # the stored head changed: decoded
    # A damaged head is found, and forgets what was kept of the state.
    with sqlite3.connect(project / CACHE_DIR / "cache.sqlite") as db:
        db.execute("UPDATE state SET head = ?", (b"[1]",))
    db.close()
    assert load() is None and not cache_module._kept


def test_the_preview_reads_again_only_the_page_edited_since_its_last_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The preview does not write the memory: a page whose French changed is translated from its
    # memory as it is on disk, and keyed by it, so the builds after do not translate it again.
    project = _project(tmp_path)
    preview = {"use_machine": False, "write_memory": False, "jobs": 1}
    build(load_config(project), **preview)  # type: ignore[arg-type]
    read: list[list[str]] = []
    original = explainer.build._read

    def reading(config: object, the_plan: object, wanted: frozenset[Path], workers: int = 1) -> object:
        read.append(sorted(path.name for path in wanted))
        return original(config, the_plan, wanted, workers)  # type: ignore[arg-type]

    monkeypatch.setattr(explainer.build, "_read", reading)
    memory = {path: path.read_bytes() for path in (project / "i18n").rglob("*.po")}
    _edit(project, "content/news.md", "Deux diplomates maliens", "Trois diplomates maliens")
    build(load_config(project), **preview)  # type: ignore[arg-type]
    _edit(project, "content/index.md", "Bienvenue sur le site", "Bienvenue sur ce site")
    build(load_config(project), **preview)  # type: ignore[arg-type]
    build(load_config(project), **preview)  # type: ignore[arg-type]
    assert read == [["news.md"], ["index.md"]]
    assert {path: path.read_bytes() for path in (project / "i18n").rglob("*.po")} == memory
    monkeypatch.undo()
    cold = tmp_path / "cold"
    shutil.copytree(project, cold, ignore=shutil.ignore_patterns("site", ".site.*", ".cache"))
    build(load_config(cold), cache=False, **preview)  # type: ignore[arg-type]
    assert tree(project / "site") == tree(cold / "site")


def _rendered_views(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, bool]]:
    """Each page rendered from now on, whole or from its kept parts: (page, language, whether its
    side-by-side view was too)."""
    rendered: list[tuple[str, str, bool]] = []
    render_translated = Renderer.render_translated

    def recording(self: Renderer, translated, view=True):  # type: ignore[no-untyped-def]
        files = render_translated(self, translated, view)
        rendered.append(
            (translated.page.path, translated.language, any(f.path.endswith("compare.html") for f in files))
        )
        return files

    render_kept = Renderer.render_kept

    def recording_kept(self: Renderer, unit, segmented):  # type: ignore[no-untyped-def]
        file = render_kept(self, unit, segmented)
        if file is not None:  # else rendered whole, and recorded as such
            rendered.append((*unit, False))
        return file

    monkeypatch.setattr(Renderer, "render_translated", recording)
    monkeypatch.setattr(Renderer, "render_kept", recording_kept)
    return rendered


def _inodes(site: Path) -> dict[str, int]:
    return {path.relative_to(site).as_posix(): path.stat().st_ino for path in site.rglob("*") if path.is_file()}


def test_a_page_template_edit_keeps_the_side_by_side_views_and_a_view_template_edit_renders_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    _build(project)
    rendered = _rendered_views(monkeypatch)
    site = project / "site"
    before = _inodes(site)
    _edit(project, "templates/page.html", "{% block main %}", "{% block main %}<!-- v2 -->")
    _build(project)
    assert rendered and {language for _, language, _ in rendered} == {"fr", "en", "ar", "es"}
    assert not any(view for _, _, view in rendered), "no side-by-side view rendered"
    after = _inodes(site)
    views = [path for path in after if path.endswith("/compare.html")]
    assert views and all(after[path] == before[path] for path in views)
    assert tree(site) == _cold(project, tmp_path / "cold-1")
    # The views' own template: every view rendered again (and every page, whose key has every template).
    rendered.clear()
    _edit(
        project,
        "templates/compare.html",
        '<article class="page compare-page">',
        '<article class="page compare-page v2">',
    )
    _build(project)
    translations = [(page, language) for page, language, _ in rendered if language != "fr"]
    assert translations and all(view for _, language, view in rendered if language != "fr")
    assert tree(site) == _cold(project, tmp_path / "cold-2")
    # A view deleted by hand is rendered again, even when only the page template changed.
    (site / "en" / "news" / "compare.html").unlink()
    rendered.clear()
    _edit(project, "templates/page.html", "<!-- v2 -->", "<!-- v3 -->")
    _build(project)
    assert [(page, language) for page, language, view in rendered if view] == [("news", "en")]
    assert tree(site) == _cold(project, tmp_path / "cold-3")


def test_a_view_template_that_names_a_template_by_an_expression_depends_on_every_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    _write(project / "templates" / "extra.html", "<!-- extra -->\n")
    named = '{% block main %}{% set extra = "extra.html" %}{% include extra %}'
    _edit(project, "templates/compare.html", "{% block main %}", named)
    _build(project)
    rendered = _rendered_views(monkeypatch)
    _edit(project, "templates/page.html", "{% block main %}", "{% block main %}<!-- v2 -->")
    _build(project)
    assert all(view for _, language, view in rendered if language != "fr") and len(rendered) > 4
    assert tree(project / "site") == _cold(project, tmp_path / "cold")


def test_a_template_edit_renders_again_only_the_site_wide_files_made_from_that_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    _build(project)
    site = project / "site"
    dashboards = {f"{code}/translation-status/index.html" for code in ("fr", "en", "ar", "es")}
    others = {"index.html", "404.html", "fr/404.html", "en/feed.xml", "sitemap.xml", "robots.txt"}
    made: list[str] = []
    site_wide_files = explainer.render.lists.site_wide_files

    def recording(*arguments: Any, **options: Any) -> list[SiteWideFile]:
        def make(renderer: Renderer, wide: SiteWideFile) -> OutputFile:
            made.append(wide.path)
            return wide.make(renderer)

        return [replace(wide, make=partial(make, wide=wide)) for wide in site_wide_files(*arguments, **options)]

    monkeypatch.setattr(explainer.render.lists, "site_wide_files", recording)

    def rendered_again(relative: str, old: str, new: str, cold: str) -> set[str]:
        made.clear()
        _edit(project, relative, old, new)
        _build(project)
        again = set(made) & (dashboards | others)
        assert tree(site) == _cold(project, tmp_path / cold), f"site differs after editing {relative}"
        return again

    # A page's template: no site-wide file shows it.
    assert rendered_again("templates/page.html", "{% block main %}", "{% block main %}<!-- v2 -->", "cold-1") == set()
    # The dashboards' template, and the template of their rows: the dashboards, and nothing else.
    assert rendered_again("templates/status.html", "{% block main %}", "{% block main %}<!-- v2 -->", "cold-2") == (
        dashboards
    )
    assert rendered_again("templates/status_row.html", "<tr>", '<tr class="v2">', "cold-3") == dashboards
    # The template the pages extend: the files made from one that does (the language chooser, the
    # feeds and the sitemap do not).
    assert rendered_again("templates/base.html", "<body", "<body data-v2", "cold-4") == dashboards | {
        "404.html",
        "fr/404.html",
    }
    assert rendered_again("templates/sitemap.xml", "<urlset", "<!-- v2 --><urlset", "cold-5") == {"sitemap.xml"}
    assert rendered_again("templates/chooser.html", "<body", "<body data-v2", "cold-6") == {"index.html"}
    assert rendered_again("templates/feed.xml", "<title>", "<title>v2 ", "cold-7") == {"en/feed.xml"}
    assert rendered_again("templates/404.html", "{% block main %}", "{% block main %}<!-- v2 -->", "cold-8") == {
        "404.html",
        "fr/404.html",
    }
    # A file of the folder that is not a template (the style sheet, whose name the pages give): every
    # site-wide file is made again.
    assert rendered_again("templates/static/style.css", "\n", "\n/* v2 */\n", "cold-9") == dashboards | others


def test_a_template_folder_file_saved_during_a_build_is_shown_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The style sheet is saved again just after the renderer read it: the files this build made
    # name the sheet it read, and the next build must see that the sheet changed since.
    project = _project(tmp_path)
    _build(project)
    style = project / "templates" / "static" / "style.css"
    load_assets = explainer.render.renderer.load_assets

    def saved_meanwhile(folder: Path) -> object:
        assets = load_assets(folder)
        if not style.read_text(encoding="utf-8").endswith("/* v3 */\n"):
            style.write_text(style.read_text(encoding="utf-8") + "/* v3 */\n", encoding="utf-8")
        return assets

    monkeypatch.setattr(explainer.render.renderer, "load_assets", saved_meanwhile)
    _edit(project, "templates/static/style.css", "\n", "\n/* v2 */\n")
    _build(project)
    monkeypatch.undo()
    _build(project)  # not stopped by links to the sheet the last build named
    assert tree(project / "site") == _cold(project, tmp_path / "cold")


def _cold(project: Path, destination: Path) -> dict[str, bytes]:
    """The site of a cold build of ``project`` as it is now, made elsewhere."""
    shutil.copytree(project, destination, ignore=shutil.ignore_patterns("site", ".site.*", ".cache"))
    _build(destination, cache=False)
    return tree(destination / "site")
