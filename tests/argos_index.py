"""A local Argos package index shaped like the public one, and a guard that keeps tests off the network.

The public index (argospm-index) is English-centred: French has fr->en only, and
Arabic and Spanish are reached through English. ``write_index`` writes an
``index.json`` in the public index's format listing the tiny fixture packages
(fr->en, en->ar, en->es; no fr->ar, no fr->es) beside copies of the packages.
``serve`` serves such a folder over HTTP on 127.0.0.1 (a real server, in a thread);
``network_guard`` refuses every connection that is not to 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from tests.project import REPOSITORY

FIXTURE = REPOSITORY / "tests" / "fixtures" / "argos"
PACKAGES = {
    ("fr", "en"): FIXTURE / "fr_en_tiny.argosmodel",
    ("en", "ar"): FIXTURE / "en_ar_tiny.argosmodel",
    ("en", "es"): FIXTURE / "en_es_tiny.argosmodel",
}
NAMES = {"fr": "French", "en": "English", "ar": "Arabic", "es": "Spanish", "de": "German"}


def write_index(
    folder: Path,
    base_url: str | None = None,
    *,
    pairs: tuple[tuple[str, str], ...] = tuple(PACKAGES),
    bad_checksum: tuple[str, str] | None = None,
) -> Path:
    """Write ``folder/index.json`` and the packages it lists; return the index path.

    Links are absolute under ``base_url`` when given (an HTTP server), else
    ``file://`` URLs. ``bad_checksum`` gives that pair a wrong sha256.
    """
    folder.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = [
        # Listed in the public index too, and irrelevant here: must be ignored.
        {
            "argos_version": "1.9.0",
            "code": "translate-de_en",
            "from_code": "de",
            "from_name": "German",
            "to_code": "en",
            "to_name": "English",
            "links": [(base_url or folder.as_uri() + "/") + "de_en_missing.argosmodel"],
            "package_version": "1.9",
            "type": "translate",
        }
    ]
    for source, target in pairs:
        package = PACKAGES[(source, target)]
        shutil.copyfile(package, folder / package.name)
        digest = hashlib.sha256(package.read_bytes()).hexdigest()
        if (source, target) == bad_checksum:
            digest = hashlib.sha256(b"something else").hexdigest()
        entries.append(
            {
                "argos_version": "1.9.0",
                "code": f"translate-{source}_{target}",
                "from_code": source,
                "from_name": NAMES[source],
                "to_code": target,
                "to_name": NAMES[target],
                "links": [(base_url or folder.as_uri() + "/") + package.name],
                "package_version": "0.1-test",
                "sha256": digest,
                "type": "translate",
            }
        )
    index = folder / "index.json"
    index.write_text(json.dumps(entries, indent=2), encoding="utf-8")
    return index


def network_guard(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Refuse every connection but those to 127.0.0.1; return the list of refused attempts."""
    refused: list[object] = []
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address[0] == "127.0.0.1":
            connect(self, address)
            return
        refused.append(address)
        raise OSError("network access is not allowed in tests")

    resolve = socket.getaddrinfo

    def guarded_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in ("127.0.0.1", "localhost"):
            return resolve(host, *args, **kwargs)
        refused.append(host)
        raise OSError("name lookups are not allowed in tests")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_lookup)
    return refused
