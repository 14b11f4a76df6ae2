"""Machine translation behind one small interface: a batch of strings, a language pair.

Engines: ``argos`` (the argostranslate API and CTranslate2), ``apertium``
(Debian's rule-based engine, French to Spanish) and ``none``. Heavy imports
happen only when an engine is used, never at import time.

The registry of engines (``engines``) is this package: every module of it that
declares ``ENGINE = EngineSpec(...)`` (its name, its settings under
``[translation]`` with their types and defaults, and how to make it) is found
there, so adding an engine is adding its module (and its test). Modules are
discovered rather than listed so that no second list of engines exists to forget.
The configuration validates ``engine`` and the engines' settings against it, so every
build imports every module here: helpers that are no engine's and import much (installing
models from the Argos index, with its HTTP client: ``translate.model_index``) live outside.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ...errors import ExplainerError


class EngineError(ExplainerError):
    """An engine failed: not installed, no model for the pair, or it crashed."""


class Engine(Protocol):
    """What every engine provides."""

    name: str

    def describe(self, source: str, target: str) -> str | None:
        """A label naming the engine, the route and the models for ``source -> target``
        (written into the memory as ``#. machine: <label>``, e.g. ``argos fr->en 1.9,
        en->ar 1.0`` through English), or None if the pair is unavailable."""

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """Translate every text in one batch; the result has the same length and order.

        Raises ``EngineError`` if the engine cannot run.
        """


class NoEngine:
    """The memory alone: nothing is machine translated."""

    name = "none"

    def describe(self, source: str, target: str) -> str | None:
        return None

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        raise EngineError("no machine translation engine is configured")


@dataclass(frozen=True)
class Setting:
    """A setting an engine reads from ``[translation]`` of explainer.toml.

    ``kind`` is ``str``, ``int``, ``float`` (any number), ``bool``, or ``Path``: a string in the
    file, a path from the project root (resolved) in the settings the engine is made with.
    ``check`` returns what is wrong with a value of the right type, or None.
    """

    kind: type
    default: Any
    check: Callable[[Any], str | None] | None = None


@dataclass(frozen=True)
class EngineSpec:
    """What the registry knows of an engine: its name, its settings, and how to make it from them."""

    name: str
    make: Callable[[Mapping[str, Any]], Engine]  # given every engine's settings, with their defaults
    settings: Mapping[str, Setting] = field(default_factory=dict)


NONE = EngineSpec("none", lambda settings: NoEngine())


@functools.cache
def engines() -> dict[str, EngineSpec]:
    """Every engine by name, in name order with ``none`` last: ``none`` and the ``ENGINE`` of each
    module of this package that declares one.

    Raises ``TypeError`` if two engines share a name, or a setting name with different definitions
    (the settings of all engines live side by side in ``[translation]``).
    """
    found: dict[str, EngineSpec] = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
        spec = getattr(importlib.import_module(f"{__name__}.{module.name}"), "ENGINE", None)
        if isinstance(spec, EngineSpec):
            if spec.name in found or spec.name == NONE.name:
                raise TypeError(f"two engines are called '{spec.name}'")
            found[spec.name] = spec
    registry = {name: found[name] for name in sorted(found)} | {NONE.name: NONE}
    settings: dict[str, Setting] = {}
    for spec in registry.values():
        for name, setting in spec.settings.items():
            if settings.setdefault(name, setting) != setting:
                raise TypeError(f"engine '{spec.name}' defines the setting '{name}' differently from another engine")
    return registry


def engine_settings() -> dict[str, Setting]:
    """The settings of every engine, by name (a setting two engines share is listed once)."""
    return {name: setting for spec in engines().values() for name, setting in spec.settings.items()}


def make_engine(name: str, settings: Mapping[str, Any]) -> Engine:
    """The engine called ``name``, made from ``settings`` (``Config.engine_settings``); nothing heavy
    is imported until it translates. Raises ``EngineError`` for an engine the registry does not know.
    """
    spec = engines().get(name)
    if spec is None:
        raise EngineError(f"unknown engine '{name}'; use one of: {', '.join(engines())}")
    return spec.make(settings)


def run_with_timeout(call: Callable[[], list[str]], timeout: float) -> list[str]:
    """Run an engine call, giving up after ``timeout`` seconds.

    A hung engine cannot be killed from Python; its daemon thread is left behind
    and the build goes on without its output.
    """
    result: list[list[str]] = []
    failure: list[Exception] = []

    def target() -> None:
        try:
            result.append(call())
        except Exception as error:  # handed to the caller below, never swallowed
            failure.append(error)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise EngineError(f"no answer within {timeout:.0f} s")
    if failure:
        error = failure[0]
        if isinstance(error, EngineError):
            raise error
        # The engine boundary: third-party code may fail in any way; the build reports it and goes on.
        raise EngineError(f"{type(error).__name__}: {error}") from error
    return result[0]
