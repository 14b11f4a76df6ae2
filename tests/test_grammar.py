"""The grammar segmenting and rendering share: footnotes, placeholders, anchors, the Markdown set-up."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from markdown.extensions.footnotes import FootnoteBlockProcessor

from explainer.grammar import (
    FOOTNOTE_DEFINITION,
    FOOTNOTE_ID,
    FOOTNOTE_REFERENCE,
    PLACEHOLDER,
    heading_anchor,
    linked_notes,
    placeholder,
    split_heading_id,
)
from explainer.grammar.markdown import new_markdown, parse_blocks


def test_footnote_definitions_are_read_as_python_markdown_reads_them() -> None:
    assert FOOTNOTE_DEFINITION.pattern == FootnoteBlockProcessor.RE.pattern
    assert FOOTNOTE_DEFINITION.flags == FootnoteBlockProcessor.RE.flags


def test_every_footnote_id_markdown_gives_is_known() -> None:
    html = new_markdown(backlink_title="back {}").convert("Un[^1], deux[^1] et trois[^note].\n\n[^1]: A.\n[^note]: B.")
    ids = re.findall(r'id="([^"]+)"', html)
    assert sorted(ids) == ["fn:1", "fn:note", "fnref2:1", "fnref:1", "fnref:note"]
    assert all(FOOTNOTE_ID.match(found) for found in ids)
    assert FOOTNOTE_ID.match("fn-note")  # a note's row in the side-by-side view
    assert not FOOTNOTE_ID.match("fnord")


def test_footnote_references_link_to_the_rows_of_the_side_by_side_view() -> None:
    assert FOOTNOTE_REFERENCE.findall("Un[^1] et[^note], pas [^a b].") == ["1", "note"]
    assert linked_notes("Un[^1] et[^note].") == "Un[1](#fn-1) et[note](#fn-note)."


def test_placeholders_are_found_with_the_spaces_mt_adds() -> None:
    text = f"{placeholder(1)} et {placeholder(12)}"
    assert [int(number) for number in PLACEHOLDER.findall(text + " { 3 }")] == [1, 12, 3]


@pytest.mark.parametrize(
    ("heading", "text", "anchor"),
    [
        ("Les chiffres {#chiffres}", "Les chiffres", "chiffres"),
        ("Les États", "Les États", "les-etats"),
        ("**Coup** d'État de [2020](/x/)[^1]", "**Coup** d'État de [2020](/x/)[^1]", "coup-detat-de-2020"),
        ("2025", "2025", "2025"),
        ("!!!", "!!!", "section"),
    ],
)
def test_heading_anchors_come_from_the_french_or_an_explicit_id(heading: str, text: str, anchor: str) -> None:
    shown, explicit = split_heading_id(heading)
    assert shown == text
    assert (explicit or heading_anchor(shown)) == anchor


def test_raw_html_is_text() -> None:
    assert new_markdown().convert("<b>gras</b>\n\n<div>bloc</div>") == (
        "<p>&lt;b&gt;gras&lt;/b&gt;</p>\n<p>&lt;div&gt;bloc&lt;/div&gt;</p>"
    )


def test_the_block_parse_keeps_raw_inline_markdown_and_the_lines() -> None:
    tree = parse_blocks("## Titre *vif*\n\n-\tUn [lien](/x/)\n\n| A |\n|---|\n| `b` |\n")
    assert [(element.tag, element.text) for element in tree.root.iter() if element.text] == [
        ("h2", "Titre *vif*"),
        ("li", "Un [lien](/x/)"),
        ("th", "A"),
        ("td", "`b`"),
    ]
    # Tabs expanded as Markdown expands them; line n of the source is line n of the body.
    assert tree.source.split("\n") == ["## Titre *vif*", "", "-   Un [lien](/x/)", "", "| A |", "|---|", "| `b` |", ""]


def test_notes_are_kept_in_the_order_of_the_source_as_the_renderer_parses_them() -> None:
    tree = parse_blocks("Texte.[^b]\n[^b]: Une note\nsur deux lignes.\n\n    Suite.\n\n[^a]: Autre.\n[^b]: Encore.\n")
    assert [(note.label, [(element.tag, element.text) for element in note.root]) for note in tree.notes] == [
        ("b", [("p", "Une note\nsur deux lignes."), ("p", "Suite.")]),
        ("a", [("p", "Autre.")]),
        ("b", [("p", "Encore.")]),  # a label defined twice is there twice: the segmenter reports it
    ]
    assert [(element.tag, element.text) for element in tree.root] == [("p", "Texte.[^b]")]


def test_a_definition_inside_a_note_is_dropped_as_the_renderer_drops_it() -> None:
    tree = parse_blocks("[^1]: Une note.\n    [^2]: Dans la note.\n")
    assert [note.label for note in tree.notes] == ["1"]
    assert "Dans la note" not in new_markdown().convert("Voir[^1][^2].\n\n[^1]: Une note.\n    [^2]: Dans la note.\n")


def test_the_grammar_does_not_load_markdown() -> None:
    # A build with nothing to segment or render never loads Markdown; the patterns must not either.
    code = "import sys, explainer.grammar, explainer.translate.protect; print('markdown' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_the_block_parser_kept_between_bodies_parses_each_as_a_new_one_would() -> None:
    from xml.etree import ElementTree

    from explainer.grammar import markdown as grammar

    bodies = [
        "Un texte[^1] avec [un lien][r].\n\n[r]: https://example.org\n\n[^1]: Une note.\n\n    suite de la note",
        "- un\n- deux\n\n> citation\n\n| a | b |\n|---|---|\n| c | d |",
        "Un lien [r] sans définition ici, et une note[^1] sans la sienne.",
    ]

    def shown(tree: grammar.BlockTree) -> tuple[str, bytes, list[tuple[str, bytes]]]:
        notes = [(note.label, ElementTree.tostring(note.root)) for note in tree.notes]
        return tree.source, ElementTree.tostring(tree.root), notes

    def fresh(body: str) -> grammar.BlockTree:
        converter, definitions, _ = grammar._block_parser.__wrapped__()
        return grammar._parse_blocks(converter, definitions, body)

    kept, _, _ = grammar._block_parser()
    for body in [*bodies, *reversed(bodies)]:
        kept.parser.state.set("list")  # as a parse that raised half-way would leave it
        assert shown(grammar.parse_blocks(body)) == shown(fresh(body))
