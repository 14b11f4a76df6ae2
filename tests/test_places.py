"""The locator map, the places data file, the timeline's years strip and the "in short" box.

Invalid inputs are built with the CLI and must give the exact ``path:line: message``; the
explainer's own content is built once and its pages read as files.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from explainer.check.links import scan_file
from explainer.cli import main
from explainer.load.data import load_places
from explainer.model import TimelineEntry, timeline_anchors
from explainer.render.placemap import timeline_date
from tests.project import REPOSITORY, build_flagship, make_project, publish_arabic_pages

LANGUAGES = ("fr", "en", "ar", "es")
MAP_PAGES = ("", "background/coups/", "background/wagner/", "background/insurgency/")
BACKGROUND = ("coups", "wagner", "insurgency")

GLOSSARY = 'names:\n  - {fr: "Bamako", ar: "باماكو"}\n  - {fr: "Gao", ar: "غاو"}\n'
PLACES = """\
- id: bamako
  name: "Bamako"
  latitude: 12.64
  longitude: -8.00
  mentions:
    - /original/#le-texte
    - /timeline/#e-2025-09-19

- id: gao
  name: "Gao"
  latitude: 16.27
  longitude: -0.05
  label: left
  mentions:
    - /timeline/#e-2017-03
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """The fixture site with a glossary and two places."""
    root = make_project(tmp_path / "project")
    (root / "i18n" / "glossary.yaml").write_text(GLOSSARY, encoding="utf-8")
    (root / "content" / "places.yaml").write_text(PLACES, encoding="utf-8")
    return root


def _errors(project: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert main(["--project", str(project), "build", "--no-mt"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.splitlines()


def test_the_fixture_places_build_and_link_both_ways(project: Path) -> None:
    publish_arabic_pages(project, {"timeline": ("Chronologie", "التسلسل الزمني")})
    assert main(["--project", str(project), "build", "--no-mt"]) == 0
    home = (project / "site" / "ar" / "index.html").read_text(encoding="utf-8")
    assert '<li id="place-bamako"><span class="place-name">باماكو</span>' in home
    timeline = (project / "site" / "ar" / "timeline" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../#place-gao">غاو</a>' in timeline


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "latitude: 12.64",
            'latitude: "douze"',
            "content/places.yaml:3: 'latitude' in place 1 must be a number (found 'douze');"
            " for example latitude: 12.6392 (a number, without quotes)",
        ),
        (
            "latitude: 12.64",
            "latitude: 112.64",
            "content/places.yaml:3: 'latitude' in place 1 must be between -90 and 90 (found 112.64)",
        ),
        (
            "label: left",
            "label: north",
            "content/places.yaml:13: 'label' in place 2 must be one of: right, left, above, below (found 'north')",
        ),
        (
            "id: gao",
            "id: bamako",
            "content/places.yaml:9: id 'bamako' is already used by place 1",
        ),
        (
            "    - /timeline/#e-2017-03",
            "    - timeline#e-2017-03",
            "content/places.yaml:15: mention in place 2 must be a site link such as /background/wagner/#kidal"
            " (found 'timeline#e-2017-03')",
        ),
        (
            "  mentions:\n    - /timeline/#e-2017-03\n",
            "  mentions: []\n",
            "content/places.yaml:14: 'mentions' in place 2 is empty: list where the story mentions it",
        ),
        (
            '  name: "Gao"\n',
            "",
            "content/places.yaml:9: missing required key 'name' in place 2",
        ),
        (
            "  latitude: 16.27\n",
            "  latitude: 16.27\n  lattitude: 16.27\n",
            "content/places.yaml:12: unknown key 'lattitude' in place 2; did you mean 'latitude'? allowed keys: id,"
            " label, latitude, longitude, mentions, name",
        ),
    ],
    ids=["not a number", "out of range", "label", "id twice", "not a site link", "no mention", "no name", "near miss"],
)
def test_places_file_errors(
    project: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    path = project / "content" / "places.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert _errors(project, capsys) == [f"error: {expected}"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "/original/#le-texte",
            "/nowhere/",
            "content/places.yaml:6: mention '/nowhere/' of 'Bamako': there is no such page",
        ),
        (
            "/timeline/#e-2017-03",
            "/timeline/#e-2017-04",
            "content/places.yaml:15: mention '/timeline/#e-2017-04' of 'Gao': that page has no heading or entry"
            " with id 'e-2017-04'",
        ),
        (
            'name: "Gao"',
            'name: "Ménaka"',
            "content/places.yaml:10: 'Ménaka' is not among the names of i18n/glossary.yaml: add it there"
            " (with its Arabic form) so that its label can be written in every language",
        ),
        (
            "longitude: -0.05",
            "longitude: 30.5",
            "content/places.yaml:9: 'Gao' (16.27, 30.5) lies outside the map; check its coordinates"
            " (latitude first, west is negative)",
        ),
    ],
    ids=["no such page", "no such entry", "not in the glossary", "outside the map"],
)
def test_places_are_checked_against_the_site(
    project: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    path = project / "content" / "places.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    assert _errors(project, capsys) == [f"error: {expected}"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            '  - "Un."\n  - "Deux."\n',
            "content/news.md:8: 'in_short' has 2 lines; an 'in short' box has 3 to 5",
        ),
        (
            '  - "Un."\n  - 12\n  - "Trois."\n',
            "content/news.md:10: line 2 of 'in_short' must be text; for example - 'Une phrase.'",
        ),
    ],
    ids=["too few lines", "not text"],
)
def test_in_short_errors(project: Path, capsys: pytest.CaptureFixture[str], lines: str, expected: str) -> None:
    path = project / "content" / "news.md"
    text = path.read_text(encoding="utf-8")
    assert "order: 1\n" in text
    path.write_text(text.replace("order: 1\n", "order: 1\nin_short:\n" + lines, 1), encoding="utf-8")
    assert _errors(project, capsys) == [f"error: {expected}"]


def test_timeline_anchors_come_from_dates_and_count_repeats() -> None:
    entries = tuple(TimelineEntry(date, "x", (), 1) for date in ("2012", "2017-03", "2017-03", "2017-03-02"))
    assert timeline_anchors(entries) == ("e-2012", "e-2017-03", "e-2017-03-n2", "e-2017-03-02")
    assert [timeline_date(anchor) for anchor in timeline_anchors(entries)] == [
        "2012",
        "2017-03",
        "2017-03",
        "2017-03-02",
    ]
    assert timeline_date("kidal") is None


# -- the explainer's own content ------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_flagship(tmp_path_factory.mktemp("places") / "project")


def _resolve(site: Path, page: str, href: str) -> tuple[Path, str]:
    """The file and fragment a relative link on ``page`` (a site path ending in /) leads to."""
    target, _, fragment = href.partition("#")
    joined = posixpath.normpath(posixpath.join(page, target or "."))
    file = site / joined
    return (file / "index.html" if file.is_dir() else file), fragment


def _figure(html: str) -> str:
    found = re.findall(r'<figure class="place-map">.*?</figure>', html, re.S)
    assert len(found) == 1
    return found[0]


PLACE_COUNT = len(load_places(REPOSITORY / "content" / "places.yaml", REPOSITORY))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", MAP_PAGES)
def test_the_map_is_named_and_every_place_link_resolves(site: Path, language: str, page: str) -> None:
    html = (site / language / page / "index.html").read_text(encoding="utf-8")
    figure = _figure(html)
    svg = re.search(r"<svg [^>]*>", figure)
    assert svg is not None and 'role="img"' in svg.group() and 'aria-labelledby="map-title map-desc"' in svg.group()
    title = re.search(r'<title id="map-title">([^<]+)</title>', figure)
    desc = re.search(r'<desc id="map-desc">([^<]+)</desc>', figure)
    assert title is not None and desc is not None
    items = re.findall(r'<li id="place-([a-z0-9-]+)">(.*?)</ul>\s*</li>', figure, re.S)
    assert len(items) == PLACE_COUNT == figure.count("<circle ")
    for place, item in items:
        links = re.findall(r'<a href="([^"]+)">(?:<time datetime="[^"]+">)?([^<]+)(?:</time>)?</a>', item)
        assert links, place
        for href, text in links:
            file, fragment = _resolve(site, f"{language}/{page}", href)
            assert file.is_file(), (place, href)
            assert fragment in scan_file(file.name, file.read_bytes()).ids, (place, href)
            assert text.strip()


@pytest.mark.parametrize("language", ("ar",))
def test_arabic_labels_are_the_glossarys_and_the_map_is_not_mirrored(site: Path, language: str) -> None:
    figure = _figure((site / language / "index.html").read_text(encoding="utf-8"))
    labels = re.findall(r'<text x="[\d.]+" y="[\d.]+" text-anchor="(?:start|end|middle)"[^>]*>([^<]+)</text>', figure)
    for name in ("باماكو", "كيدال", "غاو", "تينزاواتين", "مورا", "ليري", "تمبكتو"):
        assert name in labels
    assert "مالي" in labels  # the country, named by CLDR
    assert "transform" not in figure and "scale(-1" not in figure
    french = _figure((site / "fr" / "index.html").read_text(encoding="utf-8"))
    assert re.findall(r"<circle [^>]+>", figure) == re.findall(r"<circle [^>]+>", french)  # the same geography


def test_the_inline_map_stays_small(site: Path) -> None:
    for language in LANGUAGES:
        figure = _figure((site / language / "index.html").read_text(encoding="utf-8"))
        svg = re.search(r"<svg .*?</svg>", figure, re.S)
        assert svg is not None
        assert len(svg.group().encode("utf-8")) < 6 * 1024, language


@pytest.mark.parametrize("language", LANGUAGES)
def test_timeline_entries_link_back_to_their_places(site: Path, language: str) -> None:
    places = load_places(REPOSITORY / "content" / "places.yaml", REPOSITORY)
    html = (site / language / "timeline" / "index.html").read_text(encoding="utf-8")
    expected = 0
    for place in places:
        for mention in place.mentions:
            if mention.startswith("/timeline/#"):
                expected += 1
                anchor = mention.partition("#")[2]
                entry = re.search(rf'<li class="event" id="{anchor}">(.*?)</li>', html, re.S)
                assert entry is not None, anchor
                assert f'href="../#place-{place.id}"' in entry.group(1), (anchor, place.id)
    assert expected >= 10
    for href in re.findall(r'<p class="event-places">.*?</p>', html, re.S):
        for link in re.findall(r'href="([^"]+)"', href):
            file, fragment = _resolve(site, f"{language}/timeline/", link)
            assert fragment in scan_file(file.name, file.read_bytes()).ids


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_years_strip_leads_to_each_years_first_entry(site: Path, language: str) -> None:
    html = (site / language / "timeline" / "index.html").read_text(encoding="utf-8")
    strip = re.search(r'<nav class="years" aria-label="[^"]+">(.*?)</nav>', html, re.S)
    assert strip is not None
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', strip.group(1))
    entries = re.findall(r'<li class="event" id="([^"]+)">\s*<time class="event-date" datetime="([^"]+)"', html)
    first_of_year: dict[str, str] = {}
    for anchor, date in entries:
        first_of_year.setdefault(date[:4], anchor)
    assert [anchor for anchor, _ in links] == list(first_of_year.values())
    assert len(links) >= 8
    ids = scan_file("index.html", html.encode("utf-8")).ids
    assert all(anchor in ids for anchor, _ in links)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", BACKGROUND)
def test_each_background_page_opens_with_its_in_short_box(site: Path, language: str, page: str) -> None:
    html = (site / language / "background" / page / "index.html").read_text(encoding="utf-8")
    box = re.search(r'<aside class="in-short" aria-labelledby="in-short-heading">(.*?)</aside>', html, re.S)
    assert box is not None
    assert html.index('class="in-short"') < html.index('<div class="body">')
    lines = re.findall(r"<li([^>]*)>(.*?)</li>", box.group(1), re.S)
    assert 3 <= len(lines) <= 5
    if language == "fr":
        return
    with (REPOSITORY / "i18n" / language / "content" / "background" / f"{page}.po").open("rb") as file:
        catalog = read_po(file)
    translations = {message.string for message in catalog if message.id and not message.fuzzy}
    for attributes, text in lines:
        assert 'lang="fr"' not in attributes and 'data-state="missing"' not in attributes  # translated, not French
        # The text as written (Latin runs in Arabic are isolated in <bdi> on the page).
        shown = re.sub(r"</?bdi>", "", text).replace("&#34;", '"').replace("&quot;", '"')
        assert shown in translations
