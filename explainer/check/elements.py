"""The elements Python-Markdown makes of a text, for the markup rule (``markup.py``). Pure: no I/O.

An element is its tag and its attributes (sorted; ``alt`` and ``title`` by name only, as
they hold text a translator translates), in document order. They are what an HTML parser
reads of the HTML the site's Markdown set-up writes (``parsed_elements``), read here from
the element tree Markdown builds before it writes any HTML (``source_elements``): the same
elements, without serialising the tree and parsing it again. ``tests/test_markup_elements.py``
compares both ways on the memories of the site and the test project, and on generated Markdown.

Four savings, each exact:

- The tree is walked instead of written out. The text between tags cannot make elements: the
  serialiser escapes every '<' in it, and the postprocessors only put back what the inline
  patterns stashed, which is entities (stashed HTML holding a '<' is left to the HTML parser,
  as are comments, processing instructions, scripts and styles). Attribute values go through
  what the serialiser, the postprocessors and the parser do to them, in the same order.
- Inline patterns that cannot match are left out (``grammar.markdown.without_unused_patterns``,
  as the renderer does).
- The tree processor that makes the HTML pretty is left out: it only adds newlines to the text
  between elements.
- A text of one line (a French segment, a translation: most of them) that only the paragraph's
  block processor can take is one paragraph: its tree is made without the preprocessors and the
  block parser (``_one_paragraph``). With the site's set-up (checked when the converter is made:
  the whitespace preprocessor alone, the block processors known here), a line is taken by
  another block processor only where it starts with a space, a tab or one of ``#>*+-_=|``, a
  digit, or is a definition (a ``[``, and ``]:`` in it): a heading, a quote, a list item, a rule,
  code, a table row or a definition; the whitespace preprocessor changes a line only where it
  holds a tab, a carriage return or Markdown's own STX and ETX characters.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from ..grammar import INLINE_TRIGGERS

if TYPE_CHECKING:
    import markdown


@dataclass(frozen=True, order=True, slots=True)
class Element:
    """An element of the HTML: its tag, and its attributes (name, value), sorted by name."""

    tag: str
    attributes: tuple[tuple[str, str], ...]


# Attributes whose values are text a translator translates: compared by name only.
TEXT_ATTRIBUTES = frozenset({"alt", "title"})


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = tuple(sorted((name, "" if name in TEXT_ATTRIBUTES else value or "") for name, value in attrs))
        self.elements.append(Element(tag, kept))


def parsed_elements(serialised: str) -> tuple[Element, ...]:
    """The elements of ``serialised`` HTML as an HTML parser reads them."""
    collector = _Collector()
    collector.feed(serialised)
    collector.close()
    return tuple(collector.elements)


def source_elements(source: str) -> tuple[Element, ...]:
    """The elements of the HTML the site's Markdown set-up makes of ``source``."""
    elements = tree_elements(_converter(INLINE_TRIGGERS.intersection(source)).reset(), source)
    if elements is None:  # something the tree cannot tell exactly: the HTML, read back
        elements = parsed_elements(str(_converter(INLINE_TRIGGERS).reset().convert(source)))
    return elements


def tree_elements(converter: markdown.Markdown, source: str) -> tuple[Element, ...] | None:
    """The elements ``converter.convert(source)`` writes, read from its element tree, or None
    where that tree holds what only the serialised HTML tells exactly (see the module's text)."""
    if not source.strip():
        return ()
    paragraph = _one_paragraph(source) if converter in _PARAGRAPHS_KNOWN else None
    if paragraph is not None:
        root = ElementTree.Element(converter.doc_tag)
        ElementTree.SubElement(root, "p").text = paragraph
    else:
        lines = source.split("\n")
        for preprocessor in converter.preprocessors:
            lines = preprocessor.run(lines)
        root = converter.parser.parseDocument(lines).getroot()
    for treeprocessor in converter.treeprocessors:
        replaced = treeprocessor.run(root)
        if replaced is not None:
            root = replaced
    if any("<" in str(block) for block in converter.htmlStash.rawHtmlBlocks):
        return None
    elements: list[Element] = []
    for element in root.iter():
        tag = element.tag
        if element is root or tag is None:  # the document's own <div> is not written; None is no element
            continue
        if not isinstance(tag, str) or tag.lower() in ("script", "style"):
            return None
        attributes = []
        for name, value in element.items():
            if not isinstance(name, str) or not isinstance(value, str | None):
                return None
            name = name.lower()
            if name in TEXT_ATTRIBUTES or value is None:
                attributes.append((name, ""))
                continue
            written = _escape_attribute(value)
            if written == name:  # a boolean attribute, written bare by some versions of Markdown
                return None
            for postprocessor in converter.postprocessors:
                written = postprocessor.run(written)
            attributes.append((name, html.unescape(written)))
        elements.append(Element(tag.lower(), tuple(sorted(attributes))))
    return tuple(elements)


# What a line may not start with to be a paragraph (besides white space, a digit and a definition).
_BLOCK_STARTS = frozenset("#>*+-_=|")
_CHANGED_BY_PREPROCESSING = ("\t", "\r", "\x02", "\x03")
# The site's set-up as ``_one_paragraph`` knows it: its preprocessors and its block processors, by name.
_PREPROCESSORS = ("normalize_whitespace",)
_BLOCK_PROCESSORS = (
    "empty",
    "indent",
    "code",
    "hashheader",
    "setextheader",
    "hr",
    "olist",
    "ulist",
    "quote",
    "reference",
    "paragraph",
    "footnote",
    "table",
)
# Converters (by ``_converter``) whose set-up is that one.
_PARAGRAPHS_KNOWN: set[markdown.Markdown] = set()


def _one_paragraph(source: str) -> str | None:
    """The text of the one paragraph ``source`` is (a line, then a blank line), when no block
    processor but the paragraph's would take it, else None (see the module's text)."""
    text = source[:-2]
    if not source.endswith("\n\n") or not text or "\n" in text:
        return None
    first = text[0]
    if first in _BLOCK_STARTS or first.isspace() or first.isdigit() or (first == "[" and "]:" in text):
        return None
    if any(character in text for character in _CHANGED_BY_PREPROCESSING):
        return None
    return text


def _escape_attribute(value: str) -> str:
    from markdown.serializers import _escape_attrib_html  # how the serialiser writes an attribute value

    return str(_escape_attrib_html(value))


@functools.lru_cache(maxsize=256)
def _converter(present: frozenset[str]) -> markdown.Markdown:
    """The site's Markdown set-up without the inline patterns that need a character not ``present``
    (``grammar.markdown.without_unused_patterns``)."""
    # Markdown is loaded only when a translation holds markup.
    from ..grammar.markdown import new_markdown, without_unused_patterns

    converter = without_unused_patterns(new_markdown(), present)
    if "prettify" in converter.treeprocessors:
        converter.treeprocessors.deregister("prettify")  # it only adds newlines to text: no element changes
    known = all(
        len(registry) == len(names) and all(name in registry for name in names)
        for registry, names in (
            (converter.preprocessors, _PREPROCESSORS),
            (converter.parser.blockprocessors, _BLOCK_PROCESSORS),
        )
    )
    if known and converter.doc_tag == "div":
        _PARAGRAPHS_KNOWN.add(converter)
    return converter
