"""`build.py check` finds every kind of problem it claims to, one fixture each."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from explainer.check.validate import find_validator
from explainer.cli import main
from tests.project import REPOSITORY, make_project


def _edit(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def _check(project: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str], str]:
    capsys.readouterr()
    status = main(["--project", str(project), "check", *extra])
    captured = capsys.readouterr()
    return status, captured.err.splitlines(), captured.out


def test_clean_project_passes_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    status, _, out = _check(project, capsys)
    assert status == 0
    assert "checked 5 pages in 4 languages: no problems" in out
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


CASES = {
    "broken link": (
        ("content/news.md", "[le texte original](/original/#le-texte)", "[le texte original](/ailleurs/)"),
        "error: content/news.md:42: link to '/ailleurs/': there is no such page",
    ),
    "link target changed by a translation": (
        ("i18n/en/content/index.po", "[The original](/original/#le-texte)", "[The original](/original/#the-text)"),
        "error: i18n/en/content/index.po:35: the translation adds a link to '/original/#the-text' that the French "
        "does not have; fix or empty this translation",
    ),
    "placeholder left in a translation": (
        ("i18n/en/content/index.po", 'msgstr "Welcome to the test site."', 'msgstr "Welcome to the {1} site."'),
        "error: i18n/en/content/index.po:27: placeholder {1} left in the translation",
    ),
    "markup added by a translation": (
        ("i18n/en/content/index.po", 'msgstr "Welcome to the test site."', 'msgstr "Welcome <b>here</b>."'),
        "error: i18n/en/content/index.po:27: the translation adds an HTML tag ('<b') that the French does not have; "
        "fix or empty this translation",
    ),
    "UI catalog format error": (
        (
            "i18n/fr/LC_MESSAGES/messages.po",
            'msgstr "%(share)s de cette page est une traduction relue."',
            'msgstr "%(part)s de cette page est une traduction relue."',
        ),
        "error: i18n/fr/LC_MESSAGES/messages.po:",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_reports_each_kind_of_problem(name: str, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (relative, old, new), expected = CASES[name]
    _edit(project, relative, old, new)
    status, errors, _ = _check(project, capsys)
    assert status == 1
    assert any(line.startswith(expected) for line in errors), errors


def test_glossary_inconsistency_is_a_warning_and_an_error_when_strict(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "i18n" / "glossary.yaml").write_text(
        'names:\n  - {fr: "Bamako", ar: "باماكو"}\nterms: []\n', encoding="utf-8"
    )
    _edit(project, "i18n/en/content/news.po", "arrested in **Bamako**", "arrested in **the capital**")
    status, errors, _ = _check(project, capsys)
    assert status == 0
    expected = "i18n/en/content/news.po:36: glossary: 'Bamako' is 'Bamako' in en, but this translation does not use it"
    assert f"warning: {expected}" in errors
    status, errors, _ = _check(project, capsys, "--strict")
    assert status == 1
    assert f"error: {expected} (an error under --strict)" in errors


needs_validator = pytest.mark.skipif(
    find_validator(REPOSITORY) is None and os.environ.get("CI") != "true",
    reason="the Nu HTML validator is not installed (a JRE and `npm ci`); CI installs both",
)


@needs_validator
def test_invalid_html_is_reported_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path / "project")
    (project / "node_modules").symlink_to(REPOSITORY / "node_modules")
    _edit(project, "templates/page.html", '<p class="dates">', '<p class="dates"><div>')
    status, errors, _ = _check(project, capsys)
    assert status == 1
    assert any(line.startswith("error: fr/news/index.html:") and "invalid HTML:" in line for line in errors), errors


@needs_validator
def test_built_site_is_valid_html(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "node_modules").symlink_to(REPOSITORY / "node_modules")
    status, _, out = _check(project, capsys)
    assert status == 0
    # Every HTML page the build writes is validated (as many as a real build writes).
    assert main(["--project", str(project), "build", "--no-mt"]) == 0
    pages = len(list((project / "site").rglob("*.html")))
    assert f"HTML validity: 0 errors in {pages} pages" in out


def test_quality_checks_report_path_line_and_honour_accepted_exceptions(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A number changed in a translation: translate-toolkit's 'numbers' check finds it.
    _edit(project, "i18n/en/content/news.po", '"Africanews, 19 September 2025."', '"Africanews, 18 September 2025."')
    status, errors, _ = _check(project, capsys)
    assert status == 0
    finding = "quality check 'numbers': Different numbers; fix the translation, or accept it in i18n/qa-exceptions.yaml"
    assert f"warning: i18n/en/content/news.po:84: {finding}" in errors
    (project / "i18n/qa-exceptions.yaml").write_text(
        '- file: i18n/en/content/news.po\n  check: numbers\n  msgid: "Africanews"\n  reason: a test\n',
        encoding="utf-8",
    )
    status, errors, out = _check(project, capsys)
    assert not [line for line in errors if finding in line]
    assert "exception no longer needed" not in out
    # A pattern and an empty msgid accept the check on every entry of the matching files.
    (project / "i18n/qa-exceptions.yaml").write_text(
        '- file: "i18n/*/content/*.po"\n  check: numbers\n  msgid: ""\n  reason: a test\n'
        '- file: i18n/en/content/index.po\n  check: urls\n  msgid: ""\n  reason: matches nothing\n',
        encoding="utf-8",
    )
    status, errors, out = _check(project, capsys)
    assert not [line for line in errors if finding in line]
    assert "i18n/qa-exceptions.yaml: exception no longer needed: i18n/en/content/index.po, urls, ''" in out


def test_a_malformed_review_is_reported_where_it_is_and_not_counted(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(
        project,
        "i18n/en/content/news.po",
        '#: content/news.md\nmsgid "Les faits"',
        '# reviewed-by: Awa\n#: content/news.md\nmsgid "Les faits"',
    )
    status, errors, _ = _check(project, capsys)
    assert status == 0
    assert (
        "warning: i18n/en/content/news.po:20: '# reviewed-by: Awa' is not a review on record: write "
        "'# reviewed-by: Name <email>, YYYY-MM-DD' (or use python build.py review); the entry counts as translated, "
        "not reviewed"
    ) in errors
