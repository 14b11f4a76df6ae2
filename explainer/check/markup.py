"""What one block of text may hold, and the markup rule for translations. Pure: no I/O.

Limits. Python-Markdown's inline parser is quadratic in unmatched brackets and
recursive in nesting, so every block (a French segment, a translation) is held
to a size, a number of brackets and a nesting depth before Markdown sees it:
hostile input is refused with a message instead of hanging the build.

The markup rule. A translation may not add markup its French lacks, nor drop
or repeat a link or image the French has. The rule is applied to what Markdown
makes of both texts, whatever their newlines: each is rendered with the site's
Markdown set-up (raw HTML off, footnotes, tables, the page's reference
definitions) and the elements are compared (``elements.py`` reads them from
Markdown's element tree). Each verdict is kept: the same French and translation
on another page, or in the next preview build, are not judged again.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping

from ..grammar import FOOTNOTE_REFERENCE
from .elements import Element, source_elements

MAX_BLOCK_CHARS = 10_000
MAX_BRACKETS = 200
MAX_NESTING = 16

_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_UNESCAPED_BRACKET = re.compile(r"(?<!\\)\[")
_LEADING_MARKERS = re.compile(r"(?:(?:[-*+]|\d{1,9}[.)])[ \t]+|>[ \t]*)+")
_MARKER = re.compile(r"[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])|>")

_TAG = re.compile(r"<\s*/?\s*([A-Za-z][\w:-]*)|<!--")
_DANGEROUS = re.compile(r"javascript:|vbscript:|data:|\bon[a-z]+\s*=|\{[:#.]", re.IGNORECASE)
# Each with the characters one of its matches must hold (one of them), looked for first: most
# translations hold none of them, and a search for a character is much faster than the pattern's.
_ADDED = ((_TAG, "an HTML tag", "<"), (_DANGEROUS, "script-like text", ":={"))
_REFERENCE_LINE = re.compile(r"(?:^|\n)[ \t]{0,3}\[[^\]\n]+\]:", re.MULTILINE)
_DEFINITION = re.compile(r"^ {0,3}\[([^\]^][^\]]*)\]:[ \t]*<?([^\s>]+)>?(.*)$", re.MULTILINE)
_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")
# A text without any of these characters, nor a block marker at its start, is one plain paragraph.
_MARKDOWN_CHARACTERS = re.compile(r"[\[\]!*_`<>#|\\\n{}=~]")
_BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "hr", "div"}
    | {"table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd"}
)


def reference_definitions(body: str) -> dict[str, str]:
    """The reference-style link definitions of a Markdown body: label (lowercase) -> URL."""
    return {" ".join(label.lower().split()): url for label, url, _ in _DEFINITION.findall(body)}


def reference_line(body: str, url: str) -> int | None:
    """The index of the body line that defines a reference to ``url``, if any."""
    for number, line in enumerate(body.split("\n")):
        definition = _DEFINITION.match(line)
        if definition and definition.group(2) == url:
            return number
    return None


def block_problem(text: str) -> str | None:
    """Why ``text`` is too large or too deeply nested to be one block, or None."""
    if len(text) > MAX_BLOCK_CHARS:
        return f"a block of {len(text):,} characters; blocks are limited to {MAX_BLOCK_CHARS:,}: split it"
    brackets = len(_UNESCAPED_BRACKET.findall(text))
    if brackets > MAX_BRACKETS:
        return (
            f"{brackets:,} '[' in one block; at most {MAX_BRACKETS} are allowed: "
            "split it, or write '\\[' for a literal '['"
        )
    return nesting_problem(text)


def nesting_problem(text: str) -> str | None:
    """Why the list and quote markers ``text`` starts with nest too deep for one block, or None."""
    leading = _LEADING_MARKERS.match(text.lstrip())
    depth = len(_MARKER.findall(leading.group())) if leading else 0
    if depth > MAX_NESTING:
        return f"lists or quotes nested {depth} levels deep in one block; at most {MAX_NESTING} are allowed"
    return None


def bidi_problem(text: str) -> str | None:
    """Why ``text`` holds a bidirectional control character, or None."""
    found = _BIDI_CONTROL.search(text)
    if found is None:
        return None
    return (
        f"bidirectional control character U+{ord(found.group()):04X} in text (it can reorder what readers see); "
        "remove it: the site isolates mixed-direction text itself"
    )


def tag_problem(msgid: str, msgstr: str, source: str = "the French") -> str | None:
    """Why ``msgstr`` holds HTML tags, comments or script-like text that ``msgid`` (in ``source``) lacks, or None."""
    for pattern, what, needed in _ADDED:
        if not any(character in msgstr for character in needed) or pattern.search(msgstr) is None:
            continue  # nothing of the kind in the translation: nothing added
        allowed = {match.group(0).lower() for match in pattern.finditer(msgid)}
        added = [match.group(0) for match in pattern.finditer(msgstr) if match.group(0).lower() not in allowed]
        if added:
            return f"the translation adds {what} ({added[0]!r}) that {source} does not have"
    return None


def _describe(element: Element) -> str:
    tag, values = element.tag, dict(element.attributes)
    if tag == "a" and "href" in values:
        return f"a link to {values['href']!r}"
    if tag == "img":
        return f"an image {values.get('src', '')!r}"
    if tag == "sup" and values.get("id", "").startswith("fnref"):
        return f"the footnote reference [^{values['id'].split(':', 1)[-1]}]"
    return f"a <{tag}> element" if tag not in _BLOCK_TAGS else f"a <{tag}> block"


def _definition_labels(text: str) -> list[str]:
    """The labels of the reference and footnote definition lines of ``text`` (``r``, ``^2``), lowercased."""
    return [match.group(0).strip().lstrip("\n").strip()[1:-2].lower() for match in _REFERENCE_LINE.finditer(text)]


def markup_problem(msgid: str, msgstr: str, references: Mapping[str, str] | None = None) -> str | None:
    """Why ``msgstr`` adds markup its French ``msgid`` lacks, or drops or repeats a link, or None.

    ``references`` are the reference-style link definitions of the page (label -> URL),
    so that ``[text][label]`` is judged as the link it becomes on the page. Refused:
    a block too large or too deep (``block_problem``), bidirectional controls, HTML tags
    or comments, script-like text, reference definitions, table cell separators, and any
    element or attribute in the rendered translation that the rendered French lacks;
    links and images must be the French's, each as many times.
    """
    return _verdict(msgid, msgstr, tuple(sorted((references or {}).items())))


# The same French and translation recur across pages (and builds, in the preview): judged once.
@functools.lru_cache(maxsize=1 << 16)
def _verdict(msgid: str, msgstr: str, references: tuple[tuple[str, str], ...]) -> str | None:
    problem = block_problem(msgstr) or bidi_problem(msgstr)
    if problem:
        return f"the translation is {problem}" if problem.startswith("a block") else problem
    problem = tag_problem(msgid, msgstr)
    if problem:
        return problem
    # Definitions, as labels: a translation may repeat its French's, never add one (a footnote's either).
    added = Counter(_definition_labels(msgstr)) - Counter(_definition_labels(msgid)) if "]:" in msgstr else None
    if added:
        label = next(iter(added))
        if label.startswith("^"):
            return f"the translation adds a footnote definition ('[{label}]: ...') that the French does not have"
        return "the translation adds a link reference definition ('[label]: ...') that the French does not have"
    if len(_CELL_SEPARATOR.findall(msgstr)) > len(_CELL_SEPARATOR.findall(msgid)):
        return "the translation adds a '|' (a table cell separator) that the French does not have; write '\\|'"
    if _plain(msgid) and _plain(msgstr):
        return None  # both are one plain paragraph
    # Judged as written, and as the page shows it (on one line, like its French).
    for text in dict.fromkeys((msgstr, " ".join(msgstr.split()))):
        problem = _rendered_problem(msgid, text, references)
        if problem:
            return problem
    return None


def _rendered_problem(msgid: str, msgstr: str, definitions: tuple[tuple[str, str], ...]) -> str | None:
    footnotes = tuple(sorted(set(FOOTNOTE_REFERENCE.findall(msgid)) | set(FOOTNOTE_REFERENCE.findall(msgstr))))
    french = _elements(msgid, definitions, footnotes)
    translated = _elements(msgstr, definitions, footnotes)
    allowed_elements = set(french)
    for element in translated:
        if element not in allowed_elements:
            if element.tag in ("a", "img") and any(_describe(other) == _describe(element) for other in french):
                return (
                    f"the translation changes {_describe(element)}: write it as the French does "
                    "(with a title where the French has one, and none where it has none)"
                )
            return f"the translation adds {_describe(element)} that the French does not have"
    counts, french_counts = Counter(translated), Counter(french)
    for element in sorted(set(french) | set(translated)):
        tag = element.tag
        if tag not in ("a", "img") and tag not in _BLOCK_TAGS:
            continue
        if counts[element] < french_counts[element]:
            return f"the translation drops {_describe(element)} that the French has; keep it"
        if counts[element] > french_counts[element]:
            times = {1: "once", 2: "twice"}.get(french_counts[element], f"{french_counts[element]} times")
            return f"the translation repeats {_describe(element)} (the French has it {times})"
    return None


def _plain(text: str) -> bool:
    return not _MARKDOWN_CHARACTERS.search(text) and not _LEADING_MARKERS.match(text.lstrip())


# Large enough that a French text judged for its first language is still cached for the others
# (the languages are read one after another: a smaller cache was emptied before it was asked again).
@functools.lru_cache(maxsize=1 << 16)
def _elements(text: str, references: tuple[tuple[str, str], ...], footnotes: tuple[str, ...]) -> tuple[Element, ...]:
    """The elements (tag and attributes, in document order) Markdown makes of ``text``."""
    appendix = [f"[{label}]: {url}" for label, url in references]
    appendix += [f"[^{label}]: note" for label in footnotes]
    return source_elements(text + "\n\n" + "\n".join(appendix))
