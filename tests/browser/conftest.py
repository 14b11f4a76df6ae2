"""Fixtures for the tests in a real browser: Debian's Chromium driven by Playwright.

The explainer's own content is built into a temporary folder and served on
127.0.0.1. Nothing is downloaded: Playwright uses the Chromium at $EXPLAINER_CHROMIUM
(default /usr/bin/chromium, Debian's; the GitHub workflows point it at a pinned build).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explainer.build import build
from explainer.config import load_config
from tests.project import REPOSITORY, serve_folder

CHROMIUM = Path(os.environ.get("EXPLAINER_CHROMIUM", "/usr/bin/chromium"))
# Screenshots of every page type, outside the repository: $EXPLAINER_ARTIFACTS, or the system's temporary folder.
ARTIFACTS = (
    Path(os.environ.get("EXPLAINER_ARTIFACTS") or Path(tempfile.gettempdir()) / "explainer-test-artifacts")
    / "screenshots"
)
LANGUAGES = ("fr", "en", "ar", "es")
VIEWPORTS = {"mobile": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def _require_browser() -> None:
    missing = None
    if not CHROMIUM.exists():
        missing = (
            f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set EXPLAINER_CHROMIUM; "
            ".ci/run installs it)"
        )
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright package is not installed (pip install -e '.[test]')"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {missing}", pytrace=False)
        pytest.skip(missing)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The explainer's real content, built (memory only) into a temporary project.

    One change makes a page unpublished in one language: the Spanish "people" page
    loses its translations and Spanish requires half of a page to be translated.
    """
    project = tmp_path_factory.mktemp("explainer") / "project"
    project.mkdir()
    for name in ("content", "templates", "i18n"):
        shutil.copytree(REPOSITORY / name, project / name)
    config = (REPOSITORY / "explainer.toml").read_text(encoding="utf-8")
    config = config.replace("[languages.es]\n", "[languages.es]\npublish_threshold = 50\n")
    # Served at the root of 127.0.0.1: the 404 pages' absolute links need a base path of "/".
    config = re.sub(r'base_url = "[^"]*"', 'base_url = "https://example.org/"', config)
    (project / "explainer.toml").write_text(config, encoding="utf-8")
    (project / "i18n" / "es" / "content" / "people.po").unlink()
    _mark_passages(project / "i18n" / "en" / "content" / "news.po")
    build(load_config(project), use_machine=False)
    return project / "site"


# The English news page gets one passage in each state, so that its margin marks, legend and
# reviewer can be seen: (French it starts with, how the entry is changed).
MARKED = {
    "Le vendredi 19 septembre 2025": "machine",
    "Selon une source diplomatique": "stale",
    "Le 16 août, le Quai d'Orsay": "missing",
    "Paris suspend sa coopération": "reviewed",
}
REVIEWER = "Awa Traoré"


def _mark_passages(po: Path) -> None:
    from explainer.translate.memory import read_catalog, render_catalog

    catalog = read_catalog(po, po.parent, "en")
    assert catalog is not None
    for message in catalog:
        state = next((s for start, s in MARKED.items() if str(message.id).startswith(start)), None)
        if state == "machine":
            message.flags.add("fuzzy")
            message.auto_comments.append("machine: argos fr->en 1.9")
        elif state == "stale":
            message.flags.add("fuzzy")
            message.previous_id = [str(message.id).replace("Selon une source", "Selon une autre source")]
        elif state == "missing":
            message.string = ""
        elif state == "reviewed":
            message.user_comments.append(f"reviewed-by: {REVIEWER} <awa@example.org>, 2026-12-01")
    po.write_bytes(render_catalog(catalog))


@pytest.fixture(scope="session")
def base_url(built_site: Path) -> Iterator[str]:
    with serve_folder(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-sandbox",
            ],
        )
        yield launched
        launched.close()


class PageWatcher:
    """Collects console errors, page errors and requests that leave the site's origin."""

    def __init__(self, page: Any, origin: str) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "request",
            lambda request: None if request.url.startswith((origin, "data:")) else self.foreign.append(request.url),
        )


@pytest.fixture()
def new_page(browser: Any, base_url: str) -> Iterator[Any]:
    contexts = []

    def make(viewport: str = "desktop", javascript: bool = True, touch: bool = False) -> tuple[Any, PageWatcher]:
        size = VIEWPORTS[viewport] if viewport in VIEWPORTS else {"width": int(viewport), "height": 844}
        context = browser.new_context(viewport=size, java_script_enabled=javascript, has_touch=touch)
        contexts.append(context)
        page = context.new_page()
        return page, PageWatcher(page, base_url.rstrip("/"))

    yield make
    for context in contexts:
        context.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if ARTIFACTS.exists():
        count = sum(1 for _ in ARTIFACTS.rglob("*.png"))
        terminalreporter.write_line(f"browser screenshots: {count} in {ARTIFACTS}/")
