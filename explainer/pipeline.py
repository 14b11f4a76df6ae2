"""The build, top to bottom: load, segment, translate, render, check, write.

This is the only module that calls several stages. Everything is read and
rendered in memory first; ``site/`` and ``i18n/`` are written only when the
whole build has succeeded.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .check import LATER_FILES, check_site
from .config import Config
from .content import load_content
from .errors import CheckError, ContentError, Problem
from .fsutil import project_lock
from .glossary import Glossary, load_glossary
from .lint import lint_memory
from .memory import write_atomic
from .model import BuildReport, OutputFile, SegmentedPage
from .mt import Engine
from .render import Renderer
from .search import index_site
from .segment import segment_pages
from .site import clean_leftovers, plan_site, site_files, unchanged, write_site
from .translate import Progress, translate_pages
from .validate import find_validator, validate_html


@dataclass(frozen=True)
class _Built:
    pages: int
    files: list[OutputFile]
    memory_files: dict[str, bytes]
    warnings: list[Problem]
    machine_translated: int
    segmented: tuple[SegmentedPage, ...]
    glossary: Glossary


def _build_in_memory(
    config: Config,
    use_machine: bool,
    progress: Progress | None,
    engines: dict[str, Engine] | None,
    jobs: int | None = None,
) -> _Built:
    """Every stage up to the checks of the output; nothing is written."""
    warnings: list[Problem] = []
    pages, content_warnings = load_content(config.content_dir, config.root)
    warnings.extend(content_warnings)
    segmented = segment_pages(pages)
    glossary = load_glossary(config.i18n_dir, config.root, config.language_codes, config.source_language)
    translation = translate_pages(
        config, segmented, glossary, use_machine=use_machine, engines=engines, progress=progress
    )
    warnings.extend(translation.warnings)
    site_map = plan_site(config, translation.pages)
    renderer = Renderer(config, site_map, warnings)
    files = site_files(config, renderer, site_map, translation.pages, workers=jobs or os.cpu_count() or 1)
    check_site(files, config.base_url)
    return _Built(
        len(pages), files, translation.memory_files, warnings, translation.machine_translated, segmented, glossary
    )


def _strict(warnings: list[Problem]) -> None:
    if warnings:
        raise ContentError([Problem(w.path, w.line, f"{w.message} (an error under --strict)") for w in warnings])


def _report(
    config: Config, built: _Built, notes: tuple[str, ...] = (), changed: tuple[bool, int] = (True, 0)
) -> BuildReport:
    return BuildReport(
        pages=built.pages,
        languages=config.language_codes,
        files=len(built.files),
        warnings=tuple(sorted(set(built.warnings))),
        machine_translated=built.machine_translated,
        notes=notes,
        site_changed=changed[0],
        memory_files_written=changed[1],
    )


def build(
    config: Config,
    *,
    strict: bool = False,
    use_machine: bool = True,
    progress: Progress | None = None,
    engines: dict[str, Engine] | None = None,
    lock_wait: float = 600.0,
    jobs: int | None = None,
) -> BuildReport:
    """Build the site of ``config`` into ``config.output_dir`` and update ``i18n/``.

    Returns a report with the warnings. Raises an ``ExplainerError`` subclass
    on any problem (warnings too, when ``strict``); nothing is written then.
    ``engines`` supplies machine-translation engines by name (others are made
    from the configuration). Two builds of one project never run at once: the
    second waits up to ``lock_wait`` seconds. A large site is rendered by ``jobs``
    processes (default: one per core); the output is the same whatever the number.
    """
    with project_lock(config.root, wait=lock_wait):
        built = _build_in_memory(config, use_machine, progress, engines, jobs)
        if strict:
            _strict(built.warnings)
        memory_written = [
            relative_path
            for relative_path, content in sorted(built.memory_files.items())
            if write_atomic(config.root / relative_path, content)
        ]
        # Nothing changed: the site is left as it is, not rewritten (the search index is made from the
        # pages, so identical pages mean an identical index).
        clean_leftovers(config.output_dir)
        site_changed = not unchanged(config.output_dir, built.files, LATER_FILES if config.search else ()) or (
            config.search and not (config.output_dir / "pagefind").is_dir()
        )
        if site_changed:
            write_site(config.output_dir, built.files, finish=index_site if config.search else None)
    return _report(config, built, changed=(site_changed, len(memory_written)))


def check(config: Config, *, strict: bool = False, use_machine: bool = False) -> BuildReport:
    """Everything an editor checks before pushing; writes nothing to the project.

    Builds in memory (links, anchors, hreflang, leftovers), lints the memory
    (placeholders, UI catalogs, glossary use) and validates the HTML where the
    Nu validator is installed. Raises ``CheckError`` listing every problem.
    """
    built = _build_in_memory(config, use_machine, None, None)
    errors, warnings = lint_memory(config, built.segmented, built.glossary)
    built.warnings.extend(warnings)
    notes: list[str] = []
    validator = find_validator(config.root)
    if validator is None:
        notes.append("HTML validity: skipped (install a JRE and `npm install vnu-jar` to check it)")
    else:
        with tempfile.TemporaryDirectory() as scratch:
            site_dir = Path(scratch) / "site"
            write_site(site_dir, built.files)
            html_problems = validate_html(validator, site_dir)
        errors.extend(html_problems)
        notes.append(
            f"HTML validity: {len(html_problems)} errors in {sum(f.path.endswith('.html') for f in built.files)} pages"
        )
    if errors:
        raise CheckError(errors)
    if strict:
        _strict(built.warnings)
    return _report(config, built, tuple(notes))
