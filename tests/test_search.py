"""The search index (write/search.py): Pagefind's binary run directly, and what its failures say."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from explainer.write.search import SearchError, index_site, pagefind_command

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
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'Error: no HTML files found' >&2\nexit 1\n", encoding="utf-8")
    failing.chmod(failing.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(failing))
    with pytest.raises(SearchError, match=r"^pagefind failed: Error: no HTML files found$"):
        index_site(_site(tmp_path / "site"))
