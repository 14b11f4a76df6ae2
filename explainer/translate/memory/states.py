"""The state of a memory entry, in standard PO terms, and the records that decide it.

- translated: no ``fuzzy`` flag and a translation (a person wrote or post-edited it);
- reviewed: translated, and approved by a reviewer on record in a translator
  comment ``# reviewed-by: Name <email>, YYYY-MM-DD, sha256:<fingerprint>``; the
  fingerprint is of the French and the translation approved, so an entry whose
  ``msgid`` or ``msgstr`` changed since is no longer reviewed (and the comment is
  dropped when the file is next written);
- machine: ``fuzzy`` and an extracted comment ``machine: <engine>``;
- stale: ``fuzzy`` and the previous French kept as ``#| msgid``
  (a ``fuzzy`` entry without either is treated as stale too: it needs review);
- missing: no entry, or an empty translation.

Touches no disk.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from babel.messages.catalog import Message

from ...fsutil import sha256_hex
from ...model import State

MACHINE_COMMENT = "machine:"
REVIEW_COMMENT = "reviewed-by:"
_REVIEW = re.compile(
    r"reviewed-by:\s*(?P<name>[^<>,]*?)\s*<(?P<email>[^<>\s]+@[^<>\s]+)>\s*,\s*(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:\s*,\s*sha256:(?P<fingerprint>[0-9a-f]{12}))?\s*$"
)
REVIEW_FORM = "reviewed-by: Name <email>, YYYY-MM-DD"


@dataclass(frozen=True)
class Review:
    """An approval on record in a PO entry: who, when, and of which text."""

    name: str
    email: str
    date: datetime.date
    fingerprint: str | None  # None until the file is next written (a review added by hand)

    def comment(self) -> str:
        sealed = f", sha256:{self.fingerprint}" if self.fingerprint else ""
        return f"{REVIEW_COMMENT} {self.name} <{self.email}>, {self.date.isoformat()}{sealed}"


def fingerprint(msgid: str, msgstr: str) -> str:
    """What a review approves: the French and its translation, hashed (12 hex digits)."""
    return sha256_hex(f"{msgid}\0{msgstr}")[:12]


def parse_review(comment: str) -> Review | None:
    """The review recorded by a translator comment, or None if it is not one (or malformed)."""
    match = _REVIEW.match(comment.strip())
    if match is None or not match.group("name"):
        return None
    try:
        date = datetime.date.fromisoformat(match.group("date"))
    except ValueError:
        return None
    return Review(match.group("name"), match.group("email"), date, match.group("fingerprint"))


def is_review_comment(comment: str) -> bool:
    return comment.strip().startswith(REVIEW_COMMENT)


def message_review(message: Message) -> Review | None:
    """The review on record that still holds for ``message``: one whose fingerprint matches
    its French and translation (or a review added by hand, not yet sealed), on a translation
    that is neither empty nor fuzzy. The last one, if several are on record."""
    if not message.string or message.fuzzy or not isinstance(message.string, str):
        return None
    reviews = [review for comment in message.user_comments if (review := _review_on_record(comment)) is not None]
    if not reviews:
        return None  # most entries: nothing to hash
    current = fingerprint(str(message.id), message.string)
    valid = None
    for review in reviews:
        if review.fingerprint in (None, current):
            valid = review
    return valid


def _review_on_record(comment: str) -> Review | None:
    return parse_review(comment) if is_review_comment(comment) else None


def settle_reviews(message: Message) -> None:
    """Keep only the reviews that still hold, sealed with the fingerprint of what they approved;
    drop those whose text changed (or that are malformed), so the file never claims a review
    the entry no longer has."""
    review = message_review(message)
    kept = [comment for comment in message.user_comments if not is_review_comment(comment)]
    if review is not None:
        sealed = Review(review.name, review.email, review.date, fingerprint(str(message.id), str(message.string)))
        kept.append(sealed.comment())
    message.user_comments = kept


def malformed_reviews(message: Message) -> list[str]:
    """The ``reviewed-by`` comments of ``message`` that do not read as a review."""
    return [c for c in message.user_comments if is_review_comment(c) and parse_review(c) is None]


def message_state(message: Message) -> State:
    """The state of a PO entry."""
    if not message.string:
        return State.MISSING
    if not message.fuzzy:
        return State.REVIEWED if message_review(message) is not None else State.TRANSLATED
    # A machine translation of the current French (even of a revised entry) is "machine";
    # any other fuzzy entry (an old translation of changed French) is "stale".
    return State.MACHINE if machine_engine(message) is not None else State.STALE


def machine_engine(message: Message) -> str | None:
    """The engine (route and models) named by the entry's ``#. machine:`` comment, if it has one."""
    for comment in message.auto_comments:
        if comment.startswith(MACHINE_COMMENT):
            return comment[len(MACHINE_COMMENT) :].strip()
    return None


def set_machine_translation(message: Message, text: str, label: str) -> None:
    """Record a machine translation: ``fuzzy`` and ``#. machine: <label>``.

    A stale entry keeps its ``#| msgid`` so a translator sees what changed in
    the French; its old human translation stays in the obsolete section.
    """
    message.string = text
    message.flags = set(message.flags) | {"fuzzy"}
    message.user_comments = [c for c in message.user_comments if not is_review_comment(c)]
    message.auto_comments = [c for c in message.auto_comments if not c.startswith(MACHINE_COMMENT)]
    message.auto_comments.append(f"{MACHINE_COMMENT} {label}")
