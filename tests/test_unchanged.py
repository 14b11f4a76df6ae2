"""A build with nothing changed decides so from the head of the last build's state alone
(``plan.unchanged``): every change that makes the whole state's plan do something must make it
read the whole state and build as before; a damaged or older state is a cold build."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import explainer.build as build_module
import explainer.cache as cache_module
from explainer.build import build
from explainer.cache import CACHE_DIR
from explainer.config import load_config
from explainer.model import BuildReport
from explainer.plan import Plan
from tests.project import make_project, tree


class Builds:
    """Builds of one project, with the plans each made from the whole state (none: its head said
    that nothing changed) and how many times the rest of the state was decoded."""

    def __init__(self, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.project = project
        self.plans: list[Plan] = []
        self.bodies = 0
        run, read_body = build_module.run, cache_module._read_body

        def planned(config, the_plan, options, *rest):  # type: ignore[no-untyped-def]
            self.plans.append(the_plan)
            return run(config, the_plan, options, *rest)

        def counted(data: bytes):  # type: ignore[no-untyped-def]
            self.bodies += 1
            return read_body(data)

        monkeypatch.setattr(build_module, "run", planned)
        monkeypatch.setattr(cache_module, "_read_body", counted)
        # Here builds follow edits within milliseconds: a file modified less than two seconds before
        # the last build saved its state would be read again on every build until then (tested in
        # test_incremental). Trusted here as soon as it is older than the state.
        monkeypatch.setattr(cache_module.InputHashes, "RACY_NS", 0)

    def __call__(self, **options: object) -> BuildReport:
        self.plans.clear()
        self.bodies = 0
        cache_module._kept.clear()  # each build as the command runs it: a process of its own
        return build(load_config(self.project), use_machine=False, jobs=1, **options)  # type: ignore[arg-type]


@pytest.fixture
def builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Builds:
    made = Builds(make_project(tmp_path / "project"), monkeypatch)
    made()
    return made


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _cold(project: Path, destination: Path) -> dict[str, bytes]:
    """The site of a cold build of ``project`` as it is now, made elsewhere."""
    shutil.copytree(project, destination, ignore=shutil.ignore_patterns("site", ".site.*", ".cache"))
    build(load_config(destination), use_machine=False, jobs=1, cache=False)
    return tree(destination / "site")


def test_nothing_changed_is_found_without_reading_the_rest_of_the_state(builds: Builds) -> None:
    first = builds()  # the state as a build with everything in place leaves it
    site = tree(builds.project / "site")
    report = builds()
    assert builds.plans == [] and builds.bodies == 0
    assert not report.site_changed and report.files == first.files and report.warnings == first.warnings
    assert (report.pages, report.languages) == (first.pages, first.languages)
    assert tree(builds.project / "site") == site


def test_its_warnings_are_said_again_and_are_errors_under_strict(builds: Builds) -> None:
    from explainer.errors import ContentError

    _edit(builds.project / "content/news.md", "updated: 2026-06-05", "updated: 2025-01-01")  # before its date
    first = builds()
    assert any("is before 'date'" in problem.message for problem in first.warnings)
    again = builds()
    assert builds.plans == [] and again.warnings == first.warnings and not again.site_changed
    with pytest.raises(ContentError) as caught:
        builds(strict=True)
    assert builds.plans == [] and "(an error under --strict)" in str(caught.value)


EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("a paragraph", lambda p: _edit(p / "content/news.md", "Deux diplomates", "Trois diplomates")),
    ("a translation", lambda p: _edit(p / "i18n/en/content/news.po", '"The facts"', '"What happened"')),
    ("a data file", lambda p: _edit(p / "content/timeline.yaml", 'text: "', 'text: "Ce jour-là : ')),
    ("a template", lambda p: _edit(p / "templates/page.html", "{% block main %}", "{% block main %}<!-- v2 -->")),
    (
        "a UI catalog",
        lambda p: _edit(p / "i18n/fr/LC_MESSAGES/messages.po", '"État de la traduction"', '"Où en est-on"'),
    ),
    ("the configuration", lambda p: _edit(p / "explainer.toml", 'title = "Test site"', 'title = "The test site"')),
    ("a page's memory, deleted", lambda p: (p / "i18n/en/content/news.po").unlink()),
    (
        "a page removed, and the links to it",
        lambda p: (
            (p / "content/original.md").unlink(),
            _edit(p / "content/index.md", "- [L'original](/original/#le-texte)\n", ""),
            _edit(p / "content/news.md", "Voir [le texte original](/original/#le-texte) et", "Voir"),
        ),
    ),
    ("a page added", lambda p: shutil.copy(p / "content/news.md", p / "content/more.md")),
    ("a file of the site, edited", lambda p: (p / "site/en/news/index.html").write_text("by hand", encoding="utf-8")),
    ("a file of the site, deleted", lambda p: (p / "site/fr/index.html").unlink()),
    ("a stray file in the site", lambda p: (p / "site/fr/stray.html").write_text("left over", encoding="utf-8")),
    ("a folder of the site, deleted", lambda p: shutil.rmtree(p / "site/en/news")),
]


@pytest.mark.parametrize(("name", "edit"), EDITS, ids=[name for name, _ in EDITS])
def test_every_change_reads_the_whole_state_and_builds_what_a_cold_build_would(
    builds: Builds, tmp_path: Path, name: str, edit: Callable[[Path], None]
) -> None:
    edit(builds.project)
    builds()
    assert len(builds.plans) == 1 and not builds.plans[0].nothing_changed, name
    assert builds.bodies == 1, name
    assert tree(builds.project / "site") == _cold(builds.project, tmp_path / "cold"), name
    builds()
    assert builds.plans == [], f"{name}: the build after it has nothing to do"


def test_an_option_that_changes_what_pages_depend_on_reads_the_whole_state(builds: Builds) -> None:
    # With an engine configured (none installed), the pages depend on whether engines may run.
    _edit(builds.project / "explainer.toml", "[site]", '[translation]\nengine = "apertium"\n\n[site]')
    builds()
    builds()
    assert builds.plans == []
    build(load_config(builds.project), use_machine=True, jobs=1)
    assert len(builds.plans) == 1 and not builds.plans[0].nothing_changed


def test_a_new_version_of_the_generator_is_a_cold_build(builds: Builds, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "generator_digest", lambda: "another version")
    monkeypatch.setattr("explainer.inputs.generator_digest", lambda: "another version")
    builds()
    assert len(builds.plans) == 1 and builds.plans[0].previous is None and builds.bodies == 0


def test_an_input_touched_but_the_same_is_read_once_and_the_state_saved_again(builds: Builds) -> None:
    page = builds.project / "content/news.md"
    page.write_bytes(page.read_bytes())  # a new time, the same bytes
    report = builds()
    assert len(builds.plans) == 1 and builds.plans[0].nothing_changed and builds.plans[0].inputs.files_read
    assert not report.site_changed
    builds()
    assert builds.plans == []  # the state saved again knows the file as it is now


def _damage(project: Path, column: str) -> None:
    with sqlite3.connect(project / CACHE_DIR / "cache.sqlite") as db:
        db.execute(f"UPDATE state SET {column} = ?", (b'["not", "a state"]',))
    db.close()


@pytest.mark.parametrize("column", ["head", "data"])
def test_a_damaged_state_is_discarded_and_the_build_is_a_cold_one(builds: Builds, tmp_path: Path, column: str) -> None:
    _damage(builds.project, column)
    if column == "data":
        # The head alone says that nothing changed: the rest, damaged, is not read...
        assert not builds().site_changed and builds.plans == []
        # ...until something changes.
        _edit(builds.project / "content/news.md", "Deux diplomates", "Trois diplomates")
    report = builds()
    assert any("the build cache was damaged" in note for note in report.notes), column
    assert len(builds.plans) == 1 and builds.plans[0].previous is None
    assert builds.plans[0].inputs.site == {}, "inputs read as for a cold build"
    assert tree(builds.project / "site") == _cold(builds.project, tmp_path / "cold")
    builds()
    assert builds.plans == []


def test_a_state_stored_by_an_older_version_is_a_cold_build(builds: Builds) -> None:
    path = builds.project / CACHE_DIR / "cache.sqlite"
    path.unlink()
    with sqlite3.connect(path) as db:  # the tables as schema 3 made them, with a state in them
        db.executescript(
            "CREATE TABLE state (output TEXT PRIMARY KEY, data BLOB NOT NULL);"
            "CREATE TABLE scans (hash TEXT PRIMARY KEY, data BLOB NOT NULL);"
            "PRAGMA user_version = 3;"
        )
        db.execute("INSERT INTO state VALUES (?, ?)", (str(builds.project / "site"), b"[]"))
    db.close()
    site = tree(builds.project / "site")
    builds()
    assert len(builds.plans) == 1 and builds.plans[0].previous is None
    assert tree(builds.project / "site") == site
    builds()
    assert builds.plans == []
