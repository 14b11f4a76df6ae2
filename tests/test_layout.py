"""Where a project's files are (``layout``): a content file's address and data file, named from
strings, as pathlib names them."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from explainer.layout import content_names, data_name, data_path, page_address, page_path


def _address_by_pathlib(name: str) -> str:
    parts = list(PurePosixPath(name).with_suffix("").parts)
    if parts and parts[-1] == "index":
        parts.pop()
    return "/".join(parts)


@pytest.mark.parametrize(
    "name",
    [
        "a/b.md",
        "a/index.md",
        "index.md",
        "a/b/index.md",
        "x/index/index.md",
        "indexx.md",
        "a/bindex.md",
        "a/b.c.md",
        ".md",
        "a/.md",
    ],
)
def test_a_files_address_and_data_file_are_pathlibs(name: str) -> None:
    assert page_address(name) == _address_by_pathlib(name)
    assert page_path(Path("/project/content") / name, Path("/project/content")) == _address_by_pathlib(name)
    assert data_name(f"/project/content/{name}") == str(data_path(Path("/project/content") / name))


def test_content_names_are_sorted_relative_posix_paths(tmp_path: Path) -> None:
    for name in ("b.md", "a/index.md", "a/z.md", "notes.txt", "index.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert content_names(tmp_path, tmp_path) == ["a/index.md", "a/z.md", "b.md", "index.md"]
