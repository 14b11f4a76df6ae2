"""The guard of tests/conftest.py: what it sees of a repository, so that a test writing into this one
fails the run (the hook compares what it sees before and after the whole run)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import repository_changes


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_guard_sees_new_changed_and_ignored_files_but_not_the_tools_folders(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("/ignored/\n.venv/\n", encoding="utf-8")
    (tmp_path / "kept.txt").write_text("kept", encoding="utf-8")
    subprocess.run(["git", "-C", str(tmp_path), "add", "."], check=True)
    commit = ["git", "-C", str(tmp_path), "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit"]
    subprocess.run([*commit, "-q", "-m", "start"], check=True)
    before = repository_changes(tmp_path)
    assert before == set()
    (tmp_path / "stray.txt").write_text("written by a test", encoding="utf-8")
    (tmp_path / "kept.txt").write_text("changed by a test", encoding="utf-8")
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "cache.bin").write_bytes(b"ignored, but written into the repository")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "set-up").write_text("the tools' own folder", encoding="utf-8")
    after = repository_changes(tmp_path)
    assert after == {"stray.txt", "kept.txt", "ignored/cache.bin"}


def test_without_a_repository_the_guard_stands_aside(tmp_path: Path) -> None:
    assert repository_changes(tmp_path) is None
