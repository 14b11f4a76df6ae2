"""Python-Markdown set-up for translated bodies.

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

from .model import MARK_CLOSE, MARK_OPEN

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
            if element.tag == "img" and element.get("src") is not None:
                source = element.get("src", "")
                if _EXTERNAL.match(source):
                    state.external_images.append(source)  # the Content-Security-Policy would block it
                element.set("src", self._link(source, state))
        state.unmarked.extend(sorted(set(state.attributes) - seen))

    @staticmethod
    def _link(url: str, state: RenderState) -> str:
        if not _SAFE_URL.match(url):
            state.bad_links.append(url)
            return "#"
        if url.startswith(("/", "#")):
            return state.resolve_link(url)
        return url


class NoRawHtml(Extension):
    """Raw HTML is text, never markup."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


class SegmentExtension(Extension):
    """Markers to attributes, no raw HTML, checked links."""

    def __init__(self) -> None:
        super().__init__()
        self.state: RenderState | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        NoRawHtml().extendMarkdown(md)
        md.treeprocessors.register(_SegmentTreeprocessor(md, self), "segments", -10)


def make_markdown(backlink_title: str) -> tuple[markdown.Markdown, SegmentExtension]:
    """A Markdown converter for one language, and its segment extension."""
    segments = SegmentExtension()
    converter = markdown.Markdown(
        extensions=["footnotes", "tables", segments],
        extension_configs={"footnotes": {"BACKLINK_TITLE": backlink_title}},
        output_format="html",
    )
    return converter, segments


def convert(converter: markdown.Markdown, extension: SegmentExtension, text: str, state: RenderState) -> str:
    """Convert ``text`` with ``state``; the converter is reset afterwards."""
    extension.state = state
    try:
        return str(converter.reset().convert(text))
    finally:
        extension.state = None
