"""The Markdown set-up segmenting and rendering share, and its block parse. Pure: no I/O.

``new_markdown`` is Python-Markdown with footnotes and tables, raw HTML off:
the renderer converts with it. ``parse_blocks`` runs the same set-up's
preprocessors and block parser over a body, without inline parsing: the
segmenter cuts the page from that tree, so the blocks a page is cut into are
the blocks it is rendered as.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import markdown
from markdown.extensions import Extension
from markdown.extensions.footnotes import FootnoteBlockProcessor, FootnoteExtension
from markdown.extensions.tables import TableExtension


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
