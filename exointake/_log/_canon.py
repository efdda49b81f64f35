"""Fast canonical JSON for the log's hot path.

:func:`canonical_encoder` builds, once per attrs class, a function that writes an
instance straight to the same text as ``canonical_json(unstructure(obj))`` — sorted keys,
no spaces, UTF-8, decimals and date-times as the converter writes them — without the
intermediate dicts. Tests check the two agree on generated records; a class with a field
type it does not know falls back to the generic path.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import types
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

import attrs

from .._convert import canonical_json, unstructure, unstructure_datetime

__all__ = ["canonical_encoder"]

Encoder = Callable[[Any], str]

_escape: Callable[[str], str] = json.encoder.encode_basestring  # the C version when available


def _enc_str(value: str) -> str:
    return _escape(value)


def _enc_enum(value: enum.Enum) -> str:
    return _escape(str(value.value))


def _enc_decimal(value: Decimal) -> str:
    return _escape(str(value))


def _enc_datetime(value: dt.datetime) -> str:
    return _escape(unstructure_datetime(value))


def _enc_date(value: dt.date) -> str:
    return '"' + value.isoformat() + '"'


def _enc_bool(value: bool) -> str:
    return "true" if value else "false"


def _enc_int(value: int) -> str:
    return str(int(value))


class _Unsupported(Exception):
    pass


def _for_type(tp: Any) -> Encoder:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) != 1:
            raise _Unsupported(tp)
        inner = _for_type(args[0])
        return lambda v: "null" if v is None else inner(v)
    if tp is str:
        return _enc_str
    if tp is bool:
        return _enc_bool
    if tp is int:
        return _enc_int
    if tp is Decimal:
        return _enc_decimal
    if tp is dt.datetime:
        return _enc_datetime
    if tp is dt.date:
        return _enc_date
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enc_enum
    if isinstance(tp, type) and attrs.has(tp):
        return _compile(tp)
    raise _Unsupported(tp)


def _compile(cls: type) -> Encoder:
    # resolve_types, not get_type_hints: the class may show its public __module__ by now
    hints = {f.name: f.type for f in attrs.fields(attrs.resolve_types(cls))}
    fields = sorted(attrs.fields(cls), key=lambda f: f.name)
    parts: list[tuple[str, str, Encoder]] = []
    for n, f in enumerate(fields):
        prefix = ("{" if n == 0 else ",") + _escape(f.name) + ":"
        parts.append((prefix, f.name, _for_type(hints[f.name])))

    def encode(obj: Any) -> str:
        return "".join([p + enc(getattr(obj, name)) for p, name, enc in parts]) + "}"

    return encode


_CACHE: dict[type, Encoder] = {}


def canonical_encoder(cls: type) -> Encoder:
    """A function writing instances of ``cls`` as canonical JSON text."""
    enc = _CACHE.get(cls)
    if enc is None:
        try:
            enc = _compile(cls)
        except _Unsupported:

            def enc(obj: Any) -> str:
                return canonical_json(unstructure(obj)).decode("utf-8")

        _CACHE[cls] = enc
    return enc
