"""Machine translation behind one small interface: a batch of strings, a language pair.

Engines: ``argos`` (the argostranslate API and CTranslate2), ``apertium``
(Debian's rule-based engine, French to Spanish) and ``none``. Heavy imports
happen only when an engine is used, never at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ...errors import ExplainerError

ENGINES = ("argos", "apertium", "none")


class EngineError(ExplainerError):
    """An engine failed: not installed, no model for the pair, or it crashed."""


class Engine(Protocol):
    """What every engine provides."""

    name: str

    def describe(self, source: str, target: str) -> str | None:
        """A label naming the engine, the route and the models for ``source -> target``
        (written into the memory as ``#. machine: <label>``, e.g. ``argos fr->en 1.9,
        en->ar 1.0`` through English), or None if the pair is unavailable."""

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """Translate every text in one batch; the result has the same length and order.

        Raises ``EngineError`` if the engine cannot run.
        """


class NoEngine:
    """The memory alone: nothing is machine translated."""

    name = "none"

    def describe(self, source: str, target: str) -> str | None:
        return None

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        raise EngineError("no machine translation engine is configured")


def make_engine(name: str, models_dir: Path, threads: int | None = None, pivot: str = "en") -> Engine:
    """The engine called ``name``; nothing heavy is imported until it translates.

    ``pivot`` is the language the argos engine goes through for a pair it has no direct model for.
    """
    if name == "argos":
        from .argos import ArgosEngine

        return ArgosEngine(models_dir, threads, pivot)
    if name == "apertium":
        from .apertium import ApertiumEngine

        return ApertiumEngine()
    if name == "none":
        return NoEngine()
    raise EngineError(f"unknown engine '{name}'; use one of: {', '.join(ENGINES)}")
