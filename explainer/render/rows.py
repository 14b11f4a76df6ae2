"""Rows of the translation dashboards, each rendered by its own template and kept by what it shows.

A dashboard lists every page in every language, and a one-paragraph edit changes the rows of
one page. ``RowCache`` keeps the HTML of each row rendered by ``templates/status_row.html``,
keyed by the hash of everything it was rendered from: the row's data, the dashboard's
language and section, and ``row_inputs`` (the row template and the templates it names, the UI
catalogs, the configuration, the generator): an edit of another template keeps every row, an
edit of the row template renders every row again. Rows are kept in
their own SQLite file, ``.cache/explainer/rows.sqlite`` (reads and writes disk); deleting it
only costs time, and a damaged file is started again. Without a folder (``check``), nothing
is kept: every row is rendered. A long-lived process (the preview) may also keep the last build's
rows in memory (``kept_in_process``), so that its next build does not read them from the file again,
and each section as that build made it, so that the next changes only the rows of pages that changed.
"""

from __future__ import annotations

import contextlib
import json
import operator
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, overload

from ..cache import generator_digest
from ..check.links import known_pieces, piece_read
from ..fsutil import digest, file_digest
from ..model import STATUS_PATH, PageInfo, State
from ..urls import page_dir, relative_url

if TYPE_CHECKING:
    from markupsafe import Markup

    from .renderer import Renderer

ROW_TEMPLATE = "status_row.html"
ROWS_FILE = "rows.sqlite"
_SCHEMA = 3  # 2: the rows of the last build's dashboards remembered (``memo``); 3: each row's read
_CHUNK = 500  # keys per query: below SQLite's limit on parameters
_SPARE = 1000  # rows kept beyond three times a build's before the unused ones are dropped


@dataclass(frozen=True)
class RowData:
    """What a page's row of a dashboard shows (with the dashboard's language and section: its key)."""

    path: str
    language: str  # the page's language (the section's)
    title: str  # in the dashboard's language where the page has one
    title_language: str | None  # the title's language, when it is not the dashboard's
    published: bool
    noindex: bool
    counts: tuple[int, ...]  # segments in each state (``PageInfo.counts``)


def row_data(renderer: Renderer, info: PageInfo, language: str) -> RowData:
    """The row of ``info`` on the dashboard of ``language``."""
    site_map = renderer.site_map
    path = info.path
    titled = (path, language) in site_map.titles
    return RowData(
        path,
        info.language,
        site_map.titles.get((path, language)) or info.page_title,
        renderer.fallback_language(path, language) if titled else renderer.config.source_language,
        site_map.is_published(path, info.language),
        site_map.is_noindex(path, info.language),
        info.counts,
    )


def status_row(row: RowData, current: str) -> SimpleNamespace:
    """The row as templates see it (``row``), on the dashboard in folder ``current``."""
    counts = dict(zip(State, row.counts, strict=True))
    total = sum(row.counts) or 1
    # Objects, not dicts: Jinja reads attributes first, and a dashboard has thousands of rows.
    return SimpleNamespace(
        title=row.title,
        lang=row.title_language,
        url=relative_url(current, page_dir(row.language, row.path)) if row.published else None,
        published=row.published,
        noindex=row.noindex,
        shares=SimpleNamespace(**{state.value: counts[state] / total for state in State if state is not State.SOURCE}),
        total=total,
    )


class StatusRows(Sequence[SimpleNamespace]):
    """A section's rows as templates see them, each made (with its data) when a template reads it."""

    def __init__(self, renderer: Renderer, infos: Sequence[PageInfo], language: str) -> None:
        self.renderer = renderer
        self.infos = infos  # the section's pages
        self.language = language  # the dashboard's
        self.current = page_dir(language, STATUS_PATH)

    def _row(self, info: PageInfo) -> SimpleNamespace:
        return status_row(row_data(self.renderer, info, self.language), self.current)

    @overload
    def __getitem__(self, index: int) -> SimpleNamespace: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[SimpleNamespace]: ...

    def __getitem__(self, index: int | slice) -> SimpleNamespace | Sequence[SimpleNamespace]:
        if isinstance(index, slice):
            return [self._row(info) for info in self.infos[index]]
        return self._row(self.infos[index])

    def __len__(self) -> int:
        return len(self.infos)


def row_inputs(renderer: Renderer) -> str:
    """What every dashboard row's HTML depends on besides what it shows: the generator, the
    configuration, the UI catalogs, and the row template with every template it names (include,
    import, extends), followed through those. A row template that names one by an expression
    could render any: then every template counts."""
    config = renderer.config
    inputs = renderer.templates()
    sources = inputs.named(ROW_TEMPLATE)
    templates = inputs.tree if sources is None else digest(*sources)
    catalogs = (file_digest(config.ui_catalog(code)) for code in config.language_codes)
    return digest(generator_digest(), repr(config), templates, *catalogs)


def rows_html(
    renderer: Renderer, language: str, section: dict[str, Any], infos: Sequence[PageInfo], cache: RowCache
) -> list[Markup]:
    """The HTML of each row of a dashboard's ``section`` (a row for each page of ``infos``): kept in
    ``cache``, or rendered by the row template, which sees the row, its section (not its rows) and
    the dashboard's language. A row whose pages are as the last build saw them (``RowCache.page_stamps``)
    takes its key from the last build (``RowCache.remembered``): neither its data nor its key is made
    again; within ``kept_in_process``, the last build's section is taken whole (``RowCache.held``) and
    only its rows whose pages changed are made again."""
    from markupsafe import Markup

    site_map = renderer.site_map
    shown = repr(sorted(section.items()))
    # What every row of the section shows besides its own pages: the configuration (in the
    # cache's inputs), the languages open to readers, the dashboard's language and the section.
    basis = cache.key(language, shown, repr((site_map.live, site_map.previewed)))
    paths = tuple(map(operator.attrgetter("path"), infos))
    data: dict[int, RowData] = {}  # the rows whose data is made now, by position
    held = cache.held(basis, paths)
    if held is not None:
        keys, html = list(held.keys), list(held.html)
        for index in cache.changed_rows(held):
            data[index] = row = row_data(renderer, infos[index], language)
            keys[index] = cache.key(language, shown, repr(row))
        cache.used.update(keys)
        known = cache.known(keys[index] for index in data)
    else:
        remembered = cache.remembered(basis)
        keys = []
        for index, info in enumerate(infos):
            key = remembered.get(info.path)
            if key is None:
                data[index] = row = row_data(renderer, info, language)
                key = cache.key(language, shown, repr(row))
            keys.append(key)
        known = cache.known(keys)
        # A remembered row whose HTML is no longer kept: its data and its key are made again.
        lost = [index for index, key in enumerate(keys) if key not in known and index not in data]
        for index in lost:
            data[index] = row = row_data(renderer, infos[index], language)
            keys[index] = cache.key(language, shown, repr(row))
        if lost:
            known.update(cache.known(keys[index] for index in lost))
        html = [Markup(known[key]) if key in known else Markup() for key in keys]
    fresh = _rendered_rows(renderer, language, section, [(keys[index], data[index]) for index in data], known)
    cache.keep(fresh)
    for index in data:
        key = keys[index]
        html[index] = Markup(known[key] if key in known else fresh[key])
    cache.remember(basis, paths, keys, html, held)
    return html


def _rendered_rows(
    renderer: Renderer,
    language: str,
    section: dict[str, Any],
    rows: list[tuple[str, RowData]],
    known: Mapping[str, str],
) -> dict[str, str]:
    """The HTML of the ``rows`` (key, data) whose keys are not ``known``, rendered, by key."""
    config = renderer.config
    current = page_dir(language, STATUS_PATH)
    context = {
        "lang": language,
        "dir": config.language(language).direction,
        "site": config.language(language),
        "source_language": config.source_language,
        "source_direction": config.language(config.source_language).direction,
        "section": SimpleNamespace(**section),
    }
    fresh: dict[str, str] = {}
    for key, row in rows:
        if key in known or key in fresh:
            continue
        line = status_row(row, current)
        html = renderer.render(language, ROW_TEMPLATE, "a row of the translation dashboard", **context, row=line)
        fresh[key] = html.decode("utf-8")
    return fresh


@dataclass(frozen=True)
class _Section:
    """A section of a dashboard as a build of this process made it (``kept_in_process``)."""

    paths: tuple[str, ...]  # the pages of its rows, in order
    keys: tuple[str, ...]  # each row's key
    html: tuple[Markup, ...]  # each row's HTML
    stamps: dict[str, str]  # the stamps of the pages when it was made (``RowCache.page_stamps``)
    positions: dict[str, int]  # each page's row, by page path


@dataclass
class _Recent:
    """What the last build of this process read and wrote of the rows file (``kept_in_process``)."""

    rows: dict[str, str]  # the HTML of its rows, by key
    memo_text: str | None = None  # the memo as stored, and as read (``_Memo``)
    memo: _Memo | None = None
    sections: dict[str, _Section] = field(default_factory=dict)  # by basis (``rows_html``)


_recent: _Recent | None = None  # while ``kept_in_process`` is on


@contextlib.contextmanager
def kept_in_process() -> Iterator[None]:
    """Within the block, each build's rows stay in this process's memory for the next build: their
    HTML (by key, which names everything a row is rendered from, so a kept row is the row the file
    holds), the memo as last read or written, and each section as made (its rows in order, so that
    the next build changes only the rows of the pages that changed). For a process that builds again and again (the
    preview); a single build would only hold them longer (at 10,000 pages, some 50 MB)."""
    global _recent
    _recent = _Recent({})
    try:
        yield
    finally:
        _recent = None


class RowCache:
    """HTML of dashboard rows by key (``key``); every method may raise ``sqlite3.Error`` or
    ``OSError``, which ``known`` and ``keep`` turn into a cache that keeps nothing."""

    def __init__(self, folder: Path | None, inputs: str) -> None:
        self.folder = folder
        self.inputs = inputs  # what every row depends on: the build's render inputs
        self.used: set[str] = set()  # the keys of this build's rows
        self.pending: dict[str, str] = {}  # rows rendered by this build, written by ``close``
        self._connection: sqlite3.Connection | None = None
        self._stamped: Sequence[PageInfo] | None = None  # the pages ``stamps`` was made of
        self.stamps: dict[str, str] = {}  # page path -> its stamp (``page_stamps``)
        self._last: _Memo | None = None  # the last build's memo, once read
        self.sections: dict[str, dict[str, str]] = {}  # this build's: section's basis -> page path -> row key
        # This build's sections, kept for the next build within ``kept_in_process`` only (elsewhere
        # each dashboard's rows are let go once it is made: 120,000 rows at 10,000 pages).
        self.made: dict[str, _Section] = {}
        # ``changed_rows``' last answer: the stamps it compared (then and now) and the pages that differ.
        self._changed: tuple[dict[str, str], dict[str, str], list[str]] | None = None

    def key(self, *parts: str) -> str:
        return digest(self.inputs, *parts)

    def page_stamps(self, infos: Sequence[PageInfo]) -> None:
        """Stamp each page of ``infos`` (every page in every language) with the digests of what it
        shows in each language (``PageInfo.digest``): a row shows one page, so a row remembered from a
        build that saw its page with the same stamp is the same row."""
        if infos is self._stamped:
            return
        digests: dict[str, list[str]] = {}
        for info in infos:
            digests.setdefault(info.path, []).append(info.language + ":" + info.digest)
        self.stamps = {path: " ".join(parts) for path, parts in digests.items()}
        self._stamped = infos

    def remembered(self, basis: str) -> dict[str, str]:
        """The row keys (by page path) the last build gave the section of ``basis``, of the pages whose
        stamps are the same now (``page_stamps``)."""
        last = self._memo()
        rows = last.sections.get(basis)
        if not isinstance(rows, dict):
            return {}
        stamps, old = self.stamps, last.pages
        return {
            path: key
            for path, key in rows.items()
            if isinstance(key, str) and (stamp := stamps.get(path)) is not None and old.get(path) == stamp
        }

    def remember(
        self, basis: str, paths: tuple[str, ...], keys: list[str], html: list[Markup], held: _Section | None
    ) -> None:
        """Remember the rows of the section of ``basis`` (the pages, keys and HTML of its rows, in
        order; ``held``: the section they were made from), for the next build: the keys by page
        path in the file, the section in this process."""
        self.sections[basis] = dict(zip(paths, keys, strict=True))
        if _recent is not None and self.folder is not None:
            # A section made from ``held`` has its pages, in the same order.
            positions = held.positions if held is not None else {path: index for index, path in enumerate(paths)}
            self.made[basis] = _Section(paths, tuple(keys), tuple(html), self.stamps, positions)

    def held(self, basis: str, paths: tuple[str, ...]) -> _Section | None:
        """The section of ``basis`` as the last build of this process made it (``kept_in_process``),
        if it has the rows of ``paths``, in that order."""
        if _recent is None or self.folder is None:
            return None
        section = _recent.sections.get(basis)
        return section if section is not None and section.paths == paths else None

    def changed_rows(self, section: _Section) -> list[int]:
        """The positions in ``section`` of the rows whose pages' stamps changed since it was made."""
        old, now = section.stamps, self.stamps
        if self._changed is None or self._changed[0] is not old or self._changed[1] is not now:
            self._changed = (old, now, [path for path, stamp in now.items() if old.get(path) != stamp])
        positions = section.positions
        return sorted(positions[path] for path in self._changed[2] if path in positions)

    def _memo(self) -> _Memo:
        if self._last is None:
            self._last = _Memo({}, {})
            try:
                db = self._db()
                found = db.execute("SELECT data FROM memo WHERE name = 'dashboards'").fetchone() if db else None
                if found and _recent is not None and _recent.memo is not None and found[0] == _recent.memo_text:
                    self._last = _recent.memo  # as this process last read or wrote it
                    return self._last
                data = json.loads(found[0]) if found else None
            except (OSError, sqlite3.Error, ValueError, TypeError):
                self._forget()
                return self._last
            if isinstance(data, dict) and all(isinstance(data.get(part), dict) for part in ("pages", "sections")):
                self._last = _Memo(data["pages"], data["sections"])
                if _recent is not None and found:
                    _recent.memo_text, _recent.memo = found[0], self._last
        return self._last

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
        if _recent is not None and self.folder is not None:
            found = {key: _recent.rows[key] for key in wanted if key in _recent.rows}
            wanted = [key for key in wanted if key not in found]
        reads: dict[str, str] = {}  # what the link check read of each row, by its HTML
        try:
            db = self._db()
            if db is None or not wanted:
                return found
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for key, html, read in db.execute(f"SELECT key, html, read FROM rows WHERE key IN ({marks})", chunk):
                    found[key] = html
                    if isinstance(html, str) and isinstance(read, str):
                        reads[html] = read
        except (OSError, sqlite3.Error):
            self._forget()
            return {}
        known_pieces(reads)  # the dashboards are checked without reading their rows again
        return {key: html for key, html in found.items() if isinstance(html, str)}

    def keep(self, rows: Mapping[str, str]) -> None:
        """Keep the HTML of rows just rendered (by key), written by ``close``."""
        self.pending.update(rows)

    def close(self) -> None:
        """Write the rows rendered by this build, in one transaction; drop those no build has used
        lately (when they outnumber this build's); close. A build that looked up no row (its
        dashboards carried over) leaves the file as it is: it says nothing of which rows are used."""
        if not self.used:
            self._forget()
            return
        try:
            db = self._db()
            if db is None:
                return
            memo = None
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO rows (key, html, read) VALUES (?, ?, ?)",
                    ((key, html, piece_read(html)) for key, html in self.pending.items()),
                )
                if self.sections:  # else the last memo stays: it holds the stamps its keys were made with
                    memo = json.dumps({"pages": self.stamps, "sections": self.sections}, separators=(",", ":"))
                    db.execute("INSERT OR REPLACE INTO memo (name, data) VALUES ('dashboards', ?)", (memo,))
        except (OSError, sqlite3.Error):
            self._forget()
            return
        if _recent is not None:  # what this build used, for the next one (see ``kept_in_process``)
            _recent.rows = {
                key: html for made in self.made.values() for key, html in zip(made.keys, made.html, strict=True)
            }
            _recent.sections = self.made
            if memo is not None:
                _recent.memo_text, _recent.memo = memo, _Memo(dict(self.stamps), dict(self.sections))
        with contextlib.suppress(sqlite3.Error):
            (stored,) = db.execute("SELECT COUNT(*) FROM rows").fetchone()
            if stored > 3 * len(self.used) + _SPARE:
                with db:
                    db.execute("CREATE TEMP TABLE used (key TEXT PRIMARY KEY)")
                    db.executemany("INSERT OR IGNORE INTO used (key) VALUES (?)", ((key,) for key in self.used))
                    db.execute("DELETE FROM rows WHERE key NOT IN (SELECT key FROM used)")
        db.close()
        self._connection = None

    def _forget(self) -> None:
        """A file that fails to read or write is not used again in this build."""
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
        self._connection = None
        self.folder = None


@dataclass(frozen=True)
class _Memo:
    """The rows of the last build's dashboards: each page's stamp (``RowCache.page_stamps``) and,
    by section's basis, each page's row key (as read: shapes are checked where they are used)."""

    pages: dict[str, object]
    sections: dict[str, object]


def _open(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    try:
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        if version != _SCHEMA:
            connection.executescript(
                "DROP TABLE IF EXISTS rows; DROP TABLE IF EXISTS memo;"
                # Each row with what the link check reads of it (``check.links.piece_read``): a
                # build that shows it again does not read it again (NULL: not known to the build
                # that made it).
                "CREATE TABLE rows (key TEXT PRIMARY KEY, html TEXT NOT NULL, read TEXT);"
                # The row keys of the last build's dashboards, with the stamps of the pages they show.
                "CREATE TABLE memo (name TEXT PRIMARY KEY, data TEXT NOT NULL);"
                f"PRAGMA user_version = {_SCHEMA};"
            )
    except sqlite3.DatabaseError:
        connection.close()
        raise
    return connection
