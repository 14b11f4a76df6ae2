"""Segments + translation memory -> the text of every page in every language.

Reads ``i18n/`` (through ``memory``); returns plain data. The updated PO
files are returned as bytes for the pipeline to write once the whole build
has succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Config
from .errors import Problem, TranslationMemoryError, relative
from .memory import entries_of, memory_path, read_catalog, render_catalog, resolve, updated_catalog
from .model import Rendition, SegmentedPage, State, TranslatedPage


@dataclass(frozen=True)
class Translation:
    """The outcome of the translate step."""

    pages: tuple[TranslatedPage, ...]
    memory_files: dict[str, bytes]  # project-relative PO path -> new content
    warnings: tuple[Problem, ...]


def _source_page(segmented: SegmentedPage, language: str) -> TranslatedPage:
    renditions = tuple(Rendition(segment.text, State.SOURCE) for segment in segmented.segments)
    return TranslatedPage(segmented, language, renditions, None)


def translate_pages(config: Config, pages: tuple[SegmentedPage, ...]) -> Translation:
    """Resolve every segment of every page in every configured language.

    Returns the translated pages, the PO files to write and the warnings for
    text shown in French. Raises ``TranslationMemoryError`` for unreadable PO files.
    """
    translated: list[TranslatedPage] = []
    memory_files: dict[str, bytes] = {}
    warnings: list[Problem] = []
    problems: list[Problem] = []
    for segmented in pages:
        translated.append(_source_page(segmented, config.source_language))
        for language in config.target_languages:
            path = memory_path(config.i18n_dir, language.code, segmented.page.path)
            shown = relative(path, config.root)
            try:
                catalog = read_catalog(path, config.root, language.code)
            except TranslationMemoryError as error:
                problems.extend(error.problems)
                continue
            renditions = resolve(segmented, entries_of(catalog))
            page = TranslatedPage(segmented, language.code, renditions, shown)
            translated.append(page)
            missing = [s for s, r in zip(segmented.segments, renditions, strict=True) if r.state is State.MISSING]
            if missing:
                distinct = len({s.text for s in missing})
                total = len(segmented.unique_texts)
                warnings.append(
                    Problem(
                        shown,
                        0,
                        f"{distinct} of {total} segments of {segmented.page.source_file} have no translation "
                        f"and are shown in French (first at {segmented.page.source_file}:{missing[0].line})",
                    )
                )
            memory_files[shown] = render_catalog(updated_catalog(catalog, segmented, language.code))
    if problems:
        raise TranslationMemoryError(problems)
    return Translation(tuple(translated), memory_files, tuple(warnings))
