"""Checks of the built site and of the memory: links and anchors, provenance, PO and UI lint, HTML validity.

Two kinds of check, run at two moments, and the markup rule (``markup``, with ``elements``: what one block and one
translation may hold), which segmenting and translating apply as they read:

- **The link check** (``links``: links, anchors, hreflang alternates, leftovers) runs in every
  build, on the files it renders, before anything is written. An incremental build checks only
  the files that changed, plus every file when what links can point at changed: ``Scan.outline``
  says what other files' checks read of a file.
- **The checks of** ``python build.py check``: every module of this package that declares a
  ``CHECK`` (its name, what it checks, the function that runs it), found when ``check`` runs and
  run in the order of the modules' names. Each reads the whole site as ``check`` builds it in
  memory (``CheckedSite``). They never run in an
  incremental build, so they keep nothing in the build cache and ``Scan.outline`` knows nothing
  of them: adding a check is one module with its ``CHECK``, and its test.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import Problem

if TYPE_CHECKING:
    from ..config import Config
    from ..model import OutputFile, SegmentedPage, TranslatedPage
    from ..translate.glossary import Glossary


@dataclass(frozen=True)
class CheckedSite:
    """What the checks read: the whole site, built in memory, and what it was built from."""

    config: Config
    files: tuple[OutputFile, ...]  # every file of the site, sorted by path
    segmented: tuple[SegmentedPage, ...]  # every page, segmented
    translated: tuple[TranslatedPage, ...]  # every page in every language
    glossary: Glossary
    live: tuple[str, ...]  # languages open to readers: a problem of a preview language is a warning


@dataclass(frozen=True)
class Findings:
    """What a check found: errors fail ``check``; warnings fail it under ``--strict``; notes say
    what was checked or skipped."""

    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()

    def __add__(self, other: Findings) -> Findings:
        return Findings(self.errors + other.errors, self.warnings + other.warnings, self.notes + other.notes)


@dataclass(frozen=True)
class Check:
    """One check of ``python build.py check``."""

    name: str
    checks: str  # what it checks, in a sentence
    run: Callable[[CheckedSite], Findings]


def registered() -> tuple[Check, ...]:
    """Every check of this package, in the order of its modules' names: the ``CHECK`` of each
    module that declares one (a build does not import them: only ``check`` runs them)."""
    found = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
        check = getattr(importlib.import_module(f"{__name__}.{module.name}"), "CHECK", None)
        if isinstance(check, Check):
            found.append(check)
    return tuple(found)


def run_checks(site: CheckedSite) -> Findings:
    """The findings of every registered check on ``site``."""
    findings = Findings()
    for check in registered():
        findings += check.run(site)
    return findings
