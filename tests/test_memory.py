from __future__ import annotations

import datetime
from pathlib import Path

from explainer.memory import (
    entries_of,
    memory_path,
    read_catalog,
    render_catalog,
    resolve,
    updated_catalog,
    write_atomic,
)
from explainer.model import Page, State
from explainer.segment import segment_page

HEADER = """# en translation of content/p.md (Titre).
#
msgid ""
msgstr ""
"Project-Id-Version: explainer VERSION\\n"
"Report-Msgid-Bugs-To: EMAIL@ADDRESS\\n"
"POT-Creation-Date: 2025-01-01 00:00+0000\\n"
"PO-Revision-Date: 2025-01-01 00:00+0000\\n"
"Last-Translator: FULL NAME <EMAIL@ADDRESS>\\n"
"Language: en\\n"
"Language-Team: en <LL@li.org>\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Generated-By: Babel 2.18.0\\n"

"""


def _segmented(body: str):  # type: ignore[no-untyped-def]
    page = Page("p", "content/p.md", "about", "Titre", "Résumé.", datetime.date(2025, 1, 1), None, 0, None, (), body, 6)
    return segment_page(page)


def test_new_page_gets_empty_entries_in_page_order(tmp_path: Path) -> None:
    text = render_catalog(updated_catalog(None, _segmented("Premier.\n\nSecond.\n"), "en")).decode()
    assert text == HEADER + "".join(
        f'#: content/p.md\nmsgid "{m}"\nmsgstr ""\n\n' for m in ("Titre", "Résumé.", "Premier.", "Second.")
    )


def test_states_are_read_from_po_terms(tmp_path: Path) -> None:
    po = tmp_path / "p.po"
    po.write_text(
        HEADER
        + """msgid "Titre"
msgstr "Title"

#. machine: argos fr->en 1.9
#, fuzzy
msgid "Résumé."
msgstr "Summary."

#, fuzzy
#| msgid "Premier paragraphe."
msgid "Premier."
msgstr "First paragraph."

msgid "Second."
msgstr ""
""",
        encoding="utf-8",
    )
    entries = entries_of(read_catalog(po, tmp_path, "en"))
    renditions = resolve(_segmented("Premier.\n\nSecond.\n\nTroisième.\n"), entries)
    assert [(r.text, r.state, r.engine) for r in renditions] == [
        ("Title", State.REVIEWED, None),
        ("Summary.", State.MACHINE, "argos fr->en 1.9"),
        ("First paragraph.", State.STALE, None),
        ("Second.", State.MISSING, None),
        ("Troisième.", State.MISSING, None),
    ]


def test_round_trip_keeps_flags_previous_and_obsoletes_what_is_gone(tmp_path: Path) -> None:
    po = tmp_path / "p.po"
    po.write_text(
        HEADER
        + """#: content/p.md
msgid "Titre"
msgstr "Title"

#. machine: argos fr->en 1.9
#: content/p.md
#, fuzzy
#| msgid "Ancien résumé."
msgid "Résumé."
msgstr "Summary."

#: content/p.md
msgid "Paragraphe supprimé."
msgstr "Deleted paragraph."
""",
        encoding="utf-8",
    )
    catalog = updated_catalog(read_catalog(po, tmp_path, "en"), _segmented("Nouveau.\n"), "en")
    assert (
        render_catalog(catalog).decode()
        == HEADER
        + """#: content/p.md
msgid "Titre"
msgstr "Title"

#. machine: argos fr->en 1.9
#: content/p.md
#, fuzzy
#| msgid "Ancien résumé."
msgid "Résumé."
msgstr "Summary."

#: content/p.md
msgid "Nouveau."
msgstr ""

#~ msgid "Paragraphe supprimé."
#~ msgstr "Deleted paragraph."

"""
    )
    # Writing what was read gives the same bytes: the format is stable.
    po.write_bytes(render_catalog(catalog))
    again = updated_catalog(read_catalog(po, tmp_path, "en"), _segmented("Nouveau.\n"), "en")
    assert render_catalog(again) == po.read_bytes()


def test_write_atomic_skips_identical_content_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.po"
    assert write_atomic(target, b"one") is True
    assert write_atomic(target, b"one") is False
    assert write_atomic(target, b"two") is True
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.po"]


def test_memory_path_layout(tmp_path: Path) -> None:
    assert memory_path(tmp_path, "en", "background/coups") == tmp_path / "en/content/background/coups.po"
    assert memory_path(tmp_path, "ar", "") == tmp_path / "ar/content/index.po"
