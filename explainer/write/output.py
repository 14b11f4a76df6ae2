"""The output folder: refused when it must not be replaced, written beside it, swapped in.

Touches disk: ``SiteWriter`` writes a new site next to the output folder, carrying
over the files the current one already holds as they are, and keeps the record of
what it wrote (hashes, sizes, times) for the build cache; ``SiteInMemory`` takes the
same files and writes nothing (``check``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..config import Config
from ..errors import Problem, WriteError, relative
from ..fsutil import (
    SITE_MARKER,
    exchange,
    is_empty_folder,
    made_by_generator,
    mark_site,
    new_folder_mode,
    output_overlap,
    remove_tree,
    repository_root,
    sha256_hex,
)
from ..model import OutputFile


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


def check_output_folder(config: Config) -> None:
    """Refuse an output folder the build must not replace, before anything is written.

    The build replaces its output folder whole. Raises ``WriteError`` (``path: message``)
    when that folder is, holds or lies inside a source folder, is or holds the project,
    its repository or its cache, or is not a site this generator made (an empty folder
    is accepted: nothing in it can be lost).
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
    if not os.path.lexists(output_dir) or made_by_generator(output_dir) or is_empty_folder(output_dir):
        return
    if not output_dir.is_dir():
        raise WriteError(f"{shown}: the output folder exists and is not a folder; choose another output folder")
    raise WriteError(
        f"{shown}: this folder is not empty and was not made by explainer (it has no {SITE_MARKER} file), "
        "and a build replaces its output folder whole; move its files elsewhere or delete it "
        "(a site built by an older version: delete it and build again), or choose another output folder"
    )


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
    problems: list[Problem] = []
    for leftover in sorted([*parent.glob(f".{output_dir.name}.new-*"), *([old] if os.path.lexists(old) else [])]):
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
    """A new site, written file by file into a folder next to ``output_dir``, then swapped in.

    The folder is made on the first write. ``current`` names the files of the current
    site that are as the last build left them (site path -> hash): a file ``take`` is
    given that one of them already holds is not written again, and ``finish`` carries
    them over (hard links, or copies where links are not possible), or leaves the
    current site in place when nothing in it changed. The previous site stays in place
    until ``commit``; ``discard`` drops the new one. Raises ``WriteError`` when writing
    fails or two files claim the same path; ``output_dir`` is then as it was.
    """

    def __init__(self, output_dir: Path, current: Mapping[str, str] | None = None) -> None:
        self.output_dir = output_dir
        self.current: Mapping[str, str] = current or {}
        self.staging: Path | None = None
        self.claimed: set[str] = set()
        self.new: set[str] = set()  # written or copied: not the current site's files
        self.hashes: dict[str, str] = {}  # every file of the new site -> hash of its content
        self.changed: set[str] = set()  # files not in the current site as they are now
        self._folders: set[str] = set()

    def take(self, file: OutputFile) -> bool:
        """Put a rendered file in the new site; returns whether it differs from the current site's."""
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
        """Swap the new site in, unless the current one (``listing``: its files now) holds exactly
        these files and is ``complete`` (its search index made): then nothing is written.
        ``finish`` runs on the new site before the swap (the search index)."""
        if not self.changed and listing.keys() == self.hashes.keys() and complete:
            self.discard()
            return Written(False, (), {path: listing[path] for path in self.hashes})
        self.keep([path for path in self.hashes if path not in self.changed])
        warnings = self.commit(finish)
        # Files carried over as hard links keep their size, time and inode; look at the others.
        statuses = {path: listing[path] for path in self.hashes if path not in self.new and path in listing}
        statuses.update({path: FileStatus.of(os.stat(self.output_dir / path)) for path in self.new})
        return Written(True, warnings, statuses)

    def _staging(self) -> Path:
        if self.staging is None:
            parent = self.output_dir.parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{self.output_dir.name}.new-"))
                # Marked from the start: a killed build's leftover is recognised as the generator's own.
                mark_site(staging, self.output_dir)
                self.staging = staging
            except OSError as error:
                raise WriteError(f"{parent}: cannot create the new site in this folder: {error.strerror}") from None
        return self.staging

    def _target(self, path: str) -> str:
        # Strings, not Path objects: a large site has tens of thousands of files.
        if path in self.claimed:
            self.discard()
            raise WriteError(f"two outputs claim the same file: {path}")
        self.claimed.add(path)
        target = f"{self._staging()}/{path}"
        folder = target.rpartition("/")[0]
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return target

    def _failed(self, error: OSError) -> WriteError:
        self.discard()
        return WriteError(f"cannot write the site to {self.output_dir}: {error.strerror or error}")

    def add(self, file: OutputFile) -> None:
        try:
            Path(self._target(file.path)).write_bytes(file.content)
        except OSError as error:
            raise self._failed(error) from None
        self.new.add(file.path)

    def keep(self, paths: Collection[str]) -> None:
        current = str(self.output_dir)
        try:
            for path in sorted(paths):
                target = self._target(path)
                try:
                    os.link(f"{current}/{path}", target)
                except OSError:
                    shutil.copyfile(f"{current}/{path}", target)
                    self.new.add(path)
        except OSError as error:
            raise self._failed(error) from None

    def discard(self) -> None:
        if self.staging is not None:
            with contextlib.suppress(OSError):  # what stays is reported by the next build
                remove_tree(self.staging)
            self.staging = None

    def commit(self, finish: Callable[[Path], None] | None = None) -> tuple[Problem, ...]:
        """Swap the new site in (after ``finish``, e.g. the search index, has run on it).

        Either the new site is in place, or the previous one is as it was and ``WriteError``
        is raised. Returns a warning when the previous site could not be removed afterwards.
        """
        output_dir = self.output_dir
        staging = self._staging()
        old = output_dir.parent / f".{output_dir.name}.old"
        try:
            if finish is not None:
                finish(staging)
            os.chmod(staging, new_folder_mode())
            if os.path.lexists(output_dir) and not (made_by_generator(output_dir) or is_empty_folder(output_dir)):
                self.discard()
                raise WriteError(f"{output_dir}: was replaced during the build by a folder explainer did not make")
            if output_dir.exists() and exchange(staging, output_dir):
                old = staging  # the previous site, now out of the way
            else:
                if output_dir.exists():
                    os.replace(output_dir, old)
                try:
                    os.replace(staging, output_dir)
                except OSError:
                    if old.exists() and not output_dir.exists():
                        os.replace(old, output_dir)
                    raise
        except BaseException as error:
            if not isinstance(error, OSError):
                self.discard()
                raise
            raise self._failed(error) from None
        self.staging = None
        try:
            remove_tree(old)
        except OSError as error:
            # The new site is in place: the build worked; the next one tries again.
            return (
                Problem(
                    str(old),
                    0,
                    f"the previous site could not be removed ({error.strerror} for {error.filename}); "
                    "the next build tries again, or delete it",
                ),
            )
        return ()


def write_site(
    output_dir: Path,
    files: Iterable[OutputFile],
    finish: Callable[[Path], None] | None = None,
    keep: Collection[str] = (),
) -> tuple[Problem, ...]:
    """Write ``files`` (and carry over ``keep``) into a fresh folder, then swap it into
    ``output_dir``; see ``SiteWriter``. Returns the warnings of ``clean_leftovers`` and
    ``SiteWriter.commit``."""
    warnings = clean_leftovers(output_dir)
    writer = SiteWriter(output_dir)
    writer.keep(keep)
    for file in files:
        writer.add(file)
    return warnings + writer.commit(finish)
