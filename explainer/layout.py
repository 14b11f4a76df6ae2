"""Where a project's files are, by name: its pages, their data files, the map's places, the
glossary, the translation memory and the site's search index. Lists folders and names files;
reads none of them.

A build with nothing changed needs no more of ``load`` and ``translate`` than this: it hashes
these files and compares them with the last build's (``inputs``), without loading YAML or Babel.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ContentError, Problem, relative
from .fsutil import remove_unfinished_writes

if TYPE_CHECKING:
    from .config import Config

PLACES_FILE = "places.yaml"  # in content/: the places of the map
GLOSSARY_NAME = "glossary.yaml"  # in i18n/
SEARCH_INDEX = "pagefind"  # the site's folder of the search index
# The preview's: the index being made once its site is in place, and the mark of an index carried
# over from the last site until then (``write.search.refresh_index``).
NEXT_SEARCH_INDEX = ".pagefind-next"
OUTDATED_INDEX = f"{SEARCH_INDEX}/.outdated"
# Folders of the site written after it is checked: the search index.
LATER_FILES = (f"{SEARCH_INDEX}/", f"{NEXT_SEARCH_INDEX}/")


def search_index_ready(output_dir: Path) -> bool:
    """Whether the site in ``output_dir`` holds its own search index (not one carried over from the
    last site, which the preview replaces once its new site is in place)."""
    return (output_dir / SEARCH_INDEX).is_dir() and not (output_dir / OUTDATED_INDEX).exists()


def content_names(content_dir: Path, root: Path) -> list[str]:
    """Every ``*.md`` file under ``content_dir``, as a POSIX path relative to it, sorted."""
    if not content_dir.is_dir():
        raise ContentError([Problem(relative(content_dir, root), 0, "content folder not found")])
    found: list[str] = []  # os.walk and strings, not pathlib: thousands of files, on every build
    for directory, _, names in os.walk(content_dir):
        prefix = os.path.relpath(directory, content_dir).replace(os.sep, "/")
        found.extend(name if prefix == "." else f"{prefix}/{name}" for name in names if name.endswith(".md"))
    return sorted(found)


def content_files(content_dir: Path, root: Path) -> list[Path]:
    """Every ``*.md`` file under ``content_dir``, sorted by path."""
    return [content_dir / name for name in content_names(content_dir, root)]


def page_address(name: str) -> str:
    """The page of a content file named ``name`` (``content_names``): ``a/b.md`` is ``a/b``,
    ``a/index.md`` is ``a``, ``index.md`` the home page, ``""``."""
    stem = posixpath.splitext(name)[0]  # as pathlib's ``with_suffix("")``: ``.md`` alone is a name
    return "" if stem == "index" else stem.removesuffix("/index")


def page_path(file: Path, content_dir: Path) -> str:
    """Map ``content/a/b.md`` to ``a/b`` and ``content/a/index.md`` to ``a``."""
    return page_address(file.relative_to(content_dir).as_posix())


def data_path(page_file: Path) -> Path:
    """A page's data file, where its kind has one (timeline, glossary): named after the page."""
    return Path(data_name(str(page_file)))


def data_name(page_file: str) -> str:
    """``data_path`` of a file named by a string."""
    return posixpath.splitext(page_file)[0] + ".yaml"


# -- the translation memory: one PO file per page per language, ``i18n/<language>/content/<page>.po``


def memory_folder(i18n_dir: Path, language: str) -> Path:
    """The folder of the content memory of ``language``."""
    return i18n_dir / language / "content"


def memory_file(i18n_dir: Path, language: str, page_path: str) -> Path:
    """Where the memory of ``page_path`` in ``language`` lives."""
    return Path(memory_file_name(str(i18n_dir), language, page_path))


def memory_file_name(i18n_dir: str, language: str, page_path: str) -> str:
    """``memory_file`` as a string, made without ``pathlib`` (a build with nothing changed names
    thousands; ``i18n_dir`` absolute and normalised, ``page_path`` a page's path on the site)."""
    return f"{i18n_dir}/{language}/content/{page_path or 'index'}.po"


def orphan_memories(config: Config, paths: Collection[str]) -> list[Problem]:
    """PO files whose page no longer exists: kept, and reported, so no translation is lost silently."""
    orphans = []
    expected = {(path or "index") + ".po" for path in paths}
    for language in config.target_languages:
        folder = memory_folder(config.i18n_dir, language.code)
        found: list[str] = []
        # os.walk rather than Path.rglob: this runs on every build, over thousands of files.
        for directory, _, names in os.walk(folder):
            prefix = os.path.relpath(directory, folder).replace(os.sep, "/")
            found.extend(name if prefix == "." else f"{prefix}/{name}" for name in names if name.endswith(".po"))
        for name in sorted(found):
            if name not in expected:
                orphans.append(
                    Problem(
                        relative(folder / name, config.root),
                        0,
                        f"no page content/{name.removesuffix('.po')}.md for this translation memory: "
                        "rename it with its page, or delete it if the page is gone",
                    )
                )
    return orphans


def clean_unfinished_writes(config: Config) -> tuple[Problem, ...]:
    """Remove what a build killed while writing the memory left in ``i18n/`` (see
    ``remove_unfinished_writes``; call it holding the project's lock). Returns a warning for each
    file that could not be removed."""
    return tuple(
        Problem(relative(path, config.root), 0, "left by a build that was killed while writing; delete it")
        for path in remove_unfinished_writes(config.i18n_dir)
    )
