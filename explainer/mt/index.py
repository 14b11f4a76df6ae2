"""Install an Argos model by language pair from the Argos package index (needs internet)."""

from __future__ import annotations

import json
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from . import EngineError
from .argos import ModelInfo, install_package

INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"


def install_pair(source: str, target: str, models_dir: Path, index_url: str = INDEX_URL) -> ModelInfo:
    """Download the newest package for ``source -> target`` from the index and install it.

    Raises ``EngineError`` when the index cannot be reached or has no such pair.
    """
    try:
        with urllib.request.urlopen(index_url, timeout=30) as response:
            index = json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        raise EngineError(
            f"cannot read the Argos package index ({index_url}): {error}; "
            "install from a file instead: python build.py models install PATH.argosmodel"
        ) from None
    candidates = [entry for entry in index if entry.get("from_code") == source and entry.get("to_code") == target]
    if not candidates:
        raise EngineError(f"the Argos index has no {source}->{target} package")
    best = max(
        candidates,
        key=lambda entry: [int(p) if p.isdigit() else 0 for p in str(entry.get("package_version", "0")).split(".")],
    )
    links = best.get("links") or []
    if not links:
        raise EngineError(f"the Argos index lists {source}->{target} without a download link")
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / f"{source}_{target}.argosmodel"
        try:
            urllib.request.urlretrieve(links[0], archive)
        except (urllib.error.URLError, TimeoutError) as error:
            raise EngineError(f"cannot download {links[0]}: {error}") from None
        return install_package(archive, models_dir)
