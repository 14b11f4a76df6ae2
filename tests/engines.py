"""Engines for fault injection.

A real engine cannot be made to crash, hang or lose placeholders on demand, so
these stand-ins implement the same small interface (``describe``/``translate``).
Real engines are tested in test_mt_argos.py and test_mt_apertium.py.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence


class ScriptedEngine:
    """Translates with a function of the (protected) text; counts its calls."""

    name = "argos"

    def __init__(self, translate: Callable[[str], str], label: str | None = "scripted fr->xx 1") -> None:
        self.function = translate
        self.label = label
        self.calls: list[list[str]] = []

    def describe(self, source: str, target: str) -> str | None:
        return self.label

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        self.calls.append(list(texts))
        return [self.function(text) for text in texts]


def upper(text: str) -> str:
    """A recognisable 'translation' that keeps placeholders: upper-case outside them."""
    return re.sub(r"[^{}]+(?=\{|$)", lambda match: match.group(0).upper(), text)


def drop_placeholders(text: str) -> str:
    return re.sub(r"\{\d+\}", "", text).upper()


class CrashingEngine(ScriptedEngine):
    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        raise RuntimeError("model file is corrupt")


class HangingEngine(ScriptedEngine):
    """Never answers until the test releases it (no sleep: the build's timeout is what is tested)."""

    def __init__(self, translate: Callable[[str], str], label: str | None = "scripted fr->xx 1") -> None:
        super().__init__(translate, label)
        self.released = threading.Event()

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        self.released.wait()
        return list(texts)
