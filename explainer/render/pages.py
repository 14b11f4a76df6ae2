"""Content pages: one page in one language, from its translated segments.

Reads no file itself: templates come through the renderer.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..config import Language
from ..errors import ContentError, Problem, TemplateError
from ..kinds import page_kind
from ..model import OutputFile, Page, Place, Rendition, SegmentedPage, State, TranslatedPage, timeline_anchors
from ..translate.mt.route import pivots_of
from ..translate.segment import plain_text, reassemble
from ..urls import page_dir, relative_url
from .hreflang import alternates
from .links import BrokenLink, SiteLinks, id_problems, link_problem
from .markdown import RenderState, SideSegment, mark
from .placemap import MapLabels, map_context, places_by_anchor, timeline_date

if TYPE_CHECKING:
    from .renderer import Renderer

# Segments shown as plain text by templates (not Markdown): page fields, glossary terms.
PLAIN_ROLES = ("title", "summary", "credit", "term", "expansion", "source")

_UNSAFE_LINK = "unsafe link {link!r}: only http(s), mailto and site links are allowed"
_EXTERNAL_IMAGE = (
    "external image {link!r}: the site's Content-Security-Policy lets pages show only the site's "
    "own images, so readers would see a broken image; remove it"
)


@dataclass(frozen=True)
class Converted:
    """The page's Markdown as HTML: the body, the "in short" box and each data entry's pieces,
    with what the conversions found (links, images, segments Markdown lost), and the pieces of
    the side-by-side view's translation column taken from the same conversions (by segment)."""

    body: str
    in_short: Markup | None
    entries: dict[int, dict[str, Any]]
    bad_links: tuple[str, ...]
    external_images: tuple[str, ...]
    unmarked: tuple[int, ...]
    broken: tuple[BrokenLink, ...]
    side: dict[int, str]
    links: tuple[tuple[str, str], ...] = ()  # the site links the conversions resolved, and to what


@dataclass(frozen=True)
class PageParts:
    """What a page shows of its own translated text (its converted Markdown, its plain fields,
    its sources' descriptions, its translation notice), with the site links its conversions
    resolved. Kept between builds by the page in its language (``Renderer.keep_parts``): a page
    rendered again as it was (a template edit) is rendered from them, its site links resolved
    again, without decoding its translations or converting anything (``render_kept``)."""

    fields: dict[str, dict[str, Any]]  # title, summary, credit: {"text", "attrs"}
    body: str
    in_short: Markup | None
    entries: dict[int, dict[str, Any]]  # by timeline event or glossary term: "html", and plain fields
    descriptions: dict[int, dict[str, Any]]  # by source
    status: dict[str, Any]
    links: tuple[tuple[str, str], ...]

    def encode(self) -> str:
        entries = [[number, list(entry.items())] for number, entry in self.entries.items()]
        descriptions = list(self.descriptions.items())
        parts = [self.fields, self.body, self.in_short, entries, descriptions, self.status, self.links]
        return json.dumps(parts, ensure_ascii=False)

    @staticmethod
    def decode(text: str) -> PageParts:
        """Raises ``ValueError`` (or ``TypeError``) for anything but encoded parts."""
        fields, body, in_short, entries, descriptions, status, links = json.loads(text)
        if not isinstance(body, str) or not isinstance(status, dict):
            raise ValueError("not the parts of a page")
        try:
            return PageParts._read(fields, body, in_short, entries, descriptions, status, links)
        except (KeyError, AttributeError) as error:
            raise ValueError(f"not the parts of a page ({error!r})") from None

    @staticmethod
    def _read(
        fields: Any, body: str, in_short: Any, entries: Any, descriptions: Any, status: Any, links: Any
    ) -> PageParts:
        return PageParts(
            {role: _plain_read(field) for role, field in fields.items()},
            body,
            None if in_short is None else Markup(in_short),
            {int(number): dict(_entry_read(role, value) for role, value in entry) for number, entry in entries},
            {int(number): _plain_read(plain) for number, plain in descriptions},
            status,
            tuple((str(link), str(url)) for link, url in links),
        )


def _plain_read(plain: dict[str, Any]) -> dict[str, Any]:
    return {"text": str(plain["text"]), "attrs": Markup(plain["attrs"])}


def _entry_read(role: str, value: Any) -> tuple[str, Any]:
    if role == "html":
        return role, Markup(value)
    return role, None if value is None else _plain_read(value)


def render_page(renderer: Renderer, translated: TranslatedPage, converted: Converted | None = None) -> OutputFile:
    """The HTML of one page in one language (``converted``: its Markdown, converted already);
    the parts it is made from are kept for the next build (``Renderer.keep_parts``).
    Raises ``ContentError`` listing the page's bad links and ids, ``TemplateError`` when
    Markdown lost a segment or a template fails."""
    language, page = translated.language, translated.page
    segments = translated.segmented.segments
    converted = converted or convert_page(renderer, translated)
    problems = [link_problem(translated, link, _UNSAFE_LINK) for link in converted.bad_links]
    problems += [link_problem(translated, broken.href, broken.reason) for broken in converted.broken]
    problems += [link_problem(translated, link, _EXTERNAL_IMAGE) for link in converted.external_images]
    problems += id_problems(translated.segmented, renderer.template_ids)
    if problems:
        raise ContentError(problems)
    if converted.unmarked:
        lost = ", ".join(f"line {segments[i].line}" for i in converted.unmarked)
        raise TemplateError([Problem(page.source_file, 0, f"Markdown lost segments ({lost}) in '{language}'")])
    descriptions = {
        segment.source: _plain(renderer, rendition, language)
        for segment, rendition in zip(segments, translated.renditions, strict=True)
        if segment.source is not None
    }
    status = _status(
        translated.counts(), translated, language == renderer.config.source_language, renderer.config.language(language)
    )
    parts = PageParts(
        _plain_fields(renderer, translated),
        converted.body,
        converted.in_short,
        converted.entries,
        descriptions,
        status,
        tuple(dict.fromkeys(converted.links)),
    )
    file = _render_parts(renderer, translated.segmented, language, parts)
    renderer.keep_parts(translated.page.path, language, parts)
    return file


def render_kept(renderer: Renderer, segmented: SegmentedPage, language: str, parts: PageParts) -> OutputFile | None:
    """The page rendered from its kept ``parts``, as ``render_page`` would render it; None when
    that cannot be known from them (a site link that now resolves otherwise or is broken, an id the
    templates now give): the page is then rendered from its translations, which says why."""
    page = segmented.page
    links = SiteLinks(renderer.site_map, page.path, language, page_dir(language, page.path))
    if any(links(link) != url for link, url in parts.links) or links.broken:
        return None
    if id_problems(segmented, renderer.template_ids):
        return None
    return _render_parts(renderer, segmented, language, parts)


def _render_parts(renderer: Renderer, segmented: SegmentedPage, language: str, parts: PageParts) -> OutputFile:
    page = segmented.page
    config, site_map = renderer.config, renderer.site_map
    current = page_dir(language, page.path)
    kind = page_kind(page.kind)
    noindex = site_map.is_noindex(page.path, language)
    cluster = alternates(config, site_map, page.path)
    fields = parts.fields
    return OutputFile(
        current + "index.html",
        renderer.render(
            language,
            kind.template,
            f"{page.source_file} in '{language}'",
            **renderer.common(language, current, page_path=page.path),
            page=page,
            title=fields["title"],
            summary=fields["summary"],
            credit=fields.get("credit"),
            body=Markup(parts.body),
            events=_events(renderer, page, language, parts.entries, current),
            years=_years(renderer, page, language),
            terms=[{"id": term.id, **parts.entries[number]} for number, term in enumerate(page.glossary)],
            sources=[
                {"source": source, "description": parts.descriptions.get(number)}
                for number, source in enumerate(page.sources)
            ],
            in_short=parts.in_short,
            place_map=_place_map(renderer, page.path, language, current) if kind.shows_map else None,
            canonical=config.base_url + current,
            noindex=noindex,
            alternates=[] if noindex else list(cluster.links),
            x_default=cluster.x_default,
            status=parts.status,
            original_url=relative_url(current, page_dir(config.source_language, page.path)),
        ),
    )


def _plain(renderer: Renderer, rendition: Rendition, language: str) -> dict[str, Any]:
    """A segment shown as plain text, with its attributes for the template."""
    return {"text": rendition.text, "attrs": renderer.attributes(rendition, language, None)}


def _plain_fields(renderer: Renderer, translated: TranslatedPage) -> dict[str, dict[str, Any]]:
    """The page's own plain-text fields (title, summary, credit) by role."""
    return {
        segment.role: _plain(renderer, rendition, translated.language)
        for segment, rendition in zip(translated.segmented.segments, translated.renditions, strict=True)
        if segment.role in PLAIN_ROLES and segment.entry is None and segment.source is None
    }


def convert_page(renderer: Renderer, translated: TranslatedPage) -> Converted:
    """Convert the page's Markdown: the body, the "in short" box (its lines as one list), and
    each timeline event or glossary definition (one small Markdown block each); each
    segment's piece of the side-by-side view comes from the same conversions.

    A page rendered again as it was (a template edit) finds its conversions by the keys kept
    for it (``Renderer.kept_conversions``): its texts and their attributes are not made again."""
    language = translated.language
    segments, renditions = translated.segmented.segments, translated.renditions
    links = SiteLinks(renderer.site_map, translated.page.path, language, page_dir(language, translated.page.path))
    right_to_left = renderer.config.language(language).direction == "rtl"
    # The side-by-side view of a translation shows each segment in a paragraph of its own.
    with_side = language != renderer.config.source_language
    kept = renderer.kept_conversions(translated)
    made: list[str | None] = []  # the key of each conversion, in order (None: not kept)

    @functools.cache
    def marked(index: int) -> str:
        return mark(index, renditions[index].text)

    states: list[RenderState] = []  # one per conversion, in order

    def html(indexes: list[int], text: Callable[[], str]) -> str:
        known = kept.keys[len(made)] if kept is not None and len(made) < len(kept.keys) else None
        if known is not None:
            state = RenderState({}, links, isolate_latin=right_to_left)
            found = renderer.replay(known, state)
            if found is not None:
                states.append(state)
                made.append(known)
                return found
        side = {
            index: SideSegment(renditions[index].text, renderer.attribute_map(renditions[index], language, None))
            for index in (indexes if with_side else ())
        }
        attributes = {
            index: renderer.attribute_map(renditions[index], language, segments[index].anchor) for index in indexes
        }
        state = RenderState(attributes, links, isolate_latin=right_to_left, side=side)
        states.append(state)
        converted, key = renderer.convert_keyed(language, text(), state)
        made.append(key)
        return converted

    body_indexes = [
        index
        for index, segment in enumerate(segments)
        if segment.role not in PLAIN_ROLES and segment.entry is None and segment.role != "brief"
    ]
    body = html(body_indexes, lambda: reassemble(translated.segmented, [marked(i) for i in range(len(renditions))]))
    brief = [index for index, segment in enumerate(segments) if segment.role == "brief"]
    in_short = Markup(html(brief, lambda: "".join(f"- {marked(index)}\n" for index in brief))) if brief else None
    entries: dict[int, dict[str, Any]] = {}
    for index, segment in enumerate(segments):
        if segment.entry is None:
            continue
        entry = entries.setdefault(segment.entry, {"expansion": None})
        if segment.role in PLAIN_ROLES:
            entry[segment.role] = _plain(renderer, renditions[index], language)
        else:
            entry["html"] = Markup(html([index], functools.partial(marked, index)))
    if kept is not None and tuple(made) != kept.keys:
        renderer.keep_conversions(kept.key, made)
    return Converted(
        body,
        in_short,
        entries,
        bad_links=tuple(link for state in states for link in state.bad_links),
        external_images=tuple(image for state in states for image in state.external_images),
        unmarked=tuple(index for state in states for index in state.unmarked),
        broken=tuple(links.broken),
        side={index: piece for state in states for index, piece in state.side_html.items()},
        links=tuple(links.resolved),
    )


def _events(
    renderer: Renderer, page: Page, language: str, entries: dict[int, dict[str, Any]], current: str
) -> list[dict[str, Any]]:
    """The timeline's events, each with its converted text and the places it mentions."""
    event_ids = timeline_anchors(page.timeline)
    mentioned = places_by_anchor(renderer.places, page.path)
    link = functools.partial(_place_link, renderer, language=language, current=current)
    return [
        {
            "id": event_ids[number],
            "date": event.date,
            "shown": renderer.partial_date(event.date, language),
            "sources": event.sources,
            "places": [link(place) for place in mentioned.get(event_ids[number], ())],
            **entries[number],
        }
        for number, event in enumerate(page.timeline)
    ]


def _years(renderer: Renderer, page: Page, language: str) -> list[dict[str, str]]:
    """The timeline's years strip: each year, shown in the reader's language, and the id of its first event."""
    timeline = page.timeline
    years: dict[str, str] = {}
    for event, event_id in zip(timeline, timeline_anchors(timeline), strict=True):
        years.setdefault(event.date[:4], event_id)
    return [{"shown": renderer.partial_date(year, language), "anchor": anchor} for year, anchor in years.items()]


def _place_map(renderer: Renderer, page_path: str, language: str, current: str) -> dict[str, Any] | None:
    """The locator map of a page, in ``language`` (None when there are no places)."""
    if renderer.borders is None:
        return None
    site_map = renderer.site_map

    def target(path: str) -> str:
        return language if site_map.is_published(path, language) else site_map.source_language

    def page_title(path: str) -> str:
        return site_map.titles.get((path, target(path)), path)

    def section(path: str, anchor: str) -> str:
        date = timeline_date(anchor)
        if date:
            return renderer.partial_date(date, language)
        heading = site_map.headings.get((path, target(path)), {}).get(anchor)
        return plain_text(heading) if heading else page_title(path)

    labels = MapLabels(
        renderer.config.language(language),
        renderer.glossary,
        # The mentions were checked once, when the site was planned: broken links are not kept.
        SiteLinks(site_map, page_path, language, current),
        page_title,
        section,
        lambda path: None if target(path) == language else target(path),
    )
    return map_context(renderer.places, renderer.borders, labels)


def _place_link(renderer: Renderer, place: Place, language: str, current: str) -> dict[str, str]:
    """A place and the link to it in the list under the home page's map."""
    site_map = renderer.site_map
    target = language if site_map.is_published("", language) else site_map.source_language
    return {
        "name": renderer.glossary.for_language(language).get(place.name, place.name),
        "url": relative_url(current, page_dir(target, "")) + f"#place-{place.id}",
    }


def _status(
    counts: dict[State, int], translated: TranslatedPage, is_source: bool, language: Language
) -> dict[str, Any]:
    """What the translation notice says: the share of each state and the engines.

    Machine translations that went through a pivot language are counted apart
    (``via``), so the notice says which language they passed through.
    """
    total = sum(counts.values()) or 1
    # Distinct segments, as the counts are: a repeated sentence counts once.
    machine = {
        segment.text: rendition
        for segment, rendition in zip(translated.segmented.segments, translated.renditions, strict=True)
        if rendition.state is State.MACHINE
    }
    routed: dict[tuple[str, ...], list[Rendition]] = {}
    for rendition in machine.values():
        routed.setdefault(pivots_of(rendition.engine or ""), []).append(rendition)
    direct = routed.pop((), [])
    names = language.babel_locale.languages  # the pivots, named in the reader's language
    via = [
        {
            "share": len(group) / total,
            "language": ", ".join(names.get(code, code) for code in pivots),
            "engines": _engines(group),
        }
        for pivots, group in sorted(routed.items())
    ]
    return {
        "is_source": is_source,
        "total": total,
        "counts": {state.value: count for state, count in counts.items()},
        "shares": {state.value: count / total for state, count in counts.items()},
        "engines": _engines(machine.values()),
        "fully_reviewed": counts[State.REVIEWED] == total,
        "direct_machine": {"share": len(direct) / total, "engines": _engines(direct)},
        "via": via,
        "fully_translated": counts[State.TRANSLATED] == total,
        # Everything written by people (reviewed or not): no machine, outdated or French text.
        "by_people": counts[State.REVIEWED] + counts[State.TRANSLATED] == total,
    }


def _engines(renditions: Iterable[Rendition]) -> list[str]:
    return sorted({rendition.engine for rendition in renditions if rendition.engine})
