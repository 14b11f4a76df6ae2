from __future__ import annotations

import datetime
import itertools
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer.errors import ContentError
from explainer.model import Page
from explainer.render.markdown import RenderState, convert, make_markdown, mark
from explainer.translate import segment
from explainer.translate.segment import footnote_labels, heading_anchor, normalise, reassemble, segment_page


def _page(body: str) -> Page:
    return Page("p", "content/p.md", "about", "Titre", "Résumé.", datetime.date(2025, 1, 1), None, 0, None, (), body, 6)


def test_blocks_become_segments_with_lines_and_roles() -> None:
    body = (
        "## Un titre\n\nUn paragraphe\nsur deux lignes.\n\n- Un point\n  qui continue\n- Un autre\n\n"
        "| A | B |\n|---|---|\n| x | 12 |\n\n> Une citation.\n\n```\nnon traduit\n```\n\n[^1]: Une note.\n"
    )
    segmented = segment_page(_page(body))
    found = [(s.role, s.text, s.line) for s in segmented.segments]
    assert found == [
        ("title", "Titre", 1),
        ("summary", "Résumé.", 1),
        ("heading", "Un titre", 6),
        ("paragraph", "Un paragraphe sur deux lignes.", 8),
        ("item", "Un point qui continue", 11),
        ("item", "Un autre", 13),
        ("cell", "A", 15),
        ("cell", "B", 15),
        ("cell", "x", 17),
        ("quote", "Une citation.", 19),
        ("footnote", "Une note.", 25),
    ]
    assert segmented.segments[2].anchor == "un-titre"


def test_identity_reassembly_keeps_structure() -> None:
    body = "## Titre\n\nTexte *important*.\n\n- a\n  - b\n\n| A |\n|---|\n| 7 |\n"
    segmented = segment_page(_page(body))
    texts = [s.text for s in segmented.segments]
    assert reassemble(segmented, texts) == "## Titre\n\nTexte *important*.\n\n- a\n  - b\n\n| A |\n|---|\n| 7 |\n"


def test_heading_anchors_fold_accents_and_stay_unique() -> None:
    segmented = segment_page(_page("## Les États\n\n## Les États\n\n## Autre {#mon-id}\n"))
    assert [s.anchor for s in segmented.segments if s.anchor] == ["les-etats", "les-etats-2", "mon-id"]
    assert heading_anchor("**Coup** d'État de [2020](/x/)") == "coup-detat-de-2020"


_WORDS = (
    st.text(alphabet="abcdeéèàç ABCÉ", min_size=1, max_size=30)
    .map(normalise)
    .filter(lambda text: any(c.isalpha() for c in text))
)
_INLINE = st.one_of(
    _WORDS,
    _WORDS.map(lambda w: f"*{w}*"),
    _WORDS.map(lambda w: f"**{w}**"),
    _WORDS.map(lambda w: f"[{w}](https://example.org/)"),
)
_LINE = st.lists(_INLINE, min_size=1, max_size=4).map(" ".join)
_BLOCK = st.one_of(
    _LINE,
    _LINE.map(lambda t: f"## {t}"),
    st.lists(_LINE, min_size=1, max_size=3).map(lambda items: "\n".join(f"- {i}" for i in items)),
    _LINE.map(lambda t: f"> {t}"),
    st.tuples(_LINE, _LINE).map(lambda cells: f"| {cells[0]} | {cells[1]} |\n|---|---|\n| {cells[1]} | 3 |"),
)


@settings(deadline=None)
@given(st.lists(_BLOCK, min_size=1, max_size=6).map("\n\n".join))
def test_identity_translation_renders_like_the_source(body: str) -> None:
    segmented = segment_page(_page(body))
    marked = [mark(index, segment.text) for index, segment in enumerate(segmented.segments)]
    converter, extension = make_markdown("{}")
    attributes = {index: {} for index, s in enumerate(segmented.segments) if s.role not in ("title", "summary")}
    via_segments = convert(
        converter, extension, reassemble(segmented, marked), RenderState(attributes, lambda href: href)
    )
    direct = convert(converter, extension, body, RenderState({}, lambda href: href))
    # Headings get their ids from the segmenter; compare without them.
    assert normalise(via_segments) == normalise(direct)


def _identity_and_direct(body: str) -> tuple[str, str, list[int]]:
    """The body rendered from its segments (each its own French), the body rendered directly,
    and the segments Markdown lost (a marker it did not find at the start of an element)."""
    segmented = segment_page(_page(body))
    marked = [mark(index, segment.text) for index, segment in enumerate(segmented.segments)]
    converter, extension = make_markdown("{}")
    state = RenderState(
        {index: {} for index, s in enumerate(segmented.segments) if s.role not in ("title", "summary")},
        lambda href: href,
    )
    via_segments = convert(converter, extension, reassemble(segmented, marked), state)
    direct = convert(converter, extension, body, RenderState({}, lambda href: href))
    return via_segments, direct, state.unmarked


# Markdown the regular expressions of the former segmenter read otherwise than Python-Markdown renders it
# (they made a paragraph of a heading, a table or a list, or left markers inside a paragraph). Segments
# now come from Python-Markdown's own block parse: each block is one segment, rendered where it was.
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("##Titre collé\n", [("heading", "Titre collé", 6)]),
        ("Titre souligné\n==============\n", [("heading", "Titre souligné", 6)]),
        ("Texte\n---\n", [("heading", "Texte", 6)]),
        ("Un texte\n- suivi d'un tiret\n", [("paragraph", "Un texte - suivi d'un tiret", 6)]),
        ("1) Premier\n2) Second\n", [("paragraph", "1) Premier 2) Second", 6)]),
        (
            "Pays | Capitale\n--- | ---\nMali | Bamako\n",
            [("cell", "Pays", 6), ("cell", "Capitale", 6), ("cell", "Mali", 8), ("cell", "Bamako", 8)],
        ),
        ("> > Citation imbriquée.\n", [("quote", "Citation imbriquée.", 6)]),
        ("Texte.\n\n    du code indenté\n", [("paragraph", "Texte.", 6)]),
        ("Texte\n```\ncode\n```\n", [("paragraph", "Texte ``` code ```", 6)]),
        (
            "Texte.[^1]\n[^1]: Une note.\n\n    Suite de la note.\n",
            [("paragraph", "Texte.[^1]", 6), ("footnote", "Une note.", 7), ("paragraph", "Suite de la note.", 9)],
        ),
    ],
)
def test_blocks_are_segmented_as_python_markdown_renders_them(body: str, expected: list[tuple[str, str, int]]) -> None:
    segmented = segment_page(_page(body))
    assert [(s.role, s.text, s.line) for s in segmented.segments[2:]] == expected
    via_segments, direct, lost = _identity_and_direct(body)
    assert lost == []
    assert normalise(via_segments) == normalise(direct)


def test_a_heading_read_by_markdown_gets_its_anchor() -> None:
    segmented = segment_page(_page("Le contexte\n-----------\n\n##Les faits {#faits}\n"))
    assert [(s.text, s.anchor) for s in segmented.segments[2:]] == [
        ("Le contexte", "le-contexte"),
        ("Les faits", "faits"),
    ]


def test_footnote_labels_name_the_notes_of_the_side_by_side_view() -> None:
    segmented = segment_page(_page("Texte.[^a]\n\n[^a]: Première.\n[^b]:   Seconde.\n"))
    notes = {index: segmented.segments[index].text for index in footnote_labels(segmented)}
    assert footnote_labels(segmented) == {3: "a", 4: "b"}
    assert notes == {3: "Première.", 4: "Seconde."}


_TIGHT_BLOCK = st.one_of(
    _BLOCK,
    _LINE.map(lambda t: f"{t}\n{'=' * 5}"),
    _LINE.map(lambda t: f"[^n]: {t}"),
    _LINE.map(lambda t: f"> > {t}"),
    st.tuples(_LINE, _LINE).map(lambda cells: f"{cells[0]} | {cells[1]}\n--- | ---\n{cells[1]} | 3"),
    _LINE.map(lambda t: f"1) {t}"),
    _LINE.map(lambda t: f"    {t}"),
)


@settings(deadline=None)
@given(st.lists(st.tuples(_TIGHT_BLOCK, st.sampled_from(["\n", "\n\n"])), min_size=1, max_size=6))
def test_any_arrangement_of_blocks_renders_like_the_source(blocks: list[tuple[str, str]]) -> None:
    # Blocks with or without a blank line between them: Markdown decides what they are, and the segments follow.
    labels = itertools.count(1)
    body = "".join(block.replace("[^n]", f"[^{next(labels)}]") + separator for block, separator in blocks)
    via_segments, direct, lost = _identity_and_direct(body)
    assert lost == []
    assert normalise(via_segments) == normalise(direct)


def _numbered(number: int, body: str) -> Page:
    return Page(
        f"p{number}", f"content/p{number}.md", "about", "Titre", "Résumé.", datetime.date(2025, 1, 1), None, 0, None,
        (), body, 6,
    )  # fmt: skip


_BODIES = (
    "## Un titre\n\nUn paragraphe\nsur deux lignes.\n\n- Un point\n- Un autre\n",
    "| A | B |\n|---|---|\n| x | 12 |\n\n> Une citation.\n\n[^1]: Une note.\n",
    "Texte *important* et [un lien](https://example.org).\n",
)


def test_pages_segmented_in_processes_are_the_pages_segmented_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes give the same pages, in the same order, and the same problems."""
    started: list[int] = []

    class RecordingPool(ProcessPoolExecutor):
        def __init__(self, workers: int, **kwargs: Any) -> None:
            started.append(workers)
            super().__init__(workers, **kwargs)

    monkeypatch.setattr(segment, "ProcessPoolExecutor", RecordingPool)
    pages = tuple(_numbered(number, _BODIES[number % 3] + f"\nPage {number}.\n") for number in range(60))
    monkeypatch.setattr(segment, "PARALLEL_FROM", 10)
    here = segment.segment_pages(pages)
    assert started == []
    assert segment.segment_pages(pages, workers=2) == here
    assert started == [2]
    assert [found.page.path for found in here] == [page.path for page in pages]
    # Pages with problems (a bidirectional control, a block too deep), anywhere among the others.
    broken = tuple(
        replace(page, body=page.body + ("\nA \u202e B.\n" if number % 7 == 3 else "\n" + "> " * 20 + "x\n"))
        if number % 7 in (3, 5)
        else page
        for number, page in enumerate(pages)
    )
    with pytest.raises(ContentError) as alone:
        segment.segment_pages(broken)
    with pytest.raises(ContentError) as parallel:
        segment.segment_pages(broken, workers=2)
    assert parallel.value.problems == alone.value.problems
    assert len(alone.value.problems) == len([number for number in range(60) if number % 7 in (3, 5)])
