"""Dashboard rows (render/rows.py): each rendered by its own template and kept by what it shows,
so an edit renders only the rows whose data changed; the page is the same as a cold build's."""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

import explainer.render.rows
from explainer.build import build
from explainer.config import load_config
from explainer.errors import CheckError
from explainer.model import PageInfo
from explainer.render.renderer import Renderer
from explainer.render.rows import ROW_TEMPLATE, ROWS_FILE, RowData
from tests.project import make_project, tree

JOINED = "{{ section.table_rows }}"  # the rows, joined, in status.html
LOOP = "{% for row in section.row_html %}\n{{ row }}{% endfor %}\n"  # the rows one by one, as before
_BODY = re.compile(rb"<tbody>(.*?)</tbody>", re.DOTALL)
_ROW = re.compile(rb"<tr[ >].*?</tr>", re.DOTALL)


@pytest.fixture
def row_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The row templates rendered, counted on the real renderer (which still renders them)."""
    rendered: list[str] = []
    original = Renderer.render

    def counting(self: Renderer, language: str, template: str, where: str, **context: object) -> bytes:
        if template == ROW_TEMPLATE:
            rendered.append(language)
        return original(self, language, template, where, **context)

    monkeypatch.setattr(Renderer, "render", counting)
    return rendered


def _dashboards(site: dict[str, bytes]) -> dict[str, list[bytes]]:
    """The body rows of every dashboard of a site, by file."""
    return {
        path: [row for body in _BODY.findall(content) for row in _ROW.findall(body)]
        for path, content in site.items()
        if path.endswith("translation-status/index.html")
    }


def _changed_rows(before: dict[str, list[bytes]], after: dict[str, list[bytes]]) -> int:
    """How many rows differ between two builds' dashboards (``_dashboards``), row by row."""
    return sum(old != new for path in before for old, new in zip(before[path], after[path], strict=True))


def _cold(tmp_path: Path, project: Path) -> dict[str, bytes]:
    reference = tmp_path / "reference"
    shutil.rmtree(reference, ignore_errors=True)
    shutil.copytree(project, reference, ignore=shutil.ignore_patterns("site", ".site.*", ".cache"))
    build(load_config(reference), cache=False)
    return tree(reference / "site")


def _row_template_including(project: Path, name: str) -> Path:
    """Make the row template of ``project`` include ``row_class.html``, named by the expression ``name``;
    returns the templates folder."""
    templates = project / "templates"
    row_template = templates / ROW_TEMPLATE
    included = row_template.read_text(encoding="utf-8").replace("<tr>", "<tr{% include " + name + " %}>")
    row_template.write_text(included, "utf-8")
    (templates / "row_class.html").write_text(' class="first"', "utf-8")
    return templates


def test_an_edit_renders_only_the_rows_whose_data_changed(tmp_path: Path, row_renders: list[str]) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    before = _dashboards(tree(project / "site"))
    total = sum(len(rows) for rows in before.values())
    assert len(before) >= 2 and len(row_renders) == total  # a cold build renders every row once

    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Deux diplomates", "Trois diplomates"), "utf-8")
    row_renders.clear()
    build(load_config(project))

    after = _dashboards(tree(project / "site"))
    changed = _changed_rows(before, after)
    assert 0 < changed < total
    assert len(row_renders) == changed
    assert tree(project / "site") == _cold(tmp_path, project)


@pytest.mark.parametrize("in_process", [False, True], ids=["from-the-file", "kept-in-process"])
def test_an_edit_makes_the_data_of_the_edited_pages_rows_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row_renders: list[str], in_process: bool
) -> None:
    # From the file, the rows of the other pages are remembered by key; kept in process (the
    # preview), each section is the last build's, patched at the rows of the pages that changed.
    made: list[tuple[str, str]] = []
    original = explainer.render.rows.row_data

    def counting(renderer: Renderer, info: PageInfo, language: str) -> RowData:
        made.append((info.path, language))
        return original(renderer, info, language)

    monkeypatch.setattr(explainer.render.rows, "row_data", counting)
    remembered: list[str] = []  # the sections whose row keys were looked up from the last build's memo
    recall = explainer.render.rows.RowCache.remembered

    def recalling(cache: explainer.render.rows.RowCache, basis: str) -> dict[str, str]:
        remembered.append(basis)
        return recall(cache, basis)

    monkeypatch.setattr(explainer.render.rows.RowCache, "remembered", recalling)
    project = make_project(tmp_path / "project")
    dashboards = 0
    with explainer.render.rows.kept_in_process() if in_process else contextlib.nullcontext():
        build(load_config(project))
        assert len(made) == len(row_renders) > 0  # a cold build makes every row
        # Each edit makes a page's translations outdated: its rows change.
        edits = [("news", "news", "Deux diplomates", "Trois diplomates"), ("", "index", "Bienvenue", "Salut")]
        for page, name, old, new in edits:
            source = project / "content" / f"{name}.md"
            source.write_text(source.read_text(encoding="utf-8").replace(old, new), "utf-8")
            made.clear()
            row_renders.clear()
            remembered.clear()
            build(load_config(project))
            assert (remembered == []) is in_process  # in process, the sections as the last build left them
            # The rows of the edited page, in each section of each dashboard; the others are kept.
            dashboards = len(_dashboards(tree(project / "site")))
            sections = dashboards * (len(load_config(project).language_codes) - 1)
            assert sorted(set(made)) == [(page, language) for language in sorted({language for _, language in made})]
            assert len(set(made)) == dashboards and len(made) == sections
            assert len(row_renders) <= sections
            assert tree(project / "site") == _cold(tmp_path, project)


def test_an_edited_row_template_renders_every_row_again(tmp_path: Path, row_renders: list[str]) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    total = len(row_renders)
    row_template = project / "templates" / ROW_TEMPLATE
    row_template.write_text(row_template.read_text(encoding="utf-8").replace("<tr>", '<tr class="row">'), "utf-8")
    row_renders.clear()
    build(load_config(project))
    assert len(row_renders) == total
    site = tree(project / "site")
    assert all(b'<tr class="row">' in rows[0] for rows in _dashboards(site).values())
    assert site == _cold(tmp_path, project)


def test_an_edit_of_another_template_keeps_every_row(tmp_path: Path, row_renders: list[str]) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    page = project / "templates" / "page.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}<!-- v2 -->"), "utf-8"
    )
    row_renders.clear()
    build(load_config(project))
    assert row_renders == []
    assert tree(project / "site") == _cold(tmp_path, project)


def test_an_edit_of_a_template_the_row_template_includes_renders_every_row(
    tmp_path: Path, row_renders: list[str]
) -> None:
    project = make_project(tmp_path / "project")
    templates = _row_template_including(project, '"row_class.html"')
    build(load_config(project))
    total = len(row_renders)
    (templates / "row_class.html").write_text(' class="second"', "utf-8")
    row_renders.clear()
    build(load_config(project))
    assert len(row_renders) == total > 0
    site = tree(project / "site")
    assert all(b'<tr class="second">' in rows[0] for rows in _dashboards(site).values())
    assert site == _cold(tmp_path, project)


def test_a_row_template_that_names_a_template_by_an_expression_depends_on_every_template(
    tmp_path: Path, row_renders: list[str]
) -> None:
    project = make_project(tmp_path / "project")
    templates = _row_template_including(project, '"row_" ~ "class.html"')
    build(load_config(project))
    total = len(row_renders)
    page = templates / "page.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}<!-- v2 -->"), "utf-8"
    )
    row_renders.clear()
    build(load_config(project))
    assert len(row_renders) == total > 0  # which template the row includes is known only when it is rendered
    assert tree(project / "site") == _cold(tmp_path, project)


def test_a_dashboard_template_without_the_row_template_gives_the_same_page(tmp_path: Path) -> None:
    # A project whose status.html still lists the rows itself (made before the row template).
    project = make_project(tmp_path / "project")
    build(load_config(project))
    expected = tree(project / "site")
    templates = project / "templates"
    row = (templates / ROW_TEMPLATE).read_text(encoding="utf-8")
    dashboard = (templates / "status.html").read_text(encoding="utf-8")
    assert JOINED in dashboard
    (templates / "status.html").write_text(
        dashboard.replace(JOINED, "{% for row in section.rows %}\n" + row + "{% endfor %}\n"), "utf-8"
    )
    (templates / ROW_TEMPLATE).unlink()
    old_style = make_project(tmp_path / "old-style")
    shutil.rmtree(old_style / "templates")
    shutil.copytree(templates, old_style / "templates")
    build(load_config(old_style))
    assert tree(old_style / "site") == expected


def test_a_dashboard_template_that_shows_its_rows_one_by_one_gives_the_same_page(tmp_path: Path) -> None:
    # A project whose status.html shows ``row_html`` one row at a time (made before ``table_rows``).
    project = make_project(tmp_path / "project")
    build(load_config(project))
    expected = tree(project / "site")
    status = project / "templates" / "status.html"
    dashboard = status.read_text(encoding="utf-8")
    assert JOINED in dashboard
    status.write_text(dashboard.replace(JOINED, LOOP), "utf-8")
    build(load_config(project))
    assert tree(project / "site") == expected


def test_a_damaged_row_file_is_started_again(tmp_path: Path, row_renders: list[str]) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    total = len(row_renders)
    (project / ".cache" / "explainer" / ROWS_FILE).write_bytes(b"not a database" * 100)
    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Deux diplomates", "Trois diplomates"), "utf-8")
    row_renders.clear()
    build(load_config(project))
    assert len(row_renders) == total  # nothing kept could be read: every row rendered again
    assert tree(project / "site") == _cold(tmp_path, project)


def test_a_broken_link_in_a_changed_row_is_found(tmp_path: Path) -> None:
    # A row template with a link to no file in the rows of a page with a new title: none at first,
    # then the rows of the edited page; the other rows, and every other file, are as they were.
    project = make_project(tmp_path / "project")
    row_template = project / "templates" / ROW_TEMPLATE
    broken = '{% if "du jour" in row.title %}<a href="nowhere/">new</a>{% endif %}</th>'
    row_template.write_text(row_template.read_text(encoding="utf-8").replace("</th>", broken, 1), "utf-8")
    build(load_config(project))
    assert b"nowhere/" not in b"".join(tree(project / "site").values())
    news = project / "content" / "news.md"
    text = news.read_text(encoding="utf-8")
    news.write_text(text.replace('title: "Les faits"', 'title: "Les faits du jour"'), "utf-8")
    with pytest.raises(CheckError) as raised:
        build(load_config(project))
    found = {(problem.path, problem.message) for problem in raised.value.problems}
    assert found and all(
        path.endswith("translation-status/index.html")
        and message == f"broken link 'nowhere/': no file {path.removesuffix('index.html')}nowhere/index.html"
        for path, message in found
    )


def test_remembered_rows_whose_html_is_lost_are_made_again(tmp_path: Path, row_renders: list[str]) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    total = len(row_renders)
    database = sqlite3.connect(project / ".cache" / "explainer" / ROWS_FILE)
    with database:
        database.execute("DELETE FROM rows")  # the rows' keys are still remembered, their HTML is not
    database.close()
    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Deux diplomates", "Trois diplomates"), "utf-8")
    row_renders.clear()
    build(load_config(project))
    assert len(row_renders) == total
    assert tree(project / "site") == _cold(tmp_path, project)


def test_a_build_that_carries_the_dashboards_over_keeps_their_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row_renders: list[str]
) -> None:
    # Rows no build used lately are dropped once they outnumber a build's (no spare rows here, so
    # that this small site is pruned): a build that rendered no dashboard used none, and must not
    # drop them all, or the next edit would render every row again.
    monkeypatch.setattr(explainer.render.rows, "_SPARE", 0)
    project = make_project(tmp_path / "project")
    build(load_config(project))
    before = _dashboards(tree(project / "site"))
    memory = project / "i18n" / "en" / "content" / "news.po"
    memory.write_text(memory.read_text(encoding="utf-8").replace('"The figures"', '"The numbers"'), "utf-8")
    row_renders.clear()
    build(load_config(project))  # a translation's words changed, not its state: no row changed
    assert row_renders == [] and _dashboards(tree(project / "site")) == before
    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Deux diplomates", "Trois diplomates"), "utf-8")
    build(load_config(project))
    after = _dashboards(tree(project / "site"))
    changed = _changed_rows(before, after)
    assert 0 < changed < sum(len(rows) for rows in before.values())
    assert len(row_renders) == changed
    assert tree(project / "site") == _cold(tmp_path, project)


def test_rows_kept_in_process_are_not_read_again(tmp_path: Path, row_renders: list[str]) -> None:
    # The preview keeps each build's rows in memory: with the file's rows and memo gone, the
    # next edit renders only the rows whose data changed, and the site is a cold build's.
    project = make_project(tmp_path / "project")
    with explainer.render.rows.kept_in_process():
        build(load_config(project))
        before = _dashboards(tree(project / "site"))
        database = sqlite3.connect(project / ".cache" / "explainer" / ROWS_FILE)
        with database:
            database.execute("DELETE FROM rows")
            database.execute("DELETE FROM memo")
        database.close()
        news = project / "content" / "news.md"
        news.write_text(news.read_text(encoding="utf-8").replace("Deux diplomates", "Trois diplomates"), "utf-8")
        row_renders.clear()
        build(load_config(project))
    after = _dashboards(tree(project / "site"))
    changed = _changed_rows(before, after)
    assert 0 < changed < sum(len(rows) for rows in before.values())
    assert len(row_renders) == changed
    assert explainer.render.rows._recent is None  # only within the block
    assert tree(project / "site") == _cold(tmp_path, project)
