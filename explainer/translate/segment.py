"""Cut a page into translation units (segments). Pure: no I/O.

The body is cut from Python-Markdown's own block parse, with the set-up the
renderer converts with (``grammar.markdown.parse_blocks``): the blocks a page is cut
into are the blocks it is rendered as. One segment per block that holds text:

- headings, with their id (a slug of the French, or an explicit ``{#id}``);
- paragraphs, whatever their line breaks (re-wrapping does not change a segment);
- list items, nested or not; quoted paragraphs; table cells;
- footnote definitions (``[^1]: ...``), each paragraph of a note.

Blocks with no letter outside code (numbers, punctuation, a fenced block,
which this Markdown shows as inline code) and indented code blocks are kept
as written and never translated; so are link reference definitions and rules.
Raw HTML is not part of the subset: it is reported as an error.

Before Markdown reads the body, its lines are checked: every code fence is
closed, and lists and quotes nest at most ``MAX_NESTING`` levels (deeper ones
would exhaust Python-Markdown's recursion).
"""

from __future__ import annotations

import bisect
import html
import multiprocessing
import re
import typing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from xml.etree import ElementTree

from ..check.markup import MAX_NESTING, bidi_problem, block_problem, nesting_problem
from ..errors import ContentError, Problem
from ..forked import started_by_fork
from ..grammar import FOOTNOTE_DEFINITION, heading_anchor, normalise, outside_code, plain_text, split_heading_id
from ..grammar.markdown import BlockTree, parse_blocks
from ..kinds import data_segments
from ..model import Page, Segment, SegmentedPage

__all__ = [
    "footnote_labels",
    "heading_anchor",
    "normalise",
    "outside_code",
    "plain_text",
    "reassemble",
    "segment_page",
    "segment_pages",
]

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])[ \t]+(.*)$")
_QUOTE = re.compile(r"^ {0,3}>[ \t]?(.*)$")
_RAW_HTML = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*(?:\s|/?>)|/[A-Za-z]|!--)")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKDOWN_CONTROL = re.compile("[\x02\x03]")  # removed by Markdown's preprocessor: looked for in the lines
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CELLS = frozenset({"th", "td"})
# What may come before a footnote definition on its line: indentation, the markers of the lists and quotes
# it is in, the start of the note it is nested in.
_DEFINITION_PREFIX = re.compile(r"[ ]*(?:(?:[*+-]|\d+\.)[ ]+|>[ ]*|\[\^[^\]]*\]:[ ]*)*")
_CONTROL_MESSAGE = "control or private-use character in text; remove it"


def _line_problems(file: str, body: str, first_line: int) -> list[Problem]:
    """What must be refused before Markdown reads the body: open code fences, nesting too deep."""
    lines = body.split("\n")
    problems: list[Problem] = []
    too_deep = False  # a list nested too deep is reported once
    index = 0
    while index < len(lines):
        line, number = lines[index], first_line + index
        fence = _FENCE.match(line)
        if fence:
            end = index + 1
            while end < len(lines) and not lines[end].strip().startswith(fence.group(2)):
                end += 1
            if end == len(lines):
                marks = fence.group(2)
                shown = marks if len(marks) <= 10 else f"{marks[:3]}... ({len(marks):,} of them)"
                problems.append(Problem(file, number, f"code block opened with {shown} is never closed"))
            index = end + 1
            continue
        if _MARKDOWN_CONTROL.search(line):
            problems.append(Problem(file, number, _CONTROL_MESSAGE))
        item, quote = _ITEM.match(line), _QUOTE.match(line)
        depth = len(item.group(1).expandtabs(4)) // 4 if item else 0
        if depth > MAX_NESTING and not too_deep:
            too_deep = True
            problems.append(
                Problem(
                    file,
                    number,
                    f"list item nested {depth} levels deep; lists may be nested at most {MAX_NESTING} levels",
                )
            )
        # What follows a line's first marker is the block's text: it may open at most MAX_NESTING more.
        nesting = nesting_problem(item.group(3) if item else quote.group(1) if quote else line)
        if nesting:
            problems.append(Problem(file, number, nesting))
        index += 1
    return problems


@dataclass(frozen=True)
class _Block:
    """A block of the parse that holds text: its raw inline Markdown and its role.

    Role None is code, kept as written; role "definition" is where a footnote is
    defined (its text is the label), before the blocks of the note.
    """

    text: str
    role: str | None
    note: str | None = None  # the label of the footnote the block belongs to


def _blocks(parent: ElementTree.Element, context: str, note: str | None = None) -> Iterator[_Block]:
    """The text blocks under ``parent``, in document order; the first paragraph of an item or a note has its role."""
    for position, child in enumerate(parent):
        first = position == 0 and not (parent.text or "").strip()
        if child.tag in _HEADINGS:
            yield _Block(child.text or "", "heading", note)
        elif child.tag == "p":
            role = context if context == "quote" or (first and context in ("item", "footnote")) else "paragraph"
            yield _Block(child.text or "", role, note)
        elif child.tag == "li":
            if (child.text or "").strip():
                yield _Block(child.text or "", "item", note)
            yield from _blocks(child, "item", note)
        elif child.tag in _CELLS:
            yield _Block(child.text or "", "cell", note)
        elif child.tag == "pre":
            yield _Block(html.unescape("".join(child.itertext())), None, note)
        else:  # lists, quotes, tables and their rows
            yield from _blocks(child, "quote" if child.tag == "blockquote" else context, note)


def _all_blocks(tree: BlockTree) -> list[_Block]:
    """The body's blocks, then each footnote definition and its blocks."""
    blocks = list(_blocks(tree.root, "paragraph"))
    for note in tree.notes:
        blocks.append(_Block(note.label, "definition", note.label))
        blocks.extend(_blocks(note.root, "footnote", note.label))
    return blocks


@dataclass(frozen=True)
class _Span:
    """Where a block's text is in the source: ``source[start:end]``."""

    block: _Block
    start: int
    end: int


def _find(source: str, block: _Block, cursor: int, claimed: list[tuple[int, int]]) -> _Span:
    """The first place at or after ``cursor``, outside the ``claimed`` ranges, where the lines of ``block``
    follow one another in ``source`` (the block parser keeps the text of each line, without its markers)."""
    if block.role == "definition":
        needle = f"[^{block.text}]:"
        start = source.find(needle, cursor)
        while start >= 0 and not _DEFINITION_PREFIX.fullmatch(source, source.rfind("\n", 0, start) + 1, start):
            start = source.find(needle, start + 1)
        if start < 0:
            raise LookupError(f"footnote {needle} not found in its source")  # a bug, not a content mistake
        return _Span(block, start, start + len(needle))
    lines = [line.strip() for line in block.text.split("\n") if line.strip()]
    if not lines:
        return _Span(block, cursor, cursor)
    while True:
        start = source.find(lines[0], cursor)
        if start < 0:
            raise LookupError(f"block not found in its source: {lines[0]!r}")  # a bug, not a content mistake
        inside = next((end for begin, end in claimed if begin <= start < end), None)
        if inside is None:
            break
        cursor = inside
    end = start + len(lines[0])
    for line in lines[1:]:
        found = source.find(line, end)
        if found < 0:
            raise LookupError(f"block not found in its source: {line!r}")  # a bug, not a content mistake
        end = found + len(line)
    if block.role == "heading":  # the heading's whole line, with its {#id} and closing hashes
        newline = source.find("\n", end)
        end = len(source) if newline < 0 else newline
    return _Span(block, start, end)


def _locate(source: str, blocks: list[_Block]) -> list[_Span]:
    """Every block's place in ``source``, in document order.

    Python-Markdown keeps footnote definitions aside: notes are found first,
    from their ``[^label]:`` lines, then the other blocks around them.
    """
    notes: list[_Span] = []
    cursor = 0
    for block in blocks:
        if block.note is not None:
            notes.append(_find(source, block, cursor, []))
            cursor = notes[-1].end
    ranges: list[tuple[int, int]] = []  # what each definition takes, from its '[^label]:' to its last block
    for span in notes:
        if span.block.role == "definition":
            ranges.append((span.start, span.end))
        else:
            ranges[-1] = (ranges[-1][0], span.end)
    others: list[_Span] = []
    cursor = 0
    for block in blocks:
        if block.note is None:
            others.append(_find(source, block, cursor, ranges))
            cursor = others[-1].end
    return sorted(notes + others, key=lambda span: span.start)


def _translatable(text: str) -> bool:
    """Whether a block has words to translate: a letter outside its code."""
    return any(character.isalpha() for character in outside_code(text))


class _Builder:
    """Accumulates pieces, segments and problems while walking a page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.pieces: list[str | int] = []
        self.segments: list[Segment] = []
        self.problems: list[Problem] = []
        self.anchors: set[str] = set()
        self.footnotes: dict[str, int] = {}  # label -> line of its definition

    def literal(self, text: str) -> None:
        if not text:
            return
        if self.pieces and isinstance(self.pieces[-1], str):
            self.pieces[-1] += text
        else:
            self.pieces.append(text)

    def segment(self, text: str, line: int, role: str, anchor: str | None = None) -> None:
        text = normalise(text)
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
            # Checked before Markdown's inline parser reads the block: it would take minutes over some of them
            # (the block parse that found it is linear in the body).
            self.problems.append(Problem(file, line, limit))
            return
        if _RAW_HTML.search(outside_code(text)):
            self.problems.append(
                Problem(
                    file, line, "raw HTML is not allowed in content; use Markdown (or write '&lt;' for a literal '<')"
                )
            )
        if _PRIVATE_USE.search(text):
            self.problems.append(Problem(file, line, _CONTROL_MESSAGE))
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

    def definition(self, label: str, line: int) -> None:
        first = self.footnotes.setdefault(label, line)
        if first != line:
            self.problems.append(
                Problem(
                    self.page.source_file,
                    line,
                    f"footnote [^{label}] is already defined on line {first}; give each note its own label",
                )
            )


def _walk_body(builder: _Builder, body: str, first_line: int) -> None:
    """Segment the body from its block parse; what is not a segment is kept as written."""
    problems = _line_problems(builder.page.source_file, body, first_line)
    if problems:
        builder.problems.extend(problems)
        return
    tree = parse_blocks(body)
    breaks = [index for index, character in enumerate(tree.source) if character == "\n"]
    position = 0
    for span in _locate(tree.source, _all_blocks(tree)):
        block = span.block
        line = first_line + bisect.bisect_left(breaks, span.start)
        if block.role == "definition":
            builder.definition(block.text, line)
            continue
        text, anchor = block.text, None
        if block.role == "heading":
            text, explicit = split_heading_id(text)
            anchor = builder.unique_anchor(explicit or heading_anchor(text), line, bool(explicit))
        if block.role is None or not _translatable(text):
            continue  # numbers, punctuation or code: kept as written
        builder.literal(tree.source[position : span.start])
        builder.segment(text, line, block.role, anchor)
        position = span.end
    builder.literal(tree.source[position:])


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


# Below this many pages, starting worker processes costs more than segmenting them here.
PARALLEL_FROM = 200


def segment_pages(pages: tuple[Page, ...], workers: int = 1) -> tuple[SegmentedPage, ...]:
    """Segment every page, across ``workers`` processes for many pages (the same result in
    any number); raise one ``ContentError`` with all problems, in the pages' order."""
    if workers > 1 and len(pages) >= PARALLEL_FROM:
        # Forked workers find the pages where the parent left them; each sends back a page's
        # segments and pieces, not the page (half of what a segmented page weighs).
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(pages,)) as pool:
            chunk = max(1, min(64, len(pages) // (4 * workers)))
            parts = list(pool.map(_segment_in_worker, range(len(pages)), chunksize=chunk))
    else:
        parts = [_segment_parts(page) for page in pages]
    problems = [problem for found in parts if isinstance(found, ContentError) for problem in found.problems]
    if problems:
        raise ContentError(problems)
    return tuple(
        SegmentedPage(page, *typing.cast(tuple[tuple[Segment, ...], tuple[str | int, ...]], found))
        for page, found in zip(pages, parts, strict=True)
    )


def _segment_parts(page: Page) -> tuple[tuple[Segment, ...], tuple[str | int, ...]] | ContentError:
    """The segments and pieces of ``page``, or what is wrong with it (returned, not raised)."""
    try:
        segmented = segment_page(page)
    except ContentError as error:
        return error
    return segmented.segments, segmented.pieces


# The pages a worker process segments, given to it by the pool's initializer; never set in the parent.
_worker_pages: tuple[Page, ...] | None = None


def _start_worker(pages: tuple[Page, ...]) -> None:
    global _worker_pages
    started_by_fork()
    _worker_pages = pages


def _segment_in_worker(index: int) -> tuple[tuple[Segment, ...], tuple[str | int, ...]] | ContentError:
    assert _worker_pages is not None, "a worker is started with its pages"
    return _segment_parts(_worker_pages[index])


def reassemble(segmented: SegmentedPage, texts: list[str]) -> str:
    """Rebuild the Markdown body with ``texts[i]`` in place of body segment ``i``."""
    return "".join(texts[piece] if isinstance(piece, int) else piece for piece in segmented.pieces)


def footnote_labels(segmented: SegmentedPage) -> dict[int, str]:
    """Segment index -> footnote label, for the segments that are footnote definitions."""
    labels: dict[int, str] = {}
    pieces = segmented.pieces
    for position, piece in enumerate(pieces):
        if isinstance(piece, int) and position and segmented.segments[piece].role == "footnote":
            before = str(pieces[position - 1]).rsplit("\n", 1)[-1]
            definition = FOOTNOTE_DEFINITION.match(before)
            if definition and not definition.group(2):
                labels[piece] = definition.group(1)
    return labels
