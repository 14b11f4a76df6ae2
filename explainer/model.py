"""The plain data passed between pipeline stages. Nothing here does I/O."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import Problem
from .fsutil import sha256_hex

# Pages the generator makes in every language, besides the content pages.
STATUS_PATH = "translation-status"
SEARCH_PATH = "search"
RESERVED_PATHS = (STATUS_PATH, SEARCH_PATH)

# Segment markers in the Markdown handed to the renderer; none may reach a page.
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"


@dataclass(frozen=True)
class Source:
    """A cited source: outlet, date, its title and/or a description, and (where known) a link.

    ``outlet`` and ``title`` are the source's own words, never translated: ``lang``
    is their language. ``description`` is the project's own French description of
    the source ("Article sur..."), a segment translated like any other.
    """

    outlet: str
    title: str | None
    date: datetime.date | None  # None: the publication date could not be established
    url: str | None = None
    lang: str = ""  # the language of the outlet's name and the title
    description: str | None = None
    line: int = 0  # of the description, for messages and the translation memory


@dataclass(frozen=True)
class TimelineEntry:
    """One dated event of the timeline (``content/timeline.yaml``)."""

    date: str  # as written: "2012-03-22", "2017-03" or "2012"
    text: str  # French, inline Markdown
    sources: tuple[Source, ...]
    line: int

    @property
    def sort_key(self) -> tuple[int, int, int]:
        year, month, day = [*(int(part) for part in self.date.split("-")), 0, 0][:3]
        return year, month, day


def timeline_anchors(entries: tuple[TimelineEntry, ...]) -> tuple[str, ...]:
    """The id of each timeline entry, from its date: ``e-2023-11-14``; a second entry of the
    same date gets ``e-2023-11-14-n2``, a third ``-n3``. Links (places, the years strip) use them."""
    seen: dict[str, int] = {}
    anchors = []
    for entry in entries:
        seen[entry.date] = seen.get(entry.date, 0) + 1
        count = seen[entry.date]
        anchors.append(f"e-{entry.date}" if count == 1 else f"e-{entry.date}-n{count}")
    return tuple(anchors)


@dataclass(frozen=True)
class Place:
    """A place of the story on the locator map (``content/places.yaml``)."""

    id: str  # its anchor in the list of places: "place-<id>"
    name: str  # French; its label in each language comes from the glossary's names
    latitude: float
    longitude: float
    label: str  # where the label sits beside the dot: "right", "left", "above", "below"
    mentions: tuple[str, ...]  # site links where the story mentions it: "/background/wagner/#kidal"
    line: int  # of the place's first line in the data file
    name_line: int = 0
    mention_lines: tuple[int, ...] = ()  # the line of each mention


@dataclass(frozen=True)
class GlossaryEntry:
    """One term of the glossary (``content/glossary.yaml``); ``id`` is its anchor."""

    id: str
    term: str
    expansion: str | None
    definition: str
    line: int


@dataclass(frozen=True)
class Page:
    """One French source page, validated, as read from ``content/``."""

    path: str  # URL path without language or slashes: "" (home), "news", "background/coups"
    source_file: str  # project-relative, for messages: "content/news.md"
    kind: str
    title: str
    summary: str
    date: datetime.date | None
    updated: datetime.date | None
    order: int | None  # position in the navigation; pages without one are not in it
    credit: str | None
    sources: tuple[Source, ...]
    body: str
    body_line: int  # line number of the body's first line in the source file
    timeline: tuple[TimelineEntry, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    data_file: str | None = None  # project-relative path of the page's YAML data, if any
    field_lines: tuple[tuple[str, int], ...] = ()  # front-matter key -> its line, for messages
    in_short: tuple[tuple[str, int], ...] = ()  # the "in short" box: French lines and their line numbers

    def field_line(self, key: str) -> int:
        return dict(self.field_lines).get(key, 1)

    @property
    def last_changed(self) -> datetime.date | None:
        return self.updated or self.date


@dataclass(frozen=True)
class Segment:
    """One translation unit: a French block of inline Markdown.

    ``text`` is the ``msgid`` in the translation memory: whitespace is
    normalised so re-wrapping a paragraph does not change it.
    """

    text: str
    line: int  # in the page's source file (or its data file, for data entries)
    role: str  # "title", "summary", "credit", "brief" (a line of the "in short" box), "heading", "paragraph",
    # "item", "cell", "footnote", "quote",
    # and for data entries: "event", "term", "expansion", "definition"; "source": a source's description
    anchor: str | None = None  # headings: the id, taken from the French text
    entry: int | None = None  # data entries: the index of the timeline or glossary entry
    source: int | None = None  # source descriptions: the index of the source in the page's list


@dataclass(frozen=True)
class SegmentedPage:
    """A page cut into segments.

    ``pieces`` rebuilds the Markdown body: a ``str`` is structure kept as is
    (list markers, table pipes, blank lines); an ``int`` is the index of a
    body segment in ``segments``.
    """

    page: Page
    segments: tuple[Segment, ...]
    pieces: tuple[str | int, ...]

    @property
    def unique_texts(self) -> tuple[str, ...]:
        """Every distinct French text, in order of first appearance."""
        return tuple(dict.fromkeys(segment.text for segment in self.segments))

    @functools.cached_property
    def digest(self) -> str:
        """Of everything the page holds: made once for all its languages (``page_info``)."""
        return sha256_hex(repr(self))


class State(StrEnum):
    """Where the text of a segment comes from, in one language."""

    SOURCE = "source"  # the page's own language
    REVIEWED = "reviewed"  # a person's translation, approved by a reviewer on record in the entry
    TRANSLATED = "translated"  # a person's translation (no fuzzy flag), no review on record
    MACHINE = "machine"  # machine output no one has edited
    STALE = "stale"  # the French changed since this translation
    MISSING = "missing"  # no translation: the French is shown


_STATES = tuple(State)  # iterating an Enum is slow, and dashboards do it for every row


@dataclass(frozen=True)
class Rendition:
    """The text of one segment in one language and where it came from."""

    text: str
    state: State
    engine: str | None = None  # machine translations: the engine and model
    reviewer: str | None = None  # reviewed translations: the reviewer's name (never the address)
    reviewed_on: datetime.date | None = None  # reviewed translations: the day of the review

    @property
    def is_fallback(self) -> bool:
        return self.state is State.MISSING


@dataclass(frozen=True)
class TranslatedPage:
    """A page in one language: every segment text resolved."""

    segmented: SegmentedPage
    language: str
    renditions: tuple[Rendition, ...]  # one per segment of ``segmented``
    memory_file: str | None  # project-relative PO path, None for the source language

    @property
    def page(self) -> Page:
        return self.segmented.page

    def counts(self) -> dict[State, int]:
        """How many distinct segments are in each state."""
        seen: dict[str, State] = {}
        for segment, rendition in zip(self.segmented.segments, self.renditions, strict=True):
            seen.setdefault(segment.text, rendition.state)
        counts = {state: 0 for state in State}
        for state in seen.values():
            counts[state] += 1
        return counts


@dataclass(frozen=True)
class PageInfo:
    """A page in one language as the rest of the site sees it: enough to plan the site and
    to list the page in feeds, the sitemap and the dashboard, without the page itself.

    Kept in the build cache, so an unchanged page is not read again.
    """

    path: str
    language: str
    kind: str
    order: int | None
    last_changed: datetime.date | None
    published_on: datetime.date | None  # the page's date, or its last change
    page_title: str  # the French front-matter title
    title: str  # in this language
    summary: str  # in this language
    anchors: frozenset[str]  # ids a link to the page may point at
    headings: tuple[tuple[str, str], ...]  # (id, inline Markdown text in this language) of each heading
    counts: tuple[int, ...]  # distinct segments in each State, in State order
    digest: str  # of everything rendered from the page in this language
    characters: str = ""  # every character of its text in this language, sorted (for font subsets)

    def state_counts(self) -> dict[State, int]:
        return dict(zip(_STATES, self.counts, strict=True))

    @functools.cached_property
    def listed(self) -> tuple[str, str, str]:
        """What the site's lists show of the page, as text for their keys (``render.lists``): its
        dashboard rows, its feed entry and its sitemap entry. Made once for each record a process
        holds: the preview holds them from build to build."""
        return (
            repr((self.path, self.language, self.counts, self.title, self.page_title)),
            repr((self.path, self.language, self.kind, self.title, self.summary, self.published_on, self.last_changed)),
            repr((self.path, self.language, self.last_changed)),
        )


def page_info(translated: TranslatedPage) -> PageInfo:
    """Summarise ``translated`` for the site-wide stages."""
    page = translated.page
    texts = {s.role: r.text for s, r in zip(translated.segmented.segments, translated.renditions, strict=True)}
    anchors = (
        {"main", "sources-heading"}
        | {s.anchor for s in translated.segmented.segments if s.anchor}
        | {term.id for term in page.glossary}
        | set(timeline_anchors(page.timeline))
    )
    # Of everything rendered from the page in this language: the page (shared by its languages) and its texts.
    digest = sha256_hex(
        repr((translated.segmented.digest, translated.language, translated.renditions, translated.memory_file))
    )
    shown = [r.text for r in translated.renditions]
    for source in (*page.sources, *(source for event in page.timeline for source in event.sources)):
        shown += [source.outlet, source.title or ""]
    return PageInfo(
        path=page.path,
        language=translated.language,
        kind=page.kind,
        order=page.order,
        last_changed=page.last_changed,
        published_on=page.date or page.last_changed,
        page_title=page.title,
        title=texts["title"],
        summary=texts["summary"],
        anchors=frozenset(anchors),
        headings=tuple(
            (s.anchor, r.text)
            for s, r in zip(translated.segmented.segments, translated.renditions, strict=True)
            if s.role == "heading" and s.anchor
        ),
        counts=tuple(translated.counts().values()),
        digest=digest,
        characters="".join(sorted(set("".join(shown)))),
    )


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site: a path under the output root and its bytes."""

    path: str  # POSIX, relative to the site root: "en/news/index.html"
    content: bytes
    # Texts the content holds, in order, that recur from file to file and build to build (a
    # dashboard's rows, or a ``Run`` of them): the link check reads each once (``check.links.scan_file``).
    pieces: tuple[str, ...] = field(default=(), compare=False, repr=False)
    # The content as text, where it was made as text and is large (a dashboard): not decoded again.
    text: str | None = field(default=None, compare=False, repr=False)


class Run(str):
    """Texts joined by a separator, as one text (a dashboard section's rows): given as a piece of an
    ``OutputFile``, it is read from the reads of its parts, which the link check keeps (the last
    32,768) for the files and builds of its process."""

    parts: tuple[str, ...]
    separator: str

    def __new__(cls, parts: Sequence[str], separator: str) -> Run:
        run = super().__new__(cls, separator.join(parts))
        run.parts, run.separator = tuple(parts), separator
        return run

    def __reduce__(self) -> tuple[type[Run], tuple[tuple[str, ...], str]]:
        return Run, (self.parts, self.separator)  # pickled and copied as what it is made of


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the CLI to print."""

    pages: int
    languages: tuple[str, ...]
    files: int
    warnings: tuple[Problem, ...] = field(default_factory=tuple)
    machine_translated: int = 0
    notes: tuple[str, ...] = ()  # what was checked or skipped, for the CLI to print
    site_changed: bool = True  # False when the output already held exactly this site
    memory_files_written: int = 0
    files_written: int = 0  # site files new or changed (the others were carried over)


@dataclass(frozen=True)
class SiteMap:
    """Which pages exist in which language: the input to every link."""

    source_language: str
    languages: tuple[str, ...]
    published: dict[str, tuple[str, ...]]  # page path -> languages it is published in
    titles: dict[tuple[str, str], str]  # (page path, language) -> title in that language
    order: tuple[str, ...]  # page paths, in navigation order
    anchors: dict[str, frozenset[str]]  # page path -> ids a link may point at (from the French)
    menu: tuple[str, ...] = ()  # the pages in the navigation: those with an `order`, in that order
    noindex: frozenset[tuple[str, str]] = frozenset()  # (page path, language) kept out of search engines
    # Languages open to readers (in the chooser, the switchers, hreflang): the source language and
    # those translated enough; and languages built only to be previewed. Empty: every language is live.
    live: tuple[str, ...] = ()
    previewed: tuple[str, ...] = ()
    # Languages with web fonts -> every character of their published pages' text, sorted.
    characters: dict[str, str] = field(default_factory=dict)
    # (page path, language) -> heading id -> its text (inline Markdown): links that name a section
    headings: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    def is_published(self, page_path: str, language: str) -> bool:
        return language in self.published.get(page_path, ())

    def is_live(self, language: str) -> bool:
        return not self.live or language in self.live

    @property
    def built_languages(self) -> tuple[str, ...]:
        """The languages the site has files in: live or previewed, in configured order."""
        return tuple(code for code in self.languages if self.is_live(code) or code in self.previewed)

    def is_noindex(self, page_path: str, language: str) -> bool:
        return (page_path, language) in self.noindex

    def indexed(self, page_path: str) -> tuple[str, ...]:
        """Languages where the page is published and open to search engines: its hreflang cluster."""
        return tuple(code for code in self.published.get(page_path, ()) if (page_path, code) not in self.noindex)
