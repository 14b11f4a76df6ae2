"""The registry of machine-translation engines: every module of explainer/translate/mt/ that
declares an ``ENGINE`` is an engine, with its settings under [translation], which the
configuration validates. A new engine is added here the way a contributor adds one: a module
of its own (written to a temporary folder that the fixture adds to the package's path)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import explainer.translate.mt as mt
from explainer.build import build
from explainer.config import load_config
from explainer.errors import ConfigError
from explainer.translate.mt import EngineError, Setting, engines, make_engine
from tests.project import make_project

ECHO = '''
"""An engine that returns the French with a prefix: enough to see it chosen and configured."""

from collections.abc import Mapping, Sequence
from typing import Any

from explainer.translate.mt import EngineSpec, Setting


class EchoEngine:
    name = "echo"

    def __init__(self, prefix: str, models_dir: Any) -> None:
        self.prefix, self.models_dir = prefix, models_dir

    def describe(self, source: str, target: str) -> str | None:
        return f"echo {source}->{target}"

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        return [self.prefix + text for text in texts]


def _make(settings: Mapping[str, Any]) -> EchoEngine:
    return EchoEngine(settings["echo_prefix"], settings["models_dir"])


ENGINE = EngineSpec("echo", _make, {"echo_prefix": Setting(str, "echo: ")})
'''


@contextmanager
def _engine_module(folder: Path, name: str, source: str) -> Iterator[None]:
    """The module ``name`` (``source``) added to the package explainer.translate.mt, then removed."""
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            monkeypatch.setattr(mt, "__path__", [*mt.__path__, str(folder)])
            engines.cache_clear()
            yield
    finally:
        engines.cache_clear()  # the path is restored: the registry is found again without the module
        sys.modules.pop(f"{mt.__name__}.{name}", None)


@pytest.fixture
def echo_engine(tmp_path: Path) -> Iterator[None]:
    """The engine ``echo`` added to the package, for the duration of a test."""
    with _engine_module(tmp_path / "engines", "echo", ECHO):
        yield


def _project(tmp_path: Path, translation: str) -> Path:
    project = make_project(tmp_path / "project")
    config = project / "explainer.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("[site]", f"[translation]\n{translation}\n\n[site]"),
        encoding="utf-8",
    )
    return project


def _error(project: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(project)
    return str(caught.value)


def test_the_registry_is_the_engine_modules_and_none() -> None:
    assert list(engines()) == ["apertium", "argos", "none"]
    assert engines()["argos"].settings["pivot"] == Setting(str, "en", engines()["argos"].settings["pivot"].check)
    assert set(engines()["argos"].settings) == {"models_dir", "pivot", "threads"}
    assert engines()["none"].settings == {}


def test_an_unknown_engine_is_an_error_naming_the_registered_ones(tmp_path: Path) -> None:
    project = _project(tmp_path, 'engine = "echo"')
    assert _error(project) == "explainer.toml:4: unknown engine 'echo'; use one of: apertium, argos, none"
    with pytest.raises(EngineError, match="unknown engine 'echo'; use one of: apertium, argos, none"):
        make_engine("echo", load_config(_project(tmp_path / "other", 'engine = "none"')).engine_settings)


def test_an_added_engine_is_configured_with_its_settings_and_builds(tmp_path: Path, echo_engine: None) -> None:
    assert list(engines()) == ["apertium", "argos", "echo", "none"]
    project = _project(tmp_path, 'engine = "echo"\necho_prefix = "ECHO "')
    config = load_config(project)
    assert [language.engine for language in config.languages] == ["none", "echo", "echo", "echo"]
    assert config.engine_settings["echo_prefix"] == "ECHO "
    assert config.engine_settings["models_dir"] == (project / ".cache/argos-packages").resolve()  # argos's, kept
    engine = make_engine("echo", config.engine_settings)
    assert engine.translate(["Bonjour"], "fr", "en") == ["ECHO Bonjour"]
    # The build makes it from the registry, like any engine, and records it in the memory.
    report = build(config)
    assert report.machine_translated > 0
    memory = (project / "i18n/en/content/news.po").read_text(encoding="utf-8")
    assert "#. machine: echo fr->en\n" in memory
    assert 'msgstr "ECHO ' in memory


def test_an_added_engine_gets_its_default(tmp_path: Path, echo_engine: None) -> None:
    config = load_config(_project(tmp_path, 'engine = "echo"'))
    assert config.engine_settings["echo_prefix"] == "echo: "


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("echo_prefix = 3", "explainer.toml:5: 'echo_prefix' in [translation] must be a str"),
        (
            'echo_prefx = "x"',
            "explainer.toml:5: unknown key 'echo_prefx' in [translation]; did you mean 'echo_prefix'? "
            "allowed keys: echo_prefix, engine, models_dir, pivot, threads, timeout",
        ),
        ("threads = true", "explainer.toml:5: 'threads' in [translation] must be a int"),
    ],
)
def test_an_added_engine_settings_are_validated(tmp_path: Path, echo_engine: None, setting: str, message: str) -> None:
    assert _error(_project(tmp_path, f'engine = "echo"\n{setting}')) == message


def test_without_the_added_engine_its_setting_is_unknown(tmp_path: Path) -> None:
    assert _error(_project(tmp_path, 'echo_prefix = "x"')) == (
        "explainer.toml:4: unknown key 'echo_prefix' in [translation]; allowed keys: engine, models_dir, pivot, "
        "threads, timeout"
    )


def test_two_engines_may_not_define_one_setting_differently(tmp_path: Path) -> None:
    clash = ECHO.replace('"echo"', '"clash"').replace(
        '{"echo_prefix": Setting(str, "echo: ")}', '{"pivot": Setting(int, 0)}'
    )
    with _engine_module(tmp_path / "engines", "clash", clash), pytest.raises(TypeError, match="differently"):
        engines()
    assert list(engines()) == ["apertium", "argos", "none"]


def test_discovering_the_engines_imports_no_network_client() -> None:
    # Every build validates its configuration against the registry: discovering the engines must not
    # import the Argos index's HTTP client (a fresh interpreter: this one has imported it already).
    code = (
        "import sys; from explainer.translate.mt import engines; engines(); "
        "print(sorted(name for name in ('http.client', 'urllib.request', 'ssl') if name in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
    assert "argos" in engines() and "apertium" in engines()
