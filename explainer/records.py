"""Plain data to JSON and back, checked against its type hints: what the build cache stores.

The cache keeps data, never code: ``pickle`` would run whatever a damaged or crafted
cache file asks for. ``encode`` turns frozen dataclasses, tuples, frozensets, dicts, dates
and scalars into JSON; ``decoder(kind)`` gives a function that rebuilds a value of ``kind``
and raises ``RecordError`` on anything that does not have exactly that shape.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class RecordError(ValueError):
    """Stored data does not have the shape of the record it should be."""


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [_plain(getattr(value, field.name)) for field in dataclasses.fields(value)]
    if isinstance(value, dict):
        return [[_plain(key), _plain(item)] for key, item in value.items()]
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


def decoder(kind: type[T]) -> Callable[[bytes], T]:
    """A function that reads what ``encode`` wrote of a value of ``kind``.

    The function raises ``RecordError`` when the bytes are not JSON of exactly that shape.
    """
    convert = _converter(typing.cast(Any, kind))

    def decode(data: bytes) -> T:
        try:
            value = json.loads(data)
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


@functools.cache
def _converter(kind: Any) -> Callable[[object], object]:
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
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        options = [_converter(argument) for argument in arguments]

        def either(value: object) -> object:
            for option in options:
                try:
                    return option(value)
                except RecordError:
                    continue
            _fail(str(kind), value)

        return either
    if origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            item = _converter(arguments[0])
            return lambda value: tuple(item(x) for x in value) if isinstance(value, list) else _fail("a list", value)
        items = [_converter(argument) for argument in arguments]

        def fixed(value: object) -> tuple[object, ...]:
            if not isinstance(value, list) or len(value) != len(items):
                _fail(f"a list of {len(items)}", value)
            return tuple(convert(x) for convert, x in zip(items, value, strict=True))

        return fixed
    if origin is frozenset:
        item = _converter(arguments[0])
        return lambda value: frozenset(item(x) for x in value) if isinstance(value, list) else _fail("a list", value)
    if origin is dict:
        pair = _converter(tuple[arguments[0], arguments[1]])  # type: ignore[valid-type]

        def mapping(value: object) -> dict[object, object]:
            if not isinstance(value, list):
                _fail("a list of pairs", value)
            return dict(pair(x) for x in value)  # type: ignore[misc]

        return mapping
    raise TypeError(f"no record form for {kind!r}")


def _dataclass_converter(kind: type) -> Callable[[object], object]:
    hints = typing.get_type_hints(kind)
    fields = [field for field in dataclasses.fields(kind) if field.init]
    converters = [_converter(hints[field.name]) for field in fields]

    def build(value: object) -> object:
        if not isinstance(value, list) or len(value) != len(converters):
            _fail(f"{kind.__name__} ({len(converters)} fields)", value)
        return kind(*(convert(item) for convert, item in zip(converters, value, strict=True)))

    return build
