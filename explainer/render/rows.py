"""Rows of the translation dashboards, each rendered by its own template and kept by what it shows.

A dashboard lists every page in every language, and a one-paragraph edit changes the rows of
one page. ``RowCache`` keeps the HTML of each row rendered by ``templates/status_row.html``,
keyed by the hash of everything it was rendered from: the row's data, the dashboard's
language and section, and the build's render inputs (templates, UI catalogs, configuration,
generator; a template edit changes them, so every row is rendered again). Rows are kept in
their own SQLite file, ``.cache/explainer/rows.sqlite`` (reads and writes disk); deleting it
only costs time, and a damaged file is started again. Without a folder (``check``), nothing
is kept: every row is rendered.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..fsutil import digest

ROW_TEMPLATE = "status_row.html"
ROWS_FILE = "rows.sqlite"
_SCHEMA = 1
_CHUNK = 500  # keys per query: below SQLite's limit on parameters


class RowCache:
    """HTML of dashboard rows by key (``key``); every method may raise ``sqlite3.Error`` or
    ``OSError``, which ``known`` and ``keep`` turn into a cache that keeps nothing."""

    def __init__(self, folder: Path | None, inputs: str) -> None:
        self.folder = folder
        self.inputs = inputs  # what every row depends on: the build's render inputs
        self.used: set[str] = set()  # the keys of this build's rows
        self._connection: sqlite3.Connection | None = None

    def key(self, *parts: str) -> str:
        return digest(self.inputs, *parts)

    def _db(self) -> sqlite3.Connection | None:
        if self.folder is None:
            return None
        if self._connection is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / ROWS_FILE
            try:
                self._connection = _open(path)
            except sqlite3.DatabaseError:
                path.unlink(missing_ok=True)  # damaged, or not a database: start again
                self._connection = _open(path)
        return self._connection

    def known(self, keys: Iterable[str]) -> dict[str, str]:
        """The HTML of the rows of ``keys`` that are kept."""
        wanted = list(dict.fromkeys(keys))
        self.used.update(wanted)
        found: dict[str, str] = {}
        try:
            db = self._db()
            if db is None:
                return found
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                found.update(db.execute(f"SELECT key, html FROM rows WHERE key IN ({marks})", chunk).fetchall())
        except (OSError, sqlite3.Error):
            self._forget()
            return {}
        return {key: html for key, html in found.items() if isinstance(html, str)}

    def keep(self, rows: Mapping[str, str]) -> None:
        """Keep the HTML of rows just rendered (by key)."""
        try:
            db = self._db()
            if db is None or not rows:
                return
            with db:
                db.executemany("INSERT OR REPLACE INTO rows (key, html) VALUES (?, ?)", rows.items())
        except (OSError, sqlite3.Error):
            self._forget()

    def close(self) -> None:
        """Drop the rows no build has used lately (when they outnumber this build's), then close."""
        if self._connection is None:
            return
        with contextlib.suppress(sqlite3.Error):
            db = self._connection
            (stored,) = db.execute("SELECT COUNT(*) FROM rows").fetchone()
            if stored > 3 * len(self.used) + 1000:
                with db:
                    db.execute("CREATE TEMP TABLE used (key TEXT PRIMARY KEY)")
                    db.executemany("INSERT OR IGNORE INTO used (key) VALUES (?)", ((key,) for key in self.used))
                    db.execute("DELETE FROM rows WHERE key NOT IN (SELECT key FROM used)")
        self._connection.close()
        self._connection = None

    def _forget(self) -> None:
        """A file that fails to read or write is not used again in this build."""
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
        self._connection = None
        self.folder = None


def _open(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    try:
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        if version != _SCHEMA:
            connection.executescript(
                "DROP TABLE IF EXISTS rows;"
                "CREATE TABLE rows (key TEXT PRIMARY KEY, html TEXT NOT NULL);"
                f"PRAGMA user_version = {_SCHEMA};"
            )
    except sqlite3.DatabaseError:
        connection.close()
        raise
    return connection
