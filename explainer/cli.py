"""Command line: ``python build.py [build|check|status] ...``.

An ``ExplainerError`` is printed as one clear message and exits 1; any other
exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from . import __version__
from .config import load_config
from .content import load_content
from .errors import ExplainerError
from .model import State
from .pipeline import build
from .segment import segment_pages
from .translate import translate_pages


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
        description="Read content/ and i18n/, render every language, check links, then replace "
        "site/ in one step. Also adds new French segments to the PO files in i18n/.",
    )
    build_parser.add_argument(
        "--strict", action="store_true", help="treat warnings (such as untranslated segments) as errors"
    )
    build_parser.add_argument(
        "--output", type=Path, metavar="DIR", help="write the site here instead of the configured output folder"
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
    return parser


def _print_warnings(warnings: tuple[object, ...]) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _status(project: Path, fail_under: float | None) -> int:
    config = load_config(project)
    pages, _ = load_content(config.content_dir, config.root)
    translation = translate_pages(config, segment_pages(pages))
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
    command = arguments.command or "build"
    try:
        if command == "status":
            return _status(arguments.project, arguments.fail_under)
        config = load_config(arguments.project)
        strict = getattr(arguments, "strict", False)
        if command == "build" and getattr(arguments, "output", None):
            config = replace(config, output_dir=arguments.output.resolve())
        report = build(config, strict=strict, write=command == "build")
    except ExplainerError as error:
        print(f"error: {error}".replace("\n", "\nerror: "), file=sys.stderr)
        return 1
    _print_warnings(report.warnings)
    if command == "build":
        print(
            f"built {report.pages} pages in {len(report.languages)} languages "
            f"({', '.join(report.languages)}): {report.files} files in {config.output_dir}"
        )
    else:
        print(f"checked {report.pages} pages in {len(report.languages)} languages: no problems")
    return 0
