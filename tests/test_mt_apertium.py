"""Apertium, the real rule-based engine from Debian (apertium-fr-es).

Runs where apertium is installed (.ci/run installs it); under CI=true a missing
apertium is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from explainer.build import build
from explainer.config import load_config
from explainer.translate.mt.apertium import ApertiumEngine
from tests.project import make_project

if shutil.which("apertium") is None:
    if os.environ.get("CI") == "true":
        pytest.fail("apertium is not installed; .ci/run installs apertium-fr-es", pytrace=False)
    pytest.skip("apertium is not installed (apt-get install apertium-fr-es)", allow_module_level=True)


def test_batch_keeps_order_and_placeholders() -> None:
    engine = ApertiumEngine()
    assert engine.describe("fr", "es") == "apertium fr-es"
    assert engine.describe("fr", "xx") is None
    texts = ["La Terre tourne autour du soleil.", "Voir {1}la source{2} du {3} septembre.", "Bonjour."]
    assert engine.translate(texts, "fr", "es") == [
        "La Tierra gira en torno al sol.",
        "Ver {1}la fuente{2} del {3} de septiembre.",
        "Saludo.",
    ]


def test_build_with_apertium_for_spanish(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    config_file = project / "explainer.toml"
    config_file.write_text(
        config_file.read_text(encoding="utf-8").replace("[languages.es]\n", '[languages.es]\nengine = "apertium"\n'),
        encoding="utf-8",
    )
    report = build(load_config(project))
    assert report.machine_translated > 0
    po = (project / "i18n/es/content/news.po").read_text(encoding="utf-8")
    assert (
        "#. machine: apertium fr-es\n#: content/news.md\n#, fuzzy\n"
        'msgid "Voir [le texte original](/original/#le-texte) et [les chiffres](#chiffres)."\n'
        'msgstr "Ver [el texto original](/original/#le-texte) y [las cifras](#chiffres)."'
    ) in po
    html = (project / "site/es/news/index.html").read_text(encoding="utf-8")
    assert '<p data-state="machine">Ver <a href="../original/#le-texte">el texto original</a>' in html
    # English has no apertium pair and no engine: untouched.
    assert "apertium" not in (project / "i18n/en/content/news.po").read_text(encoding="utf-8")
