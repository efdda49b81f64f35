"""Hypothesis strategies for questionnaires, answers and rule sets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from .._common import Route, Text
from .._questionnaire import (
    Answers,
    AnswerValue,
    Item,
    ItemType,
    Questionnaire,
    parse_value,
)
from .._screening import Decision, RuleSet, RuleSource
from ._validate import check_bool, check_instance, check_route

__all__ = [
    "answer_dicts",
    "answers",
    "conditions",
    "invalid_answer_dicts",
    "partial_answer_dicts",
    "questionnaire_dicts",
    "questionnaires",
    "routes",
    "ruleset_dicts",
    "rulesets",
    "texts",
]

_LINK = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
_DOC_ID = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)
_VERSION = st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,2}", fullmatch=True)
_RULESET_VERSION = st.from_regex(r"[0-9]{1,3}", fullmatch=True)
_CODE = _LINK.filter(lambda code: code != "unknown")  # reserved for "don't know"
_FREE = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")) | st.sampled_from("\t\n"),
    max_size=60,
)
"""Text as a questionnaire or rule set holds it: any valid Unicode but control characters
(tab and newline aside)."""


def routes() -> st.SearchStrategy[Route]:
    """Any route."""
    return st.sampled_from(list(Route))


def texts() -> st.SearchStrategy[Text]:
    """Bilingual texts (any Unicode except surrogates and control characters but tab and
    newline)."""
    return st.builds(Text, ja=_FREE, en=_FREE)


def _value_for(item: Item) -> st.SearchStrategy[Any]:
    """A valid JSON answer for one item."""
    base: st.SearchStrategy[Any]
    match item.type:
        case ItemType.BOOLEAN:
            base = st.booleans()
        case ItemType.CHOICE:
            base = st.sampled_from(item.choice_codes())
        case ItemType.MULTI_CHOICE:
            base = st.lists(st.sampled_from(item.choice_codes()), min_size=1, unique=True)
        case ItemType.DATE:
            # Past days only: a date item is often a birth date, which cannot be in the future.
            base = st.dates(dt.date(1900, 1, 1), dt.date(2025, 12, 31)).map(dt.date.isoformat)
        case ItemType.INTEGER:
            base = st.integers(-(10**9), 10**9)
        case ItemType.DECIMAL:
            base = st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False).map(
                str
            )
        case _:
            return _FREE
    if item.allow_unknown:
        return st.one_of(base, st.just("unknown"))
    return base


def _check_questionnaire(questionnaire: object, route: object) -> Route | None:
    check_instance(questionnaire, Questionnaire, "questionnaire")
    return check_route(route)


def answer_dicts(
    questionnaire: Questionnaire,
    *,
    route: Route | str | None = None,
    answer_optional: bool | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Complete, valid raw answers (``link_id → JSON value``) for ``questionnaire``.

    Respects ``enable_when`` and route limits: hidden items are never answered,
    every shown required item is. Optional items are answered or not at random
    (or always, with ``answer_optional=True``; never, with ``False``).

    Raises:
        hypothesis.errors.InvalidArgument: ``questionnaire`` is not a Questionnaire,
            ``route`` not a route, ``answer_optional`` not a bool or None.
    """
    checked = _check_questionnaire(questionnaire, route)
    check_bool(answer_optional, "answer_optional", optional=True)
    return _answer_dicts(questionnaire, route=checked, answer_optional=answer_optional)


@st.composite
def _answer_dicts(
    draw: st.DrawFn,
    questionnaire: Questionnaire,
    *,
    route: Route | None,
    answer_optional: bool | None,
) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    parsed: dict[str, AnswerValue] = {}
    for item in questionnaire.items:
        if not questionnaire.is_enabled(item, parsed, route):
            continue
        if not item.required:
            take = answer_optional if answer_optional is not None else draw(st.booleans())
            if not take:
                continue
        value = draw(_value_for(item))
        raw[item.link_id] = value
        parsed[item.link_id] = parse_value(item, value)
    return raw


def answers(
    questionnaire: Questionnaire, *, route: Route | str | None = None
) -> st.SearchStrategy[Answers]:
    """Complete, valid :class:`~exointake.Answers` pinned to ``questionnaire``.

    Raises:
        hypothesis.errors.InvalidArgument: ``questionnaire`` is not a Questionnaire
            or ``route`` not a route.
    """
    checked = _check_questionnaire(questionnaire, route)
    return _answer_dicts(questionnaire, route=checked, answer_optional=None).map(
        lambda raw: questionnaire.answers(raw, route=checked)
    )


def partial_answer_dicts(
    questionnaire: Questionnaire, *, route: Route | str | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid raw answers with some answers left out (validate with ``partial=True``).

    Only items whose removal keeps the rest valid are left out: an item that
    controls another shown item is kept when the dependent item is answered.

    Raises:
        hypothesis.errors.InvalidArgument: ``questionnaire`` is not a Questionnaire
            or ``route`` not a route.
    """
    return _partial_answer_dicts(questionnaire, route=_check_questionnaire(questionnaire, route))


@st.composite
def _partial_answer_dicts(
    draw: st.DrawFn, questionnaire: Questionnaire, *, route: Route | None
) -> dict[str, Any]:
    full = draw(_answer_dicts(questionnaire, route=route, answer_optional=None))
    keys = sorted(full)
    drop: set[str] = draw(st.sets(st.sampled_from(keys), min_size=1)) if keys else set()
    kept = {k: v for k, v in full.items() if k not in drop}
    return _drop_hidden(questionnaire, kept, route)


def _drop_hidden(
    questionnaire: Questionnaire, raw: dict[str, Any], route: Route | None
) -> dict[str, Any]:
    """Remove answers to items that became hidden (their controlling answer was removed)."""
    parsed: dict[str, AnswerValue] = {}
    out: dict[str, Any] = {}
    for item in questionnaire.items:
        if item.link_id in raw and questionnaire.is_enabled(item, parsed, route):
            out[item.link_id] = raw[item.link_id]
            parsed[item.link_id] = parse_value(item, raw[item.link_id])
    return out


_WRONG_FOR: dict[ItemType, st.SearchStrategy[Any]] = {
    ItemType.BOOLEAN: st.one_of(st.integers(), st.sampled_from(["yes", "no", "true"])),
    ItemType.CHOICE: st.one_of(st.integers(), st.just("not-a-choice"), st.booleans()),
    ItemType.MULTI_CHOICE: st.one_of(st.just("a"), st.lists(st.just("not-a-choice"), min_size=1)),
    ItemType.DATE: st.one_of(st.integers(), st.sampled_from(["2020-13-01", "yesterday", ""])),
    ItemType.INTEGER: st.one_of(st.booleans(), st.floats(allow_nan=False), st.just("12")),
    ItemType.DECIMAL: st.one_of(st.booleans(), st.just("twelve"), st.lists(st.integers())),
    ItemType.TEXT: st.one_of(st.integers(), st.booleans(), st.lists(st.text())),
}


def invalid_answer_dicts(
    questionnaire: Questionnaire, *, route: Route | str | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Raw answers with at least one problem: an unknown item, a wrong type, a value
    not among the choices, or a missing required item. Validation must refuse them.

    Raises:
        hypothesis.errors.InvalidArgument: ``questionnaire`` is not a Questionnaire
            or ``route`` not a route.
    """
    return _invalid_answer_dicts(questionnaire, route=_check_questionnaire(questionnaire, route))


@st.composite
def _invalid_answer_dicts(
    draw: st.DrawFn, questionnaire: Questionnaire, *, route: Route | None
) -> dict[str, Any]:
    raw = draw(_answer_dicts(questionnaire, route=route, answer_optional=None))
    kinds = ["unknown_item"]
    if raw:
        kinds.append("wrong_type")
    required = [k for k in raw if questionnaire.item(k).required]
    if required:
        kinds.append("missing_required")
    kind = draw(st.sampled_from(kinds))
    if kind == "unknown_item":
        name = draw(_LINK.filter(lambda n: n not in questionnaire))
        raw[name] = draw(st.one_of(st.booleans(), st.integers(), _FREE))
    elif kind == "wrong_type":
        key = draw(st.sampled_from(sorted(raw)))
        item = questionnaire.item(key)
        raw[key] = draw(_WRONG_FOR[item.type].filter(lambda v: v != "unknown"))
    else:
        key = draw(st.sampled_from(sorted(required)))
        del raw[key]
    return raw


@st.composite
def _choice_items(draw: st.DrawFn, link_id: str) -> dict[str, Any]:
    codes = draw(st.lists(_CODE, min_size=1, max_size=4, unique=True))
    return {
        "link_id": link_id,
        "type": draw(st.sampled_from(["choice", "multi_choice"])),
        "text": {"ja": draw(_FREE), "en": draw(_FREE)},
        "choices": [{"code": c, "label": {"ja": c, "en": c}} for c in codes],
        "required": draw(st.booleans()),
        "allow_unknown": draw(st.booleans()),
    }


@st.composite
def questionnaire_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """Valid questionnaire definitions as plain JSON data."""
    ids = draw(st.lists(_LINK, min_size=1, max_size=8, unique=True))
    items: list[dict[str, Any]] = []
    for n, link_id in enumerate(ids):
        kind = draw(st.sampled_from([t.value for t in ItemType]))
        item: dict[str, Any]
        if kind in ("choice", "multi_choice"):
            item = draw(_choice_items(link_id))
        else:
            item = {
                "link_id": link_id,
                "type": kind,
                "text": {"ja": draw(_FREE), "en": draw(_FREE)},
                "required": draw(st.booleans()),
            }
            if kind != "text" and draw(st.booleans()):
                item["allow_unknown"] = True
        if draw(st.booleans()):
            item["routes"] = draw(
                st.lists(st.sampled_from([r.value for r in Route]), min_size=1, unique=True)
            )
        booleans_before = [i["link_id"] for i in items[:n] if i["type"] == "boolean"]
        if len(booleans_before) > 0 and draw(st.booleans()):
            item["enable_when"] = [
                {
                    "question": draw(st.sampled_from(booleans_before)),
                    "operator": "=",
                    "answer": draw(st.booleans()),
                }
            ]
            item["enable_behavior"] = draw(st.sampled_from(["all", "any"]))
        if draw(st.booleans()):
            item["help"] = {"ja": draw(_FREE), "en": draw(_FREE)}
        items.append(item)
    return {
        "id": draw(_DOC_ID),
        "version": draw(_VERSION),
        "title": {"ja": draw(_FREE), "en": draw(_FREE)},
        "items": items,
    }


def questionnaires() -> st.SearchStrategy[Questionnaire]:
    """Valid :class:`~exointake.Questionnaire` values."""
    return questionnaire_dicts().map(Questionnaire.from_dict)


def _equals(item: str, value: object) -> dict[str, Any]:
    return {"equals": {"item": item, "value": value}}


def _in(item: str, values: list[str]) -> dict[str, Any]:
    return {"in": {"item": item, "values": values}}


def _age(item: str, op: str, value: int) -> dict[str, Any]:
    return {"age": {"item": item, "op": op, "value": value}}


def _leaf_conditions(questionnaire: Questionnaire) -> st.SearchStrategy[dict[str, Any]]:
    options: list[st.SearchStrategy[dict[str, Any]]] = []
    for item in questionnaire.items:
        lid = st.just(item.link_id)
        if item.type is ItemType.BOOLEAN:
            options.append(st.just({"is_true": item.link_id}))
            options.append(st.builds(_equals, lid, st.booleans()))
        elif item.type is ItemType.CHOICE:
            codes = st.sampled_from(item.choice_codes())
            options.append(st.builds(_equals, lid, codes))
            options.append(st.builds(_in, lid, st.lists(codes, min_size=1, unique=True)))
        elif item.type is ItemType.DATE:
            ops = st.sampled_from(["<", "<=", ">", ">="])
            options.append(st.builds(_age, lid, ops, st.integers(0, 120)))
        elif item.type is ItemType.INTEGER:
            options.append(st.builds(_equals, lid, st.integers(-100, 100)))
    return st.one_of(options) if options else st.nothing()


def _all(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"all": parts}


def _any(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"any": parts}


def _not(part: dict[str, Any]) -> dict[str, Any]:
    return {"not": part}


def conditions(questionnaire: Questionnaire) -> st.SearchStrategy[dict[str, Any]]:
    """Conditions (JSON form) over the structured items of ``questionnaire``.

    Raises:
        hypothesis.errors.InvalidArgument: ``questionnaire`` is not a Questionnaire.
    """
    check_instance(questionnaire, Questionnaire, "questionnaire")
    return st.recursive(
        _leaf_conditions(questionnaire),
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(_all),
            st.lists(inner, min_size=1, max_size=3).map(_any),
            inner.map(_not),
        ),
        max_leaves=6,
    )


def _items_of(cond: dict[str, Any]) -> list[str]:
    ((key, body),) = cond.items()
    if key == "is_true":
        return [body]
    if key in ("all", "any"):
        return [i for c in body for i in _items_of(c)]
    if key == "not":
        return _items_of(body)
    return [body["item"]]


def ruleset_dicts(questionnaire: Questionnaire) -> st.SearchStrategy[dict[str, Any]]:
    """Valid rule sets (JSON form) for ``questionnaire``, with a rule for every route (a
    rule set with no rule for a route cannot screen for it).

    Raises:
        hypothesis.errors.InvalidArgument: ``questionnaire`` is not a Questionnaire.
    """
    check_instance(questionnaire, Questionnaire, "questionnaire")
    return _ruleset_dicts(questionnaire)


@st.composite
def _ruleset_dicts(draw: st.DrawFn, questionnaire: Questionnaire) -> dict[str, Any]:
    ids = draw(st.lists(_LINK, min_size=1, max_size=6, unique=True))
    whens = conditions(questionnaire)  # built once: building a recursive strategy is costly
    rules = []
    for n, rid in enumerate(ids):
        when = draw(whens)
        rule: dict[str, Any] = {
            "id": rid,
            "decision": draw(
                st.sampled_from(
                    [
                        Decision.CAUTION.value,
                        Decision.PHYSICIAN_REVIEW.value,
                        Decision.POSTPONE.value,
                        Decision.CONTRAINDICATED.value,
                    ]
                )
            ),
            "when": when,
            "reads": sorted(set(_items_of(when))),
            "patient_message": {"ja": draw(_FREE), "en": draw(_FREE)},
            "staff_message": {"ja": draw(_FREE), "en": draw(_FREE)},
            "source": draw(st.sampled_from([s.value for s in RuleSource])),
        }
        if n > 0 and draw(st.booleans()):  # the first applies to every route: none is bare
            rule["routes"] = draw(
                st.lists(st.sampled_from([r.value for r in Route]), min_size=1, unique=True)
            )
        rules.append(rule)
    return {
        "id": draw(_DOC_ID),
        "version": draw(_RULESET_VERSION),
        "questionnaire": questionnaire.id,
        "rules": rules,
    }


def rulesets(questionnaire: Questionnaire) -> st.SearchStrategy[RuleSet]:
    """Valid :class:`~exointake.RuleSet` values for ``questionnaire``.

    Raises:
        hypothesis.errors.InvalidArgument: ``questionnaire`` is not a Questionnaire.
    """
    return ruleset_dicts(questionnaire).map(RuleSet.from_dict)
