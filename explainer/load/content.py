"""Load ``content/``: French Markdown files with YAML front matter.

Reads disk. Returns validated ``Page`` objects, or raises ``ContentError``
listing every problem in every file, each as ``path:line: message``.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError, Problem, relative
from ..fsutil import input_problem, utf8_text
from ..kinds import KINDS, PageData, kind_names
from ..layout import content_files, data_path, page_path
from ..model import RESERVED_PATHS, Page, Source
from .fields import Field, Located, did_you_mean
from .schema import (
    SLUG,
    check_sources,
    check_yaml_mapping,
    line_of,
    parse_yaml,
    value_node,
)

MAX_FILE_BYTES = 2_000_000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_FIELDS: dict[str, Field] = {
    "title": Field(str, required=True),
    "kind": Field(str, required=True),
    "summary": Field(str, required=True),
    "date": Field(datetime.date),
    "updated": Field(datetime.date),
    "order": Field(int),
    "credit": Field(str),
    "sources": Field(list),
    "in_short": Field(list),
}
IN_SHORT_LINES = (3, 5)  # an "in short" box has three to five lines


def _decode(raw: bytes, shown: str) -> str:
    text = utf8_text(raw, shown, ContentError, "; save the file as UTF-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class _Parts:
    """A page file's text cut in two: its front matter and its body."""

    front: str
    body: str
    body_line: int  # the body's first line number


def _split_front_matter(text: str, shown: str) -> _Parts:
    """The front matter and the body of a page file's text."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError([Problem(shown, 1, "missing front matter: the file must start with a '---' line")])
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return _Parts("\n".join(lines[1 : number - 1]), "\n".join(lines[number:]), number + 1)
    raise ContentError([Problem(shown, 1, "front matter is not closed: add a '---' line after it")])


@dataclass(frozen=True)
class _InShort:
    """The lines of an "in short" box, each with its line number, and the problems found in it."""

    lines: tuple[tuple[str, int], ...]
    problems: tuple[Problem, ...]


def _read_in_short(node: yaml.Node, key_line: int, shown: str) -> _InShort:
    """The lines of the "in short" box: a list of three to five pieces of text, with their line
    numbers; and the problems found in it."""
    fewest, most = IN_SHORT_LINES
    if not isinstance(node, yaml.SequenceNode):
        return _InShort(
            (), (Problem(shown, line_of(node, 2), "'in_short' must be a list of lines that start with '- '"),)
        )
    problems: list[Problem] = []
    lines: list[tuple[str, int]] = []
    for number, item in enumerate(node.value, start=1):
        text = item.value if isinstance(item, yaml.ScalarNode) else None
        if not isinstance(text, str) or not text.strip() or item.tag != "tag:yaml.org,2002:str":
            problems.append(
                Problem(
                    shown, line_of(item, 2), f"line {number} of 'in_short' must be text; for example - 'Une phrase.'"
                )
            )
            continue
        lines.append((text.strip(), line_of(item, 2)))
    if not fewest <= len(node.value) <= most:
        problems.append(
            Problem(
                shown,
                key_line,
                f"'in_short' has {len(node.value)} lines; an 'in short' box has {fewest} to {most}",
            )
        )
    return _InShort(tuple(lines), tuple(problems))


@dataclass(frozen=True)
class _FrontMatter:
    """A page file's front matter, parsed, and the body that follows it."""

    node: yaml.MappingNode
    body: str
    body_line: int


def _read_front_matter(file: Path, shown: str) -> _FrontMatter:
    """Read a page file and parse its front matter. Raises ``ContentError`` when the file is too
    large, not UTF-8, or has no front matter made of ``key: value`` lines."""
    raw = file.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise ContentError(
            [Problem(shown, 0, f"file is {len(raw):,} bytes; pages are limited to {MAX_FILE_BYTES:,}: split it")]
        )
    text = _decode(raw, shown)
    parts = _split_front_matter(text, shown)
    front = parts.front
    control = _CONTROL.search(front)
    if control:
        # YAML would name a position in its own copy of the text, not the file's line.
        line = 2 + front.count("\n", 0, control.start())
        raise ContentError(
            [Problem(shown, line, f"control character U+{ord(control.group()):04X} in front matter; remove it")]
        )
    node = parse_yaml(front, shown, 2, "front matter")
    if node is None:
        raise ContentError([Problem(shown, 1, "front matter is empty: it needs at least title, kind and summary")])
    if not isinstance(node, yaml.MappingNode):
        raise ContentError([Problem(shown, line_of(node, 2), "front matter must be 'key: value' lines")])
    return _FrontMatter(node, parts.body, parts.body_line)


@dataclass(frozen=True)
class _Lists:
    """The lists of a page's front matter, and the problems found in them."""

    sources: tuple[Source, ...]
    in_short: tuple[tuple[str, int], ...]
    problems: tuple[Problem, ...]


def _read_lists(node: yaml.MappingNode, values: dict[str, Located], shown: str) -> _Lists:
    """Read the ``sources`` and ``in_short`` lists of the front matter ``node``."""
    problems: list[Problem] = []
    sources: tuple[Source, ...] = ()
    source_node = value_node(node, "sources")
    if "sources" in values and source_node is not None:
        checked = check_sources(source_node, shown, 2, "")
        sources = checked.sources
        problems.extend(checked.problems)
    in_short: tuple[tuple[str, int], ...] = ()
    in_short_node = value_node(node, "in_short")
    if "in_short" in values and in_short_node is not None:
        read = _read_in_short(in_short_node, values["in_short"].line, shown)
        in_short = read.lines
        problems.extend(read.problems)
    return _Lists(sources, in_short, tuple(problems))


def _home_problems(path: str, kind: Located | None, shown: str) -> list[Problem]:
    """Only ``content/index.md`` is the home page, and it is of kind 'home'."""
    kind_name, line = (kind.value, kind.line) if kind else ("", 1)
    if kind_name == "home" and path != "":
        return [Problem(shown, line, "only content/index.md can be of kind 'home'")]
    if path == "" and kind_name and kind_name != "home":
        return [Problem(shown, line, "content/index.md must be of kind 'home'")]
    return []


def _optional(values: dict[str, Located], key: str) -> Any:
    """The value of an optional key, or None when it is not given (or not valid)."""
    located = values.get(key)
    return located.value if located else None


def _date_warnings(values: dict[str, Located], shown: str) -> tuple[Problem, ...]:
    date = _optional(values, "date")
    updated = values.get("updated")
    if updated and updated.value and date and updated.value < date:
        return (Problem(shown, updated.line, f"'updated' ({updated.value}) is before 'date' ({date})"),)
    return ()


@dataclass(frozen=True)
class _Loaded:
    """A page read from its file, and its warnings."""

    page: Page
    warnings: tuple[Problem, ...]


def _load_file(file: Path, content_dir: Path, root: Path) -> _Loaded:
    """The page of ``file``, and its warnings. Raises ``ContentError`` with every problem found in it."""
    shown = relative(file, root)
    front_matter = _read_front_matter(file, shown)
    node = front_matter.node
    checked = check_yaml_mapping(node, _FIELDS, shown, 2, "")
    values = checked.values
    problems = list(checked.problems)

    kind = values.get("kind")
    if kind and kind.value not in KINDS:
        hint = did_you_mean(kind.value, kind_names())
        problems.append(
            Problem(shown, kind.line, f"unknown kind '{kind.value}';{hint or ''} use one of: {', '.join(kind_names())}")
        )
    kind_name = kind.value if kind else ""
    page_kind = KINDS.get(kind_name)
    lists = _read_lists(node, values, shown)
    problems.extend(lists.problems)
    present = {key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
    if page_kind and page_kind.needs_date and "date" not in present:
        problems.append(Problem(shown, node.start_mark.line + 2, f"a '{kind_name}' page needs a 'date'"))
    if page_kind and page_kind.needs_sources and "sources" not in present:
        problems.append(Problem(shown, node.start_mark.line + 2, f"a '{kind_name}' page needs 'sources'"))
    path = page_path(file, content_dir)
    problems.extend(_home_problems(path, kind, shown))
    data = PageData()
    data_file = None
    if page_kind and page_kind.load_data:
        data_file = relative(data_path(file), root)
        try:
            data = page_kind.load_data(data_path(file), root)
        except ContentError as error:
            problems.extend(error.problems)
    if problems:
        raise ContentError(problems)

    page = Page(
        path=path,
        source_file=shown,
        kind=kind_name,
        title=values["title"].value,
        summary=values["summary"].value,
        date=_optional(values, "date"),
        updated=_optional(values, "updated"),
        order=_optional(values, "order"),
        credit=_optional(values, "credit"),
        sources=lists.sources,
        body=front_matter.body,
        body_line=front_matter.body_line,
        timeline=data.timeline,
        glossary=data.glossary,
        data_file=data_file,
        field_lines=tuple((key, located.line) for key, located in sorted(values.items())),
        in_short=lists.in_short,
    )
    return _Loaded(page, _date_warnings(values, shown))


def _check_path(file: Path, content_dir: Path, root: Path, real_content_dir: Path) -> list[Problem]:
    shown = relative(file, root)
    try:
        real = Path(os.path.realpath(file, strict=True))
    except OSError:  # a loop of symbolic links, or a link to nothing
        return [Problem(shown, 0, input_problem(file, real_content_dir) or "cannot be read")]
    if not real.is_relative_to(real_content_dir):
        return [Problem(shown, 0, "points outside content/ (a symbolic link?); pages must live inside content/")]
    parts = file.relative_to(content_dir).with_suffix("").parts
    if parts and parts[0] in RESERVED_PATHS:
        return [Problem(shown, 0, f"'/{parts[0]}/' is made by the generator in every language; rename this page")]
    bad = [part for part in parts if not SLUG.match(part)]
    if bad:
        return [
            Problem(shown, 0, f"'{bad[0]}' cannot be part of a page address: use lowercase letters, digits and hyphens")
        ]
    return []


def load_content(
    content_dir: Path,
    root: Path,
    wanted: Callable[[Path], bool] | None = None,
    files: list[Path] | None = None,
) -> tuple[tuple[Page, ...], tuple[Problem, ...]]:
    """Read every ``*.md`` file under ``content_dir`` (or those ``wanted``), sorted by path.

    ``files`` is ``content_files`` when the caller already has it. Returns the pages and
    the warnings. Raises ``ContentError`` with every problem in every file read;
    addresses are compared across all files.
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    pages: list[Page] = []
    owners: dict[str, str] = {}
    real_content_dir = Path(os.path.realpath(content_dir))
    for file in content_files(content_dir, root) if files is None else files:
        # Files not wanted were read, and their paths checked, by an earlier build.
        read = wanted is None or wanted(file)
        path_problems = _check_path(file, content_dir, root, real_content_dir) if read else []
        if path_problems:
            problems.extend(path_problems)
            continue
        address, shown = page_path(file, content_dir), relative(file, root)
        if address in owners:
            problems.append(
                Problem(shown, 0, f"page address '/{address}' is already used by {owners[address]}; rename one of them")
            )
        else:
            owners[address] = shown
        if not read:
            continue
        try:
            loaded = _load_file(file, content_dir, root)
        except ContentError as error:
            problems.extend(error.problems)
            continue
        pages.append(loaded.page)
        warnings.extend(loaded.warnings)
    if "" not in owners and not problems:
        problems.append(Problem(relative(content_dir, root), 0, "no home page: add content/index.md (kind: home)"))
    if problems:
        raise ContentError(problems)
    return tuple(pages), tuple(warnings)
