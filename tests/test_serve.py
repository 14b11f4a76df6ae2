"""The live preview, run as editors run it: a real server process on 127.0.0.1."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from explainer.serve import watch
from tests.project import REPOSITORY, failing_pagefind, make_project, run_preview, with_search


def _get(url: str, timeout: float = 5) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def _wait_for(condition, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the preview")


@pytest.fixture()
def preview(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    project = make_project(tmp_path / "project")
    # A repository, as editors have, so that tests can ask git what the preview changed.
    (project / ".gitignore").write_text(".cache/\nsite/\n", encoding="utf-8")
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "fixture"]):
        subprocess.run(
            ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *command], cwd=project, check=True
        )
    with run_preview(project, tmp_path / "serve.log", "--language", "en") as base:
        yield base, project


RELOAD_TAG = re.compile(r'<script src="/__explainer/reload\.js" data-version="(\d+)"></script>')


def test_edit_rebuilds_reloads_and_errors_show_in_the_page(preview: tuple[str, Path]) -> None:
    base, project = preview
    status, page = _get(base + "fr/news/")
    assert status == 200
    version = _get(base + "__explainer/version")[1]
    # The page names the build it comes from: its script waits for the next one.
    tag = RELOAD_TAG.search(page)
    assert tag is not None and tag.group(1) == version, page
    assert "connect-src 'self'" in page
    assert _get(base + "es/news/")[0] == 404  # --language en: only fr and en are built

    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Un point", "Un point modifié"), encoding="utf-8")
    _wait_for(lambda: _get(base + "__explainer/version")[1] != version)
    assert "Un point modifié" in _get(base + "fr/news/")[1]
    # The terminal names the file that changed, as the editor knows it.
    _wait_for(lambda: "\ncontent/news.md changed\n" in (project.parent / "serve.log").read_text("utf-8"))
    # The preview never touches site/.
    assert not (project / "site").exists()

    version = _get(base + "__explainer/version")[1]
    news.write_text(news.read_text(encoding="utf-8").replace("kind: news", "kind: blog"), encoding="utf-8")
    _wait_for(lambda: _get(base + "__explainer/version")[1] != version)
    status, page = _get(base + "fr/news/")
    assert status == 500
    assert "content/news.md:3: unknown kind &#x27;blog&#x27;" in page
    tag = RELOAD_TAG.search(page)
    assert tag is not None and tag.group(1) == _get(base + "__explainer/version")[1], page

    version = _get(base + "__explainer/version")[1]
    news.write_text(news.read_text(encoding="utf-8").replace("kind: blog", "kind: news"), encoding="utf-8")
    _wait_for(lambda: _get(base + "__explainer/version")[1] != version)
    status, page = _get(base + "fr/news/")
    assert status == 200 and "Un point modifié" in page


def test_a_version_request_is_answered_when_the_next_build_ends(preview: tuple[str, Path]) -> None:
    base, project = preview
    version = _get(base + "__explainer/version")[1]
    # A tab that names another version than the current one (an older build) is answered at once.
    assert _get(base + "__explainer/version?since=0") == (200, version)
    # A tab that names the current version waits for the next build and is answered with it (or,
    # after a while with none, with the same version, and asks again, as the reload script does).
    answers: list[tuple[int, str]] = []

    def wait_for_next_build() -> None:
        answer = (200, version)
        while answer == (200, version):
            answer = _get(base + f"__explainer/version?since={version}", timeout=120)
        answers.append(answer)

    waiting = threading.Thread(target=wait_for_next_build)
    waiting.start()
    # Saved as soon as the server listens: the watcher is already watching (it starts before the
    # first build), so the save is not missed.
    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Un point", "Un point attendu"), encoding="utf-8")
    waiting.join(300)
    assert len(answers) == 1 and answers[0][0] == 200 and int(answers[0][1]) > int(version), answers
    assert "Un point attendu" in _get(base + "fr/news/")[1]


def _git_status(project: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, check=True, capture_output=True, text=True
    ).stdout


def test_an_edit_made_and_undone_in_the_preview_leaves_no_trace(preview: tuple[str, Path]) -> None:
    base, project = preview
    assert _git_status(project) == ""
    news = project / "content" / "news.md"
    original = news.read_text(encoding="utf-8")
    version = _get(base + "__explainer/version")[1]
    news.write_text(original.replace("- Un point\n", "- Un point nouveau\n"), encoding="utf-8")
    _wait_for(lambda: _get(base + "__explainer/version")[1] != version)
    # The changed French shows as such in English (its old translation, marked outdated), from memory.
    page = _get(base + "en/news/")[1]
    assert re.search(r'data-state="stale"[^>]*>\s*A point', page), page
    assert _git_status(project) == " M content/news.md\n"

    version = _get(base + "__explainer/version")[1]
    news.write_text(original, encoding="utf-8")
    _wait_for(lambda: _get(base + "__explainer/version")[1] != version)
    assert _git_status(project) == ""


class _RecordingPreview:
    """Stands in for the preview's builds (what is tested is the watcher): the first build is
    slow enough for an editor to save during it, which this one does."""

    def __init__(self, page: Path) -> None:
        self.page = page
        self.builds: list[str] = []
        self.second = threading.Event()

    def rebuild(self) -> None:
        self.builds.append(self.page.read_text(encoding="utf-8"))
        if len(self.builds) == 1:
            self.page.write_text("second save, made during the first build\n", encoding="utf-8")
        else:
            self.second.set()


def test_a_save_made_during_a_build_starts_another_build(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    page = content / "page.md"
    page.write_text("first\n", encoding="utf-8")
    preview = _RecordingPreview(page)
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(preview, [content], stop), daemon=True)
    watcher.start()
    try:
        # Wait until the watcher is ready: a save it sees starts the first build.
        deadline = time.monotonic() + 20
        while not preview.builds and time.monotonic() < deadline:
            page.write_text("first save\n", encoding="utf-8")
            time.sleep(0.2)
        assert preview.second.wait(20), preview.builds
        assert preview.builds[-1] == "second save, made during the first build\n"
    finally:
        stop.set()
        watcher.join(10)


def test_a_port_in_use_is_an_error_an_editor_can_act_on_and_serve_ends(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [
            sys.executable,
            str(REPOSITORY / "build.py"),
            "--project",
            str(project),
            "serve",
            "--port",
            str(port),
        ]
        # The watcher, started before the first build, is stopped too: the process ends.
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port} (Address already in use); try another --port" in result.stderr
    assert "Traceback" not in result.stderr


def test_tabs_are_told_once_the_site_is_in_place_before_the_build_cache_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from explainer.cache import BuildCache
    from explainer.config import load_config
    from explainer.serve import Preview, preview_config

    project = make_project(tmp_path / "project")
    preview = Preview(preview_config(load_config(project), "en"))
    seen_by_save: list[tuple[int, bool]] = []
    save = BuildCache.save

    def saving(self: BuildCache, state, scans):  # type: ignore[no-untyped-def]
        page = preview.config.output_dir / "fr" / "news" / "index.html"
        seen_by_save.append((preview.version, "Un point modifié" in page.read_text(encoding="utf-8")))
        return save(self, state, scans)

    monkeypatch.setattr(BuildCache, "save", saving)
    preview.rebuild()
    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Un point", "Un point modifié"), encoding="utf-8")
    preview.rebuild()
    # Each save came after its build's version was out, with the new site already in place.
    assert seen_by_save == [(1, False), (2, True)]
    assert preview.error is None
    assert re.findall(r"rebuilt \d+ pages in 2 languages in \d+\.\d\d s", capsys.readouterr().out)
    # A failed build saves nothing and tells the tabs once, with its error.
    news.write_text(news.read_text(encoding="utf-8").replace("kind: news", "kind: blog"), encoding="utf-8")
    preview.rebuild()
    assert preview.version == 3 and len(seen_by_save) == 2
    assert preview.error is not None and "unknown kind 'blog'" in preview.error


def test_a_build_saves_its_cache_once_the_waiting_tabs_have_loaded_their_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from explainer import serve as serve_module
    from explainer.cache import BuildCache
    from explainer.config import load_config
    from explainer.serve import Preview, preview_config

    project = make_project(tmp_path / "project")
    preview = Preview(preview_config(load_config(project), "en"))
    preview.rebuild()
    events: list[str] = []
    save = BuildCache.save

    def saving(self: BuildCache, state, scans):  # type: ignore[no-untyped-def]
        events.append("saved")
        return save(self, state, scans)

    monkeypatch.setattr(BuildCache, "save", saving)
    news = project / "content" / "news.md"

    def edit() -> None:  # each build below has a page to render again
        news.write_text(news.read_text(encoding="utf-8").replace("Un point", "Un point de plus"), encoding="utf-8")

    def tab() -> None:  # as the reload script does: wait for the next version, load the page, ask again
        preview.wait_for_version(str(preview.version), 30)
        time.sleep(0.2)  # a slow tab: the save waits for it
        events.append("page loaded")
        preview.wait_for_version(str(preview.version), 0.01)

    waiting = threading.Thread(target=tab)
    waiting.start()
    _wait_for(lambda: preview.waiting == 1)
    edit()
    preview.rebuild()
    waiting.join()
    assert events == ["page loaded", "saved"]
    # With no tab waiting, nothing is waited for; a tab that never comes back is waited for a while only.
    events.clear()
    monkeypatch.setattr(serve_module, "RELOAD_GRACE_SECONDS", 0.3)
    started = time.monotonic()
    edit()
    preview.rebuild()
    assert events == ["saved"] and time.monotonic() - started < 5
    lost = threading.Thread(target=lambda: preview.wait_for_version(str(preview.version), 30))
    lost.start()
    _wait_for(lambda: preview.waiting == 1)
    started = time.monotonic()
    edit()
    preview.rebuild()
    lost.join()
    assert events == ["saved", "saved"] and time.monotonic() - started >= 0.3


def test_a_search_index_that_fails_once_the_site_is_in_place_is_said_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from explainer.config import load_config
    from explainer.serve import Preview, preview_config

    project = with_search(make_project(tmp_path / "project"))
    preview = Preview(preview_config(load_config(project), "en"))
    preview.rebuild()
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(failing_pagefind(tmp_path, "Error: out of memory")))
    news = project / "content" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Un point", "Un point modifié"), encoding="utf-8")
    capsys.readouterr()
    preview.rebuild()
    # The tabs were told of the new site, not of an error: it is in place and shown.
    assert preview.version == 2 and preview.error is None
    page = preview.config.output_dir / "fr" / "news" / "index.html"
    assert "Un point modifié" in page.read_text(encoding="utf-8")
    said = capsys.readouterr().err
    assert "the site is in place, but not its search index:\npagefind failed: Error: out of memory" in said
    assert "build failed" not in said


def test_a_file_of_the_search_index_just_replaced_is_still_served(tmp_path: Path) -> None:
    # A search page that loaded the index just before the preview replaced it asks for that
    # index's files (named by their content) a moment later: they are answered from the index
    # kept aside, and only they.
    from explainer.serve import _earlier_index_file
    from explainer.write.search import previous_index

    output = tmp_path / ".cache" / "preview"
    (output / "pagefind" / "index").mkdir(parents=True)
    (output / "pagefind" / "index" / "en_new.pf_index").write_bytes(b"new")
    earlier = previous_index(output)
    (earlier / "index").mkdir(parents=True)
    (earlier / "index" / "en_old.pf_index").write_bytes(b"old")
    (earlier / "secret.txt").write_bytes(b"not the site's")
    assert (
        _earlier_index_file(output, output / "pagefind" / "index" / "en_old.pf_index")
        == earlier / "index" / "en_old.pf_index"
    )
    assert _earlier_index_file(output, output / "pagefind" / "index" / "en_gone.pf_index") is None
    assert _earlier_index_file(output, output / "index" / "en_old.pf_index") is None  # not the index's
    assert _earlier_index_file(output, output / "pagefind") is None
    assert _earlier_index_file(output, output / "pagefind" / ".." / "secret.txt") is None


def test_a_search_page_that_loaded_the_index_before_a_save_finds_its_files_after(tmp_path: Path) -> None:
    # The preview replaces its search index after each save; the files of the index it replaced,
    # each named by its content, are still answered (a page that read the old entry asks for them).
    project = with_search(make_project(tmp_path / "project"))
    news = project / "content" / "news.md"
    with run_preview(project, tmp_path / "serve.log", "--language", "en") as base:
        status, entry = _get(f"{base}pagefind/pagefind-entry.json")
        assert status == 200
        old = json.loads(entry)["languages"]["fr"]["hash"]
        news.write_text(news.read_text(encoding="utf-8").replace("Un point", "Un point Tombouctou"), encoding="utf-8")
        new = _wait_for(
            lambda: (
                (found := json.loads(_get(f"{base}pagefind/pagefind-entry.json")[1])["languages"]["fr"]["hash"]) != old
                and found
            )
        )
        assert _status(f"{base}pagefind/pagefind.{new}.pf_meta") == 200
        assert _status(f"{base}pagefind/pagefind.{old}.pf_meta") == 200  # the index before, kept aside
        assert _status(f"{base}pagefind/pagefind.fr_0000000000.pf_meta") == 404


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_sigterm_stops_the_preview_as_ctrl_c_does(tmp_path: Path) -> None:
    """As a process manager stops it: the build under way ends (its search indexer is not left
    writing), then the preview says it stopped and exits without an error."""
    project = make_project(tmp_path / "project")
    command = [sys.executable, str(REPOSITORY / "build.py"), "--project", str(project), "serve", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(120, process.kill)  # a preview that never starts or stops fails the test
    watchdog.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("serving on"):
                break
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, errors
    assert "stopped" in errors and "Traceback" not in errors
