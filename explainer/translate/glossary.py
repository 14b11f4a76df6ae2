"""The translation glossary, ``i18n/glossary.yaml``: names and fixed terms.

Names are never translated (``JNIM``, ``Bamako``); where a script needs it, a
name has a per-language form (Arabic transliterations). Terms have a fixed
translation per language (``Convention de Vienne``). Machine translation keeps
both intact through placeholders; ``check`` reports reviewed translations that
do not use them. Reads disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import ContentError, Problem, relative
from ..layout import GLOSSARY_NAME
from ..load.schema import construct, line_of, parse_yaml


@dataclass(frozen=True)
class GlossaryTerm:
    """One French name or term and its form per language."""

    french: str
    forms: dict[str, str]  # language -> form; a language not listed uses the French
    line: int
    is_name: bool

    def form(self, language: str) -> str:
        return self.forms.get(language, self.french)


@dataclass(frozen=True)
class Glossary:
    terms: tuple[GlossaryTerm, ...] = ()
    # Terms with no form yet in a language (a language just added): used as in French until a
    # translator sets one. (language, French terms), for one grouped warning per language.
    unset: tuple[tuple[str, tuple[str, ...]], ...] = ()
    path: str = ""

    def for_language(self, language: str) -> dict[str, str]:
        """French form -> form in ``language``, for every name and term."""
        return {term.french: term.form(language) for term in self.terms}

    def unset_warnings(self) -> list[Problem]:
        """One warning per language whose terms are not all set: the terms to check, grouped."""
        warnings = []
        for language, terms in self.unset:
            shown = ", ".join(terms[:8]) + (f" and {len(terms) - 8} more" if len(terms) > 8 else "")
            count = (
                f"1 term has no form for {language}"
                if len(terms) == 1
                else f"{len(terms)} terms have no form for {language}"
            )
            warnings.append(
                Problem(
                    self.path,
                    0,
                    f"{count} yet and {'is' if len(terms) == 1 else 'are'} used as in French: {shown}; "
                    f"give each a '{language}:' form (see docs/languages.md)",
                )
            )
        return warnings


def load_glossary(i18n_dir: Path, root: Path, languages: tuple[str, ...], source: str) -> Glossary:
    """Read ``i18n/glossary.yaml``; an absent file is an empty glossary.

    Raises ``ContentError`` with ``path:line: message`` for malformed entries,
    unknown languages and a term defined twice.
    """
    path = i18n_dir / GLOSSARY_NAME
    if not path.exists():
        return Glossary()
    shown = relative(path, root)
    node = parse_yaml(path.read_text(encoding="utf-8-sig"), shown, 1, "glossary")
    if node is None:
        return Glossary()
    problems: list[Problem] = []
    terms: list[GlossaryTerm] = []
    seen: dict[str, int] = {}
    unset: dict[str, list[str]] = {}
    if not isinstance(node, yaml.MappingNode):
        raise ContentError([Problem(shown, 1, "the glossary must have 'names:' and 'terms:' lists")])
    for key_node, value in node.value:
        section = str(key_node.value)
        if section not in ("names", "terms") or not isinstance(value, yaml.SequenceNode):
            problems.append(Problem(shown, line_of(key_node, 1), f"unknown section '{section}'; use names: and terms:"))
            continue
        for item in value.value:
            line = line_of(item, 1)
            data = construct(item)
            if isinstance(data, str) and section == "names":
                french, forms = data.strip(), {}
            elif isinstance(data, dict) and isinstance(data.get(source), str):
                french = data[source].strip()
                forms = {str(k): str(v).strip() for k, v in data.items() if k != source}
                unknown = sorted(set(forms) - set(languages))
                if unknown:
                    problems.append(Problem(shown, line, f"'{french}': unknown language {unknown[0]!r}"))
                    continue
                if section == "terms":
                    for language in sorted(set(languages) - {source} - set(forms)):
                        unset.setdefault(language, []).append(french)
            else:
                problems.append(
                    Problem(shown, line, f"each entry of {section} needs '{source}:' and a form per language")
                )
                continue
            if french in seen:
                problems.append(Problem(shown, line, f"'{french}' is already defined on line {seen[french]}"))
                continue
            seen[french] = line
            terms.append(GlossaryTerm(french, forms, line, section == "names"))
    if problems:
        raise ContentError(problems)
    return Glossary(
        tuple(terms),
        tuple((language, tuple(unset[language])) for language in languages if language in unset),
        shown,
    )
