"""The Markdown grammar that segmenting and rendering share. Pure: no I/O.

One place for what both stages must read the same way:

- the Markdown set-up: Python-Markdown with footnotes and tables, raw HTML
  off (``new_markdown``); the segmenter cuts pages from this set-up's own
  block parse (``parse_blocks``), the renderer converts with it, so the
  blocks a page is cut into are the blocks it is rendered as;
- footnotes: references ``[^label]``, the ids Python-Markdown gives notes,
  the side-by-side view's links to a note's row;
- placeholders ``{1}``, ``{2}``... that stand for protected text in MT;
- heading anchors: a slug of the French text, or an explicit ``{#id}``;
- plain text, code spans and the normalised form of a segment (its key).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import markdown
from markdown.extensions import Extension
from markdown.extensions.footnotes import FootnoteBlockProcessor, FootnoteExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import slugify

# -- footnotes and placeholders --------------------------------------------------------

# A footnote reference in inline Markdown: ``[^1]``, ``[^note]`` (labels without spaces).
FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\]")
# The start of a footnote definition, as Python-Markdown's block parser reads it: ``[^1]: ``.
FOOTNOTE_DEFINITION = FootnoteBlockProcessor.RE
# Ids Python-Markdown's footnotes give: fn:1, fnref:1, fnref2:1 (a note cited twice);
# the side-by-side view gives each note's row fn-1.
FOOTNOTE_ID = re.compile(r"^fn(ref\d*)?[:-][\w-]+$")
# A numbered placeholder in text sent to machine translation; MT may add spaces inside the braces.
PLACEHOLDER = re.compile(r"\{\s*(\d+)\s*\}")
# An explicit heading id at the end of a heading's text: ``## Les chiffres {#chiffres}``.
HEADING_ID = re.compile(r"[ \t]+\{#([A-Za-z][\w-]*)\}[ \t]*$")

_BACKTICKS = re.compile(r"`+")


def note_row(label: str) -> str:
    """The id of a footnote's row in the side-by-side view."""
    return f"fn-{label}"


def linked_notes(text: str) -> str:
    """Footnote references as links to the note's row: the side-by-side view has no footnote section."""
    return FOOTNOTE_REFERENCE.sub(lambda match: f"[{match.group(1)}](#{note_row(match.group(1))})", text)


# -- text --------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Collapse runs of whitespace to one space and trim: the segment key."""
    return " ".join(text.split())


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


def plain_text(markdown_inline: str) -> str:
    """Strip inline Markdown (links, emphasis, code marks, footnote references) to plain text."""
    text = FOOTNOTE_REFERENCE.sub("", markdown_inline)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`]+", "", text)
    return normalise(text)


def heading_anchor(text: str) -> str:
    """The id of a heading: a slug of its French text (accents folded)."""
    folded = unicodedata.normalize("NFKD", plain_text(text))
    return slugify(folded, "-") or "section"


def split_heading_id(text: str) -> tuple[str, str | None]:
    """A heading's text without its explicit ``{#id}``, and the id (None when it has none)."""
    explicit = HEADING_ID.search(text)
    if explicit is None:
        return text, None
    return text[: explicit.start()], explicit.group(1)


# -- the Markdown set-up ----------------------------------------------------------------


class NoRawHtml(Extension):
    """Raw HTML is text, never markup."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def new_markdown(*extensions: Extension, backlink_title: str | None = None) -> markdown.Markdown:
    """A Python-Markdown converter with the site's grammar (footnotes, tables, no raw HTML) and ``extensions``."""
    footnotes = FootnoteExtension() if backlink_title is None else FootnoteExtension(BACKLINK_TITLE=backlink_title)
    return markdown.Markdown(extensions=[footnotes, TableExtension(), NoRawHtml(), *extensions], output_format="html")


# The element the block parse leaves where a footnote is defined (Python-Markdown keeps
# definitions aside and renders them at the end); its children are the note's blocks.
FOOTNOTE_ELEMENT = "footnote-definition"


class _Definitions:
    """Stands in for the footnote extension in its block processor: collects what it defines."""

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.found: list[tuple[str, str]] = []

    def setFootnote(self, label: str, text: str) -> None:  # noqa: N802 (Markdown's API)
        self.found.append((label, text))


class _DefinitionsInPlace(FootnoteBlockProcessor):
    """Python-Markdown's own footnote block processor, whose definitions stay in the tree where they are."""

    def __init__(self, parser: Any) -> None:
        self.definitions = _Definitions(parser)
        super().__init__(self.definitions)

    def run(self, parent: ElementTree.Element, blocks: list[str]) -> bool:
        done = bool(super().run(parent, blocks))
        found = list(self.definitions.found)
        self.definitions.found.clear()
        for label, text in found:
            element = ElementTree.SubElement(parent, FOOTNOTE_ELEMENT, {"label": label})
            self.parser.parseChunk(element, text)
        return done


@dataclass(frozen=True)
class BlockTree:
    """A body as Python-Markdown's block parser reads it.

    ``source`` is the body after Markdown's preprocessors (tabs expanded, lines
    of spaces emptied: line ``n`` is still the body's line ``n``); ``root`` holds
    the blocks, whose text is still raw inline Markdown, with footnote
    definitions in place as ``FOOTNOTE_ELEMENT`` elements.
    """

    source: str
    root: ElementTree.Element


def parse_blocks(body: str) -> BlockTree:
    """Run the site's Markdown preprocessors and block parser over ``body``; no inline parsing."""
    converter = new_markdown()
    converter.parser.blockprocessors.register(_DefinitionsInPlace(converter.parser), "footnote", 17)
    lines = body.split("\n")
    for preprocessor in converter.preprocessors:
        lines = preprocessor.run(lines)
    root = converter.parser.parseDocument(lines).getroot()
    source = "\n".join(lines)
    # The normalize-whitespace preprocessor ends the text with two more newlines.
    return BlockTree(source[:-2] if source.endswith("\n\n") else source, root)
