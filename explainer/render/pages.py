"""Content pages: one page in one language, from its translated segments.

Reads no file itself: templates come through the renderer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..config import Language
from ..errors import ContentError, Problem, TemplateError
from ..kinds import page_kind
from ..model import OutputFile, Place, Rendition, State, TranslatedPage, timeline_anchors
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


def render_page(renderer: Renderer, translated: TranslatedPage, converted: Converted | None = None) -> OutputFile:
    """The HTML of one page in one language (``converted``: its Markdown, converted already).
    Raises ``ContentError`` listing the page's bad links and ids, ``TemplateError`` when
    Markdown lost a segment or a template fails."""
    language, page = translated.language, translated.page
    config, site_map = renderer.config, renderer.site_map
    current = page_dir(language, page.path)
    segments = translated.segmented.segments
    converted = converted or convert_page(renderer, translated)
    problems = [link_problem(translated, link, _UNSAFE_LINK) for link in converted.bad_links]
    problems += [link_problem(translated, broken.href, broken.reason) for broken in converted.broken]
    problems += [link_problem(translated, link, _EXTERNAL_IMAGE) for link in converted.external_images]
    problems += id_problems(translated, renderer.template_ids)
    if problems:
        raise ContentError(problems)
    if converted.unmarked:
        lost = ", ".join(f"line {segments[i].line}" for i in converted.unmarked)
        raise TemplateError([Problem(page.source_file, 0, f"Markdown lost segments ({lost}) in '{language}'")])
    fields = _plain_fields(renderer, translated)
    kind = page_kind(page.kind)
    noindex = site_map.is_noindex(page.path, language)
    cluster = alternates(config, site_map, page.path)
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
            body=Markup(converted.body),
            events=_events(renderer, translated, converted.entries, current),
            years=_years(renderer, translated),
            terms=[{"id": term.id, **converted.entries[number]} for number, term in enumerate(page.glossary)],
            sources=_sources(renderer, translated),
            in_short=converted.in_short,
            place_map=_place_map(renderer, page.path, language, current) if kind.shows_map else None,
            canonical=config.base_url + current,
            noindex=noindex,
            alternates=[] if noindex else list(cluster.links),
            x_default=cluster.x_default,
            status=_status(
                translated.counts(), translated, language == config.source_language, config.language(language)
            ),
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


def _sources(renderer: Renderer, translated: TranslatedPage) -> list[dict[str, Any]]:
    """The page's sources, each with its translated description (if it has one)."""
    descriptions = {
        segment.source: _plain(renderer, rendition, translated.language)
        for segment, rendition in zip(translated.segmented.segments, translated.renditions, strict=True)
        if segment.source is not None
    }
    return [
        {"source": source, "description": descriptions.get(number)}
        for number, source in enumerate(translated.page.sources)
    ]


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
    )


def _events(
    renderer: Renderer, translated: TranslatedPage, entries: dict[int, dict[str, Any]], current: str
) -> list[dict[str, Any]]:
    """The timeline's events, each with its converted text and the places it mentions."""
    page, language = translated.page, translated.language
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


def _years(renderer: Renderer, translated: TranslatedPage) -> list[dict[str, str]]:
    """The timeline's years strip: each year, shown in the reader's language, and the id of its first event."""
    timeline = translated.page.timeline
    years: dict[str, str] = {}
    for event, event_id in zip(timeline, timeline_anchors(timeline), strict=True):
        years.setdefault(event.date[:4], event_id)
    return [
        {"shown": renderer.partial_date(year, translated.language), "anchor": anchor} for year, anchor in years.items()
    ]


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
