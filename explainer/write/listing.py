"""What a site's files are now: size, modification time and inode of each (``site_listing``), listed
in a process of its own while the build hashes its inputs (``started_listing``). Reads disk.

A process that builds the same site again and again (the preview) may hold, between its builds,
the listings of the two generations its last build left (``held_in_process``, ``Listings``): the
next build then lists neither, provided that no other build saved a state since and the same
generation is live. Its output folder is then trusted not to change by hand between builds.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import struct
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..forked import started_by_fork
from ..fsutil import SITE_MARKER, made_by_generator


@dataclass(frozen=True)
class FileStatus:
    """What tells a file the last build wrote from one changed since (as git's index does)."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, status: os.stat_result) -> FileStatus:
        return cls(status.st_size, status.st_mtime_ns, status.st_ino)


def site_listing(output_dir: Path, generated: tuple[str, ...] = ()) -> dict[str, FileStatus]:
    """Every file of ``output_dir`` with its size, modification time and inode (folders in
    ``generated``, made after rendering, such as the search index, are left out)."""
    found: dict[str, FileStatus] = {}
    if not output_dir.is_dir():
        return found
    folders = [(str(output_dir), "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                name = prefix + entry.name
                if not prefix and entry.name == SITE_MARKER:
                    continue  # written by the writer itself, not a file of the site
                if entry.is_dir(follow_symlinks=False):
                    if name + "/" not in generated:
                        folders.append((entry.path, name + "/"))
                    continue
                found[name] = FileStatus.of(entry.stat(follow_symlinks=False))
    return found


@dataclass(frozen=True)
class Listings:
    """The listings of a site's two generations as the build that saved the state of ``saved_at``
    left them (``live``: the generation the output folder links to, by name)."""

    saved_at: int
    live: str
    live_files: Mapping[str, FileStatus]  # read only: a build takes a copy
    standby_files: Mapping[str, FileStatus] | None  # None: not known (listed by the next build)


_held: dict[str, Listings] | None = None  # by output folder, while ``held_in_process`` is on


@contextlib.contextmanager
def held_in_process() -> Iterator[None]:
    """Within the block, each build's ``Listings`` are held in memory for the next build of its site."""
    global _held
    _held = {}
    try:
        yield
    finally:
        _held = None


def holding() -> bool:
    """Whether builds hold their listings (within ``held_in_process``)."""
    return _held is not None


def held_listings(output_dir: Path, saved_at: int) -> Listings | None:
    """The listings held for ``output_dir``, if they are still its own: left by the build of this
    process that saved the state of ``saved_at`` (the last one saved), with the same generation live."""
    held = _held.get(str(output_dir)) if _held is not None else None
    if held is None or held.saved_at != saved_at:
        return None
    try:
        live = os.readlink(output_dir)
    except OSError:
        return None
    return held if live == held.live else None


def hold(output_dir: Path, listings: Listings | None) -> None:
    """Hold ``listings`` for the next build of ``output_dir`` (None: hold nothing for it)."""
    if _held is not None:
        if listings is None:
            _held.pop(str(output_dir), None)
        else:
            _held[str(output_dir)] = listings


@contextlib.contextmanager
def started_listing(output_dir: Path, generated: tuple[str, ...] = ()) -> Iterator[ListingInProgress]:
    """``site_listing`` begun in a child process, so that the caller hashes its inputs meanwhile: a
    site has a folder for every page in every language, and listing it is the larger part of a build
    with nothing changed (as git stats its index's files in parallel). The child then lists the
    generation the build would write (``ListingInProgress.standby_files``), while the caller plans:
    a build that writes lists it before its first file. Where a process cannot be forked safely
    (another thread runs, or no ``fork``), the site is listed here, when its listing is first asked
    for, unless the caller knows it by then (``ListingInProgress.known``)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        yield ListingInProgress(output_dir, generated)
        return
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the child lists, sends the listings and leaves without running anything else
        status = 1
        try:
            started_by_fork()
            os.close(read_end)
            with os.fdopen(write_end, "wb") as stream:
                _send(stream, site_listing(output_dir, generated))
                stream.flush()  # the caller waits for this one
                _send(stream, _standby_listing(output_dir, generated))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    listing = ListingInProgress(output_dir, generated, child=child, stream=os.fdopen(read_end, "rb"))
    try:
        yield listing
    finally:
        listing.close()


def _standby_listing(output_dir: Path, generated: tuple[str, ...]) -> dict[str, FileStatus] | None:
    """The files of the generation a build of ``output_dir`` would write, made ready to be written
    (``generations.generation_files``); None where the writer would not take it as it is (missing, or
    not the generator's), or it cannot be listed."""
    from .generations import generation_files, standby_generation

    try:
        standby = standby_generation(output_dir)
        if not standby.is_dir() or standby.is_symlink() or not made_by_generator(standby):
            return None
        return generation_files(standby, generated)
    except OSError:
        return None


_HEAD = struct.Struct("<?Q")  # whether a listing follows, and its length


def _send(stream: BinaryIO, found: dict[str, FileStatus] | None) -> None:
    """One listing (None: none), its length first."""
    data = b"" if found is None else marshal.dumps({name: (s.size, s.mtime_ns, s.inode) for name, s in found.items()})
    stream.write(_HEAD.pack(found is not None, len(data)) + data)


def _receive(stream: BinaryIO) -> dict[str, FileStatus] | None:
    """What ``_send`` sent. Raises ``EOFError`` when the stream ends first (the child failed)."""
    head = stream.read(_HEAD.size)
    if len(head) < _HEAD.size:
        raise EOFError
    sent, size = _HEAD.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return {name: FileStatus(*status) for name, status in marshal.loads(data).items()} if sent else None


class ListingInProgress:
    """A site's listing, being made by a child process (``started_listing``), or made here when asked for."""

    def __init__(
        self,
        output_dir: Path,
        generated: tuple[str, ...],
        *,
        found: dict[str, FileStatus] | None = None,
        child: int = 0,  # the child making it, with the stream it sends it through
        stream: BinaryIO | None = None,
    ) -> None:
        self._output_dir, self._generated = output_dir, generated
        self._found, self._child, self._stream = found, child, stream

    def known(self, found: dict[str, FileStatus]) -> None:
        """The listing is ``found`` (held from the last build): the site is not listed here; a
        child already listing it is let go."""
        self.close()
        self._found = found

    def result(self) -> dict[str, FileStatus]:
        """The listing, once the child has sent it (or made here, without a child). A child that
        failed (a folder it could not read) is not believed: the site is listed again here, and
        raises as ``site_listing`` does."""
        if self._found is None and self._stream is not None:
            try:
                self._found = _receive(self._stream)
            except EOFError:
                self.close()  # the child failed
        if self._found is None:
            self._found = site_listing(self._output_dir, self._generated)
        return self._found

    def standby_files(self) -> dict[str, FileStatus] | None:
        """The files of the generation the build writes, as the child listed them once it had sent
        the site's listing, made ready to be written (None: not listed; the writer lists it).
        Asked for once, before that generation is written."""
        if self._stream is None:
            return None
        try:
            if self._found is None:
                self.result()
                if self._stream is None:
                    return None
            found = _receive(self._stream)
        except EOFError:
            found = None
        self.close()
        return found

    def close(self) -> None:
        """Let go of the child (a build with no last state, or one that failed first, or one that
        has what it wanted of it): stopped rather than waited for."""
        if self._child:
            os.kill(self._child, signal.SIGKILL)
            os.waitpid(self._child, 0)
            self._child = 0
        if self._stream is not None:
            self._stream.close()
            self._stream = None
