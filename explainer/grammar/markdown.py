"""The Markdown set-up segmenting and rendering share, and its block parse. Pure: no I/O.

``new_markdown`` is Python-Markdown with footnotes and tables, raw HTML off:
the renderer converts with it. ``parse_blocks`` runs the same set-up's
preprocessors and block parser over a body, without inline parsing: the
segmenter cuts the page from that tree, so the blocks a page is cut into are
the blocks it is rendered as.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import markdown
from markdown.blockparser import State
from markdown.extensions import Extension
from markdown.extensions.footnotes import FootnoteBlockProcessor, FootnoteExtension
from markdown.extensions.tables import TableExtension

from . import INLINE_PATTERNS


class NoRawHtml(Extension):
    """Raw HTML is text, never markup."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def new_markdown(*extensions: Extension, backlink_title: str | None = None) -> markdown.Markdown:
    """A Python-Markdown converter with the site's grammar (footnotes, tables, no raw HTML) and ``extensions``."""
    footnotes = FootnoteExtension() if backlink_title is None else FootnoteExtension(BACKLINK_TITLE=backlink_title)
    return markdown.Markdown(extensions=[footnotes, TableExtension(), NoRawHtml(), *extensions], output_format="html")


def without_unused_patterns(converter: markdown.Markdown, present: frozenset[str]) -> markdown.Markdown:
    """``converter`` without the inline patterns of ``INLINE_PATTERNS`` that need a character not
    ``present`` (the characters of ``INLINE_TRIGGERS`` the texts it converts hold).

    Exact: each of those patterns matches only where its character is (its expression, checked
    here, needs it), and the text Markdown's inline pass works on is made of the source's
    characters and Markdown's own placeholders (STX, ETX, letters, digits and ':'): where the
    source lacks that character, the pattern never matches, and a pattern that does not match
    changes nothing. Only a pattern whose expression is the one known here is left out: with
    another version of Markdown, a pattern that changed is kept."""
    patterns = converter.inlinePatterns
    for name, (expression, characters) in INLINE_PATTERNS.items():
        unused = present.isdisjoint(characters) and name in patterns
        if unused and patterns[name].getCompiledRegExp().pattern == expression:
            patterns.deregister(name)
    return converter


class _Definitions:
    """Stands in for the footnote extension in its block processor: records each definition, in order."""

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.found: list[tuple[str, str]] = []

    def setFootnote(self, label: str, text: str) -> None:  # noqa: N802 (Markdown's API)
        self.found.append((label, text))


@dataclass(frozen=True)
class Note:
    """A footnote definition: its label and its blocks, parsed as the renderer parses a note."""

    label: str
    root: ElementTree.Element


@dataclass(frozen=True)
class BlockTree:
    """A body as Python-Markdown's block parser reads it.

    ``source`` is the body after Markdown's preprocessors (tabs expanded, lines
    of spaces emptied: line ``n`` is still the body's line ``n``). ``root`` holds
    the blocks, whose text is still raw inline Markdown; footnote definitions
    are not in it (Markdown keeps them aside and renders them at the end):
    ``notes`` has them, in the order of the source, a label defined twice twice.
    """

    source: str
    root: ElementTree.Element
    notes: tuple[Note, ...]


@functools.cache
def _block_parser() -> tuple[markdown.Markdown, _Definitions, threading.Lock]:
    """One converter for every body a process parses (making one costs more than parsing a page),
    with the recorder of its footnote definitions and the lock that gives it to one body at a time."""
    converter = new_markdown()
    definitions = _Definitions(converter.parser)
    # Python-Markdown's own footnote block processor, whose definitions are recorded instead of stored by label.
    converter.parser.blockprocessors.register(FootnoteBlockProcessor(definitions), "footnote", 17)
    return converter, definitions, threading.Lock()


def parse_blocks(body: str) -> BlockTree:
    """Run the site's Markdown preprocessors and block parser over ``body``; no inline parsing."""
    converter, definitions, lock = _block_parser()
    with lock:
        converter.reset()
        converter.parser.state = State()  # as a new parser's, even after a parse that raised
        definitions.found = []
        return _parse_blocks(converter, definitions, body)


def _parse_blocks(converter: markdown.Markdown, definitions: _Definitions, body: str) -> BlockTree:
    lines = body.split("\n")
    for preprocessor in converter.preprocessors:
        lines = preprocessor.run(lines)
    root = converter.parser.parseDocument(lines).getroot()
    notes = []
    for label, text in list(definitions.found):
        # A definition inside a note is dropped, as the renderer drops it: only these are notes.
        note = ElementTree.Element("div")
        converter.parser.parseChunk(note, text)
        notes.append(Note(label, note))
    source = "\n".join(lines)
    # The normalize-whitespace preprocessor ends the text with two more newlines.
    return BlockTree(source[:-2] if source.endswith("\n\n") else source, root, tuple(notes))
