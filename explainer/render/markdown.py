"""Python-Markdown set-up for translated bodies (the grammar's, see ``grammar.markdown``).

Each segment reaches Markdown prefixed with a marker holding its index. A
tree processor, run after all others, removes the markers and puts the
segment's attributes (state, ``lang``/``dir`` for fallback text, heading ids
taken from the French) on the element that holds it. Raw HTML is escaped,
links are checked and site links made relative.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree import ElementTree

import markdown
from markdown.extensions import Extension
from markdown.extensions.footnotes import NBSP_PLACEHOLDER
from markdown.treeprocessors import Treeprocessor

from ..grammar import FOOTNOTE_REFERENCE, note_row
from ..grammar.markdown import new_markdown
from ..model import MARK_CLOSE, MARK_OPEN

_MARK = re.compile(f"{MARK_OPEN}(\\d+){MARK_CLOSE}")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_SAFE_URL = re.compile(r"^(?:https?://|mailto:|#|/(?!/)|\.{0,2}/?[\w\-.~%/]*(?:#[\w\-.:%]*)?$)", re.IGNORECASE)


def mark(index: int, text: str) -> str:
    """Prefix ``text`` with the marker of segment ``index``."""
    return f"{MARK_OPEN}{index}{MARK_CLOSE}{text}"


@dataclass(frozen=True)
class SideSegment:
    """A segment whose piece of the side-by-side view is taken from the page's conversion: its
    text (as converted) and the attributes of its paragraph in that view."""

    text: str
    attributes: dict[str, str]


@dataclass
class RenderState:
    """What the tree processor needs for one conversion, and what it found.

    ``side``: the segments whose side-by-side piece is wanted (by index). ``side_html`` then
    holds each one's piece, as the side-by-side view's own conversion of the segment alone
    (a paragraph, footnote references linked to the note's row) writes it; a segment whose
    piece could depend on the rest of the page (link references, an unmatched footnote
    reference) has none, and is converted with the view.
    """

    attributes: dict[int, dict[str, str]]
    resolve_link: Callable[[str], str]  # a site link "/path/#anchor" or "#anchor" -> its URL in this language
    bad_links: list[str] = field(default_factory=list)
    external_images: list[str] = field(default_factory=list)
    unmarked: list[int] = field(default_factory=list)
    isolate_latin: bool = False  # right-to-left text: runs in Latin script go in <bdi>
    side: dict[int, SideSegment] = field(default_factory=dict)
    side_elements: dict[int, ElementTree.Element] = field(default_factory=dict)
    side_html: dict[int, str] = field(default_factory=dict)


class _SegmentTreeprocessor(Treeprocessor):
    def __init__(self, md: markdown.Markdown, extension: SegmentExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: ElementTree.Element) -> None:
        state = self.extension.state
        assert state is not None, "set SegmentExtension.state before converting"
        seen: dict[int, ElementTree.Element] = {}
        for element in root.iter():
            if element.text and element.text.startswith(MARK_OPEN):
                match = _MARK.match(element.text)
                if match:
                    index = int(match.group(1))
                    seen[index] = element
                    element.text = element.text[match.end() :]
                    for name, value in state.attributes.get(index, {}).items():
                        element.set(name, value)
            if element.tag == "a" and element.get("href") is not None:
                element.set("href", self._link(element.get("href", ""), state))
                if element.get("class") == "footnote-backref":  # its "↩" stays out of search snippets
                    element.set("data-pagefind-ignore", "")
            if element.tag == "img" and element.get("src") is not None:
                source = element.get("src", "")
                if _EXTERNAL.match(source):
                    state.external_images.append(source)  # the Content-Security-Policy would block it
                element.set("src", self._link(source, state))
        state.unmarked.extend(sorted(set(state.attributes) - set(seen)))
        referenced = bool(self.md.references)
        for index, side in state.side.items():
            if index in seen and not (referenced and _may_use_references(side.text)):
                piece = _side_piece(self.md, seen[index], side, state.resolve_link)
                if piece is not None:
                    state.side_elements[index] = piece
        if state.isolate_latin:
            isolate_latin_runs(root)
            for piece in state.side_elements.values():
                if piece.get("lang") is None:
                    isolate_latin_runs(piece)

    @staticmethod
    def _link(url: str, state: RenderState) -> str:
        if not _SAFE_URL.match(url):
            state.bad_links.append(url)
            return "#"
        if url.startswith(("/", "#")):
            return state.resolve_link(url)
        return url


# The brackets of inline links, images and footnote references (a link by reference has other brackets).
_INLINE_BRACKETS = re.compile(r"!?\[(?:\^|[^\[\]]*\]\()")


def _may_use_references(text: str) -> bool:
    """Whether ``text`` may hold a link by reference (``[text][id]``, ``[id]``), which only the
    page, with its reference definitions, resolves."""
    return "[" in _INLINE_BRACKETS.sub("", text)


_NOTE_REFERENCE_ID = re.compile(r"^fnref\d*:(.+)$")
# Labels that are the same text as a link's words in the side-by-side view (no emphasis, no entity).
_PLAIN_LABEL = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def _side_piece(
    md: markdown.Markdown, element: ElementTree.Element, side: SideSegment, resolve_link: Callable[[str], str]
) -> ElementTree.Element | None:
    """A segment's paragraph in the side-by-side view, from its element in the page: its inline
    content, without the element's nested blocks and the note's link back, footnote references
    as links to the note's row. None when the page's element may not show what the segment
    alone would (a footnote reference the page does not link, or links to one it does)."""
    piece = ElementTree.Element("p", side.attributes)
    piece.text = element.text
    notes = 0
    for child in element:
        if md.is_block_level(child.tag) or child.get("class") == "footnote-backref":
            continue
        if child.tag == "sup" and len(child) == 1 and child[0].get("class") == "footnote-ref":
            label = _NOTE_REFERENCE_ID.match(child.get("id", ""))
            if label is None or not _PLAIN_LABEL.fullmatch(label.group(1)):
                return None
            link = ElementTree.SubElement(piece, "a", {"href": resolve_link(f"#{note_row(label.group(1))}")})
            link.text, link.tail = label.group(1), child.tail
            notes += 1
            continue
        copied = copy.deepcopy(child)
        piece.append(copied)
    if notes != len(FOOTNOTE_REFERENCE.findall(side.text)):
        return None
    _drop_backlink_space(piece)
    return piece


def _drop_backlink_space(piece: ElementTree.Element) -> None:
    """Remove the space Markdown's footnotes put before the link back to the reference."""
    last = piece[-1] if len(piece) else None
    text = (last.tail if last is not None else piece.text) or ""
    if text.endswith(NBSP_PLACEHOLDER):
        if last is not None:
            last.tail = text.removesuffix(NBSP_PLACEHOLDER)
        else:
            piece.text = text.removesuffix(NBSP_PLACEHOLDER)


# A run of Latin script (a name, an acronym, "Su-25", "France 24") inside right-to-left text,
# ending on a letter or digit: punctuation after it belongs to the surrounding sentence.
# Python-Markdown's placeholders (\x02...\x03) are matched first, and kept whole.
_LATIN = "A-Za-z\u00c0-\u024f"
_LATIN_RUN = re.compile(f"(\x02[^\x03]*\x03)|([{_LATIN}](?:[{_LATIN}0-9'’&./\\- ]*[{_LATIN}0-9])?)")
_NOT_ISOLATED = frozenset({"code", "pre", "bdi", "script", "style"})


def _isolated_pieces(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``text`` cut into what comes before the first Latin run, then (run, what follows it) pairs."""
    pieces: list[tuple[str, str]] = []
    head, position = "", 0
    for match in _LATIN_RUN.finditer(text):
        if match.group(2) is None:
            continue
        between = text[position : match.start()]
        if pieces:
            pieces[-1] = (pieces[-1][0], between)
        else:
            head = between
        pieces.append((match.group(2), ""))
        position = match.end()
    if not pieces:
        return text, []
    pieces[-1] = (pieces[-1][0], text[position:])
    return head, pieces


def _bdi(run: str, tail: str) -> ElementTree.Element:
    element = ElementTree.Element("bdi")
    element.text, element.tail = run, tail
    return element


def isolate_latin_runs(element: ElementTree.Element) -> None:
    """Wrap each run of Latin script in ``element``'s text (not in code, nor in an element
    that says its own ``lang``) in ``<bdi>``, so that it cannot reorder the text around it."""
    children = list(element)
    if element.text:
        element.text, pieces = _isolated_pieces(element.text)
        for offset, (run, tail) in enumerate(pieces):
            element.insert(offset, _bdi(run, tail))
    for child in children:
        if child.tag not in _NOT_ISOLATED and child.get("lang") is None:
            isolate_latin_runs(child)
        if child.tail:
            child.tail, pieces = _isolated_pieces(child.tail)
            position = list(element).index(child) + 1
            for offset, (run, tail) in enumerate(pieces):
                element.insert(position + offset, _bdi(run, tail))


class SegmentExtension(Extension):
    """Markers to attributes, checked links (raw HTML is off in the grammar's set-up)."""

    def __init__(self) -> None:
        super().__init__()
        self.state: RenderState | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(_SegmentTreeprocessor(md, self), "segments", -10)


def make_markdown(backlink_title: str) -> tuple[markdown.Markdown, SegmentExtension]:
    """A Markdown converter for one language, and its segment extension."""
    segments = SegmentExtension()
    return new_markdown(segments, backlink_title=backlink_title), segments


def convert(converter: markdown.Markdown, extension: SegmentExtension, text: str, state: RenderState) -> str:
    """Convert ``text`` with ``state``, which receives the side-by-side pieces and what was found."""
    extension.state = state
    try:
        html = str(converter.reset().convert(text))
        for index, element in sorted(state.side_elements.items()):
            piece = converter.serializer(element)
            for postprocessor in converter.postprocessors:
                piece = postprocessor.run(piece)
            state.side_html[index] = piece.strip()
        return html
    finally:
        extension.state = None
        state.side_elements.clear()
