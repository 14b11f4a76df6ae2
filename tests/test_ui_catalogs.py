"""The UI strings workflow of the README (`make extract-ui`, `make update-ui`), run for real."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.project import REPOSITORY


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_extract_and_update_add_new_strings_and_keep_translations(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Makefile", "babel.cfg"):
        shutil.copy(REPOSITORY / name, project / name)
    for name in ("explainer", "templates", "i18n"):
        shutil.copytree(REPOSITORY / name, project / name)
    template = project / "templates" / "404.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace("<h1>", '<p>{{ _("A brand new string") }}</p>\n  <h1>', 1),
        encoding="utf-8",
    )

    bin_dir = Path(sys.executable).parent
    subprocess.run(
        ["make", "extract-ui", "update-ui", f"BIN={bin_dir}", "STAMP="], cwd=project, check=True, capture_output=True
    )

    template_text = (project / "i18n" / "messages.pot").read_text(encoding="utf-8")
    assert 'msgid "A brand new string"' in template_text
    for language in ("fr", "en", "ar", "es"):
        with (project / "i18n" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle, locale=language)
        new = catalog.get("A brand new string")
        assert new is not None and new.string == "" and not new.fuzzy
        if language == "fr":
            assert catalog.get("Page not found").string == "Page introuvable"
