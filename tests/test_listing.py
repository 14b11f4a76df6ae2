"""The site's listing (``write/listing.py``): made by a child process while the build hashes its
inputs, the same as when made in the build's own process, and never left behind."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from explainer.write import listing
from explainer.write.listing import FileStatus, site_listing, started_listing


def _site(folder: Path, pages: int) -> Path:
    """A site with a folder per page, long names: its listing is larger than a pipe holds (64 KiB)."""
    for number in range(pages):
        page = folder / "en" / f"a-page-with-a-rather-long-address-{number:05}"
        page.mkdir(parents=True)
        (page / "index.html").write_text(f"<p>{number}</p>", encoding="utf-8")
    (folder / "pagefind").mkdir()
    (folder / "pagefind" / "index.json").write_text("{}", encoding="utf-8")
    (folder / "404.html").write_text("<p>404</p>", encoding="utf-8")
    return folder


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_listing_made_by_a_child_is_the_listing_made_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _site(tmp_path / "site", 1500)
    forks, fork = [], os.fork

    def counted_fork() -> int:
        child = fork()
        if child:
            forks.append(child)
        return child

    monkeypatch.setattr(os, "fork", counted_fork)
    assert len(repr(site_listing(site))) > 65_536  # more than a pipe holds: the child must not block
    here = site_listing(site, ("pagefind/",))
    with started_listing(site, ("pagefind/",)) as started:
        made = started.result()
    assert made == here and len(made) == 1501
    assert len(forks) == 1  # made by a child indeed
    assert all(isinstance(status, FileStatus) for status in made.values())
    assert made["en/a-page-with-a-rather-long-address-00007/index.html"] == FileStatus.of(
        os.stat(site / "en/a-page-with-a-rather-long-address-00007/index.html")
    )
    assert _no_children_left()


def test_a_child_that_fails_is_not_believed_the_site_is_listed_again_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path / "site", 3)
    parent, listed_here = os.getpid(), []
    real = listing.site_listing

    def failing_in_the_child(output_dir: Path, generated: tuple[str, ...] = ()) -> dict[str, FileStatus]:
        if os.getpid() != parent:
            raise OSError("a folder the child could not read")
        listed_here.append(output_dir)
        return real(output_dir, generated)

    monkeypatch.setattr(listing, "site_listing", failing_in_the_child)
    with started_listing(site) as started:
        assert started.result() == real(site)
    assert listed_here == [site]  # listed once more in this process, after the child failed
    assert _no_children_left()


def test_a_block_that_raises_leaves_no_child_and_no_open_pipe(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", 1500)
    descriptors = len(os.listdir("/proc/self/fd"))
    with pytest.raises(RuntimeError), started_listing(site):
        raise RuntimeError("the content folder is missing")  # before the listing was asked for
    assert _no_children_left()
    assert len(os.listdir("/proc/self/fd")) == descriptors


def test_with_another_thread_running_the_site_is_listed_here_without_forking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path / "site", 3)

    def no_fork() -> int:
        raise AssertionError("forked while another thread ran")

    monkeypatch.setattr(os, "fork", no_fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with started_listing(site) as started:
            assert started.result() == site_listing(site)
    finally:
        stop.set()
        other.join()
