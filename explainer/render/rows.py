"""Rows of the translation dashboards, each rendered by its own template and kept by what it shows.

A dashboard lists every page in every language, and a one-paragraph edit changes the rows of
one page. ``RowCache`` keeps the HTML of each row rendered by ``templates/status_row.html``,
keyed by the hash of everything it was rendered from: the row's data, the dashboard's
language and section, and ``row_inputs`` (the row template and the templates it names, the UI
catalogs, the configuration, the generator): an edit of another template keeps every row, an
edit of the row template renders every row again. Rows are kept in
their own SQLite file, ``.cache/explainer/rows.sqlite`` (reads and writes disk); deleting it
only costs time, and a damaged file is started again. Without a folder (``check``), nothing
is kept: every row is rendered.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, overload

from ..cache import generator_digest, tree_digest
from ..fsutil import digest, file_digest
from ..model import STATUS_PATH, PageInfo, State
from ..urls import page_dir, relative_url

if TYPE_CHECKING:
    import jinja2

    from .renderer import Renderer

ROW_TEMPLATE = "status_row.html"
ROWS_FILE = "rows.sqlite"
_SCHEMA = 1
_CHUNK = 500  # keys per query: below SQLite's limit on parameters


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
    """A section's rows as templates see them, each made when a template reads it."""

    def __init__(self, rows: Sequence[RowData], current: str) -> None:
        self.rows = rows
        self.current = current

    @overload
    def __getitem__(self, index: int) -> SimpleNamespace: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[SimpleNamespace]: ...

    def __getitem__(self, index: int | slice) -> SimpleNamespace | Sequence[SimpleNamespace]:
        if isinstance(index, slice):
            return [status_row(row, self.current) for row in self.rows[index]]
        return status_row(self.rows[index], self.current)

    def __len__(self) -> int:
        return len(self.rows)


def row_inputs(renderer: Renderer) -> str:
    """What every dashboard row's HTML depends on besides what it shows: the generator, the
    configuration, the UI catalogs, and the row template with every template it names (include,
    import, extends), followed through those. A row template that names one by an expression
    could render any: then every template counts."""
    config = renderer.config
    sources = _named_templates(renderer.environments[config.source_language], ROW_TEMPLATE)
    templates = tree_digest(config.templates_dir) if sources is None else digest(*sources)
    catalogs = (file_digest(config.ui_catalog(code)) for code in config.language_codes)
    return digest(generator_digest(), repr(config), templates, *catalogs)


def _named_templates(environment: jinja2.Environment, name: str) -> list[str] | None:
    """The names and sources of template ``name`` and of the templates it names, or None if one
    is named by an expression (``include some_variable``)."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, meta

    assert environment.loader is not None
    parts: list[str] = []
    pending, seen = [name], {name}
    while pending:
        current = pending.pop()
        try:
            source = environment.loader.get_source(environment, current)[0]
            named = list(meta.find_referenced_templates(environment.parse(source)))
        except TemplateNotFound:
            source, named = "absent", []  # rendering says so, if the row template needs it
        except TemplateSyntaxError:
            named = []  # rendering reports it, with its line
        if any(other is None for other in named):
            return None
        parts += [current, source]
        for other in named:
            if other is not None and other not in seen:
                seen.add(other)
                pending.append(other)
    return parts


def rows_html(
    renderer: Renderer, language: str, section: dict[str, Any], rows: Sequence[RowData], cache: RowCache
) -> list[str]:
    """The HTML of each row of a dashboard's ``section``: kept in ``cache``, or rendered by the row
    template, which sees the row, its section (not its rows) and the dashboard's language."""
    from markupsafe import Markup

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
    shown = repr(sorted(section.items()))
    keys = [cache.key(language, shown, repr(row)) for row in rows]
    known = cache.known(keys)
    fresh: dict[str, str] = {}
    for key, row in zip(keys, rows, strict=True):
        if key not in known and key not in fresh:
            line = status_row(row, current)
            html = renderer.render(language, ROW_TEMPLATE, "a row of the translation dashboard", **context, row=line)
            fresh[key] = html.decode("utf-8")
    cache.keep(fresh)
    return [Markup(known[key] if key in known else fresh[key]) for key in keys]


class RowCache:
    """HTML of dashboard rows by key (``key``); every method may raise ``sqlite3.Error`` or
    ``OSError``, which ``known`` and ``keep`` turn into a cache that keeps nothing."""

    def __init__(self, folder: Path | None, inputs: str) -> None:
        self.folder = folder
        self.inputs = inputs  # what every row depends on: the build's render inputs
        self.used: set[str] = set()  # the keys of this build's rows
        self.pending: dict[str, str] = {}  # rows rendered by this build, written by ``close``
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
        """Keep the HTML of rows just rendered (by key), written by ``close``."""
        self.pending.update(rows)

    def close(self) -> None:
        """Write the rows rendered by this build, in one transaction; drop those no build has used
        lately (when they outnumber this build's); close."""
        try:
            db = self._db()
            if db is None:
                return
            with db:
                db.executemany("INSERT OR REPLACE INTO rows (key, html) VALUES (?, ?)", self.pending.items())
        except (OSError, sqlite3.Error):
            self._forget()
            return
        with contextlib.suppress(sqlite3.Error):
            (stored,) = db.execute("SELECT COUNT(*) FROM rows").fetchone()
            if stored > 3 * len(self.used) + 1000:
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
