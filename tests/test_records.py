"""The build cache's records: JSON checked against type hints, round-tripped, never code."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import operator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainer.cache import (
    BuildState,
    InputRecord,
    OutputRecord,
    SourceRecord,
    UnitRecord,
    _rendering,
    encode_rendering,
    encode_scan,
)
from explainer.check.links import Scan
from explainer.errors import Problem
from explainer.model import PageInfo, Rendition, State
from explainer.records import RecordError, _converter, decoder, encode, read_json

EXAMPLES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

_TEXT = st.text(max_size=20)
_INT = st.integers(min_value=-(2**63), max_value=2**63)
_PROBLEMS = st.lists(st.builds(Problem, _TEXT, _INT, _TEXT), max_size=3).map(tuple)
_SCANS = st.builds(
    Scan,
    problems=_PROBLEMS,
    ids=st.frozensets(_TEXT, max_size=4),
    links=st.lists(st.tuples(_TEXT, _INT), max_size=3).map(tuple),
    alternates=st.lists(st.tuples(_TEXT, _TEXT), max_size=3).map(tuple),
    html=st.booleans(),
)
_INFOS = st.builds(
    PageInfo,
    path=_TEXT,
    language=_TEXT,
    kind=_TEXT,
    order=st.none() | _INT,
    last_changed=st.none() | st.dates(),
    published_on=st.none() | st.dates(),
    page_title=_TEXT,
    title=_TEXT,
    summary=_TEXT,
    anchors=st.frozensets(_TEXT, max_size=4),
    counts=st.lists(st.integers(min_value=0), max_size=5).map(tuple),
    digest=_TEXT,
)
_UNITS = st.builds(
    UnitRecord,
    key=_TEXT,
    info=_INFOS,
    warnings=_PROBLEMS,
    render_key=st.none() | _TEXT,
    outputs=st.lists(st.tuples(_TEXT, _TEXT), max_size=3).map(tuple),
)
_STATES = st.builds(
    BuildState,
    generator=_TEXT,
    output_dir=_TEXT,
    render_inputs=_TEXT,
    pages=st.dictionaries(_TEXT, st.builds(SourceRecord, _TEXT, st.none() | _TEXT), max_size=3),
    units=st.dictionaries(st.tuples(_TEXT, _TEXT), _UNITS, max_size=3),
    site_wide=st.dictionaries(_TEXT, _TEXT, max_size=3),
    outputs=st.dictionaries(_TEXT, st.builds(OutputRecord, _TEXT, _INT, _INT, _INT), max_size=3),
    warnings=_PROBLEMS,
    inputs=st.dictionaries(_TEXT, st.builds(InputRecord, _INT, _INT, _INT, _TEXT, st.booleans()), max_size=3),
    saved_at=_INT,
)


@EXAMPLES
@given(_STATES)
def test_a_build_state_round_trips(state: BuildState) -> None:
    assert decoder(BuildState)(encode(state)) == state


@EXAMPLES
@given(_SCANS)
def test_a_scan_round_trips(scan: Scan) -> None:
    assert decoder(Scan)(encode(scan)) == scan


@EXAMPLES
@given(_UNITS, st.none() | _TEXT)
def test_the_build_caches_own_writing_of_a_rendering_is_the_records(unit: UnitRecord, view_key: str | None) -> None:
    unit = dataclasses.replace(unit, view_key=view_key)
    assert encode_rendering(unit) == encode(_rendering(unit))


@given(_SCANS)
def test_the_build_caches_own_writing_of_a_scan_is_the_records(scan: Scan) -> None:
    assert encode_scan(scan) == encode(scan)


PROBLEM = decoder(Problem)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x80\x04\x95", "not JSON: 'utf-8' codec can't decode byte 0x80 in position 0: invalid start byte"),
        (b'["a", 1]', "expected Problem (3 fields), found list"),
        (b'["a", true, "m"]', "expected int, found bool"),
        (b'["a", 1.5, "m"]', "expected int, found float"),
        (b'{"path": "a", "line": 1, "message": "m"}', "expected Problem (3 fields), found dict"),
        (b'["a", 1, null]', "expected str, found NoneType"),
        (b'["a", 1, "m"] ["b"]', "not JSON: extra data at 13"),
        (b'["a", 1, "m"', "not JSON: Expecting ',' delimiter: line 1 column 13 (char 12)"),
        (b"", "not JSON: Expecting value: line 1 column 1 (char 0)"),
    ],
)
def test_a_record_of_the_wrong_shape_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(RecordError) as caught:
        PROBLEM(data)
    assert str(caught.value) == reason


_ANY_JSON = st.recursive(
    st.none() | st.booleans() | _INT | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=10,
)


@given(_ANY_JSON)
def test_json_is_read_as_json_loads_reads_it(value: object) -> None:
    written = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert read_json(written.encode()) == read_json(written) == json.loads(written)


def test_dates_and_frozensets_come_back_as_themselves() -> None:
    info = PageInfo(
        path="news",
        language="fr",
        kind="news",
        order=None,
        last_changed=datetime.date(2025, 9, 19),
        published_on=None,
        page_title="T",
        title="T",
        summary="S",
        anchors=frozenset({"b", "a"}),
        headings=(("h", "Titre"),),
        counts=(1, 2),
        digest="d",
        characters="ab",
    )
    assert decoder(PageInfo)(encode(info)) == info
    assert b'"2025-09-19"' in encode(info) and b'["a","b"]' in encode(info)


def test_a_state_stored_before_its_records_were_dataclasses_reads_the_same() -> None:
    # Sources, outputs and input files were tuples; as dataclasses they keep the same JSON.
    old = BuildState(
        "g",
        "site",
        pages={"content/news.md": ("h", None)},  # type: ignore[dict-item]
        outputs={"fr/index.html": ("h", 1, 2, 3)},  # type: ignore[dict-item]
        inputs={"content/news.md": (4, 5, 6, "h", True)},  # type: ignore[dict-item]
    )
    assert decoder(BuildState)(encode(old)) == BuildState(
        "g",
        "site",
        pages={"content/news.md": SourceRecord("h", None)},
        outputs={"fr/index.html": OutputRecord("h", 1, 2, 3)},
        inputs={"content/news.md": InputRecord(4, 5, 6, "h", True)},
    )


def test_dataclasses_of_one_field_or_none_are_lists_of_their_fields() -> None:
    import dataclasses

    @dataclasses.dataclass(frozen=True)
    class One:
        name: str

    @dataclasses.dataclass(frozen=True)
    class Empty:
        pass

    assert encode((One("a"), Empty(), [One("b")])) == b'[["a"],[],[["b"]]]'
    assert decoder(tuple[One, Empty])(b'[["a"],[]]') == (One("a"), Empty())


def test_string_enums_come_back_as_their_members_and_nothing_else_is_one() -> None:
    rendition = Rendition("Text", State.MACHINE, engine="argos")
    assert decoder(Rendition)(encode(rendition)) == rendition
    assert decoder(Rendition)(encode(rendition)).state is State.MACHINE
    with pytest.raises(RecordError) as caught:
        decoder(Rendition)(b'["Text","guessed",null,null,null]')
    assert str(caught.value) == "expected a State, found str"
    with pytest.raises(RecordError):
        decoder(Rendition)(b'["Text",1,null,null,null]')


def _in_order(kinds: tuple[object, ...], value: object) -> object:
    """What a union of ``kinds`` reads ``value`` as, trying every option in order (the reference):
    the first that takes it; one that refuses with anything but ``RecordError`` refuses the value."""
    for kind in kinds:
        try:
            return _converter(kind)(value)
        except RecordError:
            continue
    raise RecordError("no option takes it")


_UNION_KINDS = (int, str, bool, float, type(None), datetime.date, State, tuple[int, ...], tuple[str, str])
_JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    _INT,
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["2024-02-29", "machine", "x", ""]),
    st.lists(st.integers(0, 9) | st.text(max_size=2), max_size=2),
)


@EXAMPLES
@given(st.lists(st.sampled_from(_UNION_KINDS), min_size=2, max_size=4, unique=True), _JSON_VALUES)
def test_a_union_takes_a_value_as_its_first_option_that_can(kinds: list[object], value: object) -> None:
    """The options that cannot take a value's JSON type are skipped, never changing which one reads it."""
    union: Any = functools.reduce(operator.or_, kinds)
    data = encode([value])[1:-1]
    try:
        expected = _in_order(tuple(kinds), json.loads(data))
    except (RecordError, ValueError):
        with pytest.raises(RecordError):
            decoder(union)(data)
        return
    found = decoder(union)(data)
    assert found == expected and type(found) is type(expected)


# Tuple kinds of fixed length, each with its values: scalars (a bool is no int, an int is a float),
# a 1-tuple, None or a value that needs its converter, nested tuples, a dataclass, an enum, a date.
_TUPLE_KINDS: dict[Any, st.SearchStrategy[Any]] = {
    tuple[str, tuple[int, ...], str | None]: st.tuples(_TEXT, st.lists(_INT, max_size=3).map(tuple), st.none() | _TEXT),
    tuple[str | None, tuple[tuple[str, str], ...], str | None]: st.tuples(
        st.none() | _TEXT, st.lists(st.tuples(_TEXT, _TEXT), max_size=2).map(tuple), st.none() | _TEXT
    ),
    tuple[Problem, int]: st.tuples(st.builds(Problem, _TEXT, st.integers(0, 99), _TEXT), _INT),
    tuple[State, datetime.date | None, bool]: st.tuples(st.sampled_from(State), st.none() | st.dates(), st.booleans()),
    tuple[float]: st.tuples(st.floats(allow_nan=False, allow_infinity=False) | _INT),
    tuple[tuple[int, ...] | None, bool, int]: st.tuples(
        st.none() | st.lists(_INT, max_size=2).map(tuple), st.booleans(), _INT
    ),
}


@st.composite
def _tuple_records(draw: st.DrawFn) -> tuple[Any, object, bool]:
    """A tuple kind, a JSON value of that kind as ``encode`` writes it, and whether one of its items
    was then replaced by another JSON value (true, null, a number, a string, a list...)."""
    kind = draw(st.sampled_from(list(_TUPLE_KINDS)))
    value = json.loads(encode(draw(_TUPLE_KINDS[kind])))
    changed = draw(st.booleans())
    if changed:
        value[draw(st.integers(0, len(value) - 1))] = draw(_JSON_VALUES)
    return kind, value, changed


def _outcome(convert: Any, value: object) -> tuple[str, object]:
    try:
        return "read", convert(value)
    except (RecordError, ValueError, TypeError) as error:
        return type(error).__name__, str(error)


@EXAMPLES
@given(_tuple_records())
def test_a_tuple_written_out_reads_as_the_general_converter(record: tuple[Any, object, bool]) -> None:
    """A tuple of fixed length is read by code written out for its kinds (as a dataclass is); it
    takes and refuses what the general converter does, with the same message."""
    kind, value, changed = record
    written_out = _converter(kind)
    general = written_out.__globals__["slow"]
    assert written_out is not general
    outcome = _outcome(written_out, value)
    assert outcome == _outcome(general, value)
    if not changed:
        assert outcome[0] == "read"


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (tuple[str, int | None], ["a", True]),
        (tuple[str, tuple[int, ...]], [None, []]),
        (tuple[float], ["1.5"]),
        (tuple[tuple[int, ...] | None, bool, int], [[True], True, 1]),
        (tuple[State, datetime.date | None, bool], ["source", "2025-02-30", False]),
        (tuple[str, int | None], ["a", 1, 2]),
        (tuple[str, int | None], {"a": 1}),
    ],
)
def test_a_tuple_written_out_refuses_what_the_general_converter_refuses(kind: Any, value: object) -> None:
    written_out = _converter(kind)
    assert _outcome(written_out, value)[0] != "read"
    assert _outcome(written_out, value) == _outcome(written_out.__globals__["slow"], value)
