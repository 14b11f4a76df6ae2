"""A content-addressed cache of translated pages, kept across builds.

One entry per page in one language (``TranslatedPage``: the segmented page, the text of every
segment in that language and where it came from, the path of its memory file), keyed by its
unit key (``plan.unit_key``): the hash of the page file, its data file, its memory file and
everything every page depends on (the generator, the configuration, the glossary, whether
engines run). A match proves that reading, segmenting and translating the page again would
give the same page, so a page rendered again with its inputs unchanged (a template edit, a
changed neighbour: ``RenderPlan.reread``) is taken from here instead of being read again;
a page missing from it is read as before.

An entry is decoded where its page is rendered (in a render worker, on a large site): one that
does not decode, or holds another page, is not rendered; its page is read and translated again,
with a note, and the file is made anew.

The entries live in their own SQLite file, ``.cache/explainer/pages.sqlite``, as JSON records
(``records``: data, never code), written by builds that write, in one transaction: a killed
or failed build leaves the file as the last build committed it. The entries no page of the
build has any more are dropped then. A page's segmented page, the same in every language, is
stored once, by the hash of its record (table ``segmented``), and each language's entry holds
the rest (table ``pages``): a process that renders a page's languages one after another decodes
it once. The file is safe to lose: one that cannot be read, or an
entry that does not decode, makes those pages read again, with a note, and the file is made
anew. ``check`` and ``--no-cache`` neither read nor write it.

This module reads and writes that file; nothing else of the project.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .cache import UnitKey, UnitRecord, begin_cache_file
from .config import Config
from .fsutil import sha256_hex
from .model import Rendition, SegmentedPage, TranslatedPage
from .plan import RenderPlan
from .records import RecordError, decoder, encode
from .translate.glossary import Glossary

CACHE_FILE = Path(".cache") / "explainer" / "pages.sqlite"
_SCHEMA = "2"  # "1": each entry held its segmented page
_COLUMNS = "key TEXT PRIMARY KEY, segmented TEXT NOT NULL, value BLOB NOT NULL"
_CHUNK = 500  # keys asked for at once (SQLite's limit on parameters is 32,766 at least)
_decode_rest = decoder(tuple[str, tuple[Rendition, ...], str | None])  # language, renditions, memory file
_decode_segmented = decoder(SegmentedPage)


@dataclass(frozen=True)
class CachedPage:
    """A page in one language as the page cache holds it, decoded where it is rendered: its
    segmented page (``segmented``, stored under ``segmented_key``, the same object for each of
    its languages), and the rest of it (``data``)."""

    unit: UnitKey
    data: bytes
    segmented_key: str
    segmented: bytes

    def segmented_page(self) -> SegmentedPage:
        """The page in French alone (its translations not decoded); raises ``RecordError`` when
        the entry is not the record of this page."""
        segmented = _segmented(self.segmented_key, self.segmented)
        if segmented.page.path != self.unit[0]:
            raise RecordError("holds a page under the key of another")
        return segmented

    def decoded(self) -> TranslatedPage:
        """The page; raises ``RecordError`` when the entry is not the record of this page."""
        language, renditions, memory_file = _decode_rest(self.data)
        page = TranslatedPage(_segmented(self.segmented_key, self.segmented), language, renditions, memory_file)
        if (page.page.path, page.language) != self.unit:
            raise RecordError("holds a page under the key of another")
        if len(page.renditions) != len(page.segmented.segments):
            raise RecordError("holds a rendition for each segment of another page")
        return page


# A page's languages are rendered one after another (in one worker, most of them): its segmented
# page, the same record in each, is decoded once. Keyed by the hash of the record's bytes.
@functools.lru_cache(maxsize=8)
def _segmented(key: str, data: bytes) -> SegmentedPage:
    return _decode_segmented(data)


class PageCache:
    """The translated pages of one project, as the builds that wrote left them."""

    def __init__(self, root: Path) -> None:
        self.path = root / CACHE_FILE
        self.broken = False  # cannot be read: made anew when written
        self.notes: list[str] = []

    def load(self, wanted: Mapping[UnitKey, str]) -> dict[UnitKey, CachedPage]:
        """The pages of ``wanted`` (page in one language -> its unit key) the cache has, not decoded."""
        keys = sorted({key for key in wanted.values() if key})
        if not keys or not self.path.is_file():
            return {}
        try:
            found = self._read(keys)
        except sqlite3.Error as error:
            self._broken(f"cannot be read ({error})")
            return {}
        return {unit: CachedPage(unit, *found[key]) for unit, key in wanted.items() if key in found}

    def _read(self, keys: list[str]) -> dict[str, tuple[bytes, str, bytes]]:
        """Each entry of ``keys`` the file has: its data, and its segmented page's key and record."""
        found: dict[str, tuple[bytes, str, bytes]] = {}
        segmented: dict[str, bytes] = {}  # one object for a page's languages
        with contextlib.closing(_connect_read_only(self.path)) as db:
            schema = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if schema != (_SCHEMA,):  # written by another version: nothing to read, made anew when written
                return {}
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                query = (
                    "SELECT pages.key, pages.value, pages.segmented, segmented.value FROM pages "
                    f"JOIN segmented ON segmented.key = pages.segmented WHERE pages.key IN ({marks})"
                )
                for key, value, shared_key, shared in db.execute(query, chunk):
                    shared = segmented.setdefault(shared_key, bytes(shared))
                    found[key] = (bytes(value), shared_key, shared)
        return found

    def unreadable(self, units: Iterable[UnitKey], error: str) -> None:
        """Note entries that did not decode as their pages: the file is made anew when saved."""
        shown = ", ".join(f"{path or 'index'} in '{code}'" for path, code in sorted(units))
        self._broken(f"cannot be read ({shown}: {error})")

    def save(
        self, units: Mapping[UnitKey, UnitRecord], pages: Mapping[UnitKey, TranslatedPage | CachedPage]
    ) -> tuple[str, ...]:
        """In one transaction: add the ``pages`` it lacks under their keys in ``units`` (every page in
        every language of this build), and drop every entry no unit has. Returns the notes."""
        keyed = ((units[unit].key, page) for unit, page in pages.items() if unit in units)
        try:
            self._write(keyed, frozenset(unit.key for unit in units.values()))
        except (OSError, sqlite3.Error) as error:
            self.notes.append(f"{CACHE_FILE.as_posix()}: the page cache was not saved ({error})")
        return tuple(self.notes)

    def _write(self, pages: Iterable[tuple[str, TranslatedPage | CachedPage]], keep: frozenset[str]) -> None:
        db = _open_writer(self.path, made_anew=self.broken)
        try:
            have = {key for (key,) in db.execute("SELECT key FROM pages")}
            new = {key: page for key, page in dict(pages).items() if key and key not in have}
            # Encoded as they are written: a large site's records are never all held at once.
            parts: dict[int, str] = {}  # a segmented page (by the object its languages share) -> its key
            db.executemany("INSERT OR IGNORE INTO segmented VALUES (?, ?)", _segmented_records(new.values(), parts))
            db.executemany(
                "INSERT INTO pages VALUES (?, ?, ?)", ((key, *_entry(page, parts)) for key, page in new.items())
            )
            db.executemany("DELETE FROM pages WHERE key = ?", ((key,) for key in have - keep))
            db.execute("DELETE FROM segmented WHERE key NOT IN (SELECT segmented FROM pages)")
            db.execute("COMMIT")
        finally:
            db.close()

    def _broken(self, why: str) -> None:
        self.broken = True
        self.notes.append(f"{CACHE_FILE.as_posix()}: the page cache {why}: the pages are read again")


def _segmented_records(
    pages: Iterable[TranslatedPage | CachedPage], parts: dict[int, str]
) -> Iterator[tuple[str, bytes]]:
    """The key and record of each page's segmented page: encoded once for all its languages (the same
    object in each), its key kept in ``parts``; a page read from the file (a file made anew keeps the
    pages that were read), as it was."""
    for page in pages:
        if isinstance(page, CachedPage):
            yield page.segmented_key, page.segmented
        elif id(page.segmented) not in parts:
            data = encode(page.segmented)
            parts[id(page.segmented)] = key = sha256_hex(data)
            yield key, data


def _entry(page: TranslatedPage | CachedPage, parts: dict[int, str]) -> tuple[str, bytes]:
    """A page's entry: the key of its segmented page (``_segmented_records``), and the rest of it."""
    if isinstance(page, CachedPage):
        return page.segmented_key, page.data
    return parts[id(page.segmented)], encode((page.language, page.renditions, page.memory_file))


def _connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)  # a reader never makes the file


def _open_writer(path: Path, made_anew: bool) -> sqlite3.Connection:
    """A connection in a transaction (``BEGIN IMMEDIATE``) on a file with the current schema."""
    try:
        db = begin_cache_file(path, "pages", _COLUMNS, _SCHEMA, made_anew)
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.OperationalError) or made_anew:
            raise  # locked, read-only, full: not the file's fault
        return _open_writer(path, made_anew=True)  # not a database, or a damaged one
    try:
        if "segmented" not in {row[1] for row in db.execute("PRAGMA table_info(pages)")}:  # the first schema's
            db.execute("DROP TABLE pages")
            db.execute(f"CREATE TABLE pages ({_COLUMNS})")
        db.execute("CREATE TABLE IF NOT EXISTS segmented (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
    except BaseException:
        db.close()
        raise
    return db


def reread_pages(
    config: Config,
    rendering: RenderPlan,
    glossary: Glossary,
    cache: PageCache | None,
    read: Callable[[frozenset[Path]], tuple[SegmentedPage, ...]],
) -> dict[UnitKey, TranslatedPage | CachedPage]:
    """The pages of ``rendering.reread`` (unchanged pages rendered again: new templates, a changed
    neighbour) in every language: from ``cache`` where it has the page in every language under its
    unit key (decoded where they are rendered), else read (``read``: content files -> their
    segmented pages) and translated again."""
    languages = rendering.plan.inputs.languages
    files = [(source.file, source.address) for source in rendering.plan.inputs.files if source.file in rendering.reread]
    wanted = {(address, code): rendering.units[(address, code)].key for _, address in files for code in languages}
    cached = cache.load(wanted) if cache is not None else {}
    missing = frozenset(file for file, address in files if any((address, code) not in cached for code in languages))
    again = {address for file, address in files if file in missing}
    pages: dict[UnitKey, TranslatedPage | CachedPage] = {
        unit: page for unit, page in cached.items() if unit[0] not in again
    }
    pages.update(read_again(config, glossary, read, missing))
    return pages


def read_again(
    config: Config,
    glossary: Glossary,
    read: Callable[[frozenset[Path]], tuple[SegmentedPage, ...]],
    files: frozenset[Path],
) -> dict[UnitKey, TranslatedPage]:
    """The pages of content ``files`` (carried over, not in the page cache or not readable there)
    in every language, read and translated again."""
    from .translate.stage import translate_pages

    if not files:
        return {}
    # No engine runs (else these pages would not have been carried over), and nothing is judged
    # again: their keys say their page and memory are as the last build judged them.
    translation = translate_pages(config, read(files), glossary, use_machine=False, judged=True)
    return {(page.page.path, page.language): page for page in translation.pages}
