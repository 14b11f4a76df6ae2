"""Adding a language with ``languages add``, and ``languages list``: from a preview to a live language."""

from __future__ import annotations

from pathlib import Path

import pytest

from explainer.cli import main
from explainer.config import load_config
from explainer.translate.memory import parse_catalog, render_catalog
from tests.project import make_project, tree


@pytest.mark.parametrize("code", ["pt", "pt-BR", "zh-Hant"])
def test_a_language_added_builds_and_stays_unpublished_until_translated(
    tmp_path: pytest.TempPathFactory, code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path / "project")  # type: ignore[operator]
    assert main(["--project", str(project), "languages", "add", code]) == 0
    out = capsys.readouterr().out
    assert f"explainer.toml: added {code} " in out and "as a preview (not published)" in out
    config = load_config(project)
    assert config.language_codes[-1] == code and config.language(code).preview
    catalog = project / "i18n" / code / "LC_MESSAGES" / "messages.po"
    assert 'msgid "Skip to content"' in catalog.read_text(encoding="utf-8")

    assert main(["--project", str(project), "build", "--no-mt"]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    # Nothing translated yet: no page of the new language is published, and no other page links to it.
    pages = ["index.html", "news/index.html", "original/index.html", "timeline/index.html", "glossary/index.html"]
    assert not [page for page in pages if (project / "site" / code / page).exists()]
    assert f'hreflang="{code}"' not in (project / "site" / "fr" / "news" / "index.html").read_text(encoding="utf-8")
    assert (project / "i18n" / code / "content" / "news.po").is_file()  # the memory files, made by the build

    assert main(["--project", str(project), "languages", "list"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows[code].split()[-1] == "preview" and "0.0%" in rows[code]
    assert rows["fr"].split()[-1] == "source"


def test_a_translated_page_goes_live_once_the_language_meets_its_threshold(
    tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path / "project")  # type: ignore[operator]
    assert main(["--project", str(project), "languages", "add", "pt-BR"]) == 0
    assert main(["--project", str(project), "build", "--no-mt"]) == 0
    memory = project / "i18n" / "pt-BR" / "content" / "timeline.po"
    catalog = parse_catalog(memory.read_bytes(), "i18n/pt-BR/content/timeline.po", "pt-BR")
    for message in catalog:
        if message.id:
            message.string = f"[pt] {message.id}"  # a stand-in translation: every passage translated
    memory.write_bytes(render_catalog(catalog))
    config_file = project / "explainer.toml"
    config_file.write_text(
        config_file.read_text(encoding="utf-8").replace("preview = true\n", "language_threshold = 10\n"),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["--project", str(project), "build", "--no-mt"]) == 0
    page = (project / "site" / "pt-BR" / "timeline" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="pt-BR"' in page
    assert 'hreflang="pt-BR"' in (project / "site" / "fr" / "timeline" / "index.html").read_text(encoding="utf-8")
    assert main(["--project", str(project), "languages", "list"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows["pt-BR"].split()[-1] == "live"
    # Its interface texts are not translated yet: check names them and where to translate them.
    assert main(["--project", str(project), "check"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert (
        "error: pt-BR/timeline/index.html: an interface text with no translation (shown in English): translate it "
        "in i18n/pt-BR/LC_MESSAGES/messages.po: 'Skip to content'"
    ) in err


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "pt_BR",
            "explainer.toml: 'pt_BR' is not a language code as explainer.toml writes them: a language, then an "
            "optional script and region, such as pt, pt-BR or zh-Hant",
        ),
        ("xx", "explainer.toml: 'xx' is not a language CLDR knows"),
        ("en", "explainer.toml: 'en' is already one of the site's languages"),
    ],
)
def test_a_code_that_cannot_be_added_is_refused_and_nothing_changes(
    tmp_path: pytest.TempPathFactory, code: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path / "project")  # type: ignore[operator]
    before = tree(project)
    assert main(["--project", str(project), "languages", "add", code]) == 1
    assert capsys.readouterr().err.splitlines() == [f"error: {message}"]
    assert tree(project) == before


def test_glossary_terms_without_a_form_are_one_grouped_warning(
    tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path / "project")  # type: ignore[operator]
    (project / "i18n" / "glossary.yaml").write_text(
        "names:\n  - Bamako\nterms:\n"
        '  - {fr: "Convention de Vienne", en: "Vienna Convention", ar: "اتفاقية فيينا", es: "Convención de Viena"}\n'
        '  - {fr: "persona non grata", en: "persona non grata", ar: "شخص غير مرغوب فيه", es: "persona non grata"}\n',
        encoding="utf-8",
    )
    assert main(["--project", str(project), "languages", "add", "pt"]) == 0
    capsys.readouterr()
    assert main(["--project", str(project), "build", "--no-mt"]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "glossary.yaml" in line]
    assert warnings == [
        "warning: i18n/glossary.yaml: 2 terms have no form for pt yet and are used as in French: Convention de "
        "Vienne, persona non grata; give each a 'pt:' form (see docs/languages.md)"
    ]
    # A build with nothing changed says it again.
    assert main(["--project", str(project), "build", "--no-mt"]) == 0
    again = [line for line in capsys.readouterr().err.splitlines() if "glossary.yaml" in line]
    assert again == warnings
    # check also says that the new language's interface is not translated yet.
    assert main(["--project", str(project), "check"]) == 0
    catalog = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: i18n/pt/LC_")]
    strings = (
        len(
            [
                line
                for line in (project / "i18n/messages.pot").read_text(encoding="utf-8").splitlines()
                if line.startswith("msgid ")
            ]
        )
        - 1
    )
    assert catalog == [
        f"warning: i18n/pt/LC_MESSAGES/messages.po:{_first_msgid_line(project)}: the interface catalog has "
        f"{strings} strings with no translation: pt pages show those interface texts in English; translate them "
        "before the language opens to readers"
    ]


def _first_msgid_line(project: Path) -> int:
    lines = (project / "i18n/pt/LC_MESSAGES/messages.po").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith("msgid ") and line != 'msgid ""')


def test_a_language_that_cannot_be_written_changes_nothing(
    tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path / "project")  # type: ignore[operator]
    (project / "i18n" / "pt").write_text("a file where the catalog's folder should go\n", encoding="utf-8")
    before = tree(project)
    assert main(["--project", str(project), "languages", "add", "pt"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: i18n/pt/LC_MESSAGES/messages.po: cannot write this file (Not a directory); nothing was added"
    ]
    assert tree(project) == before
