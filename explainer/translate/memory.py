"""The translation memory: one PO file per page per language, under ``i18n/``.

Reads and writes ``i18n/<lang>/content/<page>.po`` through Babel's
``read_po``/``write_po``. Provenance is kept in standard PO terms:

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
"""

from __future__ import annotations

import datetime
import difflib
import io
import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, unescape, write_po

from ..config import babel_locale
from ..errors import Problem, ReviewError, TranslationMemoryError, relative
from ..fsutil import sha256_hex
from ..model import Rendition, SegmentedPage, State

MACHINE_COMMENT = "machine:"
REVIEW_COMMENT = "reviewed-by:"
_REVIEW = re.compile(
    r"reviewed-by:\s*(?P<name>[^<>,]*?)\s*<(?P<email>[^<>\s]+@[^<>\s]+)>\s*,\s*(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:\s*,\s*sha256:(?P<fingerprint>[0-9a-f]{12}))?\s*$"
)
REVIEW_FORM = "reviewed-by: Name <email>, YYYY-MM-DD"
_CHARSET = re.compile(r'^[ \t]*"Content-Type:[^"\n]*charset=([^\\"\s;]+)', re.MULTILINE | re.IGNORECASE)
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(\[\d+\])?)(?:[ \t]+(.*))?$")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
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
class Review:
    """An approval on record in a PO entry: who, when, and of which text."""

    name: str
    email: str
    date: datetime.date
    fingerprint: str | None  # None until the file is next written (a review added by hand)

    def comment(self) -> str:
        sealed = f", sha256:{self.fingerprint}" if self.fingerprint else ""
        return f"{REVIEW_COMMENT} {self.name} <{self.email}>, {self.date.isoformat()}{sealed}"


@dataclass(frozen=True)
class Entry:
    """One memory entry as read from a PO file."""

    msgid: str
    msgstr: str
    state: State
    line: int
    engine: str | None = None
    review: Review | None = None


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
    current = fingerprint(str(message.id), message.string)
    valid = None
    for comment in message.user_comments:
        review = parse_review(comment) if is_review_comment(comment) else None
        if review is not None and review.fingerprint in (None, current):
            valid = review
    return valid


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
        return (State.REVIEWED if message_review(message) is not None else State.TRANSLATED), None
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
    """Parse the bytes of a PO file (``shown`` in messages); see ``read_catalog``.

    PO files are read as UTF-8, whatever their header says: a file that is not
    UTF-8, or whose header declares another charset, is refused (nothing is
    decoded differently, so no entry changes state because of it). So are the
    mistakes Babel would let through: an unterminated string, ``msgstr[n]``
    without ``msgid_plural``, an entry whose msgid (and msgctxt) repeats another's.
    Raises ``TranslationMemoryError`` naming the file and line.
    """
    text = _decode_po(content, shown)
    problems = po_syntax_problems(text, shown)
    if problems:
        raise TranslationMemoryError(problems)
    try:
        catalog = read_po(io.StringIO(text), locale=babel_locale(language), abort_invalid=True)
    except PoFileError as error:
        # Babel counts lines from 0.
        line = (getattr(error, "lineno", -1) or 0) + 1
        reason = re.sub(r" on \d+$", "", str(error))
        raise TranslationMemoryError(
            [Problem(shown, line, f"invalid PO file: {reason}; fix it in a PO editor or restore it from git")]
        ) from None
    except ValueError as error:
        raise TranslationMemoryError([Problem(shown, 0, f"cannot read PO file: {error}")]) from None
    for message in catalog:
        _restore_previous(message)
    for message in catalog.obsolete.values():
        _restore_previous(message)
    return catalog


def _decode_po(content: bytes, shown: str) -> str:
    """The text of a PO file, read as UTF-8; its header may not declare another charset."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise TranslationMemoryError(
            [
                Problem(
                    shown,
                    line,
                    f"not valid UTF-8 (byte 0x{content[error.start]:02x}): PO files are read as UTF-8; "
                    "convert the file (msgconv -t UTF-8) and set charset=UTF-8 in its header",
                )
            ]
        ) from None
    declared = _CHARSET.search(text)
    if declared is not None:
        charset = declared.group(1).lower()
        ascii_only = charset in ("ascii", "us-ascii") and text.isascii()
        if charset not in ("utf-8", "utf8", "charset") and not ascii_only:
            line = text.count("\n", 0, declared.start()) + 1
            raise TranslationMemoryError(
                [
                    Problem(
                        shown,
                        line,
                        f"the header declares charset={declared.group(1)}, but PO files are read as UTF-8: "
                        "if the file is UTF-8, set charset=UTF-8; if not, convert it (msgconv -t UTF-8)",
                    )
                ]
            )
    return text


@dataclass
class _PoEntry:
    """An entry as ``po_syntax_problems`` reads it: where it starts and its keys."""

    line: int = 0
    obsolete: bool = False
    context: list[str] | None = None
    msgid: list[str] | None = None
    plural: bool = False
    translated: bool = False

    def key(self) -> tuple[bool, str | None, str] | None:
        if self.msgid is None:
            return None
        return self.obsolete, None if self.context is None else "".join(self.context), "".join(self.msgid)


def po_syntax_problems(text: str, shown: str) -> list[Problem]:
    """What Babel's reader would accept silently or misread in a PO file's ``text``.

    Returns problems for strings without their closing quote, unknown keywords,
    ``msgstr[n]`` without ``msgid_plural`` and entries that repeat another's msgid.
    """
    problems: list[Problem] = []
    seen: dict[tuple[bool, str | None, str], int] = {}  # entry key -> its line

    def finish(entry: _PoEntry) -> None:
        key = entry.key()
        if key is not None and key in seen:
            problems.append(
                Problem(shown, entry.line, f"this msgid repeats the entry on line {seen[key]}: merge the two entries")
            )
        elif key is not None:
            seen[key] = entry.line

    entry = _PoEntry()
    strings: list[str] | None = None  # where the strings of the keyword being read go
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        elif not line or line.startswith("#"):
            strings = None
            continue
        keyword = _KEYWORD.match(line)
        if keyword is None and not line.startswith('"'):
            word = line.split()[0]
            reason = f"invalid PO file: unknown or misformatted keyword {word!r}; fix it in a PO editor"
            problems.append(Problem(shown, number, reason))
            continue
        string = line
        if keyword is not None:
            name, string = keyword.group(1), keyword.group(3) or ""
            if name in ("msgctxt", "msgid") and entry.translated:
                finish(entry)
                entry = _PoEntry()
            strings = None
            if name == "msgctxt":
                strings = entry.context = []
            elif name == "msgid":
                strings = entry.msgid = []
                entry.line, entry.obsolete = number, obsolete
            elif name == "msgid_plural":
                entry.plural = True
            else:
                if keyword.group(2) is not None and not entry.plural:
                    problems.append(
                        Problem(shown, number, f"{name} without msgid_plural: write msgstr, or add a msgid_plural")
                    )
                entry.translated = True
        if not _STRING.fullmatch(string):
            problems.append(Problem(shown, number, "string not closed: end it with '\"' on the same line"))
        elif strings is not None:
            strings.append(string[1:-1])
    finish(entry)
    return problems


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
        review = message_review(message) if state is State.REVIEWED else None
        entries[message.id] = Entry(message.id, message.string, state, message.lineno or 0, engine, review)
    return entries


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
                # The review was of the old French: the stale entry does not inherit it.
                message.user_comments = [c for c in revised.user_comments if not is_review_comment(c)]
        settle_reviews(message)
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
    message.user_comments = [c for c in message.user_comments if not is_review_comment(c)]
    message.auto_comments = [c for c in message.auto_comments if not c.startswith(MACHINE_COMMENT)]
    message.auto_comments.append(f"{MACHINE_COMMENT} {label}")


def render_catalog(catalog: Catalog) -> bytes:
    """The exact bytes of a PO file, as written by Babel."""
    buffer = io.BytesIO()
    # No wrapping at all: Babel wraps comments at 76 columns even with width=0, which splits a
    # "#| msgid" line into lines PO tools cannot read.
    write_po(buffer, catalog, width=NO_WRAP, omit_header=False, include_previous=True, include_lineno=False)
    return buffer.getvalue()


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


_REFUSED = {
    State.MACHINE: "is a machine translation no one has edited: a translator edits it and removes 'fuzzy' first",
    State.STALE: "is outdated (the French changed): a translator updates it and removes 'fuzzy' first",
    State.MISSING: "has no translation to review",
}


def reviewable_entries(catalog: Catalog) -> list[tuple[int, State, Message]]:
    """Every entry of ``catalog`` with its msgid line and state, in file order."""
    found = []
    for message in catalog:
        if message.id and isinstance(message.id, str):
            found.append((message.lineno or 0, message_state(message)[0], message))
    return found


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
        known = {line for line, _, _ in entries}
        unknown = sorted(set(lines) - known)
        if unknown:
            raise ReviewError(
                [Problem(shown, line, "no entry starts here: give the line of an entry's msgid") for line in unknown]
            )
    approved: list[int] = []
    already: list[int] = []
    refused: list[Problem] = []
    for line, state, message in entries:
        if lines is not None and line not in lines:
            continue
        if state is State.REVIEWED:
            already.append(line)
        elif state is State.TRANSLATED:
            review = Review(name, email, date, fingerprint(str(message.id), str(message.string)))
            message.user_comments = [c for c in message.user_comments if not is_review_comment(c)]
            message.user_comments.append(review.comment())
            approved.append(line)
        else:
            refused.append(Problem(shown, line, f"not approved: this entry {_REFUSED[state]}"))
    return ReviewOutcome(tuple(approved), tuple(already), tuple(refused))
