"""The translation memory: one PO file per page per language, under ``i18n/``: reading it, and
making the bytes the build writes.

Read and written through Babel's ``read_po``/``write_po``, with provenance in standard PO
terms (see ``states``):

- ``pofile``: PO files as bytes, read strictly and written stably;
- ``states``: the state of an entry (translated, reviewed, machine, stale, missing) and its records;
- ``catalog``: a page's catalog kept in step with the French, and the text of each segment;
- ``review``: approving translations (``python build.py review``);
- ``files``: reading and writing each page's memory (where it lives, and orphaned files: ``layout``).
"""

from __future__ import annotations

from .catalog import STALE_SIMILARITY, Entry, entries_of, needs_machine, resolve, updated_catalog
from .files import (
    StoredMemory,
    UpdatedFile,
    read_memory,
    updated_file,
    write_memory,
)
from .pofile import header_date, messages_of, parse_catalog, po_syntax_problems, read_catalog, render_catalog
from .review import ReviewableEntry, ReviewOutcome, parse_reviewer, review_catalog, reviewable_entries
from .states import (
    MACHINE_COMMENT,
    REVIEW_COMMENT,
    REVIEW_FORM,
    Review,
    fingerprint,
    machine_engine,
    malformed_reviews,
    message_review,
    message_state,
    parse_review,
    set_machine_translation,
)

__all__ = [
    "MACHINE_COMMENT",
    "REVIEW_COMMENT",
    "REVIEW_FORM",
    "STALE_SIMILARITY",
    "Entry",
    "Review",
    "ReviewOutcome",
    "ReviewableEntry",
    "StoredMemory",
    "UpdatedFile",
    "entries_of",
    "fingerprint",
    "header_date",
    "machine_engine",
    "malformed_reviews",
    "message_review",
    "message_state",
    "messages_of",
    "needs_machine",
    "parse_catalog",
    "parse_review",
    "parse_reviewer",
    "po_syntax_problems",
    "read_catalog",
    "read_memory",
    "render_catalog",
    "resolve",
    "review_catalog",
    "reviewable_entries",
    "set_machine_translation",
    "updated_catalog",
    "updated_file",
    "write_memory",
]
