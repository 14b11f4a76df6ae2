"""Site addresses: every URL the generator writes comes from here. Pure."""

from __future__ import annotations

import posixpath


def page_dir(language: str, page_path: str) -> str:
    """The output folder of a page, relative to the site root: ``en/news/``."""
    return f"{language}/{page_path}/" if page_path else f"{language}/"


def relative_url(from_dir: str, target: str) -> str:
    """A link from the page in folder ``from_dir`` to ``target`` (both site-relative).

    Folders end with ``/``; a fragment on ``target`` is kept.
    """
    target, hash_mark, fragment = target.partition("#")
    base = "/" + from_dir
    destination = "/" + target
    relative = _relpath(destination, base) if destination != base else "."
    if target.endswith("/") or target == "":
        relative = relative.rstrip("/") + "/"
    if hash_mark and relative == "./":
        return hash_mark + fragment
    return relative + (hash_mark + fragment if hash_mark else "")


def _relpath(destination: str, base: str) -> str:
    """``posixpath.relpath`` for the generator's own normalised paths, without its ``abspath``
    calls (a large site's dashboards make tens of thousands of links)."""
    if "/." in destination or "/." in base or "//" in destination or "//" in base:
        return posixpath.relpath(destination, base)
    to, start = destination.strip("/").split("/"), base.strip("/").split("/")
    to, start = [part for part in to if part], [part for part in start if part]
    common = 0
    while common < min(len(to), len(start)) and to[common] == start[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + to[common:]) or "."


def split_site_link(href: str) -> tuple[str, str]:
    """Split a content link ``/news/#x`` into a page path ``news`` and ``#x``."""
    path, hash_mark, fragment = href.partition("#")
    return path.strip("/"), (hash_mark + fragment if hash_mark else "")
