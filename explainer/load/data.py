"""Structured content kept as data, not prose: the timeline, the glossary and the places.

A page of kind ``timeline`` reads ``<page>.yaml`` next to its Markdown file,
and so does a page of kind ``glossary``; ``content/places.yaml`` holds the places
of the locator map. Reads disk; raises ``ContentError`` with ``path:line: message``
for every problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import yaml

from ..errors import ContentError, Problem, relative
from ..model import GlossaryEntry, Place, TimelineEntry
from .schema import SLUG, Field, line_of, parse_yaml, read_mapping, read_sources, value_node

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
PLACES_FILE = "places.yaml"
PLACE_LABELS = ("right", "left", "above", "below")
_PLACE_FIELDS = {
    "id": Field(str, required=True),
    "name": Field(str, required=True),
    "latitude": Field(float, required=True),
    "longitude": Field(float, required=True),
    "label": Field(str),
    "mentions": Field(list, required=True),
}
_SITE_LINK = re.compile(r"^/(?:[a-z0-9-]+/)*(?:#[A-Za-z][\w-]*)?$")
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


def _id_problems(
    identifier: tuple[str, int] | None, shown: str, where: str, kind: str, seen: dict[str, int]
) -> list[Problem]:
    """An entry's id must be an anchor (a slug) used by no earlier ``kind`` (``seen``: id -> number)."""
    if identifier and not SLUG.match(identifier[0]):
        return [
            Problem(
                shown, identifier[1], f"'id'{where} must be lowercase letters, digits and hyphens (it is an anchor)"
            )
        ]
    if identifier and identifier[0] in seen:
        return [Problem(shown, identifier[1], f"id '{identifier[0]}' is already used by {kind} {seen[identifier[0]]}")]
    return []


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
        problems.extend(_id_problems(values.get("id"), shown, where, "entry", seen))
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


@dataclass(frozen=True)
class Mention:
    """A site link where the story mentions a place, and the line it is on."""

    link: str
    line: int


def _read_mentions(
    node: yaml.SequenceNode, key_line: int, shown: str, where: str
) -> tuple[tuple[Mention, ...], list[Problem]]:
    """The mentions of one place (its ``mentions`` list), and the problems found in them."""
    problems: list[Problem] = []
    if not node.value:
        problems.append(Problem(shown, key_line, f"'mentions'{where} is empty: list where the story mentions it"))
    mentions: list[Mention] = []
    for item in node.value:
        link = item.value if isinstance(item, yaml.ScalarNode) else None
        if not isinstance(link, str) or not _SITE_LINK.match(link):
            problems.append(
                Problem(
                    shown,
                    line_of(item, 1),
                    f"mention{where} must be a site link such as /background/wagner/#kidal (found {link!r})",
                )
            )
        else:
            mentions.append(Mention(link, line_of(item, 1)))
    return tuple(mentions), problems


def load_places(path: Path, root: Path) -> tuple[Place, ...]:
    """Read ``content/places.yaml``: the places of the map, each with the site links where the
    story mentions it. An absent file means no map. Whether the links lead anywhere is checked
    once the site is planned (``placemap.check_places``)."""
    if not path.exists():
        return ()
    shown, nodes = _entries(path, root)
    problems: list[Problem] = []
    places: list[Place] = []
    seen: dict[str, int] = {}
    for number, node in enumerate(nodes, start=1):
        where = f" in place {number}"
        before = len(problems)
        values = read_mapping(node, _PLACE_FIELDS, shown, 1, where, problems)
        problems.extend(_id_problems(values.get("id"), shown, where, "place", seen))
        for key, limit in (("latitude", 90), ("longitude", 180)):
            value = values.get(key)
            if value and not -limit <= value[0] <= limit:
                problems.append(
                    Problem(
                        shown, value[1], f"'{key}'{where} must be between -{limit} and {limit} (found {value[0]:g})"
                    )
                )
        label = values.get("label")
        if label and label[0] not in PLACE_LABELS:
            problems.append(
                Problem(
                    shown, label[1], f"'label'{where} must be one of: {', '.join(PLACE_LABELS)} (found '{label[0]}')"
                )
            )
        mentions_node = value_node(node, "mentions") if isinstance(node, yaml.MappingNode) else None
        mentions: tuple[Mention, ...] = ()
        if "mentions" in values and isinstance(mentions_node, yaml.SequenceNode):
            mentions, mention_problems = _read_mentions(mentions_node, values["mentions"][1], shown, where)
            problems.extend(mention_problems)
        if len(problems) == before:
            seen[values["id"][0]] = number
            places.append(
                Place(
                    id=values["id"][0],
                    name=values["name"][0],
                    latitude=values["latitude"][0],
                    longitude=values["longitude"][0],
                    label=label[0] if label else "right",
                    mentions=tuple(mention.link for mention in mentions),
                    line=line_of(node, 1),
                    name_line=values["name"][1],
                    mention_lines=tuple(mention.line for mention in mentions),
                )
            )
    if problems:
        raise ContentError(problems)
    return tuple(places)
