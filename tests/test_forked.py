"""A process the build forks never finalizes the garbage it inherits (``explainer.forked``).

Garbage the parent had not collected when it forked (here, an object in a reference cycle whose
finalizer says which process ran it) is frozen out of the child's collector: a CTranslate2
translator finalized in a forked worker waits forever for threads that do not exist there, and
the build with it. Each test forces a full collection in the child, as a worker's own garbage
would at any moment."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from explainer.model import OutputFile
from explainer.render import site


class _Dropped:
    """Finalized: writes the process that finalized it into ``marker``, unless it is the parent."""

    def __init__(self, marker: Path) -> None:
        self.marker, self.parent, self.itself = marker, os.getpid(), self

    def __del__(self) -> None:
        if os.getpid() != self.parent:
            self.marker.write_text(f"finalized in a forked process, {os.getpid()}", encoding="utf-8")


@pytest.fixture
def inherited_garbage(tmp_path: Path) -> Iterator[Path]:
    """A reference cycle dropped and not collected before the code under test forks (the
    collector is off meanwhile, as it may simply not have run); the file its finalizer writes."""
    marker = tmp_path / "finalized"
    collecting = gc.isenabled()
    gc.disable()
    try:
        _Dropped(marker)
        yield marker
    finally:
        if collecting:
            gc.enable()
        gc.collect()  # here, in the parent: the finalizer writes nothing


def _collect_and_file(renderer: object) -> OutputFile:
    gc.collect()
    return OutputFile("a.txt", str(os.getpid()).encode())


def test_the_process_making_files_apart_does_not_finalize_what_it_inherited(inherited_garbage: Path) -> None:
    with site.made_apart(SimpleNamespace(), (_collect_and_file,), workers=2) as made:  # type: ignore[arg-type]
        child = int(made(0).content)
    assert child != os.getpid()  # made in another process indeed
    assert not inherited_garbage.exists(), inherited_garbage.read_text(encoding="utf-8")


class _StoredPage:
    def __init__(self, number: int) -> None:
        self.unit = (f"page-{number}", "en")

    def segmented_page(self) -> None:
        return None

    def decoded(self) -> Any:
        raise AssertionError("rendered from its kept parts")


class _Renderer:
    """Renders each page from its kept parts, collecting garbage first."""

    segment_cache = None
    config = SimpleNamespace(source_language="fr")

    def render_kept(self, unit: tuple[str, str], segmented: object) -> OutputFile:
        gc.collect()
        return OutputFile(f"{unit[0]}/index.html", str(os.getpid()).encode())


def test_the_render_workers_do_not_finalize_what_they_inherited(
    inherited_garbage: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site, "PARALLEL_FROM", 1)
    files: list[OutputFile] = []
    pages = tuple(_StoredPage(number) for number in range(8))
    site.render_pages(_Renderer(), pages, (False,) * 8, 2, lambda file, seen: files.append(file), lambda file: None)  # type: ignore[arg-type]
    assert len(files) == 8 and all(int(file.content) != os.getpid() for file in files)
    assert not inherited_garbage.exists(), inherited_garbage.read_text(encoding="utf-8")
