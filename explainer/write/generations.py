"""The two generations of a site, and the link that names the live one. Touches disk.

The output folder (``site``) is a symbolic link to one of two folders kept beside it,
``.site.generation-a`` and ``.site.generation-b``, each a whole site carrying the
generator's marker. Readers, servers and deploy tools follow the link to the live one.
A build brings the other one, the standby, up to date (``output.SiteWriter``: only the
files that differ from it are written) and then points the link at it in one step
(``os.replace`` of a new link over the old): the site is never half old, half new, and a
killed build never touches the live generation. The next build brings the previous
generation up to date in turn. Files that did not change are hard links shared by both
generations, and the writer never writes into a file in place (it removes the standby's
name first), so writing one generation never changes the other.

A site built by an older version (a real folder) becomes a generation at the first build
that replaces it. One thing is written into a live generation: the preview's search index, made
once its tabs are told and swapped in whole (``write.search.refresh_index``); ``build`` indexes
its site before putting it in place.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from ..fsutil import SITE_MARKER, exchange, is_empty_folder, made_by_generator, mark_site, remove_tree
from .listing import FileStatus

_GENERATIONS = ("generation-a", "generation-b")


def generation_folders(output_dir: Path) -> tuple[Path, Path]:
    """The two folders beside ``output_dir`` that hold its generations."""
    first, second = (output_dir.parent / f".{output_dir.name}.{name}" for name in _GENERATIONS)
    return first, second


def live_generation(output_dir: Path) -> Path | None:
    """The generation ``output_dir`` links to, if it is such a link (to a generation's name, beside it)."""
    try:
        target = os.readlink(output_dir)
    except OSError:
        return None
    return next((folder for folder in generation_folders(output_dir) if target == folder.name), None)


def output_path(path: Path) -> Path:
    """The output folder ``path`` names, absolute and resolved, except the generator's link to a
    generation, which is named, not followed: each build replaces it."""
    absolute = Path(os.path.abspath(path))
    if absolute.name:
        named = absolute.parent.resolve() / absolute.name
        if live_generation(named) is not None:
            return named
    return absolute.resolve()


def is_site_link(output_dir: Path) -> bool:
    """Whether ``output_dir`` is the generator's link: to one of its generations, made by the
    generator or missing (a link to nothing loses nothing when it is replaced)."""
    live = live_generation(output_dir)
    return live is not None and (not os.path.lexists(live) or made_by_generator(live))


def standby_generation(output_dir: Path) -> Path:
    """The generation the next build writes: the one ``output_dir`` does not link to."""
    first, second = generation_folders(output_dir)
    return second if live_generation(output_dir) == first else first


def other_generation(output_dir: Path, generation: Path) -> Path:
    first, second = generation_folders(output_dir)
    return second if generation == first else first


def generation_files(folder: Path, generated: tuple[str, ...]) -> dict[str, FileStatus]:
    """Every file of a generation with its status, made ready to be written: a symbolic link
    found in it (never the generator's) is removed, and a folder made read-only is made
    writable again. Folders in ``generated`` (the search index) are left out."""
    found: dict[str, FileStatus] = {}
    folders = [(str(folder), "")]
    while folders:
        current, prefix = folders.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                name = prefix + entry.name
                if not prefix and entry.name == SITE_MARKER:
                    continue
                status = entry.stat(follow_symlinks=False)
                if stat.S_ISLNK(status.st_mode):
                    os.unlink(entry.path)  # nothing the writer makes; it would lead writes elsewhere
                elif stat.S_ISDIR(status.st_mode):
                    if status.st_mode & 0o700 != 0o700:
                        os.chmod(entry.path, stat.S_IMODE(status.st_mode) | 0o700)
                    if name + "/" not in generated:
                        folders.append((entry.path, name + "/"))
                else:
                    found[name] = FileStatus.of(status)
    return found


def switch_to(output_dir: Path, generation: Path) -> None:
    """Make ``output_dir`` a link to ``generation``, in one step.

    A folder in its place (a site built by an older version, or an empty folder) is
    exchanged with the link in one step where the system can, then kept as the other
    generation (removed when empty). Raises ``OSError``; ``output_dir`` is then as it was.
    """
    link = output_dir.parent / f".{output_dir.name}.link-new"
    if os.path.islink(link):
        os.unlink(link)
    os.symlink(generation.name, link)
    try:
        if os.path.islink(output_dir) or not os.path.lexists(output_dir):
            os.replace(link, output_dir)
            return
        old = _exchange_folder(output_dir, link)
    except BaseException:
        with contextlib.suppress(OSError):
            if os.path.islink(link):
                os.unlink(link)
        raise
    other = other_generation(output_dir, generation)
    if is_empty_folder(old) or (os.path.lexists(other) and not made_by_generator(other)):
        remove_tree(old)
        return
    remove_tree(other)
    os.replace(old, other)


def _exchange_folder(output_dir: Path, link: Path) -> Path:
    """Put ``link`` in the place of the folder ``output_dir``; returns where the folder now is."""
    if exchange(link, output_dir):
        return link
    old = output_dir.parent / f".{output_dir.name}.old"  # put back by ``clean_leftovers`` if killed here
    os.replace(output_dir, old)
    try:
        os.replace(link, output_dir)
    except OSError:
        os.replace(old, output_dir)
        raise
    return old


def prime(live: Path, standby: Path, generated: tuple[str, ...]) -> None:
    """Make ``standby`` a copy of ``live`` in hard links (after a build with no standby yet), so that
    the next build writes only what it changes. Best effort: raises ``OSError``, and whatever is
    left is brought up to date by the next build."""
    standby.mkdir()
    mark_site(standby, live)
    for directory, folders, files in os.walk(live):
        relative = os.path.relpath(directory, live)
        target = standby if relative == "." else standby / relative
        if relative != ".":
            target.mkdir(exist_ok=True)
        else:
            folders[:] = [name for name in folders if name + "/" not in generated]
            files = [name for name in files if name != SITE_MARKER]
        for name in files:
            os.link(os.path.join(directory, name), target / name)
