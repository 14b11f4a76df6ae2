"""A seeded synthetic corpus: N French pages x languages, for explainer and for Hugo.

    .venv/bin/python benchmarks/corpus.py DIR --pages 1000 [--memory complete|empty] [--seed 1]

Writes DIR/explainer (an explainer project: content/, i18n/, templates/, explainer.toml) and
DIR/hugo (an equivalent Hugo site: the same pages in fr, en, ar and es, one content folder per
language). Pages are about 600 words with headings, lists, links and emphasis.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from explainer.translate.memory import render_catalog  # noqa: E402

LANGUAGES = ("fr", "en", "ar", "es")
WORDS = (
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "gouvernement",
    "armée",
    "accord",
    "frontière",
    "mission",
    "sécurité",
    "coopération",
    "diplomate",
    "ambassade",
    "transition",
    "élection",
    "région",
    "nord",
    "centre",
    "capitale",
    "rapport",
    "source",
    "déclaration",
    "conflit",
    "population",
    "réfugiés",
    "négociation",
    "sanction",
    "économie",
    "carburant",
    "blocus",
    "attaque",
    "groupe",
    "armé",
    "depuis",
    "contre",
    "avec",
    "selon",
    "pendant",
    "après",
    "avant",
    "nouveau",
    "ancien",
    "important",
    "officiel",
)


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, page_count: int) -> str:
    parts = [sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(3, 5))]
    index = rng.randrange(len(parts))
    words = parts[index].split()
    position = rng.randrange(1, len(words) - 1)
    choice = rng.random()
    if choice < 0.4:
        words[position] = f"**{words[position]}**"
    elif choice < 0.7:
        words[position] = f"*{words[position]}*"
    else:
        words[position] = f"[{words[position]}](/page-{rng.randrange(page_count):05d}/)"
    parts[index] = " ".join(words)
    return " ".join(parts)


def page_body(rng: random.Random, page_count: int) -> list[str]:
    blocks = []
    for section in range(3):
        blocks.append(f"## {sentence(rng, 4)[:-1]} {section}")
        blocks.extend(paragraph(rng, page_count) for _ in range(2))
        blocks.append("\n".join(f"- {sentence(rng, 6)}" for _ in range(3)))
    return blocks


def fake_translation(text: str, language: str) -> str:
    """A stand-in translation that keeps the markup: the words reversed, tagged with the language."""
    return f"[{language}] {text}" if not text.startswith(("-", "#")) else text


def write_corpus(target: Path, pages: int, memory: str, seed: int) -> None:
    rng = random.Random(seed)
    explainer, hugo = target / "explainer", target / "hugo"
    shutil.rmtree(target, ignore_errors=True)
    (explainer / "content").mkdir(parents=True)
    shutil.copytree(REPOSITORY / "templates", explainer / "templates")
    for catalog in (REPOSITORY / "i18n").glob("*/LC_MESSAGES/messages.po"):
        destination = explainer / "i18n" / catalog.relative_to(REPOSITORY / "i18n")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(catalog, destination)
    config = (REPOSITORY / "explainer.toml").read_text(encoding="utf-8")
    config = config.replace("search = true", "search = false").replace('engine = "argos"', 'engine = "none"')
    (explainer / "explainer.toml").write_text(config, encoding="utf-8")
    (hugo / "layouts" / "_default").mkdir(parents=True)
    (hugo / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\ndefaultContentLanguage = "fr"\n'
        'defaultContentLanguageInSubdir = true\ndisableKinds = ["taxonomy", "term", "RSS"]\n\n[languages]\n'
        + "".join(
            f'[languages.{code}]\ncontentDir = "content/{code}"\nweight = {n}\n'
            for n, code in enumerate(LANGUAGES, start=1)
        ),
        encoding="utf-8",
    )
    (hugo / "layouts" / "_default" / "single.html").write_text(
        '<!DOCTYPE html><html lang="{{ .Lang }}"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        '{{ range .AllTranslations }}<link rel="alternate" hreflang="{{ .Lang }}" href="{{ .Permalink }}">'
        '{{ end }}</head><body><nav>{{ range .Translations }}<a href="{{ .RelPermalink }}">{{ .Lang }}</a>'
        "{{ end }}</nav><main><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>",
        encoding="utf-8",
    )
    (hugo / "layouts" / "_default" / "list.html").write_text(
        '<!DOCTYPE html><html lang="{{ .Lang }}"><body>{{ range .Pages }}<a href="{{ .RelPermalink }}">'
        "{{ .Title }}</a>{{ end }}</body></html>",
        encoding="utf-8",
    )

    def page_file(title: str, summary: str, blocks: list[str], kind: str) -> str:
        extra = (
            'date: 2025-09-19\nsources:\n  - outlet: "AFP"\n    title: "Dépêche"\n    date: 2025-09-19\n'
            if kind == "news"
            else ""
        )
        return f'---\ntitle: "{title}"\nkind: {kind}\nsummary: "{summary}"\n{extra}---\n' + "\n\n".join(blocks) + "\n"

    home = ["Accueil du corpus de test."]
    (explainer / "content" / "index.md").write_text(page_file("Accueil", "Un corpus.", home, "home"), "utf-8")
    for number in range(pages):
        title, summary, blocks = sentence(rng, 5)[:-1], sentence(rng, 12), page_body(rng, pages)
        name = f"page-{number:05d}"
        (explainer / "content" / f"{name}.md").write_text(page_file(title, summary, blocks, "news"), "utf-8")
        for code in LANGUAGES:
            folder = hugo / "content" / code
            folder.mkdir(parents=True, exist_ok=True)
            text = [fake_translation(block, code) if code != "fr" else block for block in blocks]
            (folder / f"{name}.md").write_text(f'---\ntitle: "{title}"\n---\n' + "\n\n".join(text) + "\n", "utf-8")
        if memory == "complete":
            _write_memory(explainer, name, [title, summary, *blocks])
    if memory == "complete":
        _write_memory(explainer, "index", ["Accueil", "Un corpus.", *home])


def _write_memory(explainer: Path, name: str, texts: list[str]) -> None:
    from explainer.translate.segment import normalise

    units: list[str] = []
    for text in texts:
        for line in text.split("\n"):
            stripped = line[2:] if line.startswith(("- ", "# ")) else line.lstrip("# ")
            units.append(normalise(stripped))
    for code in LANGUAGES[1:]:
        catalog = Catalog(locale=code, fuzzy=False)
        for unit in dict.fromkeys(units):
            message = Message(unit, f"[{code}] {unit}", locations=[(f"content/{name}.md", None)])
            message.flags.discard("python-format")
            catalog[unit] = message
        path = explainer / "i18n" / code / "content" / f"{name}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render_catalog(catalog))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", type=Path)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--memory", choices=("complete", "empty"), default="complete")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    write_corpus(arguments.target, arguments.pages, arguments.memory, arguments.seed)
    print(f"wrote {arguments.pages} pages x {len(LANGUAGES)} languages to {arguments.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
