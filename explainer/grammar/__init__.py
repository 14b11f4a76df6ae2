"""The Markdown grammar that segmenting and rendering share. Pure: no I/O.

One place for what both stages must read the same way:

- footnotes: references ``[^label]``, definitions ``[^label]: ...``, the ids
  Python-Markdown gives notes, the side-by-side view's links to a note's row;
- placeholders ``{1}``, ``{2}``... that stand for protected text in MT;
- heading anchors: a slug of the French text, or an explicit ``{#id}``;
- plain text, code spans and the normalised form of a segment (its key);
- in ``grammar.markdown``, the Markdown set-up itself: Python-Markdown with
  footnotes and tables, raw HTML off. The segmenter cuts pages from this
  set-up's own block parse, the renderer converts with it, so the blocks a
  page is cut into are the blocks it is rendered as.

This module does not load Markdown (a build with nothing to segment or render
never does); ``grammar.markdown`` does.
"""

from __future__ import annotations

import re
import unicodedata

# -- footnotes and placeholders --------------------------------------------------------

# A footnote reference in inline Markdown: ``[^1]``, ``[^note]`` (labels without spaces).
FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\]")
# A footnote definition's line, as Python-Markdown's block parser reads it (its FootnoteBlockProcessor.RE):
# ``[^1]: text``, the label and the text.
FOOTNOTE_DEFINITION = re.compile(r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$", re.MULTILINE)
# Ids Python-Markdown's footnotes give: fn:1, fnref:1, fnref2:1 (a note cited twice);
# the side-by-side view gives each note's row fn-1.
FOOTNOTE_ID = re.compile(r"^fn(ref\d*)?[:-][\w-]+$")
# A numbered placeholder in text sent to machine translation; MT may add spaces inside the braces.
PLACEHOLDER = re.compile(r"\{\s*(\d+)\s*\}")
# MT puts spaces between a placeholder and the punctuation after it.
PLACEHOLDER_BEFORE_PUNCTUATION = re.compile(PLACEHOLDER.pattern + r"(\s*)(?=[.,;:!?)])")
# An explicit heading id at the end of a heading's text: ``## Les chiffres {#chiffres}``.
HEADING_ID = re.compile(r"[ \t]+\{#([A-Za-z][\w-]*)\}[ \t]*$")

_BACKTICKS = re.compile(r"`+")


def placeholder(number: int | str) -> str:
    """The placeholder of the ``number``-th protected piece of a text: ``{1}``."""
    return f"{{{number}}}"


def note_row(label: str) -> str:
    """The id of a footnote's row in the side-by-side view."""
    return f"fn-{label}"


def linked_notes(text: str) -> str:
    """Footnote references as links to the note's row: the side-by-side view has no footnote section."""
    return FOOTNOTE_REFERENCE.sub(lambda match: f"[{match.group(1)}](#{note_row(match.group(1))})", text)


# -- text --------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Collapse runs of whitespace to one space and trim: the segment key."""
    return " ".join(text.split())


def outside_code(text: str) -> str:
    """``text`` without its code spans (a run of backticks up to the next run of the same length).

    Linear in the number of backtick runs of each length, where a backtracking
    regular expression took minutes on a line of backticks.
    """
    runs = list(_BACKTICKS.finditer(text))
    kept: list[str] = []
    position, index = 0, 0
    while index < len(runs):
        opener = runs[index]
        closer = next(
            (later for later in range(index + 1, len(runs)) if len(runs[later].group()) == len(opener.group())), None
        )
        if closer is None or runs[closer].start() == opener.end():
            index += 1
            continue
        kept.append(text[position : opener.start()])
        position, index = runs[closer].end(), closer + 1
    kept.append(text[position:])
    return "".join(kept)


def plain_text(markdown_inline: str) -> str:
    """Strip inline Markdown (links, emphasis, code marks, footnote references) to plain text."""
    text = FOOTNOTE_REFERENCE.sub("", markdown_inline)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`]+", "", text)
    return normalise(text)


def heading_anchor(text: str) -> str:
    """The id of a heading: a slug of its French text (accents folded)."""
    from markdown.extensions.toc import slugify  # Python-Markdown's own slugs

    folded = unicodedata.normalize("NFKD", plain_text(text))
    return str(slugify(folded, "-")) or "section"


def split_heading_id(text: str) -> tuple[str, str | None]:
    """A heading's text without its explicit ``{#id}``, and the id (None when it has none)."""
    explicit = HEADING_ID.search(text)
    if explicit is None:
        return text, None
    return text[: explicit.start()], explicit.group(1)


# Python-Markdown's inline patterns that match only where one of their characters is: pattern ->
# (the expression it has, characters of which that expression needs one to match).
# ``grammar.markdown.without_unused_patterns`` leaves out those a text cannot use.
INLINE_PATTERNS = {
    "backtick": ("(?:(?<!\\\\)((?:\\\\{2})+)(?=`+)|(?<!\\\\)`)", "`"),
    "escape": ("\\\\(.)", "\\"),
    "footnote": ("\\[\\^([^\\]]*)\\]", "["),
    "reference": ("(?<!\\!)\\[", "["),
    "link": ("(?<!\\!)\\[", "["),
    "image_link": ("\\!\\[", "!"),
    "image_reference": ("\\!\\[", "!"),
    "short_reference": ("(?<!\\!)\\[", "["),
    "short_image_ref": ("\\!\\[", "!"),
    "autolink": ("<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>", "<"),
    "automail": ("<([^<> !]+@[^@<> ]+)>", "<"),
    "entity": ("(&(?:\\#[0-9]+|\\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)", "&"),
    "em_strong": ("\\*|_", "*_"),
}
INLINE_TRIGGERS = frozenset("".join(characters for _, characters in INLINE_PATTERNS.values()))
