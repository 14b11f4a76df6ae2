"""File-system operations that must not leave anything half done. Writes disk.

- ``exchange``: swap two directories in one step (Linux ``renameat2``), so a
  reader or a killed build never sees ``site/`` missing;
- ``project_lock``: one build at a time per project; a second one waits, then
  stops with a clear message;
- the output folder's safety: it never overlaps the project's sources, and a
  folder is replaced only when it carries the marker the generator writes into
  every site it makes (``SITE_MARKER``);
- ``write_files``: the one atomic write (temporary files, then renames; all or none);
- input files: symbolic links that lead out of the project are not followed;
- modes: files the build writes keep the user's umask;
- hashing: ``sha256_hex`` (of bytes or text), ``digest`` (of several parts), ``file_digest``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .errors import BuildLockedError, Problem, ProblemsError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@functools.cache
def _renameat2() -> Any:
    """libc's ``renameat2``, or None. Found when first needed: finding libc imports ``ctypes.util``
    (and ``subprocess``), which a build that swaps nothing in need not pay for."""
    import ctypes.util

    return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True), "renameat2", None)


def exchange(first: Path, second: Path) -> bool:
    """Atomically swap two existing paths. Returns False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    import ctypes

    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(first))


@contextlib.contextmanager
def project_lock(root: Path, wait: float = 600.0, poll: float = 0.2) -> Iterator[None]:
    """Hold the project's build lock (``.cache/build.lock``) for the duration of the block.

    Waits up to ``wait`` seconds for another build to finish, then raises ``BuildLockedError``.
    The lock is the kernel's (``flock``): it goes away with the process holding it, even
    when that process is killed.
    """
    lock_file = root / ".cache" / "build.lock"
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a+") as handle:
        deadline = time.monotonic() + wait
        announced = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BuildLockedError(
                        f"another build of this project is still running (lock: {lock_file}); "
                        "wait for it to finish, then build again"
                    ) from None
                if not announced:
                    print("another build of this project is running: waiting for it to finish", flush=True)
                    announced = True
                time.sleep(poll)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# -- the output folder --------------------------------------------------------------------

SITE_MARKER = ".explainer-site"
_MARKER_TEXT = b"This folder was made by explainer. Each build replaces it whole: keep nothing else here.\n"


def repository_root(start: Path) -> Path | None:
    """The top folder of the git repository holding ``start``, if any."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def output_overlap(output_dir: Path, protected: dict[str, Path], inputs: dict[str, Path]) -> str | None:
    """Why ``output_dir`` cannot be the output folder, or None.

    The build replaces its output folder whole, so that folder may not be, or hold, any of
    ``protected`` (the project, its repository, its cache), nor be, hold, or lie inside any of
    ``inputs`` (content, templates, translation memory, the repository's ``.git``). Paths
    are compared as resolved; the first of each kind named wins.
    """
    output = Path(os.path.realpath(output_dir))
    folders = {name: Path(os.path.realpath(folder)) for name, folder in {**protected, **inputs}.items()}
    for name, real in folders.items():
        if output == real:
            return f"it is the {name}"
    for name, real in folders.items():
        if real.is_relative_to(output):
            return f"it holds the {name}"
    for name in inputs:
        if output.is_relative_to(folders[name]):
            return f"it is inside the {name}"
    return None


def made_by_generator(folder: Path) -> bool:
    """Whether ``folder`` is a site this generator made (it holds the marker file)."""
    return folder.is_dir() and not folder.is_symlink() and (folder / SITE_MARKER).is_file()


def is_empty_folder(folder: Path) -> bool:
    if not folder.is_dir() or folder.is_symlink():
        return False
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def mark_site(folder: Path, current: Path | None = None) -> None:
    """Write the marker that tells the next build this folder is its own to replace.

    The marker of the ``current`` site is carried over as it is (a hard link), so a
    rebuild leaves it untouched like any other unchanged file.
    """
    if current is not None:
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.lstat(current / SITE_MARKER).st_mode):
                os.link(current / SITE_MARKER, folder / SITE_MARKER)
                return
    (folder / SITE_MARKER).write_bytes(_MARKER_TEXT)


def remove_tree(folder: Path) -> None:
    """Delete a folder the generator made, even where its files were made read-only.

    Raises ``OSError`` (with the path that could not be removed) when it cannot.
    """
    if not os.path.lexists(folder):
        return
    for directory, _, _ in os.walk(folder):
        # Removing an entry needs write permission on its folder; the folder is ours.
        with contextlib.suppress(OSError):
            os.chmod(directory, 0o700)

    def failed(function: object, path: str, error: BaseException) -> None:
        # Name the file that stayed, with its full path (rmtree gives only its name).
        if isinstance(error, OSError):
            raise OSError(error.errno, error.strerror, path) from None
        raise error

    if sys.version_info >= (3, 12):
        shutil.rmtree(folder, onexc=failed)
    else:
        shutil.rmtree(folder, onerror=lambda function, path, info: failed(function, path, info[1]))


# -- writing --------------------------------------------------------------------------------


def write_files(contents: Mapping[Path, bytes]) -> list[Path]:
    """Write every file of ``contents`` that does not already hold its bytes, all or none.

    Each is written to a temporary file next to it first; the renames come only once
    every temporary file is written, so a full disk or a read-only folder changes nothing.
    A file keeps its mode (a new one gets the user's umask); a symbolic link stays a link
    and its target is written. Returns the paths written (none when every file already
    holds its bytes). Raises ``OSError`` naming the file that could not be written.
    """
    pending: list[tuple[str, str]] = []  # (temporary file, target)
    written: list[Path] = []
    try:
        for path in sorted(contents):
            content = contents[path]
            target = os.path.realpath(path)
            if os.path.exists(target) and Path(target).read_bytes() == content:
                continue
            folder = os.path.dirname(target)
            try:
                os.makedirs(folder, exist_ok=True)
                mode = stat.S_IMODE(os.stat(target).st_mode) if os.path.exists(target) else new_file_mode()
                handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
            except OSError as error:
                error.filename = str(path)
                raise
            pending.append((temporary, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fchmod(stream.fileno(), mode)
                os.fsync(stream.fileno())
            written.append(path)
        for temporary, target in pending:
            os.replace(temporary, target)
    except BaseException:
        for temporary, _ in pending:
            Path(temporary).unlink(missing_ok=True)
        raise
    return written


# What ``write_files`` names its temporary files: ".<name>.<8 characters of mkstemp>.tmp".
_UNFINISHED = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def remove_unfinished_writes(folder: Path) -> tuple[Path, ...]:
    """Remove the temporary files ``write_files`` left in ``folder`` when it was killed before its
    renames (the files it was writing still hold their old bytes, so nothing is lost). Call it only
    while holding the project's lock: another build's files would be in the middle of being written.

    Returns the files that could not be removed.
    """
    stuck: list[Path] = []
    for directory, _, names in os.walk(folder):
        for name in names:
            if _UNFINISHED.match(name):
                path = Path(directory) / name
                try:
                    path.unlink()
                except FileNotFoundError:
                    pass
                except OSError:
                    stuck.append(path)
    return tuple(stuck)


def utf8_text(raw: bytes, shown: str, error: type[ProblemsError], advice: str) -> str:
    """``raw`` decoded as UTF-8, without the byte-order mark some editors add.

    Raises ``error`` at the line of the first byte that is not UTF-8, its message ending in ``advice``."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as decoding:
        line = raw[: decoding.start].count(b"\n") + 1
        message = f"not valid UTF-8 (byte 0x{raw[decoding.start]:02x}){advice}"
        raise error([Problem(shown, line, message)]) from None


# -- modes ----------------------------------------------------------------------------------


def current_umask() -> int:
    """The process's file-mode creation mask, read without changing it where Linux tells it."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The mode a file created with ``open`` would get."""
    return 0o666 & ~current_umask()


def new_folder_mode() -> int:
    """The mode a folder created with ``mkdir`` would get."""
    return 0o777 & ~current_umask()


# -- hashing --------------------------------------------------------------------------------


def sha256_hex(data: bytes | str) -> str:
    """The SHA-256 of ``data`` (text is hashed as UTF-8), as 64 hexadecimal digits."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def digest(*parts: str | bytes) -> str:
    """The SHA-256 of ``parts``, each length-prefixed (so ``("ab", "c")`` differs from ``("a", "bc")``)."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def file_digest(path: Path | str) -> str:
    """The SHA-256 of a file's bytes (``sha256_hex``); a missing file has a hash too: ``"absent"``."""
    try:
        with open(path, "rb") as stream:
            return sha256_hex(stream.read())
    except FileNotFoundError:
        return "absent"


# -- inputs ---------------------------------------------------------------------------------


def input_problem(path: Path | str, root: Path, *folders: Path) -> str | None:
    """Why the input ``path`` must not be read, or None.

    A symbolic link is followed only when it leads inside the project (``root``) or inside
    one of ``folders`` (the configured folder of its kind). A loop of links, or a link to
    nothing, is reported as such.
    """
    try:
        real = Path(os.path.realpath(path, strict=True))
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "is a loop of symbolic links; fix or remove the link"
        if error.errno == errno.ENOENT and os.path.islink(path):
            return "is a symbolic link to a file that does not exist; fix or remove the link"
        if error.errno == errno.ENOENT:
            return None  # absent: the caller says what that means
        return f"cannot be read ({error.strerror})"
    if any(real.is_relative_to(os.path.realpath(folder)) for folder in (root, *folders)):
        return None
    return OUTSIDE_PROJECT


OUTSIDE_PROJECT = "is a symbolic link to a file outside the project; copy the file into the project instead"


def link_problems(root: Path, folder: Path) -> list[tuple[str, str]]:
    """Every symbolic link under ``folder`` that leads outside the project (or ``folder``),
    in a loop or to nothing: (path, why), sorted. Linked folders that are allowed are
    looked into as well (each once), since their files are read through the link."""
    found: list[tuple[str, str]] = []
    pending = [str(folder)] if os.path.isdir(folder) else []
    seen = {os.path.realpath(folder)}
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_symlink():
                    reason = input_problem(entry.path, root, folder)
                    if reason is not None:
                        found.append((entry.path, reason))
                    elif entry.is_dir() and os.path.realpath(entry.path) not in seen:
                        seen.add(os.path.realpath(entry.path))
                        pending.append(entry.path)
                elif entry.is_dir():
                    pending.append(entry.path)
    return sorted(found)


def file_reader(folder: Path) -> Callable[[str], bytes]:
    """How to read a file of ``folder`` by its relative path."""
    return lambda path: (folder / path).read_bytes()
