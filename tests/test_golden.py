"""The fixture site, built, must match tests/golden/expected file by file.

After an intended change to the output, regenerate with ``make golden`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from explainer.build import build
from explainer.config import load_config
from tests.golden import EXPECTED, build_fixture
from tests.project import make_project, tree


def test_built_site_matches_golden(tmp_path: Path) -> None:
    actual = tree(build_fixture(tmp_path))
    expected = tree(EXPECTED)
    assert sorted(actual) == sorted(expected), "file lists differ; run `make golden` if the change is intended"
    for path in sorted(expected):
        if path.endswith(".woff2"):  # a font: bytes, no text diff to show
            assert actual[path] == expected[path], f"{path} differs from the golden copy"
        else:
            assert actual[path].decode() == expected[path].decode(), f"{path} differs from the golden copy"


def test_two_builds_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # In one process; builds in processes with other hash seeds and time zones: test_reliability.py.
    first = tree(build_fixture(tmp_path / "one"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    second = tree(build_fixture(tmp_path / "two"))
    assert first == second


def test_rebuild_leaves_memory_unchanged(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    before = tree(project / "i18n")
    build(load_config(project))
    after = tree(project / "i18n")
    new_files = sorted(set(after) - set(before))
    # Pages without a memory file get one; existing files are already in canonical form.
    assert new_files == [
        f"{language}/content/{page}.po"
        for language in ("ar", "en", "es")
        for page in ("glossary", "index", "news", "original", "timeline")
        if (language, page) not in {("ar", "index"), ("en", "index"), ("en", "news")}
    ]
    assert {path: after[path] for path in before} == before
