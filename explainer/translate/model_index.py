"""Installing Argos models from a package index: plan a route per language, download what is missing.

The public index (``INDEX_URL``) is English-centred: French has fr->en, and
Arabic and Spanish are reached through English (fr->en, then en->ar or en->es).
``plan_route`` picks a direct package where there is one, else the two legs
through the pivot. Another index (a mirror, or a local copy as a ``file://``
URL) is chosen with ``--index`` or the ``EXPLAINER_ARGOS_INDEX`` variable.
Downloads have a timeout and retries, are checked against the index's sha256
where it gives one, and are installed atomically.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..fsutil import sha256_hex
from .mt import EngineError
from .mt.argos import ModelInfo, install_package
from .mt.route import Leg, Route

INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
INDEX_VARIABLE = "EXPLAINER_ARGOS_INDEX"
TIMEOUT = 30.0  # seconds without data before a request is given up
RETRY_DELAYS = (1.0, 4.0)  # waits before the second and the third attempt
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")

Report = Callable[[str], None]


@dataclass(frozen=True)
class IndexEntry:
    """A package the index offers."""

    source: str
    target: str
    version: str
    links: tuple[str, ...]
    sha256: str | None = None

    @property
    def label(self) -> str:
        return f"{self.source}->{self.target} {self.version}".rstrip()


@dataclass(frozen=True)
class PlannedLeg:
    """One leg of a planned route: installed already, or to download from ``entry``."""

    source: str
    target: str
    version: str
    entry: IndexEntry | None  # None: the installed model is used

    @property
    def installed(self) -> bool:
        return self.entry is None


@dataclass(frozen=True)
class Plan:
    """The route planned for one language; ``legs`` is empty when there is none."""

    language: str
    source: str
    pivot: str
    legs: tuple[PlannedLeg, ...]

    @property
    def route(self) -> Route | None:
        if not self.legs:
            return None
        return Route("argos", tuple(Leg(leg.source, leg.target, leg.version) for leg in self.legs))

    def describe(self) -> str:
        """``ar  fr->ar via en: fr->en 1.9 (installed), en->ar 1.0 (download)`` or why there is no route."""
        route = self.route
        if route is None:
            through = (
                f", and no {self.source}->{self.pivot} with {self.pivot}->{self.language}"
                if self.pivot not in (self.source, self.language)
                else ""
            )
            return f"{self.language}  no route: no {self.source}->{self.language} package{through}"
        legs = ", ".join(
            f"{leg.source}->{leg.target} {leg.version}".rstrip() + (" (installed)" if leg.installed else " (download)")
            for leg in self.legs
        )
        return f"{self.language}  {route.summary}: {legs}"


def index_url(given: str | None) -> str:
    """The index to read: ``given``, else ``$EXPLAINER_ARGOS_INDEX``, else the public index."""
    return given or os.environ.get(INDEX_VARIABLE) or INDEX_URL


def _check_url(url: str, what: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("https", "file"):
        return
    if parts.scheme == "http" and parts.hostname in _LOOPBACK:
        return  # a server on this machine, such as a local mirror
    raise EngineError(f"{what} must be an https:// or file:// URL (plain http only on 127.0.0.1): {url}")


def _fetch(url: str, destination: Path | None, timeout: float, progress: Report | None) -> bytes:
    """Read ``url`` (into ``destination`` if given, else into memory), retrying failed attempts."""
    # A file is there or not: only network reads are tried again.
    delays = (0.0,) if url.startswith("file:") else (0.0, *RETRY_DELAYS)
    for attempt, delay in enumerate(delays, 1):
        time.sleep(delay)
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                if destination is None:
                    return bytes(response.read())
                total = int(response.headers.get("Content-Length") or 0)
                done = 0
                with destination.open("wb") as out:
                    while chunk := response.read(1 << 16):
                        out.write(chunk)
                        done += len(chunk)
                        if progress and total:
                            progress(f"{done * 100 // total}% of {total // 1024} KB")
                return b""
        except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, resets, cut-off bodies
            reason = getattr(error, "reason", error)
            if attempt == len(delays) or (isinstance(error, urllib.error.HTTPError) and error.code < 500):
                raise EngineError(f"{reason}" + (f" (after {attempt} attempts)" if attempt > 1 else "")) from None
    raise AssertionError("unreachable")


def read_index(url: str, timeout: float = TIMEOUT) -> tuple[IndexEntry, ...]:
    """The translation packages listed by the index at ``url``.

    Raises ``EngineError`` when it cannot be read or is not an Argos index.
    """
    _check_url(url, "the index")
    try:
        data: Any = json.loads(_fetch(url, None, timeout, None))
    except EngineError as error:
        raise EngineError(f"cannot read the Argos package index ({url}): {error}") from None
    except ValueError as error:
        raise EngineError(f"the Argos package index ({url}) is not valid JSON: {error}") from None
    if not isinstance(data, list):
        raise EngineError(f"the Argos package index ({url}) is not a list of packages")
    entries = []
    for item in data:
        if not isinstance(item, dict) or item.get("type", "translate") != "translate":
            continue
        source, target = item.get("from_code"), item.get("to_code")
        if not isinstance(source, str) or not isinstance(target, str):
            continue
        links = tuple(urllib.parse.urljoin(url, str(link)) for link in item.get("links") or ())
        checksum = item.get("sha256") or item.get("checksum")
        entries.append(
            IndexEntry(source, target, str(item.get("package_version", "")), links, str(checksum) if checksum else None)
        )
    return tuple(entries)


def _version_key(version: str) -> list[int]:
    return [int(part) if part.isdigit() else 0 for part in version.replace("-", ".").split(".")]


def newest(entries: Sequence[IndexEntry], source: str, target: str) -> IndexEntry | None:
    """The newest package for ``source -> target`` in the index, or None."""
    candidates = [entry for entry in entries if (entry.source, entry.target) == (source, target) and entry.links]
    return max(candidates, key=lambda entry: _version_key(entry.version)) if candidates else None


def plan_route(
    source: str, target: str, pivot: str, entries: Sequence[IndexEntry], installed: Sequence[ModelInfo]
) -> Plan:
    """The route for ``source -> target``: direct where possible, else through ``pivot``.

    Each leg uses the installed model if there is one, else the newest package
    in the index. A direct package (installed or listed) always wins over a pivot.
    """

    def leg(a: str, b: str) -> PlannedLeg | None:
        models = [model for model in installed if (model.source, model.target) == (a, b)]
        if models:
            return PlannedLeg(a, b, models[-1].version, None)
        entry = newest(entries, a, b)
        return PlannedLeg(a, b, entry.version, entry) if entry else None

    direct = leg(source, target)
    if direct is not None:
        return Plan(target, source, pivot, (direct,))
    if pivot in (source, target):
        return Plan(target, source, pivot, ())
    first, second = leg(source, pivot), leg(pivot, target)
    if first is None or second is None:
        return Plan(target, source, pivot, ())
    return Plan(target, source, pivot, (first, second))


def download_and_install(
    entry: IndexEntry, models_dir: Path, timeout: float = TIMEOUT, show_progress: bool = True
) -> ModelInfo:
    """Download ``entry`` (trying each of its links), check its sha256, install it atomically.

    Raises ``EngineError`` naming the package when no link gives a sound archive.
    """
    if not entry.links:
        raise EngineError(f"the Argos index lists {entry.label} without a download link")
    models_dir.mkdir(parents=True, exist_ok=True)
    failures = []
    for link in entry.links:
        try:
            _check_url(link, "a package link")
        except EngineError as error:
            failures.append(str(error))
            continue
        with tempfile.TemporaryDirectory(dir=models_dir, prefix=".download-") as scratch:
            archive = Path(scratch) / "package.argosmodel"
            progress = _progress(entry) if show_progress else None
            try:
                _fetch(link, archive, timeout, progress)
            except EngineError as error:
                failures.append(f"{link}: {error}")
                continue
            finally:
                if progress:
                    print(file=sys.stderr)
            if entry.sha256:
                digest = sha256_hex(archive.read_bytes())
                if digest != entry.sha256.lower():
                    failures.append(f"{link}: checksum mismatch (sha256 {digest}, the index says {entry.sha256})")
                    continue
            model = install_package(archive, models_dir)
            if (model.source, model.target) != (entry.source, entry.target):
                shutil.rmtree(model.path)
                failures.append(f"{link}: the package holds {model.source}->{model.target}")
                continue
            return model
    raise EngineError(f"cannot install {entry.label}: " + "; ".join(failures))


def _progress(entry: IndexEntry) -> Report | None:
    """A progress line on a terminal; nothing in CI logs."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def show(message: str) -> None:
        print(f"\r  downloading {entry.label}: {message}", end="", file=sys.stderr, flush=True)

    return show


def install_pair(source: str, target: str, models_dir: Path, url: str | None = None) -> ModelInfo:
    """Download the newest package for exactly ``source -> target`` from the index and install it.

    Raises ``EngineError`` when the index cannot be read or has no such pair.
    """
    url = index_url(url)
    entry = newest(read_index(url), source, target)
    if entry is None:
        raise EngineError(f"the Argos index ({url}) has no {source}->{target} package")
    return download_and_install(entry, models_dir)
