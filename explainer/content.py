"""Load ``content/``: French Markdown files with YAML front matter.

Reads disk. Returns validated ``Page`` objects, or raises ``ContentError``
listing every problem in every file, each as ``path:line: message``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError, Problem, relative
from .model import PAGE_KINDS, Page, Source

MAX_FILE_BYTES = 2_000_000
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
_DATED_KINDS = ("news", "original", "background")
_SOURCED_KINDS = ("news", "original", "background")


@dataclass(frozen=True)
class _Field:
    kind: type | tuple[type, ...]
    required: bool = False


_FIELDS: dict[str, _Field] = {
    "title": _Field(str, required=True),
    "kind": _Field(str, required=True),
    "summary": _Field(str, required=True),
    "date": _Field(datetime.date),
    "updated": _Field(datetime.date),
    "order": _Field(int),
    "credit": _Field(str),
    "sources": _Field(list),
}
_SOURCE_FIELDS: dict[str, _Field] = {
    "outlet": _Field(str, required=True),
    "title": _Field(str, required=True),
    "date": _Field(datetime.date, required=True),
    "url": _Field(str),
}
_TYPE_NAMES = {str: "text", datetime.date: "date (YYYY-MM-DD)", int: "whole number", list: "list"}


def page_path(file: Path, content_dir: Path) -> str:
    """Map ``content/a/b.md`` to ``a/b`` and ``content/a/index.md`` to ``a``."""
    parts = list(file.relative_to(content_dir).with_suffix("").parts)
    if parts and parts[-1] == "index":
        parts.pop()
    return "/".join(parts)


def _decode(raw: bytes, shown: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark some editors add
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ContentError(
            [Problem(shown, line, f"not valid UTF-8 (byte 0x{raw[error.start]:02x}); save the file as UTF-8")]
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_front_matter(text: str, shown: str) -> tuple[str, str, int]:
    """Return (front matter, body, body's first line number)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError([Problem(shown, 1, "missing front matter: the file must start with a '---' line")])
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return "\n".join(lines[1 : number - 1]), "\n".join(lines[number:]), number + 1
    raise ContentError([Problem(shown, 1, "front matter is not closed: add a '---' line after it")])


def _parse_yaml(front: str, shown: str) -> yaml.MappingNode | None:
    try:
        node = yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        # Report where the construct began (the context) when YAML knows it:
        # the problem is often only noticed on a later line.
        mark = error.context_mark or error.problem_mark
        line = (mark.line + 2) if mark else 1
        what = ", ".join(part for part in (error.context, error.problem) if part) or "syntax error"
        raise ContentError([Problem(shown, line, f"invalid YAML in front matter: {what}")]) from None
    except yaml.YAMLError as error:
        raise ContentError([Problem(shown, 1, f"invalid YAML in front matter: {error}")]) from None
    if node is None:
        return None
    if not isinstance(node, yaml.MappingNode):
        raise ContentError([Problem(shown, node.start_mark.line + 2, "front matter must be 'key: value' lines")])
    return node


def _construct(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _coerce(value: Any, field: _Field) -> Any:
    """Return ``value`` converted to the field's type, or raise ValueError."""
    if field.kind is datetime.date:
        if isinstance(value, datetime.datetime):
            raise ValueError
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.date.fromisoformat(value)
        raise ValueError
    if field.kind is int and isinstance(value, bool):
        raise ValueError
    if field.kind is str and isinstance(value, str):
        if not value.strip():
            raise ValueError
        return value.strip()
    if isinstance(value, field.kind):
        return value
    raise ValueError


def _read_mapping(
    node: yaml.MappingNode, fields: dict[str, _Field], shown: str, where: str, problems: list[Problem]
) -> dict[str, tuple[Any, int]]:
    """Validate a mapping node; return {key: (value, line)} for valid keys."""
    values: dict[str, tuple[Any, int]] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 2
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
        if key not in fields:
            allowed = ", ".join(sorted(fields))
            problems.append(Problem(shown, line, f"unknown key '{key}'{where}; allowed keys: {allowed}"))
            continue
        if key in values:
            problems.append(Problem(shown, line, f"'{key}' is given twice{where}"))
            continue
        field = fields[key]
        try:
            value = _coerce(_construct(value_node), field)
        except (ValueError, yaml.YAMLError):
            problems.append(
                Problem(shown, line, f"'{key}'{where} must be a {_TYPE_NAMES[field.kind]}")  # type: ignore[index]
            )
            continue
        values[key] = (value, line)
    first_line = node.start_mark.line + 2
    for key, field in fields.items():
        if (
            field.required
            and key not in values
            and not any(isinstance(k, yaml.ScalarNode) and k.value == key for k, _ in node.value)
        ):
            problems.append(Problem(shown, first_line, f"missing required key '{key}'{where}"))
    return values


def _read_sources(node: yaml.Node, shown: str, problems: list[Problem]) -> tuple[Source, ...]:
    sources: list[Source] = []
    for number, item in enumerate(node.value, start=1) if isinstance(node, yaml.SequenceNode) else ():
        where = f" in source {number}"
        if not isinstance(item, yaml.MappingNode):
            problems.append(Problem(shown, item.start_mark.line + 2, f"source {number} must have outlet, title, date"))
            continue
        before = len(problems)
        values = _read_mapping(item, _SOURCE_FIELDS, shown, where, problems)
        url = values.get("url")
        if url and not _URL.match(url[0]):
            problems.append(Problem(shown, url[1], f"'url'{where} must be an absolute http(s) link"))
        if len(problems) == before:
            sources.append(Source(values["outlet"][0], values["title"][0], values["date"][0], url[0] if url else None))
    return tuple(sources)


def _load_file(file: Path, content_dir: Path, root: Path, warnings: list[Problem]) -> Page:
    shown = relative(file, root)
    raw = file.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise ContentError(
            [Problem(shown, 0, f"file is {len(raw):,} bytes; pages are limited to {MAX_FILE_BYTES:,}: split it")]
        )
    text = _decode(raw, shown)
    front, body, body_line = _split_front_matter(text, shown)
    node = _parse_yaml(front, shown)
    if node is None:
        raise ContentError([Problem(shown, 1, "front matter is empty: it needs at least title, kind and summary")])
    problems: list[Problem] = []
    values = _read_mapping(node, _FIELDS, shown, "", problems)

    kind = values.get("kind")
    if kind and kind[0] not in PAGE_KINDS:
        problems.append(Problem(shown, kind[1], f"unknown kind '{kind[0]}'; use one of: {', '.join(PAGE_KINDS)}"))
    kind_name = kind[0] if kind else ""
    sources: tuple[Source, ...] = ()
    if "sources" in values:
        source_node = next(v for k, v in node.value if k.value == "sources")
        sources = _read_sources(source_node, shown, problems)
    present = {key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
    if kind_name in _DATED_KINDS and "date" not in present:
        problems.append(Problem(shown, node.start_mark.line + 2, f"a '{kind_name}' page needs a 'date'"))
    if kind_name in _SOURCED_KINDS and "sources" not in present:
        problems.append(Problem(shown, node.start_mark.line + 2, f"a '{kind_name}' page needs 'sources'"))
    path = page_path(file, content_dir)
    if kind_name == "home" and path != "":
        problems.append(Problem(shown, kind[1] if kind else 1, "only content/index.md can be of kind 'home'"))
    if path == "" and kind_name and kind_name != "home":
        problems.append(Problem(shown, kind[1] if kind else 1, "content/index.md must be of kind 'home'"))
    if problems:
        raise ContentError(problems)

    date = values.get("date", (None, 0))[0]
    updated = values.get("updated", (None, 0))
    if updated[0] and date and updated[0] < date:
        warnings.append(Problem(shown, updated[1], f"'updated' ({updated[0]}) is before 'date' ({date})"))
    return Page(
        path=path,
        source_file=shown,
        kind=kind_name,
        title=values["title"][0],
        summary=values["summary"][0],
        date=date,
        updated=updated[0],
        order=values.get("order", (0, 0))[0],
        credit=values.get("credit", (None, 0))[0],
        sources=sources,
        body=body,
        body_line=body_line,
    )


def _check_path(file: Path, content_dir: Path, root: Path) -> list[Problem]:
    shown = relative(file, root)
    resolved = file.resolve()
    if not resolved.is_relative_to(content_dir.resolve()):
        return [Problem(shown, 0, "points outside content/ (a symbolic link?); pages must live inside content/")]
    parts = file.relative_to(content_dir).with_suffix("").parts
    bad = [part for part in parts if not _SLUG.match(part)]
    if bad:
        return [
            Problem(shown, 0, f"'{bad[0]}' cannot be part of a page address: use lowercase letters, digits and hyphens")
        ]
    return []


def load_content(content_dir: Path, root: Path) -> tuple[tuple[Page, ...], tuple[Problem, ...]]:
    """Read every ``*.md`` file under ``content_dir``, sorted by path.

    Returns the pages and the warnings. Raises ``ContentError`` with every
    problem in every file.
    """
    if not content_dir.is_dir():
        raise ContentError([Problem(relative(content_dir, root), 0, "content folder not found")])
    problems: list[Problem] = []
    warnings: list[Problem] = []
    pages: list[Page] = []
    files = sorted(content_dir.rglob("*.md"), key=lambda file: file.relative_to(content_dir).as_posix())
    for file in files:
        path_problems = _check_path(file, content_dir, root)
        if path_problems:
            problems.extend(path_problems)
            continue
        try:
            pages.append(_load_file(file, content_dir, root, warnings))
        except ContentError as error:
            problems.extend(error.problems)
    owners: dict[str, str] = {}
    for page in pages:
        if page.path in owners:
            problems.append(
                Problem(
                    page.source_file,
                    0,
                    f"page address '/{page.path}' is already used by {owners[page.path]}; rename one of them",
                )
            )
        else:
            owners[page.path] = page.source_file
    if "" not in owners and not problems:
        problems.append(Problem(relative(content_dir, root), 0, "no home page: add content/index.md (kind: home)"))
    if problems:
        raise ContentError(problems)
    return tuple(pages), tuple(warnings)
