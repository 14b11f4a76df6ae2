"""The link check, over the built files, before anything is written.

Every internal link and anchor must resolve, in every language; no segment
marker or template syntax may be left in the output; hreflang alternates
must be reciprocal. Pure: what it reads of the current site and of the build
cache comes through the functions it is given.
"""

from __future__ import annotations

import functools
import hashlib
import html
import itertools
import posixpath
import re
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from ..errors import CheckError, Problem
from ..layout import LATER_FILES
from ..model import MARK_CLOSE, MARK_OPEN, Run
from ..records import RecordError, decoder, encode

# Leftovers: one of these anywhere in a file (looked for in its UTF-8 bytes: no other character's
# encoding holds the encoding of a character).
_LEFTOVERS = tuple(
    string.encode() for string in (MARK_OPEN, MARK_CLOSE, "\x02", "\x03", "{{", "}}", "{%", "%}", "klzzwxh")
)
# Each with a byte of it that pages seldom hold, looked for first and alone: a single byte is found
# at memory speed (the nine leftovers in a dashboard of 1.2 MB: 7 ms, about 1 ms this way).
_LEFTOVER_KEYS = tuple(
    zip(_LEFTOVERS, (b"\xee", b"\xee", b"\x02", b"\x03", b"{", b"}", b"{", b"}", b"klzzwxh"), strict=True)
)
# A tag: from '<' and a name to the first '>'.
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-zA-Z_:][\w:.-]*)="([^"]*)"')
_LINKING = frozenset({"a", "link", "script", "img", "source"})
_EXTERNAL = ("https://", "http://", "mailto:", "data:")  # no need to split these to know


@dataclass(frozen=True)
class _Read:
    """Ids, links and hreflang alternates of one generated page."""

    ids: frozenset[str]
    links: tuple[tuple[str, int], ...]  # (href, line)
    alternates: tuple[tuple[str, str], ...]  # (hreflang, url)


def _values(attributes: str) -> dict[str, str]:
    return {name.lower(): html.unescape(value) for name, value in _ATTRIBUTE.findall(attributes)}


def _read(text: str) -> _Read:
    """The ids, links and hreflang alternates of a generated page.

    The pages are the generator's own output, where every attribute value is double-quoted,
    so a regular expression reads them reliably, and an order of magnitude faster than an
    HTML parser on a large site. The attributes of a tag are read only where it can link or
    hold an id (the letter before one of its '=' is a 'd'). The values kept are interned: the
    scans of a whole site are held until it is checked, and most of their links and ids
    (the menu, the assets, the alternates) are the same strings in thousands of files.
    """
    ids: set[str] = set()
    links: list[tuple[str, int]] = []
    alternates: list[tuple[str, str]] = []
    line, position = 1, 0
    for match in _TAG.finditer(text):
        name, attributes = match.group(1, 2)
        tag = name.lower()
        if tag not in _LINKING:
            if "d=" in attributes or "D=" in attributes:  # it may have an id
                identifier = _values(attributes).get("id")
                if identifier is not None:
                    ids.add(sys.intern(identifier))
            continue
        values = _values(attributes)
        if "id" in values:
            ids.add(sys.intern(values["id"]))
        for attribute in ("href", "src"):
            if attribute not in values:
                continue
            if tag == "link" and values.get("rel") in ("alternate", "canonical"):
                if values.get("rel") == "alternate" and values.get("hreflang"):
                    alternates.append((sys.intern(values["hreflang"]), sys.intern(values[attribute])))
                continue
            line += text.count("\n", position, match.start())
            position = match.start()
            links.append((sys.intern(values[attribute]), line))
    return _Read(frozenset(ids), tuple(links), tuple(alternates))


@dataclass(frozen=True)
class _Leftover:
    line: int
    found: str  # the marker or template syntax


def _leftover(content: bytes) -> _Leftover | None:
    """The first leftover marker or template syntax in ``content``, or None."""
    found = [
        (index, string) for string, key in _LEFTOVER_KEYS if key in content and (index := content.find(string)) >= 0
    ]
    if not found:
        return None
    start, string = min(found)
    return _Leftover(content.count(b"\n", 0, start) + 1, string.decode())


def _target(page_path: str, href: str) -> tuple[str, str] | None:
    """Resolve ``href`` from ``page_path``: (site file, fragment), or None if external."""
    if href.startswith(_EXTERNAL):
        return None
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


@dataclass(frozen=True)
class Scan:
    """What the checks need to know of one output file; kept in the build cache by content."""

    problems: tuple[Problem, ...]  # leftovers found in the file itself
    ids: frozenset[str]
    links: tuple[tuple[str, int], ...]  # (href, line)
    alternates: tuple[tuple[str, str], ...]  # (hreflang, url)
    html: bool

    @property
    def outline(self) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
        """What other files' link checks read of this one: a change here means they are checked again.

        Only the link check runs in an incremental build, so only it reads a scan: the checks of
        ``python build.py check`` (see ``explainer.check``) run over a whole site built in memory,
        and adding one changes nothing here.
        """
        return self.ids, self.alternates

    @functools.cached_property
    def keys(self) -> ScanKeys:
        """Digests of the ``outline`` and of the set of addresses the file links to: the build cache
        keeps them beside the scan, so that the check of a changed file compares it with the file's
        last version without reading that version's scan (a template edit changes every page, seldom
        its outline or links). Made where the file is scanned (a worker), and sent with the scan."""
        outline = repr((sorted(self.ids), self.alternates)).encode()
        hrefs = repr(sorted({href for href, _ in self.links})).encode()
        return hashlib.blake2b(outline, digest_size=16).hexdigest(), hashlib.blake2b(hrefs, digest_size=16).hexdigest()


ScanKeys = tuple[str, str]  # ``Scan.keys``: the digests of its outline and of its links' addresses


def scan_file(path: str, content: bytes, pieces: Sequence[str] = (), text: str | None = None) -> Scan:
    """Read the ids, links and hreflang alternates of one output file, and any leftover.

    ``pieces`` are texts the file holds, in this order (a dashboard's rows): each is read on its own,
    and once for all the files and builds of this process that hold it; the scan is the same.
    ``text``: the content decoded, where the caller has it."""
    if not path.endswith((".html", ".xml")):
        return Scan((), frozenset(), (), (), False)
    if text is None:
        text = content.decode("utf-8")
    problems: tuple[Problem, ...] = ()
    leftover = _leftover(content)
    if leftover:
        problems = (Problem(path, leftover.line, f"unresolved marker or template syntax {leftover.found!r}"),)
    if not path.endswith(".html"):
        return Scan(problems, frozenset(), (), (), False)
    read = (_read_in_pieces(text, pieces) if pieces else None) or _read(text)
    return Scan(problems, read.ids, read.links, read.alternates, True)


def _read_in_pieces(text: str, pieces: Sequence[str]) -> _Read | None:
    """``_read(text)``, from the reads of ``pieces`` (found in ``text`` in this order) and of the text
    between them; None when a piece is not found, or a tag would straddle two parts (a '<' with no
    '>' after it in its part): the reads of the parts would then not be the read of the whole.
    One pass: a dashboard has thousands of rows, most of them separated by white space alone."""
    ids: set[str] = set()
    links: list[tuple[str, int]] = []
    alternates: list[tuple[str, str]] = []
    line = cursor = 0  # newlines before the part; where it starts
    for known in (*pieces, None):
        if known is None:
            at = len(text)
        else:
            read, closed, newlines = _read_run(known) if isinstance(known, Run) else _read_piece(known)
            # The first place the piece is: where its first characters are, and then the rest (a
            # search for a long piece, a dashboard's section, would be slower than the compare).
            probe = known[:_PROBE]
            at = text.find(probe, cursor)
            while at >= 0 and not text.startswith(known, at):
                at = text.find(probe, at + 1)
            if at < 0:
                return None
        if text.find("<", cursor, at) < 0:  # no tag before the piece: nothing to read
            line += text.count("\n", cursor, at)
        else:
            last_open = text.rfind("<", cursor, at)
            if text.find(">", last_open, at) < 0:
                return None
            between = _read(text[cursor:at])
            ids.update(between.ids)
            links += [(href, line + offset) for href, offset in between.links] if line else between.links
            alternates += between.alternates
            line += text.count("\n", cursor, at)
        if known is not None:
            if not closed:
                return None
            if read.ids:
                ids.update(read.ids)
            if read.links:
                links += [(href, line + offset) for href, offset in read.links] if line else read.links
            alternates += read.alternates
            line += newlines
            cursor = at + len(known)
    return _Read(frozenset(ids), tuple(links), tuple(alternates))


_PROBE = 64  # the characters of a piece looked for first (``_read_in_pieces``)


# The reads of the pieces that recur in the files and builds of a process (a dashboard's rows),
# the most recently used last: the last ``_PIECES_KEPT``.
_pieces: dict[str, tuple[_Read, bool, int]] = {}
_PIECES_KEPT = 1 << 15


def _read_piece(piece: str) -> tuple[_Read, bool, int]:
    """``_read``, once for a piece that recurs in the files and builds of a process (a dashboard's
    row), with whether it ends outside a tag, and its newlines; or as an earlier process read it
    (``known_pieces``)."""
    found = _pieces.pop(piece, None)
    if found is None:
        found = _read_whole(piece)
    _pieces[piece] = found
    _keep_the_last()
    return found


def _keep_the_last() -> None:
    """Forget the reads of pieces beyond the last ``_PIECES_KEPT`` used."""
    while len(_pieces) > _PIECES_KEPT:
        del _pieces[next(iter(_pieces))]


def _read_whole(piece: str) -> tuple[_Read, bool, int]:
    last_open = piece.rfind("<")
    closed = last_open < 0 or piece.find(">", last_open) >= 0
    return _read(piece), closed, piece.count("\n")


# What ``piece_read`` writes of a piece: its ids, links and alternates, whether it ends outside a
# tag, and its newlines.
_PieceRead = tuple[frozenset[str], tuple[tuple[str, int], ...], tuple[tuple[str, str], ...], bool, int]
_decode_piece_read: Callable[[bytes | str], _PieceRead] = decoder(cast(Any, _PieceRead))
_decode_piece_reads: Callable[[bytes | str], tuple[_PieceRead, ...]] = decoder(cast(Any, tuple[_PieceRead, ...]))


def piece_read(piece: str) -> str | None:
    """What the check read of ``piece`` in this process (as a piece of a file: ``scan_file``),
    written to be kept with it by a cache for the processes after (``known_pieces``): JSON text;
    None when this process does not keep it (not read, or no longer kept)."""
    found = _pieces.get(piece)
    if found is None:
        return None
    read, closed, newlines = found
    return encode((read.ids, read.links, read.alternates, closed, newlines)).decode()


def known_pieces(reads: Mapping[str, str]) -> None:
    """Take the reads of pieces (``piece_read``, by piece) that an earlier process made: the check
    reads those pieces no more. One that is not such a read is left out (its piece is read)."""
    pieces = [piece for piece in reads if piece not in _pieces]
    values: Sequence[_PieceRead | None]
    try:  # thousands at once
        values = _decode_piece_reads("[" + ",".join(reads[piece] for piece in pieces) + "]")
    except RecordError:  # one of them is not a read
        values = []
    if len(values) != len(pieces):  # or one of them is, or holds, more than one read
        values = [_piece_read_or_none(reads[piece]) for piece in pieces]
    for piece, value in zip(pieces, values, strict=True):
        if value is not None:
            ids, links, alternates, closed, newlines = value
            _pieces[piece] = _Read(ids, links, alternates), closed, newlines
    _keep_the_last()


def _piece_read_or_none(text: str) -> _PieceRead | None:
    try:
        return _decode_piece_read(text.strip(" \t\n\r"))  # JSON's white space, as the batch allows it
    except RecordError:
        return None


def _read_run(run: Run) -> tuple[_Read, bool, int]:
    """``_read_piece`` of a run, from the reads of its parts (each kept: a section's rows recur from
    build to build, the section changes with any of them); read whole when the parts cannot be read
    on their own (a tag straddling two) or its separator holds a tag."""
    reads = list(map(_read_piece, run.parts))
    if "<" in run.separator or not all(closed for _, closed, _ in reads):
        return _read_whole(run)
    gap = run.separator.count("\n")
    # The newlines before each part, and after the last (less the separator that does not follow it).
    starts = list(itertools.accumulate((newlines + gap for _, _, newlines in reads), initial=0))
    parts = zip(reads, starts[:-1], strict=True)
    whole = _Read(
        frozenset().union(*(read.ids for read, _, _ in reads if read.ids)),
        tuple((href, start + line) for (read, _, _), start in parts for href, line in read.links),
        tuple(alternate for read, _, _ in reads for alternate in read.alternates),
    )
    return whole, True, max(starts[-1] - gap, 0)


def verify(
    scans: Mapping[str, Scan],
    paths: Collection[str],
    base_url: str,
    only: Iterable[str] | None = None,
    resolved: Mapping[str, Collection[str] | None] | None = None,
) -> list[Problem]:
    """The problems of the files in ``only`` (default: every file in ``scans``).

    ``paths`` is every file of the site; ``scans`` gives the scan of any of them
    (it may load them lazily: only the targets of checked links are read). ``resolved`` gives, by
    file, links known to resolve (to files and ids as they still are), which are not resolved again;
    None for a file all of whose links are.
    """
    problems: list[Problem] = []
    for path in sorted(scans if only is None else only):
        scan = scans[path]
        problems.extend(scan.problems)
        # 404 pages are served at any address: their links are absolute paths.
        if not scan.html or path.endswith("404.html"):
            continue
        known = resolved.get(path, ()) if resolved is not None else ()
        links = scan.links
        if known is None:  # all of them resolve
            links, known = (), ()
        for href, line in links:
            if href in known:
                continue
            target = _target(path, href)
            if target is None:
                continue
            target_path, fragment = target
            if target_path.startswith(LATER_FILES):
                continue
            if target_path not in paths:
                problems.append(Problem(path, line, f"broken link {href!r}: no file {target_path}"))
            elif fragment and target_path.endswith(".html") and fragment not in scans[target_path].ids:
                problems.append(Problem(path, line, f"broken anchor {href!r}: no id '{fragment}' in {target_path}"))
        own_url = base_url + path.removesuffix("index.html")
        cluster = {url for _, url in scan.alternates}
        if scan.alternates and own_url not in cluster:
            problems.append(Problem(path, 0, "hreflang alternates do not include the page itself"))
        for _, url in scan.alternates:
            other = url.removeprefix(base_url) + "index.html"
            if other in paths and scans[other].alternates and {u for _, u in scans[other].alternates} != cluster:
                problems.append(Problem(path, 0, f"hreflang alternates are not reciprocal with {other}"))
    return problems


Stored = Callable[[Iterable[str]], dict[str, Scan]]  # content hashes -> the scans the build cache holds
StoredKeys = Callable[[Iterable[str]], dict[str, ScanKeys]]  # content hashes -> the keys of those scans


class _Scans(Mapping[str, Scan]):
    """The scans of a site's files: fresh ones, then those of the files rendered again unchanged,
    then the stored ones, then the file in the current site."""

    def __init__(
        self,
        fresh: Mapping[str, Scan],
        hashes: Mapping[str, str],
        stored: Stored,
        read: Callable[[str], bytes],
        rendered: Mapping[str, Scan],
    ) -> None:
        self.fresh, self.hashes, self.stored, self.read = fresh, hashes, stored, read
        self.loaded: dict[str, Scan] = {self.hashes[path]: scan for path, scan in rendered.items()}

    def preload(self) -> None:
        wanted = {content_hash for path, content_hash in self.hashes.items() if path not in self.fresh}
        self.loaded.update(self.stored(wanted - self.loaded.keys()))

    def __getitem__(self, path: str) -> Scan:
        if path in self.fresh:
            return self.fresh[path]
        content_hash = self.hashes[path]
        if content_hash not in self.loaded:
            self.loaded.update(self.stored([content_hash]))
        if content_hash not in self.loaded:
            self.loaded[content_hash] = scan_file(path, self.read(path))
        return self.loaded[content_hash]

    def __iter__(self) -> Iterator[str]:
        return iter(self.hashes)

    def __len__(self) -> int:
        return len(self.hashes)


def check_links(
    base_url: str,
    hashes: Mapping[str, str],
    fresh: Mapping[str, Scan],
    previous: Mapping[str, str] | None,
    stored: Stored,
    read: Callable[[str], bytes],
    rendered: Mapping[str, Scan] | None = None,
    stored_keys: StoredKeys | None = None,
) -> None:
    """Check the files of a site: those that changed (``fresh``), and every file when what links can
    point at changed (a file appeared or went, or a changed file's ids or hreflang cluster changed).

    ``hashes`` is every file of the site with its content hash, ``previous`` every file of the last
    build (None: check every file). The scans of unchanged files come from ``rendered`` (files
    rendered again, as the current site has them), else from ``stored``, else from ``read`` (a file
    of the current site, neither rendered now nor in the build cache). A changed file is compared
    with its last version by the keys of that version's scan (``stored_keys``; by default, those of
    the stored scan). Raises ``CheckError`` listing every problem.
    """
    scans = _Scans(fresh, hashes, stored, read, rendered or {})
    full = previous is None or hashes.keys() != previous.keys()
    if previous is not None and not full:
        keys = stored_keys or (lambda wanted: {key: scan.keys for key, scan in stored(wanted).items()})
        before = keys(previous[path] for path in fresh)
        full = any(
            previous[path] not in before or before[previous[path]][0] != scan.keys[0] for path, scan in fresh.items()
        )
    if full:
        scans.preload()
        problems = verify(scans, hashes.keys(), base_url)
    else:
        # No file appeared or went and no file's ids changed: a link a changed file had before, checked
        # by the last build from the same place, still resolves (a dashboard's rows of other pages). A
        # file that links where it did is not checked again; another has the links it had read from
        # the last version's scan (none, where that is not stored).
        assert previous is not None
        relinked = [path for path, scan in fresh.items() if before[previous[path]][1] != scan.keys[1]]
        last = stored(previous[path] for path in relinked)
        resolved: dict[str, Collection[str] | None] = dict.fromkeys(fresh)
        for path in relinked:
            scan = last.get(previous[path])
            resolved[path] = frozenset(href for href, _ in scan.links) if scan is not None else frozenset()
        problems = verify(scans, hashes.keys(), base_url, only=sorted(fresh), resolved=resolved)
    if problems:
        raise CheckError(problems)
