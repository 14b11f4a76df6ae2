"""The translation memory: one PO file per page per language, under ``i18n/``.

Reads and writes ``i18n/<lang>/content/<page>.po`` through Babel's
``read_po``/``write_po``. Provenance is kept in standard PO terms:

- reviewed: no ``fuzzy`` flag and a translation;
- machine: ``fuzzy`` and an extracted comment ``machine: <engine>``;
- stale: ``fuzzy`` and the previous French kept as ``#| msgid``
  (a ``fuzzy`` entry without either is treated as stale too: it needs review);
- missing: no entry, or an empty translation.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, unescape, write_po

from .errors import Problem, TranslationMemoryError, relative
from .model import Rendition, SegmentedPage, State

MACHINE_COMMENT = "machine:"
# PO headers carry dates; a fixed one keeps new files identical from run to run.
FIXED_DATE = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Entry:
    """One memory entry as read from a PO file."""

    msgid: str
    msgstr: str
    state: State
    line: int
    engine: str | None = None


def memory_path(i18n_dir: Path, language: str, page_path: str) -> Path:
    """Where the memory of ``page_path`` in ``language`` lives."""
    return i18n_dir / language / "content" / f"{page_path or 'index'}.po"


def _state(message: Message) -> tuple[State, str | None]:
    if not message.string:
        return State.MISSING, None
    if not message.fuzzy:
        return State.REVIEWED, None
    if message.previous_id:
        return State.STALE, None
    for comment in message.auto_comments:
        if comment.startswith(MACHINE_COMMENT):
            return State.MACHINE, comment[len(MACHINE_COMMENT) :].strip()
    return State.STALE, None


def read_catalog(path: Path, root: Path, language: str) -> Catalog | None:
    """Read a PO file with Babel; ``None`` if it does not exist.

    Raises ``TranslationMemoryError`` naming the file and line on a syntax error.
    """
    if not path.exists():
        return None
    shown = relative(path, root)
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language.replace("-", "_"), abort_invalid=True)
    except PoFileError as error:
        line = getattr(error, "lineno", 0) or 0
        reason = re.sub(r" on \d+$", "", str(error))
        raise TranslationMemoryError(
            [Problem(shown, line, f"invalid PO file: {reason}; fix it in a PO editor or restore it from git")]
        ) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise TranslationMemoryError([Problem(shown, 0, f"cannot read PO file: {error}")]) from None
    for message in catalog:
        _restore_previous(message)
    for message in catalog.obsolete.values():
        _restore_previous(message)
    return catalog


def _restore_previous(message: Message) -> None:
    """Move ``#| msgid`` lines into ``previous_id``.

    Babel writes previous msgids but reads them back as user comments
    ('| msgid "..."'); without this, stale entries would lose their old French.
    """
    previous: list[str] = []
    kept: list[str] = []
    for comment in message.user_comments:
        if comment.startswith("| msgid "):
            previous.append(unescape(comment[len("| msgid ") :].strip()))
        elif comment.startswith('| "') and previous:
            previous[-1] += unescape(comment[2:].strip())
        elif comment.startswith("| msgid_plural "):
            previous.append(unescape(comment[len("| msgid_plural ") :].strip()))
        else:
            kept.append(comment)
    if previous:
        message.previous_id = previous
        message.user_comments = kept


def entries_of(catalog: Catalog | None) -> dict[str, Entry]:
    """The usable entries of one page's memory, keyed by French text."""
    entries: dict[str, Entry] = {}
    if catalog is None:
        return entries
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or not isinstance(message.string, str):
            continue
        state, engine = _state(message)
        entries[message.id] = Entry(message.id, message.string, state, message.lineno or 0, engine)
    return entries


def resolve(segmented: SegmentedPage, entries: dict[str, Entry]) -> tuple[Rendition, ...]:
    """Pick the text of every segment: the memory's, or the French as fallback."""
    renditions: list[Rendition] = []
    for segment in segmented.segments:
        entry = entries.get(segment.text)
        if entry is None or entry.state is State.MISSING:
            renditions.append(Rendition(segment.text, State.MISSING))
        else:
            renditions.append(Rendition(entry.msgstr, entry.state, entry.engine))
    return tuple(renditions)


def updated_catalog(existing: Catalog | None, segmented: SegmentedPage, language: str) -> Catalog:
    """Return the catalog for a page with one entry per French segment.

    Known entries keep their translation and flags; new French text gets an
    empty entry; entries whose French is gone move to the obsolete section.
    Entries follow the page's order, so a file changes only where the page does.
    """
    title = segmented.page.title
    catalog = Catalog(
        locale=language.replace("-", "_"),
        header_comment=f"# {language} translation of {segmented.page.source_file} ({title}).\n#",
        project="explainer",
        version=None,
        charset="utf-8",
        fuzzy=False,
        creation_date=existing.creation_date if existing else FIXED_DATE,
        revision_date=existing.revision_date if existing else FIXED_DATE,
        last_translator=existing.last_translator if existing else "FULL NAME <EMAIL@ADDRESS>",
        language_team=existing.language_team if existing else f"{language} <LL@li.org>",
    )
    location = segmented.page.source_file
    for text in segmented.unique_texts:
        old = existing.get(text) if existing else None
        message = Message(text, string="", locations=[(location, None)])  # type: ignore[list-item]
        if old is not None:
            message.string = old.string
            message.flags = set(old.flags)
            message.auto_comments = list(old.auto_comments)
            message.user_comments = list(old.user_comments)
            message.previous_id = list(old.previous_id)
        catalog[text] = message
    if existing is not None:
        kept = set(segmented.unique_texts)
        gone = [m for m in list(existing) if m.id and m.id not in kept and m.string]
        gone += [m for m in existing.obsolete.values() if m.id not in kept and m.string]
        for message in sorted(gone, key=lambda m: str(m.id)):
            message.locations = []
            catalog.obsolete[str(message.id)] = message
    return catalog


def render_catalog(catalog: Catalog) -> bytes:
    """The exact bytes of a PO file, as written by Babel."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, include_previous=True, include_lineno=False)
    return buffer.getvalue()


def write_atomic(path: Path, content: bytes) -> bool:
    """Write ``content`` to ``path`` through a temporary file and a rename.

    Returns False (and writes nothing) when the file already holds ``content``.
    """
    if path.exists() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
