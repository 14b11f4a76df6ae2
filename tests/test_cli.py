from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from explainer.cli import main
from tests.project import REPOSITORY, make_project


def test_help_lists_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "build.py", "--help"], cwd=REPOSITORY, capture_output=True, text=True, check=True
    )
    for command in ("build", "check", "status"):
        assert command in result.stdout
    for command in ("build", "check", "status"):
        sub = subprocess.run(
            [sys.executable, "build.py", command, "--help"], cwd=REPOSITORY, capture_output=True, text=True, check=True
        )
        assert sub.stdout.startswith("usage: python build.py")


def test_check_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path / "project")
    assert main(["--project", str(project), "check"]) == 0
    assert not (project / "site").exists()
    assert "checked 5 pages in 4 languages: no problems" in capsys.readouterr().out


def test_status_counts_and_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path / "project")
    assert main(["--project", str(project), "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "en        /news                               14         1         1         2" in lines
    assert main(["--project", str(project), "status", "--fail-under", "50"]) == 1


def test_explainer_error_has_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPOSITORY / "build.py"), "--project", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr == f"error: explainer.toml: no explainer.toml in {tmp_path}; is this an explainer project?\n"


def test_a_build_with_nothing_changed_writes_nothing_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path / "project")
    assert main(["--project", str(project), "build"]) == 0
    index = project / "site" / "fr" / "index.html"
    before = index.stat().st_mtime_ns, (project / "site").stat().st_ino
    capsys.readouterr()
    assert main(["--project", str(project), "build"]) == 0
    assert f"nothing changed: {project / 'site'} already holds this site" in capsys.readouterr().out
    assert (index.stat().st_mtime_ns, (project / "site").stat().st_ino) == before
