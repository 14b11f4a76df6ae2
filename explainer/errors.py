"""Every exception the generator raises on purpose.

An ``ExplainerError`` is a problem the user can fix (content, configuration,
translation memory, templates). The CLI prints it without a traceback and
exits 1. Anything else is a bug in the generator and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath


class ExplainerError(Exception):
    """Base class for errors an editor or translator can act on."""


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem: ``path:line: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}"


class ProblemsError(ExplainerError):
    """Several located problems, reported together, sorted by place."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(sorted(set(problems)))
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def __reduce__(self) -> tuple[type[ProblemsError], tuple[tuple[Problem, ...]]]:
        # Pickled (from a worker process) by its problems, not by its message: it comes back whole.
        return (type(self), (self.problems,))


class ConfigError(ProblemsError):
    """The site configuration is invalid."""


class ContentError(ProblemsError):
    """A content file is invalid."""


class TranslationMemoryError(ProblemsError):
    """A translation-memory (PO) file is invalid."""


class ReviewError(ProblemsError):
    """A review could not be recorded (an unknown entry, a reviewer not written as ``Name <email>``)."""


class TemplateError(ProblemsError):
    """A template failed to compile or render."""


class FontError(ProblemsError):
    """A web font could not be read or subset."""


class CheckError(ProblemsError):
    """The built site failed a check (links, anchors, leftovers)."""


class BuildLockedError(ExplainerError):
    """Another build of the same project is running."""


class WriteError(ExplainerError):
    """The output could not be written; the previous site is untouched."""


def relative(path: object, root: object) -> str:
    """Return ``path`` relative to ``root`` in POSIX form, for messages."""
    text, prefix = str(path), str(root).rstrip("/") + "/"
    if text.startswith(prefix) and "/./" not in text and "/../" not in text:
        return text[len(prefix) :]  # the common case, without pathlib (a build makes thousands)
    try:
        return str(PurePosixPath(str(path)).relative_to(str(root)))
    except ValueError:
        return str(path)


def count(number: int, singular: str, plural: str | None = None) -> str:
    """``1 segment``, ``2 segments``: a number and its noun, by CLDR's plural rule for English
    (the language of the command line's messages)."""
    from babel import Locale

    word = singular if Locale("en").plural_form(number) == "one" else (plural or singular + "s")
    return f"{number:,} {word}"
