"""Approving translations (``python build.py review``): a second person puts a review on record.

Touches no disk: the command reads and writes the PO file.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection
from dataclasses import dataclass

from babel.messages.catalog import Catalog, Message

from ...errors import Problem, ReviewError
from ...model import State
from .pofile import messages_of
from .states import Review, fingerprint, is_review_comment, message_state

_REVIEWER = re.compile(r"^\s*(?P<name>[^<>,]+?)\s*<(?P<email>[^<>\s]+@[^<>\s]+)>\s*$")


def parse_reviewer(text: str) -> tuple[str, str]:
    """``"Name <email>"`` -> (name, email). Raises ``ReviewError`` when it is not of that form."""
    match = _REVIEWER.match(text)
    if match is None:
        raise ReviewError([Problem("--by", 0, f'{text!r} is not a reviewer: write --by "Name <email>"')])
    return match.group("name"), match.group("email")


@dataclass(frozen=True)
class ReviewOutcome:
    """What ``review_catalog`` did: the msgid lines approved, already reviewed, and left alone (and why)."""

    approved: tuple[int, ...]
    already: tuple[int, ...]
    refused: tuple[Problem, ...]


@dataclass(frozen=True)
class ReviewableEntry:
    """An entry of a catalog, with the line of its msgid and its state."""

    line: int
    state: State
    message: Message


_REFUSED = {
    State.MACHINE: "is a machine translation no one has edited: a translator edits it and removes 'fuzzy' first",
    State.STALE: "is outdated (the French changed): a translator updates it and removes 'fuzzy' first",
    State.MISSING: "has no translation to review",
}


def reviewable_entries(catalog: Catalog) -> list[ReviewableEntry]:
    """Every entry of ``catalog`` with its msgid line and state, in file order."""
    return [
        ReviewableEntry(message.lineno or 0, message_state(message), message)
        for message in messages_of(catalog)
        if message.id and isinstance(message.id, str)
    ]


def review_catalog(
    catalog: Catalog, shown: str, name: str, email: str, date: datetime.date, lines: Collection[int] | None
) -> ReviewOutcome:
    """Record ``name <email>`` as the reviewer, on ``date``, of the entries whose msgid is on one of
    ``lines`` (every translated entry when ``lines`` is None). Only translations by a person
    (``translated``) can be approved: machine, stale and empty entries are refused, each with its
    reason; an entry already reviewed keeps its reviewer. Changes ``catalog`` in place.

    Raises ``ReviewError`` when a line asked for is not the msgid line of an entry.
    """
    entries = reviewable_entries(catalog)
    if lines is not None:
        unknown = sorted(set(lines) - {entry.line for entry in entries})
        if unknown:
            raise ReviewError(
                [Problem(shown, line, "no entry starts here: give the line of an entry's msgid") for line in unknown]
            )
    approved: list[int] = []
    already: list[int] = []
    refused: list[Problem] = []
    for entry in entries:
        message = entry.message
        if lines is not None and entry.line not in lines:
            continue
        if entry.state is State.REVIEWED:
            already.append(entry.line)
        elif entry.state is State.TRANSLATED:
            review = Review(name, email, date, fingerprint(str(message.id), str(message.string)))
            message.user_comments = [c for c in message.user_comments if not is_review_comment(c)]
            message.user_comments.append(review.comment())
            approved.append(entry.line)
        else:
            refused.append(Problem(shown, entry.line, f"not approved: this entry {_REFUSED[entry.state]}"))
    return ReviewOutcome(tuple(approved), tuple(already), tuple(refused))
