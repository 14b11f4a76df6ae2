"""The page cache (``explainer.pagecache``): a template edit with the cache warm reads no page
and parses no translation memory, and gives the site of a cold build; a cache that is damaged,
lost or killed mid-write costs only time; ``check`` and ``--no-cache`` leave it alone."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from explainer import pagecache
from explainer.build import build, check
from explainer.cache import open_cache
from explainer.config import load_config
from explainer.load import content as content_module
from explainer.model import BuildReport
from explainer.render import segcache
from explainer.translate.memory import files as memory_files
from tests.engines import ScriptedEngine, upper
from tests.project import REPOSITORY, make_project, tree


def _project(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "project")
    config = project / "explainer.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[site]", '[translation]\nengine = "argos"\n\n[site]'))
    return project


def _build(project: Path, **options: Any) -> BuildReport:
    # The scripted engine stands in for Argos (tested for real in test_mt_argos.py).
    return build(load_config(project), engines={"argos": ScriptedEngine(upper)}, jobs=1, **options)


def _edit(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _edit_template(project: Path, mark: str) -> None:
    _edit(project, "templates/page.html", "{% block main %}", "{% block main %}" + mark)


def _cold(tmp_path: Path, project: Path) -> dict[str, bytes]:
    """The site of ``project`` as it is now, built cold elsewhere (no cache of any kind)."""
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    shutil.copytree(project, cold, ignore=shutil.ignore_patterns("site", ".cache"))
    _build(cold, cache=False)
    return tree(cold / "site")


def _keys(project: Path) -> set[str]:
    with sqlite3.connect(project / pagecache.CACHE_FILE) as db:
        return {key for (key,) in db.execute("SELECT key FROM pages")}


@dataclass
class _Reads:
    content: list[str] = field(default_factory=list)  # content files read
    catalogs: list[str] = field(default_factory=list)  # PO files parsed

    def clear(self) -> None:
        self.content.clear()
        self.catalogs.clear()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> _Reads:
    """Counts the content files the build reads and the PO files it parses (both still done)."""
    seen = _Reads()
    load_content, parse_catalog = content_module.load_content, memory_files.parse_catalog

    def loading(*args: Any, **kwargs: Any) -> Any:
        pages, warnings = load_content(*args, **kwargs)
        seen.content.extend(page.source_file for page in pages)
        return pages, warnings

    def parsing(content: bytes, shown: str, language: str) -> Any:
        seen.catalogs.append(shown)
        return parse_catalog(content, shown, language)

    monkeypatch.setattr(content_module, "load_content", loading)  # imported by the build when it reads
    monkeypatch.setattr(memory_files, "parse_catalog", parsing)
    return seen


def _next_template_edit_reads_nothing(tmp_path: Path, project: Path, reads: _Reads) -> None:
    """The cache was made anew, with every page: the next template edit reads nothing."""
    reads.clear()
    _edit_template(project, "<!-- v3 -->")
    report = _build(project)
    assert (reads.content, reads.catalogs, report.notes) == ([], [], ())
    assert tree(project / "site") == _cold(tmp_path, project)


def test_a_template_edit_with_the_cache_warm_reads_no_page_and_no_memory(tmp_path: Path, reads: _Reads) -> None:
    project = _project(tmp_path)
    _build(project)
    assert reads.content and reads.catalogs  # the cold build read them: the counters count
    reads.clear()
    _edit_template(project, "<!-- v2 -->")
    report = _build(project)
    assert report.site_changed and report.files_written > 0
    assert (reads.content, reads.catalogs) == ([], [])
    assert "<!-- v2 -->" in (project / "site" / "en" / "news" / "index.html").read_text(encoding="utf-8")
    assert tree(project / "site") == _cold(tmp_path, project)
    # Without the page cache, the same kind of edit reads every page again (as before it), and
    # gives the same site.
    (project / pagecache.CACHE_FILE).unlink()
    reads.clear()
    _edit_template(project, "<!-- v3 -->")
    _build(project)
    assert reads.content and reads.catalogs
    assert tree(project / "site") == _cold(tmp_path, project)


def test_a_changed_page_is_read_and_its_old_entries_dropped(tmp_path: Path, reads: _Reads) -> None:
    project = _project(tmp_path)
    _build(project)
    before = _keys(project)
    with open_cache(project, True) as store:
        assert store is not None
        state = store.load(load_config(project).output_dir)
        assert state is not None
        assert before == {unit.key for unit in state.units.values()}  # one entry per page in each language
    _edit(project, "content/news.md", "Deux diplomates maliens", "Trois diplomates maliens")
    _edit_template(project, "<!-- v2 -->")
    reads.clear()
    _build(project)
    assert reads.content == ["content/news.md"]  # the changed page only; the others come from the cache
    after = _keys(project)
    assert len(after) == len(before) and 0 < len(before - after) < len(before)
    assert tree(project / "site") == _cold(tmp_path, project)


@pytest.mark.parametrize("damage", ["file", "entry"])
def test_a_damaged_cache_gives_the_site_of_a_cold_build(tmp_path: Path, reads: _Reads, damage: str) -> None:
    project = _project(tmp_path)
    _build(project)
    if damage == "file":
        (project / pagecache.CACHE_FILE).write_bytes(b"not a database" * 1000)
        for end in ("-wal", "-shm"):
            Path(str(project / pagecache.CACHE_FILE) + end).unlink(missing_ok=True)
    else:  # a database, with one entry that is not a page (its French record: a page rendered again from
        # its kept parts reads that record alone)
        with sqlite3.connect(project / pagecache.CACHE_FILE) as db:
            db.execute("UPDATE segmented SET value = ? WHERE key = (SELECT min(key) FROM segmented)", (b'[["x"]]',))
    _edit_template(project, "<!-- v2 -->")
    reads.clear()
    report = _build(project)
    assert reads.content and reads.catalogs
    assert any("page cache cannot be read" in note for note in report.notes), report.notes
    assert tree(project / "site") == _cold(tmp_path, project)
    _next_template_edit_reads_nothing(tmp_path, project, reads)


def test_a_cache_file_of_the_first_schema_is_made_anew_without_a_note(tmp_path: Path, reads: _Reads) -> None:
    project = _project(tmp_path)
    _build(project)
    with sqlite3.connect(project / pagecache.CACHE_FILE) as db:  # as the first version wrote it
        rows = db.execute("SELECT key, value FROM pages").fetchall()
        db.execute("DROP TABLE pages")
        db.execute("DROP TABLE segmented")
        db.execute("CREATE TABLE pages (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        db.executemany("INSERT INTO pages VALUES (?, ?)", rows)
        db.execute("UPDATE meta SET value = '1' WHERE name = 'schema'")
    db.close()
    _edit_template(project, "<!-- v2 -->")
    reads.clear()
    report = _build(project)
    assert reads.content and report.notes == ()  # read again, as a cold build would, and nothing to say
    assert tree(project / "site") == _cold(tmp_path, project)
    _next_template_edit_reads_nothing(tmp_path, project, reads)
    with open_cache(project, True) as store:
        assert store is not None
        state = store.load(load_config(project).output_dir)
        assert state is not None
    with sqlite3.connect(project / pagecache.CACHE_FILE) as db:
        # One segmented page for each page, whatever the number of its languages.
        (stored,) = db.execute("SELECT count(*) FROM segmented").fetchone()
    db.close()
    assert stored == len({path for path, _ in state.units}) < len(state.units)


def test_check_and_no_cache_neither_read_nor_write_the_page_cache(tmp_path: Path, reads: _Reads) -> None:
    project = _project(tmp_path)
    check(load_config(project))
    _build(project, cache=False)
    assert not (project / pagecache.CACHE_FILE).exists()
    _build(project)
    before = (project / pagecache.CACHE_FILE).read_bytes()
    _edit_template(project, "<!-- v2 -->")
    reads.clear()
    check(load_config(project))
    assert reads.content and reads.catalogs  # read as always
    reads.clear()
    _build(project, cache=False)
    assert reads.content and reads.catalogs
    assert (project / pagecache.CACHE_FILE).read_bytes() == before


# A build in a process of its own, killed (SIGKILL: nothing runs after it) while it writes the cache.
_KILLED_BUILD = """
import os, signal, sqlite3, sys
from pathlib import Path
from explainer.build import build
from explainer.config import load_config

connect = sqlite3.connect
statement_start = {"write": "INSERT INTO pages", "prune": "DELETE FROM pages", "commit": "COMMIT"}[sys.argv[2]]

def connect_and_die(path, *args, **kwargs):
    db = connect(path, *args, **kwargs)

    def trace(statement):
        if statement.startswith(statement_start):
            os.kill(os.getpid(), signal.SIGKILL)

    if str(path).endswith("pages.sqlite"):
        db.set_trace_callback(trace)
    return db

sqlite3.connect = connect_and_die
build(load_config(Path(sys.argv[1])), use_machine=False, jobs=1)
"""


@pytest.mark.parametrize("where", ["write", "prune", "commit"])
def test_the_page_cache_survives_a_killed_build(tmp_path: Path, reads: _Reads, where: str) -> None:
    project = make_project(tmp_path / "project")  # no engine: the killed build runs none either
    build(load_config(project), use_machine=False, jobs=1)
    saved = _keys(project)
    _edit(project, "content/news.md", "Deux diplomates maliens", "Trois diplomates maliens")
    _edit_template(project, "<!-- v2 -->")
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_BUILD, str(project), where], env=environment, capture_output=True, check=False
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert _keys(project) == saved  # nothing of the killed build's transaction
    with sqlite3.connect(project / pagecache.CACHE_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    reads.clear()
    build(load_config(project), use_machine=False, jobs=1)
    assert reads.content == ["content/news.md"]  # the cache left was used
    cold = tmp_path / "cold"
    shutil.copytree(project, cold, ignore=shutil.ignore_patterns("site", ".cache"))
    build(load_config(cold), use_machine=False, jobs=1, cache=False)
    assert tree(project / "site") == tree(cold / "site")


def test_an_entry_is_the_record_of_its_page(tmp_path: Path) -> None:
    from explainer.build import status
    from explainer.fsutil import sha256_hex
    from explainer.records import RecordError, encode

    pages = status(load_config(make_project(tmp_path / "project")))
    assert len({page.language for page in pages}) > 1
    parts: dict[int, str] = {}  # the segmented page of every language encoded once, as a build does
    records = dict(pagecache._segmented_records(pages, parts))
    assert len(records) == len(parts) == len({page.page.path for page in pages})
    decoded = []
    for page in pages:
        key, rest = pagecache._entry(page, parts)
        segmented = records[key]
        assert segmented == encode(page.segmented) and key == sha256_hex(segmented)
        assert b"[" + segmented + b"," + rest[1:] == encode(page)  # the record of the page, cut in two
        decoded.append(pagecache.CachedPage((page.page.path, page.language), rest, key, segmented).decoded())
        assert decoded[-1] == page
    # Decoded once for all the languages of a page, one after another.
    assert len({id(page.segmented) for page in decoded}) == len(records)
    with pytest.raises(RecordError, match="another"):
        english = next(page for page in pages if page.language == "en")
        key, rest = pagecache._entry(english, parts)
        pagecache.CachedPage((english.page.path, "fr"), rest, key, records[key]).decoded()


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("part", ["rest", "segmented"])
def test_an_entry_that_does_not_decode_where_it_is_rendered_has_its_page_read_again(
    tmp_path: Path, reads: _Reads, monkeypatch: pytest.MonkeyPatch, jobs: int, part: str
) -> None:
    """Its translations (``rest``), decoded where the page is rendered whole (its kept parts lost
    with the segment cache), or its French record (``segmented``), read by a page rendered again from
    its kept parts too (all four languages of the page then)."""
    from explainer.render import site

    monkeypatch.setattr(site, "PARALLEL_FROM", 1)  # with jobs=2: decoded in the two worker processes
    project = _project(tmp_path)
    _build(project)
    with open_cache(project, True) as store:
        assert store is not None
        state = store.load(load_config(project).output_dir)
        assert state is not None
        key = state.units[("news", "en")].key
    with sqlite3.connect(project / pagecache.CACHE_FILE) as db:
        if part == "rest":
            assert db.execute("UPDATE pages SET value = ? WHERE key = ?", (b'[["x"]]', key)).rowcount == 1
            (project / segcache.CACHE_FILE).unlink()
        else:
            found = "UPDATE segmented SET value = ? WHERE key = (SELECT segmented FROM pages WHERE key = ?)"
            assert db.execute(found, (b'[["x"]]', key)).rowcount == 1
    db.close()
    _edit_template(project, "<!-- v2 -->")
    reads.clear()
    report = build(load_config(project), engines={"argos": ScriptedEngine(upper)}, jobs=jobs)
    assert reads.content == ["content/news.md"]  # that page only; the others decoded where they were rendered
    assert [note for note in report.notes if "news in 'en'" in note and "page cache cannot be read" in note]
    assert tree(project / "site") == _cold(tmp_path, project)
    # The file was made anew, with every page: the next template edit reads nothing.
    reads.clear()
    _edit_template(project, "<!-- v3 -->")
    report = build(load_config(project), engines={"argos": ScriptedEngine(upper)}, jobs=jobs)
    assert (reads.content, reads.catalogs, report.notes) == ([], [], ())
    assert tree(project / "site") == _cold(tmp_path, project)
