"""What ``pip install .`` ships: the package and every one of its stage subpackages."""

from __future__ import annotations

import tomllib

from setuptools import find_packages

from tests.project import REPOSITORY


def test_every_subpackage_is_in_the_distribution() -> None:
    settings = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    found = set(find_packages(str(REPOSITORY), **settings["tool"]["setuptools"]["packages"]["find"]))
    folders = {
        init.parent.relative_to(REPOSITORY).as_posix().replace("/", ".")
        for init in (REPOSITORY / "explainer").rglob("__init__.py")
    }
    assert "explainer.translate.memory" in folders and len(folders) >= 9
    assert found == folders
