"""Settings shared by every test module, and a guard: no test writes into the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

REPOSITORY = Path(__file__).resolve().parent.parent

# Property tests: about 100 examples each on a contributor's machine, 1,000 under CI (CI=true).
# Hypothesis keeps its files (failing examples for the next run, its caches) outside the repository.
_HYPOTHESIS_HOME = Path(tempfile.gettempdir()) / "explainer-hypothesis"
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
_DATABASE = DirectoryBasedExampleDatabase(str(_HYPOTHESIS_HOME / "examples"))
settings.register_profile("dev", max_examples=100, database=_DATABASE)
settings.register_profile("ci", max_examples=1000, database=_DATABASE)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev"))

# What the tools that run around the tests leave in the repository (set-up, lint caches), not the tests.
_TOOLS = (".venv/", "node_modules/", "explainer.egg-info/", ".mypy_cache/", ".ruff_cache/")
_EXCLUDED = tuple(f":!{folder}" for folder in _TOOLS)


def repository_changes(root: Path = REPOSITORY) -> set[str] | None:
    """Every file of the repository at ``root`` that git shows as changed, new or ignored (set-up
    and lint folders left out); None without git."""
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return None
    found: set[str] = set()
    # Changed, deleted and new files, then the ignored ones, file by file (outside the tools' folders).
    for options in (("--modified", "--deleted", "--others"), ("--others", "--ignored")):
        listing = subprocess.run(
            [git, "ls-files", "-z", *options, "--exclude-standard", "--", ".", *_EXCLUDED],
            cwd=root,
            capture_output=True,
            check=False,
        )
        if listing.returncode != 0:
            return None
        found.update(name.decode("utf-8", "replace") for name in listing.stdout.split(b"\0") if name)
    return found


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_BEFORE] = repository_changes()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a test wrote into the repository (a file that git did not show before)."""
    before = session.config.stash.get(_BEFORE, None)
    after = repository_changes()
    if before is None or after is None:
        return
    written = sorted(after - before)
    if written:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("tests wrote into the repository: " + ", ".join(written[:20]), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_BEFORE = pytest.StashKey[set[str] | None]()


@pytest.fixture()
def built_project(tmp_path: Path) -> Path:
    """The fixture project (tests/project.py), built once by the command line."""
    from explainer.cli import main
    from tests.project import make_project

    project = make_project(tmp_path / "project")
    assert main(["--project", str(project), "build"]) == 0
    return project
