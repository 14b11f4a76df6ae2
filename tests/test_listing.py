"""The site's listing (``write/listing.py``): made by a child process while the build hashes its
inputs, the same as when made in the build's own process, and never left behind.

A process is forked only where no other thread runs. The test process runs other threads (the
browser tests' driver, servers), so the forking cases run in a fresh interpreter each
(``_in_a_fresh_process``), which fails if an assertion fails there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from explainer.fsutil import mark_site
from explainer.write import listing
from explainer.write.generations import generation_files, generation_folders
from explainer.write.listing import FileStatus, site_listing, started_listing

REPOSITORY = Path(__file__).resolve().parent.parent


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


def _in_a_fresh_process(scenario: str, site: Path) -> None:
    """Run ``scenario`` (a function of this module, given ``site``) in a new interpreter."""
    code = f"import sys, pathlib, tests.test_listing as module; module.{scenario}(pathlib.Path(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", code, str(site)], cwd=REPOSITORY, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _counting_forks() -> list[int]:
    """Replace ``os.fork`` with one that records the children it makes (in a fresh process only)."""
    forks, fork = [], os.fork

    def counted_fork() -> int:
        child = fork()
        if child:
            forks.append(child)
        return child

    os.fork = counted_fork
    return forks


def _reaped(child: int) -> bool:
    try:
        os.waitpid(child, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def lists_the_same(site: Path) -> None:
    assert threading.active_count() == 1
    forks = _counting_forks()
    assert len(repr(site_listing(site))) > 65_536  # more than a pipe holds: the child must not block
    here = site_listing(site, ("pagefind/",))
    with started_listing(site, ("pagefind/",)) as started:
        made = started.result()
    assert made == here and len(made) == 1501
    assert all(isinstance(status, FileStatus) for status in made.values())
    assert made["en/a-page-with-a-rather-long-address-00007/index.html"] == FileStatus.of(
        os.stat(site / "en/a-page-with-a-rather-long-address-00007/index.html")
    )
    assert len(forks) == 1 and _reaped(forks[0])  # made by a child indeed, which is gone


def lists_again_when_the_child_fails(site: Path) -> None:
    forks = _counting_forks()
    parent, listed_here = os.getpid(), []
    real = listing.site_listing

    def failing_in_the_child(output_dir: Path, generated: tuple[str, ...] = ()) -> dict[str, FileStatus]:
        if os.getpid() != parent:
            raise OSError("a folder the child could not read")
        listed_here.append(output_dir)
        return real(output_dir, generated)

    listing.site_listing = failing_in_the_child
    with started_listing(site) as started:
        assert started.result() == real(site)
    assert listed_here == [site]  # listed once more in this process, after the child failed
    assert len(forks) == 1 and _reaped(forks[0])


def leaves_nothing_when_the_block_raises(site: Path) -> None:
    forks = _counting_forks()
    descriptors = len(os.listdir("/proc/self/fd"))
    try:
        with started_listing(site):
            raise RuntimeError("the content folder is missing")  # before the listing was asked for
    except RuntimeError:
        pass
    assert len(forks) == 1 and _reaped(forks[0])
    assert len(os.listdir("/proc/self/fd")) == descriptors  # the pipe is closed


def _generations(root: Path, marked: bool) -> tuple[Path, Path, Path]:
    """A site in two generations, the first live (``root/site`` links to it), the other with a
    stray symbolic link (``marked``: both the generator's)."""
    output = root / "site"
    live, other = generation_folders(output)
    for generation in (live, other):
        _site(generation, 1500)
        if marked:
            mark_site(generation)
    os.symlink("/", other / "en" / "stray")
    os.symlink(live.name, output)
    return output, live, other


def lists_the_standby_after_the_site(root: Path) -> None:
    output, _, other = _generations(root, marked=True)
    forks = _counting_forks()
    with started_listing(output, ("pagefind/",)) as started:
        assert started.result() == site_listing(output, ("pagefind/",))
        standby = started.standby_files()
    # Made ready to be written, as the writer would make it: the stray link is gone.
    assert not os.path.lexists(other / "en" / "stray")
    assert standby == generation_files(other, ("pagefind/",)) and len(standby) == 1501
    assert len(forks) == 1 and _reaped(forks[0])


def leaves_a_standby_not_the_generators_alone(root: Path) -> None:
    output, _, other = _generations(root, marked=False)
    with started_listing(output) as started:
        assert started.standby_files() is None  # the writer, finding it, refuses to write there
    assert os.path.lexists(other / "en" / "stray")


def a_build_writes_into_the_standby_listed_by_the_child(root: Path) -> None:
    from explainer.build import build
    from explainer.config import load_config
    from explainer.write import output
    from tests.project import make_project

    project = make_project(root / "project")
    build(load_config(project), use_machine=False, jobs=1)
    listed_here = []
    real = output.generation_files

    def counted(folder: Path, generated: tuple[str, ...]) -> dict[str, FileStatus]:
        listed_here.append(folder)
        return real(folder, generated)

    output.generation_files = counted
    for edit in ("Un point", "Un seul point"), ("Un seul point", "Un point"):
        news = project / "content" / "news.md"
        news.write_text(news.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
        assert build(load_config(project), use_machine=False, jobs=1).files_written > 0
    assert listed_here == []  # each build wrote into the generation its listing child had listed


def test_the_child_lists_the_generation_to_write_after_the_site(tmp_path: Path) -> None:
    _in_a_fresh_process("lists_the_standby_after_the_site", tmp_path)


def test_the_child_leaves_a_generation_not_the_generators_alone(tmp_path: Path) -> None:
    _in_a_fresh_process("leaves_a_standby_not_the_generators_alone", tmp_path)


def test_a_build_does_not_list_again_the_generation_its_child_listed(tmp_path: Path) -> None:
    _in_a_fresh_process("a_build_writes_into_the_standby_listed_by_the_child", tmp_path)


def test_the_listing_made_by_a_child_is_the_listing_made_here(tmp_path: Path) -> None:
    _in_a_fresh_process("lists_the_same", _site(tmp_path / "site", 1500))


def test_a_child_that_fails_is_not_believed_the_site_is_listed_again_here(tmp_path: Path) -> None:
    _in_a_fresh_process("lists_again_when_the_child_fails", _site(tmp_path / "site", 3))


def test_a_block_that_raises_leaves_no_child_and_no_open_pipe(tmp_path: Path) -> None:
    _in_a_fresh_process("leaves_nothing_when_the_block_raises", _site(tmp_path / "site", 1500))


def fails(site: Path) -> None:
    raise AssertionError(f"a scenario that fails, given {site.name}")


def test_a_scenario_that_fails_in_its_process_fails_the_test(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="a scenario that fails, given site"):
        _in_a_fresh_process("fails", _site(tmp_path / "site", 3))


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
