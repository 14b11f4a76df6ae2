"""The search index (write/search.py): Pagefind's binary run directly, what its failures say, and
the preview's index, made once its new site is in place."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

import explainer.write.search
from explainer.build import build
from explainer.config import load_config
from explainer.layout import NEXT_SEARCH_INDEX, search_index_ready
from explainer.model import BuildReport
from explainer.write.search import SearchError, carry_index, index_site, pagefind_command, refresh_index
from tests.project import failing_pagefind, make_project, tree, with_search

_PAGE = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Une page</title></head>'
    "<body><main data-pagefind-body><h1>Une page</h1><p>La France et le Mali.</p></main></body></html>"
)


def _site(folder: Path) -> Path:
    (folder / "fr").mkdir(parents=True)
    (folder / "fr" / "index.html").write_text(_PAGE, encoding="utf-8")
    (folder / "en").mkdir()
    (folder / "en" / "index.html").write_text(_PAGE.replace('lang="fr"', 'lang="en"'), encoding="utf-8")
    return folder


def test_the_binary_of_the_installed_package_is_run_without_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    (binary,) = pagefind_command()  # the search extra installs pagefind[bin]
    assert Path(binary).is_file() and os.access(binary, os.X_OK) and binary != sys.executable


def test_the_binary_named_by_the_environment_comes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/opt/pagefind/pagefind")
    assert pagefind_command() == ["/opt/pagefind/pagefind"]


def test_without_a_binary_package_the_python_package_runs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    monkeypatch.setitem(sys.modules, "pagefind_bin", None)  # an import of it raises ImportError
    monkeypatch.setitem(sys.modules, "pagefind_bin_extended", None)
    assert pagefind_command() == [sys.executable, "-m", "pagefind"]


def test_the_index_is_built_with_its_languages_sorted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    site = _site(tmp_path / "site")
    index_site(site)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["en", "fr"]


def test_a_binary_that_cannot_run_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "missing" / "pagefind"))
    with pytest.raises(SearchError, match=r"cannot run pagefind \(.*missing/pagefind\): No such file"):
        index_site(_site(tmp_path / "site"))


def test_a_failing_binary_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(failing_pagefind(tmp_path, "Error: no HTML files found")))
    with pytest.raises(SearchError, match=r"^pagefind failed: Error: no HTML files found$"):
        index_site(_site(tmp_path / "site"))


@pytest.mark.parametrize("swapped", [True, False], ids=["exchanged", "without-exchange"])
def test_a_carried_index_is_replaced_by_the_sites_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, swapped: bool
) -> None:
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    if not swapped:  # a system without an atomic exchange: the outdated index is removed first
        monkeypatch.setattr(explainer.write.search, "exchange", lambda first, second: False)
    last = _site(tmp_path / "last")
    index_site(last)
    new = _site(tmp_path / "new")
    (new / "fr" / "index.html").write_text(_PAGE.replace("Mali", "Niger"), encoding="utf-8")
    carry_index(last, new)
    assert not search_index_ready(new)  # the last site's index, marked outdated
    assert (
        os.stat(new / "pagefind" / "pagefind-entry.json").st_ino
        == os.stat(last / "pagefind" / "pagefind-entry.json").st_ino
    )
    previous = tmp_path / "previous-index"
    refresh_index(new, previous)
    assert search_index_ready(new) and not (new / NEXT_SEARCH_INDEX).exists()
    reference = tmp_path / "reference"
    shutil.copytree(new, reference, ignore=shutil.ignore_patterns("pagefind"))
    index_site(reference)
    assert tree(new / "pagefind") == tree(reference / "pagefind")
    assert tree(last / "pagefind") != tree(new / "pagefind")
    # The index replaced is kept aside (what a search page that loaded it asks for next), until the next.
    assert {path: content for path, content in tree(previous).items() if path != ".outdated"} == tree(last / "pagefind")
    (new / "fr" / "index.html").write_text(_PAGE.replace("Mali", "Tchad"), encoding="utf-8")
    kept = tree(new / "pagefind")
    refresh_index(new, previous)
    assert tree(previous) == kept


def _edit(project: Path) -> None:
    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Deux diplomates", "Trois diplomates"), "utf-8")


def _cold(tmp_path: Path, project: Path) -> dict[str, bytes]:
    reference = tmp_path / "reference"
    shutil.copytree(project, reference, ignore=shutil.ignore_patterns("site", ".site.*", ".cache"))
    build(load_config(reference), use_machine=False, cache=False)
    return tree(reference / "site")


def test_the_preview_puts_its_site_in_place_before_its_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # With site_ready (the preview's), the new site is in place, with the last site's index marked
    # outdated, when site_ready is called; the build then makes the site's own, a cold build's.
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    project = with_search(make_project(tmp_path / "project"))
    config = load_config(project)
    seen: list[tuple[bool, bool, bool]] = []

    def ready(report: BuildReport) -> None:
        site = config.output_dir
        seen.append(
            (
                b"Trois diplomates" in (site / "fr" / "news" / "index.html").read_bytes(),
                (site / "pagefind").is_dir(),
                search_index_ready(site),
            )
        )

    build(config, use_machine=False, site_ready=ready)
    assert search_index_ready(config.output_dir)
    _edit(project)
    build(config, use_machine=False, site_ready=ready)
    assert seen == [(False, False, False), (True, True, False)]
    assert search_index_ready(config.output_dir) and not (config.output_dir / NEXT_SEARCH_INDEX).exists()
    assert tree(config.output_dir) == _cold(tmp_path, project)


def test_an_index_that_failed_once_the_site_was_in_place_is_made_by_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    project = with_search(make_project(tmp_path / "project"))
    config = load_config(project)
    build(config, use_machine=False, site_ready=lambda report: None)
    _edit(project)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(failing_pagefind(tmp_path, "Error: no HTML files found")))
    told: list[BuildReport] = []
    with pytest.raises(SearchError, match=r"^pagefind failed: Error: no HTML files found$"):
        build(config, use_machine=False, site_ready=told.append)
    assert told  # the site was in place, with the last site's index
    assert b"Trois diplomates" in (config.output_dir / "fr" / "news" / "index.html").read_bytes()
    assert (config.output_dir / "pagefind").is_dir() and not search_index_ready(config.output_dir)
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    build(config, use_machine=False, site_ready=lambda report: None)  # nothing else changed
    assert search_index_ready(config.output_dir)
    assert tree(config.output_dir) == _cold(tmp_path, project)
