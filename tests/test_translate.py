"""The translate step over the fixture project: memory states, stale and obsolete
entries, the markup rule, and machine translation with injected faults."""

from __future__ import annotations

from pathlib import Path

import pytest

from explainer.build import build
from explainer.cli import main
from explainer.config import load_config
from explainer.errors import ContentError, TranslationMemoryError
from tests.engines import CrashingEngine, HangingEngine, ScriptedEngine, drop_placeholders, upper
from tests.project import make_project


def _project(tmp_path: Path, engine: str = "none", extra: str = "") -> Path:
    project = make_project(tmp_path / "project")
    config = project / "explainer.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("[site]", f'[translation]\nengine = "{engine}"\ntimeout = 2\n\n[site]')
    config.write_text(text + extra, encoding="utf-8")
    return project


def _edit(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _entry(po: Path, msgid: str) -> str:
    """The PO text of the entry for ``msgid``, comments included."""
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    matches = [block for block in blocks if f'\nmsgid "{msgid}"' in f"\n{block}"]
    assert len(matches) == 1, f"{msgid!r} in {po}"
    return matches[0].strip()


def test_changed_french_makes_the_entry_stale_and_keeps_the_old_text(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _edit(project, "content/news.md", "Le diplomate français est arrêté", "Le diplomate français a été arrêté")
    build(load_config(project))
    po = project / "i18n/en/content/news.po"
    assert _entry(
        po, "Le diplomate français a été arrêté à **Bamako**, selon [la source](https://www.africanews.com/)."
    ) == (
        "#: content/news.md\n"
        "#, fuzzy\n"
        '#| msgid "Le diplomate français est arrêté à **Bamako**, selon [la source](https://www.africanews.com/)."\n'
        'msgid "Le diplomate français a été arrêté à **Bamako**, selon [la source](https://www.africanews.com/)."\n'
        'msgstr "The French diplomat is arrested in **Bamako**, according to [the source](https://www.africanews.com/)."'
    )
    html = (project / "site/en/news/index.html").read_text(encoding="utf-8")
    assert '<p data-state="stale">The French diplomat is arrested in <strong>Bamako</strong>' in html
    assert "is outdated: the French has changed since it was translated." in html


def test_an_edit_undone_brings_the_reviewed_translation_back(tmp_path: Path) -> None:
    project = _project(tmp_path)
    po = project / "i18n/en/content/news.po"
    build(load_config(project))
    reviewed = po.read_text(encoding="utf-8")
    _edit(project, "content/news.md", "Le diplomate français est arrêté", "Le diplomate français a été arrêté")
    build(load_config(project))
    _edit(project, "content/news.md", "Le diplomate français a été arrêté", "Le diplomate français est arrêté")
    build(load_config(project))
    entry = _entry(po, "Le diplomate français est arrêté à **Bamako**, selon [la source](https://www.africanews.com/).")
    assert "fuzzy" not in entry and "#|" not in entry
    assert entry.endswith(
        'msgstr "The French diplomat is arrested in **Bamako**, according to [the source](https://www.africanews.com/)."'
    )
    # The revised entry, still translated, is kept in the obsolete section; the rest is as it was.
    text = po.read_text(encoding="utf-8")
    assert '#~ msgid "Le diplomate français a été arrêté' in text
    assert text.split("\n#~ ")[0].rstrip() == reviewed.split("\n#~ ")[0].rstrip()
    html = (project / "site/en/news/index.html").read_text(encoding="utf-8")
    # With its review: it approved exactly this French and this translation.
    assert "# reviewed-by: Awa Traoré <awa@example.org>, 2025-10-02, sha256:" in entry
    assert '<p data-state="reviewed">The French diplomat is arrested in <strong>Bamako</strong>' in html


def test_removed_french_moves_to_the_obsolete_section(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _edit(project, "content/news.md", "## Les chiffres {#chiffres}\n", "")
    _edit(project, "content/news.md", "Voir [le texte original](/original/#le-texte) et [les chiffres](#chiffres).", "")
    build(load_config(project))
    text = (project / "i18n/en/content/news.po").read_text(encoding="utf-8")
    assert '#~ msgid "Les chiffres"\n#~ msgstr "The figures"\n' in text
    assert '\nmsgid "Les chiffres"' not in text


@pytest.mark.parametrize(
    ("translation", "reason"),
    [
        (
            "Home <script>alert(1)</script>",
            "the translation adds an HTML tag ('<script') that the French does not have",
        ),
        ("<img src=x onerror=alert(1)>", "the translation adds an HTML tag ('<img') that the French does not have"),
        (
            "[Home](javascript:alert(1))",
            "the translation adds script-like text ('javascript:') that the French does not have",
        ),
        (
            "[Home](https://evil.example/)",
            "the translation adds a link to 'https://evil.example/' that the French does not have",
        ),
        ("Home[^9]", "the translation adds the footnote reference [^9] that the French does not have"),
    ],
)
def test_translations_may_not_add_markup(tmp_path: Path, translation: str, reason: str) -> None:
    project = _project(tmp_path)
    _edit(
        project,
        "i18n/en/content/index.po",
        'msgstr "Home"',
        f"msgstr {translation!r}".replace("'", '"', 2) if False else f'msgstr "{translation}"',
    )
    with pytest.raises(TranslationMemoryError) as caught:
        build(load_config(project))
    assert str(caught.value) == f"i18n/en/content/index.po:19: {reason}; fix or empty this translation"
    assert not (project / "site").exists()


def test_machine_translation_fills_missing_entries_in_one_batch_and_never_touches_reviewed(tmp_path: Path) -> None:
    project = _project(tmp_path, engine="argos")
    engine = ScriptedEngine(upper)
    report = build(load_config(project), engines={"argos": engine})
    # One call per language (ar, en, es), each with every segment it lacks, all pages together.
    assert len(engine.calls) == 3
    assert sum(len(call) for call in engine.calls) == report.machine_translated
    en = project / "i18n/en/content/news.po"
    assert _entry(en, "Une citation qui sera traduite.") == (
        "#. machine: scripted fr->xx 1\n#: content/news.md\n#, fuzzy\n"
        'msgid "Une citation qui sera traduite."\nmsgstr "UNE CITATION QUI SERA TRADUITE."'
    )
    # Reviewed stays reviewed and unchanged.
    assert _entry(en, "Les chiffres") == '#: content/news.md\nmsgid "Les chiffres"\nmsgstr "The figures"'
    # Markup and link targets come back intact through placeholders.
    es = project / "i18n/es/content/news.po"
    assert (
        'msgstr "LE DIPLOMATE FRANÇAIS EST ARRÊTÉ À **BAMAKO**, SELON [LA SOURCE](https://www.africanews.com/)."'
        in (es.read_text(encoding="utf-8"))
    )
    html = (project / "site/es/news/index.html").read_text(encoding="utf-8")
    assert '<blockquote>\n<p data-state="machine">UNE CITATION QUI SERA TRADUITE.</p>' in html
    assert "machine translation (scripted fr-&gt;xx 1)" not in html  # the Spanish UI says it in Spanish
    assert "traducción automática (scripted fr-&gt;xx 1)" in html


def test_stale_entries_are_retranslated_and_the_old_translation_is_kept(tmp_path: Path) -> None:
    project = _project(tmp_path, engine="argos")
    build(load_config(project), engines={"argos": ScriptedEngine(upper)})
    po = project / "i18n/en/content/news.po"
    assert _entry(po, "Premier") == (
        '#. machine: scripted fr->xx 1\n#: content/news.md\n#, fuzzy\n#| msgid "Premièrement"\n'
        'msgid "Premier"\nmsgstr "PREMIER"'
    )


def test_lost_placeholders_retry_without_markup_then_give_up(tmp_path: Path) -> None:
    project = _project(tmp_path, engine="argos")
    engine = ScriptedEngine(drop_placeholders)
    report = build(load_config(project), engines={"argos": engine})
    po = (project / "i18n/es/content/news.po").read_text(encoding="utf-8")
    # Plain segments pass; segments with markup are retried without it and marked for review.
    assert "#. machine: scripted fr->xx 1 (inline markup dropped: restore links and emphasis)\n" in po
    assert 'msgstr "LE DIPLOMATE FRANÇAIS EST ARRÊTÉ À BAMAKO, SELON LA SOURCE."' in po
    # A footnote reference cannot be dropped: that segment stays untranslated, with a warning.
    assert any(
        "could not translate 'La France suspend sa coopération avec le Mali. Deux diplomat" in w.message
        for w in report.warnings
    )
    for html in (project / "site").rglob("*.html"):
        assert "{1}" not in html.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("engine", "message"),
    [
        (CrashingEngine(upper), "scripted fr->xx 1 failed: RuntimeError: model file is corrupt;"),
        (HangingEngine(upper), "scripted fr->xx 1 failed: no answer within 2 s;"),
    ],
)
def test_engine_failure_leaves_segments_missing_and_the_build_finishes(
    tmp_path: Path, engine: ScriptedEngine, message: str
) -> None:
    project = _project(tmp_path, engine="argos")
    try:
        report = build(load_config(project), engines={"argos": engine})
        assert any(message in warning.message for warning in report.warnings)
        # The build finishes; with nothing translated, no Spanish page is offered as a translation.
        assert (project / "site/fr/news/index.html").exists()
        assert not (project / "site/es").exists()
        with pytest.raises(ContentError):
            build(load_config(project), engines={"argos": engine}, strict=True)
    finally:
        if isinstance(engine, HangingEngine):
            engine.released.set()  # let the abandoned engine threads finish


def test_no_model_warns_with_the_command_to_install_one(tmp_path: Path) -> None:
    project = _project(tmp_path, engine="argos")
    report = build(load_config(project))
    # Once per language, of its memory folder, counting the segments of every file that needs them.
    needed = [w for w in report.warnings if "no argos model" in w.message]
    assert len(needed) == len({w.message.split("->")[1][:2] for w in needed})  # one per language
    spanish = [w for w in needed if "fr->es" in w.message]
    assert [str(w) for w in spanish] == [
        "i18n/es/content: no argos model for fr->es nor through en (python build.py models install --configured): "
        f"{_untranslated(project, 'es')} could not be machine translated"
    ]


def _untranslated(project: Path, language: str) -> str:
    """'N segments in M files': the empty entries of ``language``'s memory files, counted."""
    from explainer.translate.memory import parse_catalog

    files = sorted((project / "i18n" / language / "content").rglob("*.po"))
    texts = {
        (file, message.id)
        for file in files
        for message in parse_catalog(file.read_bytes(), str(file), language)
        if message.id and not message.string
    }
    return f"{len({text for _, text in texts})} segments in {len({file for file, _ in texts})} files"


def test_by_default_an_untranslated_language_and_page_are_not_published(tmp_path: Path) -> None:
    project = _project(tmp_path)
    build(load_config(project))
    site = project / "site"
    # Spanish: nothing translated, default thresholds: not published at all, listed nowhere.
    assert not (site / "es").exists()
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "/es/" not in sitemap and 'hreflang="es"' not in sitemap
    chooser = (site / "index.html").read_text(encoding="utf-8")
    assert 'lang="es"' not in chooser and 'lang="en"' in chooser
    news_en = (site / "en/news/index.html").read_text(encoding="utf-8")
    assert 'hreflang="es"' not in news_en and 'lang="es"' not in news_en
    assert 'lang="es"' not in (site / "en/translation-status/index.html").read_text(encoding="utf-8").split("<main")[0]
    # English is live, but its original page (0% translated) is not offered as a translation:
    # not built, not in hreflang or the sitemap, shown as unavailable in the switcher.
    assert not (site / "en/original").exists()
    original_fr = (site / "fr/original/index.html").read_text(encoding="utf-8")
    assert 'hreflang="en"' not in original_fr.split("</head>")[0]
    assert '<span class="unavailable" lang="en"' in original_fr
    assert "en/original/" not in sitemap and "en/news/" in sitemap


def test_page_threshold_hides_a_page_under_it(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _edit(project, "explainer.toml", "language_threshold = 40\n", "language_threshold = 40\npublish_threshold = 95\n")
    build(load_config(project))
    site = project / "site"
    assert not (site / "en/news").exists()  # 15 of 16 segments have a translation: under 95%
    assert (site / "en/index.html").exists()  # the home page is all translated
    assert "en/news/" not in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_a_language_under_its_threshold_can_be_previewed(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _edit(project, "explainer.toml", "language_threshold = 10\n", "language_threshold = 50\npreview = true\n")
    build(load_config(project))
    site = project / "site"
    home_ar = (site / "ar/index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in home_ar and "hreflang=" not in home_ar.split("</head>")[0]
    assert 'class="preview-banner"' in home_ar
    assert 'lang="ar"' not in (site / "index.html").read_text(encoding="utf-8")  # not in the chooser
    assert 'lang="ar"' not in (site / "en/index.html").read_text(encoding="utf-8")  # nor in the switcher
    assert "/ar/" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "Not open to readers yet" in (site / "en/translation-status/index.html").read_text(encoding="utf-8")


def test_noindex_keeps_machine_pages_out_of_search_engines(tmp_path: Path) -> None:
    project = _project(tmp_path, engine="argos")
    build(load_config(project), engines={"argos": ScriptedEngine(upper)})
    head = (project / "site/es/news/index.html").read_text(encoding="utf-8").split("</head>")[0]
    assert '<meta name="robots" content="noindex">' in head
    assert "hreflang=" not in head
    en_head = (project / "site/en/news/index.html").read_text(encoding="utf-8").split("</head>")[0]
    assert 'hreflang="es"' not in en_head and 'hreflang="en"' in en_head
    assert "es/news/" not in (project / "site/sitemap.xml").read_text(encoding="utf-8")


def test_no_mt_flag_uses_the_memory_alone(tmp_path: Path) -> None:
    project = _project(tmp_path, engine="apertium")
    assert main(["--project", str(project), "build", "--no-mt"]) == 0
    assert "machine:" not in (project / "i18n/es/content/news.po").read_text(encoding="utf-8")


@pytest.mark.parametrize("use_machine", [False, True])
def test_a_pages_catalogs_are_let_go_once_it_is_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_machine: bool
) -> None:
    """A large site's catalogs of one language are never all held at once: a page's catalogs are let
    go as soon as it is resolved, unless the machine pass is to fill it in."""
    import gc
    import weakref

    from explainer.translate import workers

    project = _project(tmp_path, engine="argos")
    read_memory = workers.read_memory
    held: list[tuple[str, weakref.ref[object]]] = []  # (PO file, its catalog) of the pages read so far
    alive_at_each_read: list[list[str]] = []

    def reading(config: object, language: str, page_path: str) -> object:
        gc.collect()
        # All but the page read last (the reading loop's variables still hold it).
        alive_at_each_read.append([shown for shown, catalog in held[:-1] if catalog() is not None])
        stored = read_memory(config, language, page_path)  # type: ignore[arg-type]
        if stored.catalog is not None:
            held.append((stored.shown, weakref.ref(stored.catalog)))
        return stored

    monkeypatch.setattr(workers, "read_memory", reading)
    engine = ScriptedEngine(upper)
    build(load_config(project), engines={"argos": engine}, use_machine=use_machine, jobs=1)
    assert len(held) >= 3  # several pages with a memory file, each read once per language
    alive = {shown for names in alive_at_each_read for shown in names}
    # Pages that need the machine (news.po lacks entries in every language) keep their catalog for it.
    expected = {shown for shown, _ in held if shown.endswith("/news.po")} if use_machine else set()
    assert alive == expected
    assert bool(engine.calls) is use_machine
