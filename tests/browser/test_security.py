"""Cross-site scripting payloads placed in every input come out inert in a real browser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explainer.build import build
from explainer.config import load_config
from tests.project import make_project, serve_folder

REFRESH = '<meta http-equiv="refresh" content="0; url=https://evil.example/">'
PAYLOAD = "\"'><script>alert('xss')</script><img src=x onerror=alert('xss')>"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture project with payloads wherever the inputs accept them as text: a source's title and description,
    code spans in Markdown, the timeline and the glossary, and the site title in the configuration.
    (Raw HTML in page text, front matter fields and data, source descriptions outside code spans,
    and markup added by a translation, are refused at build time: see test_invalid.py and test_translate.py.)"""
    project = make_project(tmp_path_factory.mktemp("hostile") / "project")
    escaped = PAYLOAD.replace('"', '\\"')
    _replace(
        project / "content/news.md", 'description: "Dépêche du 19 septembre"', f'description: "Dépêche `{escaped}`"'
    )
    _replace(project / "content/news.md", 'title: "Le Mali expulse deux diplomates"', f'title: "Le Mali {escaped}"')
    _replace(project / "content/news.md", "Deux diplomates", f"`{PAYLOAD}` Deux diplomates")
    _replace(project / "content/timeline.yaml", 'text: "Une année entière."', f'text: "Une année `{escaped}`."')
    _replace(project / "content/glossary.yaml", 'term: "JNIM"', f'term: "JNIM `{escaped}`"')
    _replace(project / "explainer.toml", 'title = "Test site"', f"title = {json.dumps('Test site ' + PAYLOAD)}")
    # A UI string is text too (Jinja's newstyle gettext would mark it safe HTML).
    refresh = REFRESH.replace('"', '\\"')
    _replace(project / "i18n/ar/LC_MESSAGES/messages.po", 'msgstr "الانتقال إلى المحتوى"', f'msgstr "انتقال {refresh}"')
    build(load_config(project))
    with serve_folder(project / "site") as url:
        yield url


@pytest.mark.parametrize(
    "path",
    [
        "fr/news/",
        "en/news/",
        "en/news/compare.html",
        "fr/timeline/",
        "en/glossary/",
        "en/",
        "en/translation-status/",
        "fr/404.html",
        "es/news/",
    ],
)
def test_payloads_are_shown_as_text_and_never_run(new_page: Any, hostile_site: str, path: str) -> None:
    page, _ = new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_site + path)
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("Array.from(document.scripts).every(s => s.src && !s.textContent.trim())")
    assert all(url.startswith(hostile_site) for url in requests), requests
    if path == "fr/news/":
        assert page.locator("code", has_text="<script>alert('xss')</script>").count() >= 1  # shown, as text


def test_a_ui_string_cannot_redirect_the_page(new_page: Any, hostile_site: str) -> None:
    page, _ = new_page()
    page.goto(hostile_site + "ar/", wait_until="load")
    assert page.url == hostile_site + "ar/"
    assert page.locator("meta[http-equiv='refresh']").count() == 0
    assert page.locator("a.skip").text_content() == f"انتقال {REFRESH}"  # shown, as text
