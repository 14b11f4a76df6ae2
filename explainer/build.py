"""The build, top to bottom: load, segment, translate, render, check, write.

This is the only module that calls several stages. ``build`` redoes only what
changed since the last build (``cache``): pages whose inputs changed are read,
segmented and translated; files whose inputs changed are rendered, into a new
site next to ``site/``, and checked. ``site/`` and ``i18n/`` are written only
when the whole build has succeeded. ``check`` runs every stage in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from .cache import BuildCache, BuildState, InputHashes, UnitRecord, digest, generator_digest, tree_digest
from .check.links import LATER_FILES, Scan, check_site, scan_file, verify
from .check.provenance import UI_SOURCE_LANGUAGE, Vocabulary, check_provenance
from .config import Config
from .errors import CheckError, ContentError, ExplainerError, Problem, WriteError, relative
from .fsutil import OUTSIDE_PROJECT, link_problems, project_lock, write_files
from .load.content import content_files, load_content, page_path
from .load.data import PLACES_FILE, load_places
from .model import BuildReport, OutputFile, Place, SegmentedPage, SiteMap, State, TranslatedPage, page_info
from .render.lists import site_wide_files
from .render.site import live_languages, plan_site, render_pages, site_files
from .translate.glossary import GLOSSARY_NAME, Glossary, load_glossary
from .translate.memory import memory_file, orphan_memories
from .translate.mt import Engine
from .translate.stage import Progress, Translation, translate_pages
from .urls import page_dir
from .write.output import SiteWriter, check_output_folder, clean_leftovers, site_listing, write_site


@dataclass(frozen=True)
class _Built:
    pages: int
    files: list[OutputFile]
    memory_files: dict[str, bytes]
    warnings: list[Problem]
    machine_translated: int
    segmented: tuple[SegmentedPage, ...]
    glossary: Glossary
    translated: tuple[TranslatedPage, ...] = ()


def _build_in_memory(
    config: Config,
    use_machine: bool,
    progress: Progress | None,
    engines: dict[str, Engine] | None,
    jobs: int | None = None,
) -> _Built:
    """Every stage up to the checks of the output; nothing is written."""
    from .render.renderer import Renderer
    from .translate.segment import segment_pages

    warnings: list[Problem] = []
    check_input_links(config)
    pages, content_warnings = load_content(config.content_dir, config.root)
    warnings.extend(content_warnings)
    segmented = segment_pages(pages)
    glossary = load_glossary(config.i18n_dir, config.root, config.language_codes, config.source_language)
    warnings.extend(glossary.unset_warnings())
    translation = translate_pages(
        config, segmented, glossary, use_machine=use_machine, engines=engines, progress=progress
    )
    warnings.extend(translation.warnings)
    warnings.extend(orphan_memories(config, [page.page.path for page in segmented]))
    site_map = plan_site(config, [page_info(page) for page in translation.pages])
    places = _places(config, glossary, site_map)
    renderer = Renderer(config, site_map, places=places, glossary=glossary)
    warnings.extend(renderer.warnings)
    files = site_files(config, renderer, site_map, translation.pages, workers=jobs or os.cpu_count() or 1)
    check_site(files, config.base_url)
    return _Built(
        len(pages),
        files,
        translation.memory_files,
        warnings,
        translation.machine_translated,
        segmented,
        glossary,
        tuple(translation.pages),
    )


def check_input_links(config: Config) -> None:
    """Refuse symbolic links that lead out of the project, loop or lead nowhere, in every input
    folder (pages, data files, templates and their assets, PO files, glossary), before reading.

    Raises ``ContentError`` listing them. A page (``*.md`` in content/) linked out of the project
    is left to ``load_content``, which keeps pages inside content/ itself, with its own message.
    """
    problems = [
        Problem(relative(path, config.root), 0, reason)
        for folder in (config.content_dir, config.templates_dir, config.i18n_dir)
        for path, reason in link_problems(config.root, folder)
        if not (reason == OUTSIDE_PROJECT and folder == config.content_dir and path.endswith(".md"))
    ]
    if problems:
        raise ContentError(problems)


def _places(config: Config, glossary: Glossary, site_map: SiteMap) -> tuple[Place, ...]:
    """The places of the map, read and checked against the planned site; raises ``ContentError``."""
    from .render.placemap import check_places

    path = config.content_dir / PLACES_FILE
    places = load_places(path, config.root)
    problems = check_places(places, relative(path, config.root), glossary, site_map)
    if problems:
        raise ContentError(problems)
    return places


def _strict(warnings: list[Problem]) -> None:
    if warnings:
        raise ContentError([Problem(w.path, w.line, f"{w.message} (an error under --strict)") for w in warnings])


def _report(config: Config, built: _Built, notes: tuple[str, ...] = ()) -> BuildReport:
    return BuildReport(
        pages=built.pages,
        languages=config.language_codes,
        files=len(built.files),
        warnings=tuple(sorted(set(built.warnings))),
        machine_translated=built.machine_translated,
        notes=notes,
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
) -> BuildReport:
    """Build the site of ``config`` into ``config.output_dir`` and update ``i18n/``.

    Returns a report with the warnings. Raises an ``ExplainerError`` subclass
    on any problem (warnings too, when ``strict``); nothing is written then.
    ``engines`` supplies machine-translation engines by name (others are made
    from the configuration). Two builds of one project never run at once: the
    second waits up to ``lock_wait`` seconds. A large site is rendered by ``jobs``
    processes (default: one per core); the output is the same whatever the number.

    With ``cache`` (the default), what the last build did is kept in ``.cache/``:
    pages whose inputs did not change are not read, translated or rendered again,
    and a build with nothing changed writes nothing. The output is the same as
    without it.

    Without ``write_memory`` (the preview), ``i18n/`` is left as it is: new or
    changed French is shown as such, from the memory as it was.
    """
    if jobs is not None and jobs < 1:
        raise ExplainerError(f"--jobs {jobs}: the number of processes must be 1 or more")
    check_output_folder(config)  # before anything is written, the lock file included
    with project_lock(config.root, wait=lock_wait):
        check_output_folder(config)  # again: another build may have changed it while this one waited
        leftovers = clean_leftovers(config.output_dir, config.root)
        check_input_links(config)
        store = BuildCache(config.root) if cache else None
        try:
            workers = jobs or os.cpu_count() or 1
            report = _Build(config, store, use_machine, progress, engines, workers, write_memory).run(strict)
        finally:
            if store is not None:
                store.close()
        notes = (*report.notes, *(store.notes if store is not None else ()))
        return replace(report, warnings=tuple(sorted({*report.warnings, *leftovers})), notes=notes)


class _Scans(Mapping[str, Scan]):
    """The scans of a site's files: fresh ones, then the cache, then the file in the current site."""

    def __init__(self, fresh: dict[str, Scan], hashes: dict[str, str], store: BuildCache | None, site: Path) -> None:
        self.fresh, self.hashes, self.store, self.site = fresh, hashes, store, site
        self.loaded: dict[str, Scan] = {}

    def preload(self) -> None:
        if self.store is not None:
            wanted = {content_hash for path, content_hash in self.hashes.items() if path not in self.fresh}
            self.loaded.update(self.store.scans(wanted))

    def __getitem__(self, path: str) -> Scan:
        if path in self.fresh:
            return self.fresh[path]
        content_hash = self.hashes[path]
        if content_hash not in self.loaded and self.store is not None:
            self.loaded.update(self.store.scans([content_hash]))
        if content_hash not in self.loaded:
            self.loaded[content_hash] = scan_file(path, (self.site / path).read_bytes())
        return self.loaded[content_hash]

    def __iter__(self) -> Iterator[str]:
        return iter(self.hashes)

    def __len__(self) -> int:
        return len(self.hashes)


class _Build:
    """One build with the cache: decide what changed, redo only that, check, write."""

    def __init__(
        self,
        config: Config,
        store: BuildCache | None,
        use_machine: bool,
        progress: Progress | None,
        engines: dict[str, Engine] | None,
        workers: int,
        write_memory: bool = True,
    ) -> None:
        self.config, self.store, self.use_machine = config, store, use_machine
        self.write_memory = write_memory
        self.progress, self.engines, self.workers = progress, engines, workers
        self.previous = self._previous_state()
        self.hash = InputHashes(self.previous)
        self.files: list[Path] = []  # the content files, listed once by ``run``
        self.codes = (config.source_language, *(language.code for language in config.target_languages))
        self.render_inputs = digest(
            generator_digest(),
            repr(config),
            tree_digest(config.templates_dir),
            *(self.hash(config.ui_catalog(code)) for code in config.language_codes),
            *(self.hash(font) for language in config.languages for font in language.fonts),
            # The map, on the home and background pages: its places, labelled from the glossary.
            self.hash(config.content_dir / PLACES_FILE),
            self.hash(config.i18n_dir / GLOSSARY_NAME),
        )
        # What every page in every language depends on, besides its own files.
        self.unit_inputs = digest(
            generator_digest(),
            repr(config),
            self.hash(config.i18n_dir / GLOSSARY_NAME),
            str(use_machine),
        )

    def _previous_state(self) -> BuildState | None:
        if self.store is None:
            return None
        try:
            return self.store.load(self.config.output_dir)
        except (OSError, sqlite3.Error):
            return None  # an unreadable cache is an empty one

    # -- keys -------------------------------------------------------------------------------

    def _page_key(self, source_file: str, source_hash: str, data_file: str | None) -> str:
        data_hash = self.hash(self.config.root / data_file) if data_file else ""
        return digest(self.unit_inputs, source_file, source_hash, data_hash)

    def _unit_key(self, page_key: str, page_path: str, code: str, memory: str | None = None) -> str:
        if code == self.config.source_language:
            return digest(page_key, code)
        if memory is None:
            memory = self.hash(memory_file(self.config.i18n_dir, code, page_path))
        return digest(page_key, code, memory)

    def _cacheable(self, translated: TranslatedPage) -> bool:
        """A page left with text to machine-translate is redone on every build, as a cold build would."""
        if not self.use_machine or translated.language == self.config.source_language:
            return True
        if self.config.language(translated.language).engine == "none":
            return True
        return not any(r.state in (State.MISSING, State.STALE) for r in translated.renditions)

    # -- stages ----------------------------------------------------------------------------

    def _translate(self, wanted: set[Path], use_machine: bool) -> tuple[Translation, tuple[Problem, ...]]:
        """Read, segment and translate the pages of the ``wanted`` content files."""
        config = self.config
        from .translate.segment import segment_pages  # Markdown: not loaded when no page changed

        pages, content_warnings = load_content(
            config.content_dir, config.root, wanted=wanted.__contains__, files=self.files
        )
        segmented = segment_pages(pages)
        glossary = load_glossary(config.i18n_dir, config.root, config.language_codes, config.source_language)
        translation = translate_pages(
            config,
            segmented,
            glossary,
            use_machine=use_machine,
            engines=self.engines,
            progress=self.progress if use_machine else None,
        )
        return translation, content_warnings

    def _changed_pages(
        self, files: list[Path], addresses: dict[Path, str]
    ) -> tuple[dict[str, tuple[str, str | None]], set[Path]]:
        """The hash and data file of every source file, and the files whose page, in some
        language, has inputs the last build did not see (all of them on a cold build)."""
        old_units = self.previous.units if self.previous else {}
        sources: dict[str, tuple[str, str | None]] = {}
        dirty: set[Path] = set()
        for file in files:
            shown = relative(file, self.config.root)
            source_hash = self.hash(file)
            old = self.previous.pages.get(shown) if self.previous else None
            sources[shown] = (source_hash, old[1] if old else None)
            if old is None or old[0] != source_hash:
                dirty.add(file)
                continue
            page_key = self._page_key(shown, source_hash, old[1])
            address = addresses[file]
            for code in self.codes:
                record = old_units.get((address, code))
                if record is None or record.key != self._unit_key(page_key, address, code):
                    dirty.add(file)
                    break
        return sources, dirty

    def _check(
        self,
        hashes: dict[str, str],
        fresh: dict[str, Scan],
        old_outputs: dict[str, tuple[str, int, int, int]],
    ) -> None:
        """Check the files that changed (``fresh``), and every file when what links can point at
        changed: a file appeared or went, or a changed file's ids or hreflang cluster changed."""
        scans = _Scans(fresh, hashes, self.store, self.config.output_dir)
        full = self.previous is None or hashes.keys() != old_outputs.keys()
        if not full:
            before = self.store.scans(old_outputs[path][0] for path in fresh) if self.store else {}
            full = any(
                old_outputs[path][0] not in before or before[old_outputs[path][0]].outline != scan.outline
                for path, scan in fresh.items()
            )
        if full:
            scans.preload()
        problems = verify(scans, hashes.keys(), self.config.base_url, only=sorted(hashes) if full else sorted(fresh))
        if problems:
            raise CheckError(problems)

    def run(self, strict: bool) -> BuildReport:
        config, previous = self.config, self.previous
        old_units = previous.units if previous else {}
        files = self.files = content_files(config.content_dir, config.root)
        addresses = {file: page_path(file, config.content_dir) for file in files}
        sources, dirty = self._changed_pages(files, addresses)

        # Read, segment and translate the pages whose inputs changed (all of them on a cold build).
        units: dict[tuple[str, str], UnitRecord] = {}
        translated: dict[tuple[str, str], TranslatedPage] = {}
        memory_files: dict[str, bytes] = {}
        warnings: list[Problem] = []
        machine_translated = 0
        if dirty or not files:
            translation, content_warnings = self._translate(dirty, self.use_machine)
            machine_translated = translation.machine_translated
            memory_files = translation.memory_files
            by_path: dict[str, list[Problem]] = {}
            for warning in (*content_warnings, *translation.warnings):
                by_path.setdefault(warning.path, []).append(warning)
            claimed: set[str] = set()
            for page in translation.pages:
                source = page.page
                sources[source.source_file] = (sources[source.source_file][0], source.data_file)
                page_key = self._page_key(source.source_file, sources[source.source_file][0], source.data_file)
                memory = translation.memory_hashes[page.memory_file] if page.memory_file else None
                if page.memory_file:
                    own = [page.memory_file]
                else:
                    own = [source.source_file, *([source.data_file] if source.data_file else [])]
                claimed.update(own)
                key = self._unit_key(page_key, source.path, page.language, memory) if self._cacheable(page) else ""
                unit_warnings = tuple(w for path in own for w in by_path.get(path, ()))
                units[(source.path, page.language)] = UnitRecord(key, page_info(page), unit_warnings)
                translated[(source.path, page.language)] = page
            warnings.extend(w for path, found in by_path.items() if path not in claimed for w in found)
        for file in files:
            if file not in dirty:
                for code in self.codes:
                    units[(addresses[file], code)] = old_units[(addresses[file], code)]
        warnings.extend(orphan_memories(config, list(addresses.values())))
        ordered = [units[(addresses[file], code)] for file in files for code in self.codes]
        for unit in ordered:
            warnings.extend(unit.warnings)
        listing = site_listing(config.output_dir, LATER_FILES)
        old_outputs = previous.outputs if previous else {}

        def intact(path: str, content_hash: str) -> bool:
            old = old_outputs.get(path)
            return old is not None and old[0] == content_hash and listing.get(path) == old[1:]

        search_ready = not config.search or (config.output_dir / "pagefind").is_dir()
        if (
            previous is not None
            and not dirty
            and units.keys() == old_units.keys()
            and previous.render_inputs == self.render_inputs
            and listing.keys() == old_outputs.keys()
            and all(intact(path, entry[0]) for path, entry in old_outputs.items())
            and search_ready
        ):
            # Nothing changed (the same pages, the same templates, the site as the last build
            # left it): nothing is planned, rendered, checked again or written.
            warnings.extend(previous.warnings)
            if strict:
                _strict(sorted(set(warnings)))
            if self.hash.read and self.store is not None:
                # Files had to be read to know they had not changed (written by the last build, or
                # just before it saved its state): note their hashes now, as `git status` refreshes
                # its index, so that the next build need not read them.
                with contextlib.suppress(OSError, sqlite3.Error):
                    self.store.save(replace(previous, inputs=self.hash.seen, saved_at=time.time_ns()), {})
            return self._report(warnings, files, len(old_outputs), machine_translated, site_changed=False)

        # Render what is published and not already in the site as it would be rendered now.
        site_map = plan_site(config, [unit.info for unit in ordered])
        glossary = load_glossary(config.i18n_dir, config.root, config.language_codes, config.source_language)
        places = _places(config, glossary, site_map)
        context = _context_digest(site_map, places)

        to_render: list[tuple[str, str]] = []
        for (address, code), unit in list(units.items()):
            if not site_map.is_published(address, code):
                units[(address, code)] = replace(unit, render_key=None, outputs=())
                continue
            render_key = digest(unit.info.digest, self.render_inputs, context)
            old_unit = old_units.get((address, code))
            if (
                old_unit is not None
                and old_unit.render_key == render_key
                and all(intact(path, content_hash) for path, content_hash in old_unit.outputs)
            ):
                units[(address, code)] = replace(unit, render_key=render_key, outputs=old_unit.outputs)
            else:
                units[(address, code)] = replace(unit, render_key=render_key, outputs=())
                to_render.append((address, code))
        rendering = set(to_render)
        rerendered = {
            file
            for file in files
            if file not in dirty and any((addresses[file], code) in rendering for code in self.codes)
        }
        if rerendered:
            # Unchanged pages rendered again (new templates, a changed neighbour): their
            # translation needs no engine (else they would not be cached).
            again, _ = self._translate(rerendered, use_machine=False)
            translated.update({(page.page.path, page.language): page for page in again.pages})
        from .render.renderer import Renderer  # Jinja and Markdown: not loaded when nothing is rendered

        # Kept with the renderer's warnings, so that a build with nothing changed says them again
        # without reading the glossary.
        renderer = Renderer(config, site_map, places=places, glossary=glossary)
        renderer_warnings = (*glossary.unset_warnings(), *renderer.warnings)
        warnings.extend(renderer_warnings)
        writer = SiteWriter(config.output_dir)
        hashes: dict[str, str] = {}
        for unit in units.values():
            hashes.update(unit.outputs)
        changed: set[str] = set()
        fresh: dict[str, Scan] = {}

        def take(output: OutputFile) -> None:
            """A rendered file: into the new site, and checked, if it is not already in the current one."""
            content_hash = hashlib.sha256(output.content).hexdigest()
            hashes[output.path] = content_hash
            if not intact(output.path, content_hash):
                changed.add(output.path)
                fresh[output.path] = scan_file(output.path, output.content)
                writer.add(output)

        site_wide: dict[str, str] = {}
        try:
            pages_to_render = tuple(translated[unit_key] for unit_key in to_render)
            render_pages(renderer, pages_to_render, config.source_language, self.workers, on_file=take)
            # Site-wide files: rendered again when the data they show changed.
            old_site_wide = previous.site_wide if previous else {}
            for wide in site_wide_files(config, site_map, [unit.info for unit in ordered]):
                path = wide.path
                site_wide[path] = digest(self.render_inputs, context, wide.data_key)
                kept = old_outputs.get(path)
                if old_site_wide.get(path) == site_wide[path] and kept is not None and intact(path, kept[0]):
                    hashes[path] = kept[0]
                else:
                    take(wide.make(renderer))
            for address, code in to_render:
                own = [page_dir(code, address) + "index.html"]
                if code != config.source_language:
                    own.append(page_dir(code, address) + "compare.html")
                units[(address, code)] = replace(units[(address, code)], outputs=tuple((p, hashes[p]) for p in own))

            self._check(hashes, fresh, old_outputs)
            if strict:
                _strict(sorted(set(warnings)))
        except BaseException:
            writer.discard()
            raise

        try:
            to_write = memory_files if self.write_memory else {}
            written = write_files({config.root / path: content for path, content in to_write.items()})
        except OSError as error:
            writer.discard()
            shown = relative(error.filename, config.root) if error.filename else relative(config.i18n_dir, config.root)
            raise WriteError(
                f"{shown}: cannot write the translation memory ({error.strerror}); nothing was changed: "
                "make the folder writable, then build again"
            ) from None
        memory_written = sorted(relative(path, config.root) for path in written)
        for relative_path in memory_written:
            self.hash.wrote(config.root / relative_path, memory_files[relative_path])
        site_changed = bool(changed) or listing.keys() != hashes.keys() or not search_ready
        if site_changed:
            writer.keep([path for path in hashes if path not in changed])
            warnings.extend(writer.commit(_index_site if config.search else None))
            # Files carried over as hard links keep their size, time and inode; look at the others.
            for path in writer.new:
                status = os.stat(config.output_dir / path)
                listing[path] = (status.st_size, status.st_mtime_ns, status.st_ino)
        else:
            writer.discard()
        self._save(units, sources, site_wide, hashes, listing, fresh, tuple(renderer_warnings))
        return self._report(
            warnings, files, len(hashes), machine_translated, site_changed, len(memory_written), len(changed)
        )

    def _save(
        self,
        units: dict[tuple[str, str], UnitRecord],
        sources: dict[str, tuple[str, str | None]],
        site_wide: dict[str, str],
        hashes: dict[str, str],
        listing: dict[str, tuple[int, int, int]],
        scans: dict[str, Scan],
        warnings: tuple[Problem, ...],
    ) -> None:
        if self.store is None:
            return
        state = BuildState(
            generator=generator_digest(),
            output_dir=str(self.config.output_dir),
            render_inputs=self.render_inputs,
            pages=sources,
            units=units,
            site_wide=site_wide,
            outputs={path: (content_hash, *listing[path]) for path, content_hash in hashes.items() if path in listing},
            warnings=warnings,
            inputs=self.hash.seen,
            saved_at=time.time_ns(),
        )
        # The site is built: a cache that cannot be written only makes the next build a cold one.
        with contextlib.suppress(OSError, sqlite3.Error):
            self.store.save(state, {hashes[path]: scan for path, scan in scans.items()})

    def _report(
        self,
        warnings: list[Problem],
        files: list[Path],
        outputs: int,
        machine_translated: int,
        site_changed: bool,
        memory_written: int = 0,
        files_written: int = 0,
    ) -> BuildReport:
        return BuildReport(
            pages=len(files),
            languages=self.config.language_codes,
            files=outputs,
            warnings=tuple(sorted(set(warnings))),
            machine_translated=machine_translated,
            site_changed=site_changed,
            memory_files_written=memory_written,
            files_written=files_written,
        )


def _index_site(site_dir: Path) -> None:
    from .write.search import index_site

    index_site(site_dir)


def _context_digest(site_map: SiteMap, places: tuple[Place, ...] = ()) -> str:
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


def vocabularies(
    config: Config, translated: tuple[TranslatedPage, ...], glossary: Glossary | None = None
) -> dict[str, Vocabulary]:
    """Per target language, what its pages may show outside marked elements (see ``provenance``):
    its UI strings, the site's own texts, the forms of the translation glossary's names and terms
    (the map's place names) and CLDR's country names (the map's countries)."""
    from .render.pages import PLAIN_ROLES
    from .translate.memory import read_catalog
    from .translate.segment import plain_text

    vocabularies: dict[str, Vocabulary] = {}
    for language in config.target_languages:
        catalog = read_catalog(config.ui_catalog(language.code), config.root, language.code)
        ui_strings = [language.title, language.description]
        untranslated: set[str] = set()
        if catalog is not None:
            for message in catalog:
                if not message.id:
                    continue
                has_translation = bool(message.string) and not message.fuzzy
                # Untranslated, a UI string shows its msgid, which is English: provenance only on an English page.
                if has_translation or language.code.split("-")[0] == UI_SOURCE_LANGUAGE:
                    ui_strings.append(str(message.string if has_translation else message.id))
                elif isinstance(message.id, str):
                    untranslated.add(" ".join(message.id.split()))
        ui_strings.append(language.autonym)  # names its own column in the side-by-side view
        if glossary is not None:
            ui_strings += sorted(set(glossary.for_language(language.code).values()))
        ui_strings += sorted(set(language.format_locale.territories.values()))
        # The engines named in the notices, as the memory records them
        ui_strings += sorted(
            {
                rendition.engine
                for page in translated
                if page.language == language.code
                for rendition in page.renditions
                if rendition.engine
            }
        )
        segment_texts = frozenset(
            # Headings are shown as plain text where a template names a section (the map's list).
            rendition.text if segment.role in PLAIN_ROLES else plain_text(rendition.text)
            for page in translated
            if page.language == language.code
            for segment, rendition in zip(page.segmented.segments, page.renditions, strict=True)
            if segment.role in (*PLAIN_ROLES, "heading") and rendition.state not in (State.MISSING, State.SOURCE)
        )
        vocabularies[language.code] = Vocabulary(
            tuple(ui_strings),
            segment_texts,
            frozenset(untranslated),
            relative(config.ui_catalog(language.code), config.root),
        )
    return vocabularies


def check(config: Config, *, strict: bool = False, use_machine: bool = False) -> BuildReport:
    """Everything an editor checks before pushing; writes nothing to the project.

    Builds in memory (links, anchors, hreflang, leftovers), lints the memory
    (placeholders, UI catalogs, glossary use), checks that every visible string
    of a translated page has a provenance (``provenance``), runs translate-toolkit's
    quality checks on every translation (warnings) and validates the HTML where the
    Nu validator is installed. Raises ``CheckError`` listing every problem.
    """
    from .check.lint import lint_memory
    from .check.validate import find_validator, validate_html

    built = _build_in_memory(config, use_machine, None, None)
    errors, warnings = lint_memory(config, built.segmented, built.glossary)
    provenance = check_provenance(
        ((file.path, file.content) for file in built.files),
        config.source_language,
        vocabularies(config, built.translated, built.glossary),
    )
    # A language not yet open to readers (a preview) is work in progress: its gaps are warnings.
    live = live_languages(config, [page_info(page) for page in built.translated])
    errors.extend(problem for problem in provenance if problem.path.split("/")[0] in live)
    warnings.extend(problem for problem in provenance if problem.path.split("/")[0] not in live)
    built.warnings.extend(warnings)
    from .check.qa import quality_problems

    quality, notes = quality_problems(config, built.segmented)
    built.warnings.extend(quality)
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
