"""Structured content kept as data, not prose: the timeline and the glossary.

A page of kind ``timeline`` reads ``<page>.yaml`` next to its Markdown file,
and so does a page of kind ``glossary``. Reads disk; raises ``ContentError``
with ``path:line: message`` for every problem.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import yaml

from .errors import ContentError, Problem, relative
from .model import GlossaryEntry, TimelineEntry
from .schema import SLUG, Field, line_of, parse_yaml, read_mapping, read_sources, value_node

DATA_KINDS = ("timeline", "glossary")
_TIMELINE_FIELDS = {
    "date": Field(str, required=True),
    "text": Field(str, required=True),
    "sources": Field(list, required=True),
}
_GLOSSARY_FIELDS = {
    "id": Field(str, required=True),
    "term": Field(str, required=True),
    "expansion": Field(str),
    "definition": Field(str, required=True),
}
_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def data_path(page_file: Path) -> Path:
    return page_file.with_suffix(".yaml")


def _entries(path: Path, root: Path) -> tuple[str, list[yaml.Node]]:
    shown = relative(path, root)
    if not path.exists():
        raise ContentError([Problem(shown, 0, "missing: this page's entries are kept in this YAML file")])
    try:
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        raise ContentError([Problem(shown, 0, f"not valid UTF-8 ({error.reason}); save the file as UTF-8")]) from None
    node = parse_yaml(text, shown, 1, "data file")
    if node is None:
        return shown, []
    if not isinstance(node, yaml.SequenceNode):
        raise ContentError([Problem(shown, line_of(node, 1), "the file must be a list of entries ('- ' items)")])
    return shown, list(node.value)


def load_timeline(path: Path, root: Path) -> tuple[TimelineEntry, ...]:
    """Read a timeline: dated entries, oldest first, each with at least one source."""
    shown, nodes = _entries(path, root)
    problems: list[Problem] = []
    entries: list[TimelineEntry] = []
    for number, node in enumerate(nodes, start=1):
        where = f" in entry {number}"
        # Unquoted YAML dates are read as dates; keep what the editor wrote.
        date_node = value_node(node, "date") if isinstance(node, yaml.MappingNode) else None
        if date_node is not None and isinstance(date_node, yaml.ScalarNode):
            date_node.tag = "tag:yaml.org,2002:str"
        before = len(problems)
        values = read_mapping(node, _TIMELINE_FIELDS, shown, 1, where, problems)
        date = values.get("date")
        if date and not _PARTIAL_DATE.match(date[0]):
            problems.append(Problem(shown, date[1], f"'date'{where} must be YYYY-MM-DD, YYYY-MM or YYYY"))
        sources_node = value_node(node, "sources") if isinstance(node, yaml.MappingNode) else None
        sources = read_sources(sources_node, shown, 1, where, problems) if sources_node is not None else ()
        if sources_node is not None and not sources and len(problems) == before:
            problems.append(Problem(shown, line_of(sources_node, 1), f"entry {number} needs at least one source"))
        if len(problems) == before:
            entries.append(TimelineEntry(date[0], values["text"][0], sources, line_of(node, 1)))  # type: ignore[index]
    for earlier, later in pairwise(entries):
        if later.sort_key < earlier.sort_key:
            problems.append(
                Problem(
                    shown, later.line, f"entry dated {later.date} comes after {earlier.date}: keep entries oldest first"
                )
            )
    if problems:
        raise ContentError(problems)
    return tuple(entries)


def load_glossary_page(path: Path, root: Path) -> tuple[GlossaryEntry, ...]:
    """Read a glossary: terms with a unique id (their anchor) and a definition."""
    shown, nodes = _entries(path, root)
    problems: list[Problem] = []
    entries: list[GlossaryEntry] = []
    seen: dict[str, int] = {}
    for number, node in enumerate(nodes, start=1):
        where = f" in entry {number}"
        before = len(problems)
        values = read_mapping(node, _GLOSSARY_FIELDS, shown, 1, where, problems)
        identifier = values.get("id")
        if identifier and not SLUG.match(identifier[0]):
            problems.append(
                Problem(
                    shown, identifier[1], f"'id'{where} must be lowercase letters, digits and hyphens (it is an anchor)"
                )
            )
        elif identifier and identifier[0] in seen:
            problems.append(
                Problem(shown, identifier[1], f"id '{identifier[0]}' is already used by entry {seen[identifier[0]]}")
            )
        if len(problems) == before:
            seen[values["id"][0]] = number
            expansion = values.get("expansion")
            entries.append(
                GlossaryEntry(
                    values["id"][0],
                    values["term"][0],
                    expansion[0] if expansion else None,
                    values["definition"][0],
                    line_of(node, 1),
                )
            )
    if problems:
        raise ContentError(problems)
    return tuple(entries)
