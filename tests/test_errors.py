"""Every error the generator raises on purpose survives a trip between processes intact."""

from __future__ import annotations

import importlib
import pickle
import pkgutil

import pytest

import explainer
from explainer.errors import ExplainerError, Problem, ProblemsError


def _error_classes() -> list[type[ExplainerError]]:
    # Import every module, so that error classes defined outside errors.py are found too.
    for module in pkgutil.walk_packages(explainer.__path__, "explainer."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: list[type[ExplainerError]] = []
    pending: list[type[ExplainerError]] = [ExplainerError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda cls: (cls.__module__, cls.__qualname__))


PROBLEMS = (Problem("content/news.md", 3, "unknown kind 'blog'"), Problem("i18n/en/content/news.po", 0, "broken"))


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda cls: cls.__qualname__)
def test_error_pickles_with_its_type_and_message(cls: type[ExplainerError]) -> None:
    error = cls(PROBLEMS) if issubclass(cls, ProblemsError) else cls("content/news.md: something is wrong")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is cls
    assert str(again) == str(error)
    if isinstance(error, ProblemsError):
        assert isinstance(again, ProblemsError)
        assert again.problems == error.problems
        assert str(again) == "content/news.md:3: unknown kind 'blog'\ni18n/en/content/news.po: broken"


def test_every_error_class_is_found() -> None:
    names = {cls.__qualname__ for cls in _error_classes()}
    assert {"ContentError", "TemplateError", "EngineError", "PlaceholderError", "WriteError"} <= names
