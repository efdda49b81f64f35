"""The condition language of screening rules: parsing, the items read, three-valued evaluation.

Conditions (JSON, one key per object)::

    {"is_true": "drug_allergy"}
    {"equals": {"item": "cancer_history", "value": "current"}}
    {"in": {"item": "cancer_history", "values": ["past", "current"]}}
    {"age": {"item": "birth_date", "op": "<", "value": 18}}
    {"all": [...]}   {"any": [...]}   {"not": {...}}

A condition compiles once into a closure over (answer values, screening day) that returns
True, False or None (undetermined: a missing or "don't know" answer the others do not settle).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeAlias

from attrs import field, frozen

from ._convert import (
    Expected,
    checks,
    describe_type,
    safe_repr,
    structure,
)
from ._errors import ValidationError
from ._limits import text_problem
from ._questionnaire import (
    AnswerValue,
    ItemType,
    Questionnaire,
    check_link_id,
)

__all__ = [
    "MAX_DEPTH",
    "Age",
    "All",
    "Any_",
    "CompareOp",
    "Condition",
    "Equals",
    "Evaluator",
    "In",
    "IsTrue",
    "Not",
    "compile_condition",
    "condition_errors",
    "condition_items",
    "structure_condition",
    "unstructure_condition",
]


_ITEM = checks(check_link_id)  # checked when read from data


class CompareOp(enum.StrEnum):
    """Comparison for :class:`Age`."""

    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


@frozen
class IsTrue:
    """Holds when a boolean item was answered yes."""

    item: str = field(metadata=_ITEM)


@frozen
class Equals:
    """Holds when an item's answer equals ``value``."""

    item: str = field(metadata=_ITEM)
    value: bool | int | str


@frozen
class In:
    """Holds when an item's answer is one of ``values``."""

    item: str = field(metadata=_ITEM)
    values: tuple[bool | int | str, ...]


@frozen
class Age:
    """Compares the age in whole years on the screening day (from a date item) with ``value``."""

    item: str = field(metadata=_ITEM)
    op: CompareOp
    value: int


@frozen
class All:
    """Holds when every condition holds."""

    conditions: tuple[Condition, ...]


@frozen
class Any_:
    """Holds when at least one condition holds (``{"any": [...]}`` in JSON)."""

    conditions: tuple[Condition, ...]


@frozen
class Not:
    """Holds when the condition does not."""

    condition: Condition


Condition: TypeAlias = IsTrue | Equals | In | Age | All | Any_ | Not
"""A condition of the rule language."""


_LEAF_KEYS: dict[str, type] = {"equals": Equals, "in": In, "age": Age}


def _scalar(value: object, path: str) -> bool | int | str:
    if isinstance(value, str) and (problem := text_problem(value, "text")) is not None:
        raise ValidationError([f"{path}: {problem}"], what="rule set")
    if isinstance(value, bool | int | str):
        return value
    raise ValidationError(
        [f"{path}: expected a boolean, integer or string, got {describe_type(value)}"],
        what="rule set",
    )


MAX_DEPTH = 32
"""How deeply conditions may nest (all/any/not inside each other)."""


def structure_condition(data: object, path: str = "", depth: int = 0) -> Condition:
    """A condition from its JSON form; errors name the path relative to the condition."""
    if depth > MAX_DEPTH:
        raise ValidationError(
            [f"{path}: conditions nest deeper than {MAX_DEPTH} levels"], what="rule set"
        )
    if not isinstance(data, Mapping) or len(data) != 1:
        raise ValidationError(
            [f"{path}: expected an object with exactly one of is_true|equals|in|age|all|any|not"],
            what="rule set",
        )
    ((key, body),) = data.items()
    sub = f"{path}.{key}" if path else str(key)
    if key == "is_true":
        try:
            return IsTrue(check_link_id(body))
        except Expected as exc:
            raise ValidationError([f"{sub}: {exc}"], what="rule set") from None
    if key in ("all", "any"):
        if not isinstance(body, list) or not body:
            raise ValidationError(
                [f"{sub}: expected a non-empty list of conditions"], what="rule set"
            )
        parts = tuple(structure_condition(c, f"{sub}[{n}]", depth + 1) for n, c in enumerate(body))
        return All(parts) if key == "all" else Any_(parts)
    if key == "not":
        return Not(structure_condition(body, sub, depth + 1))
    if key in _LEAF_KEYS:
        if key == "in" and isinstance(body, Mapping) and isinstance(body.get("values"), list):
            body = {
                **body,
                "values": [_scalar(v, f"{sub}.values[{n}]") for n, v in enumerate(body["values"])],
            }
        if key == "equals" and isinstance(body, Mapping) and "value" in body:
            body = {**body, "value": _scalar(body["value"], f"{sub}.value")}
        leaf: Condition = structure(body, _LEAF_KEYS[key], path=sub, what="rule set")
        return leaf
    raise ValidationError(
        [
            f"{path}: unknown condition {safe_repr(key)}; expected one of "
            "is_true|equals|in|age|all|any|not"
        ],
        what="rule set",
    )


def unstructure_condition(cond: Condition) -> dict[str, Any]:
    """The JSON form of a condition."""
    match cond:
        case IsTrue(item):
            return {"is_true": item}
        case Equals(item, value):
            return {"equals": {"item": item, "value": value}}
        case In(item, values):
            return {"in": {"item": item, "values": list(values)}}
        case Age(item, op, value):
            return {"age": {"item": item, "op": op.value, "value": value}}
        case All(parts):
            return {"all": [unstructure_condition(c) for c in parts]}
        case Any_(parts):
            return {"any": [unstructure_condition(c) for c in parts]}
        case Not(inner):
            return {"not": unstructure_condition(inner)}
    raise TypeError(type(cond).__name__)  # pragma: no cover - exhaustive


def condition_items(cond: Condition) -> Iterator[str]:
    """Every item id a condition reads."""
    match cond:
        case IsTrue(item) | Equals(item, _) | In(item, _) | Age(item, _, _):
            yield item
        case All(parts) | Any_(parts):
            for c in parts:
                yield from condition_items(c)
        case Not(inner):
            yield from condition_items(inner)


Evaluator: TypeAlias = Callable[[Mapping[str, AnswerValue], dt.date], bool | None]


def compile_condition(cond: Condition) -> Evaluator:
    """Compile a condition into a closure over (answer values, screening day)."""
    match cond:
        case IsTrue(item):

            def is_true(v: Mapping[str, AnswerValue], _: dt.date) -> bool | None:
                x = v.get(item)
                # Only a real boolean decides; anything else (missing, unknown, a value
                # of the wrong type in hand-built answers) leaves the rule undecided.
                return True if x is True else False if x is False else None

            return is_true
        case Equals(item, value):
            kind = type(value)

            def equals(v: Mapping[str, AnswerValue], _: dt.date) -> bool | None:
                x = v.get(item)
                return x == value if type(x) is kind else None

            return equals
        case In(item, values):
            allowed = frozenset((type(x), x) for x in values)
            kinds = frozenset(type(x) for x in values)

            def in_(v: Mapping[str, AnswerValue], _: dt.date) -> bool | None:
                x = v.get(item)
                return (type(x), x) in allowed if type(x) in kinds else None

            return in_
        case Age(item, op, limit):
            compare = _COMPARE[op]

            def age(v: Mapping[str, AnswerValue], on: dt.date) -> bool | None:
                born = v.get(item)
                if type(born) is not dt.date or born > on:  # a birth date after today is a typo
                    return None
                years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
                return compare(years, limit)

            return age
        case All(parts):
            return _kleene(tuple(compile_condition(c) for c in parts), decisive=False)
        case Any_(parts):
            return _kleene(tuple(compile_condition(c) for c in parts), decisive=True)
        case Not(inner):
            f = compile_condition(inner)

            def not_(v: Mapping[str, AnswerValue], on: dt.date) -> bool | None:
                r = f(v, on)
                return None if r is None else not r

            return not_
    raise TypeError(type(cond).__name__)  # pragma: no cover - exhaustive


def _kleene(fns: tuple[Evaluator, ...], *, decisive: bool) -> Evaluator:
    """Three-valued AND (``decisive=False``) or OR (``decisive=True``).

    One part with the decisive value settles it; otherwise any undecided part
    leaves the whole undecided; otherwise it is the non-decisive value.
    """

    def combined(v: Mapping[str, AnswerValue], on: dt.date) -> bool | None:
        result: bool | None = not decisive
        for f in fns:
            r = f(v, on)
            if r is decisive:
                return decisive
            if r is None:
                result = None
        return result

    return combined


_COMPARE: dict[CompareOp, Callable[[int, int], bool]] = {
    CompareOp.LT: int.__lt__,
    CompareOp.LE: int.__le__,
    CompareOp.GT: int.__gt__,
    CompareOp.GE: int.__ge__,
}


def condition_errors(cond: Condition, q: Questionnaire, path: str) -> list[str]:
    """Conditions that could never hold because they do not fit the item they read.

    A typo in a value (``"currnet"``) or ``is_true`` on a choice item would make
    a rule silently never fire; that is refused instead.
    """
    match cond:
        case All(parts) | Any_(parts):
            key = "all" if isinstance(cond, All) else "any"
            return [
                e for n, c in enumerate(parts) for e in condition_errors(c, q, f"{path}.{key}[{n}]")
            ]
        case Not(inner):
            return condition_errors(inner, q, f"{path}.not")
    item_id = cond.item
    if item_id not in q or q.item(item_id).type is ItemType.TEXT:
        return []  # reported for reads
    item = q.item(item_id)
    match cond:
        case IsTrue():
            if item.type is not ItemType.BOOLEAN:
                return [f"{path}.is_true: {item_id!r} is a {item.type.value} item, not a boolean"]
            return []
        case Age():
            if item.type is not ItemType.DATE:
                return [f"{path}.age.item: {item_id!r} is a {item.type.value} item, not a date"]
            return []
        case Equals(value=value):
            where, values = f"{path}.equals.value", (value,)
        case In(values=values):
            where = f"{path}.in.values"
    if item.type not in _COMPARABLE:
        return [
            f"{where}: {item_id!r} is a {item.type.value} item; equals and in compare "
            "boolean, choice and integer answers (use age for dates)"
        ]
    bad = [v for v in values if not _fits(item.type, v, item.choice_codes())]
    if bad:
        expected = (
            "one of " + "|".join(item.choice_codes())
            if item.type is ItemType.CHOICE
            else _COMPARABLE[item.type]
        )
        return [f"{where}: expected {expected} for {item_id!r}, got {safe_repr(bad[0])}"]
    return []


_COMPARABLE = {
    ItemType.BOOLEAN: "a boolean",
    ItemType.CHOICE: "a choice",
    ItemType.INTEGER: "an integer",
}


def _fits(kind: ItemType, value: bool | int | str, codes: tuple[str, ...]) -> bool:
    if kind is ItemType.BOOLEAN:
        return isinstance(value, bool)
    if kind is ItemType.INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str) and value in codes
