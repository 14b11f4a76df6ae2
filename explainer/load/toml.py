"""TOML (explainer.toml) for the schema engine: parsing, line numbers of tables and keys
(``tomllib`` keeps none), entries and the TOML dialect. Pure."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError, Problem
from .fields import Dialect, Entry, Field


def parse_toml(text: str, shown: str) -> dict[str, Any]:
    """The tables of a TOML text. Raises ``ConfigError`` on a syntax error, with its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line_match = re.search(r"line (\d+)", str(error))
        line = int(line_match.group(1)) if line_match else 0
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise ConfigError([Problem(shown, line, f"invalid TOML: {message}")]) from None


def _toml_coerce(value: Any, field: Field) -> Any:
    """``value`` as TOML gave it, if it has the field's type (a boolean is not a number); else ValueError."""
    if not isinstance(value, field.kind) or (field.kind is not bool and isinstance(value, bool)):
        raise ValueError
    return value


def _toml_wrong_type(key: str, where: str, field: Field, value: Any) -> str:
    kind = "number" if isinstance(field.kind, tuple) else field.kind.__name__
    return f"'{key}'{where} must be a {kind}"


# TOML mappings are tables: ``where`` is " in [name]", and a missing key is said of the table.
TOML = Dialect(_toml_coerce, _toml_wrong_type, lambda key, where: f"{where.removeprefix(' in ')} is missing '{key}'")


def toml_line(text: str, pattern: str) -> int:
    """Return the 1-based line where ``pattern`` (a regex) first matches in a TOML text, or 0."""
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def toml_table_line(text: str, table: str) -> int:
    """The line of the header ``[table]``, or 0."""
    return toml_line(text, rf"^[ \t]*\[{re.escape(table)}\]")


def toml_key_line(text: str, table: str, key: str) -> int:
    """Best-effort line of ``key`` inside ``[table]`` (tomllib keeps no lines), else of the table."""
    start = toml_table_line(text, table)
    lines = text.splitlines()
    for number in range(max(start, 1), len(lines) + 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[number - 1]):
            return number
        if number > start and start and re.match(r"\s*\[", lines[number - 1]):
            break
    return start


def toml_entries(text: str, table: str, values: Mapping[str, Any]) -> tuple[Entry, ...]:
    """The keys of the TOML table ``[table]`` (parsed as ``values``), in name order, with their lines."""
    return tuple(Entry(key, values[key], toml_key_line(text, table, key)) for key in sorted(values))
