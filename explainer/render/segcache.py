"""A content-addressed cache of converted Markdown, kept across builds.

One entry per Markdown conversion (a page's body, its "in short" box, a data entry, a column
of a side-by-side view), keyed by everything its HTML depends on: the converted text, the
segments' attributes, the language's Markdown set-up (the footnotes' backlink title, the
direction), Python-Markdown's version and ``GRAMMAR_VERSION``. What a conversion found is kept
with its HTML (unsafe links, external images, segments Markdown lost, the side-by-side pieces)
and so is every site link it resolved: a hit resolves those links again with the current
site, and any difference makes it a miss, so a hit gives exactly what a conversion would.
Beside them, one entry per page in each language holds the keys of its conversions, in order
(``page_key``): a page rendered again as it was finds them without making its texts
again to hash them, and replays each as any hit is replayed. Another holds the page's parts
(``page_key`` too, ``pages.PageParts``: its converted Markdown, plain fields and notice, with the
site links its conversions resolved): a page rendered again as it was, without its side-by-side
view, is rendered from them alone, its translations not decoded, its links resolved again.

The entries live in their own SQLite file, ``.cache/explainer/segments.sqlite``, in WAL mode.
Worker processes only read it. What a page's rendering converted goes to the parent (with the
page's files, from a worker), which writes it at once into one transaction, open from the first
page rendered to the last: converted HTML does not pile up in memory, the workers go on reading
what the last build committed, and the transaction is committed only when every page has been
rendered (one writer, so no lock contention between workers; a killed or failed build leaves
nothing of its own in the file). The file is safe to lose: one that cannot be read is a cold
build with a note, and is made anew. Entries not used by the last build that rendered every page
are dropped then; ``MAX_ENTRIES`` caps the rest, the least recently made or used first.

This module reads and writes that file; nothing else of the project.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import markdown

from ..cache import begin_cache_file
from .links import SiteLinks
from .markdown import RenderState

# Bump when the HTML a conversion gives changes for the same text (the grammar, the tree
# processor, the side-by-side pieces): every entry made before is then a miss.
GRAMMAR_VERSION = 1
CACHE_FILE = Path(".cache") / "explainer" / "segments.sqlite"
MAX_ENTRIES = 500_000
_SCHEMA = "1"

T = TypeVar("T")


@dataclass(frozen=True)
class Conversion:
    """What one conversion gave: its HTML and everything it found, and the site links it resolved."""

    html: str
    side_html: dict[int, str]
    bad_links: tuple[str, ...]
    external_images: tuple[str, ...]
    unmarked: tuple[int, ...]
    links: tuple[tuple[str, str], ...]  # (site link, its URL), in the order they were resolved

    def encode(self) -> str:
        side = sorted(self.side_html.items())
        found = [self.bad_links, self.external_images, self.unmarked, self.links]
        return json.dumps([self.html, side, *found], ensure_ascii=False)

    @staticmethod
    def decode(text: str) -> Conversion:
        """Raises ``ValueError`` (or ``TypeError``) for anything but an encoded conversion."""
        html, side, bad, images, unmarked, links = json.loads(text)
        if not isinstance(html, str):
            raise ValueError("not a conversion")
        return Conversion(
            html,
            {int(index): str(piece) for index, piece in side},
            tuple(str(link) for link in bad),
            tuple(str(image) for image in images),
            tuple(int(index) for index in unmarked),
            tuple((str(link), str(url)) for link, url in links),
        )


@dataclass(frozen=True)
class CacheDelta:
    """What a process of the build did with the cache: new entries, keys used, notes."""

    new: dict[str, str] = field(default_factory=dict)  # key -> encoded conversion
    used: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()


def conversion_key(setup: tuple[str, ...], text: str, state: RenderState) -> str:
    """The key of converting ``text`` with ``state`` by the Markdown set-up ``setup``.

    What is small (the versions, the set-up, the attributes, the texts' lengths) is written with
    ``repr``, which tells any two of these values apart; the texts follow it as they are, each
    length said before, so no two inputs give one string. (``repr`` of a long text would look up
    each character's printability: the texts are most of a key's bytes, and a template edit makes
    a key for every page.)"""
    side = state.side
    head = repr(
        (
            GRAMMAR_VERSION,
            markdown.__version__,
            setup,
            state.isolate_latin,
            state.attributes,
            len(text),
            [(index, piece.attributes, len(piece.text)) for index, piece in side.items()],
        )
    )
    return hashlib.sha256("\0".join((head, text, *[piece.text for piece in side.values()])).encode()).hexdigest()


# What a page in its language keeps beside its conversions (``page_key``).
CONVERSIONS_OF_A_PAGE = "conversions of a page"  # the keys of its conversions, in order
PARTS_OF_A_PAGE = "parts of a page"  # its parts (``pages.PageParts``)


def page_key(kept: str, page_digest: str, made_with: str) -> str:
    """Where a page in its language keeps ``kept`` (``CONVERSIONS_OF_A_PAGE``, ``PARTS_OF_A_PAGE``):
    by the page (its digest, ``PageInfo.digest``) and what else that is made from (``made_with``)."""
    parts = (kept, GRAMMAR_VERSION, markdown.__version__, page_digest, made_with)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclass(frozen=True)
class KeptKeys:
    """The keys of a page's conversions, in the order the page makes them, kept under ``key``
    (none kept: empty). A page rendered again as it was replays each of them."""

    key: str
    keys: tuple[str, ...]


class SegmentCache:
    """The cache file of one project: read by every process of a build, written by the parent."""

    def __init__(self, root: Path) -> None:
        self.path = root / CACHE_FILE
        # Whether the last build left a file: decided once, before any worker starts, so that a
        # worker never reads the file this build is making.
        self._exists = self.path.is_file()
        self._reader: sqlite3.Connection | None = None
        self._pid = 0  # the process the reader belongs to (workers are forked)
        self._writer: _Writer | None = None
        self.broken = False  # the file cannot be read: made again when written
        self.unwritable = False
        self._new: dict[str, str] = {}  # converted in this process, not yet handed to the writer
        self._used: set[str] = set()
        self._notes: list[str] = []

    # -- reading (any process) -----------------------------------------------------------------

    def _db(self) -> sqlite3.Connection | None:
        if self.broken or not self._exists:
            return None
        if self._reader is None or self._pid != os.getpid():
            self._reader = sqlite3.connect(self.path)
            self._pid = os.getpid()
        return self._reader

    def _read(self, key: str, decode: Callable[[str], T]) -> T | None:
        if key in self._new:
            return decode(self._new[key])
        try:
            db = self._db()
            row = db.execute("SELECT value FROM conversions WHERE key = ?", (key,)).fetchone() if db else None
            return decode(row[0]) if row else None
        except (sqlite3.Error, ValueError, TypeError) as error:
            self.broken = True
            self._close_reader()
            self._note(
                f"the segment cache cannot be read ({error}): Markdown is converted again, and the cache made anew"
            )
            return None

    def lookup(self, key: str) -> Conversion | None:
        """The conversion of ``key``, if the cache has it."""
        return self._read(key, Conversion.decode)

    def kept(self, key: str, decode: Callable[[str], T]) -> T | None:
        """What a page keeps under ``key`` (``page_key``), decoded, if the cache has it."""
        found = self._read(key, decode)
        if found is not None:
            self._used.add(key)
        return found

    def keep(self, key: str, encoded: str) -> None:
        """Keep what a page keeps (encoded) under ``key``."""
        self._new[key] = encoded

    def replay(self, key: str, state: RenderState) -> str | None:
        """The HTML of the conversion of ``key`` if the cache has it and its site links resolve as
        they did (``state`` then receives what the conversion found), else None."""
        found = self.lookup(key)
        if found is None or not _replay(found, state):
            return None
        self._used.add(key)
        return found.html

    def convert(self, key: str, state: RenderState, run: Callable[[RenderState], str]) -> str:
        """The HTML of the conversion ``run`` makes with ``state``, from the cache when it has it
        and its site links resolve as they did; ``state`` receives what the conversion found."""
        found = self.replay(key, state)
        if found is not None:
            return found
        resolve = state.resolve_link
        resolved: list[tuple[str, str]] = []

        def recording(link: str) -> str:
            url = resolve(link)
            resolved.append((link, url))
            return url

        state.resolve_link = recording
        try:
            html = run(state)
        finally:
            state.resolve_link = resolve
        conversion = Conversion(
            html,
            dict(state.side_html),
            tuple(state.bad_links),
            tuple(state.external_images),
            tuple(state.unmarked),
            tuple(resolved),
        )
        self._new[key] = conversion.encode()
        return html

    def take_delta(self) -> CacheDelta:
        """What this process did since the last call (a worker hands it to the parent)."""
        delta = CacheDelta(self._new, frozenset(self._used), tuple(self._notes))
        self._new, self._used, self._notes = {}, set(), []
        return delta

    def _note(self, message: str) -> None:
        note = f"{CACHE_FILE.as_posix()}: {message}"
        if note not in self._notes:
            self._notes.append(note)

    # -- writing (the parent) --------------------------------------------------------------------

    def merge(self, delta: CacheDelta) -> None:
        """Write what a page's rendering (here or in a worker) did into this build's transaction,
        so that converted HTML does not pile up in memory."""
        for note in delta.notes:
            self.broken = True  # a worker could not read the file
            self._note(note.removeprefix(f"{CACHE_FILE.as_posix()}: "))
        if self.unwritable or not (delta.new or delta.used):
            return
        try:
            if self._writer is None:
                self._writer = self._open_writer()
            self._writer.add(delta.new, delta.used)
        except (OSError, sqlite3.Error) as error:
            self._give_up(error)

    def _open_writer(self) -> _Writer:
        try:
            return _Writer.open(self.path, made_anew=self.broken)
        except sqlite3.OperationalError:
            raise  # locked, read-only, full: not the file's fault
        except sqlite3.DatabaseError:  # not a database, or a damaged one
            self.broken = True
            self._note("the segment cache was damaged: it is made anew")
            return _Writer.open(self.path, made_anew=True)

    def save(self, every_page: bool) -> tuple[str, ...]:
        """Commit this build's transaction (what this process did since the last ``merge``
        too); after a build that rendered ``every_page``, drop the entries it did not use first.
        Returns the notes of this build (a cache that cannot be read or written is no error)."""
        self.merge(self.take_delta())
        self._close_reader()
        if self._writer is not None:
            try:
                self._writer.commit(every_page)
            except (OSError, sqlite3.Error) as error:
                self._give_up(error)
            self._writer = None
        return tuple(self._notes)

    def discard(self) -> None:
        """Drop this build's transaction (the build failed): the file stays as it was."""
        self._close_reader()
        if self._writer is not None:
            self._writer.db.close()
            self._writer = None

    def _give_up(self, error: Exception) -> None:
        self.unwritable = True
        if self._writer is not None:
            self._writer.db.close()
            self._writer = None
        self._note(f"the segment cache was not saved ({error})")

    def _close_reader(self) -> None:
        if self._reader is not None and self._pid == os.getpid():
            self._reader.close()
        self._reader = None


def encode_keys(keys: list[str]) -> str:
    """The keys of a page's conversions, as kept (``decode_keys`` reads them)."""
    return json.dumps(keys)


def decode_keys(text: str) -> tuple[str, ...]:
    """Raises ``ValueError`` for anything but a list of keys."""
    keys = json.loads(text)
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise ValueError("not the keys of a page's conversions")
    return tuple(keys)


def _replay(found: Conversion, state: RenderState) -> bool:
    """Give ``state`` what the conversion ``found`` found, if its site links resolve to the same
    URLs now (broken links are reported by resolving them again, as a conversion would)."""
    links = state.resolve_link
    probe = replace(links, broken=[], resolved=[]) if isinstance(links, SiteLinks) else links
    if any(probe(link) != url for link, url in found.links):
        return False
    if isinstance(links, SiteLinks) and isinstance(probe, SiteLinks):
        links.broken.extend(probe.broken)
        links.resolved.extend(probe.resolved)
    state.bad_links.extend(found.bad_links)
    state.external_images.extend(found.external_images)
    state.unmarked.extend(found.unmarked)
    state.side_html.update(found.side_html)
    return True


@dataclass
class _Writer:
    """The parent's connection, in one transaction from the first page rendered to ``commit``.

    The file is in WAL mode: the workers read what the last build committed while the parent
    writes; a build killed before ``commit`` leaves nothing of its own in the file."""

    db: sqlite3.Connection
    generation: int
    # Keys of entries used again, marked with this build's generation at ``commit``, in one statement:
    # a template edit uses an entry of every page (one statement a page took a twentieth of its time).
    used: set[str] = field(default_factory=set)

    @staticmethod
    def open(path: Path, made_anew: bool) -> _Writer:
        columns = "key TEXT PRIMARY KEY, value TEXT NOT NULL, generation INTEGER"
        db = begin_cache_file(path, "conversions", columns, _SCHEMA, made_anew)
        try:
            # An entry's generation is the build that made it or, if later, the last that used it
            # (marked apart: rewriting a used entry with its HTML cost a template edit 0.1 s).
            db.execute(
                "CREATE TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY, generation INTEGER NOT NULL) WITHOUT ROWID"
            )
            made, used = (
                db.execute(f"SELECT coalesce(max(generation), 0) FROM {table}").fetchone()[0]
                for table in ("conversions", "used")
            )
            generation = max(made, used) + 1
        except BaseException:
            db.close()
            raise
        return _Writer(db, generation)

    def add(self, new: dict[str, str], used: frozenset[str]) -> None:
        if new:
            self.db.executemany(
                "INSERT OR REPLACE INTO conversions VALUES (?, ?, ?)",
                ((key, value, self.generation) for key, value in new.items()),
            )
        self.used.update(used)

    def commit(self, every_page: bool) -> None:
        db, generation = self.db, self.generation
        try:
            db.executemany("INSERT OR REPLACE INTO used VALUES (?, ?)", ((key, generation) for key in self.used))
            if every_page:
                used_now = "SELECT key FROM used WHERE generation = ?"
                db.execute(
                    f"DELETE FROM conversions WHERE generation < ? AND key NOT IN ({used_now})", (generation,) * 2
                )
                db.execute("DELETE FROM used WHERE generation < ?", (generation,))
            excess = db.execute("SELECT count(*) FROM conversions").fetchone()[0] - MAX_ENTRIES
            if excess > 0:
                oldest = (
                    "SELECT conversions.key FROM conversions LEFT JOIN used ON used.key = conversions.key "
                    "ORDER BY max(coalesce(conversions.generation, 0), coalesce(used.generation, 0)) LIMIT ?"
                )
                db.execute(f"DELETE FROM conversions WHERE key IN ({oldest})", (excess,))
                db.execute("DELETE FROM used WHERE key NOT IN (SELECT key FROM conversions)")
            db.execute("COMMIT")
        finally:
            db.close()
