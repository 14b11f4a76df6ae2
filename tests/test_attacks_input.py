"""Hostile input, from the attack run of issue 12: content, PO files and UI catalogs.

Every case of the table is refused with its exact ``path:line: message``, exit 1,
no traceback, and ``site/`` and ``i18n/`` left exactly as they were (no PO file
rewritten). Hostile blocks that used to hang Python-Markdown are refused within
a generous time bound. Then: UI strings are escaped, the markup rule holds for
any translation it accepts (hypothesis), and language codes with a region or a
script build.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainer.check.markup import markup_problem
from explainer.cli import main
from explainer.render.markdown import RenderState, convert, make_markdown
from explainer.translate.memory import parse_catalog, render_catalog
from tests.project import REPOSITORY, make_project, tree
from tests.test_invalid import PAGE, _replace, _write

# A hostile block must be refused in seconds; the bound is generous so a slow CI machine passes.
HOSTILE_SECONDS = 30.0


# The line of the footnote back-link's entry in the Spanish interface catalog (it moves as strings are added).
_UI_LINE = next(
    number
    for number, line in enumerate(
        (REPOSITORY / "i18n/es/LC_MESSAGES/messages.po").read_text(encoding="utf-8").splitlines(), 1
    )
    if line == 'msgid "Back to reference {}"'
)


def _po_entry(relative: str, msgstr: str, new: str) -> Callable[[Path], None]:
    """Replace the msgstr line ``msgstr "<msgstr>"`` of a PO file with ``new`` (raw PO text)."""
    return _replace(relative, f'msgstr "{msgstr}"', new)


def _both(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(project: Path) -> None:
        for mutation in mutations:
            mutation(project)

    return mutate


def _latin1_po(project: Path) -> None:
    path = project / "i18n" / "en" / "content" / "news.po"
    text = path.read_text(encoding="utf-8").replace("charset=utf-8", "charset=iso-8859-1")
    path.write_bytes(text.encode("latin-1"))


NEWS_PO = "i18n/en/content/news.po"
INDEX_PO = "i18n/en/content/index.po"
DIPLOMAT = "The French diplomat is arrested in **Bamako**, according to [the source](https://www.africanews.com/)."
NESTED_LIST = "".join("    " * depth + "- niveau\n" for depth in range(300))

# name -> (mutation, expected stderr lines without "error: ", hostile: held to HOSTILE_SECONDS)
CASES: dict[str, tuple[Callable[[Path], None], list[str], bool]] = {
    # 2. PO files are UTF-8, whatever their header says.
    "po header declares another charset": (
        _replace(NEWS_PO, "charset=utf-8", "charset=iso-8859-1"),
        [
            "i18n/en/content/news.po:14: the header declares charset=iso-8859-1, but PO files are read as UTF-8: "
            "if the file is UTF-8, set charset=UTF-8; if not, convert it (msgconv -t UTF-8)"
        ],
        False,
    ),
    "latin-1 po file": (
        _latin1_po,
        [
            "i18n/en/content/news.po:23: not valid UTF-8 (byte 0xe9): PO files are read as UTF-8; convert the file "
            "(msgconv -t UTF-8) and set charset=UTF-8 in its header"
        ],
        False,
    ),
    # 4. The markup rule, on the rendered translation, whatever its newlines.
    "msgstr adds a reference definition after a blank line": (
        _po_entry(NEWS_PO, DIPLOMAT, f'msgstr "{DIPLOMAT} See [x][r]\\n\\n[r]: https://evil.example/"'),
        [
            "i18n/en/content/news.po:36: the translation adds a link reference definition ('[label]: ...') that "
            "the French does not have; fix or empty this translation"
        ],
        False,
    ),
    "msgstr adds a heading after a blank line": (
        _po_entry(INDEX_PO, "Home", 'msgstr "Home\\n\\n# Heading"'),
        [
            "i18n/en/content/index.po:19: the translation adds a <h1> block that the French does not have; "
            "fix or empty this translation"
        ],
        False,
    ),
    "msgstr adds a list": (
        _po_entry(INDEX_PO, "Home", 'msgstr "- Home"'),
        [
            "i18n/en/content/index.po:19: the translation adds a <ul> block that the French does not have; "
            "fix or empty this translation"
        ],
        False,
    ),
    "msgstr uses a reference defined on the page": (
        _both(
            _replace("content/news.md", "[^1]: Africa", "[r]: https://www.africanews.com/autre\n\n[^1]: Africa"),
            _po_entry(NEWS_PO, "The figures", 'msgstr "The [figures][r]"'),
        ),
        [
            "i18n/en/content/news.po:40: the translation adds a link to 'https://www.africanews.com/autre' that "
            "the French does not have; fix or empty this translation"
        ],
        False,
    ),
    "msgstr drops the french link": (
        _po_entry(NEWS_PO, DIPLOMAT, 'msgstr "The French diplomat is arrested in **Bamako**."'),
        [
            "i18n/en/content/news.po:36: the translation drops a link to 'https://www.africanews.com/' that the "
            "French has; keep it; fix or empty this translation"
        ],
        False,
    ),
    "msgstr doubles the french link": (
        _po_entry(NEWS_PO, DIPLOMAT, f'msgstr "{DIPLOMAT} Again: [the source](https://www.africanews.com/)."'),
        [
            "i18n/en/content/news.po:36: the translation repeats a link to 'https://www.africanews.com/' (the "
            "French has it once); fix or empty this translation"
        ],
        False,
    ),
    "msgstr adds a table cell": (
        _po_entry(NEWS_PO, "Country", 'msgstr "Country | Evil"'),
        [
            "i18n/en/content/news.po:44: the translation adds a '|' (a table cell separator) that the French does "
            "not have; write '\\|'; fix or empty this translation"
        ],
        False,
    ),
    # 6. Hostile blocks: refused before Markdown reads them.
    "a line of 50,000 [ then 50,000 ]": (
        _write("content/about.md", PAGE + "[" * 50_000 + "]" * 50_000 + "\n"),
        ["content/about.md:6: a block of 100,007 characters; blocks are limited to 10,000: split it"],
        True,
    ),
    "5,000 [ in a paragraph": (
        _write("content/about.md", PAGE + "[" * 5_000 + "x\n"),
        [
            "content/about.md:6: 5,000 '[' in one block; at most 200 are allowed: split it, "
            "or write '\\[' for a literal '['"
        ],
        True,
    ),
    "50,000 backticks": (
        _write("content/about.md", PAGE + "Texte " + "`" * 50_000 + "\n"),
        ["content/about.md:6: a block of 50,013 characters; blocks are limited to 10,000: split it"],
        True,
    ),
    "a fence of 50,000 backticks": (
        _write("content/about.md", PAGE + "`" * 50_000 + "\n"),
        ["content/about.md:7: code block opened with ```... (50,000 of them) is never closed"],
        True,
    ),
    "9,000 backticks and letters": (
        _write("content/about.md", PAGE + "a`" * 4_500 + "\n"),
        [],  # accepted (a valid if odd paragraph), and in seconds
        True,
    ),
    "msgstr with 20,000 brackets": (
        _po_entry(INDEX_PO, "Home", 'msgstr "' + "[" * 20_000 + '"'),
        [
            "i18n/en/content/index.po:19: the translation is a block of 20,000 characters; blocks are limited to "
            "10,000: split it; fix or empty this translation"
        ],
        True,
    ),
    "msgstr with 300 brackets": (
        _po_entry(INDEX_PO, "Home", 'msgstr "' + "[" * 300 + 'Home"'),
        [
            "i18n/en/content/index.po:19: 300 '[' in one block; at most 200 are allowed: split it, or write '\\[' "
            "for a literal '['; fix or empty this translation"
        ],
        True,
    ),
    # 8. Tracebacks turned into messages.
    "lists nested 300 deep": (
        _write("content/about.md", PAGE + NESTED_LIST),
        ["content/about.md:24: list item nested 17 levels deep; lists may be nested at most 16 levels"],
        True,
    ),
    "list markers nested 2,000 deep on one line": (
        _write("content/about.md", PAGE + "- " * 2_000 + "x\n"),
        ["content/about.md:7: lists or quotes nested 1999 levels deep in one block; at most 16 are allowed"],
        True,
    ),
    "plural entry in a content po file": (
        _replace(
            NEWS_PO,
            'msgid "Les faits"\nmsgstr "The facts"',
            'msgid "Les faits"\nmsgid_plural "Les faits"\nmsgstr[0] "The fact"\nmsgstr[1] "The facts"',
        ),
        [
            "i18n/en/content/news.po:19: plural entry (msgid_plural, msgstr[n]) in a content translation file: "
            "page text has no plural forms; write one msgid and one msgstr"
        ],
        False,
    ),
    "ui string with {} {}": (
        _po_entry("i18n/es/LC_MESSAGES/messages.po", "Volver a la llamada {}", 'msgstr "Volver {} {}"'),
        [
            f"i18n/es/LC_MESSAGES/messages.po:{_UI_LINE}: UI catalog: the translation's placeholders do not fit the "
            "English's (IndexError: Replacement index 1 out of range for positional args tuple); keep the "
            "English's placeholders as they are (write %% for a literal %)"
        ],
        False,
    ),
    "ui string with a placeholder the english lacks": (
        _replace(
            "i18n/es/LC_MESSAGES/messages.po",
            'msgstr "El %(share)s de esta página',
            'msgstr "El %(parte)s de esta página',
        ),
        [
            "i18n/es/LC_MESSAGES/messages.po:@SHARE: UI catalog: the translation's placeholders do not fit the "
            "English's (KeyError: 'parte'); keep the English's placeholders as they are (write %% for a literal %)"
        ],
        False,
    ),
    # 10. Accepted silently before.
    "unterminated po string": (
        _po_entry(INDEX_PO, "Home", 'msgstr "Home'),
        ["i18n/en/content/index.po:20: string not closed: end it with '\"' on the same line"],
        False,
    ),
    "orphan msgstr[0]": (
        _po_entry(INDEX_PO, "Home", 'msgstr[0] "Home"'),
        ["i18n/en/content/index.po:20: msgstr[0] without msgid_plural: write msgstr, or add a msgid_plural"],
        False,
    ),
    "duplicate msgid": (
        _replace(INDEX_PO, 'msgid "Une page de test."', 'msgid "Accueil"'),
        ["i18n/en/content/index.po:23: this msgid repeats the entry on line 19: merge the two entries"],
        False,
    ),
    "bidi override in content": (
        _replace("content/news.md", "Deux diplomates", "Deux \u202ediplomates"),
        [
            "content/news.md:19: bidirectional control character U+202E in text (it can reorder what readers see); "
            "remove it: the site isolates mixed-direction text itself"
        ],
        False,
    ),
    "bidi isolate in a front-matter field": (
        _replace("content/news.md", 'title: "Les faits"', 'title: "Les \u2066faits"'),
        [
            "content/news.md:2: bidirectional control character U+2066 in text (it can reorder what readers see); "
            "remove it: the site isolates mixed-direction text itself"
        ],
        False,
    ),
    "bidi override in a translation": (
        _po_entry(INDEX_PO, "Home", 'msgstr "Ho\u202eme"'),
        [
            "i18n/en/content/index.po:19: bidirectional control character U+202E in text (it can reorder what "
            "readers see); remove it: the site isolates mixed-direction text itself; fix or empty this translation"
        ],
        False,
    ),
    "heading id taken by the templates": (
        _write("content/about.md", PAGE + "## Un {#main}\n"),
        [
            "content/about.md:7: heading id '#main' is already used by the templates (templates/base.html); "
            "give the heading another id with {#...}"
        ],
        False,
    ),
    "external image": (
        _replace("content/news.md", "> Une citation qui sera traduite.", "![Une carte](https://evil.example/c.png)"),
        [
            "content/news.md:32: external image 'https://evil.example/c.png': the site's Content-Security-Policy "
            "lets pages show only the site's own images, so readers would see a broken image; remove it"
        ],
        False,
    ),
    "external image in a timeline entry": (
        _replace(
            "content/timeline.yaml",
            'text: "Une année entière."',
            'text: "Une année ![carte](https://evil.example/c.png)."',
        ),
        [
            "content/timeline.yaml:1: external image 'https://evil.example/c.png': the site's Content-Security-Policy "
            "lets pages show only the site's own images, so readers would see a broken image; remove it"
        ],
        False,
    ),
    # 12. Clearer messages.
    "nul in front matter": (
        _replace("content/news.md", 'summary: "La France', 'summary: "La\x00 France'),
        ["content/news.md:4: control character U+0000 in front matter; remove it"],
        False,
    ),
    "duplicate footnote": (
        _write("content/about.md", PAGE + "Texte.[^1]\n\n[^1]: Une note.\n\n[^1]: Une autre.\n"),
        ["content/about.md:11: footnote [^1] is already defined on line 9; give each note its own label"],
        False,
    ),
    "unsafe reference-style link": (
        _write("content/about.md", PAGE + "Voir [ceci][r].\n\n[r]: javascript:alert(1)\n"),
        ["content/about.md:9: unsafe link 'javascript:alert(1)': only http(s), mailto and site links are allowed"],
        False,
    ),
    "po keyword error": (
        _po_entry(INDEX_PO, "Home", 'msgstr "Home"\nmsgtxt "x"'),
        [
            "i18n/en/content/index.po:21: invalid PO file: unknown or misformatted keyword 'msgtxt'; "
            "fix it in a PO editor"
        ],
        False,
    ),
}


def _share_line(project: Path) -> int:
    lines = (project / "i18n/es/LC_MESSAGES/messages.po").read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, 1) if line.startswith('msgid "%(share)s of this page'))


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_refused_and_changes_nothing(
    name: str, built_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutate, expected, hostile = CASES[name]
    capsys.readouterr()
    site_before = tree(built_project / "site")
    mutate(built_project)
    memory_before = tree(built_project / "i18n")
    expected = [line.replace("@SHARE", str(_share_line(built_project))) for line in expected]

    started = time.monotonic()
    status = main(["--project", str(built_project), "build", "--no-cache"])
    elapsed = time.monotonic() - started

    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if hostile:
        assert elapsed < HOSTILE_SECONDS, f"{name}: {elapsed:.1f} s"
    if not expected:
        assert status == 0
        return
    assert status == 1
    assert captured.err.splitlines() == [f"error: {line}" for line in expected]
    assert tree(built_project / "site") == site_before
    assert tree(built_project / "i18n") == memory_before


ARABIC_UI = "i18n/ar/LC_MESSAGES/messages.po"
REFRESH = '<meta http-equiv="refresh" content="0; url=https://evil.example/">'


def test_ui_strings_are_escaped_and_check_reports_their_markup(
    built_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _po_entry(
        ARABIC_UI,
        "الانتقال إلى المحتوى",
        f'msgstr "الانتقال إلى المحتوى{REFRESH.replace(chr(34), chr(92) + chr(34))}"',
    )(built_project)
    assert main(["--project", str(built_project), "build", "--no-mt"]) == 0
    page = (built_project / "site" / "ar" / "index.html").read_text(encoding="utf-8")
    assert "الانتقال إلى المحتوى&lt;meta http-equiv=&#34;refresh&#34;" in page
    assert '<meta http-equiv="refresh"' not in page

    capsys.readouterr()
    assert main(["--project", str(built_project), "check"]) == 1
    errors = capsys.readouterr().err.splitlines()
    lines = (built_project / ARABIC_UI).read_text(encoding="utf-8").split("\n")
    entry = next(number for number, text in enumerate(lines, 1) if text == 'msgid "Skip to content"')
    assert (
        f"error: {ARABIC_UI}:{entry}: UI catalog: the translation adds an HTML tag ('<meta') that the English "
        "does not have (it is shown as text)"
    ) in errors


@pytest.mark.parametrize("code", ["pt-BR", "zh-Hant"])
def test_language_codes_with_a_region_or_a_script_build(tmp_path: Path, code: str) -> None:
    project = make_project(tmp_path / "project")
    _replace("explainer.toml", '"ar", "es"]', f'"ar", "es", "{code}"]')(project)
    with (project / "explainer.toml").open("a", encoding="utf-8") as config:
        config.write(
            f'\n[languages.{code}]\ntitle = "Site"\ndescription = "Site."\n'
            "publish_threshold = 0\nlanguage_threshold = 0\n"
        )
    assert main(["--project", str(project), "build", "--no-mt"]) == 0
    assert not (project / "site" / code).exists()  # nothing translated yet: not published
    memory = project / "i18n" / code / "content" / "timeline.po"
    catalog = parse_catalog(memory.read_bytes(), str(memory), code)
    catalog["Chronologie"].string = "Timeline"
    memory.write_bytes(render_catalog(catalog))
    assert main(["--project", str(project), "build", "--no-mt"]) == 0
    page = (project / "site" / code / "timeline" / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{code}"' in page


# The property: whatever a translator writes, if the rule accepts it, the page shows no element and
# no attribute that the French's rendering lacks. Both are rendered here with the site's own converter.
_PIECES = st.sampled_from(
    [
        "mot",
        "autre",
        " ",
        " ",
        "\n",
        "\n\n",
        "[",
        "]",
        "(",
        ")",
        "!",
        "*",
        "**",
        "_",
        "`",
        "#",
        "# ",
        "- ",
        "1. ",
        "> ",
        "|",
        "<",
        ">",
        "&",
        "{",
        "}",
        "\\",
        ":",
        "=",
        "---",
        "[a](https://a.example/)",
        "[b](/news/)",
        "![m](/m.png)",
        "[x][r]",
        "[r]",
        "[r]: https://evil.example/",
        "[^1]",
        "[^2]",
        "`code`",
        "*em*",
        "**fort**",
        "<https://evil.example/>",
        "https://evil.example/",
        '[t](https://a.example/ "titre")',
    ]
)
_MARKDOWN_TEXT = st.lists(_PIECES, min_size=1, max_size=12).map("".join)
REFERENCES = {"r": "https://ref.example/"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: set[tuple[str, str, str]] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.add((tag, "", ""))
        for name, value in attrs:
            # alt and title hold text a translator translates; the attribute itself must be the French's.
            self.found.add((tag, name, "" if name in ("alt", "title") else value or ""))


def _page_elements(text: str) -> set[tuple[str, str, str]]:
    """What the site's converter makes of ``text`` on a page defining [r] and note 1."""
    converter, extension = make_markdown("Back {}")
    document = f"{text}\n\n[r]: {REFERENCES['r']}\n\n[^1]: Note."
    html = convert(converter, extension, document, RenderState({}, lambda link: link))
    parser = _Elements()
    parser.feed(html)
    return parser.found


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_MARKDOWN_TEXT, _MARKDOWN_TEXT)
def test_no_accepted_translation_renders_markup_its_french_lacks(french: str, translation: str) -> None:
    msgid = " ".join(french.split())  # segments are one line
    if not msgid or markup_problem(msgid, translation, REFERENCES) is not None:
        return
    allowed = _page_elements(msgid)
    for shown in (" ".join(translation.split()), translation):  # as the page shows it, and as written
        added = _page_elements(shown) - allowed
        assert not added, f"{translation!r} renders {sorted(added)} that {msgid!r} does not"
