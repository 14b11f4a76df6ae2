"""The output folder: refused when it must not be replaced, brought up to date, switched.

Touches disk: ``SiteWriter`` brings the standby generation of the site up to date (see
``generations``: the output folder is a link to one of two generations beside it),
writing only the files that differ from what it holds and linking those the live one
already holds, then points the output folder at it; it keeps the record of what it
wrote (hashes, sizes, times) for the build cache. ``SiteInMemory`` takes the same files
and writes nothing (``check``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..config import Config
from ..errors import Problem, WriteError, relative
from ..fsutil import (
    SITE_MARKER,
    is_empty_folder,
    made_by_generator,
    mark_site,
    new_folder_mode,
    output_overlap,
    remove_tree,
    repository_root,
    sha256_hex,
)
from ..layout import LATER_FILES
from ..model import OutputFile
from .generations import (
    generation_files,
    is_site_link,
    live_generation,
    other_generation,
    prime,
    standby_generation,
    switch_to,
)
from .listing import FileStatus, site_listing

__all__ = ["FileStatus", "site_listing"]  # where the rest of the build has always found them


def check_output_folder(config: Config) -> None:
    """Refuse an output folder the build must not replace, before anything is written.

    The build replaces its output folder whole. Raises ``WriteError`` (``path: message``)
    when that folder is, holds or lies inside a source folder, is or holds the project,
    its repository or its cache, or is not a site this generator made (an empty folder
    is accepted: nothing in it can be lost; so is the generator's link to its generations).
    """
    root = config.root
    output_dir = config.output_dir
    shown = relative(output_dir, root) if output_dir != root else str(output_dir)
    protected = {"project": root}
    inputs = {
        "content folder": config.content_dir,
        "templates folder": config.templates_dir,
        "translation memory (i18n folder)": config.i18n_dir,
    }
    repository = repository_root(root)
    if repository is not None:
        protected = {"git repository": repository, **protected}
        inputs["git repository's .git folder"] = repository / ".git"
    protected.update({"build cache (.cache)": root / ".cache", "models folder": config.models_dir})
    reason = output_overlap(output_dir, protected, inputs)
    if reason is not None:
        raise WriteError(
            f"{shown}: cannot be the output folder: {reason}, and a build replaces its output folder whole; "
            "set output_dir in explainer.toml (or --output) to a folder of its own, such as 'site'"
        )
    if not os.path.lexists(output_dir) or _replaceable(output_dir):
        return
    if not output_dir.is_dir():
        raise WriteError(f"{shown}: the output folder exists and is not a folder; choose another output folder")
    raise WriteError(
        f"{shown}: this folder is not empty and was not made by explainer (it has no {SITE_MARKER} file), "
        "and a build replaces its output folder whole; move its files elsewhere or delete it "
        "(a site built by an older version: delete it and build again), or choose another output folder"
    )


def _replaceable(output_dir: Path) -> bool:
    """Whether the output folder is the generator's: its link, a site it made, or an empty folder."""
    return is_site_link(output_dir) or made_by_generator(output_dir) or is_empty_folder(output_dir)


def clean_leftovers(output_dir: Path, root: Path | None = None) -> tuple[Problem, ...]:
    """Remove what a killed or failed build left next to ``output_dir``; restore the site
    if a build was killed between the two renames of a non-atomic swap.

    Only folders this generator made (they carry its marker) and empty ones are removed.
    Returns a warning for each leftover that is not, or that cannot be removed.
    """
    parent = output_dir.parent
    show = (lambda path: relative(path, root)) if root is not None else str
    old = parent / f".{output_dir.name}.old"
    if not os.path.lexists(output_dir) and made_by_generator(old):
        os.replace(old, output_dir)
    link = parent / f".{output_dir.name}.link-new"  # a link not yet in place, or the old folder it replaced
    if os.path.islink(link):
        os.unlink(link)
    named = [*parent.glob(f".{output_dir.name}.new-*"), *(path for path in (old, link) if os.path.lexists(path))]
    problems: list[Problem] = []
    for leftover in sorted(named):
        if is_empty_folder(leftover):
            # A build killed between making its new folder and marking it: nothing in it to lose.
            with contextlib.suppress(OSError):
                os.rmdir(leftover)
                continue
        if not made_by_generator(leftover):
            problems.append(
                Problem(
                    show(leftover),
                    0,
                    "not made by explainer, though named like a leftover of a build: move or delete it",
                )
            )
            continue
        try:
            remove_tree(leftover)
        except OSError as error:
            problems.append(
                Problem(
                    show(leftover),
                    0,
                    f"left by an earlier build, and cannot be removed ({error.strerror} for "
                    f"{show(error.filename or leftover)}); delete it",
                )
            )
    return tuple(problems)


@dataclass(frozen=True)
class Written:
    """What ``SiteWriter.finish`` did."""

    site_changed: bool  # False: the output folder already held this site, and was left as it was
    warnings: tuple[Problem, ...]
    statuses: dict[str, FileStatus] = field(default_factory=dict)  # every file of the site now


class SiteOutput(Protocol):
    """Where a build puts the files it renders (``SiteWriter``, ``SiteInMemory``)."""

    hashes: dict[str, str]
    changed: set[str]

    def take(self, file: OutputFile) -> bool: ...

    def carry(self, path: str, content_hash: str) -> None: ...


def _write_new(target: str, content: bytes) -> None:
    """``Path.write_bytes``, without its file object (a template edit writes every page: 30 us a
    file -> 21 us on tmpfs). Raises ``OSError``."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def content_hash(content: bytes) -> str:
    return sha256_hex(content)


class SiteInMemory:
    """The files of a site, kept in memory: nothing is written (``check``)."""

    def __init__(self) -> None:
        self.hashes: dict[str, str] = {}
        self.changed: set[str] = set()
        self._files: dict[str, OutputFile] = {}

    def take(self, file: OutputFile) -> bool:
        if file.path in self._files:
            raise WriteError(f"two outputs claim the same file: {file.path}")
        self._files[file.path] = file
        self.hashes[file.path] = content_hash(file.content)
        self.changed.add(file.path)
        return True

    def carry(self, path: str, content_hash: str) -> None:
        raise ValueError(f"{path}: a site in memory has no current site to carry a file over from")

    @property
    def files(self) -> tuple[OutputFile, ...]:
        """Every file, sorted by path."""
        return tuple(self._files[path] for path in sorted(self._files))


class SiteWriter:
    """A new site, written into the standby generation of ``output_dir``, then switched in.

    The standby (``generations``) is made ready on the first write: its files are listed,
    and those that are the current site's own files (hard links an earlier build made) are
    known to hold the current site's bytes. ``take`` writes a rendered file there unless
    the current site already holds it (``current``: site path -> hash of the files of the
    current site as the last build left them); ``finish`` links there the files of the
    current site the standby does not share, removes those the new site does not have,
    runs the search index on it and points the output folder at it, or leaves the current
    site in place when nothing in it changed. The live generation is never written.
    Raises ``WriteError`` when writing fails or two files claim the same path; the output
    folder is then as it was.
    """

    def __init__(
        self,
        output_dir: Path,
        current: Mapping[str, str] | None = None,
        standby_files: Mapping[str, FileStatus] | Callable[[], Mapping[str, FileStatus] | None] | None = None,
    ) -> None:
        self.output_dir = output_dir
        self.current: Mapping[str, str] = current or {}
        self.standby: Path | None = None
        self.standby_files: dict[str, FileStatus] = {}  # the standby's files when it was made ready
        # The standby's files as the last build left them (held by the preview): not listed again.
        # Or as listed meanwhile (``listing.ListingInProgress.standby_files``), asked for when first written.
        self._known_standby = standby_files
        self.kept_last_live = False  # the generation live before ``finish`` is the other one now, as it was
        self.primed = False  # the other generation was made by ``finish``: hard links of every file of the new site
        self.taken: set[str] = set()
        self.new: set[str] = set()  # written or copied into the standby: not the current site's files
        self.hashes: dict[str, str] = {}  # every file of the new site -> hash of its content
        self.changed: set[str] = set()  # files not in the current site as they are now
        self._folders: set[str] = set()

    def take(self, file: OutputFile) -> bool:
        """Put a rendered file in the new site; returns whether it differs from the current site's."""
        if file.path in self.taken:
            self.discard()
            raise WriteError(f"two outputs claim the same file: {file.path}")
        self.taken.add(file.path)
        self.hashes[file.path] = content_hash(file.content)
        if self.current.get(file.path) == self.hashes[file.path]:
            return False
        self.changed.add(file.path)
        self.add(file)
        return True

    def carry(self, path: str, content_hash: str) -> None:
        """Keep a file of the current site (one of ``current``) that was not rendered again."""
        self.hashes[path] = content_hash

    def finish(
        self, listing: Mapping[str, FileStatus], finish: Callable[[Path], None] | None, complete: bool = True
    ) -> Written:
        """Switch the new site in, unless the current one (``listing``: its files now) holds exactly
        these files and is ``complete`` (its search index made): then nothing is written.
        ``finish`` runs on the new site before the switch (the search index)."""
        if not self.changed and listing.keys() == self.hashes.keys() and complete:
            self.discard()
            return Written(False, (), {path: listing[path] for path in self.hashes})
        self.keep([path for path in self.hashes if path not in self.changed], listing)
        live = live_generation(self.output_dir)
        self.kept_last_live = live is not None and live.is_dir()
        warnings = self.commit(finish)
        # Files shared with the last site keep their size, time and inode; look at the others.
        statuses = {path: listing[path] for path in self.hashes if path not in self.new and path in listing}
        # Text, not Path objects: joining 7,000 paths took twice as long as their stat calls.
        output_dir = str(self.output_dir)
        statuses.update({path: FileStatus.of(os.stat(f"{output_dir}/{path}")) for path in self.new})
        return Written(True, warnings, statuses)

    def _standby(self) -> Path:
        if self.standby is None:
            standby = standby_generation(self.output_dir)
            # Listed meanwhile: taken before anything here touches the generation.
            known = self._known_standby() if callable(self._known_standby) else self._known_standby
            if os.path.lexists(standby) and not (made_by_generator(standby) or is_empty_folder(standby)):
                raise WriteError(
                    f"{standby}: not made by explainer, though named like a generation of the site: move or delete it"
                )
            try:
                standby.parent.mkdir(parents=True, exist_ok=True)
                standby.mkdir(exist_ok=True)
                if os.stat(standby).st_mode & 0o700 != 0o700:
                    os.chmod(standby, new_folder_mode() | 0o700)  # made read-only since it was live
                if not made_by_generator(standby):
                    # Marked from the start: a killed build's generation is recognised as the generator's own.
                    mark_site(standby, self.output_dir)
                self.standby_files = dict(known) if known is not None else generation_files(standby, LATER_FILES)
            except OSError as error:
                raise WriteError(
                    f"{standby.parent}: cannot create the new site in this folder: {error.strerror}"
                ) from None
            self.standby = standby
        return self.standby

    def _target(self, path: str) -> str:
        # Strings, not Path objects: a large site has tens of thousands of files.
        target = f"{self._standby()}/{path}"
        folder = target.rpartition("/")[0]
        # A file the standby holds is in a folder it holds: that folder is not made again.
        if folder not in self._folders and path not in self.standby_files:
            try:
                os.makedirs(folder, exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                self._clear_way(path)  # a file of the standby where the new site has a folder
                os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        elif path in self.standby_files:
            # Never written in place: the standby's file may be a link to the live site's.
            try:
                os.unlink(target)
            except IsADirectoryError:
                remove_tree(Path(target))
        return target

    def _clear_way(self, path: str) -> None:
        parts = path.split("/")[:-1]
        for end in range(1, len(parts) + 1):
            prefix = "/".join(parts[:end])
            if self.standby_files.pop(prefix, None) is not None:
                os.unlink(f"{self.standby}/{prefix}")

    def _failed(self, error: OSError) -> WriteError:
        self.discard()
        return WriteError(f"cannot write the site to {self.output_dir}: {error.strerror or error}")

    def add(self, file: OutputFile) -> None:
        try:
            _write_new(self._target(file.path), file.content)
        except OSError as error:
            raise self._failed(error) from None
        self.new.add(file.path)

    def keep(self, paths: Iterable[str], listing: Mapping[str, FileStatus]) -> None:
        """Link into the standby the files of the current site (``listing``: their status now) it does not share."""
        current = str(self.output_dir)
        try:
            self._standby()
            for path in sorted(paths):
                if path in listing and self.standby_files.get(path) == listing[path]:
                    continue  # the current site's own file: an earlier build linked it here
                target = self._target(path)
                try:
                    os.link(f"{current}/{path}", target)
                except OSError:
                    shutil.copyfile(f"{current}/{path}", target)
                    self.new.add(path)
        except OSError as error:
            raise self._failed(error) from None

    def _remove_extras(self, standby: Path) -> None:
        """Remove the standby's files the new site does not have, the folders they leave empty,
        and its search index (made again, or not wanted)."""
        emptied: set[str] = set()
        for path in self.standby_files.keys() - self.hashes.keys():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{standby}/{path}")
            folder = path.rpartition("/")[0]
            while folder:
                emptied.add(folder)
                folder = folder.rpartition("/")[0]
        for folder in sorted(emptied, key=lambda name: name.count("/"), reverse=True):
            with contextlib.suppress(OSError):  # not empty: still holds files of the new site
                os.rmdir(f"{standby}/{folder}")
        for later in LATER_FILES:
            remove_tree(standby / later.rstrip("/"))

    def discard(self) -> None:
        """Give up the new site. The live one is as it was; what was written into the standby is
        brought up to date by the next build (its files' status tells which)."""
        self.standby = None

    def commit(self, finish: Callable[[Path], None] | None = None) -> tuple[Problem, ...]:
        """Point the output folder at the standby (after ``finish``, e.g. the search index, has run on it).

        Either the new site is in place, or the previous one is as it was and ``WriteError`` is
        raised. After the first build, the other generation is made as hard links of the new one.
        """
        output_dir = self.output_dir
        standby = self._standby()
        try:
            self._remove_extras(standby)
            if finish is not None:
                finish(standby)
            os.chmod(standby, new_folder_mode())
            if os.path.lexists(output_dir) and not _replaceable(output_dir):
                self.discard()
                raise WriteError(f"{output_dir}: was replaced during the build by a folder explainer did not make")
            switch_to(output_dir, standby)
        except BaseException as error:
            if not isinstance(error, OSError):
                self.discard()
                raise
            raise self._failed(error) from None
        self.standby = None
        other = other_generation(output_dir, standby)
        if not os.path.lexists(other):
            # Best effort: what is missing there is linked or written by the next build.
            with contextlib.suppress(OSError):
                prime(standby, other, LATER_FILES)
                self.primed = True
        return ()


def write_site(output_dir: Path, files: Iterable[OutputFile]) -> None:
    """Write ``files`` into ``output_dir``, a new folder, marked as the generator's: a site to
    look at once (the HTML validator's), not one that replaces another. Raises ``OSError``."""
    output_dir.mkdir(parents=True)
    mark_site(output_dir)
    for file in files:
        target = output_dir / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content)
