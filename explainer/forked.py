"""What a process the build forks does first (a worker's initializer, the site's listing child)."""

from __future__ import annotations

import gc


def started_by_fork() -> None:
    """Freeze what this forked process inherited out of its garbage collector (``gc.freeze``).

    Garbage the parent had not collected yet is then never finalized here, where the threads some
    of it owns do not exist: a CTranslate2 translator (machine translation) finalized in a forked
    process waits forever for its thread pool's threads, and the build with it. What the process
    makes itself is collected as usual."""
    gc.freeze()
