from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from explainer.cli import main
from tests.project import REPOSITORY, make_project


def test_help_lists_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "build.py", "--help"], cwd=REPOSITORY, capture_output=True, text=True, check=True
    )
    # The commands as listed under COMMAND: an indented name, then its help.
    commands = re.findall(r"^    ([a-z]+) {2,}\S", result.stdout, flags=re.MULTILINE)
    assert {"build", "serve", "check", "status", "models"} <= set(commands), result.stdout
    for command in commands:
        sub = subprocess.run(
            [sys.executable, "build.py", command, "--help"], cwd=REPOSITORY, capture_output=True, text=True, check=True
        )
        assert sub.stdout.startswith(f"usage: python build.py {command}"), sub.stdout


def test_check_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path / "project")
    assert main(["--project", str(project), "check"]) == 0
    assert not (project / "site").exists()
    assert "checked 5 pages in 4 languages: no problems" in capsys.readouterr().out


def test_status_counts_and_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path / "project")
    assert main(["--project", str(project), "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["language", "page", "reviewed", "translated", "machine", "stale", "missing"]
    assert "en        /news                                 1         13          1          1          2" in lines
    assert main(["--project", str(project), "status", "--fail-under", "50"]) == 1


def test_review_command_lists_approves_and_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path / "project")
    po = project / "i18n/en/content/news.po"
    base = ["--project", str(project), "review", str(po)]
    assert main(base) == 0
    listing = capsys.readouterr().out.splitlines()
    found = [re.fullmatch(r"i18n/en/content/news\.po:(\d+): (\w+): (.*)", text) for text in listing]
    lines = {match.group(3): int(match.group(1)) for match in found if match}
    states = {match.group(3): match.group(2) for match in found if match}
    assert len(states) == len(listing) == 18
    title, machine = "Les faits", "Un point"
    assert states[machine] == "machine"
    assert states[title] == "translated"
    by = ["--by", "Awa Traoré <awa@example.org>", "--date", "2026-12-01"]
    assert main([*base, *by, "--entry", str(lines[title])]) == 0
    assert "1 entry approved by Awa Traoré" in capsys.readouterr().out
    assert "# reviewed-by: Awa Traoré <awa@example.org>, 2026-12-01, sha256:" in po.read_text(encoding="utf-8")
    assert main(base) == 0  # the approval added a line: entries below it moved down
    assert f"i18n/en/content/news.po:{lines[machine] + 1}: machine: Un point" in capsys.readouterr().out
    before = po.read_bytes()
    assert main([*base, *by, "--entry", str(lines[machine] + 1)]) == 1
    error = capsys.readouterr().err
    assert (
        f"warning: i18n/en/content/news.po:{lines[machine] + 1}: not approved: this entry is a machine translation"
        in error
    )
    assert po.read_bytes() == before
    assert main([*base, "--by", "Awa", "--all"]) == 1
    assert "error: --by: 'Awa' is not a reviewer: write --by \"Name <email>\"" in capsys.readouterr().err
    assert main([*base, *by, "--all"]) == 0
    assert "12 entries approved by Awa Traoré, 2 already reviewed, 4 refused" in capsys.readouterr().out
    assert main(["--project", str(project), "status"]) == 0
    assert "en        /news                                14          0          1          1          2" in (
        capsys.readouterr().out.splitlines()
    )


@pytest.mark.parametrize("program", [[str(REPOSITORY / "build.py")], ["-m", "explainer"]], ids=["build.py", "-m"])
def test_explainer_error_has_no_traceback(tmp_path: Path, program: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, *program, "--project", str(tmp_path)], capture_output=True, text=True, cwd=REPOSITORY
    )
    assert result.returncode == 1
    assert result.stderr == f"error: explainer.toml: no explainer.toml in {tmp_path}; is this an explainer project?\n"


def test_a_build_with_nothing_changed_writes_nothing_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path / "project")
    assert main(["--project", str(project), "build"]) == 0
    index = project / "site" / "fr" / "index.html"
    before = index.stat().st_mtime_ns, (project / "site").stat().st_ino
    capsys.readouterr()
    assert main(["--project", str(project), "build"]) == 0
    assert f"nothing changed: {project / 'site'} already holds this site" in capsys.readouterr().out
    assert (index.stat().st_mtime_ns, (project / "site").stat().st_ino) == before


def test_a_command_runs_with_rare_full_collections_and_leaves_the_collector_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    import explainer.cli as cli

    project = make_project(tmp_path / "project")
    during: list[tuple[int, int, int]] = []
    build = cli.build

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        during.append(gc.get_threshold())
        return build(*args, **kwargs)

    monkeypatch.setattr(cli, "build", recording)
    before = gc.get_threshold()
    assert main(["--project", str(project), "build", "--no-mt"]) == 0
    assert during == [(before[0], before[1], cli.FULL_COLLECTION_EVERY)] and before[2] < cli.FULL_COLLECTION_EVERY
    assert gc.get_threshold() == before
