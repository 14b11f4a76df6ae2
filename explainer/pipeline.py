"""The build, top to bottom: load, segment, translate, render, check, write.

This is the only module that calls several stages. Everything is read and
rendered in memory first; ``site/`` and ``i18n/`` are written only when the
whole build has succeeded.
"""

from __future__ import annotations

from .check import check_site
from .config import Config
from .content import load_content
from .errors import ContentError, Problem
from .glossary import load_glossary
from .memory import write_atomic
from .model import BuildReport
from .mt import Engine
from .render import Renderer
from .segment import segment_pages
from .site import plan_site, site_files, write_site
from .translate import Progress, translate_pages


def build(
    config: Config,
    *,
    strict: bool = False,
    write: bool = True,
    use_machine: bool = True,
    progress: Progress | None = None,
    engines: dict[str, Engine] | None = None,
) -> BuildReport:
    """Build the site of ``config`` into ``config.output_dir``.

    Returns a report with the warnings. Raises an ``ExplainerError`` subclass
    on any problem (warnings too, when ``strict``); nothing is written then.
    ``engines`` supplies machine-translation engines by name (others are made
    from the configuration).
    """
    warnings: list[Problem] = []
    pages, content_warnings = load_content(config.content_dir, config.root)
    warnings.extend(content_warnings)
    segmented = segment_pages(pages)
    glossary = load_glossary(config.i18n_dir, config.root, config.language_codes)
    translation = translate_pages(
        config, segmented, glossary, use_machine=use_machine, engines=engines, progress=progress
    )
    warnings.extend(translation.warnings)
    site_map = plan_site(config, translation.pages)
    renderer = Renderer(config, site_map, warnings)
    files = site_files(config, renderer, site_map, translation.pages)
    check_site(files, config.base_url)
    if strict and warnings:
        raise ContentError([Problem(w.path, w.line, f"{w.message} (an error under --strict)") for w in warnings])
    if write:
        for relative_path, content in sorted(translation.memory_files.items()):
            write_atomic(config.root / relative_path, content)
        write_site(config.output_dir, files)
    return BuildReport(
        pages=len(pages),
        languages=config.language_codes,
        files=len(files),
        warnings=tuple(sorted(set(warnings))),
        machine_translated=translation.machine_translated,
    )
