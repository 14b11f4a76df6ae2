from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from explainer.errors import ReviewError
from explainer.fsutil import sha256_hex
from explainer.layout import memory_file
from explainer.model import Page, State
from explainer.translate.memory import (
    entries_of,
    fingerprint,
    read_catalog,
    render_catalog,
    resolve,
    review_catalog,
    updated_catalog,
)
from explainer.translate.segment import segment_page

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
        ("Title", State.TRANSLATED, None),
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


def test_memory_file_layout(tmp_path: Path) -> None:
    assert memory_file(tmp_path, "en", "background/coups") == tmp_path / "en/content/background/coups.po"
    assert memory_file(tmp_path, "ar", "") == tmp_path / "ar/content/index.po"


REVIEW = "# reviewed-by: Ana Ruiz <ana@example.org>, 2026-12-01"


def _entry_po(tmp_path: Path, entry: str) -> Path:
    po = tmp_path / "p.po"
    po.write_text(HEADER + entry, encoding="utf-8")
    return po


def _state_and_reviewer(po: Path, body: str = "Premier.\n") -> list[tuple[str, State, str | None]]:
    entries = entries_of(read_catalog(po, po.parent, "en"))
    return [(r.text, r.state, r.reviewer) for r in resolve(_segmented(body), entries)][2:]


def _rewrite(po: Path, body: str = "Premier.\n") -> str:
    """What the build writes back for the page."""
    text = render_catalog(updated_catalog(read_catalog(po, po.parent, "en"), _segmented(body), "en")).decode()
    po.write_text(text, encoding="utf-8")
    return text


def test_a_review_on_record_makes_an_entry_reviewed_and_is_sealed_with_what_it_approved(tmp_path: Path) -> None:
    po = _entry_po(tmp_path, f'{REVIEW}\n#: content/p.md\nmsgid "Premier."\nmsgstr "First."\n')
    assert _state_and_reviewer(po) == [("First.", State.REVIEWED, "Ana Ruiz")]
    rendition = resolve(_segmented("Premier.\n"), entries_of(read_catalog(po, tmp_path, "en")))[2]
    assert rendition.reviewed_on == datetime.date(2026, 12, 1)
    text = _rewrite(po)
    assert f"{REVIEW}, sha256:{fingerprint('Premier.', 'First.')}\n" in text
    assert _state_and_reviewer(po) == [("First.", State.REVIEWED, "Ana Ruiz")]


OLD, NEW = "Premier paragraphe.\n", "Premier paragraphe, revu.\n"


def test_state_transitions_machine_translated_reviewed_stale_keep_the_reviewer_only_while_it_holds(
    tmp_path: Path,
) -> None:
    # machine: engine output, fuzzy
    po = _entry_po(tmp_path, '#. machine: argos fr->en 1.9\n#, fuzzy\nmsgid "Premier paragraphe."\nmsgstr "Frist."\n')
    assert _state_and_reviewer(po, OLD) == [("Frist.", State.MACHINE, None)]
    catalog = read_catalog(po, tmp_path, "en")
    assert catalog is not None
    with pytest.raises(ReviewError):
        review_catalog(catalog, "p.po", "Ana Ruiz", "ana@example.org", datetime.date(2026, 12, 1), [99])
    outcome = review_catalog(catalog, "p.po", "Ana Ruiz", "ana@example.org", datetime.date(2026, 12, 1), None)
    assert outcome.approved == () and [p.line for p in outcome.refused] == [catalog["Premier paragraphe."].lineno]
    assert "machine translation" in outcome.refused[0].message
    # translated: a person post-edits it and clears fuzzy (the machine note may stay: it is history)
    po.write_text(po.read_text(encoding="utf-8").replace("#, fuzzy\n", "").replace("Frist.", "First."), "utf-8")
    assert _state_and_reviewer(po, OLD) == [("First.", State.TRANSLATED, None)]
    # reviewed: a second person approves it with the review command
    catalog = read_catalog(po, tmp_path, "en")
    assert catalog is not None
    outcome = review_catalog(catalog, "p.po", "Ana Ruiz", "ana@example.org", datetime.date(2026, 12, 1), None)
    assert outcome.approved == (catalog["Premier paragraphe."].lineno,) and outcome.refused == ()
    po.write_bytes(render_catalog(catalog))
    assert _state_and_reviewer(po, OLD) == [("First.", State.REVIEWED, "Ana Ruiz")]
    _rewrite(po, OLD)  # a build leaves a review that holds as it is
    assert _state_and_reviewer(po, OLD) == [("First.", State.REVIEWED, "Ana Ruiz")]
    # stale: the French changes; the old translation is kept, fuzzy, without the review
    text = _rewrite(po, NEW)
    assert _state_and_reviewer(po, NEW) == [("First.", State.STALE, None)]
    revised = read_catalog(po, tmp_path, "en")
    assert revised is not None
    assert revised["Premier paragraphe, revu."].user_comments == []
    # the old entry, obsolete, keeps its review: it was of the old French, which it still holds
    assert revised.obsolete["Premier paragraphe."].user_comments[0].startswith("reviewed-by: Ana Ruiz")
    # the translator updates it: translated again, not reviewed (the review was of other French)
    po.write_text(text.replace("#, fuzzy\n", "").replace('"First."', '"First paragraph, revised."', 1), "utf-8")
    assert _state_and_reviewer(po, NEW) == [("First paragraph, revised.", State.TRANSLATED, None)]


def test_a_reviewed_translation_edited_afterwards_loses_its_review(tmp_path: Path) -> None:
    po = _entry_po(tmp_path, f'{REVIEW}\n#: content/p.md\nmsgid "Premier."\nmsgstr "First."\n')
    _rewrite(po)  # sealed
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "First."', 'msgstr "The first."'), "utf-8")
    assert _state_and_reviewer(po) == [("The first.", State.TRANSLATED, None)]
    assert "reviewed-by" not in _rewrite(po)


def test_a_review_of_a_fuzzy_entry_does_not_count_and_is_dropped(tmp_path: Path) -> None:
    po = _entry_po(tmp_path, f'{REVIEW}\n#, fuzzy\n#| msgid "Avant."\nmsgid "Premier."\nmsgstr "First."\n')
    assert _state_and_reviewer(po) == [("First.", State.STALE, None)]
    assert "reviewed-by" not in _rewrite(po)


@pytest.mark.parametrize(
    "comment",
    [
        "# reviewed-by: Ana Ruiz, 2026-12-01",
        "# reviewed-by: Ana Ruiz <ana@example.org>",
        "# reviewed-by: Ana Ruiz <ana@example.org>, 2026-13-01",
        "# reviewed-by: <ana@example.org>, 2026-12-01",
    ],
)
def test_a_malformed_review_is_not_a_review(tmp_path: Path, comment: str) -> None:
    po = _entry_po(tmp_path, f'{comment}\nmsgid "Premier."\nmsgstr "First."\n')
    assert _state_and_reviewer(po) == [("First.", State.TRANSLATED, None)]


def test_review_records_the_reviewer_and_leaves_the_rest_of_the_file_as_it_was(tmp_path: Path) -> None:
    entries = (
        '#: content/p.md\nmsgid "Premier."\nmsgstr "First."\n\n#: content/p.md\nmsgid "Second."\nmsgstr "Second."\n\n'
    )
    po = _entry_po(tmp_path, entries)
    catalog = read_catalog(po, tmp_path, "en")
    assert catalog is not None
    line = catalog["Second."].lineno
    outcome = review_catalog(catalog, "p.po", "Ana Ruiz", "ana@example.org", datetime.date(2026, 12, 1), [line])
    assert outcome.approved == (line,)
    seal = fingerprint("Second.", "Second.")
    assert render_catalog(catalog).decode() == HEADER + entries.replace(
        '\n\n#: content/p.md\nmsgid "Second."', f'\n\n{REVIEW}, sha256:{seal}\n#: content/p.md\nmsgid "Second."'
    )


def test_a_page_memory_is_read_once_and_written_only_when_it_changes(tmp_path: Path) -> None:
    from explainer.config import load_config
    from explainer.translate.memory import read_memory, updated_file

    from .project import make_project

    config = load_config(make_project(tmp_path / "project"))
    absent = read_memory(config, "en", "no-such-page")
    assert (absent.shown, absent.content, absent.catalog) == ("i18n/en/content/no-such-page.po", None, None)
    new = updated_file(absent, updated_catalog(None, _segmented("Premier.\n"), "en"))
    assert new.content is not None and new.shown == absent.shown and new.digest == sha256_hex(new.content)

    path = memory_file(config.i18n_dir, "en", "no-such-page")
    path.write_bytes(new.content)
    stored = read_memory(config, "en", "no-such-page")
    assert stored.content == new.content and stored.catalog is not None
    again = updated_file(stored, updated_catalog(stored.catalog, _segmented("Premier.\n"), "en"))
    assert (again.content, again.digest) == (None, new.digest)
    assert updated_file(stored, updated_catalog(stored.catalog, _segmented("Autre.\n"), "en")).content is not None


def test_the_entries_of_a_catalog_are_listed_without_making_its_header(monkeypatch: pytest.MonkeyPatch) -> None:
    import babel.messages.catalog

    from explainer.translate.memory import messages_of, parse_catalog

    content = (HEADER + 'msgid "Un"\nmsgstr "One"\n\n#, fuzzy\nmsgid "Deux"\nmsgstr "Two"\n').encode()
    catalog = parse_catalog(content, "i18n/en/content/p.po", "en")
    expected = [(m.id, m.string, sorted(m.flags)) for m in catalog if m.id]
    assert expected == [("Un", "One", []), ("Deux", "Two", ["fuzzy"])]

    def no_header(*args: object, **kwargs: object) -> str:
        raise AssertionError("the header was made (two dates formatted with CLDR)")

    monkeypatch.setattr(babel.messages.catalog, "format_datetime", no_header)
    assert [(m.id, m.string, sorted(m.flags)) for m in messages_of(catalog)] == expected
    with pytest.raises(AssertionError):
        list(catalog)  # what iterating a catalog costs
