"""The one configured cattrs converter of exointake, and error translation.

Every public data type is structured and unstructured through :data:`converter`;
models know nothing about JSON or SQL. Structuring problems are collected by
cattrs' detailed validation and turned into one :class:`~exointake.ValidationError`
whose messages read ``path: expected ...``. Messages never echo a value that may be
free text: only closed-vocabulary mistakes show what was given, truncated.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import json
import os
import re
import types
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import (
    homogenous_tuple_structure_factory,
    is_mapping,
    mapping_structure_factory,
)
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.strategies import use_class_methods

from ._errors import ValidationError

__all__ = [
    "CONVERT",
    "Expected",
    "FieldSpec",
    "canonical_json",
    "checks",
    "converter",
    "describe_type",
    "enum_check",
    "fields_structurer",
    "load_json",
    "nested",
    "omit",
    "plain_form",
    "prune_empty",
    "read_json_file",
    "read_json_text",
    "safe_repr",
    "sha256_hex",
    "structure",
    "to_enum",
    "to_member",
    "unstructure",
    "with_article",
    "with_checks",
]

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)


class Expected(ValueError):
    """Raised by hooks and validators with a message that is safe to show."""


_CODE = re.compile(r"[A-Za-z0-9_.:+<>=!/|#-]+")


def is_code(value: object, *, limit: int = 32) -> bool:
    """Whether a string looks like a code (``past``, ``iv_drip``, ``1.2``), not free text."""
    return isinstance(value, str) and len(value) <= limit and _CODE.fullmatch(value) is not None


def safe_repr(value: object, *, limit: int = 32) -> str:
    """Show a value in an error message only when it cannot be personal data.

    Booleans, None and ordinary numbers are shown; a string is shown only when it
    looks like a code (letters, digits, ``_.:+-<>=!/|#``, at most ``limit`` characters) — what
    a closed vocabulary expects. Anything else is named by its JSON type only,
    so a name or a note typed into the wrong field is never repeated.
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if abs(value) < 10**15 else "a very large integer"
    if isinstance(value, float | Decimal):
        text = str(value)
        return text if len(text) <= 32 else "a number"
    if is_code(value, limit=limit):
        return repr(value)
    return describe_type(value)


def safe_key(key: object) -> str:
    """A mapping key for an error path: shown when it is a code, hidden otherwise."""
    return str(key) if is_code(key) else "<key not shown>"


def with_article(word: str) -> str:
    """``word`` after "a" or "an": ``an administration``, ``a reaction``, ``a Product``."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def describe_type(value: object) -> str:
    """The JSON-ish name of a value's type: ``string``, ``number``, ``list``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__


def _type_name(tp: object) -> str:
    names = {
        str: "a string",
        int: "an integer",
        bool: "a boolean",
        float: "a number",
        Decimal: "a decimal number",
        dt.date: "a date (YYYY-MM-DD)",
        dt.datetime: "a date-time with time zone (ISO 8601)",
    }
    if isinstance(tp, type) and tp in names:
        return names[tp]
    origin = get_origin(tp)
    if origin is tuple or origin is list:
        return "a list"
    if origin is not None and is_mapping(tp):
        return "an object"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "one of " + "|".join(str(m.value) for m in tp)
    if isinstance(tp, type):
        return f"an object ({tp.__name__})"
    return "a valid value"


# ---------------------------------------------------------------------------- hooks


def _structure_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise Expected(f"expected a string, got {describe_type(value)}")
    return value


def _structure_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise Expected(f"expected true or false, got {safe_repr(value)}")
    return value


def _structure_int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Expected(f"expected an integer, got {safe_repr(value)}")
    return value


def _structure_float(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Expected(f"expected a number, got {safe_repr(value)}")
    return float(value)


def structure_decimal(value: object) -> Decimal:
    """A decimal from a JSON number or a numeric string; floats go through ``str``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Expected(f"expected a decimal number, got {safe_repr(value)}")
    try:
        d = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise Expected(f"expected a decimal number, got {safe_repr(value)}") from None
    if not d.is_finite():
        raise Expected("expected a finite decimal number")
    return d


# ASCII digits only: ``\d`` would also match Arabic-Indic, Devanagari... digits.
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def structure_date(value: object) -> dt.date:
    """A calendar date from ``YYYY-MM-DD`` (or a ``date``)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            # The value is not shown: it may be a birth date.
            raise Expected(
                "expected a real calendar date (YYYY-MM-DD), got a day that does not exist"
            ) from None
    raise Expected(f"expected a date (YYYY-MM-DD), got {describe_type(value)}")


def structure_datetime(value: object) -> dt.datetime:
    """An aware date-time from ISO 8601, normalised to UTC; naive ones are refused."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise Expected(
                f"expected a date-time with time zone (ISO 8601), got {describe_type(value)}"
            ) from None
    else:
        raise Expected(
            f"expected a date-time with time zone (ISO 8601), got {describe_type(value)}"
        )
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise Expected("expected a date-time with a time zone (e.g. +09:00 or Z), got a naive one")
    return parsed.astimezone(dt.UTC)


def unstructure_datetime(value: dt.datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, seconds precision kept as given."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _structure_enum(value: object, tp: type[enum.Enum]) -> enum.Enum:
    return to_enum(tp, value)


def _unstructure_enum(member: enum.Enum) -> object:
    return member.value


def _is_homogeneous_tuple(tp: object) -> bool:
    if get_origin(tp) is not tuple:
        return False
    args = get_args(tp)
    return len(args) == 2 and args[1] is Ellipsis


def _sequence_factory(tp: type, conv: cattrs.Converter) -> Callable[[object, type], object]:
    inner = homogenous_tuple_structure_factory(tp, conv)

    def hook(value: object, t: type) -> object:
        if not isinstance(value, list | tuple):
            raise Expected(f"expected a list, got {describe_type(value)}")
        return inner(value, t)

    return hook


def _mapping_factory(tp: type, conv: cattrs.BaseConverter) -> Callable[[object, type], object]:
    inner: Callable[[Any, type], Mapping[Any, Any]] = mapping_structure_factory(tp, conv)

    def hook(value: object, t: type) -> object:
        if not isinstance(value, Mapping):
            raise Expected(f"expected an object, got {describe_type(value)}")
        return MappingProxyType(inner(value, t))

    return hook


_PRIMITIVES = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}


def _is_primitive_union(tp: object) -> bool:
    args = get_args(tp)
    return (
        get_origin(tp) in (types.UnionType, Union)
        and bool(args)
        and all(a in _PRIMITIVES for a in args)
    )


def _primitive_union_factory(tp: object) -> Callable[[object, type], object]:
    allowed = frozenset(get_args(tp))
    names = " or ".join(_PRIMITIVES[a] for a in get_args(tp))

    def hook(value: object, _: type) -> object:
        if type(value) in allowed:  # exact: a boolean is not an integer here
            return value
        raise Expected(f"expected {names}, got {safe_repr(value)}")

    return hook


# ---------------------------------------------------------------------------- fields
#
# A domain class states how a field is checked or converted once, in its attrs field;
# the converter derives its structuring (with path-aware messages) from that metadata,
# and Python construction runs the same check. No domain module registers a hook.

CONVERT = "exointake.convert"
"""attrs field metadata key holding a :class:`FieldSpec`."""


@attrs.frozen
class FieldSpec:
    """How the converter treats one field (see :func:`checks`, :func:`plain_form`, :func:`omit`)."""

    check: Callable[[object], object] | None = None
    """Checks and normalises a value, raising :class:`Expected`; used when structuring
    and, as an attrs converter, when the class is built in Python."""
    structure: Callable[[object], object] | None = None
    """Builds the field's value from plain data (raising :class:`Expected` or
    :class:`ValidationError` with paths relative to the field)."""
    unstructure: Callable[[Any], object] | None = None
    """The field's plain data."""
    omit: bool = False
    """Set by a named constructor; never read from or written to plain data."""
    nested: type | None = None
    """The field holds this attrs class (structured by the converter from plain data);
    built in Python, anything else is refused naming the field."""
    optional: bool = False
    """With ``nested``: ``None`` is allowed too."""


def _spec(a: attrs.Attribute[Any]) -> FieldSpec | None:
    spec = a.metadata.get(CONVERT)
    return spec if isinstance(spec, FieldSpec) else None


def _specs(tp: type) -> list[FieldSpec]:
    return [s for a in attrs.fields(tp) if (s := _spec(a)) is not None]


def _checking_converter(check: Callable[[object], object]) -> attrs.Converter[Any, Any]:
    def convert(value: object, inst: object, attribute: attrs.Attribute[Any]) -> object:
        try:
            return check(value)
        except Expected as exc:
            raise ValidationError([f"{attribute.name}: {exc}"], what=type(inst).__name__) from None

    return attrs.Converter(convert, takes_self=True, takes_field=True)


def checks(check: Callable[[object], Any]) -> dict[str, FieldSpec]:
    """Field metadata: the value passes ``check`` however it is built.

    ``field(metadata=checks(check_id))`` in a class decorated with
    ``@frozen(field_transformer=with_checks)``. Structured from data, a failure reads
    ``<record>.<field>: expected ...``; built in Python, ``<field>: expected ...``.
    ``check`` returns the (normalised) value.
    """
    return {CONVERT: FieldSpec(check=check)}


def nested(cls: type, *, optional: bool = False) -> dict[str, FieldSpec]:
    """Field metadata: the field holds a ``cls`` (``None`` too if ``optional``).

    Structured from data, the converter builds the ``cls`` with path-aware messages;
    built in Python, a value that is not a ``cls`` is refused when the record is made
    (``product: expected a Product, got null``), not later where it is first used.
    """
    return {CONVERT: FieldSpec(nested=cls, optional=optional)}


def _nested_validator(
    cls: type, optional: bool
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    expected = with_article(cls.__name__) + (" or null" if optional else "")

    def validate(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, cls) or (optional and value is None):
            return
        raise ValidationError(
            [f"{attribute.name}: expected {expected}, got {describe_type(value)}"],
            what=type(inst).__name__,
        )

    return validate


def plain_form(
    *,
    structure: Callable[[object], object] | None = None,
    unstructure: Callable[[Any], object] | None = None,
) -> dict[str, FieldSpec]:
    """Field metadata: the field has its own plain form (a condition, a map of answers)."""
    return {CONVERT: FieldSpec(structure=structure, unstructure=unstructure)}


def omit() -> dict[str, FieldSpec]:
    """Field metadata: set by a named constructor, never read from or written to data."""
    return {CONVERT: FieldSpec(omit=True)}


def with_checks(_cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """attrs ``field_transformer``: each field's :func:`checks` (and :func:`nested`) also
    runs in ``__init__``."""
    out = []
    for a in fields:
        spec = _spec(a)
        if spec is not None and spec.check is not None and a.converter is None:
            out.append(a.evolve(converter=_checking_converter(spec.check)))
        elif spec is not None and spec.nested is not None and a.validator is None:
            out.append(a.evolve(validator=_nested_validator(spec.nested, spec.optional)))
        else:
            out.append(a)
    return out


def to_enum(cls: type[E], value: object) -> E:
    """The member of ``cls`` with this value (or the member itself), else :class:`Expected`."""
    if isinstance(value, cls):
        return value
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            return cls(value)
        except ValueError:
            pass
    choices = "|".join(str(m.value) for m in cls)
    raise Expected(f"expected one of {choices}, got {safe_repr(value)}")


def enum_check(cls: type[E]) -> Callable[[object], E]:
    """A :func:`checked` check accepting the members of ``cls`` or their values."""
    return functools.partial(to_enum, cls)


def to_member(cls: type[E], value: object, name: str) -> E:
    """:func:`to_enum` for an attrs converter of field ``name`` (``<name>: expected one of ...``).

    Structuring needs no metadata for enum fields: the converter's enum hook gives the
    path-aware message; a named converter calling this gives the field's in Python.
    """
    try:
        return to_enum(cls, value)
    except Expected as exc:
        raise ValidationError([f"{name}: {exc}"], what=cls.__name__) from None


def _has_structure_spec(tp: object) -> bool:
    return (
        isinstance(tp, type)
        and attrs.has(tp)
        and any(
            (s := _spec(a)) is not None and bool(s.check or s.structure or s.omit)
            for a in attrs.fields(tp)
        )
    )


def _has_unstructure_spec(tp: object) -> bool:
    return (
        isinstance(tp, type)
        and attrs.has(tp)
        and any(
            (s := _spec(a)) is not None and bool(s.unstructure or s.omit) for a in attrs.fields(tp)
        )
    )


def _plain_hook(fn: Callable[[object], object]) -> Callable[[object, object], object]:
    return lambda value, _: fn(value)


def fields_structurer(tp: type[T], conv: cattrs.Converter | None = None) -> Callable[[Any, Any], T]:
    """The dict structuring function of an attrs class, with its fields' :class:`FieldSpec`."""
    overrides: dict[str, Any] = {}
    for a in attrs.fields(tp):  # type: ignore[arg-type]
        spec = _spec(a)
        if spec is None:
            continue
        if spec.omit:
            overrides[a.name] = override(omit=True)
        elif spec.structure is not None:
            overrides[a.name] = override(struct_hook=_plain_hook(spec.structure))
        elif spec.check is not None:
            overrides[a.name] = override(struct_hook=_plain_hook(spec.check))
    return make_dict_structure_fn(tp, conv or converter, **overrides)


def _fields_unstructurer(tp: type, conv: cattrs.Converter) -> Callable[[Any], Any]:
    overrides: dict[str, Any] = {}
    for a in attrs.fields(tp):
        spec = _spec(a)
        if spec is None:
            continue
        if spec.omit:
            overrides[a.name] = override(omit=True)
        elif spec.unstructure is not None:
            overrides[a.name] = override(unstruct_hook=spec.unstructure)
    return make_dict_unstructure_fn(tp, conv, **overrides)


_REPORT_METADATA = ("omit_if_none", "derived")


def _is_report(tp: object) -> bool:
    if not (isinstance(tp, type) and attrs.has(tp)):
        return False
    return any(f.metadata.get(key) for f in attrs.fields(tp) for key in _REPORT_METADATA)


def _report_factory(cls: type, conv: cattrs.Converter) -> Callable[[Any], dict[str, Any]]:
    """Unstructure a report type: its derived (``init=False``, metadata ``derived``) fields
    included, fields marked ``omit_if_none`` left out when None, :func:`omit` fields never."""
    hidden: dict[str, Any] = {
        a.name: override(omit=True)
        for a in attrs.fields(cls)
        if (spec := _spec(a)) is not None and spec.omit
    }
    base: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn(
        cls, conv, _cattrs_include_init_false=True, **hidden
    )
    names = [f.name for f in attrs.fields(cls) if f.metadata.get("omit_if_none")]

    def hook(obj: Any) -> dict[str, Any]:
        data: dict[str, Any] = base(obj)
        for name in names:
            if data.get(name) is None:
                data.pop(name, None)
        return data

    return hook


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    # cattrs dispatches on the MRO first: StrEnum would find the str hook before Enum's.
    for base in (enum.Enum, enum.StrEnum, enum.IntEnum):
        conv.register_structure_hook(base, _structure_enum)
        conv.register_unstructure_hook(base, _unstructure_enum)
    conv.register_structure_hook(Decimal, lambda v, _: structure_decimal(v))
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(dt.date, lambda v, _: structure_date(v))
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_structure_hook(dt.datetime, lambda v, _: structure_datetime(v))
    conv.register_unstructure_hook(dt.datetime, unstructure_datetime)
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _sequence_factory)
    conv.register_structure_hook_factory(is_mapping, _mapping_factory)
    conv.register_structure_hook_factory(_is_primitive_union, _primitive_union_factory)
    conv.register_structure_hook_factory(
        _has_structure_spec, lambda tp: fields_structurer(tp, conv)
    )
    conv.register_unstructure_hook_factory(
        _has_unstructure_spec, lambda tp: _fields_unstructurer(tp, conv)
    )
    # A class that needs a plain form of its own (a symptom is "code" or an object)
    # says so with ``_structure(cls, value)`` / ``_unstructure(self)``: registered last,
    # so it wins over the field metadata above.
    use_class_methods(conv, "_structure", "_unstructure")
    conv.register_unstructure_hook_factory(_is_report, _report_factory)
    conv.register_unstructure_hook(
        MappingProxyType, lambda m: {k: conv.unstructure(v) for k, v in m.items()}
    )
    return conv


converter: cattrs.Converter = _make_converter()
"""The library's one converter. Register hooks on it, never on cattrs' global one."""


# ---------------------------------------------------------------------------- errors


def _join(path: str, key: object) -> str:
    if isinstance(key, str) and key.isidentifier() and is_code(key):
        return f"{path}.{key}" if path else key
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    return f"{path}[{safe_key(key)}]"


def _message(exc: BaseException, tp: object) -> str:
    if isinstance(exc, Expected):
        return str(exc)
    if isinstance(exc, ValidationError):
        return "; ".join(exc.errors)
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        return "unknown field(s): " + ", ".join(sorted(safe_key(k) for k in exc.extra_fields))
    if isinstance(exc, AttributeError | TypeError) and tp is None:
        return "expected an object"
    return f"expected {_type_name(tp)}"


def error_messages(exc: BaseException, path: str = "") -> list[str]:
    """Flatten a cattrs detailed-validation exception into ``path: message`` lines."""
    out: list[str] = []
    if isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            key = getattr(note, "name", None)
            if key is None:
                key = note.index
            if isinstance(sub, ValidationError):  # a hook's own errors, relative to this field
                out.extend(prefix_path(_join(path, key), e) for e in sub.errors)
                continue
            out.extend(
                error_messages(sub, _join(path, key))
                if _is_group(sub)
                else [f"{_join(path, key)}: {_message(sub, note.type)}"]
            )
        for sub in without:
            if isinstance(sub, ForbiddenExtraKeysError):  # one line per field, like the others
                out.extend(
                    f"{_join(path, k)}: unknown field" for k in sorted(sub.extra_fields, key=str)
                )
                continue
            if isinstance(sub, ValidationError):  # a class's own checks, paths relative to it
                out.extend(_under(path, e) for e in sub.errors)
                continue
            out.extend(
                error_messages(sub, path) if _is_group(sub) else [f"{path}: {_message(sub, None)}"]
            )
    elif isinstance(exc, ValidationError):
        out.extend(f"{path}.{e}" if path else e for e in exc.errors)
    else:
        out.append(f"{path}: {_message(exc, None)}")
    return out


def _under(record: str, message: str) -> str:
    """``message`` under ``record``, unless a class's own check already named the record
    (``severity.rows: ...`` from SeverityTable stays as it is under ``severity``)."""
    if message.startswith((f"{record}.", f"{record}[", f"{record}:")):
        return message
    return prefix_path(record, message)


def prefix_path(parent: str, message: str) -> str:
    """Put ``parent`` in front of a relative ``path: message`` (``: message`` for the root)."""
    if not parent:
        return message.lstrip(":").lstrip() if message.startswith(":") else message
    if message.startswith((":", "[")):
        return parent + message
    return f"{parent}.{message}"


def _is_group(exc: BaseException) -> bool:
    return isinstance(exc, ClassValidationError | IterableValidationError)


def structure(data: object, cls: type[T], *, path: str, what: str | None = None) -> T:
    """Structure plain data into ``cls`` or raise one :class:`ValidationError`.

    Args:
        data: JSON-like data (dicts, lists, strings, numbers, booleans, None).
        cls: the attrs class (or type) wanted.
        path: the record's name, which starts every message's path (``"answers"``:
            ``answers.cancer_history: ...``).
        what: what the data is, for the error's headline.
    """
    label: str = what or str(getattr(cls, "__name__", "input"))
    if not isinstance(data, Mapping) and hasattr(cls, "__attrs_attrs__"):
        raise ValidationError(
            [f"{path}: expected an object, got {describe_type(data)}"], what=label
        )
    try:
        return converter.structure(data, cls)
    except ValidationError as exc:
        raise ValidationError([_under(path, e) for e in exc.errors], what=label) from None
    except (ClassValidationError, IterableValidationError) as exc:
        raise ValidationError(error_messages(exc, path), what=label) from None
    except (Expected, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValidationError([f"{path}: {_message(exc, cls)}"], what=label) from None


def unstructure(obj: object) -> Any:
    """Plain JSON-ready data for any exointake value."""
    return converter.unstructure(obj)


def canonical_json(data: object) -> bytes:
    """Canonical JSON bytes: sorted keys, no spaces, UTF-8, no NaN.

    ``data`` may be an exointake value (it is unstructured first) or plain data.
    """
    plain = (
        data
        if isinstance(data, dict | list | str | int | float | bool | type(None))
        else unstructure(data)
    )
    return json.dumps(
        plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def prune_empty(data: Any) -> Any:
    """Drop keys whose value is None, [] or {} (recursively) before hashing.

    Content hashes of versioned data are taken over the pruned form, so a later
    release that adds an optional field (defaulting to None or empty) does not
    change the hash of every existing questionnaire or rule set.
    """
    if isinstance(data, dict):
        return {k: prune_empty(v) for k, v in data.items() if v is not None and v not in ([], {})}
    if isinstance(data, list):
        return [prune_empty(v) for v in data]
    return data


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` refusing a key given twice (``json`` keeps the last one)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def load_json(
    source: str | bytes | os.PathLike[str], *, where: str | None = None, what: str = "input"
) -> Any:
    """Parse JSON text (``str``/``bytes``) or a file (a path), or raise :class:`ValidationError`.

    Every failure — an unreadable file, bad JSON, text that is not UTF-8, a number
    or nesting too large for Python's parser, an object giving the same key twice
    (``"cancer_history": "current", "cancer_history": "none"``: Python's parser would
    silently keep the last) — becomes one message starting with ``where`` (the record's
    name; by default the file's name for a path, else ``what``), never a traceback.
    """
    if where is None:
        where = Path(source).name if isinstance(source, os.PathLike) else what
    try:
        raw = Path(source).read_bytes() if isinstance(source, os.PathLike) else source
    except OSError as exc:
        raise ValidationError([f"{where}: cannot read ({exc.strerror})"], what=what) from None
    try:
        return json.loads(raw, object_pairs_hook=_object_without_duplicates)
    except _DuplicateKey as exc:
        raise ValidationError(
            [f"{where}: duplicate key {safe_key(exc.key)} (each key may appear once)"], what=what
        ) from None
    except json.JSONDecodeError as exc:
        raise ValidationError(
            [f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno})"], what=what
        ) from None
    except UnicodeDecodeError:
        raise ValidationError([f"{where}: not UTF-8 text"], what=what) from None
    except (ValueError, RecursionError):  # a 5,000-digit number, or [[[[... 100,000 deep
        raise ValidationError(
            [f"{where}: JSON too large to read (numbers over 4,300 digits or nesting too deep)"],
            what=what,
        ) from None


def read_json_text(text: str | bytes, what: str, *, where: str) -> Any:
    """Parse JSON text (never a path: see :func:`read_json_file`); errors start with
    ``where``, the record's name (``ruleset: not valid JSON ...``)."""
    if not isinstance(text, str | bytes):
        raise ValidationError(
            [f"text: expected JSON text (str or bytes), got {describe_type(text)}"], what=what
        )
    return load_json(text, where=where, what=what)


def read_json_file(path: str | os.PathLike[str], what: str) -> Any:
    """Parse a JSON file; errors name the file (its name only, not the folder)."""
    if not isinstance(path, str | os.PathLike):
        raise ValidationError([f"path: expected a file path, got {describe_type(path)}"], what=what)
    p = Path(path)
    return load_json(p, where=p.name, what=what)


def sha256_hex(data: bytes) -> str:
    """SHA-256 of bytes, as lowercase hex."""
    return hashlib.sha256(data).hexdigest()
