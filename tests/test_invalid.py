"""Invalid inputs: the CLI exits 1 with the exact ``path:line: message`` and
leaves ``site/`` and ``i18n/`` exactly as they were."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from explainer.cli import main
from tests.project import tree


def _replace(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(project: Path) -> None:
        path = project / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture changed: {old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def _write(relative: str, content: str | bytes) -> Callable[[Path], None]:
    def mutate(project: Path) -> None:
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return mutate


def _symlink_outside(project: Path) -> None:
    outside = project.parent / "outside.md"
    outside.write_text("---\ntitle: x\nkind: about\nsummary: x\n---\n", encoding="utf-8")
    os.symlink(outside, project / "content" / "escape.md")


PAGE = '---\ntitle: "Page"\nkind: about\nsummary: "Résumé."\n---\nTexte.\n'

CASES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "unknown key": (
        _replace("content/news.md", "order: 1\n", "order: 1\nauthor: moi\n"),
        [
            "content/news.md:8: unknown key 'author'; allowed keys: credit, date, in_short, kind, order, sources, "
            "summary, title, updated"
        ],
    ),
    "missing title": (
        _replace("content/news.md", 'title: "Les faits"\n', ""),
        ["content/news.md:2: missing required key 'title'"],
    ),
    "bad date": (
        _replace("content/news.md", "date: 2025-09-19\nupdated", "date: 2025-19-09\nupdated"),
        ["content/news.md:5: 'date' must be a date (YYYY-MM-DD) (found '2025-19-09'); for example date: 2025-09-19"],
    ),
    "malformed yaml": (
        _replace("content/news.md", "kind: news", "kind: [news"),
        [
            "content/news.md:3: invalid YAML in front matter: while parsing a flow sequence, expected ',' or ']', "
            "but got ':'"
        ],
    ),
    # YAML slips in the editor's words, on the line to change (not PyYAML's parser states).
    "key indented under a value": (
        _replace("content/news.md", "kind: news\n", "kind: news\n  title: x\n"),
        ["content/news.md:4: 'title' is indented more than the line above; front matter keys start at the left margin"],
    ),
    "first key indented": (
        _replace("content/news.md", 'title: "Les faits"', '  title: "Les faits"'),
        ["content/news.md:2: 'title' is indented; front matter keys start at the left margin"],
    ),
    "tab indentation": (
        _replace("content/news.md", "updated:", "\tupdated:"),
        ["content/news.md:6: this line is indented with a tab; YAML needs spaces: replace the tab with spaces"],
    ),
    "source key dedented to the margin": (
        _replace("content/news.md", '    description: "Dépêche', 'description: "Dépêche'),
        ["content/news.md:14: 'description' is indented less than the lines around it; indent it like 'date'"],
    ),
    "source key dedented to the dash": (
        _replace("content/news.md", '    description: "Dépêche', '  description: "Dépêche'),
        [
            "content/news.md:14: 'description' lines up with the '-' of the list item above, not with its keys; "
            "indent it like 'outlet'"
        ],
    ),
    "source key between columns": (
        _replace("content/news.md", '    description: "Dépêche', '   description: "Dépêche'),
        [
            "content/news.md:14: 'description' is indented less than the line above but lines up with no block; "
            "indent it like 'outlet'"
        ],
    ),
    "colon in an unquoted value": (
        _replace("content/news.md", 'title: "Les faits"', "title: Les faits: un résumé"),
        [
            "content/news.md:2: the value of 'title' contains ': '; put the whole value in double quotes; "
            'for example title: "Les faits: un résumé"'
        ],
    ),
    "unclosed quote": (
        _replace("content/news.md", 'title: "Les faits"', 'title: "Les faits'),
        ["content/news.md:2: the value of 'title' opens a quote that is not closed on the same line; close it"],
    ),
    "data entry key on the dash's column": (
        _replace("content/timeline.yaml", '  text: "Une année', 'text: "Une année'),
        [
            "content/timeline.yaml:2: 'text' lines up with the '-' of the list item above, not with its keys; "
            "indent it like 'date'"
        ],
    ),
    "data entry key indented too far": (
        _replace("content/timeline.yaml", '  text: "Une année', '   text: "Une année'),
        [
            "content/timeline.yaml:2: 'text' is indented more than the line above; "
            "keys of one block start in the same column"
        ],
    ),
    "near-miss key": (
        _replace("content/news.md", "summary:", "sumary:"),
        [
            "content/news.md:2: missing required key 'summary'",
            "content/news.md:4: unknown key 'sumary'; did you mean 'summary'? allowed keys: credit, date, in_short, "
            "kind, order, sources, summary, title, updated",
        ],
    ),
    "near-miss kind": (
        _replace("content/news.md", "kind: news", "kind: new"),
        [
            "content/news.md:3: unknown kind 'new'; did you mean 'news'? use one of: home, news, original, "
            "background, timeline, glossary, people, about"
        ],
    ),
    "date in words": (
        _replace("content/news.md", "date: 2025-09-19\nupdated", "date: yesterday\nupdated"),
        ["content/news.md:5: 'date' must be a date (YYYY-MM-DD) (found 'yesterday'); for example date: 2025-09-19"],
    ),
    "order as a string": (
        _replace("content/news.md", "order: 1", 'order: "2"'),
        [
            "content/news.md:7: 'order' must be a whole number (found '2'); "
            "for example order: 2 (a number, without quotes)"
        ],
    ),
    "title as a block": (
        _replace("content/news.md", 'title: "Les faits"', "title:\n  a: b"),
        ["content/news.md:2: 'title' must be text (found a block of keys); for example title: \"Some text\""],
    ),
    "front matter not closed": (
        _write("content/about.md", '---\ntitle: "Page"\nkind: about\nsummary: "x"\n\nTexte.\n'),
        ["content/about.md:1: front matter is not closed: add a '---' line after it"],
    ),
    "no front matter": (
        _write("content/about.md", "Texte sans en-tête.\n"),
        ["content/about.md:1: missing front matter: the file must start with a '---' line"],
    ),
    "empty file": (
        _write("content/about.md", ""),
        ["content/about.md:1: missing front matter: the file must start with a '---' line"],
    ),
    "duplicate page path": (
        _write("content/news/index.md", PAGE),
        ["content/news/index.md: page address '/news' is already used by content/news.md; rename one of them"],
    ),
    "unknown kind": (
        _replace("content/news.md", "kind: news", "kind: blog"),
        [
            "content/news.md:3: unknown kind 'blog'; use one of: home, news, original, background, timeline, "
            "glossary, people, about"
        ],
    ),
    "raw html": (
        _replace("content/news.md", "Deux diplomates", "<script>alert(1)</script> Deux diplomates"),
        ["content/news.md:19: raw HTML is not allowed in content; use Markdown (or write '&lt;' for a literal '<')"],
    ),
    "non utf-8": (
        _write("content/about.md", PAGE.encode() + b"caf\xe9\n"),
        ["content/about.md:7: not valid UTF-8 (byte 0xe9); save the file as UTF-8"],
    ),
    "unclosed code fence": (
        _write("content/about.md", PAGE + "```\ncode\n"),
        ["content/about.md:7: code block opened with ``` is never closed"],
    ),
    "bad file name": (
        _write("content/Mon Fichier.md", PAGE),
        [
            "content/Mon Fichier.md: 'Mon Fichier' cannot be part of a page address: use lowercase letters, "
            "digits and hyphens"
        ],
    ),
    "symlink outside content": (
        _symlink_outside,
        ["content/escape.md: points outside content/ (a symbolic link?); pages must live inside content/"],
    ),
    "news without sources": (
        _write("content/extra.md", "---\ntitle: x\nkind: news\nsummary: x\ndate: 2025-01-01\n---\nTexte.\n"),
        ["content/extra.md:2: a 'news' page needs 'sources'"],
    ),
    "source with a bad date": (
        _replace(
            "content/news.md",
            '    description: "Dépêche du 19 septembre"\n    date: 2025-09-19\n',
            '    description: "Dépêche du 19 septembre"\n    date: hier\n',
        ),
        [
            "content/news.md:15: 'date' in source 3 must be a date (YYYY-MM-DD) (found 'hier'); "
            "for example date: 2025-09-19"
        ],
    ),
    "source without title or description": (
        _replace("content/news.md", '    description: "Dépêche du 19 septembre"\n', ""),
        [
            "content/news.md:13: missing 'title' or 'description' in source 3: give its own title "
            "(in its language, with 'lang') or a description in French, or both"
        ],
    ),
    "source with an unknown language": (
        _replace("content/news.md", "lang: en,", "lang: english,"),
        [
            "content/news.md:11: 'lang' in source 1 must be the language of the outlet and title as a code "
            "such as 'en', 'ar' or 'pt-BR', not 'english'"
        ],
    ),
    "source with a language CLDR does not know": (
        _replace("content/news.md", "lang: en,", "lang: qq,"),
        [
            "content/news.md:11: 'lang' in source 1 must be the language of the outlet and title as a code "
            "such as 'en', 'ar' or 'pt-BR', not 'qq'"
        ],
    ),
    "duplicate explicit heading id": (
        _write("content/about.md", PAGE + "## Un {#a}\n\n## Deux {#a}\n"),
        ["content/about.md:9: heading id '#a' is used twice on this page"],
    ),
    "unknown language": (
        _replace("explainer.toml", '"ar", "es"]', '"ar", "es", "xx"]'),
        ["explainer.toml:6: unknown language code 'xx' (not in CLDR)"],
    ),
    "unknown config key": (
        _replace("explainer.toml", 'source_language = "fr"', 'source_language = "fr"\ntheme = "dark"'),
        [
            "explainer.toml:6: unknown key 'theme' in [site]; allowed keys: base_url, content_dir, i18n_dir, "
            "languages, output_dir, search, source_language, templates_dir"
        ],
    ),
    "po syntax error": (
        _replace("i18n/en/content/news.po", 'msgstr "The facts"', 'msgstr "The facts"\nmsgfoo "x"'),
        [
            "i18n/en/content/news.po:21: invalid PO file: unknown or misformatted keyword 'msgfoo'; "
            "fix it in a PO editor"
        ],
    ),
    "template syntax error": (
        _replace("templates/page.html", "{% endblock %}", "{% endblok %}"),
        [
            "templates/page.html:2: template syntax error: Encountered unknown tag 'endblok'. Jinja was looking for "
            "the following tags: 'endblock'. The innermost block that needs to be closed is 'block'."
        ],
    ),
    "template undefined variable": (
        _replace("templates/page.html", "{{ title.text }} ·", "{{ headline }} ·"),
        [
            "templates/page.html:2: undefined variable while rendering content/glossary.md in 'fr': "
            "'headline' is undefined"
        ],
    ),
    "broken internal link": (
        _replace("content/news.md", "[le texte original](/original/#le-texte)", "[le texte original](/nowhere/)"),
        ["content/news.md:42: link to '/nowhere/': there is no such page"],
    ),
    "broken anchor": (
        _replace(
            "content/news.md", "[le texte original](/original/#le-texte)", "[le texte original](/original/#nulle-part)"
        ),
        ["content/news.md:42: link to '/original/#nulle-part': that page has no heading with id 'nulle-part'"],
    ),
    "javascript link": (
        _replace("content/news.md", "[la source](https://www.africanews.com/)", "[la source](javascript:alert(1))"),
        ["content/news.md:22: unsafe link 'javascript:alert(1)': only http(s), mailto and site links are allowed"],
    ),
    "timeline out of order": (
        _replace("content/timeline.yaml", 'date: "2017-03"', 'date: "2011-03"'),
        ["content/timeline.yaml:7: entry dated 2011-03 comes after 2012: keep entries oldest first"],
    ),
    "timeline bad date": (
        _replace("content/timeline.yaml", 'date: "2017-03"', 'date: "mars 2017"'),
        ["content/timeline.yaml:7: 'date' in entry 2 must be YYYY-MM-DD, YYYY-MM or YYYY"],
    ),
    "timeline entry without source": (
        _replace(
            "content/timeline.yaml",
            'text: "Une année entière."\n  sources:\n    - outlet: "Agence"\n'
            '      title: "Bilan"\n      date: 2013-01-01\n',
            'text: "Une année entière."\n',
        ),
        ["content/timeline.yaml:1: missing required key 'sources' in entry 1"],
    ),
    "glossary duplicate id": (
        _replace("content/glossary.yaml", "- id: persona-non-grata", "- id: jnim"),
        ["content/glossary.yaml:5: id 'jnim' is already used by entry 1"],
    ),
    "glossary data file missing": (
        lambda project: (project / "content" / "glossary.yaml").unlink(),
        ["content/glossary.yaml: missing: this page's entries are kept in this YAML file"],
    ),
    "ten megabyte file": (
        _write("content/huge.md", PAGE + "mot " * 2_600_000),
        ["content/huge.md: file is 10,400,062 bytes; pages are limited to 2,000,000: split it"],
    ),
    "very deep nesting in front matter": (
        _write("content/deep.md", "---\ntitle: x\nkind: about\nsummary: x\norder: " + "[" * 5000 + "\n---\n"),
        ["content/deep.md:5: invalid YAML in front matter: nesting is too deep (over 100 levels); flatten it"],
    ),
    "glossary conflict": (
        _write(
            "i18n/glossary.yaml", 'names:\n  - JNIM\nterms:\n  - {fr: "JNIM", en: "JNIM", ar: "JNIM", es: "JNIM"}\n'
        ),
        ["i18n/glossary.yaml:4: 'JNIM' is already defined on line 2"],
    ),
    "missing image": (
        _replace("content/news.md", "> Une citation qui sera traduite.", "![Une carte](/images/carte.png)"),
        ["content/news.md:32: link to '/images/carte.png': there is no such file"],
    ),
    "link escaping the site": (
        _replace(
            "content/news.md", "[le texte original](/original/#le-texte)", "[le texte original](/../../etc/passwd)"
        ),
        ["content/news.md:42: link to '/../../etc/passwd': there is no such page"],
    ),
    "po msgstr adds a script": (
        _replace("i18n/en/content/index.po", 'msgstr "Home"', 'msgstr "Home<script>alert(1)</script>"'),
        [
            "i18n/en/content/index.po:19: the translation adds an HTML tag ('<script') that the French does not have; "
            "fix or empty this translation"
        ],
    ),
    "po msgstr adds an onerror attribute": (
        _replace("i18n/en/content/index.po", 'msgstr "Home"', 'msgstr "Home onerror=alert(1)"'),
        [
            "i18n/en/content/index.po:19: the translation adds script-like text ('onerror=') that the French does not "
            "have; fix or empty this translation"
        ],
    ),
    "po msgstr adds a javascript link": (
        _replace("i18n/en/content/index.po", "[The facts](/news/)", "[The facts](javascript:alert(1))"),
        [
            "i18n/en/content/index.po:31: the translation adds script-like text ('javascript:') that the French does "
            "not have; fix or empty this translation"
        ],
    ),
    "reserved page address": (
        _write("content/search.md", PAGE),
        ["content/search.md: '/search/' is made by the generator in every language; rename this page"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_invalid_input_is_reported_and_changes_nothing(
    name: str, built_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutate, expected = CASES[name]
    capsys.readouterr()
    site_before = tree(built_project / "site")
    mutate(built_project)
    memory_before = tree(built_project / "i18n")

    assert main(["--project", str(built_project), "build"]) == 1

    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"error: {line}" for line in expected]
    assert "Traceback" not in captured.err
    assert tree(built_project / "site") == site_before
    assert tree(built_project / "i18n") == memory_before


# Front matter and data files are composed by libyaml where PyYAML has it (``schema.FAST_LOADER``);
# every mistake in a page or data file is worded and located the same without it.
YAML_CASES = sorted(
    name
    for name, (_, expected) in CASES.items()
    if any("YAML" in line or re.search(r"\.(md|yaml):\d", line) for line in expected)
)


@pytest.mark.parametrize("name", YAML_CASES)
def test_yaml_mistakes_are_reported_the_same_without_libyaml(
    name: str, built_project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("explainer.load.schema.FAST_LOADER", None)
    test_invalid_input_is_reported_and_changes_nothing(name, built_project, capsys)


def test_crlf_line_endings_are_accepted(built_project: Path) -> None:
    path = built_project / "content" / "news.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert main(["--project", str(built_project), "build"]) == 0


def test_byte_order_mark_is_accepted(built_project: Path) -> None:
    path = built_project / "content" / "news.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert main(["--project", str(built_project), "build"]) == 0


def test_strict_turns_warnings_into_errors(built_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--project", str(built_project), "build", "--strict"]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert (
        "error: i18n/es/content/news.po: 18 of 18 segments of content/news.md have no translation and are "
        "shown in French (first at content/news.md:2) (an error under --strict)" in errors
    )
