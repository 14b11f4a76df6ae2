"""What a build must do: decided from what the last build left and the inputs as they are now.

Pure: no disk, no clock. ``inputs.read_inputs`` hashes the inputs (``Inputs``); ``plan``
compares them with the last build's state (``cache.BuildState``) and returns a ``Plan``:
the pages to read and translate, the pages in each language carried over as they were,
the files of the current site that are as the last build left them, and whether nothing
changed at all. What is rendered depends on what translation gives (which pages are
published, what they link to), so ``plan_render`` decides it once the pages are
translated; ``next_state`` is what the build saves for the next one.

Every key is a hash of what a result depends on: a page (``page_key``: its sources and
everything every page depends on), a page in one language (``unit_key``: its page and
its translation memory), its rendered files (``render_key``: what the page shows, the
templates and catalogs, and what it shows of other pages, ``context_digest``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import Problem
from .fsutil import digest
from .inputs import Inputs, SourceFile
from .model import Place, SiteMap, State, TranslatedPage, page_info
from .state import (
    BuildState,
    InputRecord,
    OutputRecord,
    SourceRecord,
    StateHead,
    UnitKey,
    UnitRecord,
    site_digest,
    unit_digest,
)
from .urls import page_dir
from .write.listing import FileStatus


@dataclass(frozen=True)
class Plan:
    """What a build reads, translates and carries over."""

    inputs: Inputs
    previous: BuildState | None
    to_read: frozenset[Path]  # content files to read, segment and translate
    kept: Mapping[UnitKey, UnitRecord]  # pages, in each language, carried over as they were
    intact: Mapping[str, str]  # site path -> hash: files of the current site as the last build left them
    nothing_changed: bool  # nothing to read, render, check or write

    @property
    def previous_outputs(self) -> dict[str, str] | None:
        """Every file of the last build's site with its hash (None: no last build)."""
        if self.previous is None:
            return None
        return {path: record.hash for path, record in self.previous.outputs.items()}

    def refreshed_state(self, saved_at: int) -> BuildState | None:
        """When nothing changed: the last state with the inputs as hashed now, if files had to be read
        to know they had not changed (written by the last build, or just before it saved its state),
        as `git status` refreshes its index, so that the next build need not read them; else None."""
        if self.previous is None or not self.inputs.files_read:
            return None
        return replace(self.previous, inputs=dict(self.inputs.hashed), saved_at=saved_at)

    @property
    def sources(self) -> dict[str, SourceRecord]:
        """Every content file's hash, with the data file it was last read with."""
        old = self.previous.pages if self.previous else {}
        return {
            source.shown: SourceRecord(source.hash, old[source.shown].data_file if source.shown in old else None)
            for source in self.inputs.files
        }


def page_key(inputs: Inputs, source_file: str, source_hash: str, data_file: str | None) -> str:
    data_hash = inputs.data_hashes.get(data_file, "absent") if data_file else ""
    return digest(inputs.unit_inputs, source_file, source_hash, data_hash)


def unit_key(inputs: Inputs, key_of_page: str, code: str, memory_hash: str) -> str:
    if code == inputs.source_language:
        return digest(key_of_page, code)
    return digest(key_of_page, code, memory_hash)


def render_key(inputs: Inputs, unit: UnitRecord, context: str) -> str:
    return digest(unit.info.digest, inputs.render_inputs, context)


def view_key(inputs: Inputs, unit: UnitRecord, context: str, view_templates: str) -> str:
    """The key of a translation's side-by-side view: its page's render key, but with only the
    templates the view renders from (``view_templates``), so that a page template's edit keeps it."""
    return digest(unit.info.digest, inputs.shared_render_inputs, view_templates, context)


def site_wide_key(
    inputs: Inputs, context: str, data_key: str, named_by_content: str | None = None, templates: str | None = None
) -> str:
    """``templates``: the hash of what the templates the file renders from hold (None: every template)."""
    if named_by_content is not None:  # the path says what the file holds: only the generator may change it
        return digest(inputs.generator, "named by its content", named_by_content)
    if templates is not None:
        return digest(inputs.shared_render_inputs, templates, context, data_key)
    return digest(inputs.render_inputs, context, data_key)


def _keys_now(inputs: Inputs, source: SourceFile, data_file: str | None) -> tuple[tuple[str, str], ...]:
    """The key of a page in each language, from its inputs now (``data_file``: as last read with);
    made once (``unchanged`` and ``plan`` both ask)."""
    known = inputs.unit_keys.get((source.shown, data_file))
    if known is None:
        key = page_key(inputs, source.shown, source.hash, data_file)
        memory = inputs.memory_hashes
        known = tuple(
            (code, unit_key(inputs, key, code, memory.get((source.address, code), "absent")))
            for code in inputs.languages
        )
        inputs.unit_keys[(source.shown, data_file)] = known
    return known


def _dirty(inputs: Inputs, previous: BuildState | None) -> frozenset[Path]:
    """The content files whose page, in some language, has inputs the last build did not see."""
    if previous is None:
        return frozenset(source.file for source in inputs.files)
    dirty = set()
    for source in inputs.files:
        old = previous.pages.get(source.shown)
        if old is None or old.hash != source.hash:
            dirty.add(source.file)
            continue
        for code, key in _keys_now(inputs, source, old.data_file):
            record = previous.units.get((source.address, code))
            if record is None or record.key != key:
                dirty.add(source.file)
                break
    return frozenset(dirty)


def unchanged(head: StateHead, inputs: Inputs) -> bool:
    """Whether nothing changed since the last build, decided from its state's head alone: true only
    when ``plan``, given the whole state, would find nothing changed, and no input file had to be
    read to know it (so that there is no state to save again: ``Plan.refreshed_state``)."""
    if inputs.files_read or not inputs.search_ready or head.render_inputs != inputs.render_inputs:
        return False
    keys: list[tuple[str, str, str]] = []
    for source in inputs.files:
        old = head.pages.get(source.shown)
        if old is None or old.hash != source.hash:
            return False
        keys.extend((source.address, code, key) for code, key in _keys_now(inputs, source, old.data_file))
    # The same pages in the same languages with the same keys, and the same files with the same statuses.
    return unit_digest(keys) == head.units and site_digest(inputs.site) == head.outputs


def plan(previous: BuildState | None, inputs: Inputs) -> Plan:
    """What to do, from the last build's state (None: a cold build, everything) and the inputs now."""
    to_read = _dirty(inputs, previous)
    kept = {
        (source.address, code): previous.units[(source.address, code)]
        for source in inputs.files
        if previous is not None and source.file not in to_read
        for code in inputs.languages
    }
    old_outputs = previous.outputs if previous else {}
    intact = {
        path: record.hash
        for path, record in old_outputs.items()
        if inputs.site.get(path) == FileStatus(record.size, record.mtime_ns, record.inode)
    }
    nothing_changed = (
        previous is not None
        and not to_read
        and kept.keys() == previous.units.keys()
        and previous.render_inputs == inputs.render_inputs
        and inputs.site.keys() == old_outputs.keys()
        and intact.keys() == old_outputs.keys()
        and inputs.search_ready
    )
    return Plan(inputs, previous, to_read, kept, intact, nothing_changed)


def cacheable(inputs: Inputs, translated: TranslatedPage) -> bool:
    """A page left with text to machine-translate is redone on every build, as a cold build would."""
    if translated.language not in inputs.machine_languages:
        return True
    return not any(r.state in (State.MISSING, State.STALE) for r in translated.renditions)


@dataclass(frozen=True)
class Units:
    """Every page in every language, as this build knows them (read now or carried over)."""

    units: dict[UnitKey, UnitRecord]  # in the order of the content files, then of the languages
    sources: dict[str, SourceRecord]
    loose_warnings: tuple[Problem, ...]  # warnings about no one page (a UI catalog, a glossary)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return (*self.loose_warnings, *(warning for unit in self.units.values() for warning in unit.warnings))


def record_units(
    plan: Plan, pages: Sequence[TranslatedPage], memory_hashes: Mapping[str, str], warnings: Sequence[Problem]
) -> Units:
    """The records of the pages translated now (``pages``, with the hashes of their memory files
    and the warnings of reading and translating them), and of those carried over."""
    inputs, sources = plan.inputs, plan.sources
    by_path: dict[str, list[Problem]] = {}
    for warning in warnings:
        by_path.setdefault(warning.path, []).append(warning)
    fresh: dict[UnitKey, UnitRecord] = {}
    claimed: set[str] = set()
    for page in pages:
        source = page.page
        sources[source.source_file] = SourceRecord(sources[source.source_file].hash, source.data_file)
        key = page_key(inputs, source.source_file, sources[source.source_file].hash, source.data_file)
        memory = memory_hashes[page.memory_file] if page.memory_file else ""
        own = [page.memory_file] if page.memory_file else [source.source_file, *filter(None, [source.data_file])]
        claimed.update(own)
        key = unit_key(inputs, key, page.language, memory) if cacheable(inputs, page) else ""
        unit_warnings = tuple(warning for path in own for warning in by_path.get(path, ()))
        fresh[(source.path, page.language)] = UnitRecord(key, page_info(page), unit_warnings)
    units = {
        (source.address, code): plan.kept.get((source.address, code)) or fresh[(source.address, code)]
        for source in inputs.files
        for code in inputs.languages
    }
    loose = tuple(warning for path, found in by_path.items() if path not in claimed for warning in found)
    return Units(units, sources, loose)


@dataclass(frozen=True)
class RenderPlan:
    """What is rendered again, once the pages are translated and the site is planned."""

    units: dict[UnitKey, UnitRecord]  # with the key of what their files show, and their kept files
    to_render: tuple[UnitKey, ...]
    pages_only: frozenset[UnitKey]  # of those, the translations whose side-by-side view is kept
    reread: frozenset[Path]  # carried-over pages rendered again: read and translated again, by no engine
    context: str  # what every page shows of the others (``context_digest``)
    plan: Plan

    def site_wide_key(self, data_key: str, named_by_content: str | None = None, templates: str | None = None) -> str:
        """The key of a site-wide file showing data of hash ``data_key``, rendered from templates
        holding ``templates`` (``site_wide_key``); of a file whose path ``named_by_content`` names what
        it holds (a web font), whatever the templates."""
        return site_wide_key(self.plan.inputs, self.context, data_key, named_by_content, templates)

    def with_outputs(self, hashes: Mapping[str, str]) -> dict[UnitKey, UnitRecord]:
        """Every page in every language, those rendered now with the hashes of their files."""
        source_language = self.plan.inputs.source_language
        rendered = {
            (address, code): replace(
                self.units[(address, code)],
                outputs=tuple((path, hashes[path]) for path in own_files(source_language, address, code)),
            )
            for address, code in self.to_render
        }
        return {**self.units, **rendered}

    def kept_site_wide(self, path: str, key: str) -> str | None:
        """The hash of a site-wide file the current site holds as it would be rendered now (``key``), if any."""
        plan = self.plan
        if plan.previous is None or plan.previous.site_wide.get(path) != key:
            return None
        old = plan.previous.outputs.get(path)
        return old.hash if old is not None and plan.intact.get(path) == old.hash else None


def plan_render(
    plan: Plan, units: Mapping[UnitKey, UnitRecord], site_map: SiteMap, context: str, view_templates: str = ""
) -> RenderPlan:
    """The published pages whose files are not in the current site as they would be rendered now.

    A translation whose page changed but whose side-by-side view did not (``view_key``, from
    ``view_templates``: what the view's template renders from) has its page rendered and its
    view kept."""
    old_units = plan.previous.units if plan.previous else {}
    source_language = plan.inputs.source_language
    planned: dict[UnitKey, UnitRecord] = {}
    to_render: list[UnitKey] = []
    pages_only: set[UnitKey] = set()
    # Whether the render inputs and the context are the last build's: then a page carried over (its
    # record the last build's own) has the same render key, and only the first is hashed to know it.
    same_context: bool | None = None
    for (address, code), unit in units.items():
        if not site_map.is_published(address, code):
            planned[(address, code)] = replace(unit, render_key=None, view_key=None, outputs=())
            continue
        old = old_units.get((address, code))
        carried = old.render_key if old is not None and old is unit else None  # the last build's key
        if carried is not None and same_context:
            key = carried
        else:
            key = render_key(plan.inputs, unit, context)
            if carried is not None and same_context is None:
                same_context = key == carried
        intact = [(path, hash_) for path, hash_ in old.outputs if plan.intact.get(path) == hash_] if old else []
        if old is not None and old.render_key == key and len(intact) == len(old.outputs):
            # The same render key: the same view key (what it hashes, the render key hashes too).
            if old is not unit:  # else the record, carried over, is the last build's as it is
                old = replace(unit, render_key=key, view_key=old.view_key, outputs=old.outputs)
            planned[(address, code)] = old
            continue
        to_render.append((address, code))
        view = view_key(plan.inputs, unit, context, view_templates) if code != source_language else None
        view_file = own_files(source_language, address, code)[-1]
        kept = [file for file in intact if file[0] == view_file]
        if view is not None and old is not None and old.view_key == view and kept:
            pages_only.add((address, code))  # its view is carried over as it is
            planned[(address, code)] = replace(unit, render_key=key, view_key=view, outputs=tuple(kept))
        else:
            planned[(address, code)] = replace(unit, render_key=key, view_key=view, outputs=())
    rendering = set(to_render)
    reread = frozenset(
        source.file
        for source in plan.inputs.files
        if source.file not in plan.to_read
        and any((source.address, code) in rendering for code in plan.inputs.languages)
    )
    return RenderPlan(planned, tuple(to_render), frozenset(pages_only), reread, context, plan)


def next_state(
    the_plan: Plan,
    output_dir: str,
    units: dict[UnitKey, UnitRecord],
    sources: dict[str, SourceRecord],
    site_wide: dict[str, str],
    hashes: Mapping[str, str],
    statuses: Mapping[str, FileStatus],
    warnings: tuple[Problem, ...],
    written: Mapping[str, InputRecord],
    saved_at: int,
) -> BuildState:
    """What the next build needs of this one: every page in every language (``units``) and its
    sources, the keys of the site-wide files, every file of the site with its hash and its status
    as written, the warnings of no one page, and the input files hashed (and ``written``)."""
    return BuildState(
        generator=the_plan.inputs.generator,
        output_dir=output_dir,
        render_inputs=the_plan.inputs.render_inputs,
        pages=sources,
        units=units,
        site_wide=site_wide,
        outputs={
            path: OutputRecord(content_hash, statuses[path].size, statuses[path].mtime_ns, statuses[path].inode)
            for path, content_hash in hashes.items()
            if path in statuses
        },
        warnings=warnings,
        inputs={**the_plan.inputs.hashed, **written},
        saved_at=saved_at,
    )


def own_files(source_language: str, address: str, code: str) -> tuple[str, ...]:
    """The files of a page in one language: the page, and its side-by-side view."""
    own = page_dir(code, address) + "index.html"
    return (own,) if code == source_language else (own, page_dir(code, address) + "compare.html")


def context_digest(site_map: SiteMap, places: tuple[Place, ...] = ()) -> str:
    """What a page's files show of the other pages: which exist where, their anchors, the menu,
    and the headings the map's places link to (named in the list of places)."""
    mentioned = {mention.partition("#")[::2] for place in places for mention in place.mentions}
    return digest(
        repr(
            (
                sorted(site_map.published.items()),
                sorted(site_map.noindex),
                sorted((path, sorted(ids)) for path, ids in site_map.anchors.items()),
                site_map.menu,
                site_map.live,
                site_map.previewed,
                sorted((key, title) for key, title in site_map.titles.items() if key[0] in site_map.menu),
                sorted(site_map.characters.items()),  # what the web fonts hold: their names
                sorted(
                    (path.strip("/"), anchor, code, site_map.headings.get((path.strip("/"), code), {}).get(anchor))
                    for path, anchor in mentioned
                    for code in site_map.languages
                ),
                sorted(
                    (key, title)
                    for key, title in site_map.titles.items()
                    if any(key[0] == path.strip("/") for path, _ in mentioned)
                ),
            )
        )
    )
