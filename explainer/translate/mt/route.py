"""Routes: how a language pair is machine translated, directly or through a pivot language.

A route is one or more legs (``fr->en``, then ``en->ar``), each a model with a
version. Its label is what the memory records (``#. machine: argos fr->en 1.9,
en->ar 1.0``) and what readers are shown, so the pivot can be read back from
the label alone. Nothing here touches disk or imports an engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_PIVOT = "en"

_LEG = re.compile(r"(?<![\w-])([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)->([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\b")


@dataclass(frozen=True)
class Leg:
    """One model of a route: ``source -> target`` at ``version`` ('' when unknown)."""

    source: str
    target: str
    version: str = ""

    @property
    def pair(self) -> str:
        return f"{self.source}->{self.target}"

    def __str__(self) -> str:
        return f"{self.pair} {self.version}".rstrip()


@dataclass(frozen=True)
class Route:
    """The legs an engine takes from the source language to the target language."""

    engine: str
    legs: tuple[Leg, ...]

    @property
    def pivots(self) -> tuple[str, ...]:
        """The languages passed through on the way (empty for a direct route)."""
        return tuple(leg.target for leg in self.legs[:-1])

    @property
    def label(self) -> str:
        """``argos fr->en 1.9, en->ar 1.0``: the engine, then every leg with its model version."""
        return f"{self.engine} " + ", ".join(str(leg) for leg in self.legs)

    @property
    def summary(self) -> str:
        """``fr->ar via en`` or ``fr->en direct``: the shape of the route, without versions."""
        first, last = self.legs[0], self.legs[-1]
        if not self.pivots:
            return f"{first.source}->{last.target} direct"
        return f"{first.source}->{last.target} via {', '.join(self.pivots)}"


def pivots_of(label: str) -> tuple[str, ...]:
    """The pivot languages named in a recorded engine label (empty for a direct route).

    ``argos fr->en 1.9, en->ar 1.0`` -> ``("en",)``; ``argos fr->en 1.9`` -> ``()``.
    """
    legs = _LEG.findall(label)
    return tuple(target for _, target in legs[:-1])
