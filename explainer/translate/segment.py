"""Cut a page into translation units (segments). Pure: no I/O.

The supported Markdown subset, block by block:

- ATX headings (``## Titre``), optionally with an explicit id ``{#id}``;
- paragraphs (lines are joined: re-wrapping does not change a segment);
- bullet and numbered list items, nested by indentation;
- block quotes (``> ``), one segment per quoted paragraph;
- pipe tables, one segment per cell;
- footnote definitions (``[^1]: ...``);
- fenced code blocks, horizontal rules and link reference definitions,
  which are kept as they are and never translated.

Raw HTML is not part of the subset: it is reported as an error.
"""

from __future__ import annotations

import re
import unicodedata

from markdown.extensions.toc import slugify

from ..check.markup import MAX_NESTING, bidi_problem, block_problem
from ..errors import ContentError, Problem
from ..kinds import data_segments
from ..model import Page, Segment, SegmentedPage

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+\{#([A-Za-z][\w-]*)\})?[ \t]*#*[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])[ \t]+(.*)$")
_QUOTE = re.compile(r"^ {0,3}>[ \t]?(.*)$")
_FOOTNOTE = re.compile(r"^\[\^([^\]\s]+)\]:[ \t]*(.*)$")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]^][^\]]*\]:[ \t]*\S+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_RAW_HTML = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*(?:\s|/?>)|/[A-Za-z]|!--)")
_BACKTICKS = re.compile(r"`+")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def outside_code(text: str) -> str:
    """``text`` without its code spans (a run of backticks up to the next run of the same length).

    Linear in the number of backtick runs of each length, where a backtracking
    regular expression took minutes on a line of backticks.
    """
    runs = list(_BACKTICKS.finditer(text))
    kept: list[str] = []
    position, index = 0, 0
    while index < len(runs):
        opener = runs[index]
        closer = next(
            (later for later in range(index + 1, len(runs)) if len(runs[later].group()) == len(opener.group())), None
        )
        if closer is None or runs[closer].start() == opener.end():
            index += 1
            continue
        kept.append(text[position : opener.start()])
        position, index = runs[closer].end(), closer + 1
    kept.append(text[position:])
    return "".join(kept)


def normalise(text: str) -> str:
    """Collapse runs of whitespace to one space and trim: the segment key."""
    return " ".join(text.split())


def _starts_block(line: str) -> bool:
    return bool(
        not line.strip()
        or _FENCE.match(line)
        or _HEADING.match(line)
        or _RULE.match(line)
        or _ITEM.match(line)
        or _QUOTE.match(line)
        or _FOOTNOTE.match(line)
        or line.lstrip().startswith("|")
    )


def plain_text(markdown_inline: str) -> str:
    """Strip inline Markdown (links, emphasis, code marks) to plain text."""
    text = re.sub(r"\[\^[^\]]+\]", "", markdown_inline)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`]+", "", text)
    return normalise(text)


def heading_anchor(text: str) -> str:
    """The id of a heading: a slug of its French text (accents folded)."""
    folded = unicodedata.normalize("NFKD", plain_text(text))
    return slugify(folded, "-") or "section"


def _split_cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)]


class _Builder:
    """Accumulates pieces and segments while walking the lines of a body."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.pieces: list[str | int] = []
        self.segments: list[Segment] = []
        self.problems: list[Problem] = []
        self.anchors: set[str] = set()
        self.footnotes: dict[str, int] = {}  # label -> line of its definition
        self.too_deep = False  # a list nested too deep is reported once

    def literal(self, text: str) -> None:
        if self.pieces and isinstance(self.pieces[-1], str):
            self.pieces[-1] += text
        else:
            self.pieces.append(text)

    def segment(self, text: str, line: int, role: str, anchor: str | None = None) -> None:
        text = normalise(text)
        if not any(character.isalpha() for character in text):
            # Numbers and punctuation alone need no translation.
            self.literal(text)
            return
        self.check_inline(text, line, self.page.source_file)
        self.pieces.append(len(self.segments))
        self.segments.append(Segment(text, line, role, anchor))

    def data_segment(self, text: str, line: int, role: str, entry: int) -> None:
        """A segment of a timeline or glossary entry: not part of the body."""
        self.check_inline(text, line, self.page.data_file or self.page.source_file)
        self.segments.append(Segment(normalise(text), line, role, entry=entry))

    def check_inline(self, text: str, line: int, file: str) -> None:
        limit = block_problem(text)
        if limit:
            # Checked before anything else reads the block: Markdown would take minutes over some of them.
            self.problems.append(Problem(file, line, limit))
            return
        if _RAW_HTML.search(outside_code(text)):
            self.problems.append(
                Problem(
                    file, line, "raw HTML is not allowed in content; use Markdown (or write '&lt;' for a literal '<')"
                )
            )
        if _PRIVATE_USE.search(text):
            self.problems.append(Problem(file, line, "control or private-use character in text; remove it"))
        bidi = bidi_problem(text)
        if bidi:
            self.problems.append(Problem(file, line, bidi))

    def unique_anchor(self, wanted: str, line: int, explicit: bool) -> str:
        anchor = wanted
        if anchor in self.anchors:
            if explicit:
                self.problems.append(
                    Problem(self.page.source_file, line, f"heading id '#{anchor}' is used twice on this page")
                )
            number = 2
            while f"{wanted}-{number}" in self.anchors:
                number += 1
            anchor = f"{wanted}-{number}"
        self.anchors.add(anchor)
        return anchor


def _walk_body(builder: _Builder, body: str, first_line: int) -> None:
    lines = body.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the file is added back after the last block
    index = 0
    while index < len(lines):
        line = lines[index]
        number = first_line + index
        if not line.strip():
            builder.literal("\n")
            index += 1
            continue
        fence = _FENCE.match(line)
        if fence:
            end = index + 1
            while end < len(lines) and not lines[end].strip().startswith(fence.group(2)):
                end += 1
            if end == len(lines):
                marks = fence.group(2)
                shown = marks if len(marks) <= 10 else f"{marks[:3]}... ({len(marks):,} of them)"
                builder.problems.append(
                    Problem(builder.page.source_file, number, f"code block opened with {shown} is never closed")
                )
            builder.literal("\n".join(lines[index : end + 1]) + "\n")
            index = end + 1
            continue
        heading = _HEADING.match(line)
        if heading:
            text = heading.group(2)
            explicit = heading.group(3)
            anchor = builder.unique_anchor(explicit or heading_anchor(text), number, bool(explicit))
            builder.literal(heading.group(1) + " ")
            builder.segment(text, number, "heading", anchor)
            builder.literal("\n")
            index += 1
            continue
        if _RULE.match(line) or _REFERENCE.match(line):
            builder.literal(line + "\n")
            index += 1
            continue
        if line.lstrip().startswith("|") and index + 1 < len(lines) and _TABLE_RULE.match(lines[index + 1]):
            index = _walk_table(builder, lines, index, first_line)
            continue
        footnote = _FOOTNOTE.match(line)
        item = _ITEM.match(line)
        quote = _QUOTE.match(line)
        if footnote:
            prefix, text, role = f"[^{footnote.group(1)}]: ", footnote.group(2), "footnote"
            first = builder.footnotes.setdefault(footnote.group(1), number)
            if first != number:
                builder.problems.append(
                    Problem(
                        builder.page.source_file,
                        number,
                        f"footnote [^{footnote.group(1)}] is already defined on line {first}; "
                        "give each note its own label",
                    )
                )
        elif item:
            depth = len(item.group(1).expandtabs(4)) // 4
            if depth > MAX_NESTING and not builder.too_deep:
                builder.too_deep = True
                builder.problems.append(
                    Problem(
                        builder.page.source_file,
                        number,
                        f"list item nested {depth} levels deep; lists may be nested at most {MAX_NESTING} levels",
                    )
                )
            prefix, text, role = f"{item.group(1)}{item.group(2)} ", item.group(3), "item"
        elif quote:
            prefix, text, role = "> ", quote.group(1), "quote"
        else:
            indent = len(line) - len(line.lstrip())
            prefix, text, role = line[:indent], line.strip(), "paragraph"
        parts = [text]
        index += 1
        while index < len(lines) and not _starts_block(lines[index]):
            parts.append(lines[index].strip())
            index += 1
        if role == "quote":
            # Quoted paragraphs continue on '>' lines until an empty '>' line.
            while index < len(lines):
                more = _QUOTE.match(lines[index])
                if not more or not more.group(1).strip():
                    break
                parts.append(more.group(1))
                index += 1
        builder.literal(prefix)
        builder.segment(" ".join(parts), number, role)
        builder.literal("\n")


def _walk_table(builder: _Builder, lines: list[str], index: int, first_line: int) -> int:
    """Segment a pipe table starting at ``index``; return the next line index."""

    def row(position: int) -> None:
        cells = _split_cells(lines[position])
        builder.literal("|")
        for cell in cells:
            builder.literal(" ")
            if cell:
                builder.segment(cell, first_line + position, "cell")
            builder.literal(" |")
        builder.literal("\n")

    row(index)
    builder.literal(lines[index + 1].strip() + "\n")
    index += 2
    while index < len(lines) and lines[index].lstrip().startswith("|"):
        row(index)
        index += 1
    return index


def segment_page(page: Page) -> SegmentedPage:
    """Cut ``page`` into segments: front-matter fields (title, summary, credit, the lines of the
    "in short" box) first, then the body, the timeline or glossary entries and the sources'
    descriptions.

    Returns the segmented page. Raises ``ContentError`` for Markdown outside
    the supported subset (raw HTML, an unclosed code fence, a duplicate id).
    """
    builder = _Builder(page)
    for role, text in (("title", page.title), ("summary", page.summary), ("credit", page.credit)):
        if text:
            builder.check_inline(text, page.field_line(role), page.source_file)
            builder.segments.append(Segment(normalise(text), page.field_line(role), role))
    for text, line in page.in_short:
        # Lines of the "in short" box: inline Markdown, shown before the body, not part of it.
        builder.check_inline(text, line, page.source_file)
        builder.segments.append(Segment(normalise(text), line, "brief"))
    _walk_body(builder, page.body, page.body_line)
    for item in data_segments(page):
        builder.data_segment(item.text, item.line, item.role, item.entry)
    for number, source in enumerate(page.sources):
        if source.description:
            builder.check_inline(source.description, source.line, page.source_file)
            builder.segments.append(Segment(normalise(source.description), source.line, "source", source=number))
    if builder.problems:
        raise ContentError(builder.problems)
    return SegmentedPage(page, tuple(builder.segments), tuple(builder.pieces))


def segment_pages(pages: tuple[Page, ...]) -> tuple[SegmentedPage, ...]:
    """Segment every page; raise one ``ContentError`` with all problems."""
    segmented: list[SegmentedPage] = []
    problems: list[Problem] = []
    for page in pages:
        try:
            segmented.append(segment_page(page))
        except ContentError as error:
            problems.extend(error.problems)
    if problems:
        raise ContentError(problems)
    return tuple(segmented)


def reassemble(segmented: SegmentedPage, texts: list[str]) -> str:
    """Rebuild the Markdown body with ``texts[i]`` in place of body segment ``i``."""
    return "".join(texts[piece] if isinstance(piece, int) else piece for piece in segmented.pieces)
