"""Live preview: build, serve on 127.0.0.1, rebuild on change, reload the browser tab.

The preview is built into ``.cache/preview`` (never into ``site/``) from the
translation memory alone (no machine translation, so a save costs
milliseconds, not minutes), and never writes ``i18n/``: new or changed French
shows as such until a real build updates the memory, so an edit made and
undone in the preview leaves no trace. ``explainer.toml`` and the files under
``content/``, ``templates/`` and ``i18n/`` are watched (watchfiles); after a change the site is rebuilt
and every open tab reloads itself through a small script the server adds to
HTML responses: its request for the build version is answered as soon as the
new site is in place (the search index is made again, and the build's cache saved, while the tab
reloads), so the reload follows the build at once. A failed build is shown in the terminal and, with its
``path:line`` messages, in the page; the next good save replaces it.
"""

from __future__ import annotations

import contextlib
import gc
import html
import http.server
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .build import build
from .config import Config
from .errors import ExplainerError
from .layout import SEARCH_INDEX
from .model import BuildReport

RELOAD_PATH = "/__explainer/reload.js"
VERSION_PATH = "/__explainer/version"
# How long a version request waits for a rebuild before it is answered with the same version.
LONG_POLL_SECONDS = 25.0
# How long a build waits, once its tabs are told, for them to load their page again before it
# makes its search index and saves its cache (which would slow the page down).
RELOAD_GRACE_SECONDS = 1.0
_RELOAD_SCRIPT = b"""// Preview only: reload as soon as the site is rebuilt.
// The request for the version is answered when a build ends (or after a while, unchanged); only a
// visible tab keeps one open, so that hidden tabs do not use up the browser's connections. The
// first is made once the page has loaded: the server waits for it before its own work after a build.
(function () {
  var seen = document.currentScript.getAttribute("data-version");
  var waiting = null;
  function wait() {
    if (document.hidden || waiting !== null) { return; }
    var controller = new AbortController();
    waiting = controller;
    var query = seen === null ? "" : "?since=" + encodeURIComponent(seen);
    fetch("/__explainer/version" + query, {cache: "no-store", signal: controller.signal}).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.text();
    }).then(function (version) {
      if (waiting === controller) { waiting = null; }
      if (seen !== null && version !== seen) { window.location.reload(); return; }
      seen = version;
      wait();
    }, function () {
      if (waiting === controller) { waiting = null; }
      if (!controller.signal.aborted) { setTimeout(wait, 1000); }  // the server stopped: try again
    });
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { wait(); } else if (waiting !== null) { waiting.abort(); waiting = null; }
  });
  if (document.readyState === "complete") { wait(); } else { window.addEventListener("load", function () { wait(); }); }
})();
"""


def watched_paths(config: Config) -> list[Path]:
    """What a build reads: the content, templates and memory folders, and the configuration."""
    paths = [folder for folder in (config.content_dir, config.templates_dir, config.i18n_dir) if folder.is_dir()]
    config_file = config.root / "explainer.toml"
    return [*paths, config_file] if config_file.exists() else paths


def _is_edit(change: object, path: str) -> bool:
    """Whether a changed file is one an editor saved (not an editor's swap or backup file)."""
    name = Path(path).name
    return not name.startswith(".") and not name.endswith("~")


def watch(preview: Preview, paths: list[Path], stop: threading.Event | None = None) -> None:
    """Rebuild ``preview`` after every change under ``paths`` until ``stop`` is set.

    The watcher runs in its own thread (watchfiles, on the system's file events): a save made
    while a build runs is queued, not lost, and starts the next build.
    """
    import watchfiles

    for changes in watchfiles.watch(
        *paths, watch_filter=_is_edit, debounce=300, step=50, stop_event=stop, raise_interrupt=True
    ):
        print(f"{', '.join(sorted({_shown(path, paths) for _, path in changes}))} changed", flush=True)
        preview.rebuild()


def _shown(path: str, watched: list[Path]) -> str:
    """A changed file as the editor knows it: relative to the project (the watched folders' parent)."""
    changed = Path(path)
    for folder in watched:
        if changed.is_relative_to(folder.parent):
            return changed.relative_to(folder.parent).as_posix()
    return path


class Preview:
    """The state shared by the watcher and the HTTP handler."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.version = 0
        self.error: str | None = None
        self.lock = threading.Lock()
        self.rebuilt = threading.Condition(self.lock)  # notified when a build's site is in place, or it failed
        self.building = threading.Lock()  # one build at a time: the first, then the watcher's
        self.waiting = 0  # tabs waiting for the next version
        self.polls = 0  # requests for the next version (a tab makes its first once its page has loaded)
        self.polled = threading.Condition(self.lock)  # notified at each

    def wait_for_version(self, seen: str | None, timeout: float) -> int:
        """The build version once it is no longer ``seen`` (a tab's version), or after ``timeout``
        seconds; at once when ``seen`` is None."""
        with self.rebuilt:
            if seen is not None:
                self.polls += 1
                self.polled.notify_all()
                self.waiting += 1
                try:
                    self.rebuilt.wait_for(lambda: str(self.version) != seen, timeout)
                finally:
                    self.waiting -= 1
            return self.version

    def rebuild(self) -> None:
        with self.building:
            self._build()

    def _build(self) -> None:
        started = time.monotonic()
        told = False

        def site_ready(report: BuildReport) -> None:
            # The tabs reload now; the build makes its search index and saves its cache once they
            # have loaded their pages (each asks for the next version then).
            nonlocal told
            elapsed, told = time.monotonic() - started, True
            with self.rebuilt:
                reloading, polls = self.waiting, self.polls
            self._told(None)
            print(f"rebuilt {report.pages} pages in {len(report.languages)} languages in {elapsed:.2f} s", flush=True)
            with self.polled:
                self.polled.wait_for(lambda: self.polls >= polls + reloading, RELOAD_GRACE_SECONDS)

        # The cyclic garbage collector waits for the build to end: its passes over the objects
        # this process keeps (the last state, the templates) took a fifth of a rebuild.
        collecting = gc.isenabled()
        gc.disable()
        try:
            # The preview never writes i18n/: only `build` updates the memory.
            build(self.config, use_machine=False, write_memory=False, site_ready=site_ready)
        except ExplainerError as error:
            if not told:
                self._told(str(error))
            # Told: the new site is in place, and only its search index failed (the next build makes it).
            failed = "build failed" if not told else "the site is in place, but not its search index"
            print(f"{failed}:\n{error}", file=sys.stderr, flush=True)
        finally:
            if collecting:
                gc.enable()
                gc.collect()

    def _told(self, error: str | None) -> None:
        """A build put its site in place, or failed (``error``: why): every waiting tab is told the new version."""
        with self.rebuilt:
            self.error = error
            self.version += 1
            self.rebuilt.notify_all()


def _handler(preview: Preview) -> type[http.server.SimpleHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(preview.config.output_dir), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            pass  # the terminal shows builds, not every request

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _bad_request(self) -> bool:
            """Answer 400 to a path no file can have (NUL, control characters, too long)."""
            if bad_path(self.path):
                self._send(400, b"400: bad request path\n", "text/plain; charset=utf-8")
                return True
            return False

        def do_HEAD(self) -> None:
            if not self._bad_request():
                super().do_HEAD()

        def do_GET(self) -> None:
            if self._bad_request():
                return
            path = unquote(urlsplit(self.path).path)
            if path == RELOAD_PATH:
                return self._send(200, _RELOAD_SCRIPT, "text/javascript; charset=utf-8")
            if path == VERSION_PATH:
                seen = parse_qs(urlsplit(self.path).query).get("since", [None])[0]
                version = preview.wait_for_version(seen, LONG_POLL_SECONDS)
                return self._send(200, str(version).encode(), "text/plain; charset=utf-8")
            # The version first, then the file: a page is never older than the version it names.
            with preview.lock:
                error, version = preview.error, preview.version
            if error is not None and (path.endswith("/") or path.endswith(".html")):
                return self._send(500, _error_page(error, version), "text/html; charset=utf-8")
            file = Path(self.translate_path(path))
            if file.is_dir():
                file = file / "index.html"
            if file.suffix == ".html" and file.is_file():
                body = file.read_bytes().replace(b"</body>", f"{reload_tag(version)}\n</body>".encode(), 1)
                # The reload script asks this server for the build version: allow that, in preview only.
                body = body.replace(b"default-src 'none';", b"default-src 'none'; connect-src 'self';", 1)
                return self._send(200, body, "text/html; charset=utf-8")
            earlier = None if file.exists() else _earlier_index_file(preview.config.output_dir, file)
            if earlier is not None:
                return self._send(200, earlier.read_bytes(), self.guess_type(str(earlier)))
            return super().do_GET()

    return Handler


def _earlier_index_file(output_dir: Path, file: Path) -> Path | None:
    """The file of the search index the last one replaced, for a file of the index the site lacks:
    a search page that loaded the index before it was replaced asks for that index's files (each
    named by its content) a moment after (``write.search.refresh_index``)."""
    from .write.search import previous_index

    try:
        within = file.relative_to(output_dir / SEARCH_INDEX)
    except ValueError:
        return None
    earlier = previous_index(output_dir) / within
    return earlier if within.parts and ".." not in within.parts and earlier.is_file() else None


MAX_PATH_BYTES = 2048
_NAME_MAX = 255


def bad_path(request_path: str) -> bool:
    """Whether a request path cannot name a file of the site: a NUL or control character,
    a name longer than a file system allows, or a path over ``MAX_PATH_BYTES``."""
    path = unquote(urlsplit(request_path).path)
    encoded = path.encode("utf-8", "surrogateescape")
    return (
        len(encoded) > MAX_PATH_BYTES
        or any(ord(character) < 0x20 or ord(character) == 0x7F for character in path)
        or any(len(part.encode("utf-8", "surrogateescape")) > _NAME_MAX for part in path.split("/"))
    )


def reload_tag(version: int) -> str:
    """The script element added to a previewed page built at ``version``: it reloads the page after the next build."""
    return f'<script src="{RELOAD_PATH}" data-version="{version}"></script>'


def _error_page(error: str, version: int) -> bytes:
    lines = "\n".join(f"<li><code>{html.escape(line)}</code></li>" for line in error.splitlines())
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Build failed</title></head>'
        '<body style="font-family: system-ui, sans-serif; margin: 2rem">'
        "<h1>The build failed</h1><p>Fix these problems and save: this page reloads by itself.</p>"
        f"<ul>{lines}</ul>"
        f"{reload_tag(version)}</body></html>"
    ).encode()


def preview_config(config: Config, language: str | None) -> Config:
    """The configuration for previewing: its own output folder, and one language if asked.

    Every language is previewed, also one not yet open to readers (under its language threshold)."""
    languages = tuple(replace(lang, preview=True) for lang in config.languages)
    if language is not None:
        if language not in config.language_codes:
            raise ExplainerError(f"unknown language '{language}'; configured: {', '.join(config.language_codes)}")
        languages = tuple(lang for lang in languages if lang.code in (config.source_language, language))
    return replace(config, languages=languages, output_dir=config.root / ".cache" / "preview")


class _Watcher(threading.Thread):
    """``watch`` in its own thread, started before the first build so that a save made during
    that build is not missed; what ends it is handed to the main thread in ``error``."""

    def __init__(self, preview: Preview, paths: list[Path]) -> None:
        super().__init__(name="explainer-watch", daemon=True)
        self.preview, self.paths = preview, paths
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            watch(self.preview, self.paths, self.stop)
        except BaseException as error:  # raised again by `serve`, in the main thread
            self.error = error


def serve(config: Config, port: int, language: str | None = None) -> None:
    """Build, then serve and rebuild on every change until interrupted (Ctrl-C, or SIGTERM, as a
    process manager stops it: either lets the build under way end, its search index with it).

    Raises ``ExplainerError`` for a port out of range or one that cannot be listened on.
    """
    if not 0 <= port <= 65535:
        raise ExplainerError(f"--port {port}: a port is a number from 0 to 65535 (0: any free port)")
    from .render.rows import kept_in_process
    from .write.listing import held_in_process

    preview = Preview(preview_config(config, language))
    watcher = _Watcher(preview, watched_paths(preview.config))
    # Each build's dashboard rows, and the listings of the generations it left (``.cache/preview``
    # is the preview's own: nothing else writes it between its builds), stay in memory for the next.
    with kept_in_process(), held_in_process(), _terminated_as_interrupted():
        _serve(preview, watcher, port)


@contextlib.contextmanager
def _terminated_as_interrupted() -> Iterator[None]:
    """Within the block, SIGTERM stops the preview as Ctrl-C does (in the main thread only, where
    Python takes signals): killed outright, it would leave the search indexer it runs writing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signal_number: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _serve(preview: Preview, watcher: _Watcher, port: int) -> None:
    watcher.start()
    try:
        preview.rebuild()
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _handler(preview))
        except (OSError, OverflowError) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            raise ExplainerError(f"cannot listen on 127.0.0.1:{port} ({reason}); try another --port") from None
        print(f"serving on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            watcher.join()  # until the watcher fails, or Ctrl-C interrupts the wait
        finally:
            server.shutdown()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        watcher.stop.set()
        watcher.join()
    if watcher.error is not None:
        raise watcher.error
