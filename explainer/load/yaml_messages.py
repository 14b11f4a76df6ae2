"""YAML syntax errors in the words an editor uses. Pure.

PyYAML reports what its parser expected (``expected <block end>, but found
'<block mapping start>'``), often on the line after the one to change. The
common slips in front matter and data files are few: a tab, an unclosed
quote, a line indented more or less than its neighbours, a ``: `` inside an
unquoted value. ``explain`` recognises them from the text itself and names
the line the editor must change; anything else keeps PyYAML's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

# The line breaks of YAML 1.1, which PyYAML's marks count (not only "\n").
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_KEY = re.compile(r"^(?P<indent> *)(?:- +)?(?P<key>[^\s:#'\"][^:#]*?):(?:\s+(?P<value>.*?))?\s*$")


@dataclass(frozen=True)
class Explanation:
    """A 0-based line of the YAML text and what to do about it."""

    line: int
    message: str


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _column(line: str) -> int:
    """Where a line's key starts: after its indentation and any list dash."""
    stripped = line.lstrip(" ")
    dash = re.match(r"- +", stripped)
    return _indent(line) + (dash.end() if dash else 0)


def _content_lines(lines: list[str], before: int) -> list[int]:
    """Indexes of the non-blank, non-comment lines before ``before``, nearest first."""
    return [
        index
        for index in range(before - 1, -1, -1)
        if lines[index].strip() and not lines[index].lstrip().startswith("#")
    ]


def _unclosed_quote(line: str) -> bool:
    match = _KEY.match(line)
    value = (match.group("value") or "") if match else line.strip()
    if not value or value[0] not in "\"'":
        return False
    quote = value[0]
    body = value[1:].replace("\\\\", "").replace('\\"', "") if quote == '"' else value[1:].replace("''", "")
    return quote not in body


def _key_of(line: str) -> str | None:
    match = _KEY.match(line)
    return match.group("key").strip() if match else None


def _where(column: int, what: str) -> str:
    if column == 0 and what == "front matter":
        return "front matter keys start at the left margin"
    return "keys of one block start in the same column"


def _misindented(lines: list[str], last: int, what: str) -> Explanation | None:
    """A line indented more, or less, than the lines around it (at or above line ``last``), if that is the slip."""
    offending = lines[last] if 0 <= last < len(lines) else ""
    key = _key_of(offending)
    previous = _content_lines(lines, last)
    if key is None or not previous:
        return None
    above = lines[previous[0]]
    above_key = _key_of(above) or above.strip()
    if _indent(offending) > _column(above) and not above.rstrip().endswith(":"):
        if len(previous) > 1 and _column(lines[previous[1]]) == _indent(offending):
            return Explanation(
                previous[0], f"'{above_key}' is indented less than the lines around it; indent it like '{key}'"
            )
        return Explanation(last, f"'{key}' is indented more than the line above; {_where(_column(above), what)}")
    items = [index for index in previous if lines[index].lstrip().startswith("- ")]
    if (
        items
        and not offending.lstrip().startswith("- ")
        and _indent(offending) == _indent(lines[items[0]])
        and _column(lines[items[0]]) > _indent(lines[items[0]])
    ):
        return Explanation(
            last,
            f"'{key}' lines up with the '-' of the list item above, not with its keys; indent it like '{above_key}'",
        )
    columns = {_column(lines[index]) for index in previous} | {_indent(lines[index]) for index in previous}
    if _indent(offending) < _column(above) and _indent(offending) not in columns:
        return Explanation(
            last,
            f"'{key}' is indented less than the line above but lines up with no block; indent it like '{above_key}'",
        )
    return None


def explain(text: str, error: yaml.MarkedYAMLError, what: str) -> Explanation | None:
    """The slip behind ``error`` in ``text``, or None when it is not a common one."""
    lines = _LINE_BREAK.split(text)  # as YAML counts lines, so that marks point at the right one
    problem = error.problem_mark
    context = error.context_mark
    last = min(problem.line if problem else len(lines) - 1, len(lines) - 1)
    first = context.line if context else last
    for index in range(min(first, last), last + 1):
        if "\t" in lines[index][: _indent(lines[index]) + 1]:
            return Explanation(
                index, "this line is indented with a tab; YAML needs spaces: replace the tab with spaces"
            )
    for index in range(min(first, last), last + 1):
        if _unclosed_quote(lines[index]):
            key = _key_of(lines[index])
            what = f"the value of '{key}'" if key else "this value"
            return Explanation(index, f"{what} opens a quote that is not closed on the same line; close it")
    content = _content_lines(lines, len(lines))
    if content and _indent(lines[content[-1]]) > 0 and _key_of(lines[content[-1]]):
        start = content[-1]
        return Explanation(start, f"'{_key_of(lines[start])}' is indented; {_where(0, what)}")
    misindented = _misindented(lines, last, what)
    if misindented is not None:
        return misindented
    offending = lines[last] if 0 <= last < len(lines) else ""
    if problem is not None and "mapping values are not allowed" in (error.problem or ""):
        key = _key_of(offending.split(":", 1)[0] + ":") if ":" in offending else None
        if key is not None:
            value = offending.split(":", 1)[1].strip()
            example = f'; for example {key}: "{value}"' if '"' not in value else ""
            return Explanation(
                last, f"the value of '{key}' contains ': '; put the whole value in double quotes{example}"
            )
    return None
