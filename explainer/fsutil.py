"""File-system operations that must not leave anything half done. Writes disk.

- ``exchange``: swap two directories in one step (Linux ``renameat2``), so a
  reader or a killed build never sees ``site/`` missing;
- ``project_lock``: one build at a time per project; a second one waits, then
  stops with a clear message.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import BuildLockedError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)


def exchange(first: Path, second: Path) -> bool:
    """Atomically swap two existing paths. Returns False where the system cannot."""
    if _renameat2 is None:
        return False
    result = _renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
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
