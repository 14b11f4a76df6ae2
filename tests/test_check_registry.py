"""The checks of ``check`` are a registry: every module of ``explainer.check`` that declares a
``CHECK`` is one; ``check`` runs every one of them on the site built in memory. A new check here is a
real module file, written to a temporary folder that joins the package's path, as a contributor's
module in the package would be found."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import explainer.check
from explainer.build import check
from explainer.check import CheckedSite, Findings, registered
from explainer.config import load_config
from explainer.errors import CheckError, ContentError, Problem
from tests.project import make_project

# What each check module written by a test runs, by module name (the module looks it up here).
RUNS: dict[str, Callable[[CheckedSite], Findings]] = {}

_MODULE = """
    from explainer.check import Check
    from tests.test_check_registry import RUNS

    CHECK = Check("{name}", "a check made by the test", RUNS["{name}"])
"""

Register = Callable[[str, Callable[[CheckedSite], Findings]], list[CheckedSite]]


@pytest.fixture
def add_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Register]:
    """Adds a check module to the package for the test; returns the sites each check was given."""
    folder = tmp_path / "checks"
    folder.mkdir()
    monkeypatch.setattr(explainer.check, "__path__", [*explainer.check.__path__, str(folder)])
    added: list[str] = []

    def register(name: str, run: Callable[[CheckedSite], Findings]) -> list[CheckedSite]:
        seen: list[CheckedSite] = []

        def recording(site: CheckedSite) -> Findings:
            seen.append(site)
            return run(site)

        RUNS[name] = recording
        (folder / f"{name}.py").write_text(textwrap.dedent(_MODULE.format(name=name)), encoding="utf-8")
        added.append(name)
        return seen

    yield register
    for name in added:
        RUNS.pop(name, None)
        sys.modules.pop(f"explainer.check.{name}", None)


def _remove(tmp_path: Path, name: str) -> None:
    (tmp_path / "checks" / f"{name}.py").unlink()
    sys.modules.pop(f"explainer.check.{name}", None)


def test_every_check_module_declares_its_check() -> None:
    checks = registered()
    assert [found.name for found in checks] == ["lint", "provenance", "qa", "validate"]
    for found in checks:
        assert importlib.import_module(f"explainer.check.{found.name}").CHECK is found
        assert found.checks  # says what it checks


def test_checks_run_in_the_order_of_their_modules_and_findings_add_up(add_check: Register) -> None:
    add_check("zz_second", lambda site: Findings())
    add_check("zz_first", lambda site: Findings())
    assert [found.name for found in registered()][-2:] == ["zz_first", "zz_second"]
    first = Findings(notes=("first",), warnings=(Problem("a", 1, "w"),))
    second = Findings(errors=(Problem("b", 2, "e"),), notes=("second",))
    assert first + second == Findings((Problem("b", 2, "e"),), (Problem("a", 1, "w"),), ("first", "second"))


def test_a_new_check_is_one_module(tmp_path: Path, add_check: Register) -> None:
    config = load_config(make_project(tmp_path / "project"))
    seen = add_check("zz_pages", lambda site: Findings(notes=(f"{len(site.files)} files",)))
    report = check(config)
    assert len(seen) == 1
    site = seen[0]
    assert site.config == config and site.glossary is not None
    assert {file.path for file in site.files} >= {"fr/index.html", "en/news/index.html", "sitemap.xml"}
    assert [file.path for file in site.files] == sorted(file.path for file in site.files)
    assert {page.language for page in site.translated} == set(config.language_codes)
    assert len(site.segmented) == 5 and "fr" in site.live
    assert f"{len(site.files)} files" in report.notes


def test_a_new_checks_errors_fail_check_and_its_warnings_fail_it_under_strict(
    tmp_path: Path, add_check: Register
) -> None:
    config = load_config(make_project(tmp_path / "project"))
    add_check("zz_failing", lambda site: Findings(errors=(Problem("fr/index.html", 3, "bad"),)))
    with pytest.raises(CheckError) as error:
        check(config)
    assert str(error.value) == "fr/index.html:3: bad"
    _remove(tmp_path, "zz_failing")
    add_check("zz_warning", lambda site: Findings(warnings=(Problem("fr/index.html", 3, "odd"),)))
    assert [found.name for found in registered()][-1] == "zz_warning"
    assert Problem("fr/index.html", 3, "odd") in check(config).warnings
    with pytest.raises(ContentError) as strict:
        check(config, strict=True)
    assert "fr/index.html:3: odd (an error under --strict)" in str(strict.value).splitlines()
