"""Make a throw-away copy of a fixture project, with the repository's templates
and UI catalogs, so tests never write into the repository."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_project(destination: Path, fixture: str = "site") -> Path:
    """Copy ``tests/fixtures/<fixture>`` to ``destination``; return its path."""
    shutil.copytree(FIXTURES / fixture, destination)
    shutil.copytree(REPOSITORY / "templates", destination / "templates")
    shutil.copy2(REPOSITORY / "i18n" / "messages.pot", destination / "i18n" / "messages.pot")
    for catalog in sorted((REPOSITORY / "i18n").glob("*/LC_MESSAGES/messages.po")):
        target = destination / "i18n" / catalog.relative_to(REPOSITORY / "i18n")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(catalog, target)
    return destination


def with_search(project: Path) -> Path:
    """Ask for the search index in ``project``'s configuration; returns ``project``."""
    settings = project / "explainer.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("[site]\n", "[site]\nsearch = true\n", 1), "utf-8")
    return project


def failing_pagefind(folder: Path, message: str) -> Path:
    """A stand-in for Pagefind's binary in ``folder`` that prints ``message`` and fails."""
    failing = folder / "pagefind"
    failing.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit 1\n", encoding="utf-8")
    failing.chmod(0o755)
    return failing


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative POSIX path -> bytes)."""
    if not root.exists():
        return {}
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def publish_arabic_pages(project: Path, titles: dict[str, tuple[str, str]]) -> None:
    """Publish the fixture's Arabic pages named in ``titles`` (page -> French and Arabic title) with only
    their title translated, so that they show French fallback text beside Arabic (the publishing
    policy would otherwise leave out a page with almost nothing translated)."""
    from explainer.build import build
    from explainer.config import load_config
    from explainer.translate.memory import parse_catalog, render_catalog

    config = project / "explainer.toml"
    text = config.read_text(encoding="utf-8")
    assert "language_threshold = 10\n" in text, "fixture changed: the Arabic threshold"
    config.write_text(text.replace("language_threshold = 10\n", "language_threshold = 10\npublish_threshold = 0\n", 1))
    build(load_config(project), use_machine=False)  # writes the Arabic memory of every page
    for page, (french, arabic) in titles.items():
        memory = project / "i18n" / "ar" / "content" / f"{page}.po"
        catalog = parse_catalog(memory.read_bytes(), str(memory.relative_to(project)), "ar")
        catalog[french].string = arabic
        memory.write_bytes(render_catalog(catalog))


def publish_arabic_news(project: Path) -> None:
    """The Arabic news page published with only its title translated (see ``publish_arabic_pages``)."""
    publish_arabic_pages(project, {"news": ("Les faits", "الوقائع")})


def build_flagship(destination: Path) -> Path:
    """Build a copy of the repository's own explainer (without the search index) in ``destination``;
    return the built site."""
    from explainer.build import build
    from explainer.config import load_config

    destination.mkdir(parents=True)
    for name in ("content", "templates", "i18n"):
        shutil.copytree(REPOSITORY / name, destination / name)
    (destination / "explainer.toml").write_text(
        (REPOSITORY / "explainer.toml").read_text(encoding="utf-8").replace("search = true", "search = false"),
        encoding="utf-8",
    )
    build(load_config(destination), use_machine=False)
    return destination / "site"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port); yield its base URL, ending with '/'."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def run_preview(project: Path, log: Path, *arguments: str) -> Iterator[str]:
    """Run ``build.py serve`` on ``project`` (a free port) as an editor does; yield its base URL,
    ending with '/'. Everything it prints goes to ``log``."""
    command = [sys.executable, str(REPOSITORY / "build.py"), "--project", str(project), "serve", "--port", "0"]
    process = subprocess.Popen(
        [*command, *arguments], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8"
    )
    assert process.stdout is not None
    output = process.stdout

    def copy(lines: Iterator[str]) -> None:
        with log.open("a", encoding="utf-8") as copied:
            for line in lines:
                copied.write(line)
                copied.flush()

    copier = threading.Thread(target=copy, args=(output,), daemon=True)
    try:
        started = []
        for line in output:  # the first build's lines, until the server listens (or the process ends)
            started.append(line)
            if line.startswith("serving on "):
                break
        copy(iter(started))
        address = started[-1].split()[2] if started and started[-1].startswith("serving on ") else None
        assert address is not None, f"serve did not start: {''.join(started)}"
        copier.start()
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)
        if copier.is_alive():
            copier.join(10)  # the rest of the output, up to the end of the stopped process's
        output.close()
