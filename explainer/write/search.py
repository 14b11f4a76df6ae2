"""The search index: Pagefind, one index per language (it reads ``<html lang>``).

Pages mark what is indexed (``data-pagefind-body`` on the article) and what
is not (``data-pagefind-ignore`` on French fallback blocks, so a search in
English never returns French text). Needs the ``search`` extra:
``pip install 'pagefind[bin]'``, which ships the binary.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..errors import ExplainerError


class SearchError(ExplainerError):
    """The search index could not be built."""


def index_site(site_dir: Path) -> None:
    """Build ``site_dir/pagefind/`` from the HTML files in ``site_dir``.

    Raises ``SearchError`` when Pagefind is not installed or fails.
    """
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--quiet"],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        raise SearchError("pagefind did not finish within 600 s") from None
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
    entry = site_dir / "pagefind" / "pagefind-entry.json"
    if entry.exists():
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["languages"] = dict(sorted(data.get("languages", {}).items()))
        entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
