"""What a site's files are now: size, modification time and inode of each (``site_listing``). Reads disk."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..fsutil import SITE_MARKER


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
