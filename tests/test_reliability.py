"""Faults lose nothing: a killed build, two builds at once, a failing disk."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from explainer.build import build
from explainer.config import load_config
from explainer.errors import BuildLockedError, WriteError
from explainer.fsutil import project_lock
from explainer.translate.memory import read_catalog
from tests.project import REPOSITORY, make_project, tree


def _edit_everything(project: Path) -> None:
    """A change that touches every page and every PO file."""
    for page in (project / "content").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace('summary: "', 'summary: "Nouveau. ', 1), encoding="utf-8")


def _run_build(project: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(REPOSITORY / "build.py"), "--project", str(project), "build"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.6, 0.9, 1.2, 1.6])
def test_killing_the_build_leaves_the_last_good_site_and_whole_po_files(tmp_path: Path, delay: float) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    old_site, old_memory = tree(project / "site"), tree(project / "i18n")
    _edit_everything(project)
    finished = tmp_path / "finished"
    shutil.copytree(project, finished)
    build(load_config(finished))
    new_site, new_memory = tree(finished / "site"), tree(finished / "i18n")
    assert new_site != old_site

    process = _run_build(project)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert tree(project / "site") in (old_site, new_site)
    memory = tree(project / "i18n")
    for path, content in memory.items():
        if _UNFINISHED.match(path.rpartition("/")[2]):
            continue  # the temporary file of a write the kill interrupted: the file itself is whole
        assert content in (old_memory.get(path), new_memory.get(path)), f"{path} is neither old nor new"
        if path.endswith(".po"):
            assert read_catalog(project / "i18n" / path, project, path.split("/")[0]) is not None
    # The next build repairs everything and cleans up what the killed one left behind.
    build(load_config(project))
    assert tree(project / "site") == new_site
    assert _leftovers(project) == []
    assert not [path for path in tree(project / "i18n") if _UNFINISHED.match(path.rpartition("/")[2])]


_UNFINISHED = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")  # what write_files names its temporary files
_GENERATIONS = (".site.generation-a", ".site.generation-b")  # site/ links to one of them


def _leftovers(project: Path) -> list[str]:
    """What lies beside site/ and is neither of its two generations."""
    return sorted(path.name for path in project.glob(".site*") if path.name not in _GENERATIONS)


def test_the_next_build_removes_the_temporary_files_of_a_killed_memory_write(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    catalogs = sorted((project / "i18n").rglob("*.po"))
    # What a build killed between writing its temporary files and renaming them leaves behind.
    unfinished = [path.with_name(f".{path.name}.k1ll3d_0.tmp") for path in catalogs[:2]]
    for path in unfinished:
        path.write_bytes(b"half a catalog")
    kept = project / "i18n" / "notes.tmp"  # not named like the writer's files: someone's, kept
    kept.write_text("a translator's note", encoding="utf-8")
    before = {path: path.read_bytes() for path in catalogs}
    report = build(load_config(project))
    assert not any(path.exists() for path in unfinished)
    assert kept.read_text(encoding="utf-8") == "a translator's note"
    assert {path: path.read_bytes() for path in catalogs} == before
    assert not [warning for warning in report.warnings if "killed" in warning.message]


def test_a_new_folder_left_empty_by_a_build_killed_before_marking_it_is_removed(tmp_path: Path) -> None:
    # A build killed between creating its new folder and writing the marker in it leaves an empty,
    # unmarked folder: nothing in it can be lost, so the next build removes it without a warning.
    project = make_project(tmp_path / "project")
    build(load_config(project))
    (project / ".site.new-killed").mkdir()
    (project / ".site.new-kept").mkdir()
    (project / ".site.new-kept" / "notes.txt").write_text("someone's file", encoding="utf-8")
    report = build(load_config(project))
    assert not (project / ".site.new-killed").exists()
    assert (project / ".site.new-kept" / "notes.txt").is_file()  # not empty, not marked: kept, and said
    assert [warning.path for warning in report.warnings if "leftover" in warning.message] == [".site.new-kept"]


def test_a_second_build_waits_then_stops_with_a_clear_message(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    with project_lock(project), pytest.raises(BuildLockedError) as caught:
        build(load_config(project), lock_wait=0.3)
    assert str(caught.value).startswith("another build of this project is still running")
    assert not (project / "site").exists()


def test_two_builds_started_at_once_both_finish_and_the_site_is_whole(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    first, second = _run_build(project), _run_build(project)
    assert first.wait(timeout=120) == 0 and second.wait(timeout=120) == 0
    reference = make_project(tmp_path / "reference")
    build(load_config(reference))
    assert tree(project / "site") == tree(reference / "site")


def test_a_disk_error_says_so_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    before = tree(project / "site")
    _edit_everything(project)
    opening, writing = os.open, os.write
    news_pages: set[int] = set()  # the descriptors of the news page's files in the new generation

    def open_noting(path: str, flags: int, mode: int = 0o777, **options: Any) -> int:
        descriptor = opening(path, flags, mode, **options)
        if ".site.generation-" in str(path) and str(path).endswith("/news/index.html"):
            news_pages.add(descriptor)
        return descriptor

    def full_disk(descriptor: int, data: Any) -> int:
        # Fault injection: a full disk cannot be had on demand here.
        if descriptor in news_pages:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return writing(descriptor, data)

    monkeypatch.setattr(os, "open", open_noting)
    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(WriteError) as caught:
        build(load_config(project))
    assert str(caught.value) == f"cannot write the site to {project / 'site'}: No space left on device"
    assert tree(project / "site") == before
    assert _leftovers(project) == []


@pytest.mark.parametrize("seeds", [("1", "2"), ("0", "4242")])
def test_builds_are_byte_identical_whatever_the_hash_seed(tmp_path: Path, seeds: tuple[str, str]) -> None:
    trees = []
    for seed in seeds:
        project = make_project(tmp_path / f"project-{seed}")
        environment = {**os.environ, "PYTHONHASHSEED": seed, "TZ": "Pacific/Kiritimati" if seed == "2" else "UTC"}
        subprocess.run(
            [sys.executable, str(REPOSITORY / "build.py"), "--project", str(project), "build"],
            check=True,
            env=environment,
            capture_output=True,
        )
        trees.append((tree(project / "site"), tree(project / "i18n")))
    assert trees[0] == trees[1]


def test_a_memory_file_without_its_page_is_reported_and_kept(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    orphan = project / "i18n" / "en" / "content" / "gone.po"
    shutil.copy(project / "i18n" / "en" / "content" / "index.po", orphan)
    report = build(load_config(project))
    assert any(
        str(warning) == "i18n/en/content/gone.po: no page content/gone.md for this translation memory: rename it "
        "with its page, or delete it if the page is gone"
        for warning in report.warnings
    )
    assert orphan.exists()


def test_parallel_rendering_gives_the_same_site_as_one_process(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPOSITORY / "benchmarks"))
    from corpus import write_corpus

    write_corpus(tmp_path / "corpus", pages=110, memory="complete", seed=3)  # 111 pages x 4 languages: parallel
    project = tmp_path / "corpus" / "explainer"
    trees = []
    # One process without the cache, then two processes with it (a cold cache: every page rendered).
    for jobs, cache in ((1, False), (2, True)):
        assert build(load_config(project), jobs=jobs, cache=cache).site_changed
        trees.append(tree(project / "site"))
    assert trees[0] == trees[1]
    assert len(trees[0]) > 700
