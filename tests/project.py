"""Make a throw-away copy of a fixture project, with the repository's templates
and UI catalogs, so tests never write into the repository."""

from __future__ import annotations

import shutil
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_project(destination: Path, fixture: str = "site") -> Path:
    """Copy ``tests/fixtures/<fixture>`` to ``destination``; return its path."""
    shutil.copytree(FIXTURES / fixture, destination)
    shutil.copytree(REPOSITORY / "templates", destination / "templates")
    for catalog in sorted((REPOSITORY / "i18n").glob("*/LC_MESSAGES/messages.po")):
        target = destination / "i18n" / catalog.relative_to(REPOSITORY / "i18n")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(catalog, target)
    return destination


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative POSIX path -> bytes)."""
    if not root.exists():
        return {}
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}
