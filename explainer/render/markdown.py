"""Python-Markdown set-up for translated bodies (the grammar's, see ``grammar.markdown``).

Each segment reaches Markdown prefixed with a marker holding its index. A
tree processor, run after all others, removes the markers and puts the
segment's attributes (state, ``lang``/``dir`` for fallback text, heading ids
taken from the French) on the element that holds it. Raw HTML is escaped,
links are checked and site links made relative.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree import ElementTree

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ..grammar.markdown import new_markdown
from ..model import MARK_CLOSE, MARK_OPEN

_MARK = re.compile(f"{MARK_OPEN}(\\d+){MARK_CLOSE}")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_SAFE_URL = re.compile(r"^(?:https?://|mailto:|#|/(?!/)|\.{0,2}/?[\w\-.~%/]*(?:#[\w\-.:%]*)?$)", re.IGNORECASE)


def mark(index: int, text: str) -> str:
    """Prefix ``text`` with the marker of segment ``index``."""
    return f"{MARK_OPEN}{index}{MARK_CLOSE}{text}"


@dataclass
class RenderState:
    """What the tree processor needs for one conversion."""

    attributes: dict[int, dict[str, str]]
    resolve_link: Callable[[str], str]  # a site link "/path/#anchor" or "#anchor" -> its URL in this language
    bad_links: list[str] = field(default_factory=list)
    external_images: list[str] = field(default_factory=list)
    unmarked: list[int] = field(default_factory=list)
    isolate_latin: bool = False  # right-to-left text: runs in Latin script go in <bdi>


class _SegmentTreeprocessor(Treeprocessor):
    def __init__(self, md: markdown.Markdown, extension: SegmentExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: ElementTree.Element) -> None:
        state = self.extension.state
        assert state is not None, "set SegmentExtension.state before converting"
        seen: set[int] = set()
        for element in root.iter():
            if element.text and element.text.startswith(MARK_OPEN):
                match = _MARK.match(element.text)
                if match:
                    index = int(match.group(1))
                    seen.add(index)
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
        state.unmarked.extend(sorted(set(state.attributes) - seen))
        if state.isolate_latin:
            isolate_latin_runs(root)

    @staticmethod
    def _link(url: str, state: RenderState) -> str:
        if not _SAFE_URL.match(url):
            state.bad_links.append(url)
            return "#"
        if url.startswith(("/", "#")):
            return state.resolve_link(url)
        return url


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
    """Convert ``text`` with ``state``; the converter is reset afterwards."""
    extension.state = state
    try:
        return str(converter.reset().convert(text))
    finally:
        extension.state = None
