"""Reading the content memory of ``i18n/``. Reads disk.

One PO file per page per language, named in ``layout`` (``memory_file``). The
build writes the new files itself (``fsutil.write_files``) once the whole build
succeeded; what it is given to write is made here (``updated_file``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from babel.messages.catalog import Catalog

from ...config import Config
from ...errors import WriteError, relative
from ...fsutil import sha256_hex, write_files
from ...layout import memory_file
from .pofile import messages_of, parse_catalog, render_catalog


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
    read_digest: str = "absent"  # ``sha256_hex`` of the file as it was read (``file_digest``: "absent", none)


def updated_file(stored: StoredMemory, catalog: Catalog) -> UpdatedFile:
    """What the memory file of ``stored`` becomes once it holds ``catalog``: nothing to write when
    its entries are those of ``catalog`` (its header may differ: a file written by another tool, or
    by hand, is not rewritten to change its header alone)."""
    read = sha256_hex(stored.content) if stored.content is not None else "absent"
    if stored.content is not None and stored.catalog is not None and _entries(stored.catalog) == _entries(catalog):
        return UpdatedFile(stored.shown, read, None, stored.status, read)
    content = render_catalog(catalog)
    if content == stored.content:
        return UpdatedFile(stored.shown, read, None, stored.status, read)
    return UpdatedFile(stored.shown, sha256_hex(content), content, None, read)


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
