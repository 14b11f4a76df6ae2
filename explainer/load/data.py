"""Structured content kept as data, not prose: the timeline, the glossary and the places.

A page of kind ``timeline`` reads ``<page>.yaml`` next to its Markdown file,
and so does a page of kind ``glossary``; ``content/places.yaml`` holds the places
of the locator map. Reads disk; raises ``ContentError`` with ``path:line: message``
for every problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import yaml

from ..errors import ContentError, Problem, relative
from ..model import GlossaryEntry, Place, TimelineEntry
from .fields import Field, Located
from .schema import SLUG, check_sources, check_yaml_mapping, line_of, parse_yaml, value_node

T = TypeVar("T")

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


@dataclass(frozen=True)
class _Read(Generic[T]):
    """One entry of a data file: what it holds when it is valid (else None), and its problems."""

    item: T | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class _DataFile:
    """A data file's name as shown to the editor, and the nodes of its entries."""

    shown: str
    nodes: tuple[yaml.Node, ...]


def _entries(path: Path, root: Path) -> _DataFile:
    shown = relative(path, root)
    if not path.exists():
        raise ContentError([Problem(shown, 0, "missing: this page's entries are kept in this YAML file")])
    try:
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        raise ContentError([Problem(shown, 0, f"not valid UTF-8 ({error.reason}); save the file as UTF-8")]) from None
    node = parse_yaml(text, shown, 1, "data file")
    if node is None:
        return _DataFile(shown, ())
    if not isinstance(node, yaml.SequenceNode):
        raise ContentError([Problem(shown, line_of(node, 1), "the file must be a list of entries ('- ' items)")])
    return _DataFile(shown, tuple(node.value))


def _timeline_entry(node: yaml.Node, number: int, shown: str) -> _Read[TimelineEntry]:
    """Entry ``number`` of a timeline."""
    where = f" in entry {number}"
    # Unquoted YAML dates are read as dates; keep what the editor wrote.
    date_node = value_node(node, "date") if isinstance(node, yaml.MappingNode) else None
    if date_node is not None and isinstance(date_node, yaml.ScalarNode):
        date_node.tag = "tag:yaml.org,2002:str"
    checked = check_yaml_mapping(node, _TIMELINE_FIELDS, shown, 1, where)
    values, problems = checked.values, list(checked.problems)
    date = values.get("date")
    if date and not _PARTIAL_DATE.match(date.value):
        problems.append(Problem(shown, date.line, f"'date'{where} must be YYYY-MM-DD, YYYY-MM or YYYY"))
    sources_node = value_node(node, "sources") if isinstance(node, yaml.MappingNode) else None
    sources = check_sources(sources_node, shown, 1, where) if sources_node is not None else None
    if sources is not None:
        problems.extend(sources.problems)
    if sources_node is not None and not (sources and sources.sources) and not problems:
        problems.append(Problem(shown, line_of(sources_node, 1), f"entry {number} needs at least one source"))
    if problems or date is None or sources is None:
        return _Read(None, tuple(problems))
    return _Read(TimelineEntry(date.value, values["text"].value, sources.sources, line_of(node, 1)), ())


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


Identified = TypeVar("Identified", bound=_Identified)


def _identified(
    data_file: _DataFile, read: Callable[[yaml.Node, int, str, dict[str, int]], _Read[Identified]]
) -> tuple[Identified, ...]:
    """Every entry of ``data_file``, each read by ``read`` knowing the ids before it (id -> number).

    Raises ``ContentError`` with every entry's problems."""
    problems: list[Problem] = []
    items: list[Identified] = []
    seen: dict[str, int] = {}
    for number, node in enumerate(data_file.nodes, start=1):
        one = read(node, number, data_file.shown, seen)
        problems.extend(one.problems)
        if one.item is not None:
            seen[one.item.id] = number
            items.append(one.item)
    if problems:
        raise ContentError(problems)
    return tuple(items)


def load_timeline(path: Path, root: Path) -> tuple[TimelineEntry, ...]:
    """Read a timeline: dated entries, oldest first, each with at least one source."""
    data_file = _entries(path, root)
    shown, nodes = data_file.shown, data_file.nodes
    read = [_timeline_entry(node, number, shown) for number, node in enumerate(nodes, start=1)]
    problems = [problem for one in read for problem in one.problems]
    entries = [one.item for one in read if one.item is not None]
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


def _id_problems(identifier: Located | None, shown: str, where: str, kind: str, seen: dict[str, int]) -> list[Problem]:
    """An entry's id must be an anchor (a slug) used by no earlier ``kind`` (``seen``: id -> number)."""
    if identifier and not SLUG.match(identifier.value):
        return [
            Problem(
                shown, identifier.line, f"'id'{where} must be lowercase letters, digits and hyphens (it is an anchor)"
            )
        ]
    if identifier and identifier.value in seen:
        return [
            Problem(
                shown, identifier.line, f"id '{identifier.value}' is already used by {kind} {seen[identifier.value]}"
            )
        ]
    return []


def _glossary_entry(node: yaml.Node, number: int, shown: str, seen: dict[str, int]) -> _Read[GlossaryEntry]:
    """Entry ``number`` of a glossary, whose earlier entries have the ids ``seen``."""
    where = f" in entry {number}"
    checked = check_yaml_mapping(node, _GLOSSARY_FIELDS, shown, 1, where)
    values = checked.values
    problems = checked.problems + tuple(_id_problems(values.get("id"), shown, where, "entry", seen))
    if problems:
        return _Read(None, problems)
    expansion = values.get("expansion")
    entry = GlossaryEntry(
        values["id"].value,
        values["term"].value,
        expansion.value if expansion else None,
        values["definition"].value,
        line_of(node, 1),
    )
    return _Read(entry, ())


def load_glossary_page(path: Path, root: Path) -> tuple[GlossaryEntry, ...]:
    """Read a glossary: terms with a unique id (their anchor) and a definition."""
    return _identified(_entries(path, root), _glossary_entry)


@dataclass(frozen=True)
class Mention:
    """A site link where the story mentions a place, and the line it is on."""

    link: str
    line: int


@dataclass(frozen=True)
class _Mentions:
    """The mentions of one place, and the problems found in them."""

    mentions: tuple[Mention, ...]
    problems: tuple[Problem, ...]


def _read_mentions(node: yaml.SequenceNode, key_line: int, shown: str, where: str) -> _Mentions:
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
    return _Mentions(tuple(mentions), tuple(problems))


def _place_value_problems(values: dict[str, Located], shown: str, where: str) -> list[Problem]:
    """A place's coordinates must be on the globe, and its label on a side of its dot."""
    problems: list[Problem] = []
    for key, limit in (("latitude", 90), ("longitude", 180)):
        value = values.get(key)
        if value and not -limit <= value.value <= limit:
            problems.append(
                Problem(
                    shown, value.line, f"'{key}'{where} must be between -{limit} and {limit} (found {value.value:g})"
                )
            )
    label = values.get("label")
    if label and label.value not in PLACE_LABELS:
        problems.append(
            Problem(
                shown,
                label.line,
                f"'label'{where} must be one of: {', '.join(PLACE_LABELS)} (found '{label.value}')",
            )
        )
    return problems


def _place(node: yaml.Node, number: int, shown: str, seen: dict[str, int]) -> _Read[Place]:
    """Place ``number`` of the places file, whose earlier places have the ids ``seen``."""
    where = f" in place {number}"
    checked = check_yaml_mapping(node, _PLACE_FIELDS, shown, 1, where)
    values, problems = checked.values, list(checked.problems)
    problems.extend(_id_problems(values.get("id"), shown, where, "place", seen))
    problems.extend(_place_value_problems(values, shown, where))
    mentions_node = value_node(node, "mentions") if isinstance(node, yaml.MappingNode) else None
    mentions: tuple[Mention, ...] = ()
    if "mentions" in values and isinstance(mentions_node, yaml.SequenceNode):
        read = _read_mentions(mentions_node, values["mentions"].line, shown, where)
        mentions = read.mentions
        problems.extend(read.problems)
    if problems:
        return _Read(None, tuple(problems))
    label = values.get("label")
    place = Place(
        id=values["id"].value,
        name=values["name"].value,
        latitude=values["latitude"].value,
        longitude=values["longitude"].value,
        label=label.value if label else "right",
        mentions=tuple(mention.link for mention in mentions),
        line=line_of(node, 1),
        name_line=values["name"].line,
        mention_lines=tuple(mention.line for mention in mentions),
    )
    return _Read(place, ())


def load_places(path: Path, root: Path) -> tuple[Place, ...]:
    """Read ``content/places.yaml``: the places of the map, each with the site links where the
    story mentions it. An absent file means no map. Whether the links lead anywhere is checked
    once the site is planned (``placemap.check_places``)."""
    if not path.exists():
        return ()
    return _identified(_entries(path, root), _place)
