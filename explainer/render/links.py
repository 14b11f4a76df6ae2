"""Content links resolved to the reader's language, and problems located in the editor's files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..check.markup import reference_line
from ..errors import Problem
from ..grammar import FOOTNOTE_ID
from ..model import SegmentedPage, SiteMap, TranslatedPage
from ..urls import page_dir, relative_url, split_site_link


@dataclass(frozen=True)
class BrokenLink:
    """A link to a page or heading that does not exist; ``reason`` has a ``{link!r}`` field."""

    href: str
    reason: str


@dataclass
class SiteLinks:
    """Resolves the content links of one page in one language (``/path/#anchor`` or ``#anchor``)
    to the page in the reader's language, where it is published, else in the source language.

    Links to a missing page or heading are kept in ``broken``, in the order they were met; every
    link resolved, with its URL, in ``resolved``.
    """

    site_map: SiteMap
    page_path: str
    language: str
    current: str  # the site-relative folder of the page the link is on
    broken: list[BrokenLink] = field(default_factory=list)
    resolved: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, href: str) -> str:
        url = self._resolve(href)
        self.resolved.append((href, url))
        return url

    def _resolve(self, href: str) -> str:
        if href.startswith("#"):
            path, fragment = self.page_path, href
        else:
            path, fragment = split_site_link(href)
        if path not in self.site_map.published:
            what = "file" if PurePosixPath(path).suffix else "page"
            self.broken.append(BrokenLink(href, f"link to {{link!r}}: there is no such {what}"))
            return href
        anchor = fragment[1:]
        if anchor and anchor not in self.site_map.anchors[path] and not FOOTNOTE_ID.match(anchor):
            self.broken.append(BrokenLink(href, f"link to {{link!r}}: that page has no heading with id '{anchor}'"))
        source = self.site_map.source_language
        target = self.language if self.site_map.is_published(path, self.language) else source
        if path == self.page_path and target == self.language:
            return fragment or relative_url(self.current, self.current)
        return relative_url(self.current, page_dir(target, path)) + fragment


def link_problem(translated: TranslatedPage, link: str, reason: str) -> Problem:
    """Locate a bad link: in the French source if it is there, else in the memory file."""
    for segment in translated.segmented.segments:
        if f"]({link})" in segment.text or f"]({link} " in segment.text:
            file = translated.page.data_file if segment.entry is not None else None
            return Problem(file or translated.page.source_file, segment.line, reason.format(link=link))
    page = translated.page
    number = reference_line(page.body, link)
    if number is not None:
        return Problem(page.source_file, page.body_line + number, reason.format(link=link))
    return Problem(translated.memory_file or page.source_file, 0, reason.format(link=link))


def id_problems(segmented: SegmentedPage, template_ids: dict[str, str]) -> list[Problem]:
    """Heading ids and glossary ids that the templates already give to an element of every page."""
    problems = []
    page = segmented.page
    for segment in segmented.segments:
        if segment.anchor in template_ids:
            problems.append(
                Problem(
                    page.source_file,
                    segment.line,
                    f"heading id '#{segment.anchor}' is already used by the templates "
                    f"({template_ids[segment.anchor]}); give the heading another id with {{#...}}",
                )
            )
    for term in page.glossary:
        if term.id in template_ids:
            problems.append(
                Problem(
                    page.data_file or page.source_file,
                    term.line,
                    f"id '{term.id}' is already used by the templates ({template_ids[term.id]}); choose another",
                )
            )
    return problems
