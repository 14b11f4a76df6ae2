"""Quality checks on every translation, by a person or a machine: translate-toolkit's pofilter
checks (the ones Pootle and Weblate's users know), run by ``build.py check``.

Reads the content PO files and ``i18n/qa-exceptions.yaml``, the project's list of accepted
findings (false positives, each with its reason). translate-toolkit is an optional
dependency (``pip install 'explainer[qa]'``): without it the check is skipped, and says so.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

import yaml

from ..config import Config
from ..errors import Problem, relative
from ..layout import memory_file
from ..model import SegmentedPage
from . import Check, CheckedSite, Findings

EXCEPTIONS_NAME = "qa-exceptions.yaml"
# pofilter checks that hold between French and any target language. Left out: those about
# capitals, quotes and spacing around punctuation, which differ by design between French and
# the targets (French puts a space before ; : ! ?), and those for software strings (accelerators, variables).
CHECKS = (
    "numbers",
    "urls",
    "emails",
    "brackets",
    "endpunc",
    "doublewords",
    "doublespacing",
    "startwhitespace",
    "endwhitespace",
    "newlines",
    "xmltags",
)


@dataclass(frozen=True)
class Accepted:
    """A finding the project accepts: in the files matching ``file`` (a path, or a pattern such as
    ``i18n/ar/content/*.po``), check ``check`` on the entries whose French starts with ``msgid``
    (every entry when ``msgid`` is empty)."""

    file: str
    check: str
    msgid: str

    def covers(self, shown: str, check: str, source: str) -> bool:
        return check == self.check and fnmatch.fnmatchcase(shown, self.file) and source.startswith(self.msgid)


def load_exceptions(config: Config) -> tuple[list[Accepted], list[Problem]]:
    """The accepted findings of ``i18n/qa-exceptions.yaml`` (none if there is no file), and its problems."""
    path = config.i18n_dir / EXCEPTIONS_NAME
    shown = relative(path, config.root)
    if not path.exists():
        return [], []
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except UnicodeDecodeError as error:
        return [], [Problem(shown, 0, f"not valid UTF-8 (byte 0x{error.object[error.start]:02x}); save it as UTF-8")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return [], [Problem(shown, (mark.line + 1) if mark else 0, f"invalid YAML: {error}")]
    accepted: list[Accepted] = []
    problems: list[Problem] = []
    if not isinstance(data, list):
        return [], [Problem(shown, 1, "expected a list of {file, check, msgid, reason}")]
    for number, item in enumerate(data, 1):
        keys = ("file", "check", "msgid", "reason")
        if (
            not isinstance(item, dict)
            or sorted(map(str, item)) != sorted(keys)
            or not all(isinstance(item[k], str) for k in keys)
        ):
            problems.append(Problem(shown, 0, f"exception {number}: give exactly file, check, msgid and reason (text)"))
        elif item["check"] not in CHECKS:
            problems.append(
                Problem(shown, 0, f"exception {number}: unknown check '{item['check']}'; one of {', '.join(CHECKS)}")
            )
        else:
            accepted.append(Accepted(item["file"], item["check"], item["msgid"]))
    return accepted, problems


def quality_problems(config: Config, pages: tuple[SegmentedPage, ...]) -> tuple[list[Problem], list[str]]:
    """The pofilter findings in every content translation (empty ones aside) not accepted as
    exceptions, as ``path:line`` problems, and notes (the check skipped, exceptions no longer used)."""
    try:
        from translate.filters import checks
        from translate.storage import factory
    except ImportError:
        return [], ["translation quality checks skipped: install translate-toolkit (pip install 'explainer[qa]')"]
    accepted, problems = load_exceptions(config)
    used: set[Accepted] = set()
    for language in config.target_languages:
        checker = checks.StandardChecker(
            checkerconfig=checks.CheckerConfig(targetlanguage=language.code), limitfilters=list(CHECKS)
        )
        for segmented in pages:
            path = memory_file(config.i18n_dir, language.code, segmented.page.path)
            if not path.exists():
                continue
            shown = relative(path, config.root)
            lines = path.read_text(encoding="utf-8").splitlines()
            for unit in factory.getobject(str(path)).units:
                if unit.isheader() or unit.isobsolete() or not unit.target:
                    continue
                for name, failure in sorted(checker.run_filters(unit).items()):
                    match = next((a for a in accepted if a.covers(shown, name, unit.source)), None)
                    if match is not None:
                        used.add(match)
                        continue
                    message = failure.get("message", name) if isinstance(failure, dict) else str(failure)
                    problems.append(
                        Problem(
                            shown,
                            _msgid_line(unit, lines),
                            f"quality check '{name}': {message}; fix the translation, or accept it in "
                            f"i18n/{EXCEPTIONS_NAME}",
                        )
                    )
    notes = [
        f"i18n/{EXCEPTIONS_NAME}: exception no longer needed: {a.file}, {a.check}, {a.msgid[:40]!r}"
        for a in accepted
        if a not in used
    ]
    return problems, notes


def _msgid_line(unit: Any, lines: list[str]) -> int:
    """The line of the unit's msgid, as Babel and the other messages give it (translate-toolkit
    gives the unit's first line, its comments included)."""
    start = int(getattr(unit, "line_number", 0) or 0)
    for number in range(max(start, 1), len(lines) + 1):
        if lines[number - 1].startswith("msgid "):
            return number
    return start


def _quality(site: CheckedSite) -> Findings:
    problems, notes = quality_problems(site.config, site.segmented)
    return Findings(warnings=tuple(problems), notes=tuple(notes))


CHECK = Check("qa", "every translation, with translate-toolkit's pofilter checks (warnings)", _quality)
