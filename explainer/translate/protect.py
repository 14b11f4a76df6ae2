"""Placeholders: keep inline markup, numbers and names intact through MT. Pure.

Before machine translation, everything a machine must not touch becomes a
numbered placeholder ``{1}``, ``{2}``...: footnote references, link targets,
emphasis marks, code, numbers, names that are never translated and terms with
a fixed translation. After translation every placeholder must come back
exactly once; ``restore`` refuses anything else, so a raw placeholder is never
published.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import ExplainerError
from ..grammar import FOOTNOTE_REFERENCE, PLACEHOLDER, PLACEHOLDER_BEFORE_PUNCTUATION, placeholder

__all__ = ["PLACEHOLDER", "PlaceholderError", "Protected", "protect", "restore"]

_NUMBER = re.compile(r"(?<![\w{])\d+(?:[.,]\d+)*(?![\w}])")


class PlaceholderError(ExplainerError):
    """A translation lost, duplicated or invented a placeholder."""


@dataclass(frozen=True)
class Protected:
    """Text ready for MT, and what each placeholder stands for."""

    text: str
    replacements: tuple[str, ...]  # replacements[n - 1] is the text of {n}


def _markup_patterns(keep_markup: bool) -> list[tuple[re.Pattern[str], str]]:
    """(pattern, kind) pairs, tried in order; the earliest match wins."""
    patterns = [
        (re.compile(r"`+[^`]*`+"), "whole"),  # code spans stay as they are
        (FOOTNOTE_REFERENCE, "whole"),  # footnote references
    ]
    if keep_markup:
        patterns += [
            (re.compile(r"!?\[(?=[^\]]*\]\([^)\s]*\))"), "open"),  # link or image text starts
            (re.compile(r"\]\([^)\s]*\)"), "whole"),  # link target
            (re.compile(r"\*\*|__|\*|_(?=\w)|(?<=\w)_"), "whole"),  # emphasis marks
        ]
    else:
        patterns += [
            (re.compile(r"!?\[(?=[^\]]*\]\([^)\s]*\))"), "drop"),
            (re.compile(r"\]\([^)\s]*\)"), "drop"),
            (re.compile(r"\*\*|__|\*"), "drop"),
        ]
    patterns.append((re.compile(r"[{}]"), "whole"))  # literal braces must not look like placeholders
    return patterns


def protect(text: str, terms: Mapping[str, str] | None = None, keep_markup: bool = True) -> Protected:
    """Replace markup, numbers and glossary ``terms`` with placeholders.

    ``terms`` maps a French name or term to its form in the target language
    (the same text for a name that is never translated): the placeholder is
    restored as that form. With ``keep_markup=False``,
    links and emphasis are removed instead (the text of a link is kept), for a
    second attempt when MT mangled the markup.
    """
    spans: list[tuple[int, int, str]] = []  # start, end, replacement ("" = drop)
    taken = [False] * len(text)

    def claim(start: int, end: int, replacement: str | None) -> None:
        if any(taken[start:end]):
            return
        for position in range(start, end):
            taken[position] = True
        spans.append((start, end, text[start:end] if replacement is None else replacement))

    for pattern, kind in _markup_patterns(keep_markup):
        for match in pattern.finditer(text):
            claim(match.start(), match.end(), "" if kind == "drop" else None)
    # Longest names first, so "État islamique au Sahel" wins over "Sahel".
    for source, target in sorted((terms or {}).items(), key=lambda pair: -len(pair[0])):
        for match in re.finditer(rf"(?<!\w){re.escape(source)}(?!\w)", text):
            claim(match.start(), match.end(), target)
    for match in _NUMBER.finditer(text):
        claim(match.start(), match.end(), None)

    pieces: list[str] = []
    replacements: list[str] = []
    position = 0
    for start, end, replacement in sorted(spans):
        pieces.append(text[position:start])
        if replacement:
            replacements.append(replacement)
            pieces.append(placeholder(len(replacements)))
        position = end
    pieces.append(text[position:])
    return Protected(" ".join("".join(pieces).split()), tuple(replacements))


def restore(translated: str, protected: Protected) -> str:
    """Put back what the placeholders stand for.

    Raises ``PlaceholderError`` unless every placeholder appears exactly once
    and no unknown one appears.
    """
    found = [int(number) for number in PLACEHOLDER.findall(translated)]
    expected = list(range(1, len(protected.replacements) + 1))
    if sorted(found) != expected:
        missing = sorted(set(expected) - set(found))
        extra = sorted(number for number in set(found) if found.count(number) > 1 or number not in expected)
        raise PlaceholderError(f"placeholders lost {missing} or repeated/unknown {extra}")
    # MT tends to put a space between a placeholder and the punctuation after it;
    # take it out where the French had none.
    tight = {match.group(1) for match in PLACEHOLDER_BEFORE_PUNCTUATION.finditer(protected.text) if not match.group(2)}
    tidied = PLACEHOLDER_BEFORE_PUNCTUATION.sub(
        lambda match: placeholder(match.group(1)) if match.group(1) in tight and match.group(2) else match.group(0),
        translated,
    )
    restored = PLACEHOLDER.sub(lambda match: protected.replacements[int(match.group(1)) - 1], tidied)
    return " ".join(restored.split())
