"""Checks over the built files, before anything is written. Pure.

Every internal link and anchor must resolve, in every language; no segment
marker or template syntax may be left in the output; hreflang alternates
must be reciprocal.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from .errors import CheckError, Problem
from .markdown_ext import MARK_CLOSE, MARK_OPEN
from .model import OutputFile

# Written after this check, by the search indexer.
LATER_FILES = ("pagefind/",)
_LEFTOVERS = re.compile(f"[{MARK_OPEN}{MARK_CLOSE}\x02\x03]|\\{{\\{{|\\}}\\}}|\\{{%|%\\}}|klzzwxh")


_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-zA-Z_:][\w:.-]*)="([^"]*)"')


@dataclass
class _Collector:
    """Ids, links and hreflang alternates of one generated page.

    The pages are the generator's own output, where every attribute value is
    double-quoted, so a regular expression reads them reliably, and an order
    of magnitude faster than an HTML parser on a large site.
    """

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, int]] = field(default_factory=list)
    alternates: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def read(cls, text: str) -> _Collector:
        collected = cls()
        line, position = 1, 0
        for match in _TAG.finditer(text):
            tag = match.group(1).lower()
            values = {name.lower(): html.unescape(value) for name, value in _ATTRIBUTE.findall(match.group(2))}
            if "id" in values:
                collected.ids.add(values["id"])
            if tag not in ("a", "link", "script", "img", "source"):
                continue
            for name in ("href", "src"):
                if name not in values:
                    continue
                if tag == "link" and values.get("rel") in ("alternate", "canonical"):
                    if values.get("rel") == "alternate" and values.get("hreflang"):
                        collected.alternates.append((values["hreflang"], values[name]))
                    continue
                line += text.count("\n", position, match.start())
                position = match.start()
                collected.links.append((values[name], line))
        return collected


def _target(page_path: str, href: str) -> tuple[str, str] | None:
    """Resolve ``href`` from ``page_path``: (site file, fragment), or None if external."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("mailto:", "data:")):
        return None
    if not parts.path:
        return page_path, unquote(parts.fragment)
    base = posixpath.dirname(page_path)
    path = posixpath.normpath(posixpath.join("/" + base, unquote(parts.path))).lstrip("/")
    if parts.path.endswith("/") or path == "":
        path = (path + "/index.html").lstrip("/")
    return path, unquote(parts.fragment)


def check_site(files: list[OutputFile], base_url: str) -> None:
    """Raise ``CheckError`` listing every broken link, missing anchor or leftover."""
    problems: list[Problem] = []
    by_path = {file.path: file for file in files}
    parsed: dict[str, _Collector] = {}
    for file in files:
        if not file.path.endswith((".html", ".xml")):
            continue
        text = file.content.decode("utf-8")
        leftover = _LEFTOVERS.search(text)
        if leftover:
            line = text.count("\n", 0, leftover.start()) + 1
            problems.append(Problem(file.path, line, f"unresolved marker or template syntax {leftover.group()!r}"))
        if file.path.endswith(".html"):
            parsed[file.path] = _Collector.read(text)
    for path, collector in sorted(parsed.items()):
        # 404 pages are served at any address: their links are absolute paths.
        if path.endswith("404.html"):
            continue
        for href, line in collector.links:
            target = _target(path, href)
            if target is None:
                continue
            target_path, fragment = target
            if target_path.startswith(LATER_FILES):
                continue
            if target_path not in by_path:
                problems.append(Problem(path, line, f"broken link {href!r}: no file {target_path}"))
            elif fragment and target_path in parsed and fragment not in parsed[target_path].ids:
                problems.append(Problem(path, line, f"broken anchor {href!r}: no id '{fragment}' in {target_path}"))
        own_url = base_url + path.removesuffix("index.html")
        cluster = {url for _, url in collector.alternates}
        if collector.alternates and own_url not in cluster:
            problems.append(Problem(path, 0, "hreflang alternates do not include the page itself"))
        for _, url in collector.alternates:
            other = url.removeprefix(base_url) + "index.html"
            if other in parsed and parsed[other].alternates and {u for _, u in parsed[other].alternates} != cluster:
                problems.append(Problem(path, 0, f"hreflang alternates are not reciprocal with {other}"))
    if problems:
        raise CheckError(problems)
