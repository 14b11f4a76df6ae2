"""The site's two generations: site/ links to the live one, a build brings the other up to date
and switches the link; readers never see half a site, and a generation changed by hand is repaired."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from explainer.build import build
from explainer.config import load_config
from explainer.fsutil import SITE_MARKER
from tests.project import make_project, tree

GENERATIONS = (".site.generation-a", ".site.generation-b")

# A reader: resolves site/ once per look, as a server resolves it per request, and reads the whole
# generation it names; writes one line per look, the digest of what it read (or MISSING). A look
# during which the link was switched is not counted: a server would have resolved it again.
READER = r"""
import hashlib, os, sys
project, stop, out = sys.argv[1:4]
link = os.path.join(project, "site")

def look():
    try:
        target = os.readlink(link)
    except OSError:
        return "MISSING"
    root, files = os.path.join(project, target), {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, "rb") as stream:
                files[os.path.relpath(path, root)] = hashlib.sha256(stream.read()).hexdigest()
    if os.readlink(link) != target:
        return None
    return hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()

with open(out, "w", encoding="utf-8") as log:
    while True:
        last = os.path.exists(stop)  # once every build has ended: one more whole look, then stop
        seen = look()
        if seen is not None:
            log.write(seen + "\n")
            log.flush()
            if last:
                break
"""


def _digest(site: dict[str, bytes]) -> str:
    files = sorted((path, hashlib.sha256(content).hexdigest()) for path, content in site.items())
    return hashlib.sha256(repr(files).encode()).hexdigest()


def _edit(project: Path, old: str, new: str) -> None:
    news = project / "content" / "news.md"
    text = news.read_text(encoding="utf-8")
    assert old in text
    news.write_text(text.replace(old, new, 1), encoding="utf-8")


def _cold(tmp_path: Path, project: Path) -> dict[str, bytes]:
    """The site a cold build makes of ``project``'s input as it is now."""
    reference = tmp_path / "reference"
    shutil.rmtree(reference, ignore_errors=True)
    shutil.copytree(project, reference, symlinks=True, ignore=shutil.ignore_patterns("site", ".site.*", ".cache"))
    build(load_config(reference))
    return tree(reference / "site")


def _live(project: Path) -> Path:
    return project / os.readlink(project / "site")


def test_site_links_to_one_generation_and_an_edit_writes_only_what_changed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    assert (project / "site").is_symlink() and os.readlink(project / "site") in GENERATIONS
    assert sorted(path.name for path in project.glob(".site*")) == list(GENERATIONS)
    first = _live(project)
    before = {path: (first / path).stat().st_ino for path in tree(first)}

    _edit(project, "Deux diplomates", "Trois diplomates")
    report = build(load_config(project))

    second = _live(project)
    assert second != first and second.name in GENERATIONS
    after = tree(second)
    assert after == _cold(tmp_path, project)
    changed = {path for path, content in after.items() if tree(first).get(path) != content}
    assert changed and len(changed) < len(after) / 2
    # Every file the edit did not change is the previous generation's own file (a hard link), not a copy.
    new_inodes = {path for path in after if (second / path).stat().st_ino != before.get(path)}
    assert new_inodes == changed
    assert report.files_written == len(changed)


def test_a_reader_polling_during_builds_never_sees_half_a_site(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    sites = [tree(project / "site")]
    stop, log = tmp_path / "stop", tmp_path / "reader.log"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(project), str(stop), str(log)])
    try:
        # The builds start once the reader has seen the first site whole (it starts in its own time).
        deadline = time.monotonic() + 60
        while not (log.exists() and log.read_text(encoding="utf-8").strip()):
            assert time.monotonic() < deadline and reader.poll() is None, "the reader did not start"
            time.sleep(0.01)
        for old, new in [("Deux diplomates", "Trois diplomates"), ("Trois diplomates", "Quatre diplomates")]:
            _edit(project, old, new)
            build(load_config(project))
            sites.append(tree(project / "site"))
    finally:
        stop.touch()
        assert reader.wait(timeout=60) == 0
    seen = log.read_text(encoding="utf-8").split()
    whole = {_digest(site) for site in sites}
    assert len(whole) == 3
    assert seen and set(seen) <= whole, "a reader saw a site that is no build's whole site (or none)"
    assert seen[0] == _digest(sites[0]) and seen[-1] == _digest(sites[-1])


def test_a_generation_changed_by_hand_is_repaired_by_the_next_builds(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    standby = project / next(name for name in GENERATIONS if name != os.readlink(project / "site"))
    outside = tmp_path / "outside.html"
    outside.write_text("not the site's\n", encoding="utf-8")
    # Someone's changes to the generation that is not live: a file replaced, one removed, one
    # added, a folder removed, and a link that would lead the next writes out of it.
    (standby / "fr" / "index.html").unlink()
    (standby / "fr" / "index.html").write_text("edited by hand", encoding="utf-8")
    (standby / "en" / "index.html").unlink()
    (standby / "fr" / "notes.txt").write_text("someone's notes", encoding="utf-8")
    shutil.rmtree(standby / "ar")
    shutil.rmtree(standby / "fr" / "news")
    (standby / "fr" / "news").symlink_to(tmp_path)

    _edit(project, "Deux diplomates", "Trois diplomates")
    build(load_config(project))
    assert _live(project) == standby
    assert tree(project / "site") == _cold(tmp_path, project)
    assert outside.read_text(encoding="utf-8") == "not the site's\n" and not (tmp_path / "index.html").exists()

    # A file of the live site changed in place (shared, as a hard link, with the other generation).
    live_file = project / "site" / "fr" / "timeline" / "index.html"
    live_file.write_bytes(live_file.read_bytes().replace(b"</body>", b"<!-- edited --></body>"))
    _edit(project, "Trois diplomates", "Quatre diplomates")
    build(load_config(project))
    assert tree(project / "site") == _cold(tmp_path, project)
    build(load_config(project))  # and once more, into the generation repaired first
    assert tree(project / "site") == _cold(tmp_path, project)


def test_a_site_built_as_a_folder_becomes_a_generation(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    # The site as a version before generations left it: a folder, with the marker.
    folder = tmp_path / "folder"
    shutil.copytree(project / "site", folder)
    (project / "site").unlink()
    for name in GENERATIONS:
        shutil.rmtree(project / name)
    folder.rename(project / "site")
    assert (project / "site" / SITE_MARKER).is_file()

    _edit(project, "Deux diplomates", "Trois diplomates")
    build(load_config(project))
    assert (project / "site").is_symlink()
    assert sorted(path.name for path in project.glob(".site*")) == list(GENERATIONS)
    assert tree(project / "site") == _cold(tmp_path, project)
    _edit(project, "Trois diplomates", "Quatre diplomates")
    build(load_config(project))
    assert tree(project / "site") == _cold(tmp_path, project)


def test_a_live_generation_deleted_by_hand_is_built_again(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    expected = tree(project / "site")
    shutil.rmtree(_live(project))  # site/ now links to nothing
    build(load_config(project))
    assert tree(project / "site") == expected


@pytest.mark.skipif(shutil.which("tar") is None, reason="needs GNU tar, as GitHub's runners have")
def test_the_pages_artifact_holds_the_live_site_as_plain_files(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    build(load_config(project))
    _edit(project, "Deux diplomates", "Trois diplomates")
    build(load_config(project))
    archive = tmp_path / "artifact.tar"
    # The command of actions/upload-pages-artifact (action.yml), with `path: site`.
    command = ["tar", "--dereference", "--hard-dereference", "--directory", "site", "-cf", str(archive)]
    subprocess.run([*command, "--exclude=.git", "--exclude=.github", "."], cwd=project, check=True)
    with tarfile.open(archive) as artifact:
        members = artifact.getmembers()
        assert all(member.isfile() or member.isdir() for member in members)  # no links: Pages refuses them
        files = {
            member.name.removeprefix("./"): artifact.extractfile(member).read()  # type: ignore[union-attr]
            for member in members
            if member.isfile()
        }
    assert files == tree(project / "site")
