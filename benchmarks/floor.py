"""The floor of explainer's stack: Python-Markdown converting and Jinja2 rendering the corpus's pages,
once each, and nothing else.

    .venv/bin/python benchmarks/floor.py CORPUS OUTPUT [--processes N]

CORPUS is a folder written by benchmarks/corpus.py: its Hugo site holds the same 4 x N pages (French,
and the corpus's translations) as the explainer project. Each page is converted with the site's
Markdown grammar (``explainer.grammar.markdown.new_markdown``: footnotes, tables, no raw HTML) and
rendered through one Jinja2 template equivalent to the Hugo corpus's (title, hreflang alternates, a
language menu, the content), then written to OUTPUT, as Hugo writes its pages. Pages are shared
among N processes (default: one per core, as explainer renders a large site). There is no
translation memory, no side-by-side view, no check and no cache: what is left is what the stack
itself costs, the limit a build made of Python-Markdown and Jinja2 cannot go below.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import jinja2

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from explainer.grammar.markdown import new_markdown  # noqa: E402  (the repository's own package)

TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    '<!DOCTYPE html><html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>'
    '{% for other in languages %}<link rel="alternate" hreflang="{{ other }}" href="/{{ other }}/{{ name }}/">'
    '{% endfor %}</head><body><nav>{% for other in languages %}<a href="/{{ other }}/{{ name }}/">{{ other }}</a>'
    "{% endfor %}</nav><main><h1>{{ title }}</h1>{{ content }}</main></body></html>"
)


def _render(job: tuple[Path, Path, tuple[str, ...]]) -> int:
    """Convert and render the pages of one language folder; returns how many."""
    folder, output, languages = job
    converter = new_markdown()
    count = 0
    for source in sorted(folder.glob("*.md")):
        _, front, body = source.read_text(encoding="utf-8").split("---\n", 2)
        title = front.partition('title: "')[2].rpartition('"')[0]
        content = jinja2.utils.markupsafe.Markup(converter.reset().convert(body))
        html = TEMPLATE.render(lang=folder.name, title=title, languages=languages, name=source.stem, content=content)
        target = output / folder.name / source.stem / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        count += 1
    return count


def _jobs(corpus: Path, output: Path) -> list[tuple[Path, Path, tuple[str, ...]]]:
    """One job per language folder (the work is spread evenly: every language has every page)."""
    folders = sorted(path for path in (corpus / "hugo" / "content").iterdir() if path.is_dir())
    languages = tuple(folder.name for folder in folders)
    return [(folder, output, languages) for folder in folders]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    jobs = _jobs(args.corpus, args.output)
    with ProcessPoolExecutor(max_workers=args.processes) as pool:
        pages = sum(pool.map(_render, jobs))
    print(f"{pages} pages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
