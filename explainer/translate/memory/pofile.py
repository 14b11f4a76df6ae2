"""PO files as bytes: reading (strictly: UTF-8, no syntax Babel would misread) and writing.

Reads disk in ``read_catalog`` only; ``parse_catalog`` and ``render_catalog`` work on bytes.
"""

from __future__ import annotations

import datetime
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, unescape, write_po

from ...config import babel_locale
from ...errors import Problem, TranslationMemoryError, relative
from ...fsutil import utf8_text

_CHARSET = re.compile(r'^[ \t]*"Content-Type:[^"\n]*charset=([^\\"\s;]+)', re.MULTILINE | re.IGNORECASE)
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(\[\d+\])?)(?:[ \t]+(.*))?$")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
NO_WRAP = 1 << 30


def header_date() -> datetime.datetime:
    """The date written in the header of a new PO file: ``SOURCE_DATE_EPOCH`` when set,
    else a fixed date, so that new files are identical from run to run."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    return datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


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
    for message in messages_of(catalog):
        _restore_previous(message)
    for message in catalog.obsolete.values():
        _restore_previous(message)
    return catalog


def _decode_po(content: bytes, shown: str) -> str:
    """The text of a PO file, read as UTF-8; its header may not declare another charset."""
    advice = ": PO files are read as UTF-8; convert the file (msgconv -t UTF-8) and set charset=UTF-8 in its header"
    text = utf8_text(content, shown, TranslationMemoryError, advice)
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


def messages_of(catalog: Catalog) -> list[Message]:
    """The entries of ``catalog`` in file order, without its header (``msgid ""``).

    ``for message in catalog`` makes the header entry first, formatting its two dates with CLDR,
    on every loop (0.1 ms): a cold build went through each page's catalog about nine times.
    """
    return list(catalog._messages.values())


def render_catalog(catalog: Catalog) -> bytes:
    """The exact bytes of a PO file, as written by Babel."""
    buffer = io.BytesIO()
    # No wrapping at all: Babel wraps comments at 76 columns even with width=0, which splits a
    # "#| msgid" line into lines PO tools cannot read.
    write_po(buffer, catalog, width=NO_WRAP, omit_header=False, include_previous=True, include_lineno=False)
    return buffer.getvalue()
