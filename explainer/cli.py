"""Command line: ``python build.py [build|check|status|review|serve|models|languages] ...``.

An ``ExplainerError`` is printed as one clear message and exits 1; any other
exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .build import build, check, status
from .config import load_config
from .errors import ExplainerError, count
from .model import State
from .models_command import add_models_command, run_models
from .models_command import print_routes as _print_routes
from .write.generations import output_path

if TYPE_CHECKING:
    from .translate.stage import Progress


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
    _add_build_commands(commands)
    _add_review_command(commands)
    _add_languages_command(commands)
    _add_serve_command(commands)
    add_models_command(commands)
    return parser


def _add_build_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """build, check and status."""
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
        "--jobs", type=int, metavar="N", help="use N processes on a large site (default: one per core)"
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
        description="Count the segments of every page in every language: reviewed (approved by a reviewer on "
        "record), translated (by a person, not reviewed), machine, stale (outdated) and missing (shown in French).",
    )
    status_parser.add_argument(
        "--fail-under",
        type=float,
        metavar="PERCENT",
        help="exit 1 if any language has less than PERCENT of its segments reviewed",
    )


def _add_review_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """review: approve translations in a PO file."""
    review_parser = commands.add_parser(
        "review",
        help="approve translations in a PO file, recording the reviewer in each entry",
        description="With --by, record NAME <EMAIL> and today's date as the reviewer of the entries given "
        "(--entry LINE, the line of an entry's msgid, repeatable) or of every entry translated by a person "
        "(--all), in a '# reviewed-by:' comment. Machine, outdated and empty entries are refused. "
        "Without --by, list the entries with their lines and states.",
    )
    review_parser.add_argument("file", type=Path, metavar="PO_FILE", help="a content PO file under i18n/")
    review_parser.add_argument("--by", metavar='"NAME <EMAIL>"', help="the reviewer, as in a PO file's Last-Translator")
    which = review_parser.add_mutually_exclusive_group()
    which.add_argument("--entry", type=int, action="append", metavar="LINE", help="the line of the entry's msgid")
    which.add_argument("--all", action="store_true", help="every entry translated by a person and not yet reviewed")
    review_parser.add_argument(
        "--date", type=datetime.date.fromisoformat, metavar="YYYY-MM-DD", help="the day of the review (default: today)"
    )


def _add_languages_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """languages add and languages list."""
    languages_parser = commands.add_parser(
        "languages",
        help="add a language, or show each language's progress and whether it is open to readers",
        description="python build.py languages add CODE | python build.py languages list. A language is added "
        "as a preview (built, kept out of search engines, linked from nowhere); it opens to readers once "
        "its share of translated text meets its language_threshold (see docs/languages.md).",
    )
    language_commands = languages_parser.add_subparsers(dest="languages_command", metavar="ACTION", required=True)
    add_parser = language_commands.add_parser(
        "add",
        help="add a language (a BCP 47 code CLDR knows: pt, pt-BR, zh-Hant) as a preview",
        description="Add CODE to explainer.toml as a preview language and create its interface catalog "
        "(i18n/CODE/LC_MESSAGES/messages.po) from i18n/messages.pot. The next build creates its "
        "translation memory files.",
    )
    add_parser.add_argument("code", metavar="CODE", help="a language code such as pt, pt-BR or zh-Hant")
    language_commands.add_parser("list", help="each language: translated share, threshold, live or preview")


def _add_serve_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """serve: the live preview."""
    serve_parser = commands.add_parser(
        "serve",
        help="preview the site on 127.0.0.1, rebuilding and reloading the browser on every change",
        description="Build a preview into .cache/preview from the translation memory (no machine translation), "
        "serve it on 127.0.0.1, and rebuild on any change under content/, templates/ or i18n/. Open tabs "
        "reload by themselves; build errors show in the terminal and in the page.",
    )
    serve_parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0 = any free)")
    serve_parser.add_argument("--language", metavar="LANG", help="preview only this language (and the French)")


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


def _print_warnings(warnings: tuple[object, ...]) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _status(project: Path, fail_under: float | None) -> int:
    config = load_config(project)
    translated_pages = status(config)  # the build, stopped after translation; no engine runs
    states = (State.REVIEWED, State.TRANSLATED, State.MACHINE, State.STALE, State.MISSING)
    header = f"{'language':<9} {'page':<28} " + " ".join(f"{s.value:>10}" for s in states)
    print(header)
    worst = 100.0
    for language in config.target_languages:
        totals = dict.fromkeys(states, 0)
        for translated in translated_pages:
            if translated.language != language.code:
                continue
            counts = translated.counts()
            for state in states:
                totals[state] += counts[state]
            name = "/" + translated.page.path
            print(f"{language.code:<9} {name:<28} " + " ".join(f"{counts[s]:>10}" for s in states))
        total = sum(totals.values()) or 1
        reviewed = 100.0 * totals[State.REVIEWED] / total
        by_people = 100.0 * (totals[State.REVIEWED] + totals[State.TRANSLATED]) / total
        worst = min(worst, reviewed)
        print(
            f"{language.code:<9} {'all pages':<28} "
            + " ".join(f"{totals[s]:>10}" for s in states)
            + f"   {reviewed:.1f}% reviewed, {by_people:.1f}% by people"
        )
    print("machine translation routes:")
    _print_routes(config)
    if fail_under is not None and worst < fail_under:
        print(f"error: a language has {worst:.1f}% of its segments reviewed, under {fail_under}%", file=sys.stderr)
        return 1
    return 0


def _review(arguments: argparse.Namespace) -> int:
    from .errors import Problem, ReviewError, relative
    from .fsutil import write_files
    from .translate.memory import (
        parse_reviewer,
        read_catalog,
        render_catalog,
        review_catalog,
        reviewable_entries,
    )

    config = load_config(arguments.project)
    path = arguments.file.resolve()
    shown = relative(path, config.root)
    parts = Path(relative(path, config.i18n_dir)).parts
    codes = [language.code for language in config.target_languages]
    if len(parts) < 3 or parts[0] not in codes or parts[1] != "content":
        raise ReviewError(
            [Problem(shown, 0, "not a content translation memory: give i18n/<language>/content/<page>.po")]
        )
    catalog = read_catalog(path, config.root, parts[0])
    if catalog is None:
        raise ReviewError([Problem(shown, 0, "no such file")])
    if arguments.by is None:
        if arguments.entry or arguments.all:
            raise ReviewError([Problem(shown, 0, 'say who reviews: --by "Name <email>"')])
        for entry in reviewable_entries(catalog):
            print(f"{shown}:{entry.line}: {entry.state.value}: {str(entry.message.id)[:70]}")
        return 0
    if not arguments.entry and not arguments.all:
        raise ReviewError([Problem(shown, 0, "say what to approve: --entry LINE (repeatable) or --all")])
    name, email = parse_reviewer(arguments.by)
    outcome = review_catalog(
        catalog, shown, name, email, arguments.date or datetime.date.today(), None if arguments.all else arguments.entry
    )
    if outcome.approved:
        try:
            write_files({path: render_catalog(catalog)})
        except OSError as error:
            raise ReviewError(
                [Problem(shown, 0, f"cannot write this file ({error.strerror}); no entry was approved")]
            ) from None
    for problem in outcome.refused:
        print(f"warning: {problem}", file=sys.stderr)
    print(
        f"{shown}: {count(len(outcome.approved), 'entry', 'entries')} approved by {name}"
        + (f", {len(outcome.already)} already reviewed" if outcome.already else "")
        + (f", {len(outcome.refused)} refused" if outcome.refused else "")
    )
    return 1 if outcome.refused and not arguments.all else 0


def _languages(arguments: argparse.Namespace) -> int:
    from .languages import add_language, language_progress

    if arguments.languages_command == "add":
        for line in add_language(arguments.project.resolve(), arguments.code):
            print(line)
        return 0
    config = load_config(arguments.project)
    print(f"{'language':<10} {'name':<20} {'translated':>10} {'threshold':>10}  status")
    for language in language_progress(config):
        print(
            f"{language.code:<10} {language.name:<20} {language.translated:>9.1f}% {language.threshold:>9.1f}%  "
            f"{language.status}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    # A command keeps most of what it makes until it ends (the last build's state, the site's
    # records): the collector's full passes over all of it found a few thousand objects at a tenth
    # of an edit's time (a second of a cold build's). They come a hundred times less often here.
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], FULL_COLLECTION_EVERY)
    try:
        return _main(argv)
    finally:
        gc.set_threshold(*thresholds)


FULL_COLLECTION_EVERY = 1000  # collections of the middle generation (Python's default: 10)


def run() -> None:
    """The command line as a program (``build.py``, ``python -m explainer``, ``explainer``): ``main``,
    then exit with its status."""
    status = main()
    # What the command kept is left to the process's end: the interpreter's last collection, at exit,
    # walked all of it (about 75 ms of a 1,000-page edit's 1.4 s, measured from the command's end
    # to the process's).
    gc.freeze()
    sys.exit(status)


def _main(argv: list[str] | None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command is None:  # 'build' is the default command, with its defaults
        arguments = _parser().parse_args([*(sys.argv[1:] if argv is None else argv), "build"])
    command = arguments.command
    try:
        if command == "status":
            return _status(arguments.project, arguments.fail_under)
        if command == "review":
            from .fsutil import project_lock

            with project_lock(arguments.project.resolve()):  # a build does not write the file meanwhile
                return _review(arguments)
        if command == "languages":
            return _languages(arguments)
        if command == "models":
            return run_models(arguments.project, arguments)
        if command == "serve":
            from .serve import serve

            serve(load_config(arguments.project), arguments.port, arguments.language)
            return 0
        config = load_config(arguments.project)
        if command == "check":
            report = check(config, strict=arguments.strict)
        else:
            if arguments.output:
                config = replace(config, output_dir=output_path(arguments.output))
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
        print(f"machine-translated {count(report.machine_translated, 'segment')} (marked for review in i18n/)")
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
