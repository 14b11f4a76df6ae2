"""Web fonts: subset to the characters a language's pages show, byte-stable, served only on them."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from explainer.build import build
from explainer.config import load_config
from explainer.model import SiteMap
from explainer.render.fonts import _ranges, plan_fonts, stylesheet, subset_font
from tests.project import make_project

NASKH = "templates/fonts/NotoNaskhArabic-Regular.ttf"


def _site_map(characters: str) -> SiteMap:
    return SiteMap("fr", ("fr", "ar"), {}, {}, (), {}, characters={"ar": characters})


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("fonts") / "project")


def test_subset_is_byte_stable_and_holds_what_pages_show(project: Path) -> None:
    config = load_config(project)
    fonts = plan_fonts(config, _site_map("قطيعة"))["ar"]
    assert "ق" in fonts.characters and "ﻙ" not in fonts.characters
    face = fonts.faces[0]
    first, second = subset_font(config, face, fonts.characters), subset_font(config, face, fonts.characters)
    assert first == second  # same input, same bytes
    font = TTFont(io.BytesIO(first))
    assert font.flavor == "woff2"
    cmap = set(font.getBestCmap())
    assert {ord("ق"), ord("ط"), ord("ي"), ord("ع"), ord("ة")} <= cmap
    assert ord("ڤ") not in cmap  # a letter no page shows is left out
    assert font["name"].getDebugName(13).startswith("This Font Software is licensed under the SIL Open Font License")
    source = (project / NASKH).stat().st_size
    assert len(first) < source / 4


def test_font_names_follow_the_characters(project: Path) -> None:
    config = load_config(project)
    one, other = plan_fonts(config, _site_map("قطيعة"))["ar"], plan_fonts(config, _site_map("قطيعة ڤ"))["ar"]
    assert one.faces[0].path != other.faces[0].path and one.stylesheet != other.stylesheet
    assert plan_fonts(config, _site_map("قطيعة"))["ar"] == one


def test_stylesheet_declares_the_subset(project: Path) -> None:
    config = load_config(project)
    fonts = plan_fonts(config, _site_map("قطيعة"))["ar"]
    css = stylesheet(config, fonts).decode()
    assert 'font-family: "Noto Naskh Arabic";' in css
    assert "font-display: swap;" in css and "font-weight: 400;" in css
    assert f'src: url("{fonts.faces[0].path.rsplit("/", 1)[1]}") format("woff2");' in css
    declared = re.search(r"unicode-range: ([^;]+);", css)
    assert declared is not None
    covered = set()
    for part in declared.group(1).split(","):
        start, _, end = part.removeprefix("U+").partition("-")
        covered.update(range(int(start, 16), int(end or start, 16) + 1))
    assert {ord(character) for character in "قطيعة"} <= covered and ord("ڤ") not in covered
    assert '--font-text: "Noto Naskh Arabic", var(--font-system);' in css
    assert _ranges([0x20, 0x2C, 0x30, 0x31, 0x32]) == "U+20,U+2C,U+30-32"


def test_fonts_are_served_on_their_language_only(project: Path) -> None:
    build(load_config(project), use_machine=False)
    site = project / "site"
    fonts = sorted(path.name for path in (site / "assets" / "fonts").iterdir())
    assert sorted(name.rsplit(".", 2)[-1] for name in fonts) == ["css", "woff2"]
    for page in site.rglob("*.html"):
        linked = re.findall(r'href="[^"]*assets/fonts/[^"]+\.css"', page.read_text(encoding="utf-8"))
        in_arabic = page.relative_to(site).parts[0] == "ar"
        assert bool(linked) == in_arabic, page
    # Every Arabic letter the Arabic pages show is in the served subset.
    served = TTFont(next((site / "assets" / "fonts").glob("*.woff2")))
    arabic = {
        ord(character)
        for page in (site / "ar").rglob("*.html")
        for character in re.sub(r"<[^>]*>", "", page.read_text(encoding="utf-8"))
        if "\u0600" <= character <= "\u06ff"
    }
    assert arabic and arabic <= set(served.getBestCmap())


def test_a_template_edit_does_not_subset_the_fonts_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A font's path names its source, its characters and the subsetter's version: a template edit
    keeps the subset and its stylesheet; the site still equals a cold build's."""
    import shutil

    import explainer.render.renderer as renderer
    from tests.project import tree

    project = make_project(tmp_path / "project")
    build(load_config(project), use_machine=False, jobs=1)
    made: list[str] = []
    subset, sheet = renderer.subset_font, renderer.stylesheet
    monkeypatch.setattr(renderer, "subset_font", lambda *args: made.append("woff2") or subset(*args))
    monkeypatch.setattr(renderer, "stylesheet", lambda *args: made.append("css") or sheet(*args))
    page = project / "templates" / "page.html"
    page.write_text(page.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}<!-- v2 -->"))
    build(load_config(project), use_machine=False, jobs=1)
    assert made == []
    cold = tmp_path / "cold"
    shutil.copytree(project, cold, ignore=shutil.ignore_patterns("site", ".site.*", ".cache"))
    build(load_config(cold), use_machine=False, jobs=1, cache=False)
    assert sorted(made) == ["css", "woff2"]  # the cold build subsets them: the wrappers count
    assert tree(project / "site") == tree(cold / "site")


def test_with_several_processes_the_fonts_are_made_apart_and_the_site_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two processes, a cold build subsets its fonts in another process while it makes the other
    site-wide files; the site is the one process's, byte for byte."""
    import os
    import shutil

    import explainer.render.renderer as renderer
    from tests.project import tree

    one = make_project(tmp_path / "one")
    two = tmp_path / "two"
    shutil.copytree(one, two)
    made_by = tmp_path / "made-by"  # a file: what a forked process appends to a list is lost
    subset = renderer.subset_font

    def recording(*args: object) -> bytes:
        with made_by.open("a", encoding="utf-8") as record:
            record.write(f"{os.getpid()}\n")
        return subset(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(renderer, "subset_font", recording)
    build(load_config(one), use_machine=False, jobs=1)
    assert made_by.read_text(encoding="utf-8").split() == [str(os.getpid())]
    made_by.unlink()
    build(load_config(two), use_machine=False, jobs=2)
    found = made_by.read_text(encoding="utf-8").split()
    assert len(found) == 1 and found != [str(os.getpid())]
    assert tree(one / "site") == tree(two / "site")


def test_a_damaged_font_is_reported_alike_by_one_process_or_two(tmp_path: Path) -> None:
    from explainer.errors import FontError

    reports = []
    for jobs in (1, 2):
        project = make_project(tmp_path / f"jobs-{jobs}")
        (project / NASKH).write_bytes(b"not a font at all")
        with pytest.raises(FontError) as caught:
            build(load_config(project), use_machine=False, jobs=jobs)
        reports.append(caught.value.problems)
    assert reports[0] == reports[1]
    assert [(problem.path, problem.message.split(":")[0]) for problem in reports[0]] == [
        (NASKH, "not a font fontTools can read")
    ]
