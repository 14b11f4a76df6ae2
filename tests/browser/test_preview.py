"""The live preview in a real browser: a save reloads the open page, a failed build shows in it, a
fixed one replaces it. `serve` runs as editors run it, in its own process."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.project import make_project, run_preview, with_search

_SHOWS = "text => document.body !== null && document.body.innerText.includes(text)"


def test_a_save_reloads_the_open_page_and_a_failed_build_shows_in_it(browser: Any, tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    news = project / "content" / "news.md"
    with run_preview(project, tmp_path / "serve.log", "--language", "en") as base:
        context = browser.new_context()
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        loads: list[str] = []
        page.on("load", lambda loaded: loads.append(loaded.url))
        page.goto(base + "fr/news/")
        assert "Un point modifié" not in page.inner_text("body")

        news.write_text(news.read_text(encoding="utf-8").replace("Un point", "Un point modifié"), encoding="utf-8")
        page.wait_for_function(_SHOWS, arg="Un point modifié", timeout=60_000)
        assert len(loads) >= 2 and loads[-1] == base + "fr/news/"  # reloaded in place, not navigated away

        news.write_text(news.read_text(encoding="utf-8").replace("kind: news", "kind: blog"), encoding="utf-8")
        page.wait_for_function(_SHOWS, arg="The build failed", timeout=60_000)
        assert "content/news.md:3: unknown kind 'blog'" in page.inner_text("body")

        news.write_text(news.read_text(encoding="utf-8").replace("kind: blog", "kind: news"), encoding="utf-8")
        page.wait_for_function(_SHOWS, arg="Un point modifié", timeout=60_000)
        assert "The build failed" not in page.inner_text("body")
        assert errors == []
        context.close()


def test_the_previewed_search_finds_a_saved_word(browser: Any, tmp_path: Path) -> None:
    # The preview puts its new site in place with the last index, then makes the new one: the
    # reloaded search page works at once, and a word just saved is found moments later.
    project = with_search(make_project(tmp_path / "project"))
    news = project / "content" / "news.md"
    word = "Tombouctoulogie"
    with run_preview(project, tmp_path / "serve.log", "--language", "en") as base:
        context = browser.new_context()
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        search = f"{base}fr/search/?q={word}"
        page.goto(search)
        page.locator(".pagefind-ui__message").wait_for(timeout=15_000)
        assert page.locator(".pagefind-ui__result").count() == 0

        news.write_text(news.read_text(encoding="utf-8").replace("Un point", f"Un point {word}"), encoding="utf-8")
        found = False
        deadline = time.monotonic() + 60
        while not found and time.monotonic() < deadline:
            time.sleep(0.5)
            page.goto(search)
            page.locator(".pagefind-ui__message").wait_for(timeout=15_000)  # every search answers
            found = page.locator(".pagefind-ui__result-link").count() > 0
        assert found, f"'{word}' not found by the preview's search within 60 s"
        assert (
            page.locator(".pagefind-ui__result-link").first.get_attribute("href", timeout=5_000).endswith("/fr/news/")
        )
        assert errors == []
        context.close()
