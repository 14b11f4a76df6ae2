"""The ``models`` command: Argos models installed from a file or the index, the route every
language's machine translation takes (also printed by ``status``). Reads and writes the models folder."""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config, load_config
from .translate.mt import Engine, EngineError, make_engine
from .translate.mt.route import pivots_of

if TYPE_CHECKING:
    from .translate.model_index import Plan


def add_models_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """models install, plan and list."""
    models_parser = commands.add_parser(
        "models",
        help="install and list Argos Translate models",
        description="Argos models (.argosmodel files) live in the models folder of explainer.toml "
        "([translation] models_dir, default .cache/argos-packages). They are not kept in git.",
    )
    model_commands = models_parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    install_parser = model_commands.add_parser(
        "install",
        help="install a model from a file, or by language pair or route from the Argos index (needs internet)",
        description="python build.py models install PATH.argosmodel | python build.py models install fr en | "
        "python build.py models install --configured. With --configured, a route is planned for every "
        "language whose engine is argos: a direct model where the index has one, else two through the pivot "
        "language ([translation] pivot, default en). The plan is printed, then what is missing is installed. "
        "A language with no route is reported and the command still exits 0 (1 with --strict).",
    )
    install_parser.add_argument(
        "--configured",
        action="store_true",
        help="install, from the Argos index, the models of a route for every language whose engine is argos",
    )
    install_parser.add_argument(
        "--strict", action="store_true", help="with --configured: exit 1 if a language is left without a route"
    )
    install_parser.add_argument(
        "what", nargs="*", metavar="PATH | FROM TO", help="an .argosmodel file, or a source and a target language code"
    )
    plan_parser = model_commands.add_parser(
        "plan",
        help="print the route planned for every argos language, installing nothing",
        description="Read the Argos index and print, for every language whose engine is argos, the route "
        "'models install --configured' would install.",
    )
    plan_parser.add_argument(
        "--key",
        action="store_true",
        help="print only a short key naming the planned routes and model versions (for a CI cache)",
    )
    for subparser in (install_parser, plan_parser):
        subparser.add_argument(
            "--index",
            metavar="URL",
            help="the Argos package index to read: an https:// or file:// URL "
            "(default: $EXPLAINER_ARGOS_INDEX, else the public index)",
        )
    model_commands.add_parser(
        "list", help="list the installed models and the route every language's machine translation takes"
    )


def _routes(config: Config) -> dict[str, str | None]:
    """Every target language's code: the label of its machine-translation route, or None."""
    engines: dict[str, Engine] = {}
    routes: dict[str, str | None] = {}
    for language in config.target_languages:
        if language.engine == "none":
            routes[language.code] = None
            continue
        if language.engine not in engines:
            engines[language.engine] = make_engine(language.engine, {**config.engine_settings, "threads": 1})
        routes[language.code] = engines[language.engine].describe(config.source_language, language.code)
    return routes


def print_routes(config: Config) -> list[str]:
    """Print the route of every language; return the languages with none."""
    without = []
    for code, label in _routes(config).items():
        engine = config.language(code).engine
        if label is None:
            without.append(code)
            shown = "no machine translation" + ("" if engine == "none" else f" (no {engine} route installed)")
        else:
            pivots = pivots_of(label)
            shown = label + (f"  (via {', '.join(pivots)})" if pivots else "  (direct)")
        print(f"{code:<9} {shown}")
    return without


@dataclass(frozen=True)
class _Planned:
    plans: list[Plan]  # a route planned for every argos language
    problem: str | None  # why the index could not be read, if it could not


def _plans(config: Config, url: str | None) -> _Planned:
    """A route planned for every argos language, from the index (else from the installed models)."""
    from .translate.model_index import index_url, plan_route, read_index
    from .translate.mt.argos import installed_models

    try:
        entries = read_index(index_url(url))
        problem = None
    except EngineError as error:
        entries, problem = (), str(error)
    installed = installed_models(config.models_dir)
    plans = [
        plan_route(config.source_language, language.code, config.pivot, entries, installed)
        for language in config.target_languages
        if language.engine == "argos"
    ]
    return _Planned(plans, problem)


def _install_configured(config: Config, url: str | None, strict: bool) -> int:
    from .translate.model_index import download_and_install, index_url
    from .translate.mt.argos import installed_models

    planned = _plans(config, url)
    plans, problem = planned.plans, planned.problem
    if not plans:
        print("no language uses the argos engine in explainer.toml: nothing to install")
        return 0
    if problem:
        print(f"warning: {problem}", file=sys.stderr)
        if not installed_models(config.models_dir):
            print("error: no Argos model is installed and none can be downloaded", file=sys.stderr)
            return 1
        print("planning from the installed models alone")
    print(f"routes planned from {'the installed models' if problem else index_url(url)}:")
    for plan in plans:
        print(f"  {plan.describe()}")
    failed: dict[tuple[str, str], str] = {}
    done: set[tuple[str, str]] = set()
    for plan in plans:
        for leg in plan.legs:
            pair = (leg.source, leg.target)
            if leg.entry is None or pair in done or pair in failed:
                continue
            try:
                model = download_and_install(leg.entry, config.models_dir)
            except EngineError as error:
                failed[pair] = str(error)
                print(f"warning: {error}", file=sys.stderr)
                continue
            done.add(pair)
            print(f"installed {model.label} in {model.path}")
    without = [
        plan.language for plan in plans if not plan.legs or any((leg.source, leg.target) in failed for leg in plan.legs)
    ]
    if without:
        print(
            f"warning: no machine translation for {', '.join(without)}: these languages are built from the "
            "translation memory alone (French where it has no translation)",
            file=sys.stderr,
        )
        return 1 if strict else 0
    print(f"every argos language has a route ({len(done)} installed now)")
    return 0


def run_models(project: Path, arguments: argparse.Namespace) -> int:
    """Run ``models install``, ``models plan`` or ``models list``; return the exit status."""
    from .translate.model_index import install_pair
    from .translate.mt.argos import install_package, installed_models

    config = load_config(project)
    if arguments.models_command == "list":
        models = installed_models(config.models_dir)
        if not models:
            print(f"no models in {config.models_dir}")
        for model in models:
            print(f"{model.source}->{model.target}  {model.version or '-':<10} {model.path}")
        print("routes:")
        without = print_routes(config)
        if without:
            print(f"no machine translation for: {', '.join(without)}")
        return 0
    if arguments.models_command == "plan":
        planned = _plans(config, arguments.index)
        plans, problem = planned.plans, planned.problem
        if problem:
            print(f"warning: {problem}; planning from the installed models alone", file=sys.stderr)
        if arguments.key:
            print("_".join(_plan_key(plan) for plan in plans) or "none")
        else:
            for plan in plans:
                print(plan.describe())
        return 0
    what = arguments.what
    if arguments.configured:
        if what:
            raise EngineError("give either --configured or a file or a language pair, not both")
        return _install_configured(config, arguments.index, arguments.strict)
    if len(what) == 1:
        model = install_package(Path(what[0]), config.models_dir)
    elif len(what) == 2:
        model = install_pair(what[0], what[1], config.models_dir, arguments.index)
    else:
        raise EngineError("give one .argosmodel file, or a source and a target language code")
    print(f"installed {model.label} in {model.path}")
    return 0


def _plan_key(plan: Plan) -> str:
    """``ar-fr.en.1.9-en.ar.1.0``: a language and its legs, in characters a cache key accepts."""
    legs = "-".join(f"{leg.source}.{leg.target}.{leg.version or '0'}" for leg in plan.legs) or "none"
    return re.sub(r"[^A-Za-z0-9.-]", "", f"{plan.language}-{legs}")
