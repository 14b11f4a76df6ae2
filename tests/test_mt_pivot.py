"""Machine translation through a pivot language, with real Argos packages and a local index.

The tiny fixture packages (tests/fixtures/argos) are shaped like the public
index: fr->en, en->ar and en->es, no fr->ar and no fr->es. They are installed
from an index served on 127.0.0.1 or read from a file URL; nothing else may be
reached. Faults that a real model cannot produce on demand (a leg that loses
placeholders, a leg that never answers) wrap one real leg; the other leg stays real.
A download that stalls is a real socket on 127.0.0.1 that never answers.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from explainer.build import build
from explainer.cli import main
from explainer.config import load_config
from explainer.translate.model_index import IndexEntry, download_and_install
from explainer.translate.mt import EngineError
from explainer.translate.mt.argos import ArgosEngine, ArgosLeg, install_package, installed_models
from explainer.translate.mt.route import pivots_of
from tests.argos_index import PACKAGES, network_guard, write_index
from tests.project import REPOSITORY, serve_folder

LABEL_AR = "argos fr->en 0.1-test, en->ar 0.1-test"
LABEL_ES = "argos fr->en 0.1-test, en->es 0.1-test"
# French of the fixture corpus -> (English, Arabic, Spanish), as the build must record them.
EXPECTED = {
    "Les faits": ("The facts", "الوقائع", "Los hechos"),
    "Une page de test.": ("A test page.", "صفحة اختبار.", "Una página de prueba."),
    "La France suspend sa coopération avec le Mali.": (
        "France suspends its cooperation with Mali.",
        "فرنسا تعلق تعاونها مع مالي.",
        "Francia suspende su cooperación con Malí.",
    ),
    "Le JNIM est à Bamako. Le JNIM est à Paris.": (
        "The JNIM is in Bamako. The JNIM is in Paris.",
        "JNIM في باماكو. JNIM في باريس.",
        "El JNIM está en Bamako. El JNIM está en París.",
    ),
    "Voir [la source](https://example.org/source).": (
        "See [the source](https://example.org/source).",
        "انظر [المصدر](https://example.org/source).",
        "Véase [la fuente](https://example.org/source).",
    ),
    "Le diplomate français est arrêté à Bamako.": (
        "The French diplomat is arrested in Bamako.",
        "اعتقل الدبلوماسي الفرنسي في باماكو.",
        "El diplomático francés es detenido en Bamako.",
    ),
}


@pytest.fixture()
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[object]]:
    """Nothing but 127.0.0.1 may be reached; Argos keeps its folders in tmp; no waiting between retries."""
    refused = network_guard(monkeypatch)
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    monkeypatch.setenv("ARGOS_INTRA_THREADS", "1")
    monkeypatch.delenv("EXPLAINER_ARGOS_INDEX", raising=False)
    monkeypatch.setattr("explainer.translate.model_index.RETRY_DELAYS", (0.0, 0.0))
    yield refused
    assert refused == [], "something tried to reach the network"


def _project(tmp_path: Path, translation: str = "", languages: str = "") -> Path:
    project = tmp_path / "project"
    (project / "content").mkdir(parents=True)
    shutil.copytree(REPOSITORY / "templates", project / "templates")
    (project / "explainer.toml").write_text(
        '[site]\nbase_url = "https://example.org/"\nsource_language = "fr"\nlanguages = ["fr", "en", "ar", "es"]\n\n'
        f'[translation]\nengine = "argos"\nmodels_dir = "models"\nthreads = 1\n{translation}\n'
        '[languages.fr]\ntitle = "Essai"\ndescription = "Essai."\n\n'
        '[languages.en]\ntitle = "Test"\ndescription = "Test."\n\n'
        '[languages.ar]\ntitle = "اختبار"\ndescription = "اختبار."\n\n'
        f'[languages.es]\ntitle = "Prueba"\ndescription = "Prueba."\n{languages}',
        encoding="utf-8",
    )
    for language in ("fr", "en", "ar", "es"):
        shutil.copytree(REPOSITORY / "i18n" / language / "LC_MESSAGES", project / "i18n" / language / "LC_MESSAGES")
    (project / "i18n" / "glossary.yaml").write_text("names:\n  - JNIM\n", encoding="utf-8")
    (project / "content" / "index.md").write_text(
        "---\ntitle: Les faits\nkind: home\nsummary: Une page de test.\n---\n"
        "La France suspend sa coopération avec le Mali.\n\n"
        "Le JNIM est à Bamako. Le JNIM est à Paris.\n\n"
        "Voir [la source](https://example.org/source).\n\n"
        "- Le diplomate français est arrêté à Bamako.\n",
        encoding="utf-8",
    )
    return project


def _install_all(models: Path) -> None:
    for package in PACKAGES.values():
        install_package(package, models)


def _entry(label: str, french: str, translation: str) -> str:
    return f'#. machine: {label}\n#: content/index.md\n#, fuzzy\nmsgid "{french}"\nmsgstr "{translation}"\n'


def test_routes_are_direct_where_a_model_exists_else_through_the_pivot(tmp_path: Path, offline: list[object]) -> None:
    models = tmp_path / "models"
    _install_all(models)
    engine = ArgosEngine(models, threads=1)
    assert engine.describe("fr", "en") == "argos fr->en 0.1-test"
    assert engine.describe("fr", "ar") == LABEL_AR
    assert engine.describe("fr", "es") == LABEL_ES
    assert engine.describe("en", "ar") == "argos en->ar 0.1-test"
    assert engine.describe("ar", "es") is None  # no ar->en model
    assert ArgosEngine(models, threads=1, pivot="de").describe("fr", "ar") is None
    route = engine.route("fr", "ar")
    assert route is not None and route.pivots == ("en",) and route.summary == "fr->ar via en"
    assert pivots_of(LABEL_AR) == ("en",) and pivots_of("argos fr->en 0.1-test") == ()


def test_each_leg_is_one_batch_over_every_sentence(
    tmp_path: Path, offline: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    models = tmp_path / "models"
    _install_all(models)
    calls: list[tuple[str, int]] = []
    real = ArgosLeg.translate_tokens

    def counted(leg: ArgosLeg, tokenized: list[list[str]]) -> list[str]:
        calls.append((f"{leg.model.source}->{leg.model.target}", len(tokenized)))
        return real(leg, tokenized)

    monkeypatch.setattr(ArgosLeg, "translate_tokens", counted)
    engine = ArgosEngine(models, threads=1)
    french = ["Les faits", "Le {1} est à Bamako. Le {2} est à Paris.", "Voir {1}la source{2}."]
    assert engine.translate(french, "fr", "ar") == ["الوقائع", "{1} في باماكو. {2} في باريس.", "انظر {1}المصدر{2}."]
    assert calls == [("fr->en", 4), ("en->ar", 4)]  # four sentences, two legs, two calls


@pytest.mark.parametrize("transport", ["http", "file"])
def test_install_configured_from_a_local_index(
    tmp_path: Path, offline: list[object], capsys: pytest.CaptureFixture[str], transport: str
) -> None:
    project = _project(tmp_path)
    mirror = tmp_path / "mirror"
    if transport == "file":
        url = write_index(mirror).as_uri()
        assert main(["--project", str(project), "models", "install", "--configured", "--index", url]) == 0
    else:
        with serve_folder(mirror) as base:
            write_index(mirror, base)
            url = base + "index.json"
            assert main(["--project", str(project), "models", "install", "--configured", "--index", url]) == 0
    out = capsys.readouterr().out
    assert f"routes planned from {url}:" in out
    assert "  en  fr->en direct: fr->en 0.1-test (download)" in out
    assert "  ar  fr->ar via en: fr->en 0.1-test (download), en->ar 0.1-test (download)" in out
    assert "  es  fr->es via en: fr->en 0.1-test (download), en->es 0.1-test (download)" in out
    assert out.count("installed argos fr->en 0.1-test") == 1  # shared by three routes, downloaded once
    assert "every argos language has a route (3 installed now)" in out
    models = project / "models"
    assert [(m.source, m.target) for m in installed_models(models)] == [("en", "ar"), ("en", "es"), ("fr", "en")]
    assert sorted(path.name for path in models.iterdir()) == ["en_ar_tiny", "en_es_tiny", "fr_en_tiny"]
    # A second run finds everything installed and downloads nothing.
    assert main(["--project", str(project), "models", "install", "--configured", "--index", url]) == 0
    again = capsys.readouterr().out
    assert "  ar  fr->ar via en: fr->en 0.1-test (installed), en->ar 0.1-test (installed)" in again
    assert "installed argos" not in again


def test_a_build_translates_new_french_through_english(
    tmp_path: Path, offline: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    mirror = tmp_path / "mirror"
    with serve_folder(mirror) as base:
        write_index(mirror, base)
        assert (
            main(["--project", str(project), "models", "install", "--configured", "--index", base + "index.json"]) == 0
        )
    report = build(load_config(project))
    assert report.machine_translated == 18
    assert not [w for w in report.warnings if "argos" in w.message]
    for column, (language, label) in enumerate((("en", "argos fr->en 0.1-test"), ("ar", LABEL_AR), ("es", LABEL_ES))):
        po = (project / f"i18n/{language}/content/index.po").read_text(encoding="utf-8")
        for french, translations in EXPECTED.items():
            assert _entry(label, french, translations[column]) in po, (language, french)
    arabic = (project / "site/ar/index.html").read_text(encoding="utf-8")
    assert '<p data-state="machine">انظر <a href="https://example.org/source">المصدر</a>.</p>' in arabic
    assert f"ترجمة آلية عبر لغة وسيطة (الإنجليزية؛ {LABEL_AR.replace('>', '&gt;')}) لم يراجعها أحد بعد." in arabic
    spanish = (project / "site/es/index.html").read_text(encoding="utf-8")
    assert f"a través de una lengua intermedia (inglés; {LABEL_ES.replace('>', '&gt;')})" in spanish
    english = (project / "site/en/index.html").read_text(encoding="utf-8")
    assert "machine translation (argos fr-&gt;en 0.1-test) that no one has reviewed yet" in english
    assert " via " not in english
    # Routes are shown by models list and status.
    assert main(["--project", str(project), "models", "list"]) == 0
    listing = capsys.readouterr().out
    assert f"ar        {LABEL_AR}  (via en)" in listing and "en        argos fr->en 0.1-test  (direct)" in listing
    assert main(["--project", str(project), "status"]) == 0
    assert f"es        {LABEL_ES}  (via en)" in capsys.readouterr().out


class _LosingLeg:
    """A real leg whose output loses every placeholder (fault injection: a real model will not do it on demand)."""

    def __init__(self, leg: ArgosLeg) -> None:
        self.leg, self.model = leg, leg.model

    def split(self, text: str) -> list[str]:
        return self.leg.split(text)

    def translate_sentences(self, sentences: Sequence[str]) -> list[str]:
        return [
            " ".join(s.replace("{1}", "").replace("{2}", "").split()) for s in self.leg.translate_sentences(sentences)
        ]


class _HangingLeg(_LosingLeg):
    """A leg that never answers until released (fault injection)."""

    released = threading.Event()
    entered = threading.Event()

    def translate_sentences(self, sentences: Sequence[str]) -> list[str]:
        self.entered.set()
        self.released.wait(30)
        return []


def _with_faulty_leg(monkeypatch: pytest.MonkeyPatch, pair: tuple[str, str], wrapper: type[_LosingLeg]) -> None:
    real = ArgosEngine._leg

    def leg(engine: ArgosEngine, source: str, target: str) -> object:
        loaded = real(engine, source, target)
        return wrapper(loaded) if (source, target) == pair else loaded

    monkeypatch.setattr(ArgosEngine, "_leg", leg)


def test_a_leg_that_loses_placeholders_is_caught_on_the_final_output(
    tmp_path: Path, offline: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    _install_all(project / "models")
    _with_faulty_leg(monkeypatch, ("en", "ar"), _LosingLeg)
    report = build(load_config(project))
    po = (project / "i18n/ar/content/index.po").read_text(encoding="utf-8")
    # Segments without placeholders went through both legs untouched.
    assert _entry(LABEL_AR, "Les faits", "الوقائع") in po
    # The names came back in neither try: flagged, left untranslated, never written with a hole.
    assert any(
        w.message == f"{LABEL_AR} could not translate 'Le JNIM est à Bamako. Le JNIM est à Paris.': "
        "placeholders did not come back; left untranslated"
        for w in report.warnings
    )
    assert 'msgid "Le JNIM est à Bamako. Le JNIM est à Paris."\nmsgstr ""\n' in po
    # The link: tried again without its markup, and marked so.
    assert f"#. machine: {LABEL_AR} (inline markup dropped: restore links and emphasis)" in po
    # Spanish does not use the faulty leg.
    spanish = (project / "i18n/es/content/index.po").read_text(encoding="utf-8")
    assert (
        _entry(
            LABEL_ES,
            "Voir [la source](https://example.org/source).",
            EXPECTED["Voir [la source](https://example.org/source)."][2],
        )
        in spanish
    )


def test_a_leg_that_hangs_is_given_up_and_the_build_goes_on(
    tmp_path: Path, offline: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, translation="timeout = 1\n")
    _install_all(project / "models")
    _HangingLeg.released.clear()
    _HangingLeg.entered.clear()
    _with_faulty_leg(monkeypatch, ("en", "ar"), _HangingLeg)
    try:
        report = build(load_config(project))
    finally:
        _HangingLeg.released.set()  # let the abandoned thread finish
    assert _HangingLeg.entered.is_set()
    assert any(
        w.message == f"{LABEL_AR} failed: no answer within 1 s; 6 segments in 1 file left untranslated"
        for w in report.warnings
    )
    assert "#. machine:" not in (project / "i18n/ar/content/index.po").read_text(encoding="utf-8")
    # The build goes on: Arabic, with nothing translated, is left unpublished by the publishing policy.
    assert (project / "site/en/index.html").exists()
    assert not (project / "site/ar/index.html").exists()
    spanish = (project / "i18n/es/content/index.po").read_text(encoding="utf-8")
    assert _entry(LABEL_ES, "Les faits", "Los hechos") in spanish


def test_a_package_with_a_bad_checksum_is_not_installed(
    tmp_path: Path, offline: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    url = write_index(tmp_path / "mirror", bad_checksum=("en", "ar")).as_uri()
    assert main(["--project", str(project), "models", "install", "--configured", "--index", url]) == 0
    captured = capsys.readouterr()
    assert "warning: cannot install en->ar 0.1-test: " in captured.err
    assert "en_ar_tiny.argosmodel: checksum mismatch (sha256 fc036deff6c8" in captured.err
    assert "warning: no machine translation for ar: these languages are built from the translation memory" in (
        captured.err
    )
    models = project / "models"
    assert sorted(path.name for path in models.iterdir()) == ["en_es_tiny", "fr_en_tiny"]  # nothing half-installed
    assert main(["--project", str(project), "models", "install", "--configured", "--strict", "--index", url]) == 1


def test_an_index_without_a_leg_leaves_that_language_without_a_route(
    tmp_path: Path, offline: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    url = write_index(tmp_path / "mirror", pairs=(("fr", "en"), ("en", "es"))).as_uri()
    assert main(["--project", str(project), "models", "install", "--configured", "--index", url]) == 0
    captured = capsys.readouterr()
    assert "  ar  no route: no fr->ar package, and no fr->en with en->ar" in captured.out
    assert "warning: no machine translation for ar:" in captured.err
    assert [(m.source, m.target) for m in installed_models(project / "models")] == [("en", "es"), ("fr", "en")]
    assert main(["--project", str(project), "models", "install", "--configured", "--strict", "--index", url]) == 1
    # The build succeeds and says what it could not translate; Arabic, with nothing translated,
    # is left unpublished by the publishing policy.
    report = build(load_config(project))
    assert any("no argos model for fr->ar nor through en" in w.message for w in report.warnings)
    assert (project / "site/es/index.html").exists()
    assert not (project / "site/ar/index.html").exists()


def test_an_unreachable_index(tmp_path: Path, offline: list[object], capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path)
    (tmp_path / "empty").mkdir()
    with serve_folder(tmp_path / "empty") as base:
        pass  # the server stops at the end of this block: its port then refuses connections
    url = base + "index.json"
    assert main(["--project", str(project), "models", "install", "--configured", "--index", url]) == 1
    err = capsys.readouterr().err
    assert (
        f"warning: cannot read the Argos package index ({url}): [Errno 111] Connection refused (after 3 attempts)"
        in err
    )
    assert "error: no Argos model is installed and none can be downloaded" in err
    # With models installed (a restored cache), the routes are planned from them and the command succeeds.
    install_package(PACKAGES[("fr", "en")], project / "models")
    install_package(PACKAGES[("en", "ar")], project / "models")
    assert main(["--project", str(project), "models", "install", "--configured", "--index", url]) == 0
    captured = capsys.readouterr()
    assert "routes planned from the installed models:" in captured.out
    assert "  ar  fr->ar via en: fr->en 0.1-test (installed), en->ar 0.1-test (installed)" in captured.out
    assert "warning: no machine translation for es:" in captured.err
    # A missing local file is as clear.
    missing = (tmp_path / "nowhere" / "index.json").as_uri()
    assert main(["--project", str(project), "models", "plan", "--index", missing]) == 0
    assert f"warning: cannot read the Argos package index ({missing}):" in capsys.readouterr().err


def test_plain_http_is_refused_for_a_remote_index(
    tmp_path: Path, offline: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    url = "http://example.org/index.json"
    assert main(["--project", str(project), "models", "install", "--configured", "--index", url]) == 1
    assert "must be an https:// or file:// URL (plain http only on 127.0.0.1)" in capsys.readouterr().err


def test_the_index_comes_from_the_environment_and_plans_a_cache_key(
    tmp_path: Path, offline: list[object], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    monkeypatch.setenv("EXPLAINER_ARGOS_INDEX", write_index(tmp_path / "mirror").as_uri())
    assert main(["--project", str(project), "models", "plan", "--key"]) == 0
    assert capsys.readouterr().out == (
        "en-fr.en.0.1-test_ar-fr.en.0.1-test-en.ar.0.1-test_es-fr.en.0.1-test-en.es.0.1-test\n"
    )


def test_a_language_can_use_another_engine_and_another_pivot(
    tmp_path: Path, offline: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path, translation='pivot = "de"\n', languages='engine = "none"\n')
    url = write_index(tmp_path / "mirror").as_uri()
    assert main(["--project", str(project), "models", "install", "--configured", "--index", url]) == 0
    out = capsys.readouterr().out
    assert "  ar  no route: no fr->ar package, and no fr->de with de->ar" in out
    assert "  es " not in out  # Spanish does not use argos: nothing planned for it
    assert main(["--project", str(project), "models", "list"]) == 0
    assert "es        no machine translation\n" in capsys.readouterr().out


def test_a_download_that_stalls_times_out_and_is_retried(tmp_path: Path, offline: list[object]) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections are queued by the kernel and never answered
    try:
        link = f"http://127.0.0.1:{silent.getsockname()[1]}/en_ar_tiny.argosmodel"
        entry = IndexEntry("en", "ar", "0.1-test", (link,))
        with pytest.raises(EngineError) as caught:
            download_and_install(entry, tmp_path / "models", timeout=0.2, show_progress=False)
    finally:
        silent.close()
    assert str(caught.value) == f"cannot install en->ar 0.1-test: {link}: timed out (after 3 attempts)"
    assert list((tmp_path / "models").iterdir()) == []


def test_spanish_through_apertium_while_arabic_goes_through_english(
    tmp_path: Path, offline: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("apertium") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("apertium is not installed; .ci/run installs apertium-fr-es", pytrace=False)
        pytest.skip("apertium is not installed (apt-get install apertium-fr-es)")
    project = _project(tmp_path, languages='engine = "apertium"\n')
    url = write_index(tmp_path / "mirror").as_uri()
    assert main(["--project", str(project), "models", "install", "--configured", "--index", url]) == 0
    assert "en_es_tiny" not in {path.name for path in (project / "models").iterdir()}  # not planned: es is apertium
    build(load_config(project))
    spanish = (project / "i18n/es/content/index.po").read_text(encoding="utf-8")
    # Apertium's real output (rule-based, deterministic), recorded as a direct route.
    assert (
        '#. machine: apertium fr-es\n#: content/index.md\n#, fuzzy\nmsgid "La France suspend sa coopération avec le '
        'Mali."\nmsgstr "Francia suspende su cooperación con Malí."\n'
    ) in spanish
    arabic = (project / "i18n/ar/content/index.po").read_text(encoding="utf-8")
    assert _entry(LABEL_AR, "Les faits", "الوقائع") in arabic
    assert " via " not in (project / "site/es/index.html").read_text(encoding="utf-8")
    assert main(["--project", str(project), "models", "list"]) == 0
    listing = capsys.readouterr().out
    assert "es        apertium fr-es  (direct)\n" in listing and f"ar        {LABEL_AR}  (via en)\n" in listing
