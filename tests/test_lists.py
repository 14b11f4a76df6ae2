"""Site-wide files (render/lists.py): the one list of files made from every page's summary, each with
the data it shows (so that a build renders it again only when that changed) and how to render it."""

from __future__ import annotations

from pathlib import Path

from explainer.build import build_in_memory
from explainer.config import load_config
from explainer.model import page_info
from explainer.render.lists import site_wide_files
from explainer.render.renderer import Renderer
from explainer.render.site import plan_site
from tests.project import make_project


def test_every_site_wide_file_is_listed_once_with_the_data_it_shows(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path / "project"))
    built = build_in_memory(config, jobs=1)
    infos = [page_info(page) for page in built.translated]
    site_map = plan_site(config, infos)
    files = site_wide_files(config, site_map, infos)
    paths = [file.path for file in files]
    assert len(paths) == len(set(paths))
    assert paths[:3] == ["index.html", "404.html", "manifest.webmanifest"]
    assert {"sitemap.xml", "robots.txt", "fr/feed.xml", "en/feed.xml", "fr/404.html"} <= set(paths)
    site = {file.path: file.content for file in built.files}
    assert set(paths) <= set(site)
    keys = {file.path: file.data_key for file in files}
    # Files that show pages' data carry its hash; the others change only with templates and configuration.
    assert all(keys[path] for path in ("sitemap.xml", "fr/feed.xml", "fr/translation-status/index.html"))
    assert not any(keys[path] for path in ("index.html", "404.html", "robots.txt", "manifest.webmanifest"))
    assert keys["fr/feed.xml"] != keys["en/feed.xml"]
    # Each renders what the build wrote.
    renderer = Renderer(config, site_map, places=(), glossary=built.glossary)
    for file in files:
        if file.path in ("sitemap.xml", "fr/feed.xml", "index.html"):
            assert file.make(renderer).content == site[file.path]


_DIGESTS = """
import sys
from pathlib import Path
from explainer.build import build_in_memory
from explainer.config import load_config
from explainer.model import page_info
built = build_in_memory(load_config(Path(sys.argv[1])), jobs=1)
print(sorted((page.page.path, page.language, page_info(page).digest) for page in built.translated))
"""


def test_a_page_s_digest_changes_with_each_part_and_is_the_same_in_every_process(tmp_path: Path) -> None:
    """A page's digest (in ``PageInfo``, keying what is rendered from it) is made of its segmented page
    (made once for its languages), its language, its texts and its memory file."""
    import dataclasses
    import os
    import subprocess
    import sys

    from tests.project import REPOSITORY

    project = make_project(tmp_path / "project")
    built = build_in_memory(load_config(project), jobs=1)
    page = next(page for page in built.translated if page.language == "en" and page.memory_file)
    first = page.renditions[0]
    segmented = dataclasses.replace(
        page.segmented, page=dataclasses.replace(page.page, title=page.page.title + " (bis)")
    )
    variants = [
        dataclasses.replace(page, segmented=segmented),
        dataclasses.replace(page, language="es"),
        dataclasses.replace(page, renditions=(dataclasses.replace(first, text=first.text + "!"), *page.renditions[1:])),
        dataclasses.replace(page, memory_file="i18n/en/content/other.po"),
    ]
    digests = [page_info(variant).digest for variant in (page, *variants)]
    assert len(set(digests)) == len(digests)
    ours = str(sorted((page.page.path, page.language, page_info(page).digest) for page in built.translated))
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        found = subprocess.run(
            [sys.executable, "-c", _DIGESTS, str(project)],
            cwd=REPOSITORY,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        assert found.stdout.strip() == ours
