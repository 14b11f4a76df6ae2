"""Rendering the pages across worker processes: each worker gets its job from the pool's
initializer, and the site does not depend on the number of processes."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from explainer.build import build
from explainer.config import load_config
from explainer.render import site
from tests.project import make_project, tree


def test_two_worker_processes_render_the_site_one_process_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pools: list[dict[str, Any]] = []

    class RecordingPool(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(kwargs)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(site, "ProcessPoolExecutor", RecordingPool)
    monkeypatch.setattr(site, "PARALLEL_FROM", 1)  # the small fixture site, in two processes
    trees = []
    for jobs in (1, 2):
        project = make_project(tmp_path / f"jobs-{jobs}")
        build(load_config(project), use_machine=False, jobs=jobs, cache=False)
        trees.append(tree(project / "site"))
    assert trees[0] == trees[1]
    # The pages' workers, then the process making the web fonts apart.
    assert [pool["initializer"] for pool in pools] == [site._start_worker, site._start_apart]
    # The jobs went to the workers as arguments; the parent never holds them.
    assert site._worker_job is None and site._apart_job is None


def test_two_worker_processes_give_the_same_site_and_segment_cache_cold_and_warm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from explainer.render.segcache import CACHE_FILE

    monkeypatch.setattr(site, "PARALLEL_FROM", 1)  # the small fixture site, in two processes
    results = []
    for jobs in (1, 2):
        project = make_project(tmp_path / f"jobs-{jobs}")
        build(load_config(project), use_machine=False, jobs=jobs)
        cold = tree(project / "site")
        # Every page rendered again from converted Markdown the workers read from the cache.
        template = project / "templates" / "page.html"
        template.write_text(template.read_text(encoding="utf-8") + "<!-- v2 -->\n", encoding="utf-8")
        build(load_config(project), use_machine=False, jobs=jobs)
        with sqlite3.connect(project / CACHE_FILE) as db:
            keys = sorted(key for (key,) in db.execute("SELECT key FROM conversions"))
        results.append((cold, tree(project / "site"), keys))
    assert results[0] == results[1]
    assert results[0][2], "the workers' conversions were brought back and saved"


def test_files_rendered_in_workers_are_scanned_there_and_checked_as_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from explainer.cache import CACHE_DIR
    from explainer.check import links
    from explainer.errors import CheckError

    monkeypatch.setattr(site, "PARALLEL_FROM", 1)  # the small fixture site, in two processes
    parent, scanned_in = os.getpid(), tmp_path / "scanned-in"  # a file: the workers' scans are in other processes
    scan_file = links.scan_file

    def recorded(path: str, content: bytes, pieces: tuple[str, ...] = (), text: str | None = None) -> links.Scan:
        with scanned_in.open("a", encoding="utf-8") as record:
            record.write("parent\n" if os.getpid() == parent else "worker\n")
        return scan_file(path, content, pieces, text)

    monkeypatch.setattr(links, "scan_file", recorded)
    stored, errors = [], []
    for jobs in (1, 2):
        project = make_project(tmp_path / f"jobs-{jobs}")
        build(load_config(project), use_machine=False, jobs=jobs)
        with sqlite3.connect(project / CACHE_DIR / "cache.sqlite") as db:
            stored.append(sorted(db.execute("SELECT hash, data FROM scans")))
        # A broken anchor in every page: found in what the workers scanned.
        template = project / "templates" / "page.html"
        text = template.read_text(encoding="utf-8").replace(
            "{% block main %}", '{% block main %}<a href="#nowhere">x</a>'
        )
        template.write_text(text, encoding="utf-8")
        with pytest.raises(CheckError) as failed:
            build(load_config(project), use_machine=False, jobs=jobs)
        errors.append(str(failed.value))
    assert stored[0] == stored[1] and len(stored[0]) > 10
    assert errors[0] == errors[1] and "broken anchor '#nowhere'" in errors[0]
    # Pages scanned in the workers where there are workers, site-wide files in the parent.
    assert set(scanned_in.read_text(encoding="utf-8").split()) == {"parent", "worker"}
