"""Argos Translate for real: the tiny offline-made fr->en package in tests/fixtures/argos
(see its README), installed into a temporary models folder, with the network blocked."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from explainer.build import build
from explainer.cli import main
from explainer.config import load_config
from explainer.translate.mt import EngineError
from explainer.translate.mt.argos import ArgosEngine, install_package, installed_models
from tests.project import REPOSITORY

FIXTURE = REPOSITORY / "tests" / "fixtures" / "argos"
PACKAGE = FIXTURE / "fr_en_tiny.argosmodel"
CORPUS = [tuple(line.split("\t")) for line in (FIXTURE / "corpus.tsv").read_text(encoding="utf-8").splitlines()]


@pytest.fixture()
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[object]]:
    """No socket may connect; Argos keeps its data, config and cache in temporary folders."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access is not allowed in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    monkeypatch.setenv("ARGOS_INTRA_THREADS", "1")
    yield attempts
    assert attempts == [], "something tried to reach the network"


def test_install_and_list(tmp_path: Path, offline: list[object], capsys: pytest.CaptureFixture[str]) -> None:
    models = tmp_path / "models"
    model = install_package(PACKAGE, models)
    assert (model.source, model.target, model.version) == ("fr", "en", "0.1-test")
    assert model.label == "argos fr->en 0.1-test"
    assert installed_models(models) == [model]
    # Installing again replaces the package cleanly.
    assert install_package(PACKAGE, models) == model
    assert sorted(path.name for path in models.iterdir()) == ["fr_en_tiny"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"not a zip", "not an Argos package (an .argosmodel is a zip archive)")],
)
def test_install_refuses_what_is_not_a_package(tmp_path: Path, content: bytes, reason: str) -> None:
    archive = tmp_path / "bad.argosmodel"
    archive.write_bytes(content)
    with pytest.raises(EngineError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        install_package(archive, tmp_path / "models")
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


def test_one_batch_translates_the_corpus_exactly(tmp_path: Path, offline: list[object]) -> None:
    models = tmp_path / "models"
    install_package(PACKAGE, models)
    engine = ArgosEngine(models, threads=1)
    french = [pair[0] for pair in CORPUS]
    assert engine.translate(french, "fr", "en") == [pair[1] for pair in CORPUS]


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "content").mkdir(parents=True)
    shutil.copytree(REPOSITORY / "templates", project / "templates")
    (project / "explainer.toml").write_text(
        '[site]\nbase_url = "https://example.org/"\nsource_language = "fr"\nlanguages = ["fr", "en"]\n\n'
        '[translation]\nengine = "argos"\nmodels_dir = "models"\nthreads = 1\n\n'
        '[languages.fr]\ntitle = "Essai"\ndescription = "Essai."\n\n'
        '[languages.en]\ntitle = "Test"\ndescription = "Test."\n',
        encoding="utf-8",
    )
    for language in ("fr", "en"):
        shutil.copytree(REPOSITORY / "i18n" / language / "LC_MESSAGES", project / "i18n" / language / "LC_MESSAGES")
    (project / "i18n" / "glossary.yaml").write_text("names:\n  - JNIM\n", encoding="utf-8")
    (project / "content" / "index.md").write_text(
        "---\ntitle: Les faits\nkind: home\nsummary: Une page de test.\n---\n"
        "La France suspend sa coopération avec le Mali.\n\n"
        "Le JNIM est à Bamako. Le JNIM est à Paris.\n\n"
        "Voir [la source](https://example.org/source).\n\n"
        "- Le diplomate français est arrêté à Bamako.\n",
        encoding="utf-8",
    )
    return project


def test_build_machine_translates_through_the_pipeline(
    tmp_path: Path, offline: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    assert main(["--project", str(project), "models", "install", str(PACKAGE)]) == 0
    report = build(load_config(project))
    assert report.machine_translated == 6
    assert not [w for w in report.warnings if "argos" in w.message]
    po = (project / "i18n/en/content/index.po").read_text(encoding="utf-8")
    expected = {
        "Les faits": "The facts",
        "Une page de test.": "A test page.",
        "La France suspend sa coopération avec le Mali.": "France suspends its cooperation with Mali.",
        "Le JNIM est à Bamako. Le JNIM est à Paris.": "The JNIM is in Bamako. The JNIM is in Paris.",
        "Voir [la source](https://example.org/source).": "See [the source](https://example.org/source).",
        "Le diplomate français est arrêté à Bamako.": "The French diplomat is arrested in Bamako.",
    }
    for french, english in expected.items():
        assert (
            f'#. machine: argos fr->en 0.1-test\n#: content/index.md\n#, fuzzy\nmsgid "{french}"\nmsgstr "{english}"\n'
        ) in po
    html = (project / "site/en/index.html").read_text(encoding="utf-8")
    assert '<p data-state="machine">See <a href="https://example.org/source">the source</a>.</p>' in html
    assert "machine translation (argos fr-&gt;en 0.1-test) that no one has reviewed yet" in html
    assert '<meta name="robots" content="noindex">' in html
    # A second build finds everything in the memory: the engine is not needed.
    shutil.rmtree(project / "models")
    again = build(load_config(project))
    assert again.machine_translated == 0 and not again.warnings


def test_install_refuses_paths_outside_the_package(tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "evil.argosmodel"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("pkg/metadata.json", '{"from_code": "fr", "to_code": "en", "type": "translate"}')
        bundle.writestr("pkg/model/model.bin", b"")
        bundle.writestr("pkg/../../escaped.txt", "x")
    with pytest.raises(EngineError, match="unsafe path in archive"):
        install_package(archive, tmp_path / "models")
    assert not (tmp_path / "escaped.txt").exists()
