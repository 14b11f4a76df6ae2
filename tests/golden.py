"""Regenerate the golden site: ``python -m tests.golden`` (or ``make golden``).

Builds ``tests/fixtures/site`` with the repository's templates and UI catalogs and
replaces ``tests/golden/expected`` with the output. Review the diff before committing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from explainer.build import build
from explainer.config import load_config
from tests.project import make_project

EXPECTED = Path(__file__).resolve().parent / "golden" / "expected"


def build_fixture(workspace: Path) -> Path:
    """Build the fixture site in ``workspace``; return the output folder."""
    project = make_project(workspace / "project")
    build(load_config(project))
    return project / "site"


def main() -> int:
    with tempfile.TemporaryDirectory() as workspace:
        output = build_fixture(Path(workspace))
        shutil.rmtree(EXPECTED, ignore_errors=True)
        shutil.copytree(output, EXPECTED)
    print(f"golden site written to {EXPECTED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
