"""The planner as a pure function: a ``Plan`` from a last build's state and the inputs as they are
now, all made in memory (no project, no disk)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explainer.cache import BuildState, OutputRecord, SourceRecord, UnitRecord
from explainer.errors import Problem
from explainer.inputs import Inputs, SourceFile
from explainer.model import PageInfo, SiteMap
from explainer.plan import (
    Plan,
    next_state,
    own_files,
    page_key,
    plan,
    plan_render,
    render_key,
    unchanged,
    unit_key,
)
from explainer.state import state_head
from explainer.write.output import FileStatus

LANGUAGES = ("fr", "en")
PAGES = {"content/index.md": "", "content/news.md": "news"}  # source file -> page path


def _inputs(**changes: object) -> Inputs:
    files = tuple(
        SourceFile(f"/project/{shown}", shown, address, f"hash of {shown}") for shown, address in PAGES.items()
    )
    inputs = Inputs(
        generator="generator",
        source_language="fr",
        languages=LANGUAGES,
        files=files,
        render_inputs="templates v1",
        shared_render_inputs="catalogs v1",
        unit_inputs="configuration v1",
        memory_hashes={(address, "en"): f"memory of {address or 'index'}" for address in PAGES.values()},
        site={path: FileStatus(len(path), 1, number) for number, path in enumerate(_site_files())},
    )
    return replace(inputs, **changes)  # type: ignore[arg-type]


def _site_files() -> list[str]:
    return sorted(path for address in PAGES.values() for code in LANGUAGES for path in own_files("fr", address, code))


def _info(address: str, code: str) -> PageInfo:
    return PageInfo(
        path=address,
        language=code,
        kind="news",
        order=None,
        last_changed=None,
        published_on=None,
        page_title="Titre",
        title="Titre",
        summary="",
        anchors=frozenset(),
        headings=(),
        counts=(1, 0, 0, 0, 0, 0),
        digest=f"what {address} shows in {code}",
    )


def _state(inputs: Inputs) -> BuildState:
    """The state a build of ``inputs`` leaves: every page published, its files as listed in ``inputs.site``."""
    units = {}
    for source in inputs.files:
        key = page_key(inputs, source.shown, source.hash, None)
        for code in LANGUAGES:
            unit = UnitRecord(
                unit_key(inputs, key, code, inputs.memory_hashes.get((source.address, code), "")),
                _info(source.address, code),
                (),
            )
            outputs = tuple((path, f"bytes of {path}") for path in own_files("fr", source.address, code))
            units[(source.address, code)] = replace(
                unit, render_key=render_key(inputs, unit, "context"), outputs=outputs
            )
    return BuildState(
        generator="generator",
        output_dir="/project/site",
        render_inputs=inputs.render_inputs,
        pages={source.shown: SourceRecord(source.hash, None) for source in inputs.files},
        units=units,
        outputs={
            path: OutputRecord(f"bytes of {path}", status.size, status.mtime_ns, status.inode)
            for path, status in inputs.site.items()
        },
    )


def _site_map() -> SiteMap:
    return SiteMap(
        source_language="fr",
        languages=LANGUAGES,
        published={address: LANGUAGES for address in PAGES.values()},
        titles={},
        order=tuple(PAGES.values()),
        anchors={},
    )


def _files(the_plan: Plan) -> set[str]:
    return {file.name for file in the_plan.to_read}


def test_a_cold_build_reads_and_renders_everything() -> None:
    the_plan = plan(None, _inputs())
    assert _files(the_plan) == {"index.md", "news.md"}
    assert the_plan.kept == {} and the_plan.intact == {} and not the_plan.nothing_changed
    assert the_plan.previous_outputs is None


def test_the_same_inputs_as_the_last_build_is_nothing_to_do() -> None:
    inputs = _inputs()
    state = _state(inputs)
    the_plan = plan(state, inputs)
    assert the_plan.nothing_changed
    assert the_plan.to_read == frozenset()
    assert the_plan.kept == state.units
    assert the_plan.intact == {path: record.hash for path, record in state.outputs.items()}
    assert the_plan.refreshed_state(saved_at=5) is None  # no file had to be read again


@pytest.mark.parametrize(
    ("name", "change", "read"),
    [
        ("a page's source", lambda i: {"files": (i.files[0], replace(i.files[1], hash="edited"))}, {"news.md"}),
        ("a page's memory", lambda i: {"memory_hashes": {**i.memory_hashes, ("", "en"): "reviewed"}}, {"index.md"}),
        ("the configuration", lambda i: {"unit_inputs": "configuration v2"}, {"index.md", "news.md"}),
        ("a template", lambda i: {"render_inputs": "templates v2"}, set()),
        (
            "a file of the site, by hand",
            lambda i: {"site": {**i.site, "en/news/index.html": FileStatus(9, 9, 9)}},
            set(),
        ),
        ("a stray file in the site", lambda i: {"site": {**i.site, "stray.html": FileStatus(1, 1, 1)}}, set()),
        ("the search index, deleted", lambda i: {"search_ready": False}, set()),
    ],
)
def test_what_changed_is_redone(name: str, change: object, read: set[str]) -> None:
    before = _inputs()
    the_plan = plan(_state(before), replace(before, **change(before)))  # type: ignore[operator]
    assert not the_plan.nothing_changed, name
    assert _files(the_plan) == read, name
    kept = {address for address, _ in the_plan.kept}
    assert kept == {PAGES[f"content/{file}"] for file in {"index.md", "news.md"} - read}, name


def test_a_file_changed_by_hand_is_not_carried_over() -> None:
    before = _inputs()
    the_plan = plan(_state(before), replace(before, site={**before.site, "en/news/index.html": FileStatus(9, 9, 9)}))
    assert "en/news/index.html" not in the_plan.intact
    assert "fr/news/index.html" in the_plan.intact


def test_a_page_removed_is_not_kept() -> None:
    before = _inputs()
    the_plan = plan(_state(before), replace(before, files=before.files[:1]))
    assert not the_plan.nothing_changed and the_plan.to_read == frozenset()
    assert set(the_plan.kept) == {("", "fr"), ("", "en")}


def test_files_read_to_know_they_did_not_change_are_saved_again() -> None:
    inputs = _inputs(files_read=1)
    state = _state(inputs)
    refreshed = plan(state, inputs).refreshed_state(saved_at=5)
    assert refreshed == replace(state, inputs=dict(inputs.hashed), saved_at=5)


def test_rendering_redoes_only_the_pages_whose_render_key_changed_or_whose_files_were_touched() -> None:
    before = _inputs()
    state = _state(before)
    # news.md edited: read again; its French page shows something else now.
    inputs = replace(before, files=(before.files[0], replace(before.files[1], hash="edited")))
    the_plan = plan(state, inputs)
    units = {**the_plan.kept}
    for code in LANGUAGES:
        units[("news", code)] = replace(state.units[("news", code)], info=_info("news", code))
    units[("news", "fr")] = replace(units[("news", "fr")], info=replace(_info("news", "fr"), digest="new French"))
    rendering = plan_render(the_plan, units, _site_map(), "context")
    assert rendering.to_render == (("news", "fr"),)
    assert rendering.reread == frozenset()  # news.md is read anyway
    assert rendering.units[("", "en")].outputs == state.units[("", "en")].outputs  # carried over

    # What every page shows of the others changed: every page is rendered again, the unchanged ones re-read.
    rendering = plan_render(the_plan, units, _site_map(), "another context")
    assert len(rendering.to_render) == 4
    assert {file.name for file in rendering.reread} == {"index.md"}


def test_an_unpublished_page_is_not_rendered_and_has_no_files() -> None:
    inputs = _inputs()
    state = _state(inputs)
    the_plan = plan(state, replace(inputs, render_inputs="templates v2"))
    site_map = replace(_site_map(), published={"": LANGUAGES, "news": ("fr",)})
    rendering = plan_render(the_plan, the_plan.kept, site_map, "context")
    assert rendering.units[("news", "en")].render_key is None and rendering.units[("news", "en")].outputs == ()
    assert ("news", "en") not in rendering.to_render


def test_a_site_wide_file_is_kept_only_with_the_same_key_and_the_same_file() -> None:
    inputs = _inputs(site={**_inputs().site, "sitemap.xml": FileStatus(3, 3, 3)})
    state = replace(_state(inputs), site_wide={})
    key = plan_render(plan(state, inputs), state.units, _site_map(), "context").site_wide_key("urls")
    state = replace(state, site_wide={"sitemap.xml": key})
    rendering = plan_render(plan(state, inputs), state.units, _site_map(), "context")
    assert rendering.kept_site_wide("sitemap.xml", key) == "bytes of sitemap.xml"
    assert rendering.kept_site_wide("sitemap.xml", "other data") is None
    touched = replace(inputs, site={**inputs.site, "sitemap.xml": FileStatus(4, 4, 4)})
    rendering = plan_render(plan(state, touched), state.units, _site_map(), "context")
    assert rendering.kept_site_wide("sitemap.xml", key) is None


def test_the_next_state_records_every_file_with_its_status_as_written() -> None:
    inputs = _inputs()
    the_plan = plan(None, inputs)
    hashes = {"fr/index.html": "a", "en/index.html": "b"}
    statuses = {"fr/index.html": FileStatus(1, 2, 3), "en/index.html": FileStatus(4, 5, 6)}
    state = next_state(the_plan, "/project/site", {}, {}, {}, hashes, statuses, (), {}, saved_at=7)
    assert state.outputs == {"fr/index.html": OutputRecord("a", 1, 2, 3), "en/index.html": OutputRecord("b", 4, 5, 6)}
    assert (state.generator, state.render_inputs, state.saved_at) == ("generator", "templates v1", 7)


# What the head of the last state alone decides (``unchanged``) must be what the whole state decides.
HEAD_CHANGES: list[tuple[str, object]] = [
    ("nothing", lambda i, s: (i, s)),
    ("a page's source", lambda i, s: (replace(i, files=(*i.files[:-1], replace(i.files[-1], hash="edited"))), s)),
    ("a page's memory", lambda i, s: (replace(i, memory_hashes={**i.memory_hashes, ("", "en"): "reviewed"}), s)),
    ("a page's memory, deleted", lambda i, s: (replace(i, memory_hashes={("news", "en"): "memory of news"}), s)),
    (
        "a page's data file",
        lambda i, s: (
            i,
            replace(
                s, pages={**s.pages, "content/news.md": SourceRecord("hash of content/news.md", "content/news.yaml")}
            ),
        ),
    ),
    ("the configuration", lambda i, s: (replace(i, unit_inputs="configuration v2"), s)),
    ("a template", lambda i, s: (replace(i, render_inputs="templates v2"), s)),
    (
        "the generator",
        lambda i, s: (replace(i, generator="generator v2", unit_inputs="configuration, generator v2"), s),
    ),
    ("a language added", lambda i, s: (replace(i, languages=(*LANGUAGES, "ar")), s)),
    (
        "a page added",
        lambda i, s: (
            replace(i, files=(*i.files, SourceFile("/project/content/new.md", "content/new.md", "new", "h"))),
            s,
        ),
    ),
    ("a page removed", lambda i, s: (replace(i, files=i.files[:1]), s)),
    (
        "a page the last build left to machine-translate",
        lambda i, s: (i, replace(s, units={**s.units, ("", "en"): replace(s.units[("", "en")], key="")})),
    ),
    (
        "a file of the site, by hand",
        lambda i, s: (replace(i, site={**i.site, "en/news/index.html": FileStatus(9, 9, 9)}), s),
    ),
    (
        "a file of the site, touched",
        lambda i, s: (
            replace(i, site={**i.site, "en/news/index.html": replace(i.site["en/news/index.html"], mtime_ns=2)}),
            s,
        ),
    ),
    (
        "a file of the site, replaced",
        lambda i, s: (
            replace(i, site={**i.site, "en/news/index.html": replace(i.site["en/news/index.html"], inode=99)}),
            s,
        ),
    ),
    (
        "a file of the site, deleted",
        lambda i, s: (replace(i, site={p: f for p, f in i.site.items() if p != "fr/index.html"}), s),
    ),
    ("a stray file in the site", lambda i, s: (replace(i, site={**i.site, "stray.html": FileStatus(1, 1, 1)}), s)),
    (
        "a stray file, not UTF-8",
        lambda i, s: (replace(i, site={**i.site, "stray-\udcff.html": FileStatus(1, 1, 1)}), s),
    ),
    ("the search index, deleted", lambda i, s: (replace(i, search_ready=False), s)),
    ("an input file read again", lambda i, s: (replace(i, files_read=1), s)),
]


@pytest.mark.parametrize(("name", "change"), HEAD_CHANGES, ids=[name for name, _ in HEAD_CHANGES])
def test_the_head_of_the_last_state_finds_nothing_changed_exactly_when_the_whole_state_does(
    name: str, change: object
) -> None:
    before = _inputs()
    inputs, state = change(before, _state(before))  # type: ignore[operator]
    the_plan = plan(state, inputs)
    assert unchanged(state_head(state), inputs) == (the_plan.nothing_changed and not inputs.files_read), name
    assert unchanged(state_head(state), inputs) == (name == "nothing"), name


def test_the_head_of_a_state_says_its_warnings_and_counts_its_files() -> None:
    inputs = _inputs()
    state = _state(inputs)
    warning, loose = Problem("content/news.md", 3, "a warning"), Problem("i18n/en/messages.po", 0, "loose")
    units = {**state.units, ("news", "en"): replace(state.units[("news", "en")], warnings=(warning,))}
    head = state_head(replace(state, units=units, warnings=(loose,)))
    assert head.warnings == (warning, loose)
    assert head.output_count == len(state.outputs) == 6
    assert (head.pages, head.inputs, head.saved_at) == (state.pages, state.inputs, state.saved_at)


@given(st.lists(st.sampled_from([change for name, change in HEAD_CHANGES if name != "nothing"]), max_size=4))
def test_any_changes_together_are_found_by_the_head_as_by_the_whole_state(changes: list[object]) -> None:
    before = _inputs()
    inputs, state = before, _state(before)
    for change in changes:
        inputs, state = change(inputs, state)  # type: ignore[operator]
    expected = plan(state, inputs).nothing_changed and not inputs.files_read
    assert unchanged(state_head(state), inputs) == expected == (not changes)
