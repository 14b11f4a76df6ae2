"""The one schema engine: a mapping's entries checked against a small schema (unknown keys, keys
given twice, types, required keys), each problem on the line it is on. Pure.

A file format gives its entries (``Entry``: each key with its value and line) and its ``Dialect``
(how it types its values and words its problems): ``schema`` for YAML (front matter, data files),
``toml`` for ``explainer.toml``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import Problem


@dataclass(frozen=True)
class Field:
    """One allowed key: its type (a tuple: any of these) and whether it is required."""

    kind: type | tuple[type, ...]
    required: bool = False


@dataclass(frozen=True)
class Entry:
    """One key of a mapping as a file gives it: its value and the line it is on."""

    key: str
    value: Any
    line: int


@dataclass(frozen=True)
class Located:
    """A checked value and the line it came from."""

    value: Any
    line: int


@dataclass(frozen=True)
class Dialect:
    """How a file format types its values and words its problems."""

    coerce: Callable[[Any, Field], Any]  # the value as the field's type; raises ValueError
    wrong_type: Callable[[str, str, Field, Any], str]  # (key, where, field, value) -> message
    missing: Callable[[str, str], str]  # (key, where) -> message


@dataclass(frozen=True)
class Checked:
    """The valid keys of a mapping with their values, and what is wrong with the others."""

    values: dict[str, Located]
    problems: tuple[Problem, ...]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` did you mean 'x'?`` for a near miss among ``choices``, else empty."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f" did you mean '{close[0]}'?" if close else ""


def check_mapping(
    entries: Sequence[Entry], line: int, fields: Mapping[str, Field], shown: str, where: str, dialect: Dialect
) -> Checked:
    """Check the entries of a mapping on ``line`` of ``shown`` against ``fields``.

    Returns the valid keys with their (coerced) values and lines, and a problem for every
    unknown key, key given twice, value of the wrong type and missing required key,
    ``where`` (such as `` in source 2``) saying which mapping of the file it is.
    """
    values: dict[str, Located] = {}
    problems: list[Problem] = []
    present: set[str] = set()
    for entry in entries:
        key = entry.key
        if key not in fields:
            allowed = ", ".join(sorted(fields))
            hint = did_you_mean(key, fields)
            problems.append(Problem(shown, entry.line, f"unknown key '{key}'{where};{hint} allowed keys: {allowed}"))
            continue
        if key in present:
            problems.append(Problem(shown, entry.line, f"'{key}' is given twice{where}"))
            continue
        present.add(key)
        try:
            values[key] = Located(dialect.coerce(entry.value, fields[key]), entry.line)
        except ValueError:
            problems.append(Problem(shown, entry.line, dialect.wrong_type(key, where, fields[key], entry.value)))
    for key, field in fields.items():
        if field.required and key not in present:
            problems.append(Problem(shown, line, dialect.missing(key, where)))
    return Checked(values, tuple(problems))
