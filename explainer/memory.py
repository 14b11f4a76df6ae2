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
import difflib
import io
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, unescape, write_po

from .errors import Problem, TranslationMemoryError, relative
from .fsutil import new_file_mode
from .model import Rendition, SegmentedPage, State

MACHINE_COMMENT = "machine:"
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
NO_WRAP = 1 << 30
# How alike the new French must be to a vanished entry to count as its revision.
STALE_SIMILARITY = 0.6


def header_date() -> datetime.datetime:
    """The date written in the header of a new PO file: ``SOURCE_DATE_EPOCH`` when set,
    else a fixed date, so that new files are identical from run to run."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    return datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Entry:
    """One memory entry as read from a PO file."""

    msgid: str
    msgstr: str
    state: State
    line: int
    engine: str | None = None


def memory_file(i18n_dir: Path | str, language: str, page_path: str) -> str:
    """Where the memory of ``page_path`` in ``language`` lives (a string: the build
    computes thousands of these to find what changed)."""
    return f"{i18n_dir}/{language}/content/{page_path or 'index'}.po"


def memory_path(i18n_dir: Path, language: str, page_path: str) -> Path:
    """Where the memory of ``page_path`` in ``language`` lives."""
    return Path(memory_file(i18n_dir, language, page_path))


def message_state(message: Message) -> tuple[State, str | None]:
    """The state of a PO entry, and the engine of a machine translation."""
    if not message.string:
        return State.MISSING, None
    if not message.fuzzy:
        return State.REVIEWED, None
    # A machine translation of the current French (even of a revised entry) is "machine";
    # any other fuzzy entry (an old translation of changed French) is "stale".
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
    return parse_catalog(path.read_bytes(), relative(path, root), language)


def parse_catalog(content: bytes, shown: str, language: str) -> Catalog:
    """Parse the bytes of a PO file (``shown`` in messages); see ``read_catalog``."""
    try:
        catalog = read_po(io.BytesIO(content), locale=language.replace("-", "_"), abort_invalid=True)
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


def _po_strings(text: str) -> str:
    """Join the quoted PO strings in ``text`` (``"a" "b"`` -> ``ab``), unescaped."""
    return "".join(unescape(f'"{part}"') for part in _QUOTED.findall(text))


def _restore_previous(message: Message) -> None:
    """Move ``#| msgid`` lines into ``previous_id``.

    Babel writes previous msgids but reads them back as user comments
    ('| msgid "..."'), sometimes with several quoted strings on one line;
    without this, stale entries would lose their old French.
    """
    previous: list[str] = []
    kept: list[str] = []
    for comment in message.user_comments:
        if comment.startswith(("| msgid ", "| msgid_plural ")):
            previous.append(_po_strings(comment.split(" ", 2)[2]))
        elif comment.startswith('| "') and previous:
            previous[-1] += _po_strings(comment[2:])
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
        state, engine = message_state(message)
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
        locale=language.replace("-", "_"),
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
    vanished = [m for m in existing if m.id and m.id not in kept and m.string] if existing else []
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
                message.user_comments = list(revised.user_comments)
        catalog[text] = message
    if existing is not None:
        gone = [m for m in existing if m.id and m.id not in kept and m.string]
        gone += [m for m in existing.obsolete.values() if m.id not in kept and m.string]
        for message in sorted(gone, key=lambda m: str(m.id)):
            message.locations = []
            catalog.obsolete[str(message.id)] = message
    return catalog


def set_machine_translation(message: Message, text: str, label: str) -> None:
    """Record a machine translation: ``fuzzy`` and ``#. machine: <label>``.

    A stale entry keeps its ``#| msgid`` so a translator sees what changed in
    the French; its old human translation stays in the obsolete section.
    """
    message.string = text
    message.flags = set(message.flags) | {"fuzzy"}
    message.auto_comments = [c for c in message.auto_comments if not c.startswith(MACHINE_COMMENT)]
    message.auto_comments.append(f"{MACHINE_COMMENT} {label}")


_TAG = re.compile(r"<\s*/?\s*([A-Za-z][\w:-]*)|<!--")
_LINK_TARGET = re.compile(r"\]\(\s*([^)\s]*)")
_FOOTNOTE_REFERENCE = re.compile(r"\[\^[^\]\s]+\]")
_DANGEROUS = re.compile(r"javascript:|vbscript:|data:|\bon[a-z]+\s*=|\{[:#.]", re.IGNORECASE)


def markup_problem(msgid: str, msgstr: str) -> str | None:
    """Why ``msgstr`` adds markup its French ``msgid`` lacks, or None.

    Refused: HTML tags or comments, link or image targets, footnote references
    and script-like text (``javascript:``, ``onerror=``, attribute lists) that
    are not in the French.
    """
    for pattern, what in ((_TAG, "an HTML tag"), (_DANGEROUS, "script-like text")):
        allowed = {match.group(0).lower() for match in pattern.finditer(msgid)}
        added = [match.group(0) for match in pattern.finditer(msgstr) if match.group(0).lower() not in allowed]
        if added:
            return f"the translation adds {what} ({added[0]!r}) that the French does not have"
    added_links = set(_LINK_TARGET.findall(msgstr)) - set(_LINK_TARGET.findall(msgid))
    if added_links:
        return f"the translation adds a link to {sorted(added_links)[0]!r} that the French does not have"
    added_notes = set(_FOOTNOTE_REFERENCE.findall(msgstr)) - set(_FOOTNOTE_REFERENCE.findall(msgid))
    if added_notes:
        return f"the translation adds the footnote reference {sorted(added_notes)[0]} that the French does not have"
    if msgstr.count("![") > msgid.count("!["):
        return "the translation adds an image that the French does not have"
    return None


def render_catalog(catalog: Catalog) -> bytes:
    """The exact bytes of a PO file, as written by Babel."""
    buffer = io.BytesIO()
    # No wrapping at all: Babel wraps comments at 76 columns even with width=0, which splits a
    # "#| msgid" line into lines PO tools cannot read.
    write_po(buffer, catalog, width=NO_WRAP, omit_header=False, include_previous=True, include_lineno=False)
    return buffer.getvalue()


def write_atomic(path: Path, content: bytes) -> bool:
    """Write ``content`` to ``path`` through a temporary file and a rename.

    Returns False (and writes nothing) when the file already holds ``content``.
    """
    return bool(write_files({path: content}))


def write_files(contents: Mapping[Path, bytes]) -> list[Path]:
    """Write every file of ``contents`` that does not already hold its bytes, all or none.

    Each is written to a temporary file next to it first; the renames come only once
    every temporary file is written, so a full disk or a read-only folder changes nothing.
    A file keeps its mode (a new one gets the user's umask); a symbolic link stays a link
    and its target is written. Returns the paths written. Raises ``OSError`` naming the
    file that could not be written.
    """
    pending: list[tuple[str, str]] = []  # (temporary file, target)
    written: list[Path] = []
    try:
        for path in sorted(contents):
            content = contents[path]
            target = os.path.realpath(path)
            if os.path.exists(target) and Path(target).read_bytes() == content:
                continue
            folder = os.path.dirname(target)
            try:
                os.makedirs(folder, exist_ok=True)
                mode = stat.S_IMODE(os.stat(target).st_mode) if os.path.exists(target) else new_file_mode()
                handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
            except OSError as error:
                error.filename = str(path)
                raise
            pending.append((temporary, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fchmod(stream.fileno(), mode)
                os.fsync(stream.fileno())
            written.append(path)
        for temporary, target in pending:
            os.replace(temporary, target)
    except BaseException:
        for temporary, _ in pending:
            Path(temporary).unlink(missing_ok=True)
        raise
    return written
