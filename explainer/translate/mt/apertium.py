"""Apertium, Debian's rule-based engine: real, offline French to Spanish.

Installed with ``apt-get install apertium-fr-es``. Segments are sent in one
run, one per line, and come back in the same order.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from . import EngineError, EngineSpec

# Apertium keeps line structure with the plain-text format; a blank line
# between segments keeps any sentence from running into the next.
_SEPARATOR = "\n\n"


class ApertiumEngine:
    name = "apertium"

    def __init__(self, timeout: float = 300.0) -> None:
        self.timeout = timeout

    def _pair(self, source: str, target: str) -> str:
        return f"{source}-{target}"

    def describe(self, source: str, target: str) -> str | None:
        if shutil.which("apertium") is None:
            return None
        listing = subprocess.run(["apertium", "-l"], capture_output=True, text=True, check=False).stdout
        if self._pair(source, target) not in listing.split():
            return None
        return f"apertium {self._pair(source, target)}"

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        if any("\n" in text for text in texts):
            raise EngineError("apertium: a segment contains a line break")
        try:
            result = subprocess.run(
                ["apertium", "-u", "-f", "txt", self._pair(source, target)],
                input=_SEPARATOR.join(texts) + "\n",
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except FileNotFoundError:
            raise EngineError("apertium is not installed (apt-get install apertium-fr-es)") from None
        except subprocess.TimeoutExpired:
            raise EngineError(f"apertium did not answer within {self.timeout:.0f} s") from None
        if result.returncode != 0:
            raise EngineError(f"apertium failed: {result.stderr.strip() or result.returncode}")
        translated = [part.strip() for part in result.stdout.strip("\n").split(_SEPARATOR)]
        if len(translated) != len(texts):
            raise EngineError(f"apertium returned {len(translated)} segments for {len(texts)}")
        return translated


ENGINE = EngineSpec("apertium", lambda settings: ApertiumEngine())
