"""The static files of ``templates/static``, published under content-hashed names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..fsutil import sha256_hex

ASSET_SUFFIXES = (".css", ".js", ".svg", ".png", ".ico", ".webmanifest")


@dataclass(frozen=True)
class Asset:
    """A static file published under a content-hashed name."""

    name: str  # as templates ask for it: "style.css"
    path: str  # site-relative output path: "assets/style.3f2a9c1b.css"
    content: bytes


def load_assets(static_dir: Path) -> dict[str, Asset]:
    """Read ``templates/static`` and give each file a content-hashed name."""
    assets: dict[str, Asset] = {}
    if not static_dir.is_dir():
        return assets
    for file in sorted(static_dir.rglob("*")):
        if file.is_file() and file.suffix in ASSET_SUFFIXES:
            content = file.read_bytes()
            digest = sha256_hex(content)[:10]
            name = file.relative_to(static_dir).as_posix()
            stem, _, suffix = name.rpartition(".")
            assets[name] = Asset(name, f"assets/{stem}.{digest}.{suffix}", content)
    return assets
