"""The markup rule and the limits on one block (explainer/check/markup.py), and code spans (explainer/grammar)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer.check import markup
from explainer.check.markup import block_problem, markup_problem, reference_definitions, reference_line
from explainer.translate.segment import outside_code

FRENCH = 'Le diplomate est arrêté à **Bamako**, selon [la source](https://www.africanews.com/ "Dépêche").[^1]'


@pytest.mark.parametrize(
    "translation",
    [
        'The diplomat is arrested in **Bamako**, according to [the source](https://www.africanews.com/ "Report").[^1]',
        'According to [the source](https://www.africanews.com/ "Report"),[^1] the diplomat is arrested in Bamako.',
        'The diplomat\nis arrested in **Bamako**, according to [the source](https://www.africanews.com/ "R").[^1]',
    ],
)
def test_a_translation_may_move_translate_or_drop_emphasis_and_rewrap(translation: str) -> None:
    assert markup_problem(FRENCH, translation) is None


@pytest.mark.parametrize(
    ("translation", "reason"),
    [
        (
            "The diplomat is arrested [here][r], according to [the source](https://www.africanews.com/).[^1]",
            "the translation adds a link to 'https://ref.example/' that the French does not have",
        ),
        (
            "The diplomat is arrested, according to [the source](https://www.africanews.com/).[^1][^2]",
            "the translation adds the footnote reference [^2] that the French does not have",
        ),
        (
            "The diplomat is arrested, according to the source.[^1]",
            "the translation drops a link to 'https://www.africanews.com/' that the French has; keep it",
        ),
        (
            "The diplomat is arrested according to [the source](https://www.africanews.com/).\n\n> [^1]",
            "the translation adds a <blockquote> block that the French does not have",
        ),
        (
            'The diplomat is arrested, according to [the source](https://www.africanews.com/ "Title").[^1]',
            "the translation changes a link to 'https://www.africanews.com/': write it as the French does (with a "
            "title where the French has one, and none where it has none)",
        ),
        (
            "The diplomat is arrested, according to [the source](https://www.africanews.com/).[^1] ![x](/x.png)",
            "the translation adds an image '/x.png' that the French does not have",
        ),
    ],
)
def test_a_translation_may_not_add_drop_or_repeat_markup(translation: str, reason: str) -> None:
    french = "Le diplomate est arrêté à **Bamako**, selon [la source](https://www.africanews.com/).[^1]"
    assert markup_problem(french, translation, {"r": "https://ref.example/"}) == reason


def test_reference_definitions_and_their_lines() -> None:
    body = "Texte [ici][Une Source].\n\n[Une  Source]: https://example.org/a\n[^1]: note\n"
    assert reference_definitions(body) == {"une source": "https://example.org/a"}
    assert reference_line(body, "https://example.org/a") == 2
    assert reference_line(body, "https://example.org/b") is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("x" * 10_001, "a block of 10,001 characters; blocks are limited to 10,000: split it"),
        ("\\[" * 300 + "[" * 10, None),  # escaped brackets do not count
        ("> " * 17 + "x", "lists or quotes nested 17 levels deep in one block; at most 16 are allowed"),
        ("> " * 16 + "x", None),
    ],
)
def test_block_limits(text: str, problem: str | None) -> None:
    assert block_problem(text) == problem


def test_code_spans_are_removed_in_linear_time() -> None:
    assert outside_code("a `<b>` c ``d ` e`` f ` g") == "a  c  f ` g"
    started = time.monotonic()
    outside_code("a`" * 25_000)
    outside_code("`" * 50_000 + "x")
    assert time.monotonic() - started < 5.0  # a backtracking regular expression took minutes


# Texts made of what the tag and script-like patterns look for, whole and in parts, and of other text.
_PIECES = st.sampled_from(
    [
        *("<", ">", "/", "<b>", "</i>", "<!--", ":", "=", "{", "{:", "{#", "{.", "on", "click", "onclick=", "ONload ="),
        *("javascript:", "VBScript:", "data:", "DATA", "é", " ", "\n", "a", "x"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join), st.lists(_PIECES, max_size=12).map("".join))
def test_tag_problem_gives_what_its_patterns_alone_give(french: str, translation: str) -> None:
    """Characters looked for before each pattern only spare searches that would find nothing."""
    expected = None
    for pattern, what, _ in markup._ADDED:
        allowed = {match.group(0).lower() for match in pattern.finditer(french)}
        added = [match.group(0) for match in pattern.finditer(translation) if match.group(0).lower() not in allowed]
        if added:
            expected = f"the translation adds {what} ({added[0]!r}) that the French does not have"
            break
    assert markup.tag_problem(french, translation) == expected


def test_tag_problem_finds_tags_and_script_like_text() -> None:
    assert markup.tag_problem("Un texte.", "A <b>text</b>.") == (
        "the translation adds an HTML tag ('<b') that the French does not have"
    )
    assert markup.tag_problem("Un [lien](/a/).", "A [link](javascript:alert(1)).") == (
        "the translation adds script-like text ('javascript:') that the French does not have"
    )
    assert markup.tag_problem("Un texte{.x}", "A text{.x}") is None
    assert markup.tag_problem("Un texte.", "A text{.x}") == (
        "the translation adds script-like text ('{.') that the French does not have"
    )
