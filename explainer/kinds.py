"""The kinds of page: one record per kind says what its pages need and how they are made.

A page's ``kind`` (front matter) picks its record here. Loading asks it whether the page needs a
date and sources and how to read the page's data file; segmenting asks it for the data's
translation units; rendering asks it for the template, whether the page shows the locator map
and whether it is in the feeds. Adding a kind is one ``PageKind`` in ``KINDS`` (and, if it has
one, its template).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .load.data import load_glossary_page, load_timeline
from .model import GlossaryEntry, Page, TimelineEntry


@dataclass(frozen=True)
class PageData:
    """What a data-backed page reads from its YAML file (``<page>.yaml``)."""

    timeline: tuple[TimelineEntry, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()


@dataclass(frozen=True)
class DataSegment:
    """One translation unit of a page's data: the French text, its line in the data file, its
    role and the index of its entry."""

    text: str
    line: int
    role: str
    entry: int


# Reads a page's data file (path, project root); raises ContentError listing its problems.
DataLoader = Callable[[Path, Path], PageData]
# The translation units of a page's data entries, in the order they are shown.
DataSegmenter = Callable[[Page], tuple[DataSegment, ...]]


@dataclass(frozen=True)
class PageKind:
    """One kind of page."""

    name: str
    template: str = "page.html"
    needs_date: bool = False
    needs_sources: bool = False
    in_feeds: bool = False
    shows_map: bool = False
    load_data: DataLoader | None = None  # data-backed kinds: how to read ``<page>.yaml``
    segment_data: DataSegmenter | None = None  # and how to cut its entries into segments

    @property
    def has_data(self) -> bool:
        return self.load_data is not None


def _load_timeline(path: Path, root: Path) -> PageData:
    return PageData(timeline=load_timeline(path, root))


def _load_glossary(path: Path, root: Path) -> PageData:
    return PageData(glossary=load_glossary_page(path, root))


def _timeline_segments(page: Page) -> tuple[DataSegment, ...]:
    return tuple(DataSegment(event.text, event.line, "event", number) for number, event in enumerate(page.timeline))


def _glossary_segments(page: Page) -> tuple[DataSegment, ...]:
    segments: list[DataSegment] = []
    for number, term in enumerate(page.glossary):
        segments.append(DataSegment(term.term, term.line, "term", number))
        if term.expansion:
            segments.append(DataSegment(term.expansion, term.line, "expansion", number))
        segments.append(DataSegment(term.definition, term.line, "definition", number))
    return tuple(segments)


# In the order error messages list them.
KINDS: dict[str, PageKind] = {
    kind.name: kind
    for kind in (
        PageKind("home", shows_map=True),
        PageKind("news", needs_date=True, needs_sources=True, in_feeds=True),
        PageKind("original", needs_date=True, needs_sources=True, in_feeds=True),
        PageKind("background", needs_date=True, needs_sources=True, in_feeds=True, shows_map=True),
        PageKind("timeline", "timeline.html", load_data=_load_timeline, segment_data=_timeline_segments),
        PageKind("glossary", "glossary.html", load_data=_load_glossary, segment_data=_glossary_segments),
        PageKind("people"),
        PageKind("about"),
    )
}


def kind_names() -> tuple[str, ...]:
    """The name of every kind, in the order messages list them."""
    return tuple(KINDS)


def page_kind(name: str) -> PageKind:
    """The kind called ``name``. Raises ``KeyError`` for an unknown one (loading refuses those)."""
    return KINDS[name]


def data_segments(page: Page) -> tuple[DataSegment, ...]:
    """The translation units of ``page``'s data entries (none for a kind without data)."""
    kind = KINDS.get(page.kind)
    return kind.segment_data(page) if kind is not None and kind.segment_data is not None else ()
