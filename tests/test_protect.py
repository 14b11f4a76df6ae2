from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer.translate.protect import PlaceholderError, protect, restore
from explainer.translate.segment import normalise

TERMS = {"JNIM": "JNIM", "Bamako": "باماكو", "Convention de Vienne": "Vienna Convention"}


def test_markup_numbers_and_terms_become_placeholders() -> None:
    protected = protect("Le **JNIM** bloque [la route](/news/#a) depuis 2025.[^1] Voir `x{y}`.", TERMS)
    assert protected.text == "Le {1}{2}{3} bloque {4}la route{5} depuis {6}.{7} Voir {8}."
    assert protected.replacements == ("**", "JNIM", "**", "[", "](/news/#a)", "2025", "[^1]", "`x{y}`")


def test_terms_are_restored_in_the_target_form() -> None:
    protected = protect("La Convention de Vienne protège un diplomate à Bamako.", TERMS)
    assert restore("The {1} protects a diplomat in {2}.", protected) == (
        "The Vienna Convention protects a diplomat in باماكو."
    )


@pytest.mark.parametrize(
    "output",
    ["Le bloque la route.", "Le {1}{1}{2}{3} bloque {4}la route{5}.", "Le {1}{2}{3} bloque {4}la route{5} {9}."],
)
def test_lost_repeated_or_invented_placeholders_are_refused(output: str) -> None:
    protected = protect("Le **JNIM** bloque [la route](/news/).", TERMS)
    with pytest.raises(PlaceholderError):
        restore(output, protected)


def test_spaces_machine_translation_puts_in_placeholders_are_tolerated() -> None:
    protected = protect("Voir [la source](https://example.org/).")
    assert restore("See { 1 }the source{2 } .", protected) == "See [the source](https://example.org/)."


def test_without_markup_the_link_text_stays_and_the_target_goes() -> None:
    protected = protect("Le **JNIM** bloque [la route](/news/).", TERMS, keep_markup=False)
    assert protected.text == "Le {1} bloque la route."


_WORD = st.text(alphabet="abcdeéàç", min_size=1, max_size=8)
_PIECE = st.one_of(
    _WORD,
    _WORD.map(lambda w: f"**{w}**"),
    _WORD.map(lambda w: f"*{w}*"),
    _WORD.map(lambda w: f"[{w}](https://example.org/{w})"),
    st.integers(0, 99999).map(str),
    st.sampled_from(["JNIM", "Bamako", "Convention de Vienne", "[^1]", "`code`", "{", "}", ",", "."]),
)
_TEXT = st.lists(_PIECE, min_size=1, max_size=12).map(" ".join)


@settings(deadline=None)
@given(_TEXT)
def test_identity_translation_round_trips(text: str) -> None:
    protected = protect(text, {"JNIM": "JNIM", "Bamako": "Bamako", "Convention de Vienne": "Convention de Vienne"})
    assert restore(protected.text, protected) == normalise(text)


@settings(deadline=None)
@given(_TEXT)
def test_protected_text_has_no_markup_or_digits_left(text: str) -> None:
    protected = protect(text, TERMS)
    outside = re.sub(r"\{\d+\}", "", protected.text)
    assert not re.search(r"[*`\[\]{}()0-9]|\]\(", outside)
    assert "JNIM" not in outside and "Bamako" not in outside
