"""Checks of the translation memory an editor runs before pushing (``build.py check``).

Reads ``i18n/``. Errors: a placeholder (``{1}``) left in a translation, a UI
catalog that fails Babel's checks (format strings, plural forms) or whose
translations add HTML (shown as text on the site, but a mistake). Warnings:
a translation by a person (translated or reviewed) that does not use the glossary's form
of a name or term.
"""

from __future__ import annotations

import re

from ..config import Config
from ..errors import Problem, count, relative
from ..layout import memory_file
from ..model import SegmentedPage
from ..translate.glossary import Glossary
from ..translate.memory import read_catalog
from ..translate.protect import PLACEHOLDER
from . import Check, CheckedSite, Findings
from .markup import bidi_problem, tag_problem


def _terms_in(french: str, forms: dict[str, str]) -> list[tuple[str, str]]:
    if french.strip() in forms:
        return []  # an entry that is the name itself (a glossary headword) may keep it as written
    """Glossary entries found in ``french``, longest first; one inside a longer match, or inside
    « quotes », is not counted."""
    taken = [False] * len(french)
    # Text quoted in « » is often a title kept in its own language: not checked.
    for quoted in re.finditer(r"«[^»]*»", french):
        taken[quoted.start() : quoted.end()] = [True] * (quoted.end() - quoted.start())
    found = []
    for source in sorted(forms, key=len, reverse=True):
        for match in re.finditer(rf"(?<!\w){re.escape(source)}(?!\w)", french):
            if not any(taken[match.start() : match.end()]):
                taken[match.start() : match.end()] = [True] * (match.end() - match.start())
                found.append((source, forms[source]))
                break
    return found


def _uses(translation: str, form: str) -> bool:
    """Whether ``translation`` uses ``form``; in Arabic, ل + ال is written لل (للكرملين for ل + الكرملين)."""
    text = translation.casefold()  # "Al-Qaeda" opening a sentence is still "al-Qaeda"
    if form.casefold() in text:
        return True
    return form.startswith("ال") and ("لل" + form[2:]) in text


def lint_memory(
    config: Config, pages: tuple[SegmentedPage, ...], glossary: Glossary
) -> tuple[list[Problem], list[Problem]]:
    """Return (errors, warnings) found in the content and UI catalogs."""
    content_errors, content_warnings = _lint_content(config, pages, glossary)
    ui_errors, ui_warnings = _lint_ui(config)
    return content_errors + ui_errors, content_warnings + ui_warnings


def _lint_content(
    config: Config, pages: tuple[SegmentedPage, ...], glossary: Glossary
) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of the content memory: placeholders left, glossary forms not used."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for language in config.target_languages:
        forms = {term.french: term.form(language.code) for term in glossary.terms}
        for segmented in pages:
            path = memory_file(config.i18n_dir, language.code, segmented.page.path)
            catalog = read_catalog(path, config.root, language.code)
            if catalog is None:
                continue
            shown = relative(path, config.root)
            for message in catalog:
                if not message.id or not message.string:
                    continue
                french, translation = str(message.id), str(message.string)
                line = message.lineno or 0
                leaked = {m.group(0) for m in PLACEHOLDER.finditer(translation)} - {
                    m.group(0) for m in PLACEHOLDER.finditer(french)
                }
                if leaked:
                    errors.append(Problem(shown, line, f"placeholder {sorted(leaked)[0]} left in the translation"))
                if message.fuzzy:
                    continue
                for source, form in _terms_in(french, forms):
                    if not _uses(translation, form):
                        warnings.append(
                            Problem(
                                shown,
                                line,
                                f"glossary: '{source}' is '{form}' in {language.code}, "
                                "but this translation does not use it",
                            )
                        )
    return errors, warnings


def _lint_ui(config: Config) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of the UI catalogs: Babel's checks, HTML in translations, strings left untranslated."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for language in config.languages:
        ui_path = config.i18n_dir / language.code / "LC_MESSAGES" / "messages.po"
        ui_catalog = read_catalog(ui_path, config.root, language.code)
        for message, problems in ui_catalog.check() if ui_catalog else ():
            for problem in problems:
                errors.append(Problem(relative(ui_path, config.root), message.lineno or 0, f"UI catalog: {problem}"))
        for message in ui_catalog or ():
            if isinstance(message.id, str) and message.id and isinstance(message.string, str) and message.string:
                reason = tag_problem(message.id, message.string, "the English") or bidi_problem(message.string)
                if reason:
                    shown = relative(ui_path, config.root)
                    errors.append(Problem(shown, message.lineno or 0, f"UI catalog: {reason} (it is shown as text)"))
        if language.code == config.source_language or language.code.split("-")[0] == "en":
            continue  # the templates' msgids are English: an English catalog may leave them as they are
        untranslated = [m for m in ui_catalog or () if m.id and (not m.string or m.fuzzy)]
        if ui_catalog is None or untranslated:
            shown = relative(ui_path, config.root)
            first = untranslated[0].lineno or 0 if untranslated else 0
            what = (
                "is missing" if ui_catalog is None else f"has {count(len(untranslated), 'string')} with no translation"
            )
            warnings.append(
                Problem(
                    shown,
                    first,
                    f"the interface catalog {what}: {language.code} pages show those interface texts in English; "
                    "translate them before the language opens to readers",
                )
            )
    return errors, warnings


def _lint(site: CheckedSite) -> Findings:
    errors, warnings = lint_memory(site.config, site.segmented, site.glossary)
    return Findings(tuple(errors), tuple(warnings))


CHECK = Check(
    "lint",
    "the translation memory: placeholders left in translations, UI catalogs (Babel's checks, added markup, "
    "strings with no translation) and the glossary's forms in translations by people",
    _lint,
)
