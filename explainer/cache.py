"""The build cache: what the last successful build knew, keyed by the content of its inputs.

One SQLite file, ``.cache/explainer/cache.sqlite`` (git-ignored), holds

- the state of the last build (``BuildState``): for each page the hash of its
  source files; for each page in each language the hash of its inputs, what the
  rest of the site needs to know of it (``PageInfo``), its warnings, the key its
  files were rendered with; and every file of the site it wrote, with its hash.
  it is stored in parts (``state``): its head, enough to find that nothing
  changed, is read first, the rest only when something did, and each page's
  record in each language in a row of its own, written only when it changed (its rendering, the
  key and files it was rendered to, in another: a template edit writes only those);
- the scan of each output file (ids, links; see ``check.links.Scan``) by content hash.

Deleting it only costs time: the next build is a cold one. A state written by
another version of the generator is ignored the same way. Records are stored as
JSON checked against their types (``records``), never as pickles: a damaged or
crafted cache is discarded, with a note, and nothing in it is ever run. Storage
and hashing (``inputs`` hashes what a build reads): what to rebuild is decided in
``plan``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from . import __version__
from .errors import Problem
from .fsutil import digest as digest  # the build's keys, hashed as every other hash
from .fsutil import file_digest, sha256_hex
from .model import PageInfo
from .records import RecordError, decoder, encode
from .state import BuildState as BuildState  # the records: where the rest of the build has always found them
from .state import InputRecord as InputRecord
from .state import LastInputs, StateBody, StateHead, state_head
from .state import OutputRecord as OutputRecord
from .state import SourceRecord as SourceRecord
from .state import UnitKey as UnitKey
from .state import UnitRecord as UnitRecord

if TYPE_CHECKING:
    from .check.links import Scan, ScanKeys

CACHE_DIR = ".cache/explainer"
_FORMAT = "3"
# Of the SQLite tables; 3: JSON records, no pickles; 4: the state's head apart; 5: pages apart;
# 6: a page's rendering (its render key and files) apart from the rest of its record; 7: each
# scan's keys (``Scan.keys``) beside it.
_SCHEMA = 7


def _tree(folder: Path, pattern: str) -> list[tuple[Path, str, bytes]]:
    """Every file under ``folder`` matching ``pattern``, sorted: its path, its name in the folder, its bytes."""
    files = sorted(path for path in folder.rglob(pattern) if path.is_file())
    return [(path, path.relative_to(folder).as_posix(), path.read_bytes()) for path in files]


def _tree_hash(files: Iterable[tuple[Path, str, bytes]]) -> str:
    return digest(*(part for _, name, data in files for part in (name, data)))


def tree_digest(folder: Path, pattern: str = "*") -> str:
    """The hash of every file under ``folder`` matching ``pattern``: names and bytes."""
    return _tree_hash(_tree(folder, pattern)) if folder.is_dir() else "absent"


def template_files(templates_dir: Path) -> tuple[str, str]:
    """``tree_digest`` of the templates folder, and the hash of its files that are not top-level
    templates (assets, fonts, the map's pieces; see ``render.templates.TemplateInputs``), each file
    read once."""
    if not templates_dir.is_dir():
        return "absent", "absent"
    files = _tree(templates_dir, "*")
    others = (file for file in files if not (file[0].parent == templates_dir and file[0].suffix in (".html", ".xml")))
    return _tree_hash(files), _tree_hash(others)


@functools.cache
def generator_digest() -> str:
    """The generator's own version: its release and the hash of its code."""
    package = Path(__file__).parent
    return digest(__version__, _FORMAT, tree_digest(package, "*.py"))


class InputHashes:
    """Hashes of input files, reusing the last build's for files whose size, modification time and
    inode have not changed (as git's index does). A file modified less than two seconds before the
    last build saved its state is hashed again (its time may not tell two writes apart), unless the
    build wrote it itself (``wrote``)."""

    RACY_NS = 2_000_000_000

    def __init__(self, previous: LastInputs | None) -> None:
        self.known = previous.inputs if previous else {}
        self.trusted_before = (previous.saved_at - self.RACY_NS) if previous else 0
        self.seen: dict[str, InputRecord] = {}
        self.read = 0  # files read (not known, changed, or racy)

    def __call__(self, path: Path | str) -> str:
        name = str(path)
        try:
            status = os.stat(name)
        except FileNotFoundError:
            return "absent"
        known = self.known.get(name)
        if (
            known is not None
            and (known.size, known.mtime_ns, known.inode) == (status.st_size, status.st_mtime_ns, status.st_ino)
            and (known.written or status.st_mtime_ns < self.trusted_before)
        ):
            self.seen[name] = known  # as trusted as it was
            return known.hash
        content_hash = file_digest(name)
        self.read += 1
        self.seen[name] = InputRecord(status.st_size, status.st_mtime_ns, status.st_ino, content_hash, False)
        return content_hash

    def wrote(self, path: Path | str, content: bytes) -> None:
        """Note a file the build itself has just written with ``content``: its hash is known, so it
        is trusted while its status stays the same, however recent (a change by someone else within
        the same clock tick, to the same size, would go unseen)."""
        self.seen[str(path)] = written_input(path, content)


def written_input(path: Path | str, content: bytes) -> InputRecord:
    """The record of an input file the build itself has just written with ``content``
    (see ``InputHashes.wrote``)."""
    status = os.stat(path)
    return InputRecord(status.st_size, status.st_mtime_ns, status.st_ino, sha256_hex(content), True)


def memory_inputs(
    root: Path,
    memory: Mapping[str, bytes],
    written: Iterable[str],
    kept: Mapping[str, os.stat_result],
    hashes: Mapping[str, str],
) -> dict[str, InputRecord]:
    """The records of the memory files of a build (by project-relative path): those it ``written``
    with their content in ``memory``, and those it read and ``kept`` as they were (their status
    when read, their hashes in ``hashes``), so that the next build need not read them again."""
    records = {
        str(root / path): InputRecord(status.st_size, status.st_mtime_ns, status.st_ino, hashes[path], False)
        for path, status in kept.items()
    }
    return records | {str(root / path): written_input(root / path, memory[path]) for path in written}


@dataclass(frozen=True)
class _Kept:
    """The state this process last loaded or saved for an output folder, with its head as stored."""

    head_data: bytes
    head: StateHead
    state: BuildState | None  # None: only the head was read


# By cache folder and output folder: a process that builds again (``serve``) finds the state it
# saved or loaded without decoding it, as long as the stored head is, byte for byte, the one it
# knows (every save writes the head, with its time, in the same transaction as the rest). Only the
# last few are kept: a process that builds many projects (the tests) does not hold them all.
_kept: dict[tuple[str, str], _Kept] = {}
_KEPT_STATES = 2


def _keep(key: tuple[str, str], kept: _Kept) -> None:
    _kept.pop(key, None)
    _kept[key] = kept
    while len(_kept) > _KEPT_STATES:
        del _kept[next(iter(_kept))]


class BuildCache:
    """The cache of one project. Every method may raise ``sqlite3.Error`` or ``OSError``;
    a record that cannot be read discards the whole cache and leaves a note in ``notes``."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR
        self._connection: sqlite3.Connection | None = None
        self.notes: list[str] = []
        # The page records stored for an output folder, as loaded: a save writes only those that differ.
        self._stored: dict[str, dict[UnitKey, UnitRecord]] = {}

    def _discarded(self, reason: str) -> None:
        self.notes.append(
            f"{CACHE_DIR}/cache.sqlite: the build cache was damaged ({reason}) and was discarded; "
            "nothing in it was used"
        )

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / "cache.sqlite"
            try:
                self._connection = self._open(path)
            except sqlite3.DatabaseError as error:
                # Damaged, or not a database at all: start again from an empty cache.
                self._discarded(str(error))
                path.unlink(missing_ok=True)
                self._connection = self._open(path)
        return self._connection

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        connection = sqlite3.connect(path)
        try:
            (version,) = connection.execute("PRAGMA user_version").fetchone()
            if version != _SCHEMA:
                connection.executescript(
                    "DROP TABLE IF EXISTS state; DROP TABLE IF EXISTS scans; DROP TABLE IF EXISTS units;"
                    "DROP TABLE IF EXISTS renders;"
                    # One state per output folder: `serve` previews into its own. Its page records
                    # are rows of their own, so that an edit writes only those it changed; and each
                    # page's rendering (``_rendering``) a row of its own beside it, so that a
                    # template edit, which renders every page again, writes only those.
                    "CREATE TABLE state (output TEXT PRIMARY KEY, head BLOB NOT NULL, data BLOB NOT NULL);"
                    "CREATE TABLE units (output TEXT NOT NULL, page TEXT NOT NULL, language TEXT NOT NULL,"
                    " data BLOB NOT NULL, PRIMARY KEY (output, page, language));"
                    "CREATE TABLE renders (output TEXT NOT NULL, page TEXT NOT NULL, language TEXT NOT NULL,"
                    " data BLOB NOT NULL, PRIMARY KEY (output, page, language));"
                    # A scan's keys (``Scan.keys``) beside it: the link check compares a changed
                    # file with its last version by them, without reading that version's scan.
                    "CREATE TABLE scans (hash TEXT PRIMARY KEY, outline TEXT NOT NULL, links TEXT NOT NULL,"
                    " data BLOB NOT NULL);"
                    f"PRAGMA user_version = {_SCHEMA};"
                )
        except sqlite3.DatabaseError:
            connection.close()
            raise
        return connection

    def _discard(self, reason: str) -> None:
        """Forget everything stored: one bad record means nothing in the file can be trusted."""
        self._discarded(reason)
        self._stored.clear()
        for key in [key for key in _kept if key[0] == str(self.folder)]:
            del _kept[key]
        db = self._db()
        with db:
            db.execute("DELETE FROM state")
            db.execute("DELETE FROM units")
            db.execute("DELETE FROM renders")
            db.execute("DELETE FROM scans")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def load_head(self, output_dir: Path) -> StateHead | None:
        """The head of the last build's state, if it was made by this generator for ``output_dir``."""
        if not (self.folder / "cache.sqlite").exists():
            return None
        row = self._db().execute("SELECT head FROM state WHERE output = ?", (str(output_dir),)).fetchone()
        if row is None:
            return None
        data, key = bytes(row[0]), (str(self.folder), str(output_dir))
        kept = _kept.get(key)
        if kept is not None and kept.head_data == data:
            head = kept.head
        else:
            try:
                head = _read_head(data)
            except RecordError as error:
                self._discard(f"state of {output_dir}: {error}")
                return None
            _keep(key, _Kept(data, head, None))
        if head.generator != generator_digest():
            return None
        return head if head.output_dir == str(output_dir) else None

    def load(self, output_dir: Path, head: StateHead | None = None) -> BuildState | None:
        """The last build's state, if it was made by this generator for ``output_dir``
        (``head``: its head, already read by ``load_head``)."""
        head = head or self.load_head(output_dir)
        if head is None:
            return None
        db, output = self._db(), str(output_dir)
        kept = _kept.get((str(self.folder), output))
        if kept is not None and kept.head is head and kept.state is not None:
            self._stored[output] = kept.state.units
            return kept.state
        row = db.execute("SELECT data FROM state WHERE output = ?", (output,)).fetchone()
        try:
            if row is None:
                raise RecordError("its head is stored without the rest")
            body = _read_body(row[0])
            rows = db.execute(
                "SELECT units.page, units.language, units.data, renders.data FROM units LEFT JOIN renders"
                " ON renders.output = units.output AND renders.page = units.page AND renders.language = units.language"
                " WHERE units.output = ?",
                (output,),
            )
            units = {(page, language): _read_record(data, rendering) for page, language, data, rendering in rows}
        except RecordError as error:
            self._discard(f"state of {output_dir}: {error}")
            return None
        self._stored[output] = units
        state = BuildState(
            generator=head.generator,
            output_dir=head.output_dir,
            render_inputs=head.render_inputs,
            pages=head.pages,
            units=dict(units),
            site_wide=body.site_wide,
            outputs=body.outputs,
            warnings=body.warnings,
            inputs=head.inputs,
            saved_at=head.saved_at,
        )
        if kept is not None and kept.head is head:
            _keep((str(self.folder), output), replace(kept, state=state))
        return state

    def save(self, state: BuildState, scans: dict[str, Scan]) -> None:
        """Replace the state of ``state.output_dir`` (of its page records, those that differ from
        the ones ``load`` read) and add ``scans`` (by content hash), in one transaction; from time
        to time, drop the scans no site has any more."""
        db, output = self._db(), state.output_dir
        head = state_head(state)
        head_data = encode(head)
        with db:
            body = StateBody(state.site_wide, state.outputs, state.warnings)
            db.execute(
                "INSERT OR REPLACE INTO state (output, head, data) VALUES (?, ?, ?)", (output, head_data, encode(body))
            )
            stored = self._stored.pop(output, None)
            if stored is None:  # not loaded: what is stored is not known
                db.execute("DELETE FROM units WHERE output = ?", (output,))
                db.execute("DELETE FROM renders WHERE output = ?", (output,))
                stored = {}
            gone = [(output, page, language) for page, language in stored.keys() - state.units.keys()]
            db.executemany("DELETE FROM units WHERE output = ? AND page = ? AND language = ?", gone)
            db.executemany("DELETE FROM renders WHERE output = ? AND page = ? AND language = ?", gone)
            changed = [(key, unit, stored.get(key)) for key, unit in state.units.items() if stored.get(key) != unit]
            db.executemany(
                "INSERT OR REPLACE INTO units (output, page, language, data) VALUES (?, ?, ?, ?)",
                (
                    (output, *key, encode(_unit_itself(unit)))
                    for key, unit, old in changed
                    if old is None or _unit_itself(old) != _unit_itself(unit)
                ),
            )
            db.executemany(
                "INSERT OR REPLACE INTO renders (output, page, language, data) VALUES (?, ?, ?, ?)",
                (
                    (output, *key, encode_rendering(unit))
                    for key, unit, old in changed
                    if old is None or _rendering(old) != _rendering(unit)
                ),
            )
            db.executemany(
                "INSERT OR IGNORE INTO scans (hash, outline, links, data) VALUES (?, ?, ?, ?)",
                ((key, *scan.keys, encode_scan(scan)) for key, scan in scans.items()),
            )
            (scans_stored,) = db.execute("SELECT COUNT(*) FROM scans").fetchone()
            if scans_stored > 3 * len(state.outputs) + 1000:
                live = {entry.hash for entry in state.outputs.values()}
                for output, data in db.execute("SELECT output, data FROM state"):
                    if output != state.output_dir:
                        with contextlib.suppress(RecordError):  # a bad state is discarded when it is loaded
                            live.update(entry.hash for entry in _read_body(data).outputs.values())
                kept = {row[0] for row in db.execute("SELECT hash FROM scans")}
                db.executemany("DELETE FROM scans WHERE hash = ?", ((key,) for key in kept - live))
        self._stored[output] = dict(state.units)
        _keep((str(self.folder), output), _Kept(head_data, head, state))

    def scans(self, hashes: Iterable[str]) -> dict[str, Scan]:
        """The stored scans of these content hashes (those that are stored)."""
        found: dict[str, Scan] = {}
        for key, data in self._scan_rows("data", hashes):
            try:
                found[key] = _scan_reader()(data)
            except RecordError as error:
                self._discard(f"scan of {key[:12]}: {error}")
                return {}
        return found

    def scan_keys(self, hashes: Iterable[str]) -> dict[str, ScanKeys]:
        """The keys (``Scan.keys``) of the stored scans of these content hashes."""
        found: dict[str, ScanKeys] = {}
        for key, outline, links in self._scan_rows("outline, links", hashes):
            if not isinstance(outline, str) or not isinstance(links, str):
                self._discard(f"keys of the scan of {key[:12]}: not text")
                return {}
            found[key] = outline, links
        return found

    def _scan_rows(self, columns: str, hashes: Iterable[str]) -> Iterator[tuple[Any, ...]]:
        wanted = list(dict.fromkeys(hashes))
        if not wanted or not (self.folder / "cache.sqlite").exists():
            return
        db = self._db()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            yield from db.execute(f"SELECT hash, {columns} FROM scans WHERE hash IN ({marks})", chunk)


@contextlib.contextmanager
def open_cache(root: Path, enabled: bool = True) -> Iterator[BuildCache | None]:
    """The build cache of the project at ``root`` (None when not ``enabled``), closed afterwards."""
    store = BuildCache(root) if enabled else None
    try:
        yield store
    finally:
        if store is not None:
            store.close()


def last_head(store: BuildCache | None, output_dir: Path) -> StateHead | None:
    """The head of the last build's state for ``output_dir``; None without one (an unreadable cache
    is an empty one)."""
    if store is None:
        return None
    try:
        return store.load_head(output_dir)
    except (OSError, sqlite3.Error):
        return None


def last_state(store: BuildCache | None, output_dir: Path, head: StateHead | None = None) -> BuildState | None:
    """The last build's state for ``output_dir`` (``head``: its head, already read by ``last_head``);
    None without one (an unreadable cache is an empty one)."""
    if store is None:
        return None
    try:
        return store.load(output_dir, head)
    except (OSError, sqlite3.Error):
        return None


_read_head = decoder(StateHead)
_read_body = decoder(StateBody)
# A page record is stored in two rows: the page itself, and its rendering (what a template edit changes).
_UnitItself = tuple[str, PageInfo, tuple[Problem, ...]]
_Rendering = tuple[str | None, tuple[tuple[str, str], ...], str | None]
_read_unit_itself: Callable[[bytes], _UnitItself] = decoder(cast(Any, _UnitItself))
_read_rendering: Callable[[bytes], _Rendering] = decoder(cast(Any, _Rendering))


def _unit_itself(unit: UnitRecord) -> _UnitItself:
    return unit.key, unit.info, unit.warnings


def _rendering(unit: UnitRecord) -> _Rendering:
    return unit.render_key, unit.outputs, unit.view_key


def encode_rendering(unit: UnitRecord) -> bytes:
    """``encode(_rendering(unit))``, written directly: its fields are text, None and pairs of text,
    which ``json`` writes as ``encode`` does, and a template edit stores the rendering of every page."""
    return json.dumps(_rendering(unit), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _read_record(data: bytes, rendering: bytes | None) -> UnitRecord:
    """A page record from its two rows; raises ``RecordError`` when either is not what it should be."""
    if rendering is None:
        raise RecordError("a page record is stored without its rendering")
    key, info, warnings = _read_unit_itself(data)
    render_key, outputs, view_key = _read_rendering(rendering)
    return UnitRecord(key, info, warnings, render_key, outputs, view_key)


def encode_scan(scan: Scan) -> bytes:
    """``records.encode(scan)``, written directly: a template edit stores a new scan of every page,
    and ``encode`` would look at each of its links on its own (twice the time). Its fields' types
    are the record's: ``_scan_reader`` reads it as any record."""
    problems = [[problem.path, problem.line, problem.message] for problem in scan.problems]
    record = [problems, sorted(scan.ids), scan.links, scan.alternates, scan.html]
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@functools.cache
def _scan_reader() -> Callable[[bytes], Scan]:
    from .check.links import Scan  # the link check's: not loaded by a build with nothing changed

    return decoder(Scan)


def begin_cache_file(path: Path, table: str, columns: str, schema: str, made_anew: bool) -> sqlite3.Connection:
    """A connection to the content-addressed cache file ``path`` (WAL: readers see the last
    commit while it writes), in a transaction (``BEGIN IMMEDIATE``), with ``table`` made of
    ``columns`` and emptied when the file's schema is not ``schema``. With ``made_anew``, the
    file and its journals are removed first. Raises ``sqlite3.Error``; nothing is left open then."""
    if made_anew:
        for leftover in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
        db.execute("BEGIN IMMEDIATE")
        stored = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        if stored is not None and stored[0] != schema:
            db.execute(f"DELETE FROM {table}")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (schema,))
    except BaseException:
        db.close()
        raise
    return db
