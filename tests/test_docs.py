"""The handbook in docs/ builds with MkDocs in strict mode: every page in the navigation,
no broken link or anchor between its pages."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.project import REPOSITORY


def test_the_handbook_builds_strictly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "handbook")],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "handbook" / "previewing" / "index.html").is_file()


def test_the_contributors_page_names_files_that_exist() -> None:
    """The contributor's page says where each change goes: every file and folder it names exists."""
    page = (REPOSITORY / "docs" / "contributing.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:explainer|tests)/[\w/.]*)`", page))
    assert len(named) >= 10, named
    missing = sorted(path for path in named if not (REPOSITORY / path).exists())
    assert not missing, missing
    for module in ("kinds.py", "translate/mt/", "render/lists.py", "check/", "build.py", "plan.py"):
        assert f"explainer/{module}" in named
