"""Attacks on what the build writes and trusts (issue 12): the output folder, the site swap,
symbolic links, the build cache, file modes, and crashes. Every case runs in a throw-away
copy of the fixture project and asserts the exact message and that nothing else changed.

Permission cases run the build as another user (``nobody``) where the tests run as root,
since root ignores file permissions.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import explainer.cache as cache_module
from explainer.cli import main
from explainer.fsutil import SITE_MARKER
from tests.project import REPOSITORY, make_project, tree

NOBODY = 65534
GENERATIONS = [".site.generation-a", ".site.generation-b"]  # beside site/, which links to one of them


def _everything(sandbox: Path) -> dict[str, bytes]:
    """Every file and link under ``sandbox``: a link as its target, so a link turned into a file shows."""
    found: dict[str, bytes] = {}
    for directory, folders, files in os.walk(sandbox):
        for name in sorted(folders + files):
            path = Path(directory, name)
            shown = path.relative_to(sandbox).as_posix()
            if path.is_symlink():
                found[shown] = b"-> " + os.fsencode(os.readlink(path))
            elif path.is_file():
                found[shown] = path.read_bytes()
    return found


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A built copy of the fixture project, with a file of its own beside it."""
    built = make_project(tmp_path / "project")
    assert main(["--project", str(built), "build"]) == 0
    (tmp_path / "outside.txt").write_text("not part of the project\n", encoding="utf-8")
    return built


def _build(project: Path, *arguments: str) -> list[str]:
    return ["--project", str(project), "build", *arguments]


# -- the output folder: refused before anything is written --------------------------------

REPLACED = "and a build replaces its output folder whole; set output_dir in explainer.toml (or --output) to a folder "
REPLACED += "of its own, such as 'site'"


def _config_output(value: str) -> Callable[[Path], list[str]]:
    def setup(project: Path) -> list[str]:
        config = project / "explainer.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("[site]\n", f'[site]\noutput_dir = "{value}"\n', 1), encoding="utf-8")
        return _build(project)

    return setup


def _site_link_to_content(project: Path) -> list[str]:
    (project / "site").unlink()  # the generator's link to its live generation
    os.symlink("content", project / "site")
    return _build(project)


def _git_repository(project: Path) -> list[str]:
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    return _build(project, "--output", str(project / ".git"))


def _not_made_by_us(project: Path) -> list[str]:
    documents = project.parent / "documents"
    documents.mkdir()
    (documents / "thesis.odt").write_bytes(b"years of work")
    return _build(project, "--output", str(documents))


def _a_file(project: Path) -> list[str]:
    return _build(project, "--output", str(project.parent / "outside.txt"))


def _old_site_without_marker(project: Path) -> list[str]:
    (project / "site" / SITE_MARKER).unlink()
    return _build(project)


OUTPUT_CASES: dict[str, tuple[Callable[[Path], list[str]], Callable[[Path], str]]] = {
    "--output content": (
        lambda p: _build(p, "--output", str(p / "content")),
        lambda p: f"content: cannot be the output folder: it is the content folder, {REPLACED}",
    ),
    "--output i18n": (
        lambda p: _build(p, "--output", str(p / "i18n")),
        lambda p: f"i18n: cannot be the output folder: it is the translation memory (i18n folder), {REPLACED}",
    ),
    "--output templates": (
        lambda p: _build(p, "--output", str(p / "templates")),
        lambda p: f"templates: cannot be the output folder: it is the templates folder, {REPLACED}",
    ),
    "--output the project root": (
        lambda p: _build(p, "--output", str(p)),
        lambda p: f"{p}: cannot be the output folder: it is the project, {REPLACED}",
    ),
    "--output ..": (
        lambda p: _build(p, "--output", str(p / "..")),
        lambda p: f"{p.parent}: cannot be the output folder: it holds the project, {REPLACED}",
    ),
    "--output /": (
        lambda p: _build(p, "--output", "/"),
        lambda p: f"/: cannot be the output folder: it holds the project, {REPLACED}",
    ),
    "--output inside content": (
        lambda p: _build(p, "--output", str(p / "content" / "site")),
        lambda p: f"content/site: cannot be the output folder: it is inside the content folder, {REPLACED}",
    ),
    "--output the build cache": (
        lambda p: _build(p, "--output", str(p / ".cache")),
        lambda p: f".cache: cannot be the output folder: it is the build cache (.cache), {REPLACED}",
    ),
    "--output .git": (
        _git_repository,
        lambda p: f".git: cannot be the output folder: it is the git repository's .git folder, {REPLACED}",
    ),
    "output_dir = content in explainer.toml": (
        _config_output("content"),
        lambda p: f"content: cannot be the output folder: it is the content folder, {REPLACED}",
    ),
    "output_dir = .. in explainer.toml": (
        _config_output(".."),
        lambda p: f"{p.parent}: cannot be the output folder: it holds the project, {REPLACED}",
    ),
    "site/ is a link to content/": (
        _site_link_to_content,
        lambda p: f"content: cannot be the output folder: it is the content folder, {REPLACED}",
    ),
    "a folder the generator did not make": (
        _not_made_by_us,
        lambda p: (
            f"{p.parent / 'documents'}: this folder is not empty and was not made by explainer (it has no "
            f"{SITE_MARKER} file), and a build replaces its output folder whole; move its files elsewhere or delete it "
            "(a site built by an older version: delete it and build again), or choose another output folder"
        ),
    ),
    "an old site without the marker": (
        _old_site_without_marker,
        lambda p: (
            f"site: this folder is not empty and was not made by explainer (it has no {SITE_MARKER} file), "
            "and a build replaces its output folder whole; move its files elsewhere or delete it "
            "(a site built by an older version: delete it and build again), or choose another output folder"
        ),
    ),
    "a file as the output folder": (
        _a_file,
        lambda p: (
            f"{p.parent / 'outside.txt'}: the output folder exists and is not a folder; choose another output folder"
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(OUTPUT_CASES))
def test_an_output_folder_that_would_lose_data_is_refused_before_anything_is_written(
    name: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setup, expected = OUTPUT_CASES[name]
    arguments = setup(project)
    shutil.rmtree(project / ".cache")  # "before anything is written": not even the lock file
    before = _everything(project.parent)
    capsys.readouterr()

    assert main(arguments) == 1

    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"error: {expected(project)}"]
    assert "Traceback" not in captured.err
    assert _everything(project.parent) == before


def test_an_empty_folder_is_accepted_and_marked_as_the_generators(project: Path) -> None:
    empty = project.parent / "public"
    empty.mkdir()
    assert main(_build(project, "--output", str(empty))) == 0
    assert (empty / SITE_MARKER).is_file()
    assert tree(empty) == tree(project / "site")
    # From now on it is the generator's own: the next build replaces it.
    (project / "content" / "news.md").write_text(
        (project / "content" / "news.md").read_text(encoding="utf-8").replace("Deux diplomates", "Trois diplomates"),
        encoding="utf-8",
    )
    assert main(_build(project, "--output", str(empty))) == 0
    assert "Trois diplomates" in (empty / "fr" / "news" / "index.html").read_text(encoding="utf-8")


# -- leftovers next to the site -----------------------------------------------------------


def test_a_leftover_the_generator_made_is_removed(project: Path) -> None:
    leftover = project / ".site.new-killed"
    (leftover / "fr").mkdir(parents=True)
    (leftover / SITE_MARKER).write_text("made by explainer\n", encoding="utf-8")
    (leftover / "fr" / "index.html").write_text("half a site", encoding="utf-8")
    os.chmod(leftover / "fr", 0o555)  # read-only, as a killed build under `chmod -R a-w` would leave it
    assert main(_build(project)) == 0
    assert not leftover.exists()


def test_a_folder_named_like_a_leftover_but_not_made_by_the_generator_is_kept_and_reported(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = project / ".site.old"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine\n", encoding="utf-8")
    capsys.readouterr()
    assert main(_build(project)) == 0
    assert "warning: .site.old: not made by explainer, though named like a leftover of a build: move or delete it" in (
        capsys.readouterr().err.splitlines()
    )
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mine\n"


# -- symbolic links -----------------------------------------------------------------------

OUTSIDE = "is a symbolic link to a file outside the project; copy the file into the project instead"
LOOP = "is a loop of symbolic links; fix or remove the link"
DANGLING = "is a symbolic link to a file that does not exist; fix or remove the link"


def _link(relative: str, target: Callable[[Path], str | Path]) -> Callable[[Path], None]:
    def mutate(project: Path) -> None:
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        destination = target(project)
        if path.exists() or path.is_symlink():
            path.unlink()
        os.symlink(destination, path)

    return mutate


def _outside_file(project: Path) -> Path:
    return project.parent / "outside.txt"


def _outside_folder(project: Path) -> Path:
    folder = project.parent / "vendor"
    folder.mkdir(exist_ok=True)
    (folder / "x.css").write_text("body{}", encoding="utf-8")
    return folder


def _outside_copy(relative: str) -> Callable[[Path], Path]:
    def target(project: Path) -> Path:
        copy = project.parent / Path(relative).name
        shutil.copy(project / relative, copy)
        return copy

    return target


def _linked_memory_folder(project: Path) -> None:
    """i18n/en links to a folder inside the project, whose news.po links out of it."""
    shutil.move(project / "i18n" / "en", project / "memory-en")
    os.symlink("../memory-en", project / "i18n" / "en")
    _link("memory-en/content/news.po", _outside_copy("memory-en/content/news.po"))(project)


LINK_CASES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "page outside content": (
        _link("content/escape.md", _outside_file),
        ["content/escape.md: points outside content/ (a symbolic link?); pages must live inside content/"],
    ),
    "page in a loop": (_link("content/loop.md", lambda p: "loop.md"), [f"content/loop.md: {LOOP}"]),
    "page to nothing": (_link("content/gone.md", lambda p: "nowhere.md"), [f"content/gone.md: {DANGLING}"]),
    "data file outside": (
        _link("content/timeline.yaml", _outside_copy("content/timeline.yaml")),
        [f"content/timeline.yaml: {OUTSIDE}"],
    ),
    "data file in a loop": (
        _link("content/timeline.yaml", lambda p: "timeline.yaml"),
        [f"content/timeline.yaml: {LOOP}"],
    ),
    "static asset to /etc/passwd": (
        _link("templates/static/passwd.css", lambda p: "/etc/passwd"),
        [f"templates/static/passwd.css: {OUTSIDE}"],
    ),
    "static folder outside": (
        _link("templates/static/vendor", _outside_folder),
        [f"templates/static/vendor: {OUTSIDE}"],
    ),
    "static asset to nothing": (
        _link("templates/static/gone.css", lambda p: "nowhere.css"),
        [f"templates/static/gone.css: {DANGLING}"],
    ),
    "template outside": (
        _link("templates/page.html", _outside_copy("templates/page.html")),
        [f"templates/page.html: {OUTSIDE}"],
    ),
    "po file outside": (
        _link("i18n/en/content/news.po", _outside_copy("i18n/en/content/news.po")),
        [f"i18n/en/content/news.po: {OUTSIDE}"],
    ),
    "po file in a loop": (_link("i18n/en/content/news.po", lambda p: "news.po"), [f"i18n/en/content/news.po: {LOOP}"]),
    "ui catalog outside": (
        _link("i18n/es/LC_MESSAGES/messages.po", _outside_copy("i18n/es/LC_MESSAGES/messages.po")),
        [f"i18n/es/LC_MESSAGES/messages.po: {OUTSIDE}"],
    ),
    "po file outside, through a linked folder inside the project": (
        _linked_memory_folder,
        [f"i18n/en/content/news.po: {OUTSIDE}"],
    ),
    "glossary outside": (_link("i18n/glossary.yaml", _outside_file), [f"i18n/glossary.yaml: {OUTSIDE}"]),
}


@pytest.mark.parametrize("name", sorted(LINK_CASES))
def test_a_symbolic_link_out_of_the_project_or_in_a_loop_is_refused(
    name: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutate, expected = LINK_CASES[name]
    mutate(project)
    before = _everything(project.parent)
    capsys.readouterr()

    assert main(_build(project)) == 1

    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"error: {line}" for line in expected]
    assert "Traceback" not in captured.err
    after = _everything(project.parent)
    assert {path: content for path, content in after.items() if not path.startswith("project/.cache/")} == {
        path: content for path, content in before.items() if not path.startswith("project/.cache/")
    }


@pytest.mark.parametrize("command", ["check", "status"])
def test_check_and_status_refuse_links_out_of_the_project_too(
    command: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _link("i18n/en/content/news.po", _outside_copy("i18n/en/content/news.po"))(project)
    capsys.readouterr()
    assert main(["--project", str(project), command]) == 1
    assert capsys.readouterr().err.splitlines() == [f"error: i18n/en/content/news.po: {OUTSIDE}"]


def test_a_po_file_linked_inside_the_project_stays_a_link_and_its_target_is_updated(project: Path) -> None:
    shared = project / "shared" / "news-en.po"
    shared.parent.mkdir()
    memory = project / "i18n" / "en" / "content" / "news.po"
    shutil.move(memory, shared)
    os.symlink(os.path.relpath(shared, memory.parent), memory)
    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Deux diplomates", "Trois diplomates"), "utf-8")

    assert main(_build(project)) == 0

    assert memory.is_symlink() and memory.resolve() == shared
    assert "Trois diplomates" in shared.read_text(encoding="utf-8")


# -- the build cache ----------------------------------------------------------------------


class _Payload:
    """Unpickling this writes a file: what a crafted cache could make an unpickling build do."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"import pathlib; pathlib.Path({str(self.target)!r}).write_text('pwned')",))


def _cache_rows(project: Path, table: str, column: str, data: bytes) -> None:
    with sqlite3.connect(project / ".cache" / "explainer" / "cache.sqlite") as db:
        (rows,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        assert rows > 0
        db.execute(f"UPDATE {table} SET {column} = ?", (data,))
    db.close()


DISCARDED = ".cache/explainer/cache.sqlite: the build cache was damaged ({}) and was discarded; nothing in it was used"


@pytest.mark.parametrize(("table", "column"), [("state", "head"), ("state", "data"), ("scans", "data")])
def test_a_crafted_pickle_in_the_cache_is_discarded_never_run(
    table: str, column: str, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The payload is live: unpickling it writes the file.
    proof = tmp_path / "proof"
    pickle.loads(pickle.dumps(_Payload(proof)))
    assert proof.read_text(encoding="utf-8") == "pwned"

    target = tmp_path / "pwned"
    _cache_rows(project, table, column, pickle.dumps(_Payload(target)))
    # The state's records past its head are read when something changed; scans when a changed
    # file's neighbours are checked.
    if (table, column) != ("state", "head"):
        _edit_news(project, new_heading=table == "scans")
    reference = make_project(tmp_path / "reference")
    shutil.copy(project / "content" / "news.md", reference / "content" / "news.md")
    assert main(_build(reference, "--no-cache")) == 0
    capsys.readouterr()

    cache_module._kept.clear()  # read as the command reads it: a process that did not save the state itself
    assert main(_build(project)) == 0

    output = capsys.readouterr().out.splitlines()
    assert not target.exists()
    notes = [line for line in output if line.startswith(".cache/")]
    assert len(notes) == 1 and re.fullmatch(DISCARDED.format(".+"), notes[0]), output
    assert tree(project / "site") == tree(reference / "site")
    # Discarded: the next build has nothing to say about the cache.
    capsys.readouterr()
    assert main(_build(project)) == 0
    assert not [line for line in capsys.readouterr().out.splitlines() if line.startswith(".cache/")]


@pytest.mark.parametrize(
    "damage",
    [b"\x80\x04garbage", b"[[[[[[[[", b'["not", "a", "scan"]', b"[" * 100_000, b'{"__class__": "os.system"}'],
    ids=["bytes", "truncated json", "wrong shape", "deep nesting", "object"],
)
def test_a_damaged_scans_blob_is_discarded_and_the_build_goes_on(
    damage: bytes, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _cache_rows(project, "scans", "data", damage)
    _edit_news(project, new_heading=True)
    capsys.readouterr()
    assert main(_build(project)) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert any(re.fullmatch(DISCARDED.format(".+"), line) for line in captured.out.splitlines()), captured.out
    assert main(_build(project)) == 0  # and every later build works


def test_a_cache_file_that_is_not_a_database_is_replaced_with_a_note(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".cache" / "explainer" / "cache.sqlite").write_bytes(b"\x00" * 4096 + b"not sqlite")
    capsys.readouterr()
    assert main(_build(project)) == 0
    assert DISCARDED.format("file is not a database") in capsys.readouterr().out.splitlines()


def test_crafted_compiled_templates_in_the_cache_folder_are_never_run(project: Path, tmp_path: Path) -> None:
    """Compiled templates are code: a build keeps them in memory only, and reads none from .cache/."""
    import jinja2

    target = tmp_path / "pwned"
    payload = compile(f"import pathlib; pathlib.Path({str(target)!r}).write_text('pwned')", "page.html", "exec")
    folder = project / ".cache" / "explainer" / "templates"  # where compiled templates used to be kept
    folder.mkdir(parents=True, exist_ok=True)
    cache = jinja2.FileSystemBytecodeCache(str(folder))
    loader = jinja2.FileSystemLoader(str(project / "templates"))
    environment = jinja2.Environment(loader=loader, bytecode_cache=cache)
    for name in ("base.html", "page.html", "chooser.html"):
        source, filename, _ = loader.get_source(environment, name)
        bucket = cache.get_bucket(environment, name, filename, source)
        bucket.code = payload
        cache.set_bucket(bucket)
    # The payload is live: an environment reading that folder runs it.
    proof = jinja2.Environment(loader=loader, bytecode_cache=jinja2.FileSystemBytecodeCache(str(folder)))
    with pytest.raises(KeyError):  # not a real template: Jinja fails, after running it
        proof.get_template("page.html")
    assert target.read_text(encoding="utf-8") == "pwned"
    target.unlink()

    _edit_news(project)
    assert main(_build(project)) == 0
    assert not target.exists()


# -- command line values ------------------------------------------------------------------

ARGUMENT_CASES = {
    "--jobs -5": (["build", "--jobs", "-5"], "--jobs -5: the number of processes must be 1 or more"),
    "--jobs 0": (["build", "--jobs", "0"], "--jobs 0: the number of processes must be 1 or more"),
    "serve --port 99999": (
        ["serve", "--port", "99999"],
        "--port 99999: a port is a number from 0 to 65535 (0: any free port)",
    ),
    "serve --port -1": (["serve", "--port", "-1"], "--port -1: a port is a number from 0 to 65535 (0: any free port)"),
}


@pytest.mark.parametrize("name", sorted(ARGUMENT_CASES))
def test_an_impossible_argument_is_refused_and_changes_nothing(
    name: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments, expected = ARGUMENT_CASES[name]
    shutil.rmtree(project / ".cache")
    before = _everything(project.parent)
    capsys.readouterr()
    assert main(["--project", str(project), *arguments]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"error: {expected}"]
    assert _everything(project.parent) == before


# -- the preview server -------------------------------------------------------------------


@pytest.fixture()
def preview(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    project = make_project(tmp_path / "project")
    log = tmp_path / "serve.log"
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            [sys.executable, str(REPOSITORY / "build.py"), "--project", str(project), "serve", "--port", "0"],
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not (match := re.search(r"serving on (http://127\.0\.0\.1:\d+/)", log.read_text("utf-8"))):
                assert process.poll() is None and time.monotonic() < deadline, log.read_text("utf-8")
                time.sleep(0.1)
            yield match.group(1), log
        finally:
            process.terminate()
            process.wait(timeout=10)


def _status(url: str, method: str = "GET") -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize(
    "path",
    ["%00", "fr/%00/index.html", "a" * 5000, "fr/" + "b" * 300 + "/", "%0d%0aSet-Cookie:%20x=1", "x" * 2100 + "/"],
    ids=["nul", "nul inside", "5 KB name", "300-byte name", "CR LF", "2 KB path"],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_preview_answers_400_to_a_path_no_file_can_have(preview: tuple[str, Path], path: str, method: str) -> None:
    base, log = preview
    assert _status(base + path, method) == 400
    assert _status(base + "fr/", method) == 200  # and keeps serving
    assert "Traceback" not in log.read_text(encoding="utf-8")


# -- permissions: run as a user the permissions apply to ----------------------------------


@pytest.fixture()
def shared_sandbox() -> Iterator[Path]:
    """A folder another user can reach (pytest's own temporary folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="explainer-attacks-"))
    os.chmod(folder, 0o755)
    yield folder
    for directory, _, _ in os.walk(folder):
        os.chmod(directory, 0o755)
    shutil.rmtree(folder)


def _as_user(project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI as ``nobody`` when the tests run as root, else as the current user."""
    command = [sys.executable, str(REPOSITORY / "build.py"), "--project", str(project), *arguments]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(project.parent)], check=True)
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(project.parent)}
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)


def _read_only(folder: Path) -> None:
    for directory, _, files in os.walk(folder):
        for name in files:
            os.chmod(Path(directory, name), 0o444)
        os.chmod(directory, 0o555)


def _edit_news(project: Path, *, new_heading: bool = False) -> None:
    """A word of the news page changed; with ``new_heading``, a heading added too: its ids change,
    so every file's links are checked again, with the scans stored of those that did not change."""
    news = project / "content" / "news.md"
    text = news.read_text(encoding="utf-8").replace("Deux diplomates", "Trois diplomates")
    news.write_text(text + ("\n## Et ensuite\n\nRien.\n" if new_heading else ""), "utf-8")


def test_a_read_only_old_site_is_replaced_whole_and_nothing_is_left(shared_sandbox: Path) -> None:
    project = make_project(shared_sandbox / "project")
    first = _as_user(project, "build")
    assert first.returncode == 0, first.stderr
    _read_only(project / "site")
    _edit_news(project)

    second = _as_user(project, "build")

    assert second.returncode == 0, second.stderr
    assert "Trois diplomates" in (project / "site" / "fr" / "news" / "index.html").read_text(encoding="utf-8")
    assert (
        sorted(path.name for path in shared_sandbox.joinpath("project").iterdir() if path.name.startswith(".site"))
        == GENERATIONS
    )
    # Every later build works too.
    _read_only(project / "site")
    _edit_news(project)
    third = _as_user(project, "build")
    assert third.returncode == 0 and "warning: .site" not in third.stderr, third.stderr


def test_a_leftover_that_cannot_be_removed_is_reported_and_the_build_works(shared_sandbox: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to make a folder the build's user cannot remove")
    project = make_project(shared_sandbox / "project")
    assert _as_user(project, "build").returncode == 0
    leftover = project / ".site.new-killed"
    (leftover / "locked").mkdir(parents=True)
    (leftover / SITE_MARKER).write_text("made by explainer\n", encoding="utf-8")
    (leftover / "locked" / "index.html").write_text("x", encoding="utf-8")
    subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(project)], check=True)
    os.chown(leftover / "locked", 0, 0)  # owned by root: its entries cannot be removed by nobody
    os.chown(leftover / "locked" / "index.html", 0, 0)
    _edit_news(project)
    command = [sys.executable, str(REPOSITORY / "build.py"), "--project", str(project), "build"]
    result = subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (
        "warning: .site.new-killed: left by an earlier build, and cannot be removed (Permission denied for "
        ".site.new-killed/locked/index.html); delete it"
    ) in result.stderr.splitlines()
    assert "Trois diplomates" in (project / "site" / "fr" / "news" / "index.html").read_text(encoding="utf-8")


def test_a_read_only_translation_memory_is_reported_and_nothing_changes(shared_sandbox: Path) -> None:
    project = make_project(shared_sandbox / "project")
    assert _as_user(project, "build").returncode == 0
    _edit_news(project)
    _read_only(project / "i18n" / "en")
    before_site, before_memory = tree(project / "site"), tree(project / "i18n")

    result = _as_user(project, "build")

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: i18n/en/content/news.po: cannot write the translation memory (Permission denied); nothing was "
        "changed: make the folder writable, then build again"
    ]
    assert tree(project / "site") == before_site
    assert tree(project / "i18n") == before_memory
    assert sorted(path.name for path in project.iterdir() if path.name.startswith(".site.")) == GENERATIONS


# -- file modes ---------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_written_files_keep_the_users_umask(umask: int, tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    previous = os.umask(umask)
    try:
        assert main(_build(project)) == 0
        new_po = project / "i18n" / "es" / "content" / "news.po"  # not in the fixture: made by the build
        rewritten_po = project / "i18n" / "en" / "content" / "news.po"
        os.chmod(rewritten_po, 0o640)  # a mode the user chose is kept on rewrite
        _edit_news(project)
        assert main(_build(project)) == 0
    finally:
        os.umask(previous)
    assert "Trois diplomates" in rewritten_po.read_text(encoding="utf-8")
    assert stat.S_IMODE(new_po.stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(rewritten_po.stat().st_mode) == 0o640
    site = project / "site"
    assert stat.S_IMODE(site.stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((site / "fr" / "news" / "index.html").stat().st_mode) == 0o666 & ~umask
