"""Properties that must hold for any input, checked with hypothesis (examples: tests/conftest.py)."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from explainer.check.markup import markup_problem
from explainer.translate.memory import read_catalog, render_catalog

EXAMPLES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text a translator may write: any printable character, including quotes, backslashes, newlines and RTL text.
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00") | st.sampled_from('"\\\n\t'),
    min_size=1,
    max_size=80,
).filter(lambda text: text.strip() != "")


@EXAMPLES
@given(
    st.lists(
        st.tuples(_TEXT, _TEXT, st.booleans(), st.one_of(st.none(), _TEXT)),
        min_size=1,
        max_size=5,
        unique_by=lambda entry: entry[0],
    )
)
def test_po_write_then_read_gives_back_every_entry(entries: list[tuple[str, str, bool, str | None]]) -> None:
    catalog = Catalog(locale="en", fuzzy=False, creation_date=datetime.datetime(2025, 1, 1))
    for msgid, msgstr, fuzzy, previous in entries:
        message = Message(
            msgid, msgstr, flags={"fuzzy"} if fuzzy else set(), previous_id=[previous] if previous and fuzzy else []
        )
        message.flags.discard("python-format")
        catalog[msgid] = message
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "page.po"
        path.write_bytes(render_catalog(catalog))
        read = read_catalog(path, Path(scratch), "en")
    assert read is not None
    for msgid, msgstr, fuzzy, previous in entries:
        message = read.get(msgid)
        assert message is not None
        assert message.string == msgstr
        assert message.fuzzy == fuzzy
        assert list(message.previous_id) == ([previous] if previous and fuzzy else [])


_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéàç ", min_size=1, max_size=30)
_INJECTIONS = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "[x](javascript:alert(1))",
        "[x](https://evil.example/)",
        "![x](https://evil.example/pixel.png)",
        "<iframe src=//evil.example>",
        "<svg onload=alert(1)>",
        "[^99]",
        "<!-- x -->",
        "x onmouseover=alert(1)",
        "[x](data:text/html,hi)",
    ]
)


@EXAMPLES
@given(_WORDS, _WORDS, _INJECTIONS, _WORDS)
def test_no_translation_that_adds_markup_passes(french: str, before: str, injection: str, after: str) -> None:
    assert markup_problem(french, f"{before}{injection}{after}") is not None


@EXAMPLES
@given(_WORDS, st.sampled_from(["**", "*", "`"]))
def test_translations_that_keep_the_french_markup_pass(text: str, mark: str) -> None:
    french = f"Voir {mark}{text}{mark} et [la source](https://example.org/) [^1]"
    assert markup_problem(french, f"See {mark}{text}{mark} and [the source](https://example.org/) [^1]") is None


# Front matter an editor might mistype: keys, values, colons, quotes, indentation, tabs and every
# line break YAML knows. Whatever it is, a YAML mistake is reported as a message, never a traceback.
_YAML_PIECES = st.sampled_from(
    [
        *("title", "kind", "summary", ":", ": ", " ", "  ", "\t", "-", "- ", '"', "'", "x", "é", "[", "]", "{", "}"),
        *("\n", "\r", "\r\n", "\x85", "\u2028", "\u2029", "#"),
    ]
)


@EXAMPLES
@given(st.lists(_YAML_PIECES, max_size=40).map("".join))
def test_a_yaml_mistake_is_always_a_message(text: str) -> None:
    from explainer.errors import ContentError
    from explainer.load.schema import parse_yaml

    try:
        parse_yaml(text, "content/page.md", 2, "front matter")
    except ContentError as error:
        assert all(problem.path == "content/page.md" and problem.message for problem in error.problems)


def _composed(text: str) -> object:
    """What ``parse_yaml`` makes of ``text``: its nodes (tag, value, line), or the problems."""
    import yaml

    from explainer.errors import ContentError
    from explainer.load.schema import parse_yaml

    def shape(node: yaml.Node) -> object:
        if isinstance(node, yaml.ScalarNode):
            return (node.tag, node.value, node.start_mark.line)
        if isinstance(node, yaml.MappingNode):
            return (node.tag, node.start_mark.line, [(shape(key), shape(value)) for key, value in node.value])
        return (node.tag, node.start_mark.line, [shape(item) for item in node.value])

    try:
        node = parse_yaml(text, "content/page.md", 2, "front matter")
    except ContentError as error:
        return [str(problem) for problem in error.problems]
    return None if node is None else shape(node)


_YAML_TEXTS = st.lists(
    st.sampled_from([*("title: ", "date: 2025-09-19", "n: 12", "t: true", "- a", "k: [a, b]", "&x a", "*x")])
    | st.sampled_from([*("---", "...", "? ", "!!str ", "|\n", ">\n", "'a''b'", '""', "~", "<<: *x", "a:\n", "- \n")])
    | _YAML_PIECES,
    max_size=40,
).map("".join)


@EXAMPLES
@given(_YAML_TEXTS)
# Where they were found to differ: a tab libyaml accepts, empty nodes it places on another line.
@example("title: \t")
@example("---")
@example("? ")
@example("title:\nsummary: x\n")
def test_libyaml_and_pyyaml_read_front_matter_the_same(text: str) -> None:
    import pytest

    import explainer.load.schema as schema

    if schema.FAST_LOADER is None:
        pytest.skip("PyYAML was built without libyaml here: only its own parser is used")
    fast = _composed(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schema, "FAST_LOADER", None)
        assert _composed(text) == fast


def test_a_yaml_mistake_after_a_unicode_line_break_names_its_own_line() -> None:
    from explainer.errors import ContentError
    from explainer.load.schema import parse_yaml

    text = 'title: "Les\u2028faits"\nsummary: La France: suspend\n  sa coopération avec le Mali.\n'
    try:
        parse_yaml(text, "content/news.md", 2, "front matter")
    except ContentError as error:
        assert [str(problem) for problem in error.problems] == [
            "content/news.md:4: the value of 'summary' contains ': '; put the whole value in double quotes; "
            'for example summary: "La France: suspend"'
        ]
    else:
        raise AssertionError("the YAML mistake was not reported")
