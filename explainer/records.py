"""Plain data to JSON and back, checked against its type hints: what the build cache stores.

The cache keeps data, never code: ``pickle`` would run whatever a damaged or crafted
cache file asks for. ``encode`` turns frozen dataclasses, tuples, frozensets, dicts, dates,
string enums and scalars into JSON; ``decoder(kind)`` gives a function that rebuilds a value of ``kind``
and raises ``RecordError`` on anything that does not have exactly that shape.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import functools
import gc
import json
import operator
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


class RecordError(ValueError):
    """Stored data does not have the shape of the record it should be."""


# Written by ``json`` as they are; a tuple or list of them too (a state of 1,000 pages in 4
# languages is some 200,000 values, most of them strings).
_AS_IS = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _fields_of(kind: Any) -> Callable[[object], tuple[object, ...]] | None:
    """A function returning the fields of a dataclass instance, in order; None for any other type."""
    if not dataclasses.is_dataclass(kind):
        return None
    names = [field.name for field in dataclasses.fields(kind)]
    if len(names) < 2:  # attrgetter gives a tuple for two names or more
        return lambda value: tuple(getattr(value, name) for name in names)
    return operator.attrgetter(*names)


def _plain(value: object) -> object:
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is tuple or kind is list:
        items = typing.cast(tuple[object, ...], value)
        if set(map(type, items)) <= _AS_IS:
            return items
        return [item if type(item) in _AS_IS else _plain(item) for item in items]
    fields = _fields_of(typing.cast(Any, kind))
    if fields is not None:
        return [item if type(item) in _AS_IS else _plain(item) for item in fields(value)]
    if isinstance(value, dict):
        return [[_plain(key), item if type(item) in _AS_IS else _plain(item)] for key, item in value.items()]
    if isinstance(value, frozenset):
        return sorted(_plain(item) for item in value)  # type: ignore[type-var]
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def encode(value: object) -> bytes:
    """``value`` as compact JSON (a dataclass as the list of its fields, a dict as pairs)."""
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_read_json = json.JSONDecoder().raw_decode


def read_json(data: bytes | str) -> Any:
    """The JSON value of ``data`` (UTF-8, as written here: compact, nothing around it); raises
    ``ValueError`` as ``json.loads``. A third faster than ``json.loads`` on a small record (which
    guesses the encoding of bytes and skips white space), and a build reads thousands of them."""
    text = data.decode("utf-8") if type(data) is bytes else data
    if type(text) is not str:
        raise TypeError(f"the JSON is {type(data).__name__}, not bytes or text")
    value, end = _read_json(text)
    if end != len(text):
        raise ValueError(f"extra data at {end}")
    return value


def decoder(kind: type[T]) -> Callable[[bytes | str], T]:
    """A function that reads what ``encode`` wrote of a value of ``kind`` (its bytes, or their text).

    The function raises ``RecordError`` when the data is not JSON of exactly that shape.
    """
    convert = _converter(typing.cast(Any, kind))

    def decode(data: bytes | str) -> T:
        # A build state is tens of thousands of small objects, none of them in a cycle: the cyclic
        # garbage collector, run again and again while they are made, would find nothing (a third
        # of the time of reading a state of 1,000 pages in 4 languages).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return _decoded(data)
        finally:
            if collecting:
                gc.enable()

    def _decoded(data: bytes | str) -> T:
        try:
            value = read_json(data)
        except (ValueError, TypeError, RecursionError) as error:
            raise RecordError(f"not JSON: {error}") from None
        try:
            return typing.cast(T, convert(value))
        except RecordError:
            raise
        except (TypeError, ValueError, RecursionError) as error:
            raise RecordError(str(error)) from None

    return decode


def _fail(expected: str, value: object) -> typing.NoReturn:
    raise RecordError(f"expected {expected}, found {type(value).__name__}")


def _scalar(kind: type) -> Callable[[object], object]:
    def convert(value: object) -> object:
        # bool is an int in Python, not in a record.
        if type(value) is not kind and not (kind is float and type(value) is int):
            _fail(kind.__name__, value)
        return value

    return convert


def _converter(kind: Any) -> Callable[[object], object]:
    # Unions equal in any order (``str | date == date | str``) are told apart by how they are
    # written: the first option that takes a value reads it.
    return _converter_of(kind, repr(kind))


@functools.cache
def _converter_of(kind: Any, written: str) -> Callable[[object], object]:
    if kind is type(None):
        return lambda value: value if value is None else _fail("null", value)
    if kind in (str, int, bool, float):
        return _scalar(kind)
    if kind is datetime.date:

        def to_date(value: object) -> datetime.date:
            if not isinstance(value, str):
                _fail("a date", value)
            return datetime.date.fromisoformat(value)

        return to_date
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass_converter(kind)
    if isinstance(kind, type) and issubclass(kind, enum.StrEnum):
        return _enum_converter(kind)
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        options = [(_converter(argument), _json_types(argument)) for argument in arguments]
        # By the JSON type of a value, the options that could take it, in order: the others
        # would fail (a date or None is mostly None, and a failed option raises).
        by_type: dict[type, tuple[Callable[[object], object], ...]] = {}

        def either(value: object) -> object:
            found = type(value)
            candidates = by_type.get(found)
            if candidates is None:
                candidates = by_type[found] = tuple(
                    option for option, takes in options if takes is None or found in takes
                )
            for option in candidates:
                try:
                    return option(value)
                except RecordError:
                    continue
            _fail(str(kind), value)

        return either
    if origin is tuple:
        return _tuple_converter(arguments)
    if origin is frozenset:
        member = _converter(arguments[0])
        return _of_one_scalar(
            arguments[0],
            frozenset,
            lambda value: frozenset(map(member, value)) if isinstance(value, list) else _fail("a list", value),
        )
    if origin is dict:
        return _dict_converter(arguments[0], arguments[1])
    raise TypeError(f"no record form for {kind!r}")


def _json_types(kind: Any) -> frozenset[type] | None:
    """The types ``json`` reads that ``_converter(kind)`` can take: any other it refuses (None: not known)."""
    if kind is type(None) or kind in _EXACT:
        return frozenset({kind})
    if kind is float:
        return frozenset({float, int})
    if kind is datetime.date or (isinstance(kind, type) and issubclass(kind, enum.StrEnum)):
        return frozenset({str})
    if (isinstance(kind, type) and dataclasses.is_dataclass(kind)) or typing.get_origin(kind) in (
        tuple,
        frozenset,
        dict,
    ):
        return frozenset({list})
    if typing.get_origin(kind) in (types.UnionType, typing.Union):
        members = [_json_types(argument) for argument in typing.get_args(kind)]
        return None if any(member is None for member in members) else frozenset().union(*members)  # type: ignore[arg-type]
    return None


def _enum_converter(kind: type[enum.StrEnum]) -> Callable[[object], object]:
    """A string enum, written by ``json`` as its value: one of its members, or ``RecordError``."""
    members = {member.value: member for member in kind}

    def convert(value: object) -> object:
        if type(value) is not str or value not in members:
            _fail(f"a {kind.__name__}", value)
        return members[value]

    return convert


def _tuple_converter(arguments: tuple[Any, ...]) -> Callable[[object], object]:
    if len(arguments) == 2 and arguments[1] is Ellipsis:
        item = _converter(arguments[0])
        return _of_one_scalar(
            arguments[0],
            tuple,
            lambda value: tuple(map(item, value)) if isinstance(value, list) else _fail("a list", value),
        )
    items = [_converter(argument) for argument in arguments]

    def fixed(value: object) -> tuple[object, ...]:
        if not isinstance(value, list) or len(value) != len(items):
            _fail(f"a list of {len(items)}", value)
        return tuple(convert(x) for convert, x in zip(items, value, strict=True))

    if all(argument in _EXACT for argument in arguments):
        # Scalars only (a pair of strings): their types checked at C speed, the slow way for the message.
        kinds = tuple(arguments)

        def scalars(value: object) -> tuple[object, ...]:
            if type(value) is list and tuple(map(type, value)) == kinds:
                return tuple(value)
            return fixed(value)

        return scalars
    # Written out for this tuple, as for a dataclass (``_dataclass_converter``): a page record is two
    # such tuples, and a build reads thousands of them.
    return _written_out(arguments, items, fixed, f"<record tuple of {len(items)}>")


def _dict_converter(key_kind: Any, item_kind: Any) -> Callable[[object], object]:
    pair = _converter(tuple[key_kind, item_kind])
    key, item = _converter(key_kind), _converter(item_kind)
    exact_key = key_kind if key_kind in _EXACT else None

    def mapping(value: object) -> dict[object, object]:
        if not isinstance(value, list):
            _fail("a list of pairs", value)
        found: dict[object, object] = {}
        for entry in value:
            if type(entry) is not list or len(entry) != 2:
                pair(entry)  # raises, saying what is wrong
            name, held = entry
            found[name if type(name) is exact_key else key(name)] = item(held)
        return found

    return mapping


def _of_one_scalar(
    item: Any, container: Callable[[list[object]], object], slow: Callable[[object], object]
) -> Callable[[object], object]:
    """``slow``, with a fast path when the items are scalars read as they are (``str``, ``int``,
    ``bool``, a union of them, with or without None): the types of a list of them checked at C
    speed (``map(type, ...)``); ``slow`` says what is wrong."""
    if item in _EXACT:
        taken = frozenset({item})
    elif typing.get_origin(item) in (types.UnionType, typing.Union) and all(
        argument in _EXACT or argument is type(None) for argument in typing.get_args(item)
    ):
        taken = frozenset(typing.get_args(item))
    else:
        return slow

    def convert(value: object) -> object:
        if type(value) is list and set(map(type, value)) <= taken:
            return container(value)
        return slow(value)

    return convert


# Scalars read as they are when their JSON type is exactly this one (a float may be written as an int).
_EXACT = (str, int, bool)


def _inline_check(kind: Any, name: str) -> str | None:
    """A Python expression true when ``name`` already holds a value of ``kind`` as it is read
    (scalars, and None or a scalar), or None when ``kind`` needs its converter."""
    if kind in _EXACT:
        return f"type({name}) is {kind.__name__}"
    if kind is float:
        return f"(type({name}) is float or type({name}) is int)"
    if typing.get_origin(kind) in (types.UnionType, typing.Union):
        arguments = typing.get_args(kind)
        # Only null is read as None, and each check is true of one JSON type's values only, so
        # whichever option is first, a value one of them takes as it is would be read as it is.
        checks = [_inline_check(argument, name) for argument in arguments if argument is not type(None)]
        if None in checks:  # an option that converts: None is still None
            return f"{name} is None" if type(None) in arguments else None
        if type(None) in arguments:
            checks.insert(0, f"{name} is None")
        return f"({' or '.join(typing.cast(list[str], checks))})"
    return None


def _dataclass_converter(kind: type) -> Callable[[object], object]:
    hints = typing.get_type_hints(kind)
    fields = [field for field in dataclasses.fields(kind) if field.init]
    converters = [_converter(hints[field.name]) for field in fields]

    def build(value: object) -> object:
        if not isinstance(value, list) or len(value) != len(converters):
            _fail(f"{kind.__name__} ({len(converters)} fields)", value)
        return kind(*(convert(item) for convert, item in zip(converters, value, strict=True)))

    kinds = [hints[field.name] for field in fields]
    return _written_out(kinds, converters, build, f"<record {kind.__name__}>", kind)


def _written_out(
    kinds: Sequence[Any],
    converters: list[Callable[[object], object]],
    slow: Callable[[object], object],
    name: str,
    kind: type | None = None,
) -> Callable[[object], object]:
    """``slow`` (which reads a list of ``len(kinds)`` values of ``kinds`` by ``converters``, into a
    dataclass ``kind``, or a tuple when ``kind`` is None), written out for these kinds (the cache
    holds tens of thousands of records): a value already of its kind is taken as it is, any other
    goes through its converter, which converts it or raises as ``slow`` would; a value that is not a
    list of that length goes to ``slow``. The code is made from the type hints alone, never from
    stored data."""
    names = [f"v{index}" for index in range(len(kinds))]
    arguments = []
    for index, (hint, variable) in enumerate(zip(kinds, names, strict=True)):
        check = _inline_check(hint, variable)
        call = f"converters[{index}]({variable})"
        arguments.append(f"{variable} if {check} else {call}" if check else call)
    unpack = f"    {', '.join(names)}, = value\n" if names else ""
    made = f"kind({', '.join(arguments)})" if kind is not None else f"({''.join(f'{a}, ' for a in arguments)})"
    source = (
        "def fast(value):\n"
        f"    if type(value) is not list or len(value) != {len(names)}:\n"
        "        return slow(value)\n"
        f"{unpack}"
        f"    return {made}\n"
    )
    namespace: dict[str, Any] = {"slow": slow, "kind": kind, "converters": converters}
    exec(compile(source, name, "exec"), namespace)
    return typing.cast(Callable[[object], object], namespace["fast"])
