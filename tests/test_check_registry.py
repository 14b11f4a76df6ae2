"""The checks of ``check`` are a registry: each module declares its ``Check``, listed in one place;
``check`` runs every one of them on the site built in memory."""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

import pytest

import explainer.check
from explainer.build import check
from explainer.check import CHECKS, Check, CheckedSite, Findings, registered, run_checks
from explainer.config import load_config
from explainer.errors import CheckError, ContentError, Problem
from tests.project import make_project


def test_every_listed_module_declares_its_check() -> None:
    checks = registered()
    assert [found.name for found in checks] == list(CHECKS) == ["lint", "provenance", "qa", "validate"]
    for name, found in zip(CHECKS, checks, strict=True):
        assert importlib.import_module(f"explainer.check.{name}").CHECK is found
        assert found.checks  # says what it checks


def _register(monkeypatch: pytest.MonkeyPatch, name: str, run: object) -> list[CheckedSite]:
    """A check module of one's own, listed last, as a new check would be."""
    seen: list[CheckedSite] = []

    def recording(site: CheckedSite) -> Findings:
        seen.append(site)
        return run(site)  # type: ignore[operator, no-any-return]

    module = types.ModuleType(f"explainer.check.{name}")
    module.CHECK = Check(name, "a check made by the test", recording)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(explainer.check, "CHECKS", (*explainer.check.CHECKS, name))
    return seen


def test_findings_add_up_in_the_order_of_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(explainer.check, "CHECKS", ())
    _register(monkeypatch, "first", lambda site: Findings(notes=("first",), warnings=(Problem("a", 1, "w"),)))
    _register(monkeypatch, "second", lambda site: Findings(errors=(Problem("b", 2, "e"),), notes=("second",)))
    found = run_checks(None)  # type: ignore[arg-type]  # these checks read nothing of the site
    assert found == Findings((Problem("b", 2, "e"),), (Problem("a", 1, "w"),), ("first", "second"))


def test_a_new_check_is_one_module_listed_in_the_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(make_project(tmp_path / "project"))
    seen = _register(monkeypatch, "pages_named", lambda site: Findings(notes=(f"{len(site.files)} files",)))
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
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(make_project(tmp_path / "project"))
    _register(monkeypatch, "failing", lambda site: Findings(errors=(Problem("fr/index.html", 3, "bad"),)))
    with pytest.raises(CheckError) as error:
        check(config)
    assert str(error.value) == "fr/index.html:3: bad"
    monkeypatch.setattr(explainer.check, "CHECKS", CHECKS)
    _register(monkeypatch, "warning", lambda site: Findings(warnings=(Problem("fr/index.html", 3, "odd"),)))
    assert Problem("fr/index.html", 3, "odd") in check(config).warnings
    with pytest.raises(ContentError) as strict:
        check(config, strict=True)
    assert "fr/index.html:3: odd (an error under --strict)" in str(strict.value).splitlines()
