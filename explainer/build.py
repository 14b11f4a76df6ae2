"""The build, top to bottom: gather, translate, render, check, write, index.

This is the only module that calls several stages, and ``run`` is the only function that
calls them in order. Every command goes through it with a plan (``plan``: what to read,
translate and render again) and its options:

- ``build`` (the ``build`` command, and ``serve``'s preview without ``write_memory``): plans
  from the last build's state in the build cache, so that only what changed is redone;
  ``site/`` and ``i18n/`` are written only once the whole build has succeeded;
- ``check``: a full plan, nothing written; then the checks of ``explainer.check``;
- ``status``: a full plan, stopped after translation.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import BuildCache, last_head, last_state, memory_inputs, open_cache
from .config import Config
from .errors import CheckError, ContentError, ExplainerError, Problem, WriteError, relative
from .fsutil import file_reader, project_lock
from .inputs import check_input_links, read_inputs
from .layout import LATER_FILES, PLACES_FILE, clean_unfinished_writes, orphan_memories
from .model import BuildReport, OutputFile, Place, SegmentedPage, SiteMap, TranslatedPage
from .plan import Plan, RenderPlan, context_digest, next_state, plan, plan_render, record_units, unchanged
from .state import BuildState, SourceRecord, UnitKey, UnitRecord, state_head
from .unchanged import refuse_warnings, said_again
from .write.listing import FileStatus, Listings, held_listings, hold, holding, started_listing
from .write.output import SiteInMemory, SiteOutput, SiteWriter, check_output_folder, clean_leftovers

if TYPE_CHECKING:
    from .check.links import Scan
    from .pagecache import PageCache
    from .render.renderer import Renderer
    from .translate.glossary import Glossary
    from .translate.mt import Engine
    from .translate.stage import Progress, Translation


@dataclass(frozen=True)
class Options:
    """How to run a build (what to do is in its ``Plan``)."""

    use_machine: bool = True  # run the machine-translation engines on what the memory lacks
    engines: dict[str, Engine] | None = None  # engines by name (others are made from the configuration)
    progress: Progress | None = None
    workers: int = 1  # processes reading the memory of, and rendering, a large site
    strict: bool = False  # warnings are errors
    write: bool = True  # False: nothing is written, the files are in the result (``check``)
    write_memory: bool = True  # False: ``i18n/`` is left as it is (the preview)
    until_translation: bool = False  # stop once every page is translated (``status``)
    # The new site is put in place with the last one's search index, made again after (the preview's).
    index_later: bool = False


@dataclass(frozen=True)
class Result:
    """What a build did and made."""

    report: BuildReport
    translated: tuple[TranslatedPage, ...] = ()  # the pages read, in every language
    segmented: tuple[SegmentedPage, ...] = ()  # the pages read
    glossary: Glossary | None = None
    files: tuple[OutputFile, ...] = ()  # the site, when it was not written, sorted by path
    live: tuple[str, ...] = ()  # the languages open to readers
    state: BuildState | None = None  # what the next build needs of this one, for the build cache
    scans: dict[str, Scan] = field(default_factory=dict)  # scans of new files, by content hash
    index_outdated: bool = False  # the site in place has the last one's search index (``Options.index_later``)
    listings: Listings | None = None  # of the two generations this build left, for ``write.listing.hold``


def run(
    config: Config,
    the_plan: Plan,
    options: Options,
    store: BuildCache | None = None,
    standby_files: Mapping[str, FileStatus] | Callable[[], Mapping[str, FileStatus] | None] | None = None,
) -> Result:
    """Do what ``the_plan`` says: read, translate, render, check, write and index.

    Returns what was done and, unless ``options.write``, the files. Raises an ``ExplainerError``
    subclass on any problem (warnings too, under ``options.strict``); nothing is written then.
    ``standby_files``: the files of the generation to write, as the last build left them (held), or
    a function giving them as listed meanwhile (None: not known; listed before the first write).
    """
    if the_plan.nothing_changed:
        return _unchanged(config, the_plan, options)
    # Reading, translating, rendering, checking (YAML, Babel, Jinja...): not loaded when nothing changed.
    from .check.links import check_links
    from .render.site import plan_site
    from .translate.glossary import load_glossary
    from .translate.stage import translate_pages

    # Gather: the pages whose inputs changed (every page without a last build), and the glossary.
    segmented, read_warnings = _read(config, the_plan, the_plan.to_read, options.workers)
    glossary = load_glossary(config.i18n_dir, config.root, config.language_codes, config.source_language)
    # Translate: the memory first, the engines for what it lacks, the French as the last resort.
    translation = translate_pages(
        config, segmented, glossary, options.use_machine, options.engines, options.progress, options.workers
    )
    # Each page is keyed by its memory file as the next build will find it: as written, or, when the
    # memory is not written (the preview), as read (else every page edited since would be translated
    # again by every build after).
    memory_hashes = translation.memory_hashes if options.write_memory else translation.memory_read_hashes
    units = record_units(the_plan, translation.pages, memory_hashes, read_warnings + translation.warnings)
    warnings = [*units.warnings, *orphan_memories(config, [source.address for source in the_plan.inputs.files])]
    if options.until_translation:
        return Result(_report(config, the_plan, warnings), translation.pages, segmented, glossary)
    # Render what is published and not already in the current site as it would be rendered now.
    site_map = plan_site(config, [unit.info for unit in units.units.values()])
    renderer = _renderer(config, the_plan, glossary, site_map, options, store)
    context = context_digest(site_map, renderer.places)
    rendering = plan_render(the_plan, units.units, site_map, context, renderer.template_inputs("compare.html"))
    output = SiteWriter(config.output_dir, the_plan.intact, standby_files) if options.write else SiteInMemory()
    pages = list(translation.pages)  # a written site's pages are let go once rendered (``_render``)
    translation, segmented = (replace(translation, pages=()), ()) if options.write else (translation, segmented)
    try:
        rendered = _render(config, the_plan, rendering, pages, glossary, renderer, output, options, store)
        warnings.extend(rendered.warnings)
        # Check the links and anchors of what changed (of everything, when what links point at changed),
        # with the scans stored of the other files (read from the current site where one was lost).
        stored, read = store.scans if store is not None else (lambda hashes: {}), file_reader(config.output_dir)
        keys = store.scan_keys if store is not None else None
        previous = the_plan.previous_outputs
        check_links(config.base_url, output.hashes, rendered.fresh, previous, stored, read, rendered.unchanged, keys)
        if options.strict:
            refuse_warnings(warnings)
    except BaseException:
        if isinstance(output, SiteWriter):
            output.discard()
        raise
    report = _report(config, the_plan, warnings, translation.machine_translated, len(output.hashes))
    report = replace(report, notes=(*report.notes, *rendered.notes))
    if isinstance(output, SiteInMemory):
        return Result(report, translation.pages, segmented, glossary, output.files, site_map.live)
    # Write the memory, then the site: a new folder, indexed for search, swapped in whole.
    memory = translation.memory_files if options.write_memory else {}
    saved = _write(config, the_plan, output, memory, rendered, units.sources, translation, options.index_later)
    report = replace(
        report,
        warnings=tuple(sorted({*report.warnings, *saved.warnings})),
        site_changed=saved.site_changed,
        memory_files_written=saved.memory_files_written,
        files_written=len(output.changed),
    )
    outdated = saved.site_changed and config.search and options.index_later
    listings = _listings(config, the_plan, output, saved) if holding() else None
    return Result(
        report,
        glossary=glossary,
        live=site_map.live,
        state=saved.state,
        scans=saved.scans,
        index_outdated=outdated,
        listings=listings,
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
    cache: bool = True,
    write_memory: bool = True,
    site_ready: Callable[[BuildReport], None] | None = None,
) -> BuildReport:
    """Build the site of ``config`` into ``config.output_dir`` and update ``i18n/``.

    Returns a report with the warnings. Raises an ``ExplainerError`` subclass
    on any problem (warnings too, when ``strict``); nothing is written then.
    ``engines`` supplies machine-translation engines by name (others are made
    from the configuration). Two builds of one project never run at once: the
    second waits up to ``lock_wait`` seconds. A large site is translated and rendered by
    ``jobs`` processes (default: one per core); the output is the same whatever the number.

    With ``cache`` (the default), what the last build did is kept in ``.cache/``:
    pages whose inputs did not change are not read, translated or rendered again,
    and a build with nothing changed writes nothing. The output is the same as
    without it.

    Without ``write_memory`` (the preview), ``i18n/`` is left as it is: new or
    changed French is shown as such, from the memory as it was.

    ``site_ready`` is called with the report once the new site is in place, before the build cache
    is saved (the preview tells its tabs to reload then). It is not called when the build fails.
    With it, a site with search is put in place with the last site's search index, and its own is
    made after ``site_ready`` returns (see ``write.search``); a failure to make it raises
    ``SearchError`` then, and the next build makes it again.
    """
    if jobs is not None and jobs < 1:
        raise ExplainerError(f"--jobs {jobs}: the number of processes must be 1 or more")
    workers = jobs or os.cpu_count() or 1
    options = Options(
        use_machine,
        engines,
        progress,
        workers,
        strict,
        write=True,
        write_memory=write_memory,
        index_later=site_ready is not None,
    )
    check_output_folder(config)  # before anything is written, the lock file included
    with project_lock(config.root, wait=lock_wait):
        check_output_folder(config)  # again: another build may have changed it while this one waited
        leftovers = clean_leftovers(config.output_dir, config.root) + clean_unfinished_writes(config)
        check_input_links(config)
        with open_cache(config.root, cache) as store:
            try:
                result = _from_last_build(config, store, options)
            except BaseException:
                hold(config.output_dir, None)  # what the build wrote before it failed is not known
                raise
            if site_ready is not None:
                site_ready(result.report)
            unindexed = _index_now(config) if result.index_outdated else None
            if store is not None and result.state is not None:
                # The site is built: a cache that cannot be written only makes the next build a cold one.
                with contextlib.suppress(OSError, sqlite3.Error):
                    store.save(result.state, result.scans)
                hold(config.output_dir, result.listings)
            notes = tuple(store.notes) if store is not None else ()
    if unindexed is not None:
        raise unindexed
    report = result.report
    return replace(report, warnings=tuple(sorted({*report.warnings, *leftovers})), notes=(*report.notes, *notes))


def build_in_memory(config: Config, *, use_machine: bool = False, jobs: int | None = None) -> Result:
    """Every page read, translated, rendered and link-checked; nothing written. Raises as ``run``."""
    check_input_links(config)
    options = Options(use_machine=use_machine, workers=jobs or os.cpu_count() or 1, write=False)
    return run(config, _full_plan(config, use_machine), options)


def check(config: Config, *, strict: bool = False, use_machine: bool = False) -> BuildReport:
    """Everything an editor checks before pushing; writes nothing to the project.

    Builds in memory (links, anchors, hreflang, leftovers), then runs every check of
    ``explainer.check`` (lint of the memory, provenance of every visible string,
    translate-toolkit's quality checks, HTML validity). Raises ``CheckError`` listing
    every problem.
    """
    from .check import CheckedSite, run_checks

    built = build_in_memory(config, use_machine=use_machine)
    assert built.glossary is not None  # read by every build that renders
    site = CheckedSite(config, built.files, built.segmented, built.translated, built.glossary, built.live)
    findings = run_checks(site)
    if findings.errors:
        raise CheckError(findings.errors)
    warnings = [*built.report.warnings, *findings.warnings]
    if strict:
        refuse_warnings(warnings)
    return replace(built.report, warnings=tuple(sorted(set(warnings))), notes=findings.notes)


def status(config: Config) -> tuple[TranslatedPage, ...]:
    """Every page in every language, as the memory has it (no engine runs): the build stopped
    after translation, nothing written. Raises as ``run``."""
    check_input_links(config)
    options = Options(use_machine=False, workers=os.cpu_count() or 1, write=False, until_translation=True)
    return run(config, _full_plan(config, use_machine=False), options).translated


# -- the steps ---------------------------------------------------------------------------------


def _index_now(config: Config) -> ExplainerError | None:
    """Make the search index of the site in place (put there with the last one's); the error, if that fails."""
    from .write.search import SearchError, previous_index, refresh_index

    try:
        refresh_index(config.output_dir, previous_index(config.output_dir))
    except SearchError as error:
        return error
    return None


def _full_plan(config: Config, use_machine: bool) -> Plan:
    return plan(None, read_inputs(config, None, use_machine))


def _from_last_build(config: Config, store: BuildCache | None, options: Options) -> Result:
    """Build from the last build's state, from its head alone when nothing changed."""
    # The site is listed (to find what was changed in it since) while the head is read and inputs hashed.
    with started_listing(config.output_dir, LATER_FILES) as listing:
        head = last_head(store, config.output_dir)
        # The preview holds the listings its last build left: the site is not listed again.
        held = held_listings(config.output_dir, head.saved_at) if head is not None else None
        if held is not None:
            listing.known(dict(held.live_files))
        inputs = read_inputs(config, head, options.use_machine, listing.result)
        if head is not None and unchanged(head, inputs):
            return Result(said_again(config, inputs, head, options.strict))
        previous = last_state(store, config.output_dir, head)
        if previous is None and head is not None:  # the rest of the state was lost: a cold build
            inputs = read_inputs(config, None, options.use_machine)
        # The generation to write: as held, or as listed meanwhile by the child that listed the site.
        standby = held.standby_files if held is not None else listing.standby_files
        return run(config, plan(previous, inputs), options, store, standby)


def _listings(config: Config, the_plan: Plan, output: SiteWriter, saved: _Saved) -> Listings | None:
    """The listings of the two generations this build left: the live one's files as written, and the
    other's as listed when the build began, if it was the live one then (the build did not write it),
    or as the live one's if the build made it of hard links to them (the same files)."""
    try:
        live = os.readlink(config.output_dir)
    except OSError:
        return None  # not a link to a generation (a site of an older version)
    if not saved.site_changed:
        return Listings(saved.state.saved_at, live, the_plan.inputs.site, None)
    was_live = output.kept_last_live and the_plan.previous is not None  # and listed when the build began
    standby = saved.statuses if output.primed else the_plan.inputs.site if was_live else None
    return Listings(saved.state.saved_at, live, saved.statuses, standby)


def _unchanged(config: Config, the_plan: Plan, options: Options) -> Result:
    """Nothing changed, as ``plan`` found from the whole state: ``said_again``; the state refreshed
    if input files had to be read to know it (``Plan.refreshed_state``)."""
    assert the_plan.previous is not None  # a plan with no last build has everything to do
    report = said_again(config, the_plan.inputs, state_head(the_plan.previous), options.strict)
    return Result(report, state=the_plan.refreshed_state(time.time_ns()))


def _read(
    config: Config, the_plan: Plan, wanted: frozenset[Path], workers: int = 1
) -> tuple[tuple[SegmentedPage, ...], tuple[Problem, ...]]:
    """Read and segment the pages of the ``wanted`` content files, with the warnings (segmented
    across ``workers`` processes when there are many)."""
    if not wanted and the_plan.inputs.files:
        return (), ()  # Markdown is not even loaded
    from .load.content import load_content
    from .translate.segment import segment_pages

    files = [source.file for source in the_plan.inputs.files]
    pages, warnings = load_content(config.content_dir, config.root, wanted=wanted.__contains__, files=files)
    return segment_pages(pages, workers), warnings


@dataclass(frozen=True)
class _Rendered:
    units: dict[UnitKey, UnitRecord]  # the pages rendered now, with their files
    site_wide: dict[str, str]  # site-wide file -> the key of what it shows
    fresh: dict[str, Scan]  # files not in the current site as they are, scanned for the link check
    unchanged: dict[str, Scan]  # files rendered again as the current site has them, scanned too
    # The renderer's warnings (UI catalogs, the glossary): said again by a build with nothing changed.
    warnings: tuple[Problem, ...]
    notes: tuple[str, ...] = ()  # the segment cache's


def _renderer(
    config: Config, the_plan: Plan, glossary: Glossary, site_map: SiteMap, options: Options, store: BuildCache | None
) -> Renderer:
    """The renderer of this build (Jinja and Markdown: not loaded when nothing changed), with the
    map's places, the segment cache of the builds that write (``check`` writes nothing), and the
    templates folder as hashed when the build began."""
    from .render.renderer import Renderer
    from .render.segcache import SegmentCache

    places = _places(config, glossary, site_map)
    segment_cache = SegmentCache(config.root) if store is not None and options.write else None
    templates = the_plan.inputs.templates
    return Renderer(
        config, site_map, places=places, glossary=glossary, segment_cache=segment_cache, templates=templates
    )


def _render(
    config: Config,
    the_plan: Plan,
    rendering: RenderPlan,
    translated_pages: list[TranslatedPage],
    glossary: Glossary,
    renderer: Renderer,
    output: SiteOutput,
    options: Options,
    store: BuildCache | None,
) -> _Rendered:
    """Render the pages of ``rendering`` and the site-wide files whose data changed into ``output``;
    carry over the rest. Converted Markdown, translated pages and dashboard rows are kept beside
    ``store``'s state by builds that write (``check`` writes nothing). ``translated_pages`` is
    emptied: the pages are let go once rendered, before the site-wide files."""
    from .pagecache import PageCache

    page_cache = PageCache(config.root) if store is not None and options.write else None
    for unit in rendering.units.values():
        for path, content_hash in unit.outputs:
            output.carry(path, content_hash)
    taken = _Taken(output)
    read = lambda files: _read(config, the_plan, files, options.workers)[0]  # noqa: E731
    notes = _render_pages(config, rendering, translated_pages, glossary, renderer, page_cache, read, options, taken)
    site_wide = _render_site_wide(config, rendering, renderer, store, taken, options.workers)
    warnings = (*glossary.unset_warnings(), *renderer.warnings)
    return _Rendered(rendering.with_outputs(output.hashes), site_wide, taken.fresh, taken.unchanged, warnings, notes)


@dataclass
class _Taken:
    """The files rendered into a build's output, each with its scan for the link check."""

    output: SiteOutput
    fresh: dict[str, Scan] = field(default_factory=dict)  # not in the current site as they are
    unchanged: dict[str, Scan] = field(default_factory=dict)  # rendered again as the current site has them

    def take(self, file: OutputFile, scan: Scan) -> None:
        (self.fresh if self.output.take(file) else self.unchanged)[file.path] = scan

    @staticmethod
    def scan(file: OutputFile) -> Scan:
        """Every file is scanned while it is in memory: the check never reads back a file it rendered.
        The scan's keys are made with it, where the file was rendered (a page's in its render worker)."""
        from .check.links import scan_file

        scan = scan_file(file.path, file.content, file.pieces, file.text)
        _ = scan.keys  # made here, and sent with the scan
        return scan


def _render_pages(
    config: Config,
    rendering: RenderPlan,
    translated_pages: list[TranslatedPage],
    glossary: Glossary,
    renderer: Renderer,
    page_cache: PageCache | None,
    read: Callable[[frozenset[Path]], tuple[SegmentedPage, ...]],
    options: Options,
    taken: _Taken,
) -> tuple[str, ...]:
    """Render the pages of ``rendering``: translated now (``translated_pages``, emptied), or carried
    over and taken from ``page_cache`` (or read again by ``read``); save the segment and page caches.
    Returns their notes."""
    from .pagecache import CachedPage, read_again, reread_pages
    from .render.site import render_pages

    translated: dict[UnitKey, TranslatedPage | CachedPage] = {
        (page.page.path, page.language): page for page in translated_pages
    }
    translated_pages.clear()
    translated.update(reread_pages(config, rendering, glossary, page_cache, read))
    to_render = tuple(translated[key] for key in rendering.to_render)
    renderer.page_digests = {key: rendering.units[key].info.digest for key in rendering.to_render}
    views = tuple(key not in rendering.pages_only for key in rendering.to_render)
    unreadable = render_pages(renderer, to_render, views, options.workers, on_file=taken.take, inspect=taken.scan)
    del to_render
    if unreadable:
        # Entries of the page cache that did not decode as their pages: those pages read again.
        lost = [rendering.to_render[index] for index in unreadable]
        assert page_cache is not None  # only the page cache gives pages to decode
        page_cache.unreadable(lost, next(iter(unreadable.values())))
        addresses = {address for address, _ in lost}
        files = frozenset(source.file for source in rendering.plan.inputs.files if source.address in addresses)
        again = read_again(config, glossary, read, files)
        translated.update(again)
        views = tuple(key not in rendering.pages_only for key in lost)
        render_pages(renderer, tuple(again[key] for key in lost), views, 1, on_file=taken.take, inspect=taken.scan)
    rendered_now = set(rendering.to_render)
    carried = any(unit.outputs for key, unit in rendering.units.items() if key not in rendered_now)
    every_page = not carried and not rendering.pages_only
    segment_cache = renderer.segment_cache
    notes = segment_cache.save(every_page) if segment_cache is not None else ()
    return notes + (page_cache.save(rendering.units, translated) if page_cache is not None else ())


def _render_site_wide(
    config: Config,
    rendering: RenderPlan,
    renderer: Renderer,
    store: BuildCache | None,
    taken: _Taken,
    workers: int = 1,
) -> dict[str, str]:
    """Render the site-wide files whose data changed (those made apart in another process while
    this one makes the others, with ``workers`` > 1), carry over the rest; returns the key of each."""
    from .render.lists import site_wide_files
    from .render.rows import RowCache, row_inputs
    from .render.site import made_apart

    site_wide: dict[str, str] = {}
    infos = [unit.info for unit in rendering.units.values()]
    with contextlib.closing(RowCache(store.folder if store else None, row_inputs(renderer))) as rows:
        keyed = []
        for wide in site_wide_files(config, renderer.site_map, infos, rows):
            templates = renderer.template_inputs(*wide.templates) if wide.templates is not None else None
            named_by_content = wide.path if wide.named_by_content else None
            site_wide[wide.path] = rendering.site_wide_key(wide.data_key, named_by_content, templates)
            keyed.append((wide, rendering.kept_site_wide(wide.path, site_wide[wide.path])))
        apart = [wide for wide, kept in keyed if kept is None and wide.apart]
        with made_apart(renderer, tuple(wide.make for wide in apart), workers) as made_there:
            for wide, kept in keyed:
                if kept is not None:
                    taken.output.carry(wide.path, kept)
                else:
                    made = made_there(apart.index(wide)) if wide.apart else wide.make(renderer)
                    taken.take(made, taken.scan(made))
    return site_wide


def _places(config: Config, glossary: Glossary, site_map: SiteMap) -> tuple[Place, ...]:
    """The places of the map, read and checked against the planned site; raises ``ContentError``."""
    from .load.data import load_places
    from .render.placemap import check_places

    path = config.content_dir / PLACES_FILE
    places = load_places(path, config.root)
    problems = check_places(places, relative(path, config.root), glossary, site_map)
    if problems:
        raise ContentError(problems)
    return places


def _report(
    config: Config, the_plan: Plan, warnings: Sequence[Problem], machine_translated: int = 0, outputs: int = 0
) -> BuildReport:
    return BuildReport(
        pages=len(the_plan.inputs.files),
        languages=config.language_codes,
        files=outputs,
        warnings=tuple(sorted(set(warnings))),
        machine_translated=machine_translated,
    )


@dataclass(frozen=True)
class _Saved:
    site_changed: bool
    memory_files_written: int
    warnings: tuple[Problem, ...]
    state: BuildState  # for the next build
    scans: dict[str, Scan]  # of the new files, by content hash
    statuses: dict[str, FileStatus]  # every file of the site in place, as written


def _write(
    config: Config,
    the_plan: Plan,
    output: SiteWriter,
    memory: dict[str, bytes],
    rendered: _Rendered,
    sources: dict[str, SourceRecord],
    translation: Translation,
    index_later: bool,
) -> _Saved:
    """Write the PO files that changed, all or none, then swap the new site in: indexed for search
    first, or (``index_later``) with the current site's index, to be made again once it is in place."""
    from .translate.memory import write_memory
    from .write.search import carry_index, index_site

    try:
        memory_written = write_memory(config, memory)
    except WriteError:
        output.discard()
        raise
    index = functools.partial(carry_index, config.output_dir) if index_later else index_site
    site = output.finish(the_plan.inputs.site, index if config.search else None, the_plan.inputs.search_ready)
    state = next_state(
        the_plan,
        str(config.output_dir),
        rendered.units,
        sources,
        rendered.site_wide,
        output.hashes,
        site.statuses,
        rendered.warnings,
        memory_inputs(config.root, memory, memory_written, translation.memory_kept, translation.memory_hashes),
        time.time_ns(),
    )
    scans = {output.hashes[path]: scan for path, scan in (rendered.fresh | rendered.unchanged).items()}
    return _Saved(site.site_changed, len(memory_written), site.warnings, state, scans, site.statuses)
