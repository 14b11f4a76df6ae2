"""Side-by-side views: the original and a translation, block by block, with the page's anchors.

Reads no file itself: templates come through the renderer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

from markupsafe import Markup

from ..errors import ContentError, Problem, TemplateError
from ..grammar import linked_notes, note_row
from ..model import OutputFile, TranslatedPage
from ..translate.segment import footnote_labels
from ..urls import page_dir
from .links import BrokenLink, SiteLinks, link_problem
from .markdown import RenderState, mark

if TYPE_CHECKING:
    from .renderer import Renderer

_SEGMENT_START = re.compile(r'<p\b[^>]*\bdata-seg="(\d+)"')


def render_compare(renderer: Renderer, translated: TranslatedPage, converted: dict[int, str]) -> OutputFile:
    """The side-by-side view of a translated page; ``converted``: the translation column's
    pieces the page's own conversion gave (by segment; the others are converted here).
    Raises ``ContentError`` for its broken links."""
    language, page = translated.language, translated.page
    config = renderer.config
    source_language = config.source_language
    current = page_dir(language, page.path)
    segments, renditions = translated.segmented.segments, translated.renditions
    columns = _columns(renderer, translated, current, converted)
    if columns.broken:
        raise ContentError([link_problem(translated, link.href, link.reason) for link in columns.broken])
    footnotes = footnote_labels(translated.segmented)
    # Attributes, not keys: Jinja looks a name up as an attribute first (a dict's lookups would
    # each fail once first, some 20 per page for every row).
    rows = [
        SimpleNamespace(
            role=segment.role,
            anchor=segment.anchor or (note_row(footnotes[index]) if index in footnotes else None),
            state=rendition.state.value,
            reviewer=Markup("<bdi>{}</bdi>").format(rendition.reviewer) if rendition.reviewer else None,
            reviewed_on=rendition.reviewed_on,
            source=Markup(columns.source[index]),
            target=Markup(columns.target[index]),
        )
        for index, (segment, rendition) in enumerate(zip(segments, renditions, strict=True))
    ]
    fields = {s.role: r.text for s, r in zip(segments, renditions, strict=True) if s.entry is None and s.source is None}
    title = next(r for s, r in zip(segments, renditions, strict=True) if s.role == "title")
    return OutputFile(
        current + "compare.html",
        renderer.render(
            language,
            "compare.html",
            f"the side-by-side view of {page.source_file} in '{language}'",
            **renderer.common(language, current, page_path=page.path),
            page=page,
            title=fields["title"],
            title_attrs=renderer.attributes(title, language, None),
            rows=rows,
            source_name=config.language(source_language).autonym,
            target_name=config.language(language).autonym,
            source_dir=config.language(source_language).direction,
            page_url="./",
            canonical=config.base_url + current + "compare.html",
        ),
    )


@dataclass(frozen=True)
class _Columns:
    """The two columns' HTML, one piece per segment, and the broken links found in them."""

    source: list[str]
    target: list[str]
    broken: tuple[BrokenLink, ...]


def _columns(renderer: Renderer, translated: TranslatedPage, current: str, converted: dict[int, str]) -> _Columns:
    """Each column's HTML, one piece per segment, and the broken links found in them.

    The translation column's pieces come from the page's conversion where it gave them; the
    rest of each column is one Markdown conversion: every segment becomes its own paragraph,
    marked with its index, and the HTML is cut back into one piece per segment."""
    language, page = translated.language, translated.page
    source_language = renderer.config.source_language
    columns: dict[str, list[str]] = {}
    broken: list[BrokenLink] = []
    for side, code, texts in (
        ("source", source_language, [segment.text for segment in translated.segmented.segments]),
        ("target", language, [rendition.text for rendition in translated.renditions]),
    ):
        if side == "source" and page.path in renderer.source_columns:
            # The French column is the same for every language: pages of a path sit at the
            # same depth, so even its relative links are the same.
            columns[side] = renderer.source_columns[page.path]
            continue
        given = converted if side == "target" else {}
        wanted = [index for index in range(len(texts)) if index not in given]
        attributes = {
            index: {
                **({} if side == "source" else renderer.attribute_map(translated.renditions[index], language, None)),
                "data-seg": str(index),
            }
            for index in wanted
        }
        links = SiteLinks(renderer.site_map, page.path, code, current)
        state = RenderState(attributes, links, isolate_latin=renderer.config.language(code).direction == "rtl")
        document = "\n\n".join(mark(index, linked_notes(texts[index])) for index in wanted)
        pieces = _split_segments(renderer.convert(code, document, state), wanted) if wanted else {}
        columns[side] = [given[index] if index in given else pieces[index] for index in range(len(texts))]
        broken.extend(links.broken)
        if side == "source" and not links.broken:
            renderer.source_columns[page.path] = columns[side]
    return _Columns(columns["source"], columns["target"], tuple(broken))


def _split_segments(html: str, indexes: list[int]) -> dict[int, str]:
    """Cut a column of paragraphs (each marked ``data-seg``) into one HTML piece per segment."""
    starts = [(int(match.group(1)), match.start()) for match in _SEGMENT_START.finditer(html)]
    if [index for index, _ in starts] != indexes:
        raise TemplateError([Problem("(side by side)", 0, "segments were lost while rendering the side-by-side view")])
    ends = [start for _, start in starts[1:]] + [len(html)]
    return {
        index: re.sub(r' data-seg="\d+"', "", html[start:end].strip(), count=1)
        for (index, start), end in zip(starts, ends, strict=True)
    }
