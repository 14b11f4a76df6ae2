"""Validate YAML (front matter and data files) against small schemas. Pure.

Every problem is reported with the line it is on. ``offset`` converts YAML's
0-based line numbers to the file's: 2 for front matter (after the opening
``---``), 1 for a whole YAML file.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import ContentError, Problem
from ..model import Source
from .yaml_messages import explain

URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Field:
    """One allowed key: its type and whether it is required."""

    kind: type
    required: bool = False


SOURCE_FIELDS: dict[str, Field] = {
    "outlet": Field(str, required=True),
    "title": Field(str),
    "lang": Field(str),
    "description": Field(str),
    "date": Field(datetime.date),
    "url": Field(str),
}
# A language tag as HTML's lang takes it: "en", "ar", "pt-BR", "zh-Hant".
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_TYPE_NAMES = {
    str: "text",
    datetime.date: "a date (YYYY-MM-DD)",
    int: "a whole number",
    float: "a number",
    list: "a list",
}
# What a right value looks like, shown after a wrong one.
_EXAMPLES = {
    str: '{key}: "Some text"',
    datetime.date: "{key}: 2025-09-19",
    int: "{key}: 2 (a number, without quotes)",
    float: "{key}: 12.6392 (a number, without quotes)",
    list: "{key}: followed by lines that start with '- '",
}


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` did you mean 'x'?`` for a near miss among ``choices``, else empty."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f" did you mean '{close[0]}'?" if close else ""


def _found(value: Any) -> str:
    if isinstance(value, str | int | float | datetime.date) and not isinstance(value, bool):
        shown = str(value)
        return f" (found '{shown[:40]}')" if shown.strip() else " (found nothing)"
    if value is None:
        return " (found nothing)"
    return f" (found a {type(value).__name__ if not isinstance(value, dict) else 'block of keys'})"


MAX_DEPTH = 100


def _too_deep(text: str) -> int:
    """The 1-based line where flow brackets nest deeper than ``MAX_DEPTH``, or 0.

    PyYAML recurses once per level and would crash on a few thousand."""
    depth = 0
    line = 1
    quote = ""
    for character in text:
        if character == "\n":
            line += 1
        elif quote:
            if character == quote:
                quote = ""
        elif character in "\"'":
            quote = character
        elif character in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif character in "]}":
            depth = max(depth - 1, 0)
    return 0


def parse_yaml(text: str, shown: str, offset: int, what: str) -> yaml.Node | None:
    """Compose ``text`` into a node tree (keeping line numbers).

    Raises ``ContentError`` on a YAML syntax error, located where the broken
    construct begins when YAML knows it (the problem is often noticed later).
    """
    too_deep = _too_deep(text)
    if too_deep:
        raise ContentError(
            [
                Problem(
                    shown,
                    too_deep + offset - 1,
                    f"invalid YAML in {what}: nesting is too deep (over {MAX_DEPTH} levels); flatten it",
                )
            ]
        )
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise ContentError([Problem(shown, 1, f"invalid YAML in {what}: nesting is too deep; flatten it")]) from None
    except yaml.MarkedYAMLError as error:
        explanation = explain(text, error, what)
        if explanation is not None:
            raise ContentError([Problem(shown, explanation.line + offset, explanation.message)]) from None
        mark = error.context_mark or error.problem_mark
        line = (mark.line + offset) if mark else 1
        reason = ", ".join(part for part in (error.context, error.problem) if part) or "syntax error"
        raise ContentError([Problem(shown, line, f"invalid YAML in {what}: {reason}")]) from None
    except yaml.YAMLError as error:
        raise ContentError([Problem(shown, 1, f"invalid YAML in {what}: {error}")]) from None


def construct(node: yaml.Node) -> Any:
    """The Python value of a node, as ``yaml.safe_load`` would give it."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def line_of(node: yaml.Node, offset: int) -> int:
    return int(node.start_mark.line) + offset


def _coerce(value: Any, field: Field) -> Any:
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
    if field.kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise ValueError
    if field.kind is str:
        if isinstance(value, str) and value.strip():
            return value.strip()
        raise ValueError
    if isinstance(value, field.kind):
        return value
    raise ValueError


def read_mapping(
    node: yaml.Node,
    fields: dict[str, Field],
    shown: str,
    offset: int,
    where: str,
    problems: list[Problem],
) -> dict[str, tuple[Any, int]]:
    """Validate a mapping node; return ``{key: (value, line)}`` for the valid keys.

    Unknown keys, keys given twice, wrong types and missing required keys are
    appended to ``problems``.
    """
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(shown, line_of(node, offset), f"expected 'key: value' lines{where}"))
        return {}
    values: dict[str, tuple[Any, int]] = {}
    present: set[str] = set()
    for key_node, value_node in node.value:
        line = line_of(key_node, offset)
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
        if key not in fields:
            allowed = ", ".join(sorted(fields))
            hint = did_you_mean(key, fields)
            problems.append(Problem(shown, line, f"unknown key '{key}'{where};{hint or ''} allowed keys: {allowed}"))
            continue
        if key in present:
            problems.append(Problem(shown, line, f"'{key}' is given twice{where}"))
            continue
        present.add(key)
        field = fields[key]
        try:
            value = construct(value_node)
        except (ValueError, yaml.YAMLError):  # e.g. 2025-13-45, which YAML reads as a date
            value = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
        try:
            values[key] = (_coerce(value, field), line)
        except ValueError:
            example = _EXAMPLES[field.kind].format(key=key)
            problems.append(
                Problem(
                    shown,
                    line,
                    f"'{key}'{where} must be {_TYPE_NAMES[field.kind]}{_found(value)}; for example {example}",
                )
            )
    for key, field in fields.items():
        if field.required and key not in present:
            problems.append(Problem(shown, line_of(node, offset), f"missing required key '{key}'{where}"))
    return values


def value_node(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node, if present."""
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value  # type: ignore[no-any-return]
    return None


def _known_language(tag: str) -> bool:
    """Whether CLDR knows the language of ``tag`` (so a reader's browser can too)."""
    from babel import UnknownLocaleError

    from ..config import babel_locale

    try:
        babel_locale(tag.split("-")[0])
    except (UnknownLocaleError, ValueError):
        return False
    return True


def read_sources(
    node: yaml.Node, shown: str, offset: int, where: str, problems: list[Problem], source_language: str = "fr"
) -> tuple[Source, ...]:
    """Validate a list of sources (outlet, title and/or description, optional lang, date and url).

    A source without a ``date`` is one whose publication date could not be established: it is shown as undated.

    ``lang`` (the language of the outlet's name and the title) defaults to ``source_language``.
    """
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(shown, line_of(node, offset), f"'sources'{where} must be a list"))
        return ()
    sources: list[Source] = []
    for number, item in enumerate(node.value, start=1):
        inner = f" in source {number}{where}"
        before = len(problems)
        values = read_mapping(item, SOURCE_FIELDS, shown, offset, inner, problems)
        url = values.get("url")
        if url and not URL.match(url[0]):
            problems.append(Problem(shown, url[1], f"'url'{inner} must be an absolute http(s) link"))
        lang = values.get("lang")
        if lang and not (LANGUAGE_TAG.match(lang[0]) and _known_language(lang[0])):
            problems.append(
                Problem(
                    shown,
                    lang[1],
                    f"'lang'{inner} must be the language of the outlet and title as a code such as 'en', 'ar' "
                    f"or 'pt-BR', not {lang[0]!r}",
                )
            )
        title, description = values.get("title"), values.get("description")
        given = {key.value for key, _ in item.value if isinstance(key, yaml.ScalarNode)} if values else set()
        if values and not given & {"title", "description"}:
            problems.append(
                Problem(
                    shown,
                    line_of(item, offset),
                    f"missing 'title' or 'description'{inner}: give its own title (in its language, with 'lang') "
                    "or a description in French, or both",
                )
            )
        if len(problems) == before:
            sources.append(
                Source(
                    values["outlet"][0],
                    title[0] if title else None,
                    values["date"][0] if "date" in values else None,
                    url[0] if url else None,
                    lang=lang[0] if lang else source_language,
                    description=description[0] if description else None,
                    line=description[1] if description else line_of(item, offset),
                )
            )
    return tuple(sources)
