"""The deploy workflow's own steps, run in order against a local Argos index, end with a built site.

The steps after "Run the tests" (planning the routes, installing the models,
building, the job summary) are read from .github/workflows/deploy.yml and run
as GitHub runs them (bash -eo pipefail), with the workflow's environment
variables, in a copy of the repository with one new French paragraph. The only
difference from a real run: EXPLAINER_ARGOS_INDEX points at an index served on
127.0.0.1 that is shaped like the public one (fr->en, en->ar, en->es). Steps
that use an action (checkout, Python, the cache) or install Debian packages are
not run here; a sitecustomize module refuses, in every Python process the steps
start, any connection that is not to 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.argos_index import write_index
from tests.project import REPOSITORY, serve_folder

WORKFLOW = REPOSITORY / ".github" / "workflows" / "deploy.yml"
NEW_PARAGRAPH = "Les écoles sont fermées."
GUARD = """
import os, socket
_connect = socket.socket.connect
def _guarded(self, address):
    if isinstance(address, tuple) and address[0] == "127.0.0.1":
        return _connect(self, address)
    with open(os.environ["NETWORK_ATTEMPTS"], "a", encoding="utf-8") as log:
        log.write(repr(address) + "\\n")
    raise OSError("network access is not allowed in tests")
socket.socket.connect = _guarded
"""


def _steps() -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The workflow's environment and the build job's steps that come after the tests."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    names = [step.get("name") for step in steps]
    after_tests = steps[names.index("Run the tests") + 1 :]
    return {key: str(value) for key, value in workflow["env"].items()}, after_tests


def _copy_repository(destination: Path) -> Path:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPOSITORY, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        source = REPOSITORY / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (destination / ".venv").symlink_to(REPOSITORY / ".venv")
    return destination


def test_the_deploy_steps_install_by_route_and_build(tmp_path: Path) -> None:
    if not (REPOSITORY / ".venv" / "bin" / "python").exists():
        pytest.skip("the workflow's commands use .venv/bin/python (make test creates it)")
    workflow_env, steps = _steps()
    run_steps = [step for step in steps if "run" in step]
    assert [step["name"] for step in run_steps] == [
        "Plan the machine-translation routes",
        "Install the Argos models of every route",
        "Build the site",
        "Machine translation summary",
    ]
    for step in run_steps:
        assert "${{" not in step["run"], f"{step['name']}: expressions are not run by this test"
        assert "if" not in step, f"{step['name']}: conditions are not evaluated by this test"
    assert "EXPLAINER_ARGOS_INDEX" in workflow_env

    project = _copy_repository(tmp_path / "repository")
    about = project / "content" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + f"\n{NEW_PARAGRAPH}\n", encoding="utf-8")
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    github = tmp_path / "github"
    github.mkdir()
    output, summary = github / "output", github / "summary"
    mirror = tmp_path / "mirror"
    with serve_folder(mirror) as base:
        write_index(mirror, base)
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("ARGOS_", "EXPLAINER_"))},
            **workflow_env,
            "EXPLAINER_ARGOS_INDEX": base + "index.json",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "PYTHONPATH": str(guard),
            "NETWORK_ATTEMPTS": str(tmp_path / "network-attempts"),
            "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
            "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
            "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
            "ARGOS_INTRA_THREADS": "1",
        }
        logs = []
        for step in run_steps:
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=project,
                env={**env, **{key: str(value) for key, value in step.get("env", {}).items()}},
                capture_output=True,
                text=True,
                timeout=300,
            )
            logs.append(f"== {step['name']}\n{result.stdout}{result.stderr}")
            assert result.returncode == 0, "\n".join(logs)
    log = "\n".join(logs)
    assert not (tmp_path / "network-attempts").exists(), (tmp_path / "network-attempts").read_text()

    assert output.read_text(encoding="utf-8") == (
        "key=en-fr.en.0.1-test_ar-fr.en.0.1-test-en.ar.0.1-test_es-fr.en.0.1-test-en.es.0.1-test\n"
    )
    assert "  ar  fr->ar via en: fr->en 0.1-test (download), en->ar 0.1-test (download)" in log
    assert "every argos language has a route (3 installed now)" in log
    models = project / ".cache" / "argos-packages"
    assert sorted(path.name for path in models.iterdir()) == ["en_ar_tiny", "en_es_tiny", "fr_en_tiny"]
    assert "machine-translated 3 segments" in log
    expected = {
        "en": ("argos fr->en 0.1-test", "The schools are closed."),
        "ar": ("argos fr->en 0.1-test, en->ar 0.1-test", "المدارس مغلقة."),
        "es": ("argos fr->en 0.1-test, en->es 0.1-test", "Las escuelas están cerradas."),
    }
    for language, (label, translation) in expected.items():
        po = (project / "i18n" / language / "content" / "about.po").read_text(encoding="utf-8")
        assert (
            f'#. machine: {label}\n#: content/about.md\n#, fuzzy\nmsgid "{NEW_PARAGRAPH}"\nmsgstr "{translation}"\n'
            in po
        )
        page = (project / "site" / language / "about" / "index.html").read_text(encoding="utf-8")
        assert f'<p data-state="machine">{translation}</p>' in page
    assert (project / "site" / "index.html").is_file()
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## Machine translation\n\n```text\n")
    assert "ar        argos fr->en 0.1-test, en->ar 0.1-test  (via en)\n" in text
    assert "no machine translation for" not in text
