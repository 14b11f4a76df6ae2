"""A page's hreflang cluster: the same page in every language where it is published and open to
search engines, and its x-default. Pages, the chooser and the sitemap all take it from here."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config
from ..model import SiteMap
from ..urls import page_dir


@dataclass(frozen=True)
class Alternate:
    """The page in one language: its hreflang code and absolute URL."""

    lang: str
    url: str


@dataclass(frozen=True)
class Alternates:
    """The hreflang cluster of a page, and its x-default: the language chooser for the home page,
    else the page in the source language."""

    links: tuple[Alternate, ...]
    x_default: str


def alternates(config: Config, site_map: SiteMap, page_path: str) -> Alternates:
    """The hreflang alternates of the page at ``page_path`` (absolute URLs)."""
    links = tuple(Alternate(code, config.base_url + page_dir(code, page_path)) for code in site_map.indexed(page_path))
    x_default = config.base_url + ("" if page_path == "" else page_dir(config.source_language, page_path))
    return Alternates(links, x_default)
