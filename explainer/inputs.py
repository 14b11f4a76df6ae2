"""The inputs of a build as they are now, hashed: what ``plan`` compares with the last build's state.

Reads the disk: lists the content files and hashes the files a build reads
(``cache.InputHashes`` reuses the last build's hash of a file that has not changed); the
output folder's listing is given (``write.listing.started_listing``: made meanwhile).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .cache import InputHashes, digest, generator_digest, template_files
from .config import Config
from .errors import ContentError, Problem, relative
from .fsutil import OUTSIDE_PROJECT, link_problems
from .layout import (
    GLOSSARY_NAME,
    PLACES_FILE,
    content_names,
    data_name,
    memory_file_name,
    page_address,
    search_index_ready,
)
from .state import InputRecord, LastInputs, UnitKey
from .write.listing import FileStatus


@dataclass(frozen=True)
class SourceFile:
    """A content file as it is now."""

    path: str  # the file, as the system names it
    shown: str  # relative to the project: its key in the build state
    address: str  # the page's path on the site
    hash: str

    @functools.cached_property
    def file(self) -> Path:  # made when asked for: a build with nothing changed needs none
        return Path(self.path)


@dataclass(frozen=True)
class Inputs:
    """The inputs of a build as they are now, hashed (``read_inputs``): what ``plan`` compares
    with the last build's state."""

    generator: str  # the generator's version (``cache.generator_digest``)
    source_language: str
    languages: tuple[str, ...]  # every configured language, the source language first
    files: tuple[SourceFile, ...]
    render_inputs: str  # templates, UI catalogs, fonts, places, glossary, configuration, generator
    shared_render_inputs: str  # the same but the templates: a side-by-side view adds its own
    unit_inputs: str  # what every page in every language depends on besides its own files
    # ``cache.template_files`` of the templates folder: what the files rendered from it are keyed by.
    templates: tuple[str, str] = ("absent", "absent")
    data_hashes: Mapping[str, str] = field(default_factory=dict)  # data file -> hash
    memory_hashes: Mapping[UnitKey, str] = field(default_factory=dict)  # translation memory files
    machine_languages: frozenset[str] = frozenset()  # languages an engine would translate now
    site: Mapping[str, FileStatus] = field(default_factory=dict)  # the files of the output folder now
    search_ready: bool = True  # the output folder has its search index (or none is wanted)
    hashed: Mapping[str, InputRecord] = field(default_factory=dict)  # the input files hashed, by path
    files_read: int = 0  # of those, the files read (not known to the last build, changed, or racy)
    # The key of each page in each language, by content file and data file, once made (``plan``);
    # not carried by ``replace``: inputs changed are keyed anew.
    unit_keys: dict[tuple[str, str | None], tuple[tuple[str, str], ...]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )


def read_inputs(
    config: Config, previous: LastInputs | None, use_machine: bool, site: Callable[[], dict[str, FileStatus]] = dict
) -> Inputs:
    """Hash what a build reads (only what the last build's state, or its head, is compared with: the
    memory and data files of pages it knew), reusing the last build's hashes of files that have not
    changed (``InputHashes``); with a last build, ask ``site`` for the output folder's listing
    (``started_listing``), once the rest is hashed.

    Raises ``ContentError`` when the content folder is missing.
    """
    hashes = InputHashes(previous)
    i18n_dir = str(config.i18n_dir)
    codes = (config.source_language, *(language.code for language in config.target_languages))
    content_dir, shown_dir = str(config.content_dir), relative(config.content_dir, config.root) + "/"
    shown_dir = "" if shown_dir == "./" else shown_dir  # the content folder is the project's
    files = tuple(
        SourceFile(path, shown_dir + name, page_address(name), hashes(path))
        for name in content_names(config.content_dir, config.root)
        for path in (f"{content_dir}/{name}",)
    )
    known = [source for source in files if previous is not None and source.shown in previous.pages]
    # A page's data file, where its kind has one (timeline, glossary), is named after it.
    data_files = {data_name(source.shown): data_name(source.path) for source in files}
    data_hashes = {name: hashes(path) for name, path in data_files.items()}
    glossary = hashes(config.i18n_dir / GLOSSARY_NAME)
    shared_render_inputs = digest(
        generator_digest(),
        repr(config),
        *(hashes(config.ui_catalog(code)) for code in config.language_codes),
        *(hashes(font) for language in config.languages for font in language.fonts),
        # The map, on the home and background pages: its places, labelled from the glossary.
        hashes(config.content_dir / PLACES_FILE),
        glossary,
    )
    templates = template_files(config.templates_dir)
    return Inputs(
        generator=generator_digest(),
        source_language=config.source_language,
        languages=codes,
        files=files,
        render_inputs=digest(shared_render_inputs, templates[0]),
        shared_render_inputs=shared_render_inputs,
        unit_inputs=digest(generator_digest(), repr(config), glossary, str(use_machine)),
        templates=templates,
        data_hashes={name: found for name, found in data_hashes.items() if found != "absent"},
        memory_hashes={
            (source.address, code): hashes(memory_file_name(i18n_dir, code, source.address))
            for source in known
            for code in codes[1:]
        },
        machine_languages=frozenset(
            language.code for language in config.target_languages if use_machine and language.engine != "none"
        ),
        site=site() if previous is not None else {},  # once the rest is hashed
        search_ready=not config.search or search_index_ready(config.output_dir),
        hashed=hashes.seen,
        files_read=hashes.read,
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
