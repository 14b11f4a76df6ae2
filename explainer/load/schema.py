"""Mappings from YAML (front matter, data files) checked against small schemas. Pure.

``yaml_entries`` reads the entries of a YAML mapping for ``fields.check_mapping``, the one
schema engine (``toml.toml_entries`` reads those of TOML); ``YAML`` is how YAML types its
values and words its problems. Every problem is reported with the line it is on. ``offset``
converts YAML's 0-based line numbers to the file's: 2 for front matter (after the opening
``---``), 1 for a whole YAML file.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import ContentError, Problem
from ..model import Source
from .fields import Checked, Dialect, Entry, Field, check_mapping
from .yaml_messages import explain

# libyaml's parser (PyYAML's C extension, where it was built) composes the same nodes with the
# same lines, several times faster. Only text it reads without error is taken from it: anything
# else is read again by PyYAML's own parser, whose messages (and lines) are the ones an editor
# is shown, whichever parser is present (libyaml words its errors differently).
FAST_LOADER: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else None
# Where the two parsers are known to disagree, PyYAML's alone reads: libyaml accepts tabs PyYAML
# refuses ("title: \t"), places empty nodes ("title:", "? ", a bare "---") on other lines
# (``_has_empty_node``), and YAML 1.1's other line breaks are PyYAML's to count.
_PYYAML_ONLY = re.compile("[\t\r\x85\u2028\u2029]|^(?:---|\\.\\.\\.)", re.MULTILINE)


def _has_empty_node(node: yaml.Node) -> bool:
    """Whether a node tree holds an empty node (a plain scalar with no text)."""
    seen: set[int] = set()
    waiting = [node]
    while waiting:
        current = waiting.pop()
        if id(current) in seen:
            continue  # an alias, read already
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            if current.value == "" and not current.style:  # plain: None, or "" from libyaml
                return True
        elif isinstance(current, yaml.MappingNode):
            waiting.extend(part for pair in current.value for part in pair)
        else:
            waiting.extend(current.value)
    return False


URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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
    if FAST_LOADER is not None and not _PYYAML_ONLY.search(text):
        try:
            node = yaml.compose(text, Loader=FAST_LOADER)
        except (yaml.YAMLError, ValueError):
            node = None  # read again below, for PyYAML's own message and line
        if node is not None and not _has_empty_node(node):
            return node
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


def _yaml_coerce(value: Any, field: Field) -> Any:
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


def _yaml_wrong_type(key: str, where: str, field: Field, value: Any) -> str:
    assert isinstance(field.kind, type)  # YAML schemas name one type per key
    example = _EXAMPLES[field.kind].format(key=key)
    return f"'{key}'{where} must be {_TYPE_NAMES[field.kind]}{_found(value)}; for example {example}"


YAML = Dialect(_yaml_coerce, _yaml_wrong_type, lambda key, where: f"missing required key '{key}'{where}")


def yaml_entries(node: yaml.MappingNode, offset: int) -> tuple[Entry, ...]:
    """The keys of a YAML mapping node, in order, with their Python values and lines."""
    entries = []
    for key_node, value_node in node.value:
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
        try:
            value = construct(value_node)
        except (ValueError, yaml.YAMLError):  # e.g. 2025-13-45, which YAML reads as a date
            value = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
        entries.append(Entry(key, value, line_of(key_node, offset)))
    return tuple(entries)


def check_yaml_mapping(node: yaml.Node, fields: Mapping[str, Field], shown: str, offset: int, where: str) -> Checked:
    """``check_mapping`` of a YAML node, which must be a mapping."""
    if not isinstance(node, yaml.MappingNode):
        return Checked({}, (Problem(shown, line_of(node, offset), f"expected 'key: value' lines{where}"),))
    return check_mapping(yaml_entries(node, offset), line_of(node, offset), fields, shown, where, YAML)


def value_node(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node, if present."""
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value  # type: ignore[no-any-return]
    return None


def _known_language(tag: str) -> bool:
    """Whether CLDR knows the language of ``tag`` (so a reader's browser can too)."""
    from babel import UnknownLocaleError

    from ..locales import babel_locale

    try:
        babel_locale(tag.split("-")[0])
    except (UnknownLocaleError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class CheckedSources:
    """The valid sources of a list, and what is wrong with the others."""

    sources: tuple[Source, ...]
    problems: tuple[Problem, ...]


def check_sources(node: yaml.Node, shown: str, offset: int, where: str, source_language: str = "fr") -> CheckedSources:
    """Validate a list of sources (outlet, title and/or description, optional lang, date and url).

    A source without a ``date`` is one whose publication date could not be established: it is shown as undated.

    ``lang`` (the language of the outlet's name and the title) defaults to ``source_language``.
    """
    if not isinstance(node, yaml.SequenceNode):
        return CheckedSources((), (Problem(shown, line_of(node, offset), f"'sources'{where} must be a list"),))
    checked = [
        _check_source(item, shown, offset, f" in source {number}{where}", source_language)
        for number, item in enumerate(node.value, start=1)
    ]
    return CheckedSources(
        tuple(source for one in checked for source in one.sources),
        tuple(problem for one in checked for problem in one.problems),
    )


def _check_source(item: yaml.Node, shown: str, offset: int, inner: str, source_language: str) -> CheckedSources:
    """One source of a list (``inner`` says which): the source if it is valid, else its problems."""
    checked = check_yaml_mapping(item, SOURCE_FIELDS, shown, offset, inner)
    values, problems = checked.values, list(checked.problems)
    url, lang = values.get("url"), values.get("lang")
    if url and not URL.match(url.value):
        problems.append(Problem(shown, url.line, f"'url'{inner} must be an absolute http(s) link"))
    if lang and not (LANGUAGE_TAG.match(lang.value) and _known_language(lang.value)):
        problems.append(
            Problem(
                shown,
                lang.line,
                f"'lang'{inner} must be the language of the outlet and title as a code such as 'en', 'ar' "
                f"or 'pt-BR', not {lang.value!r}",
            )
        )
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
    if problems:
        return CheckedSources((), tuple(problems))
    title, date, description = values.get("title"), values.get("date"), values.get("description")
    source = Source(
        values["outlet"].value,
        title.value if title else None,
        date.value if date else None,
        url.value if url else None,
        lang=lang.value if lang else source_language,
        description=description.value if description else None,
        line=description.line if description else line_of(item, offset),
    )
    return CheckedSources((source,), ())
