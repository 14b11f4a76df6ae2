"""The translate stage across worker processes: one and two processes give the same pages, PO
files, warnings and errors, and a failure in a worker surfaces instead of hanging the build."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from explainer.build import build
from explainer.config import load_config
from explainer.errors import TranslationMemoryError
from explainer.load.content import load_content
from explainer.render import site
from explainer.translate import workers
from explainer.translate.glossary import load_glossary
from explainer.translate.segment import segment_pages
from explainer.translate.stage import Translation, translate_pages
from tests.engines import ScriptedEngine, upper
from tests.project import make_project, tree

COPIES = 40  # pages added to the fixture: several chunks of pages for each of two processes
Started = tuple[tuple[Any, ...], dict[str, Any]]  # a process pool's arguments


def _project(destination: Path, engine: str = "none") -> Path:
    """The fixture project with ``COPIES`` more news pages: some with the news page's English memory
    (its location differs: the file is rewritten), some with a sentence changed (the entry is
    stale), some with no memory at all (every segment missing)."""
    project = make_project(destination)
    config = project / "explainer.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[site]", f'[translation]\nengine = "{engine}"\n\n[site]'), encoding="utf-8")
    news = (project / "content" / "news.md").read_text(encoding="utf-8")
    memory = (project / "i18n" / "en" / "content" / "news.po").read_text(encoding="utf-8")
    for number in range(COPIES):
        page = news.replace('title: "Les faits"', f'title: "Les faits, {number}"')
        if number % 3 == 1:
            page = page.replace("Deux diplomates maliens sont expulsés.", "Deux diplomates maliens ont été expulsés.")
        (project / "content" / f"news-{number}.md").write_text(page, encoding="utf-8")
        if number % 3 != 2:
            po = memory.replace('msgid "Les faits"', f'msgid "Les faits, {number}"')
            (project / "i18n" / "en" / "content" / f"news-{number}.po").write_text(po, encoding="utf-8")
    return project


def _translate(project: Path, processes: int, engine: ScriptedEngine | None = None) -> Translation:
    config = load_config(project)
    pages, _ = load_content(config.content_dir, config.root)
    glossary = load_glossary(config.i18n_dir, config.root, config.language_codes, config.source_language)
    return translate_pages(
        config,
        segment_pages(pages),
        glossary,
        use_machine=engine is not None,
        engines={"argos": engine} if engine is not None else None,
        workers=processes,
        parallel_from=1,  # the small project, in processes
    )


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[Started]:
    """The arguments of every process pool the translate stage starts."""
    started: list[Started] = []

    class RecordingPool(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            started.append((args, kwargs))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(workers, "ProcessPoolExecutor", RecordingPool)
    return started


def _same(one: Translation, two: Translation) -> None:
    assert one.pages == two.pages
    assert one.memory_files == two.memory_files
    assert one.warnings == two.warnings
    assert one.machine_translated == two.machine_translated
    assert one.memory_hashes == two.memory_hashes
    # The files' status as read (reading them again moves their access time).
    kept = [{path: (s.st_ino, s.st_size, s.st_mtime_ns) for path, s in t.memory_kept.items()} for t in (one, two)]
    assert kept[0] == kept[1]


def test_two_processes_translate_as_one_from_the_memory(tmp_path: Path, pools: list[Started]) -> None:
    project = _project(tmp_path / "project")
    one = _translate(project, 1)
    assert pools == []
    two = _translate(project, 2)
    # Two processes, each started once for every language (its share of the pages is the same in each).
    assert [args for args, _ in pools] == [(1,), (1,)]
    assert all(kwargs["initializer"] is workers._start_worker for _, kwargs in pools)
    assert workers._worker_job is None, "the job went to the workers; the parent never holds it"
    _same(one, two)
    # What is compared is not empty: rewritten files, stale and missing segments, each page in each language.
    assert len(two.pages) == (COPIES + 5) * 4
    assert "i18n/en/content/news-0.po" in two.memory_files
    assert any("no translation" in warning.message for warning in two.warnings)
    assert two.machine_translated == 0


def test_two_processes_translate_as_one_with_the_machine_pass(tmp_path: Path, pools: list[Started]) -> None:
    project = _project(tmp_path / "project", engine="argos")
    engines = [ScriptedEngine(upper), ScriptedEngine(upper)]
    one = _translate(project, 1, engines[0])
    two = _translate(project, 2, engines[1])
    assert len(pools) == 2
    _same(one, two)
    # The pages the machine pass changed came back from the workers and were finished here.
    assert engines[0].calls == engines[1].calls and engines[1].calls
    assert two.machine_translated > 0
    news = two.memory_files["i18n/es/content/news-2.po"].decode("utf-8")
    assert "#. machine: scripted fr->xx 1" in news and 'msgstr "LES FAITS, 2"' in news


def test_two_processes_report_the_errors_of_one(tmp_path: Path, pools: list[Started]) -> None:
    project = _project(tmp_path / "project")
    refused = project / "i18n" / "en" / "content" / "news-4.po"
    text = refused.read_text(encoding="utf-8")
    translation = 'msgstr "France suspends its cooperation with Mali."'
    assert translation in text
    refused.write_text(text.replace(translation, translation[:-2] + ' <b>now</b>."'), encoding="utf-8")
    malformed = project / "i18n" / "ar" / "content" / "news-7.po"
    malformed.write_text('msgid "Les faits, 7"\nmsgstr "unterminated\n', encoding="utf-8")
    errors = []
    for processes in (1, 2):
        with pytest.raises(TranslationMemoryError) as raised:
            _translate(project, processes)
        errors.append(raised.value)
    assert len(pools) == 2
    assert errors[0].problems == errors[1].problems and str(errors[0]) == str(errors[1])
    # Every problem of every language: the Arabic file's syntax, the markup rule's refusal in English.
    assert str(errors[1]) == (
        "i18n/ar/content/news-7.po:2: string not closed: end it with '\"' on the same line\n"
        "i18n/en/content/news-4.po:23: the translation adds an HTML tag ('<b') that the French does not have; "
        "fix or empty this translation"
    )


def test_an_unexpected_error_in_a_worker_is_raised_in_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "project")
    updated_catalog = workers.updated_catalog

    def failing(existing: Any, segmented: Any, language: str) -> Any:
        # A fault injected in the workers (forked after this patch): a bug, not a problem of the memory.
        if segmented.page.path == "news-5" and language == "ar":
            raise RuntimeError("a bug in the catalog update")
        return updated_catalog(existing, segmented, language)

    monkeypatch.setattr(workers, "updated_catalog", failing)
    for processes in (1, 2):
        with pytest.raises(RuntimeError, match="a bug in the catalog update"):
            _translate(project, processes)


def test_a_worker_that_dies_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path / "project")
    parent = os.getpid()
    updated_catalog = workers.updated_catalog

    def dying(existing: Any, segmented: Any, language: str) -> Any:
        if os.getpid() != parent and segmented.page.path == "news-5":
            os._exit(9)  # as a worker killed by the system would end
        return updated_catalog(existing, segmented, language)

    monkeypatch.setattr(workers, "updated_catalog", dying)
    with pytest.raises(BrokenProcessPool):
        _translate(project, 2)


@pytest.mark.parametrize("engine", ["none", "argos"])
def test_builds_in_one_and_two_processes_write_the_same_site_and_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)  # the small project's memory, read in two processes
    monkeypatch.setattr(site, "PARALLEL_FROM", 1)  # and its pages rendered in two
    results = []
    for jobs in (1, 2):
        project = _project(tmp_path / f"jobs-{jobs}", engine=engine)
        scripted = ScriptedEngine(upper)
        report = build(load_config(project), engines={"argos": scripted}, jobs=jobs, cache=False)
        results.append((tree(project / "site"), tree(project / "i18n"), report.warnings, scripted.calls))
    assert results[0] == results[1]
    assert bool(results[1][3]) == (engine == "argos")
