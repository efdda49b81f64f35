"""Questionnaires (versioned data) and answers pinned to what the patient saw."""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import re
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, TypeAlias

from attrs import field, frozen

from . import _bundled
from ._common import Route, Text, parse_route, today_jst
from ._convert import (
    Expected,
    canonical_json,
    converter,
    describe_type,
    prune_empty,
    read_json_file,
    read_json_text,
    safe_key,
    safe_repr,
    sha256_hex,
    structure,
    structure_decimal,
)
from ._errors import ValidationError, VersionMismatchError
from ._wareki import parse_date_value

__all__ = [
    "UNKNOWN",
    "AnswerValue",
    "Answers",
    "Choice",
    "EnableBehavior",
    "EnableWhen",
    "Item",
    "ItemType",
    "Operator",
    "Questionnaire",
    "QuestionnaireBase",
    "QuestionnaireRef",
    "Unknown",
    "bundled_questionnaire",
    "load_questionnaire",
]


class Unknown(enum.Enum):
    """The answer "I don't know" — distinct from "no" and from no answer at all."""

    UNKNOWN = "unknown"

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown.UNKNOWN
"""The "don't know" answer. In JSON it is the string ``"unknown"``."""

AnswerValue: TypeAlias = bool | int | Decimal | str | dt.date | tuple[str, ...] | Unknown
"""What one answer can be, by item type: boolean, integer, decimal, choice or text,
date, multi-choice, or :data:`UNKNOWN`."""


def freeze_answers(values: Mapping[str, AnswerValue]) -> Mapping[str, AnswerValue]:
    """A read-only copy of answer values (for fields of frozen values)."""
    return MappingProxyType(dict(values))


class ItemType(enum.StrEnum):
    """The kind of answer an item takes."""

    BOOLEAN = "boolean"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    DATE = "date"
    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"


class Operator(enum.StrEnum):
    """Comparison used by :class:`EnableWhen` (the FHIR ``enableWhen`` operators)."""

    EXISTS = "exists"
    EQ = "="
    NE = "!="
    GT = ">"
    LT = "<"
    GE = ">="
    LE = "<="


class EnableBehavior(enum.StrEnum):
    """Whether all or any of an item's :class:`EnableWhen` conditions must hold."""

    ALL = "all"
    ANY = "any"


@frozen
class Choice:
    """One option of a choice item: a stable ``code`` and its label."""

    code: str
    label: Text


@frozen
class EnableWhen:
    """Show an item only when an earlier item's answer matches.

    ``answer`` is compared with the answer to ``question``; with ``exists`` it is
    ``true`` (shown when answered) or ``false`` (shown when not answered).
    """

    question: str
    operator: Operator
    answer: Any


@frozen
class Item:
    """One question. ``link_id`` is its stable id, used by answers and rules."""

    link_id: str
    type: ItemType
    text: Text
    required: bool = False
    choices: tuple[Choice, ...] = ()
    help: Text | None = None
    enable_when: tuple[EnableWhen, ...] = ()
    enable_behavior: EnableBehavior = EnableBehavior.ALL
    routes: tuple[Route, ...] = ()
    """Shown only for these routes; empty means every route."""
    allow_unknown: bool = False
    """Accept "don't know" (:data:`UNKNOWN`) as an answer."""

    def choice_codes(self) -> tuple[str, ...]:
        """The codes of this item's choices, in order."""
        return tuple(c.code for c in self.choices)


@frozen
class QuestionnaireRef:
    """Which questionnaire, which version, and the SHA-256 of its canonical JSON."""

    id: str
    version: str
    sha256: str


@frozen
class QuestionnaireBase:
    """The bundled questionnaire a clinic's variant extends."""

    id: str
    version: str


_LINK_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")


@frozen
class Questionnaire:
    """A versioned questionnaire: a title and items, in Japanese and English.

    Build one with :meth:`from_dict`, :meth:`from_json`, :meth:`from_file` or
    :func:`load_questionnaire`; those check the whole definition and raise
    :class:`~exointake.ValidationError` listing every problem.

    A clinic's variant has its own ``id`` and ``extends`` a bundled questionnaire:
    :meth:`from_dict` takes the base's items in order, lets the variant's items with the
    same ``link_id`` change their text, help and choice labels (never their meaning:
    type, choices, routes, conditions), and adds the variant's new items after them. The
    bundled rule set still screens the inherited items.
    """

    id: str
    version: str
    title: Text
    items: tuple[Item, ...]
    description: Text | None = None
    extends: QuestionnaireBase | None = None
    _index: Mapping[str, Item] = field(init=False, repr=False, eq=False, hash=False)
    _sha256: str = field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        errors = _check_definition(self)
        if errors:
            raise ValidationError(errors, what="questionnaire")
        object.__setattr__(self, "_index", MappingProxyType({i.link_id: i for i in self.items}))
        object.__setattr__(self, "_sha256", sha256_hex(canonical_json(prune_empty(self.to_dict()))))

    # -- construction ---------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: object) -> Questionnaire:
        """A questionnaire from plain JSON-like data (a variant's ``extends`` resolved)."""
        if isinstance(data, Mapping) and data.get("extends") is not None:
            data = _resolve_variant(data)
        return structure(data, cls, path="questionnaire", what="questionnaire")

    @property
    def screened_as(self) -> QuestionnaireBase:
        """The questionnaire id and version whose rule sets screen these answers."""
        if self.extends is not None:
            return self.extends
        return QuestionnaireBase(self.id, self.version)

    @classmethod
    def from_json(cls, text: str | bytes) -> Questionnaire:
        """A questionnaire from JSON text (:meth:`from_file` reads a file)."""
        return cls.from_dict(read_json_text(text, "questionnaire", where="questionnaire"))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Questionnaire:
        """A questionnaire from a JSON file."""
        return cls.from_dict(read_json_file(path, "questionnaire"))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; ``from_dict(q.to_dict()) == q``."""
        data: dict[str, Any] = converter.unstructure(self)
        return data

    # -- identity -------------------------------------------------------------------

    @property
    def sha256(self) -> str:
        """SHA-256 of the canonical JSON of this questionnaire."""
        return self._sha256

    @property
    def ref(self) -> QuestionnaireRef:
        """The id, version and hash that answers are pinned to."""
        return QuestionnaireRef(self.id, self.version, self._sha256)

    def item(self, link_id: str) -> Item:
        """The item with ``link_id``; :class:`KeyError` if there is none."""
        return self._index[link_id]

    def __contains__(self, link_id: object) -> bool:
        return link_id in self._index

    # -- enablement -----------------------------------------------------------------

    def is_enabled(
        self, item: Item, values: Mapping[str, AnswerValue], route: Route | None = None
    ) -> bool:
        """Whether ``item`` is shown, given earlier answers and the planned route.

        With no route every route-limited item is shown (ask everything).
        An item whose controlling item is itself hidden is hidden too.
        """
        return self.shown_items(values, route)[item.link_id]

    def shown_items(
        self, values: Mapping[str, AnswerValue], route: Route | None = None
    ) -> dict[str, bool]:
        """For every item, whether it is shown given these answers and route.

        One pass in questionnaire order: ``enable_when`` only looks back, so each
        item's visibility is known before any item that depends on it.
        """
        shown: dict[str, bool] = {}
        for item in self.items:
            if item.routes and route is not None and route not in item.routes:
                shown[item.link_id] = False
            elif not item.enable_when:
                shown[item.link_id] = True
            else:
                results = (self._condition_holds(c, values, shown) for c in item.enable_when)
                if item.enable_behavior is EnableBehavior.ALL:
                    shown[item.link_id] = all(results)
                else:
                    shown[item.link_id] = any(results)
        return shown

    def _condition_holds(
        self, cond: EnableWhen, values: Mapping[str, AnswerValue], shown: Mapping[str, bool]
    ) -> bool:
        source = self._index[cond.question]
        present = (
            cond.question in values
            and values[cond.question] is not UNKNOWN
            and shown[cond.question]
        )
        if cond.operator is Operator.EXISTS:
            return present is bool(cond.answer)
        if not present:
            return False
        value = values[cond.question]
        expected = _coerce_enable_answer(source, cond.answer)
        if isinstance(value, tuple):  # multi-choice: compare membership
            hit = expected in value
            return hit if cond.operator is Operator.EQ else not hit
        return _compare(cond.operator, value, expected)

    # -- answers --------------------------------------------------------------------

    def answers(
        self,
        values: Mapping[str, object],
        *,
        route: Route | str | None = None,
        partial: bool = False,
    ) -> Answers:
        """Validate raw answers (``link_id → JSON value``) and pin them to this version.

        Args:
            values: answers as they come from JSON: booleans, strings, numbers,
                ``"YYYY-MM-DD"`` (or a Japanese era date) for dates, lists for
                multi-choice, ``"unknown"`` for "don't know" where allowed.
            route: the planned route; items limited to other routes must not be answered.
            partial: accept missing required answers (screening then says ``incomplete``).

        Raises:
            ValidationError: listing every unknown item, wrong type, value not
                among the choices, answer to a hidden item and (unless ``partial``)
                missing required item, each with its path.
        """
        if not isinstance(values, Mapping):
            raise ValidationError(
                [f"answers: expected an object, got {describe_type(values)}"], what="answers"
            )
        route_ = parse_route(route)
        errors: list[str] = []
        parsed: dict[str, AnswerValue] = {}
        for key in values:
            if not isinstance(key, str) or key not in self._index:
                errors.append(
                    f"{_join_key('answers', key)}: unknown item (not in {self.id} v{self.version})"
                )
        for item in self.items:  # in order, so enablement sees earlier answers
            if item.link_id not in values:
                continue
            try:
                parsed[item.link_id] = parse_value(item, values[item.link_id])
            except Expected as exc:
                errors.append(f"answers.{item.link_id}: {exc}")
        shown = self.shown_items(parsed, route_)
        for item in self.items:
            enabled = shown[item.link_id]
            if item.link_id in parsed and not enabled:
                errors.append(f"answers.{item.link_id}: answered, but {self._why_hidden(item)}")
            elif enabled and item.required and not partial and item.link_id not in values:
                errors.append(f"answers.{item.link_id}: required, missing")
        if errors:
            raise ValidationError(errors, what="answers")
        answers = Answers(questionnaire=self.ref, values=parsed, route=route_)
        object.__setattr__(answers, "_validated_by", self._sha256)
        return answers

    def _why_hidden(self, item: Item) -> str:
        conds = " and " if item.enable_behavior is EnableBehavior.ALL else " or "
        parts = []
        if item.routes:
            parts.append("only shown for routes " + "|".join(r.value for r in item.routes))
        if item.enable_when:
            shown = conds.join(
                f"{c.question} {c.operator.value} {json.dumps(c.answer, default=str)}"
                for c in item.enable_when
            )
            parts.append(f"only shown when {shown}")
        return "; ".join(parts) or "the item is hidden"

    def load_answers(self, document: Mapping[str, object], *, partial: bool = False) -> Answers:
        """Validate a pinned answers document (``Answers.to_dict()``) against this questionnaire.

        Raises:
            VersionMismatchError: the answers were given on another id, version or
                content of the questionnaire. Re-ask, or load the version they were given on.
        """
        if not isinstance(document, Mapping):
            raise ValidationError(
                [f"answers: expected an object, got {describe_type(document)}"], what="answers"
            )
        unknown = sorted(safe_key(k) for k in set(document) - {"questionnaire", "answers", "route"})
        if unknown:
            raise ValidationError([f"answers.{k}: unknown field" for k in unknown], what="answers")
        missing = [
            f"{k}: required field missing"
            for k in ("questionnaire", "answers")
            if k not in document
        ]
        if missing:
            raise ValidationError(missing, what="answers")
        ref = structure(
            document["questionnaire"], QuestionnaireRef, path="questionnaire", what="answers"
        )
        self.check_pinned(ref)
        raw = document["answers"]
        route = document.get("route")
        if route is not None and not isinstance(route, str):
            raise ValidationError(
                [f"route: expected a string, got {describe_type(route)}"], what="answers"
            )
        if not isinstance(raw, Mapping):
            raise ValidationError(
                [f"answers: expected an object, got {describe_type(raw)}"], what="answers"
            )
        return self.answers(raw, route=route, partial=partial)

    def check_pinned(self, ref: QuestionnaireRef) -> None:
        """Refuse answers pinned to anything but exactly this questionnaire."""
        if (ref.id, ref.version) != (self.id, self.version):
            raise VersionMismatchError(
                [
                    f"questionnaire: answers were given on {ref.id} v{ref.version}, "
                    f"not {self.id} v{self.version}; load the version they were given on "
                    "or ask again"
                ],
                what="answers",
            )
        if ref.sha256 != self._sha256:
            raise VersionMismatchError(
                [
                    f"questionnaire.sha256: answers were given on a different text of "
                    f"{self.id} v{self.version} ({ref.sha256[:12]}…, this one is "
                    f"{self._sha256[:12]}…); a changed questionnaire needs a new version"
                ],
                what="answers",
            )


@frozen
class Answers:
    """Validated answers, pinned to the questionnaire version the patient saw.

    ``values`` maps link_id to a parsed value; an item that was not answered is
    absent. Build with :meth:`Questionnaire.answers`.
    """

    questionnaire: QuestionnaireRef
    values: Mapping[str, AnswerValue] = field(converter=freeze_answers, hash=False)
    route: Route | None = None
    _validated_by: str = field(default="", init=False, eq=False, hash=False, repr=False)
    """SHA-256 of the questionnaire that validated these values ("" when built by hand)."""

    def __repr__(self) -> str:  # values may hold personal data: show ids only
        return (
            f"Answers(questionnaire={self.questionnaire.id!r} v{self.questionnaire.version}, "
            f"items={sorted(self.values)!r}, route={self.route})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The pinned answers document: ``questionnaire``, ``route`` and ``answers``."""
        doc: dict[str, Any] = {
            "questionnaire": converter.unstructure(self.questionnaire),
            "answers": {k: answer_to_json(v) for k, v in self.values.items()},
        }
        if self.route is not None:
            doc["route"] = self.route.value
        return doc


def _join_key(root: str, key: object) -> str:
    return f"{root}.{safe_key(key)}"


def answer_to_json(value: AnswerValue) -> object:
    """One answer as plain JSON data (dates ISO, decimals as strings, unknown as ``"unknown"``)."""
    if value is UNKNOWN:
        return "unknown"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


# ---------------------------------------------------------------------------- loading


_MEANING_FIELDS = ("type", "required", "choices", "enable_when", "enable_behavior", "routes")


def _resolve_variant(data: Mapping[str, Any]) -> dict[str, Any]:
    """A variant's definition with its base's items merged in (see :class:`Questionnaire`)."""
    base_ref = structure(
        data["extends"], QuestionnaireBase, path="questionnaire.extends", what="questionnaire"
    )
    if base_ref.id == data.get("id"):
        raise ValidationError(
            ["questionnaire.id: a variant needs its own id, not the id of the one it extends"],
            what="questionnaire",
        )
    try:
        base = load_questionnaire(base_ref.id, base_ref.version)
    except ValidationError as exc:
        raise ValidationError(
            [f"questionnaire.extends: {e}" for e in exc.errors], what="questionnaire"
        ) from None
    if base.extends is not None:
        raise ValidationError(
            ["questionnaire.extends: a variant extends a bundled questionnaire, not a variant"],
            what="questionnaire",
        )
    own = data.get("items", [])
    if not isinstance(own, list):
        raise ValidationError(
            [f"questionnaire.items: expected a list, got {describe_type(own)}"],
            what="questionnaire",
        )
    base_items = {i.link_id: converter.unstructure(i) for i in base.items}
    replaced: dict[str, Any] = {}
    added: list[Any] = []
    errors: list[str] = []
    for n, item in enumerate(own):
        link = item.get("link_id") if isinstance(item, Mapping) else None
        if isinstance(link, str) and link in base_items:
            changed = _meaning_changes(base_items[link], item)
            if changed:
                errors.append(
                    f"questionnaire.items[{n}]: changes {', '.join(changed)} of inherited item "
                    f"{link!r}; a variant may change only text, help and choice labels"
                )
            replaced[link] = item
        else:
            added.append(item)
    if errors:
        raise ValidationError(errors, what="questionnaire")
    merged = [replaced.get(link, item) for link, item in base_items.items()]
    return {**data, "items": [*merged, *added]}


def _meaning_changes(base: Mapping[str, Any], item: Mapping[str, Any]) -> list[str]:
    defaults = {"required": False, "enable_behavior": "all", "allow_unknown": False}
    changed = []
    for key in (*_MEANING_FIELDS, "allow_unknown"):
        left = prune_empty({key: base.get(key, defaults.get(key))}).get(key)
        right = prune_empty({key: item.get(key, defaults.get(key))}).get(key)
        if key == "choices":
            left = [c["code"] for c in left or []]
            right = [c.get("code") if isinstance(c, Mapping) else c for c in right or []]
        if left != right:
            changed.append(key)
    return changed


def load_questionnaire(id: str = "exosome-intake", version: str | None = None) -> Questionnaire:
    """A bundled questionnaire; the newest version unless ``version`` is given."""
    return _bundled.load(
        "questionnaires", id, version, Questionnaire.from_dict, what="questionnaire"
    )


def bundled_questionnaire(id: str, version: str) -> Questionnaire | None:
    """The bundled questionnaire with this id and version, or None (a clinic's own one).

    Built once per process, like all bundled data.
    """
    try:
        return load_questionnaire(id, version)
    except ValidationError:
        return None


# ---------------------------------------------------------------------------- checks


PAST_ONLY_ITEMS = frozenset({"birth_date"})
"""Date items whose answer cannot lie after today in Japan (a birth date in 2030 is a typo)."""


def parse_value(item: Item, raw: object) -> AnswerValue:
    if raw == "unknown" and item.type is not ItemType.TEXT:
        if item.allow_unknown:
            return UNKNOWN
        raise Expected(f'{_expected(item)}; this item does not accept "unknown"')
    t = item.type
    if t is ItemType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
    elif t is ItemType.CHOICE:
        if isinstance(raw, str) and raw in item.choice_codes():
            return raw
        raise Expected(f"{_expected(item)}, got {safe_repr(raw)}")
    elif t is ItemType.MULTI_CHOICE:
        if isinstance(raw, list | tuple):
            codes = item.choice_codes()
            bad = [v for v in raw if not isinstance(v, str) or v not in codes]
            if bad:
                raise Expected(f"{_expected(item)}, got {', '.join(safe_repr(b) for b in bad)}")
            if len(set(raw)) != len(raw):
                raise Expected("expected each choice at most once")
            if not raw:
                raise Expected("expected at least one choice (leave the item out when none)")
            return tuple(sorted(raw, key=codes.index))
    elif t is ItemType.DATE:
        if isinstance(raw, str):
            day = parse_date_value(raw)
            if item.link_id in PAST_ONLY_ITEMS and day > today_jst():
                raise Expected("expected a date not in the future")
            return day
    elif t is ItemType.INTEGER:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
    elif t is ItemType.DECIMAL:
        if not isinstance(raw, bool) and isinstance(raw, int | float | str):
            try:
                return structure_decimal(raw)
            except Expected:
                pass
    elif t is ItemType.TEXT:
        if isinstance(raw, str):
            return raw
        raise Expected(f"expected a string, got {describe_type(raw)}")  # never echo text
    raise Expected(f"{_expected(item)}, got {describe_type(raw)}")


def _expected(item: Item) -> str:
    unknown = ' or "unknown"' if item.allow_unknown else ""
    match item.type:
        case ItemType.BOOLEAN:
            return f"expected true or false{unknown}"
        case ItemType.CHOICE:
            return f"expected one of {'|'.join(item.choice_codes())}{unknown}"
        case ItemType.MULTI_CHOICE:
            return f"expected a list of {'|'.join(item.choice_codes())}{unknown}"
        case ItemType.DATE:
            return f"expected a date (YYYY-MM-DD or 和暦){unknown}"
        case ItemType.INTEGER:
            return f"expected an integer{unknown}"
        case ItemType.DECIMAL:
            return f"expected a decimal number{unknown}"
        case _:
            return "expected a string"


def _coerce_enable_answer(item: Item, answer: object) -> AnswerValue:
    if item.type is ItemType.MULTI_CHOICE:
        if isinstance(answer, str) and answer in item.choice_codes():
            return answer
        raise Expected(f"expected one of {'|'.join(item.choice_codes())}")
    return parse_value(item, answer)


def _compare(op: Operator, value: AnswerValue, expected: AnswerValue) -> bool:
    if op is Operator.EQ:
        return value == expected
    if op is Operator.NE:
        return value != expected
    if type(value) is not type(expected) or isinstance(value, bool | str | Unknown):
        return False
    if op is Operator.GT:
        return value > expected  # type: ignore[operator]
    if op is Operator.LT:
        return value < expected  # type: ignore[operator]
    if op is Operator.GE:
        return value >= expected  # type: ignore[operator]
    return value <= expected  # type: ignore[operator]


def _check_definition(q: Questionnaire) -> list[str]:
    errors: list[str] = []
    seen: dict[str, Item] = {}
    for n, item in enumerate(q.items):
        path = f"items[{n}]"  # relative: the converter puts the root in front
        if not _LINK_ID.fullmatch(item.link_id):
            errors.append(
                f"{path}.link_id: expected lower_snake_case (a-z, 0-9, _), "
                f"got {safe_repr(item.link_id)}"
            )
        if item.link_id in seen:
            errors.append(f"{path}.link_id: duplicate {item.link_id!r}")
        choice_types = (ItemType.CHOICE, ItemType.MULTI_CHOICE)
        if item.type in choice_types:
            codes = item.choice_codes()
            if not codes:
                errors.append(f"{path}.choices: a {item.type.value} item needs choices")
            if len(set(codes)) != len(codes):
                errors.append(f"{path}.choices: duplicate codes")
            if "unknown" in codes:
                errors.append(f"{path}.choices: 'unknown' is reserved; use allow_unknown")
        elif item.choices:
            errors.append(f"{path}.choices: only choice items have choices")
        if item.allow_unknown and item.type is ItemType.TEXT:
            errors.append(f'{path}.allow_unknown: a text item cannot take "unknown"')
        for k, cond in enumerate(item.enable_when):
            cpath = f"{path}.enable_when[{k}]"
            source = seen.get(cond.question)
            if source is None:
                errors.append(
                    f"{cpath}.question: expected the link_id of an earlier item, "
                    f"got {safe_repr(cond.question)}"
                )
                continue
            if cond.operator is Operator.EXISTS:
                if not isinstance(cond.answer, bool):
                    errors.append(f"{cpath}.answer: expected true or false with 'exists'")
                continue
            ordered = (ItemType.INTEGER, ItemType.DECIMAL, ItemType.DATE)
            if cond.operator not in (Operator.EQ, Operator.NE) and source.type not in ordered:
                errors.append(
                    f"{cpath}.operator: {cond.operator.value} needs an integer, decimal or date "
                    f"item; {cond.question} is {source.type.value}"
                )
                continue
            try:
                _coerce_enable_answer(source, cond.answer)
            except Expected as exc:
                errors.append(f"{cpath}.answer: {exc} (the type of {cond.question})")
        seen[item.link_id] = item
    return errors
