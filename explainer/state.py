"""What one build leaves for the next (``BuildState``), as records: no disk.

The build cache (``cache``) stores a state in parts: its head (``StateHead``: the input files as
hashed, and digests of the rest), enough to find that nothing changed, is read first; the rest
(``StateBody``, and each ``UnitRecord`` on its own) only when something did. ``plan`` compares both
with the inputs now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Protocol

from .errors import Problem
from .fsutil import digest, sha256_hex
from .model import PageInfo
from .write.listing import FileStatus

UnitKey = tuple[str, str]  # (page path, language): a page in one language


@dataclass(frozen=True)
class UnitRecord:
    """One page in one language, as the last build left it."""

    key: str  # hash of its inputs: page sources, memory file, configuration, glossary
    info: PageInfo
    warnings: tuple[Problem, ...]
    render_key: str | None = None  # what its files were rendered from; None: not published
    outputs: tuple[tuple[str, str], ...] = ()  # (site path, content hash) of its files
    view_key: str | None = None  # what its side-by-side view was rendered from (a translation's)


@dataclass(frozen=True)
class SourceRecord:
    """A content file as the last build read it."""

    hash: str
    data_file: str | None  # the data file its page was read with (timeline, glossary)


@dataclass(frozen=True)
class OutputRecord:
    """A file of the site as the last build left it: its hash, and its status when written."""

    hash: str
    size: int
    mtime_ns: int
    inode: int

    @property
    def status(self) -> FileStatus:
        return FileStatus(self.size, self.mtime_ns, self.inode)


@dataclass(frozen=True)
class InputRecord:
    """An input file as last hashed."""

    size: int
    mtime_ns: int
    inode: int
    hash: str
    written: bool  # by the build itself

    @property
    def status(self) -> FileStatus:
        return FileStatus(self.size, self.mtime_ns, self.inode)


@dataclass(frozen=True)
class BuildState:
    """Everything the next build needs from the last one."""

    generator: str
    output_dir: str
    render_inputs: str = ""  # hash of templates, UI catalogs, configuration and generator
    pages: dict[str, SourceRecord] = field(default_factory=dict)  # by source file
    units: dict[UnitKey, UnitRecord] = field(default_factory=dict)
    site_wide: dict[str, str] = field(default_factory=dict)  # site path -> key of what it shows
    outputs: dict[str, OutputRecord] = field(default_factory=dict)  # by site path
    warnings: tuple[Problem, ...] = ()  # warnings not tied to one page (UI catalogs)
    inputs: dict[str, InputRecord] = field(default_factory=dict)  # input files as last hashed, by path
    saved_at: int = 0  # time.time_ns(): when the state was saved


@dataclass(frozen=True)
class StateHead:
    """What a build needs of the last one's state to find that nothing changed, stored apart from
    the rest and read first (a state of 1,000 pages in 4 languages is 6 MB; its head, 0.8 MB): the
    input files as hashed, and digests of the pages' keys and of the site's files, which ``plan``
    compares with the same digests of the inputs now (``unit_digest``, ``site_digest``)."""

    generator: str
    output_dir: str
    render_inputs: str
    pages: dict[str, SourceRecord]  # by source file
    inputs: dict[str, InputRecord]  # input files as last hashed, by path
    saved_at: int
    units: str  # ``unit_digest`` of every page in every language with its key
    outputs: str  # ``site_digest`` of every file of the site with its status as written
    output_count: int
    warnings: tuple[Problem, ...]  # every warning of the last build: said again when nothing changed


@dataclass(frozen=True)
class StateBody:
    """The rest of a ``BuildState`` but its page records (stored one by one): what a build that does
    something needs."""

    site_wide: dict[str, str]
    outputs: dict[str, OutputRecord]
    warnings: tuple[Problem, ...]


def unit_digest(keys: Iterable[tuple[str, str, str]]) -> str:
    """The digest of pages in languages with their keys, as (page path, language, key), in any order."""
    return digest(*(part for unit in sorted(keys) for part in unit))


def site_digest(statuses: Mapping[str, FileStatus]) -> str:
    """The digest of files with their statuses (by site path)."""
    # A path holds no NUL; names not in UTF-8 (a stray file) are hashed as their bytes.
    text = "".join(
        f"{path}\0{status.size}\0{status.mtime_ns}\0{status.inode}\0"
        for path, status in sorted(statuses.items(), key=itemgetter(0))
    )
    return sha256_hex(text.encode("utf-8", "surrogateescape"))


def state_head(state: BuildState) -> StateHead:
    """The head of ``state``."""
    return StateHead(
        generator=state.generator,
        output_dir=state.output_dir,
        render_inputs=state.render_inputs,
        pages=state.pages,
        inputs=state.inputs,
        saved_at=state.saved_at,
        units=unit_digest((address, code, unit.key) for (address, code), unit in state.units.items()),
        outputs=site_digest({path: record.status for path, record in state.outputs.items()}),
        output_count=len(state.outputs),
        warnings=(*(warning for unit in state.units.values() for warning in unit.warnings), *state.warnings),
    )


class LastInputs(Protocol):
    """What the last build's state (``BuildState``, or its ``StateHead``) says of the inputs it read."""

    @property
    def pages(self) -> Mapping[str, SourceRecord]: ...

    @property
    def inputs(self) -> Mapping[str, InputRecord]: ...

    @property
    def saved_at(self) -> int: ...
