"""Command line: ``python build.py [build|check|status] ...``.

An ``ExplainerError`` is printed as one clear message and exits 1; any other
exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from . import __version__
from .config import load_config
from .errors import ExplainerError
from .model import State
from .mt import EngineError
from .pipeline import build, check, check_input_links
from .translate import Progress


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Build a multilingual static explainer site from French Markdown "
        "and a translation memory of PO files.",
        epilog="With no command, 'build' is run. Errors are printed as 'path:line: message'.",
    )
    parser.add_argument("--version", action="version", version=f"explainer {__version__}")
    parser.add_argument(
        "--project",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the project folder holding explainer.toml (default: the current folder)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build_parser = commands.add_parser(
        "build",
        help="build the site into site/ (the default command)",
        description="Read content/ and i18n/, machine-translate what the memory lacks (where an engine "
        "and model are configured), render every language, check links, then replace site/ in one step. "
        "New French segments and machine translations are written to the PO files in i18n/.",
    )
    build_parser.add_argument(
        "--strict", action="store_true", help="treat warnings (such as untranslated segments) as errors"
    )
    build_parser.add_argument(
        "--output", type=Path, metavar="DIR", help="write the site here instead of the configured output folder"
    )
    build_parser.add_argument(
        "--jobs", type=int, metavar="N", help="render a large site with N processes (default: one per core)"
    )
    build_parser.add_argument(
        "--no-mt", action="store_true", help="do not run machine translation: use the translation memory alone"
    )
    build_parser.add_argument(
        "--no-cache",
        action="store_true",
        help="build every page from scratch, without reading or updating the build cache in .cache/explainer/",
    )

    check_parser = commands.add_parser(
        "check",
        help="build in memory and run every check, writing nothing",
        description="Load, translate and render everything, check internal links, anchors and "
        "hreflang alternates, and report problems as 'path:line: message'. Writes nothing.",
    )
    check_parser.add_argument("--strict", action="store_true", help="treat warnings as errors")

    status_parser = commands.add_parser(
        "status",
        help="show, per language and page, how many segments are in each translation state",
        description="Count the segments of every page in every language: reviewed, machine, stale, missing.",
    )
    status_parser.add_argument(
        "--fail-under",
        type=float,
        metavar="PERCENT",
        help="exit 1 if any language has less than PERCENT of its segments reviewed",
    )

    serve_parser = commands.add_parser(
        "serve",
        help="preview the site on 127.0.0.1, rebuilding and reloading the browser on every change",
        description="Build a preview into .cache/preview from the translation memory (no machine translation), "
        "serve it on 127.0.0.1, and rebuild on any change under content/, templates/ or i18n/. Open tabs "
        "reload by themselves; build errors show in the terminal and in the page.",
    )
    serve_parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0 = any free)")
    serve_parser.add_argument("--language", metavar="LANG", help="preview only this language (and the French)")

    models_parser = commands.add_parser(
        "models",
        help="install and list Argos Translate models",
        description="Argos models (.argosmodel files) live in the models folder of explainer.toml "
        "([translation] models_dir, default .cache/argos-packages). They are not kept in git.",
    )
    model_commands = models_parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    install_parser = model_commands.add_parser(
        "install",
        help="install a model from a file, or by language pair from the Argos index (needs internet)",
        description="python build.py models install PATH.argosmodel | python build.py models install fr en",
    )
    install_parser.add_argument(
        "--configured",
        action="store_true",
        help="install, from the Argos index, a model for every language whose engine is argos (needs internet)",
    )
    install_parser.add_argument(
        "what", nargs="*", metavar="PATH | FROM TO", help="an .argosmodel file, or a source and a target language code"
    )
    model_commands.add_parser("list", help="list the installed models")
    return parser


def _progress_printer() -> Progress | None:
    """A progress line on a terminal (segments/s, ETA); nothing in CI logs."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    started: dict[str, float] = {}

    def show(language: str, done: int, total: int) -> None:
        start = started.setdefault(language, time.monotonic())
        elapsed = max(time.monotonic() - start, 1e-6)
        rate = done / elapsed
        eta = (total - done) / rate if rate else 0.0
        end = "\n" if done >= total else ""
        print(
            f"\r  machine translation {language}: {done}/{total} segments, {rate:.1f}/s, ETA {eta:.0f} s",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return show


def _models(project: Path, arguments: argparse.Namespace) -> int:
    from .mt.argos import install_package, installed_models
    from .mt.index import install_pair

    config = load_config(project)
    if arguments.models_command == "list":
        models = installed_models(config.models_dir)
        if not models:
            print(f"no models in {config.models_dir}")
        for model in models:
            print(f"{model.source}->{model.target}  {model.version or '-':<10} {model.path}")
        return 0
    what = arguments.what
    if arguments.configured:
        if what:
            raise EngineError("give either --configured or a file or a language pair, not both")
        pairs = [lang.code for lang in config.target_languages if lang.engine == "argos"]
        if not pairs:
            print("no language uses the argos engine in explainer.toml: nothing to install")
        for code in pairs:
            model = install_pair(config.source_language, code, config.models_dir)
            print(f"installed {model.label} in {model.path}")
        return 0
    if len(what) == 1:
        model = install_package(Path(what[0]), config.models_dir)
    elif len(what) == 2:
        model = install_pair(what[0], what[1], config.models_dir)
    else:
        raise EngineError("give one .argosmodel file, or a source and a target language code")
    print(f"installed {model.label} in {model.path}")
    return 0


def _print_warnings(warnings: tuple[object, ...]) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _status(project: Path, fail_under: float | None) -> int:
    config = load_config(project)
    # Imported here: a build with nothing to do does not load the content parsers.
    from .content import load_content
    from .glossary import load_glossary
    from .segment import segment_pages
    from .translate import translate_pages

    check_input_links(config)
    pages, _ = load_content(config.content_dir, config.root)
    glossary = load_glossary(config.i18n_dir, config.root, config.language_codes, config.source_language)
    translation = translate_pages(config, segment_pages(pages), glossary, use_machine=False)
    states = (State.REVIEWED, State.MACHINE, State.STALE, State.MISSING)
    header = f"{'language':<9} {'page':<28} " + " ".join(f"{s.value:>9}" for s in states)
    print(header)
    worst = 100.0
    for language in config.target_languages:
        totals = dict.fromkeys(states, 0)
        for translated in translation.pages:
            if translated.language != language.code:
                continue
            counts = translated.counts()
            for state in states:
                totals[state] += counts[state]
            name = "/" + translated.page.path
            print(f"{language.code:<9} {name:<28} " + " ".join(f"{counts[s]:>9}" for s in states))
        total = sum(totals.values()) or 1
        reviewed = 100.0 * totals[State.REVIEWED] / total
        worst = min(worst, reviewed)
        print(
            f"{language.code:<9} {'all pages':<28} "
            + " ".join(f"{totals[s]:>9}" for s in states)
            + f"   {reviewed:.1f}% reviewed"
        )
    if fail_under is not None and worst < fail_under:
        print(f"error: a language has {worst:.1f}% of its segments reviewed, under {fail_under}%", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    arguments = _parser().parse_args(argv)
    if arguments.command is None:  # 'build' is the default command, with its defaults
        arguments = _parser().parse_args([*(sys.argv[1:] if argv is None else argv), "build"])
    command = arguments.command
    try:
        if command == "status":
            return _status(arguments.project, arguments.fail_under)
        if command == "models":
            return _models(arguments.project, arguments)
        if command == "serve":
            from .serve import serve

            serve(load_config(arguments.project), arguments.port, arguments.language)
            return 0
        config = load_config(arguments.project)
        if command == "check":
            report = check(config, strict=arguments.strict)
        else:
            if arguments.output:
                config = replace(config, output_dir=arguments.output.resolve())
            report = build(
                config,
                strict=arguments.strict,
                use_machine=not arguments.no_mt,
                progress=_progress_printer(),
                jobs=arguments.jobs,
                cache=not arguments.no_cache,
            )
    except ExplainerError as error:
        print(f"error: {error}".replace("\n", "\nerror: "), file=sys.stderr)
        return 1
    _print_warnings(report.warnings)
    for note in report.notes:
        print(note)
    if report.machine_translated:
        print(f"machine-translated {report.machine_translated} segments (marked for review in i18n/)")
    if command == "build" and not report.site_changed:
        print(f"nothing changed: {config.output_dir} already holds this site and was left as it was")
    elif command == "build":
        unchanged = report.files - report.files_written
        print(
            f"built {report.pages} pages in {len(report.languages)} languages "
            f"({', '.join(report.languages)}): {report.files} files in {config.output_dir}"
            + (f" ({report.files_written} written, {unchanged} unchanged)" if unchanged else "")
        )
    else:
        print(f"checked {report.pages} pages in {len(report.languages)} languages: no problems")
    return 0
