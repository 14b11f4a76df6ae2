"""Runs of Latin script in right-to-left text are isolated (<bdi>), and nothing else changes."""

from __future__ import annotations

import pytest

from explainer.render.markdown import RenderState, convert, make_markdown


def _html(text: str, isolate: bool = True) -> str:
    converter, extension = make_markdown("back")
    return convert(converter, extension, text, RenderState({}, lambda href: href, isolate_latin=isolate))


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("أعلنت JNIM، في 2017.", "<p>أعلنت <bdi>JNIM</bdi>، في 2017.</p>"),
        ("طائرات Su-25 و Mi-24P.", "<p>طائرات <bdi>Su-25</bdi> و <bdi>Mi-24P</bdi>.</p>"),
        ("قناة France 24 و**RFI** معًا", "<p>قناة <bdi>France 24</bdi> و<strong><bdi>RFI</bdi></strong> معًا</p>"),
        ("[أسيمي Goïta](/x/) قال", '<p><a href="/x/">أسيمي <bdi>Goïta</bdi></a> قال</p>'),
        ("الرمز `code` باق", "<p>الرمز <code>code</code> باق</p>"),
        ("في 19 سبتمبر 2025", "<p>في 19 سبتمبر 2025</p>"),
    ],
)
def test_latin_runs_are_isolated(markdown: str, html: str) -> None:
    assert _html(markdown) == html


def test_left_to_right_text_is_left_alone() -> None:
    assert _html("Le JNIM, en 2017.", isolate=False) == "<p>Le JNIM, en 2017.</p>"
