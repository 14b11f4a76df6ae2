"""HTML validity with the Nu HTML Checker (vnu), where it is installed.

The checker is Java: ``npm install vnu-jar`` gives the jar, Debian's
``default-jre-headless`` the runtime. Without them the check is skipped and
says so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import Problem
from ..write.output import write_site
from . import Check, CheckedSite, Findings

_GNU_LINE = re.compile(r'^"(?:file:)?(?P<file>[^"]+)":(?P<line>\d+)[.\d-]*: (?:error|fatal)[^:]*: (?P<message>.*)$')


def find_validator(root: Path) -> list[str] | None:
    """The command that runs vnu, or None if java or the jar is missing."""
    java = shutil.which("java")
    candidates = [os.environ.get("EXPLAINER_VNU_JAR", ""), str(root / "node_modules/vnu-jar/build/dist/vnu.jar")]
    jar = next((path for path in candidates if path and Path(path).is_file()), None)
    if java is None or jar is None:
        return None
    return [java, "-jar", jar]


def validate_html(command: list[str], site_dir: Path) -> list[Problem]:
    """Every HTML error vnu finds under ``site_dir``, as ``path:line: message`` problems."""
    result = subprocess.run(
        [*command, "--errors-only", "--format", "gnu", "--skip-non-html", str(site_dir)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    problems = []
    for line in (result.stderr + result.stdout).splitlines():
        match = _GNU_LINE.match(line.strip())
        if match:
            file = Path(match.group("file"))
            shown = file.relative_to(site_dir).as_posix() if file.is_relative_to(site_dir) else str(file)
            problems.append(Problem(shown, int(match.group("line")), f"invalid HTML: {match.group('message')}"))
    if result.returncode not in (0, 1) and not problems:
        problems.append(Problem(str(site_dir), 0, f"the HTML validator failed: {result.stderr.strip()[:300]}"))
    return problems


def _validity(site: CheckedSite) -> Findings:
    validator = find_validator(site.config.root)
    if validator is None:
        return Findings(notes=("HTML validity: skipped (install a JRE and `npm install vnu-jar` to check it)",))
    with tempfile.TemporaryDirectory() as scratch:
        site_dir = Path(scratch) / "site"
        write_site(site_dir, site.files)
        problems = validate_html(validator, site_dir)
    pages = sum(file.path.endswith(".html") for file in site.files)
    return Findings(errors=tuple(problems), notes=(f"HTML validity: {len(problems)} errors in {pages} pages",))


CHECK = Check("validate", "the HTML of every page, with the Nu HTML Checker where it is installed", _validity)
