from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from explainer.model import Page
from explainer.render.markdown import RenderState, convert, make_markdown, mark
from explainer.translate.segment import heading_anchor, normalise, reassemble, segment_page


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
