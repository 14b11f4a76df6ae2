"""The markup rule and the limits on one block (explainer/check/markup.py), and code spans (explainer/grammar)."""

from __future__ import annotations

import time

import pytest

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
