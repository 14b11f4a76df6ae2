"""The link check (explainer/check/links.py): its scan of a rendered file (``scan_file``), held to the
scan it replaced (every tag's attributes read, the leftovers found by one regular expression); how
links resolve; and that a build reads back no file it rendered."""

from __future__ import annotations

import copy
import html
import pickle
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import explainer.build
from explainer.build import build
from explainer.cache import CACHE_DIR, BuildCache
from explainer.check.links import Scan, check_links, scan_file, verify
from explainer.config import load_config
from explainer.errors import CheckError, Problem
from explainer.model import MARK_CLOSE, MARK_OPEN, Run
from explainer.write.output import content_hash
from tests.golden import EXPECTED
from tests.project import build_flagship, make_project, tree

EXAMPLES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- the scan as it was, kept as the reference -------------------------------------------------

_OLD_LEFTOVERS = re.compile(f"[{MARK_OPEN}{MARK_CLOSE}\x02\x03]|\\{{\\{{|\\}}\\}}|\\{{%|%\\}}|klzzwxh")
_OLD_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>")
_OLD_ATTRIBUTE = re.compile(r'([a-zA-Z_:][\w:.-]*)="([^"]*)"')


def _old_read(text: str) -> tuple[set[str], list[tuple[str, int]], list[tuple[str, str]]]:
    ids: set[str] = set()
    links: list[tuple[str, int]] = []
    alternates: list[tuple[str, str]] = []
    line, position = 1, 0
    for match in _OLD_TAG.finditer(text):
        tag = match.group(1).lower()
        values = {name.lower(): html.unescape(value) for name, value in _OLD_ATTRIBUTE.findall(match.group(2))}
        if "id" in values:
            ids.add(values["id"])
        if tag not in ("a", "link", "script", "img", "source"):
            continue
        for name in ("href", "src"):
            if name not in values:
                continue
            if tag == "link" and values.get("rel") in ("alternate", "canonical"):
                if values.get("rel") == "alternate" and values.get("hreflang"):
                    alternates.append((values["hreflang"], values[name]))
                continue
            line += text.count("\n", position, match.start())
            position = match.start()
            links.append((values[name], line))
    return ids, links, alternates


def _old_scan(path: str, content: bytes) -> Scan:
    if not path.endswith((".html", ".xml")):
        return Scan((), frozenset(), (), (), False)
    text = content.decode("utf-8")
    problems: tuple[Problem, ...] = ()
    leftover = _OLD_LEFTOVERS.search(text)
    if leftover:
        line = text.count("\n", 0, leftover.start()) + 1
        problems = (Problem(path, line, f"unresolved marker or template syntax {leftover.group()!r}"),)
    if not path.endswith(".html"):
        return Scan(problems, frozenset(), (), (), False)
    ids, links, alternates = _old_read(text)
    return Scan(problems, frozenset(ids), tuple(links), tuple(alternates), True)


# -- the same scans ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return tree(build_flagship(tmp_path_factory.mktemp("flagship") / "project"))


def _assert_same_scans(files: dict[str, bytes]) -> None:
    pages = [path for path in files if path.endswith(".html")]
    assert len(pages) > 10  # the site is really there
    assert sum(len(scan_file(path, files[path]).links) for path in pages) > 100
    for path, content in sorted(files.items()):
        assert scan_file(path, content) == _old_scan(path, content), path


def test_the_golden_site_scans_as_before() -> None:
    _assert_same_scans(tree(EXPECTED))


def test_the_flagship_scans_as_before(flagship: dict[str, bytes]) -> None:
    _assert_same_scans(flagship)


_PIECES = st.sampled_from(
    [
        *("\n", " ", "x", "é", "<", ">", '"', "=", "&amp;", "&quot;", "&#x27;", "d", "D", "id", "ID"),
        *("<p>", "</p>", "<div ", "<h2 ", "<a ", "<A ", "<link ", "<img ", "<script ", "<source ", "<li", "<x1 "),
        *('id="a"', 'ID="b"', 'iD="c"', 'data-id="d"', 'hidden="hidden"', 'id=""', 'id="a&amp;b"', 'class="d="'),
        *('href="/en/"', 'href="#a"', 'HREF="x/"', 'src="/s.js"', 'rel="alternate"', 'rel="canonical"'),
        *('hreflang="en"', 'hreflang=""', 'href="https://e.example/"', "id=a", "id='a'", 'id = "a"'),
        *(MARK_OPEN, MARK_CLOSE, "\x02", "\x03", "{{", "}}", "{%", "%}", "{", "}", "%", "klzzwxh", "klzz"),
        *(
            "\ue002",
            "\U0001f600",
            "ع",
            "<p title=\"<a href='/in/' id='in'>\">",
            '<p data-x="<img src=/i.png>"',
            "<a_",
            "<aé ",
        ),
    ]
)


@EXAMPLES
@given(st.lists(_PIECES, max_size=40).map("".join), st.sampled_from(["en/page/index.html", "feed.xml", "a.css"]))
def test_any_file_scans_as_before(text: str, path: str) -> None:
    content = text.encode("utf-8")
    assert scan_file(path, content) == _old_scan(path, content)


@EXAMPLES
@given(st.lists(st.lists(_PIECES, max_size=8).map("".join), max_size=8), st.lists(st.booleans(), max_size=8))
def test_a_file_read_in_pieces_scans_as_read_whole(parts: list[str], known: list[bool]) -> None:
    """Any of a file's consecutive parts given as pieces (a dashboard's rows): the same scan as
    the file's, whether the pieces can be read on their own or a tag straddles two of them."""
    text = "".join(parts)
    pieces = [part for part, is_piece in zip(parts, known, strict=False) if is_piece]
    content = text.encode("utf-8")
    assert scan_file("en/status/index.html", content, pieces) == _old_scan("en/status/index.html", content)


# Rows as a dashboard's: with links, ids, alternates, over several lines, or none.
_ROWS = st.sampled_from(
    [
        '        <tr>\n          <th><a href="../../en/a/" hreflang="en">A</a></th>\n        </tr>\n',
        '<tr id="b"><td><a href="#b">b</a>\n<img src="/i.png"></td></tr>',
        '\n\n<link rel="alternate" hreflang="ar" href="/ar/">\n<a href="/x/">\n</a>',
        "<tr><td>no link</td></tr>\n",
        "",
    ]
)


@EXAMPLES
@given(
    st.lists(st.one_of(_ROWS, st.lists(_PIECES, max_size=8).map("".join)), max_size=8),
    st.sampled_from(["", "\n", " ", "\n\n", "<", "<a ", ">", 'id="s"']),
    st.one_of(_ROWS, st.lists(_PIECES, max_size=6).map("".join)),
    st.one_of(_ROWS, st.lists(_PIECES, max_size=6).map("".join)),
    st.booleans(),
)
def test_a_run_of_parts_given_as_a_piece_scans_as_read_whole(
    parts: list[str], separator: str, before: str, after: str, with_a_row: bool
) -> None:
    """A run (a dashboard section's rows, joined) is read from its parts' reads: the same scan as the
    file's, whatever the parts and the separator hold, and with a piece of its own before it."""
    run = Run(parts, separator)
    row = '<tr><th><a href="../x/" id="r">x</a></th></tr>\n'
    text = before + (row if with_a_row else "") + run + after
    content = text.encode("utf-8")
    pieces = (row, run) if with_a_row else (run,)
    assert str(run) == separator.join(parts) and run.parts == tuple(parts)
    assert scan_file("en/status/index.html", content, pieces) == _old_scan("en/status/index.html", content)


def test_a_run_pickles_and_copies_as_what_it_is_made_of() -> None:
    run = Run(["<tr>a</tr>\n", "<tr>b</tr>\n"], "")
    for again in (pickle.loads(pickle.dumps(run)), copy.copy(run), copy.deepcopy(run)):
        assert isinstance(again, Run) and again == run
        assert (again.parts, again.separator) == (run.parts, run.separator)


def test_a_dashboard_is_read_row_by_row_and_scans_as_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from explainer.check import links

    compared: list[str] = []
    scan = links.scan_file

    def both(path: str, content: bytes, pieces: tuple[str, ...] = (), text: str | None = None) -> Scan:
        found = scan(path, content, pieces, text)
        if pieces:
            assert text == content.decode("utf-8"), path  # given as made, not decoded again
            assert found == _old_scan(path, content), path
            assert links._read_in_pieces(content.decode("utf-8"), pieces) is not None, path  # read row by row
            compared.append(path)
        return found

    monkeypatch.setattr(links, "scan_file", both)
    project = make_project(tmp_path / "project")
    build(load_config(project), use_machine=False, jobs=1)
    dashboards = sorted(path for path in tree(project / "site") if "/translation-status/" in path)
    assert len(dashboards) >= 3 and sorted(compared) == dashboards


def test_a_row_read_is_kept_for_the_processes_after_and_a_bad_one_is_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from explainer.check import links

    row = '<tr>\n<th id="x"><a href="../../en/a/#b" hreflang="en">A</a></th>\n</tr>'
    monkeypatch.setattr(links, "_pieces", {})
    expected = links._read_piece(row)
    written = links.piece_read(row)
    assert written is not None and links.piece_read("<tr>never read</tr>") is None
    read: list[str] = []
    whole = links._read_whole

    def reading(piece: str) -> tuple[Any, bool, int]:
        read.append(piece)
        return whole(piece)

    monkeypatch.setattr(links, "_read_whole", reading)
    damaged = ['[["x"], [[1, 2]], [], true, 2]', "not json", "[], []", "[" * 100_000, ""]
    for stored, taken in [(written, True), (f" {written}\n", True), *((text, False) for text in damaged)]:
        monkeypatch.setattr(links, "_pieces", {})  # another process
        read.clear()
        links.known_pieces({row: stored})
        assert links._read_piece(row) == expected
        assert read == ([] if taken else [row]), stored


def test_reads_given_together_are_taken_each_on_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of rows' reads are read as one text: one that is not a read (two values, none, not
    JSON) leaves the others as they are."""
    from explainer.check import links

    rows = [f'<tr><a href="../{number}/">{number}</a></tr>' for number in range(4)]
    monkeypatch.setattr(links, "_pieces", {})
    expected = {row: links._read_piece(row) for row in rows}
    written = {row: links.piece_read(row) or "" for row in rows}
    for damage in ("[], []", "", "[1,"):
        monkeypatch.setattr(links, "_pieces", {})
        links.known_pieces({**written, rows[1]: damage, rows[2]: f" {written[rows[2]]}\n"})  # JSON's white space
        assert set(links._pieces) == set(rows) - {rows[1]}, damage
        assert all(links._pieces[row] == expected[row] for row in links._pieces)


def test_a_dashboard_s_rows_are_read_once_for_the_builds_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that changes a page's rows (an edit leaves a segment untranslated) reads those rows
    alone: the others' reads are kept with them in the rows cache. Without them, every row is read."""
    from explainer.check import links
    from explainer.render import rows

    read: list[str] = []
    whole = links._read_whole

    def reading(piece: str) -> tuple[Any, bool, int]:
        read.append(piece)
        return whole(piece)

    def rows_read(with_kept_reads: bool) -> int:
        project = make_project(tmp_path / f"project-{with_kept_reads}")
        build(load_config(project), use_machine=False, jobs=1)
        monkeypatch.setattr(links, "_pieces", {})  # the next build's process
        monkeypatch.setattr(links, "_read_whole", reading)
        if not with_kept_reads:
            monkeypatch.setattr(rows, "known_pieces", lambda reads: None)
        read.clear()
        news = project / "content" / "news.md"
        news.write_text(news.read_text(encoding="utf-8").replace("Deux diplomates", "Trois diplomates"), "utf-8")
        build(load_config(project), use_machine=False, jobs=1)
        monkeypatch.undo()
        cold = tmp_path / f"cold-{with_kept_reads}"
        shutil.copytree(project, cold, ignore=shutil.ignore_patterns("site", ".cache"))
        build(load_config(cold), use_machine=False, jobs=1, cache=False)
        assert tree(project / "site") == tree(cold / "site")
        return sum(1 for piece in read if piece.lstrip().startswith("<tr>"))

    kept, all_rows = rows_read(True), rows_read(False)
    assert 0 < kept < all_rows / 4, (kept, all_rows)


# -- what the check makes of the scans ---------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "problem"),
    [
        ("https://example.org/nowhere", None),
        ("http://example.org/nowhere", None),
        ("http:nowhere", None),  # a scheme: not a file of the site
        ("mailto:a@example.org", None),
        ("data:text/plain,x", None),
        ("//example.org/nowhere", None),
        ("../b/", None),
        ("../b/#here", None),
        ("../b/#there", "broken anchor '../b/#there': no id 'there' in en/b/index.html"),
        ("../c/", "broken link '../c/': no file en/c/index.html"),
        ("#top", None),
        ("#bottom", "broken anchor '#bottom': no id 'bottom' in en/a/index.html"),
    ],
)
def test_links_are_resolved_from_the_page(href: str, problem: str | None) -> None:
    files = {
        "en/a/index.html": f'<p id="top"><a href="{href}">x</a></p>'.encode(),
        "en/b/index.html": b'<h2 id="here">b</h2>',
    }
    scans = {path: scan_file(path, content) for path, content in files.items()}
    found = verify(scans, files.keys(), "https://example.org/")
    assert [found_problem.message for found_problem in found] == ([problem] if problem else [])


def test_a_leftover_is_reported_at_its_first_line() -> None:
    scan = scan_file("en/a/index.html", b"<p>a</p>\n<p>b }} c {{</p>\n")
    assert scan.problems == (Problem("en/a/index.html", 2, "unresolved marker or template syntax '}}'"),)


# -- what the check reads ----------------------------------------------------------------------


def test_a_build_reads_back_no_file_it_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project), use_machine=False, jobs=1)
    # The build cache loses its scans: what the check needs of a file comes from the render, or the disk.
    database = sqlite3.connect(project / CACHE_DIR / "cache.sqlite")
    with database:
        database.execute("DELETE FROM scans")
    database.close()
    read: list[str] = []
    site_file = explainer.build.file_reader

    def counted(output_dir: Path) -> Callable[[str], bytes]:
        def read_file(path: str) -> bytes:
            read.append(path)
            return site_file(output_dir)(path)

        return read_file

    monkeypatch.setattr(explainer.build, "file_reader", counted)
    # Every page is rendered again (a template changed), all but one as it was; a heading's id
    # changed, so every file is checked.
    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace("## Ce qui s'est passé", "## Ce qui est arrivé"), "utf-8")
    page = project / "templates" / "page.html"
    page.write_text(page.read_text(encoding="utf-8") + "{# unchanged output #}\n", "utf-8")
    build(load_config(project), use_machine=False, jobs=1)
    assert "ce-qui-est-arrive" in (project / "site" / "fr" / "news" / "index.html").read_text(encoding="utf-8")
    # The web fonts are carried over, not rendered (their names say what they hold): with their
    # scans lost, they are the only files read.
    assert read and all(path.startswith("assets/fonts/") for path in read)


def test_a_template_edit_reads_no_page_s_last_scan_and_checks_the_links_it_adds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project), use_machine=False, jobs=1)
    site = project / "site"

    def pages() -> dict[Path, str]:
        return {path.relative_to(site): content_hash(path.read_bytes()) for path in site.rglob("*.html")}

    before = pages()
    asked: list[str] = []
    stored_scans = BuildCache.scans

    def scans(self: BuildCache, hashes: Iterable[str]) -> dict[str, Scan]:
        wanted = list(hashes)
        asked.extend(wanted)
        return stored_scans(self, wanted)

    monkeypatch.setattr(BuildCache, "scans", scans)
    # Every page changes, none of its links: the keys stored beside the last scans say so.
    page = project / "templates" / "page.html"
    template = page.read_text(encoding="utf-8")
    page.write_text(template.replace("{% block main %}", "{% block main %}<!-- edited -->", 1), "utf-8")
    build(load_config(project), use_machine=False, jobs=1)
    edited = pages()
    last = {before[path] for path, now in edited.items() if before[path] != now}  # the pages' last versions
    assert len(last) >= 8 and not last & set(asked)
    # Every page links somewhere new: their last scans say which links they had, and the new one is checked.
    page.write_text(template.replace("{% block main %}", '{% block main %}<a href="../nowhere/">x</a>', 1), "utf-8")
    with pytest.raises(CheckError) as raised:
        build(load_config(project), use_machine=False, jobs=1)
    assert "broken link '../nowhere/'" in str(raised.value)
    assert {edited[path] for path in edited if before[path] != edited[path]} <= set(asked)


def test_a_scan_s_damaged_keys_discard_the_build_cache(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project), use_machine=False, jobs=1)
    database = sqlite3.connect(project / CACHE_DIR / "cache.sqlite")
    with database:
        database.execute("UPDATE scans SET outline = x'2a'")  # a blob where text is kept
    database.close()
    page = project / "templates" / "page.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}<!-- x -->", 1), "utf-8"
    )
    report = build(load_config(project), use_machine=False, jobs=1)
    assert any("keys of the scan" in note and "discarded" in note for note in report.notes), report.notes
    assert "<!-- x -->" in (project / "site" / "en" / "news" / "index.html").read_text(encoding="utf-8")


def test_scans_of_different_files_share_their_strings() -> None:
    """The scans of a whole site are held until it is checked: a link, id or alternate that many
    files have is one string in memory, not one per file."""
    page = (
        '<html><head><link rel="alternate" hreflang="en" href="https://example.org/en/a/"></head>'
        '<body><a href="../../assets/style.css">x</a>\n<h2 id="context">y</h2></body></html>'
    )
    first = scan_file("en/a/index.html", page.encode())
    second = scan_file("en/b/index.html", page.encode())  # the same text, decoded and read again
    assert first == second and first.links and first.alternates
    assert first.links[0][0] is second.links[0][0]
    assert next(iter(first.ids)) is next(iter(second.ids))
    (hreflang, url), (hreflang_again, url_again) = first.alternates[0], second.alternates[0]
    assert hreflang is hreflang_again and url is url_again


# -- what an incremental check resolves again --------------------------------------------------


def _site(files: dict[str, str]) -> tuple[dict[str, str], dict[str, Scan]]:
    """The hashes of the files of a site (their text serves) and their scans, by hash."""
    return dict(files), {text: scan_file(path, text.encode()) for path, text in files.items()}


_DASHBOARD = '<table>\n<tr><a href="../a/">a</a></tr>\n{row}<tr><a href="../b/#here">b</a></tr>\n</table>'


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("", None),
        ("<tr><td>a row without a link</td></tr>\n", None),
        ('<tr><a href="../a/#top">a again</a></tr>\n', None),
        ('<tr><a href="../c/">c</a></tr>\n', "en/status/index.html:3: broken link '../c/': no file en/c/index.html"),
        (
            '<tr><a href="../b/#there">b</a></tr>\n',
            "en/status/index.html:3: broken anchor '../b/#there': no id 'there' in en/b/index.html",
        ),
    ],
)
@pytest.mark.parametrize("by_keys", [False, True], ids=["stored scans", "stored keys"])
def test_a_changed_file_has_its_new_links_checked(row: str, problem: str | None, by_keys: bool) -> None:
    # The last build's site: a dashboard whose links resolve. This one's: a row added to it, with
    # the same files and ids elsewhere, so only the dashboard is checked, and only its new link.
    # Its last version is known by its stored scan, or by the keys stored beside it (as a build does).
    pages = {"en/a/index.html": '<p id="top">a</p>', "en/b/index.html": '<h2 id="here">b</h2>'}
    previous, before = _site({**pages, "en/status/index.html": _DASHBOARD.format(row="")})
    hashes, now = _site({**pages, "en/status/index.html": _DASHBOARD.format(row=row)})
    fresh = {path: now[hashes[path]] for path in hashes if hashes[path] != previous[path]}
    stored = {**before, **now}
    loaded: list[str] = []

    def load(wanted: Iterable[str]) -> dict[str, Scan]:
        found = {key: stored[key] for key in wanted if key in stored}
        loaded.extend(found)
        return found

    def keys(wanted: Iterable[str]) -> dict[str, tuple[str, str]]:
        return {key: stored[key].keys for key in wanted if key in stored}

    def read(path: str) -> bytes:
        raise AssertionError(f"{path}: every scan is stored")

    def check() -> None:
        loaded.clear()
        check_links("https://example.org/", hashes, fresh, previous, load, read, stored_keys=keys if by_keys else None)

    if problem is None:
        check()
    else:
        with pytest.raises(CheckError) as raised:
            check()
        assert [str(found) for found in raised.value.problems] == [problem]
    # The dashboard's last scan is read, where it changed, to know the links it had; by its keys,
    # only where it links to addresses it did not.
    assert (previous["en/status/index.html"] in loaded) == (row != "" and (not by_keys or "href" in row))


def test_a_scan_s_keys_are_its_outline_and_the_addresses_it_links_to() -> None:
    page = '<h2 id="b">b</h2><p id="a"><a href="../x/">x</a>\n<a href="../y/#z">y</a></p>'
    keys = scan_file("en/p/index.html", page.encode()).keys
    same = [
        '<p id="a"></p>\n\n<h2 id="b">b</h2><a href="../y/#z">y</a><a href="../x/">x</a>',  # order, lines
        page + '<a href="../x/">x again</a>',  # a link repeated
    ]
    for text in same:
        assert scan_file("en/p/index.html", text.encode()).keys == keys, text
    other_outline = [page.replace('id="b"', 'id="c"'), page + '<link rel="alternate" hreflang="fr" href="/fr/p/">']
    for text in other_outline:
        changed = scan_file("en/p/index.html", text.encode()).keys
        assert changed[0] != keys[0] and changed[1] == keys[1], text
    other_links = [page.replace("../y/#z", "../y/#w"), page + '<img src="i.png">']
    for text in other_links:
        changed = scan_file("en/p/index.html", text.encode()).keys
        assert changed[0] == keys[0] and changed[1] != keys[1], text
    # Made where the file is scanned, they go with the scan to the process that checks.
    scan = scan_file("en/p/index.html", page.encode())
    _ = scan.keys
    assert "keys" in pickle.loads(pickle.dumps(scan)).__dict__
