"""Where the content memory lives in ``i18n/``, and reading it. Reads disk.

One PO file per page per language: ``i18n/<language>/content/<page>.po``. The
build writes the new files itself (``fsutil.write_files``) once the whole build
succeeded; what it is given to write is made here (``updated_file``).
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog

from ...config import Config
from ...errors import Problem, WriteError, relative
from ...fsutil import remove_unfinished_writes, sha256_hex, write_files
from .pofile import messages_of, parse_catalog, render_catalog


def memory_folder(i18n_dir: Path, language: str) -> Path:
    """The folder of the content memory of ``language``."""
    return i18n_dir / language / "content"


def memory_file(i18n_dir: Path, language: str, page_path: str) -> Path:
    """Where the memory of ``page_path`` in ``language`` lives."""
    return Path(memory_file_name(str(i18n_dir), language, page_path))


def memory_file_name(i18n_dir: str, language: str, page_path: str) -> str:
    """``memory_file`` as a string, made without ``pathlib`` (a build with nothing changed names
    thousands; ``i18n_dir`` absolute and normalised, ``page_path`` a page's path on the site)."""
    return f"{i18n_dir}/{language}/content/{page_path or 'index'}.po"


@dataclass(frozen=True)
class StoredMemory:
    """One page's memory in one language, as ``i18n/`` holds it."""

    shown: str  # the PO file, project-relative
    content: bytes | None  # its bytes; None when there is no file yet
    catalog: Catalog | None  # parsed from ``content``
    status: os.stat_result | None = None  # the file's, taken as it was opened to be read


def read_memory(config: Config, language: str, page_path: str) -> StoredMemory:
    """Read the memory of ``page_path`` in ``language``; the file is read once (parsed here,
    compared with the new content when the build writes).

    Raises ``TranslationMemoryError`` naming the file and line when it cannot be parsed.
    """
    path = memory_file(config.i18n_dir, language, page_path)
    shown = relative(path, config.root)
    try:
        with open(path, "rb") as stream:
            # Taken before reading: a change made while the file is read gives it another status.
            status: os.stat_result | None = os.fstat(stream.fileno())
            content: bytes | None = stream.read()
    except FileNotFoundError:
        status, content = None, None
    catalog = parse_catalog(content, shown, language) if content is not None else None
    return StoredMemory(shown, content, catalog, status)


@dataclass(frozen=True)
class UpdatedFile:
    """The content a page's memory file is to have after this build."""

    shown: str  # the PO file, project-relative
    digest: str  # ``sha256_hex`` of its content
    content: bytes | None  # its new content; None when the file already holds it (nothing to write)
    # When nothing is written: the file's status as it was read (its hash is ``digest``), so that
    # the build cache need not read it again to know it has not changed.
    kept_status: os.stat_result | None = None


def updated_file(stored: StoredMemory, catalog: Catalog) -> UpdatedFile:
    """What the memory file of ``stored`` becomes once it holds ``catalog``: nothing to write when
    its entries are those of ``catalog`` (its header may differ: a file written by another tool, or
    by hand, is not rewritten to change its header alone)."""
    if stored.content is not None and stored.catalog is not None and _entries(stored.catalog) == _entries(catalog):
        return UpdatedFile(stored.shown, sha256_hex(stored.content), None, stored.status)
    content = render_catalog(catalog)
    if content == stored.content:
        return UpdatedFile(stored.shown, sha256_hex(content), None, stored.status)
    return UpdatedFile(stored.shown, sha256_hex(content), content)


def _entries(catalog: Catalog) -> list[tuple[object, ...]]:
    """Everything a PO file says of its entries, in order, the obsolete ones after (not the header)."""
    return [
        (
            obsolete,
            message.id,
            message.context,
            message.string,
            sorted(message.flags),
            tuple(message.auto_comments),
            tuple(message.user_comments),
            tuple(message.previous_id),
            tuple(message.locations),
        )
        for obsolete, messages in ((False, messages_of(catalog)), (True, catalog.obsolete.values()))
        for message in messages
        if message.id
    ]


def orphan_memories(config: Config, paths: Collection[str]) -> list[Problem]:
    """PO files whose page no longer exists: kept, and reported, so no translation is lost silently."""
    orphans = []
    expected = {(path or "index") + ".po" for path in paths}
    for language in config.target_languages:
        folder = memory_folder(config.i18n_dir, language.code)
        found: list[str] = []
        # os.walk rather than Path.rglob: this runs on every build, over thousands of files.
        for directory, _, names in os.walk(folder):
            prefix = os.path.relpath(directory, folder).replace(os.sep, "/")
            found.extend(name if prefix == "." else f"{prefix}/{name}" for name in names if name.endswith(".po"))
        for name in sorted(found):
            if name not in expected:
                orphans.append(
                    Problem(
                        relative(folder / name, config.root),
                        0,
                        f"no page content/{name.removesuffix('.po')}.md for this translation memory: "
                        "rename it with its page, or delete it if the page is gone",
                    )
                )
    return orphans


def clean_unfinished_writes(config: Config) -> tuple[Problem, ...]:
    """Remove what a build killed while writing the memory left in ``i18n/`` (see
    ``remove_unfinished_writes``; call it holding the project's lock). Returns a warning for each
    file that could not be removed."""
    return tuple(
        Problem(relative(path, config.root), 0, "left by a build that was killed while writing; delete it")
        for path in remove_unfinished_writes(config.i18n_dir)
    )


def write_memory(config: Config, memory: dict[str, bytes]) -> list[str]:
    """Write the PO files of ``memory`` (project-relative path -> bytes) that changed, all or none.

    Returns the paths written, sorted. Raises ``WriteError`` when one cannot be written (nothing is then).
    """
    try:
        written = write_files({config.root / path: content for path, content in memory.items()})
    except OSError as error:
        shown = relative(error.filename, config.root) if error.filename else relative(config.i18n_dir, config.root)
        raise WriteError(
            f"{shown}: cannot write the translation memory ({error.strerror}); nothing was changed: "
            "make the folder writable, then build again"
        ) from None
    return sorted(relative(path, config.root) for path in written)
