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


def _repository_changes() -> set[str] | None:
    """Every file or folder of the repository that git shows as changed, new or ignored; None without git."""
    git = shutil.which("git")
    if git is None or not (REPOSITORY / ".git").exists():
        return None
    listing = subprocess.run(
        [git, "status", "--porcelain", "--ignored=matching", "--untracked-files=all", "--", ".", *_EXCLUDED],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        return None
    return {line[3:] for line in listing.stdout.splitlines()}


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_BEFORE] = _repository_changes()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a test wrote into the repository (a file that git did not show before)."""
    before = session.config.stash.get(_BEFORE, None)
    after = _repository_changes()
    if before is None or after is None:
        return
    written = sorted(after - before)
    if written:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("tests wrote into the repository: " + ", ".join(written[:20]), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_BEFORE = pytest.StashKey[set[str] | None]()
