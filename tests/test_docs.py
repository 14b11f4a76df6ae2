"""The handbook in docs/ builds with MkDocs in strict mode: every page in the navigation,
no broken link or anchor between its pages."""

from __future__ import annotations

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
