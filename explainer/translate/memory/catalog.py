"""One page's memory as a catalog: its entries, kept in step with the French, and the text of each segment.

Touches no disk.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from babel.messages.catalog import Catalog, Message

from ...config import babel_locale
from ...model import Rendition, SegmentedPage, State
from .pofile import header_date, messages_of
from .states import Review, is_review_comment, machine_engine, message_review, message_state, settle_reviews

# How alike the new French must be to a vanished entry to count as its revision.
STALE_SIMILARITY = 0.6


@dataclass(frozen=True)
class Entry:
    """One memory entry as read from a PO file."""

    msgid: str
    msgstr: str
    state: State
    line: int
    engine: str | None = None
    review: Review | None = None


def entries_of(catalog: Catalog | None) -> dict[str, Entry]:
    """The usable entries of one page's memory, keyed by French text."""
    entries: dict[str, Entry] = {}
    if catalog is None:
        return entries
    for message in messages_of(catalog):
        if not message.id or not isinstance(message.id, str) or not isinstance(message.string, str):
            continue
        state = message_state(message)
        engine = machine_engine(message) if state is State.MACHINE else None
        review = message_review(message) if state is State.REVIEWED else None
        entries[message.id] = Entry(message.id, message.string, state, message.lineno or 0, engine, review)
    return entries


def needs_machine(catalog: Catalog) -> list[str]:
    """French texts with no translation, or only an old one (stale, not yet machine-translated)."""
    return [
        str(message.id)
        for message in messages_of(catalog)
        if message.id and message_state(message) in (State.MISSING, State.STALE)
    ]


def resolve(segmented: SegmentedPage, entries: dict[str, Entry]) -> tuple[Rendition, ...]:
    """Pick the text of every segment: the memory's, or the French as fallback."""
    renditions: list[Rendition] = []
    for segment in segmented.segments:
        entry = entries.get(segment.text)
        if entry is None or entry.state is State.MISSING:
            renditions.append(Rendition(segment.text, State.MISSING))
        else:
            review = entry.review
            renditions.append(
                Rendition(
                    # One line, as the French segment is: a translation's newlines cannot start new blocks.
                    " ".join(entry.msgstr.split()),
                    entry.state,
                    entry.engine,
                    reviewer=review.name if review else None,
                    reviewed_on=review.date if review else None,
                )
            )
    return tuple(renditions)


def _closest(text: str, candidates: list[Message]) -> Message | None:
    """The vanished entry whose French is most like ``text``, if close enough to be its old version."""
    best: tuple[float, str, Message] | None = None
    for candidate in candidates:
        matcher = difflib.SequenceMatcher(None, str(candidate.id), text, autojunk=False)
        if matcher.real_quick_ratio() < STALE_SIMILARITY or matcher.quick_ratio() < STALE_SIMILARITY:
            continue
        ratio = matcher.ratio()
        if ratio >= STALE_SIMILARITY and (best is None or (ratio, str(candidate.id)) > best[:2]):
            best = (ratio, str(candidate.id), candidate)
    return best[2] if best else None


def updated_catalog(existing: Catalog | None, segmented: SegmentedPage, language: str) -> Catalog:
    """Return the catalog for a page with one entry per French segment.

    Known entries keep their translation and flags, also from the obsolete section (an
    edit undone brings its reviewed translation back). New French text that is a
    revision of a vanished entry becomes *stale*: the old translation, ``fuzzy``,
    and the old French as ``#| msgid``. Other new text gets an empty entry.
    Entries whose French is gone move to the obsolete section, never into the
    void. Entries follow the page's order, so a file changes only where the page does.
    """
    title = segmented.page.title
    catalog = Catalog(
        locale=babel_locale(language),
        header_comment=f"# {language} translation of {segmented.page.source_file} ({title}).\n#",
        project="explainer",
        version=None,
        charset="utf-8",
        fuzzy=False,
        creation_date=existing.creation_date if existing else header_date(),
        revision_date=existing.revision_date if existing else header_date(),
        last_translator=existing.last_translator if existing else "FULL NAME <EMAIL@ADDRESS>",
        language_team=existing.language_team if existing else f"{language} <LL@li.org>",
    )
    kept = set(segmented.unique_texts)
    vanished = [m for m in messages_of(existing) if m.id and m.id not in kept and m.string] if existing else []
    location = segmented.page.source_file
    for text in segmented.unique_texts:
        old = existing.get(text) if existing else None
        if old is None and existing is not None and existing.obsolete.get(text) is not None:
            old = existing.obsolete[text]  # French put back as it was (an edit undone): its translation returns
        message = Message(text, string="", locations=[(location, None)])  # type: ignore[list-item]
        # Babel guesses "python-format" from any '%' in the text; content is not a format string,
        # and the flag would make PO editors check it as one.
        message.flags.discard("python-format")
        if old is not None:
            message.string = old.string
            message.flags = set(old.flags) - {"python-format"}
            message.auto_comments = list(old.auto_comments)
            message.user_comments = list(old.user_comments)
            message.previous_id = list(old.previous_id)
        else:
            revised = _closest(text, vanished)
            if revised is not None:
                vanished.remove(revised)
                message.string = revised.string
                message.flags = {"fuzzy"}
                message.previous_id = [str(revised.id)]
                # The review was of the old French: the stale entry does not inherit it.
                message.user_comments = [c for c in revised.user_comments if not is_review_comment(c)]
        settle_reviews(message)
        catalog[text] = message
    if existing is not None:
        gone = [m for m in messages_of(existing) if m.id and m.id not in kept and m.string]
        gone += [m for m in existing.obsolete.values() if m.id not in kept and m.string]
        for message in sorted(gone, key=lambda m: str(m.id)):
            message.locations = []
            catalog.obsolete[str(message.id)] = message
    return catalog
