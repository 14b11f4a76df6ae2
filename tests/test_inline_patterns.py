"""Converters without the inline patterns a text cannot use (``grammar.markdown.without_unused_patterns``),
as the renderer and the markup rule make them: the HTML is the HTML of the whole set-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explainer.build import build
from explainer.config import load_config
from explainer.grammar import INLINE_TRIGGERS
from explainer.grammar.markdown import new_markdown, without_unused_patterns
from explainer.render import renderer
from tests.project import make_project, tree
from tests.test_markup_elements import _PIECES, EXAMPLES
from tests.test_segcache import TRICKY


@EXAMPLES
@given(st.lists(_PIECES, min_size=1, max_size=16).map("".join))
def test_a_converter_without_the_patterns_a_text_cannot_use_writes_the_same_html(text: str) -> None:
    present = INLINE_TRIGGERS.intersection(text)
    assert without_unused_patterns(new_markdown(), present).convert(text) == new_markdown().convert(text)


def test_patterns_are_left_out_only_where_their_characters_are_missing() -> None:
    plain = without_unused_patterns(new_markdown(), frozenset())
    kept = {name for name in ("link", "reference", "em_strong", "entity", "backtick") if name in plain.inlinePatterns}
    assert kept == set()
    assert "linebreak" in plain.inlinePatterns  # not one of those that need a character: kept
    linked = without_unused_patterns(new_markdown(), frozenset("[*"))
    assert all(name in linked.inlinePatterns for name in ("link", "reference", "footnote", "em_strong"))
    assert "image_link" not in linked.inlinePatterns and "entity" not in linked.inlinePatterns


def test_the_site_rendered_without_unused_patterns_is_the_site_rendered_with_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sites, left_out = [], []
    leave_out = renderer.without_unused_patterns

    def recorded(converter: Any, present: frozenset[str]) -> Any:
        every = len(converter.inlinePatterns)
        converter = leave_out(converter, present)
        left_out.append(every - len(converter.inlinePatterns))
        return converter

    for name, making in (("without", recorded), ("with-all", lambda converter, present: converter)):
        monkeypatch.setattr(renderer, "without_unused_patterns", making)
        project = make_project(tmp_path / name)
        (project / "content" / "tricky.md").write_text(TRICKY, encoding="utf-8")
        build(load_config(project), use_machine=False, jobs=1, cache=False)
        sites.append(tree(project / "site"))
    assert sites[0] == sites[1]
    assert left_out and min(left_out) > 0  # every converter the build made lacked some pattern
