"""The one build: ``status`` and ``check`` go through ``run`` like ``build`` does; ``check`` writes nothing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import explainer.build
from explainer.build import Options, Result, build, build_in_memory, check, run
from explainer.cli import main
from explainer.config import load_config
from explainer.model import State
from explainer.plan import Plan
from explainer.render.renderer import Renderer
from tests.project import make_project, tree


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Plan, Options]]:
    """Record every call of the one build, which still runs for real."""
    calls: list[tuple[Plan, Options]] = []

    def recording(config: object, the_plan: Plan, options: Options, *rest: object) -> Result:
        calls.append((the_plan, options))
        return run(config, the_plan, options, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(explainer.build, "run", recording)
    return calls


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder under ``root``, with its bytes and modification time."""
    found = {}
    for directory, folders, files in os.walk(root):
        for name in [*folders, *files]:
            path = Path(directory) / name
            content = path.read_bytes() if path.is_file() else b""
            found[path.relative_to(root).as_posix()] = (content, path.stat().st_mtime_ns)
    return found


def test_status_is_the_build_stopped_after_translation(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = _spy(monkeypatch)

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("status rendered a page")

    monkeypatch.setattr(Renderer, "__init__", fail)
    before = _snapshot(project)
    assert main(["--project", str(project), "status"]) == 0
    assert len(calls) == 1
    the_plan, options = calls[0]
    assert options.until_translation and not options.use_machine and not options.write
    assert the_plan.previous is None and len(the_plan.to_read) == len(the_plan.inputs.files) == 5
    assert _snapshot(project) == before  # nothing written, no cache, no site
    # What it prints is what the build's translation gives.
    monkeypatch.undo()
    built = build_in_memory(load_config(project))
    news = next(page for page in built.translated if page.page.path == "news" and page.language == "en")
    counts = news.counts()
    expected = " ".join(
        f"{counts[state]:>10}"
        for state in (State.REVIEWED, State.TRANSLATED, State.MACHINE, State.STALE, State.MISSING)
    )
    assert f"{'en':<9} {'/news':<28} {expected}" in capsys.readouterr().out.splitlines()


def test_check_writes_nothing_even_where_a_build_would_write(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    news = project / "content" / "news.md"
    news.write_text(
        news.read_text(encoding="utf-8").replace("## Les chiffres", "Un paragraphe nouveau.\n\n## Les chiffres", 1),
        encoding="utf-8",
    )
    config = load_config(project)
    calls = _spy(monkeypatch)
    before = _snapshot(project)
    report = check(config)
    assert _snapshot(project) == before  # not site/, not .cache/, not i18n/
    assert len(calls) == 1
    the_plan, options = calls[0]
    assert the_plan.previous is None and not options.write and not options.use_machine
    assert report.files > 0 and any("no translation" in warning.message for warning in report.warnings)
    # The same project built: the memory takes the new paragraph, the site is written.
    memory = tree(project / "i18n")
    build(config, use_machine=False)
    assert tree(project / "i18n") != memory
    assert (project / "site" / "fr" / "news" / "index.html").is_file()
    assert len(calls) == 2 and calls[1][1].write


def test_the_preview_goes_through_the_same_build_and_leaves_the_memory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from explainer.serve import Preview, preview_config

    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8") + "\nUn paragraphe nouveau.\n", encoding="utf-8")
    calls = _spy(monkeypatch)
    memory = tree(project / "i18n")
    preview = Preview(preview_config(load_config(project), None))
    preview.rebuild()
    assert preview.error is None
    assert len(calls) == 1 and calls[0][1].write and not calls[0][1].write_memory
    assert tree(project / "i18n") == memory
    assert (project / ".cache" / "preview" / "fr" / "news" / "index.html").is_file()


def test_a_cold_build_rewrites_no_po_file_whose_entries_did_not_change(project: Path) -> None:
    import shutil

    from explainer.cache import CACHE_DIR

    build(load_config(project), use_machine=False, jobs=1)
    # The memory as another tool (a PO editor, a benchmark's generator) leaves it: the same entries
    # under another header, and the site and build cache gone, so that the next build is a cold one.
    for po in sorted((project / "i18n").glob("*/content/*.po")):
        text = po.read_text(encoding="utf-8")
        assert "Project-Id-Version: explainer VERSION" in text
        po.write_text("# Saved by a PO editor.\n" + text.replace("explainer VERSION", "Other 1.0"), encoding="utf-8")
    (project / "site").unlink()  # a link to one of the site's two generations, beside it
    for generation in project.glob(".site.generation-*"):
        shutil.rmtree(generation)
    shutil.rmtree(project / CACHE_DIR)
    memory = _snapshot(project / "i18n")
    report = build(load_config(project), use_machine=False, jobs=1)
    assert report.memory_files_written == 0
    assert _snapshot(project / "i18n") == memory
    # French that changes the entries rewrites the page's files, header and all, as before.
    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Deux diplomates", "Trois diplomates"), encoding="utf-8")
    changed = build(load_config(project), use_machine=False, jobs=1)
    assert changed.memory_files_written == 3
    for code in ("ar", "en", "es"):
        text = (project / "i18n" / code / "content" / "news.po").read_text(encoding="utf-8")
        assert "Trois diplomates" in text and "Project-Id-Version: explainer VERSION" in text


def test_a_build_with_nothing_changed_loads_no_renderer_no_translation_and_no_network_client(project: Path) -> None:
    import json
    import subprocess
    import sys

    build(load_config(project), use_machine=False, jobs=1)
    # A fresh interpreter: what the build with nothing changed imports, from its start.
    heavy = (
        *("jinja2", "markdown", "multiprocessing", "ctypes.util", "http.client", "urllib.request"),
        *("explainer.render.site", "explainer.render.lists", "explainer.translate.stage", "explainer.check.markup"),
    )
    code = (
        "import json, sys\n"
        "from explainer.cli import main\n"
        f"assert main(['--project', {str(project)!r}, 'build', '--no-mt']) == 0\n"
        f"print(json.dumps([name for name in {heavy!r} if name in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "nothing changed" in done.stdout + done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_a_written_sites_pages_are_let_go_before_its_site_wide_files(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages of a large site are most of a build's memory: once rendered, nothing holds them
    while the site-wide files are made and the state is saved."""
    import gc
    import weakref

    from explainer.render import lists
    from explainer.translate import stage

    kept: list[weakref.ref[object]] = []
    alive: list[int] = []
    translate, site_wide_files = stage.translate_pages, lists.site_wide_files

    def translating(*args: Any, **kwargs: Any) -> Any:
        translation = translate(*args, **kwargs)
        kept.extend(weakref.ref(page) for page in translation.pages)
        return translation

    def site_wide(*args: Any, **kwargs: Any) -> Any:
        gc.collect()
        alive.append(sum(page() is not None for page in kept))
        return site_wide_files(*args, **kwargs)

    monkeypatch.setattr(stage, "translate_pages", translating)
    monkeypatch.setattr(lists, "site_wide_files", site_wide)
    build(load_config(project))
    assert len(kept) > 10 and alive == [0]
