"""The search index: Pagefind, one index per language (it reads ``<html lang>``).

Pages mark what is indexed (``data-pagefind-body`` on the article) and what
is not (``data-pagefind-ignore`` on French fallback blocks, so a search in
English never returns French text). Needs the ``search`` extra:
``pip install 'pagefind[bin]'``, which ships the binary.

A build indexes its new site before putting it in place. The preview puts its new site in place
first, with the last site's index carried over and marked outdated (``carry_index``), and makes
the new index once its tabs are told (``refresh_index``): the index then replaces the carried one
in one step, so a search in the preview always finds a whole index, at most one save behind for
the moment it takes to make (a quarter of a second for this project's site).
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import ExplainerError
from ..fsutil import exchange, remove_tree
from ..layout import NEXT_SEARCH_INDEX, OUTDATED_INDEX, SEARCH_INDEX


class SearchError(ExplainerError):
    """The search index could not be built."""


def index_site(site_dir: Path, folder: str = SEARCH_INDEX) -> None:
    """Build ``site_dir/pagefind/`` (or ``folder``) from the HTML files in ``site_dir``.

    Raises ``SearchError`` when Pagefind is not installed or fails.
    """
    command = [*pagefind_command(), "--site", str(site_dir), "--output-subdir", folder, "--quiet"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    except subprocess.TimeoutExpired:
        raise SearchError("pagefind did not finish within 600 s") from None
    except OSError as error:
        raise SearchError(f"cannot run pagefind ({command[0]}): {error.strerror or error}") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        if "No module named pagefind" in result.stderr:
            raise SearchError(
                "explainer.toml asks for search, which needs Pagefind: pip install 'pagefind[bin]' "
                "(or set search = false)"
            )
        raise SearchError(f"pagefind failed: {detail[-1] if detail else result.returncode}")
    # Pagefind lists the languages in hash-map order: sort them, so that identical input
    # gives identical output.
    entry = site_dir / folder / "pagefind-entry.json"
    if entry.exists():
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["languages"] = dict(sorted(data.get("languages", {}).items()))
        entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def pagefind_command() -> list[str]:
    """How to run Pagefind: its binary where Pagefind's Python package would find it
    (``PAGEFIND_BINARY_PATH``, then the binary packages), else that package as a program, which
    looks further (``PATH``) and says when Pagefind is missing. The binary is run directly where
    found: starting Python for the package cost some 95 ms of every build with search (a fifth
    of a preview rebuild of this project's own site)."""
    configured = os.environ.get("PAGEFIND_BINARY_PATH")
    if configured:
        return [configured]
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            binary = importlib.import_module(package).get_executable()
        except (ImportError, OSError):  # not installed, or its binary is missing (FileNotFoundError)
            continue
        return [str(binary)]
    return [sys.executable, "-m", "pagefind"]


def previous_index(output_dir: Path) -> Path:
    """Where the preview of ``output_dir`` keeps the search index its last ``refresh_index`` replaced
    (beside the output folder, on its file system)."""
    return output_dir.parent / f".{output_dir.name}.previous-index"


def carry_index(live: Path, standby: Path) -> None:
    """Give ``standby`` (a new site, about to be put in place) the search index of ``live`` as hard
    links, marked outdated, if it has one: ``refresh_index`` replaces it. Raises ``OSError``."""
    source = live / SEARCH_INDEX
    if not source.is_dir():
        return
    shutil.copytree(source, standby / SEARCH_INDEX, copy_function=os.link, dirs_exist_ok=True)
    (standby / OUTDATED_INDEX).touch()


def refresh_index(site_dir: Path, previous: Path | None = None) -> None:
    """Index the site in place in ``site_dir`` (the preview's, given an outdated index by
    ``carry_index``, or none): made beside the index it replaces, then swapped with it in one
    step (where the system cannot, the outdated index is moved away first, and the site has none
    for that moment). The index replaced is kept as ``previous`` until the next one replaces it
    (the preview answers from it what a search page that loaded the index before the swap asks
    for: the files of an index are named by their content), or removed. Raises ``SearchError``;
    the site keeps its outdated index then, and the next build makes it again."""
    made, current = site_dir / NEXT_SEARCH_INDEX, site_dir / SEARCH_INDEX

    def set_aside(replaced: Path) -> None:
        if previous is None:
            remove_tree(replaced)
        else:
            remove_tree(previous)
            os.rename(replaced, previous)

    try:
        remove_tree(made)
        index_site(site_dir, NEXT_SEARCH_INDEX)
        if current.exists() and exchange(made, current):
            set_aside(made)  # the outdated index, swapped there
        else:
            if current.exists():
                set_aside(current)
            os.rename(made, current)
    except OSError as error:
        raise SearchError(f"cannot put the search index in place in {site_dir}: {error.strerror or error}") from None
