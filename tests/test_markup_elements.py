"""The markup rule reads the elements of a text from the element tree of a Python-Markdown without
the inline patterns the text cannot use (explainer/check/elements.py, ``source_elements``); these
tests hold it to what an HTML parser reads of the HTML the site's whole Markdown set-up writes
(``parsed_elements``), the way the rule read them before."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainer.check.elements import Element, parsed_elements, source_elements
from explainer.grammar import FOOTNOTE_REFERENCE
from explainer.grammar.markdown import new_markdown
from tests.project import FIXTURES, REPOSITORY

EXAMPLES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _both_ways(text: str, references: dict[str, str]) -> tuple[tuple[Element, ...], tuple[Element, ...]]:
    """The elements of ``text`` (with the page's ``references`` and its notes), from the tree and from the HTML."""
    notes = sorted(set(FOOTNOTE_REFERENCE.findall(text)))
    appendix = [f"[{label}]: {url}" for label, url in sorted(references.items())]
    appendix += [f"[^{label}]: note" for label in notes]
    source = text + "\n\n" + "\n".join(appendix)
    return source_elements(source), parsed_elements(str(new_markdown().convert(source)))


def _memory_texts(root: Path) -> list[str]:
    texts = []
    for path in sorted(root.glob("i18n/*/content/**/*.po")):
        with path.open("rb") as file:
            catalog = read_po(file)
        texts += [text for message in catalog if message.id for text in (str(message.id), str(message.string)) if text]
    return texts


@pytest.mark.parametrize("root", [REPOSITORY, FIXTURES / "site"], ids=["flagship", "fixture"])
def test_the_tree_gives_the_elements_the_html_gives_for_every_text_of_a_memory(root: Path) -> None:
    texts = _memory_texts(root)
    assert len(texts) > 50  # the corpus is really there
    for references in ({}, {"r": "https://ref.example/a?b=1&c=2"}):
        for text in texts:
            from_tree, from_html = _both_ways(text, references)
            assert from_tree == from_html, text


_PIECES = st.sampled_from(
    [
        *(" ", "\n", "\n\n", "  \n", "    ", "\t", "x", "mot", "é", "ع"),
        *("[", "]", "(", ")", "!", "*", "**", "_", "`", "#", "# ", "- ", "1. ", "> ", "|", "<", ">", "&", '"', "'"),
        *("{", "}", "\\", ":", "=", "---", "===", "~", "^", "\\*", "\\<", "\\[", "\\&", "\\`"),
        *("&amp;", "&copy;", "&#60;", "&#x3C;", "&lt;b&gt;", "&quot;", "&nbsp;", "&#0;", "&bogus;"),
        *("[a](https://a.example/)", "[b](/news/)", "[c](/x?a=1&b=2)", "[d](/x?a=&lt;b)", "[e](/&#60;s&#62;)"),
        *('[f](/x "t&amp;")', "[g](<https://g.example/a b>)", "[h](href)", "[i](/a\\_b)", "[j](/a&copy;)"),
        *("![m](/m.png)", '![n](/n.png "n")', "![&amp;](/o&amp;.png)", "[x][r]", "[r]", "[r][]", "[^1]", "[^2]"),
        *("[r]: https://evil.example/", "[^1]: note", "`code`", "`<b>`", "``a`b``", "*em*", "**fort**", "_e_"),
        *("<https://evil.example/>", "<a@b.example>", "https://evil.example/", "<b>", "</b>", "<!-- x -->"),
        *("<script>x</script>", "<?php ?>", "<div>\n\n", "| a | b |\n|---|---|\n| 1 | 2 |\n", "zz1337820767766393qq"),
    ]
)


@EXAMPLES
@given(st.lists(_PIECES, min_size=1, max_size=16).map("".join), st.booleans())
def test_the_tree_gives_the_elements_the_html_gives_for_any_markdown(text: str, with_references: bool) -> None:
    references = {"r": "https://ref.example/", "é": "/e&f"} if with_references else {}
    from_tree, from_html = _both_ways(text, references)
    assert from_tree == from_html


@EXAMPLES
@given(st.text(min_size=1, max_size=60))
def test_the_tree_gives_the_elements_the_html_gives_for_any_text(text: str) -> None:
    from_tree, from_html = _both_ways(text, {})
    assert from_tree == from_html


# Lines at the edge of one paragraph (``elements._one_paragraph``): those a block processor other than
# the paragraph's takes, or that the whitespace preprocessor changes, and some it does not.
_EDGES = [
    *("1. mot", "12) mot", "\u0661. mot", "- mot", "* mot", "+ mot", "---", "___", "***", "- - -", "# titre"),
    *("###### titre", "> cite", ">cite", "    code", "\tcode", " mot", "[r]: https://x.example/", "[^1]: note"),
    *("[r]:https://x.example/ mot", "=== mot", "| a | b |", "_e_ mot", "mot\r# titre", "mot\r- point"),
    *("[a](/x\ty)", "`a\tb`", "mot *a\x02b*", "mot \x03[a](/b)", "**fort** mot", "[en] mot [a](/b)", "[r] mot"),
    *("mot: [x]: y", "(mot) [^1]", "! [a](/b)", "<b> mot", "&amp; mot", "\\# mot", "é *mot*", "ع [a](/b)"),
]


@pytest.mark.parametrize("text", _EDGES)
@pytest.mark.parametrize("with_references", [False, True], ids=["alone", "with-references"])
def test_a_line_at_the_edge_of_one_paragraph_gives_the_elements_the_html_gives(
    text: str, with_references: bool
) -> None:
    references = {"r": "https://ref.example/"} if with_references else {}
    from_tree, from_html = _both_ways(text, references)
    assert from_tree == from_html


def test_a_plain_line_is_made_one_paragraph_without_the_block_parser() -> None:
    from explainer.check import elements

    assert elements._one_paragraph("[en] Un *mot* et [un lien](/a/).\n\n") == "[en] Un *mot* et [un lien](/a/)."
    assert elements._one_paragraph("ع [a](/b)\n\n") == "ع [a](/b)"
    for text in ("- mot", "1. mot", "\u0661. mot", "[r]: https://x.example/", "mot\ttab", "mot\nligne", " mot"):
        assert elements._one_paragraph(text + "\n\n") is None, text
    assert elements._converter(frozenset("[*")) in elements._PARAGRAPHS_KNOWN  # the site's set-up is the one known
