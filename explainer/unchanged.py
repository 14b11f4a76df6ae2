"""A build with nothing changed: the same pages, the same templates, the site as the last build
left it. Nothing is read, rendered, checked again or written; the last build's warnings are said
again. Reads disk only to list the translation memory of pages that no longer exist."""

from __future__ import annotations

from collections.abc import Sequence

from .config import Config
from .errors import ContentError, Problem
from .inputs import Inputs
from .layout import orphan_memories
from .model import BuildReport
from .state import StateHead


def refuse_warnings(warnings: Sequence[Problem]) -> None:
    """Under ``--strict``: raises ``ContentError`` listing ``warnings`` as errors, if there are any."""
    if warnings:
        raise ContentError([Problem(w.path, w.line, f"{w.message} (an error under --strict)") for w in warnings])


def said_again(config: Config, inputs: Inputs, head: StateHead, strict: bool) -> BuildReport:
    """The report of a build with nothing changed since the build ``head`` is the state's head of.
    Raises ``ContentError`` when ``strict`` and there are warnings."""
    warnings = [*orphan_memories(config, [source.address for source in inputs.files]), *head.warnings]
    if strict:
        refuse_warnings(warnings)
    files, found = head.output_count, tuple(sorted(set(warnings)))
    return BuildReport(len(inputs.files), config.language_codes, files, found, site_changed=False)
