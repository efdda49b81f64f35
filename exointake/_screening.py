"""Route-aware, fail-safe contraindication screening with rules as data.

A rule set is versioned data: each rule has a condition in a small language,
the decision it gives, the routes it applies to, the items it reads, messages
for the patient and for staff (ja/en), and its source. Conditions are compiled
once into closures that evaluate in three-valued logic: an answer that is
missing or "don't know" makes a condition *undetermined* unless the other
answers already settle it. An undetermined rule gives ``incomplete`` — so no
missing, unknown or malformed answer can ever come out as ``clear``.

The condition language itself lives in :mod:`exointake._conditions`.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import os
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Protocol

from attrs import evolve, field, frozen

from . import _bundled
from ._common import Route, Text, parse_route, today_jst
from ._conditions import (
    Age,
    All,
    Any_,
    Condition,
    Equals,
    Evaluator,
    In,
    IsTrue,
    Not,
    compile_condition,
    condition_errors,
    condition_items,
    structure_condition,
    unstructure_condition,
)
from ._convert import (
    Expected,
    canonical_json,
    converter,
    describe_type,
    omit,
    plain_form,
    prefix_path,
    prune_empty,
    read_json_file,
    read_json_text,
    safe_repr,
    sha256_hex,
    structure,
)
from ._errors import ValidationError
from ._questionnaire import (
    UNKNOWN,
    Answers,
    AnswerValue,
    ItemType,
    Questionnaire,
    QuestionnaireBase,
    QuestionnaireRef,
    answer_to_json,
    bundled_questionnaire,
    freeze_answers,
)
from ._wareki import date_arg

__all__ = [
    "Age",
    "All",
    "Any_",
    "Condition",
    "Decision",
    "Equals",
    "Finding",
    "In",
    "IsTrue",
    "Not",
    "Rule",
    "RuleSet",
    "RuleSetRef",
    "RuleSource",
    "ScreeningResult",
    "Source",
    "default_ruleset",
    "load_ruleset",
    "rescreen",
    "screen",
]


class Decision(enum.StrEnum):
    """What screening concluded, ordered from least to most restrictive.

    Decisions compare by :attr:`rank` (``Decision.CAUTION < Decision.CONTRAINDICATED``),
    so ``max()`` gives the worst and ``sorted()`` runs from clear to contraindicated.

    ``postpone`` means "not today; screen again when well" (a fever or an infection
    today): it blocks today's treatment without calling the patient contraindicated.
    ``incomplete`` sits just below ``contraindicated``: missing answers block
    treatment like a contraindication would, but a contraindication already
    found stays the headline whatever the missing answers would say.
    """

    CLEAR = "clear"
    CAUTION = "caution"
    PHYSICIAN_REVIEW = "physician_review"
    POSTPONE = "postpone"
    INCOMPLETE = "incomplete"
    CONTRAINDICATED = "contraindicated"

    @property
    def rank(self) -> int:
        """Position on the scale: clear 0 … contraindicated 5."""
        return _RANK[self]

    # A StrEnum would compare alphabetically; decisions compare by severity, so that
    # max(), sorted() and < mean what a reader expects.
    def __lt__(self, other: object) -> bool:
        if isinstance(other, Decision):
            return _RANK[self] < _RANK[other]
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if isinstance(other, Decision):
            return _RANK[self] <= _RANK[other]
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, Decision):
            return _RANK[self] > _RANK[other]
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if isinstance(other, Decision):
            return _RANK[self] >= _RANK[other]
        return NotImplemented


_RANK = {d: n for n, d in enumerate(Decision)}


class RuleSource(enum.StrEnum):
    """Where a rule comes from: the source article, common practice, or the clinic."""

    ARTICLE = "article"
    PRACTICE = "practice"
    CLINIC = "clinic"


# ---------------------------------------------------------------------------- conditions


# Three-valued results: True, False, or None (undetermined).


# ---------------------------------------------------------------------------- rules


@frozen
class Rule:
    """One screening rule.

    ``reads`` must list exactly the items its condition reads; ``routes`` limits
    the rule to some routes (empty: every route).
    """

    id: str
    decision: Decision
    when: Condition = field(
        metadata=plain_form(structure=structure_condition, unstructure=unstructure_condition)
    )
    reads: tuple[str, ...]
    patient_message: Text
    staff_message: Text
    source: RuleSource
    routes: tuple[Route, ...] = ()
    requirements: tuple[str, ...] = ()
    """What the clinic must do besides deciding, e.g. ``guardian_consent``."""
    cites: tuple[str, ...] = ()
    """Ids of the rule set's ``sources`` this rule follows."""

    def applies_to(self, route: Route) -> bool:
        """Whether this rule is checked for ``route``."""
        return not self.routes or route in self.routes


@frozen
class RuleSetRef:
    """Which rule set, which version, and the SHA-256 of its effective rules."""

    id: str
    version: str
    sha256: str


@frozen
class Source:
    """A source a rule set's rules follow: what it is, where, and what it supports."""

    id: str
    kind: str
    title: str
    supports: str
    checked: str
    """How it was checked (primary text read, or only a secondary source)."""
    url: str | None = None
    published: str | None = None


@frozen
class BaseRef:
    """The bundled rule set a clinic's rule set extends."""

    id: str
    version: str


@frozen
class RuleSet:
    """A versioned set of rules for one questionnaire.

    A clinic's rule set may ``extends`` a bundled one: its ``rules`` replace base
    rules with the same id or add new ones, and ``disable`` drops base rules by
    id. The effective rules and their hash are what screening records.
    """

    id: str
    version: str
    questionnaire: str
    rules: tuple[Rule, ...]
    title: Text | None = None
    extends: BaseRef | None = None
    disable: tuple[str, ...] = ()
    questionnaire_version: str | None = None
    """The questionnaire version the rules were written for (None: any that fits)."""
    sources: tuple[Source, ...] = ()
    note: str | None = None
    base: RuleSet | None = field(default=None, kw_only=True, eq=False, repr=False, metadata=omit())
    """The rule set named by ``extends``, as loaded by :meth:`from_dict` (not part of the data)."""
    _effective: tuple[Rule, ...] = field(init=False, repr=False, eq=False, hash=False)
    _compiled: tuple[tuple[Rule, Evaluator], ...] = field(
        init=False, repr=False, eq=False, hash=False
    )
    _sha256: str = field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        effective = self._resolve()
        object.__setattr__(self, "_effective", effective)
        object.__setattr__(
            self, "_compiled", tuple((r, compile_condition(r.when)) for r in effective)
        )
        digest = sha256_hex(
            canonical_json(
                {
                    "id": self.id,
                    "version": self.version,
                    "questionnaire": self.questionnaire,
                    "rules": [prune_empty(_unstructure_rule(r)) for r in effective],
                }
            )
        )
        object.__setattr__(self, "_sha256", digest)

    def _resolve(self) -> tuple[Rule, ...]:
        errors: list[str] = []
        seen: set[str] = set()
        for n, rule in enumerate(self.rules):
            path = f"rules[{n}]"  # relative: the converter puts the root in front
            if rule.id in seen:
                errors.append(f"{path}.id: duplicate rule id {rule.id!r}")
            seen.add(rule.id)
            if rule.decision in (Decision.CLEAR, Decision.INCOMPLETE):
                errors.append(
                    f"{path}.decision: expected caution|physician_review|postpone|"
                    f"contraindicated (a rule cannot decide {rule.decision.value})"
                )
            read = set(condition_items(rule.when))
            if read != set(rule.reads):
                errors.append(
                    f"{path}.reads: expected exactly the items the condition reads "
                    f"({', '.join(sorted(read))})"
                )
        base: tuple[Rule, ...] = ()
        known = {src.id for src in self.sources}
        if self.extends is not None:
            parent = self.base
            if (self.extends.id, self.extends.version) == (self.id, self.version):
                errors.append("extends: a rule set cannot extend itself")
            elif parent is None:
                errors.append(
                    "extends: the base rule set is not given; build with RuleSet.from_dict "
                    "(which loads it) or pass base="
                )
            elif (parent.id, parent.version) != (self.extends.id, self.extends.version):
                errors.append(
                    f"extends: names {self.extends.id} v{self.extends.version}, "
                    f"base= is {parent.id} v{parent.version}"
                )
            elif parent.questionnaire != self.questionnaire:
                errors.append(f"questionnaire: the base rule set is for {parent.questionnaire!r}")
            else:
                base = parent.effective_rules
                known.update(src.id for src in parent.sources)
        elif self.base is not None:
            errors.append("base: given, but the rule set does not extend another")
        errors.extend(disable_errors(self.disable, base))
        if self.disable and self.extends is None:
            errors.append("disable: only a rule set that extends another can disable")
        for n, rule in enumerate(self.rules):
            for k, cited in enumerate(rule.cites):
                if cited not in known:
                    errors.append(f"rules[{n}].cites[{k}]: no source {safe_repr(cited)} in sources")
        if errors:
            raise ValidationError(errors, what="rule set")
        own = {r.id: r for r in self.rules}
        merged = [own.pop(r.id, r) for r in base if r.id not in self.disable]
        merged.extend(r for r in self.rules if r.id in own)
        return tuple(merged)

    # -- construction ---------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: object) -> RuleSet:
        """A rule set from plain JSON-like data; ``extends`` loads the bundled base rule set."""
        base = None
        extends = data.get("extends") if isinstance(data, Mapping) else None
        if extends is not None:
            ref = structure(extends, BaseRef, path="ruleset.extends", what="rule set")
            if isinstance(data, Mapping) and (ref.id, ref.version) != (
                data.get("id"),
                data.get("version"),
            ):
                try:
                    base = load_ruleset(ref.id, ref.version)
                except ValidationError as exc:
                    raise ValidationError(
                        [f"ruleset.extends: {e}" for e in exc.errors], what="rule set"
                    ) from None
        if base is None or not isinstance(data, Mapping):
            return structure(data, cls, path="ruleset", what="rule set")
        # The base must be there when the extending rule set is built: structure the rest,
        # then build the whole with it.
        own = {k: v for k, v in data.items() if k not in ("extends", "disable")}
        try:
            rs = structure(own, cls, path="ruleset", what="rule set")
        except ValidationError as exc:
            raw = data.get("disable")
            late = disable_errors(raw, base.effective_rules) if isinstance(raw, list) else []
            raise ValidationError(
                [*exc.errors, *(prefix_path("ruleset", e) for e in late)], what="rule set"
            ) from None
        disable = structure(
            data.get("disable", []), tuple[str, ...], path="ruleset.disable", what="rule set"
        )
        try:
            return evolve(rs, extends=ref, disable=disable, base=base)
        except ValidationError as exc:
            raise ValidationError(
                [prefix_path("ruleset", e) for e in exc.errors], what="rule set"
            ) from None

    @classmethod
    def from_json(cls, text: str | bytes) -> RuleSet:
        """A rule set from JSON text (:meth:`from_file` reads a file)."""
        return cls.from_dict(read_json_text(text, "rule set", where="ruleset"))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> RuleSet:
        """A rule set from a JSON file."""
        return cls.from_dict(read_json_file(path, "rule set"))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, as given (not the merged rules)."""
        data: dict[str, Any] = converter.unstructure(self)
        return data

    @property
    def effective_rules(self) -> tuple[Rule, ...]:
        """The rules screening uses: base rules, overridden, disabled, extended."""
        return self._effective

    @property
    def ref(self) -> RuleSetRef:
        """Id, version and hash of the effective rules, as recorded in results."""
        return RuleSetRef(self.id, self.version, self._sha256)

    def check_against(self, questionnaire: Questionnaire) -> None:
        """Refuse rules that could never decide on this questionnaire's answers.

        Every item a rule reads must exist and be structured (not free text), and
        every condition must fit its item: ``is_true`` a boolean item, ``age`` a
        date item, ``equals``/``in`` values of the item's type (choice codes for a
        choice item). A rule that cannot match would silently never fire.
        """
        key = (self._sha256, questionnaire.sha256)
        if key in _CHECKED:
            return
        errors = []
        if questionnaire.screened_as.id != self.questionnaire:
            errors.append(
                f"ruleset.questionnaire: written for {self.questionnaire!r}, "
                f"not {questionnaire.id!r}"
            )
        for rule in self._effective:
            for item in rule.reads:
                if item not in questionnaire:
                    errors.append(
                        f"rules.{rule.id}.reads: no item {item!r} in "
                        f"{questionnaire.id} v{questionnaire.version}"
                    )
                elif questionnaire.item(item).type is ItemType.TEXT:
                    errors.append(
                        f"rules.{rule.id}.reads: {item!r} is free text; rules "
                        "read only structured answers"
                    )
            errors.extend(condition_errors(rule.when, questionnaire, f"rules.{rule.id}.when"))
        if errors:
            raise ValidationError(errors, what="rule set")
        _CHECKED.add(key)


_CHECKED: set[tuple[str, str]] = set()


def _unstructure_rule(rule: Rule) -> dict[str, Any]:
    data: dict[str, Any] = converter.unstructure(rule)
    return data


def disable_errors(disable: Iterable[object], base: Iterable[Rule]) -> list[str]:
    """``disable[n]`` entries naming no rule of the base rule set."""
    ids = {r.id for r in base}
    return [
        f"disable[{n}]: no rule {safe_repr(rid)} in the base rule set"
        for n, rid in enumerate(disable)
        if rid not in ids
    ]


def load_ruleset(id: str = "exosome-default", version: str | None = None) -> RuleSet:
    """A bundled rule set; the newest version unless ``version`` is given."""
    return _bundled.load("rulesets", id, version, RuleSet.from_dict, what="rule set")


# ---------------------------------------------------------------------------- results


def structure_answer_map(data: object) -> Mapping[str, AnswerValue]:
    """Answers inside a result: JSON values back to answer values (dates by item-agnostic rule)."""
    if not isinstance(data, Mapping):
        raise Expected(f"expected an object, got {describe_type(data)}")
    out: dict[str, AnswerValue] = {}
    for key, value in data.items():
        if value == "unknown":
            out[key] = UNKNOWN
        elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                out[key] = dt.date.fromisoformat(value)
            except ValueError:
                out[key] = value
        elif isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                raise Expected(f"{key}: expected a list of choice codes (strings)")
            out[key] = tuple(value)
        elif isinstance(value, bool | int | str):
            out[key] = value
        else:
            raise Expected(f"expected an answer value, got {describe_type(value)}")
    return MappingProxyType(out)


def unstructure_answer_map(values: Mapping[str, AnswerValue]) -> dict[str, object]:
    """Answers inside a result as JSON values, sorted by item."""
    return {k: answer_to_json(v) for k, v in sorted(values.items())}


@frozen
class Finding:
    """One rule's outcome: it fired, or it could not be decided (``incomplete``)."""

    rule_id: str
    decision: Decision
    patient_message: Text
    staff_message: Text
    source: RuleSource
    answers: Mapping[str, AnswerValue] = field(
        converter=freeze_answers,
        hash=False,
        metadata=plain_form(structure=structure_answer_map, unstructure=unstructure_answer_map),
    )
    """The answers the rule read (those given, "unknown" included)."""
    missing: tuple[str, ...] = ()
    """For ``incomplete``: the items missing or answered "unknown"."""
    requirements: tuple[str, ...] = ()

    def __repr__(self) -> str:  # answers may include a birth date: show item ids only
        return (
            f"Finding(rule_id={self.rule_id!r}, decision={self.decision.value!r}, "
            f"read={sorted(self.answers)!r}, missing={list(self.missing)!r})"
        )


@frozen
class ScreeningResult:
    """Everything a physician needs to see why, and an audit to reproduce it."""

    decision: Decision
    route: Route
    findings: tuple[Finding, ...]
    missing: tuple[str, ...]
    requirements: tuple[str, ...]
    questionnaire: QuestionnaireRef
    ruleset: RuleSetRef
    screened_on: dt.date

    def __repr__(self) -> str:
        return (
            f"ScreeningResult(decision={self.decision.value!r}, route={self.route.value!r}, "
            f"findings={[f.rule_id for f in self.findings]!r}, missing={list(self.missing)!r})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (answers as in answers documents)."""
        data: dict[str, Any] = converter.unstructure(self)
        return data

    @classmethod
    def from_dict(cls, data: object) -> ScreeningResult:
        """A result from :meth:`to_dict` output."""
        return structure(data, cls, path="screening", what="screening result")

    def to_json(self) -> str:
        """Canonical JSON text."""
        return canonical_json(self.to_dict()).decode("utf-8")

    @property
    def result_id(self) -> str:
        """SHA-256 of the canonical JSON: an opaque id that also proves the content."""
        return sha256_hex(canonical_json(self.to_dict()))

    @property
    def may_proceed(self) -> bool:
        """False when the decision is ``postpone``, ``incomplete`` or ``contraindicated``.

        ``physician_review`` may proceed only once a physician's review is recorded; the
        log's gate holds that.
        """
        return self.decision.rank < Decision.POSTPONE.rank


def screen(
    answers: Answers,
    route: Route | str | None = None,
    ruleset: RuleSet | None = None,
    *,
    on: dt.date | str | None = None,
    questionnaire: Questionnaire | None = None,
) -> ScreeningResult:
    """Screen pinned answers for a route with a rule set.

    Args:
        answers: validated answers (:meth:`Questionnaire.answers`).
        route: ``iv_drip``, ``injection_face`` or ``injection_scalp``; by default the
            route the answers were given for (``answers.route``). Given both, they must
            agree.
        ruleset: the rule set; the bundled ``exosome-default`` if omitted.
        on: the screening day (for ages), a date or ``YYYY-MM-DD``/和暦; today in
            Japan if omitted.
        questionnaire: the questionnaire the answers were given on. When given (or
            when the answers are pinned to a bundled one), the answers' pin and the
            rule set's fit to it are checked before screening.

    Returns:
        The worst decision over every rule that applies to the route, each finding,
        the missing items, and the versions used.

    Raises:
        ValidationError: a bad route, answers pinned elsewhere, or a rule set that
            does not fit the questionnaire.
    """
    rs, route_, answers, day = _screening_inputs(answers, route, ruleset, on, questionnaire)
    values = answers.values
    fired: list[Finding] = []
    pending: list[Finding] = []
    missing: set[str] = set()
    requirements: list[str] = []
    worst = Decision.CLEAR
    for rule, evaluate in rs._compiled:
        if rule.routes and route_ not in rule.routes:
            continue
        outcome = evaluate(values, day)
        if outcome is False:
            continue
        read = {k: values[k] for k in rule.reads if k in values}
        if outcome is None:
            gaps = tuple(k for k in rule.reads if values.get(k, UNKNOWN) is UNKNOWN)
            if not gaps:  # a value of the wrong type (hand-built answers) or an impossible date
                gaps = rule.reads
            missing.update(gaps)
            pending.append(
                Finding(
                    rule.id,
                    Decision.INCOMPLETE,
                    _undecided(rule.patient_message, gaps, patient=True),
                    _undecided(rule.staff_message, gaps, patient=False),
                    rule.source,
                    read,
                    gaps,
                )
            )
            decision = Decision.INCOMPLETE
        else:
            fired.append(
                Finding(
                    rule.id,
                    rule.decision,
                    rule.patient_message,
                    rule.staff_message,
                    rule.source,
                    read,
                    (),
                    rule.requirements,
                )
            )
            requirements.extend(r for r in rule.requirements if r not in requirements)
            decision = rule.decision
        if _RANK[decision] > _RANK[worst]:
            worst = decision
    fired.sort(key=lambda f: -_RANK[f.decision])  # stable: rule order within a decision
    return ScreeningResult(
        decision=worst,
        route=route_,
        findings=(*fired, *pending),
        missing=tuple(sorted(missing)),
        requirements=tuple(requirements),
        questionnaire=answers.questionnaire,
        ruleset=rs.ref,
        screened_on=day,
    )


@frozen
class ScreeningWording:
    """The engine's own sentences (ja/en), versioned data: what an undecided rule says.

    ``{items}`` is filled with the missing items, ``{rule}`` with the rule's staff message.
    """

    version: str
    source: str
    undecided_patient: Text
    undecided_staff: Text


def load_screening_wording(version: str | None = None) -> ScreeningWording:
    """The bundled screening wording; the newest unless ``version`` is given."""
    return _bundled.load_single(
        "screening", version, ScreeningWording, path="screening", what="screening wording"
    )


def _undecided(message: Text, gaps: tuple[str, ...], *, patient: bool) -> Text:
    wording = load_screening_wording()
    items = ", ".join(gaps)
    if patient:
        text = wording.undecided_patient
        return Text(ja=text.ja.format(items=items), en=text.en.format(items=items))
    text = wording.undecided_staff
    return Text(
        ja=text.ja.format(items=items, rule=message.ja),
        en=text.en.format(items=items, rule=message.en),
    )


def _screening_inputs(
    answers: Answers,
    route: Route | str | None,
    ruleset: RuleSet | None,
    on: dt.date | str | None,
    questionnaire: Questionnaire | None,
) -> tuple[RuleSet, Route, Answers, dt.date]:
    """Check and normalise what screen() was given (see its docstring)."""
    if not isinstance(answers, Answers):
        raise ValidationError(
            [
                "answers: expected Answers (from Questionnaire.answers), got "
                f"{describe_type(answers)}"
            ],
            what="screening",
        )
    form = (
        questionnaire
        if questionnaire is not None
        else bundled_questionnaire(answers.questionnaire.id, answers.questionnaire.version)
    )
    # A clinic's variant is screened by the rule sets of the questionnaire it extends.
    screened_as = (
        form.screened_as
        if form is not None
        else QuestionnaireBase(answers.questionnaire.id, answers.questionnaire.version)
    )
    rs = (
        ruleset
        if ruleset is not None
        else default_ruleset(QuestionnaireRef(screened_as.id, screened_as.version, ""))
    )
    if not isinstance(rs, RuleSet):
        raise ValidationError(
            [f"ruleset: expected a RuleSet, got {describe_type(rs)}"], what="screening"
        )
    route_ = parse_route(route) or answers.route
    if route_ is None:
        raise ValidationError(
            ["route: required (the answers were given without a route; pass route=)"],
            what="screening",
        )
    if screened_as.id != rs.questionnaire:
        raise ValidationError(
            [
                f"answers.questionnaire: rule set {rs.id} is for {rs.questionnaire!r}, "
                f"answers are for {answers.questionnaire.id!r} (for a clinic's variant, pass "
                "questionnaire=)"
            ],
            what="screening",
        )
    if rs.questionnaire_version not in (None, screened_as.version):
        raise ValidationError(
            [
                f"answers.questionnaire: rule set {rs.id} v{rs.version} is for "
                f"{rs.questionnaire} v{rs.questionnaire_version}, answers were given on "
                f"{screened_as.id} v{screened_as.version}"
            ],
            what="screening",
        )
    if answers.route is not None and answers.route is not route_:
        raise ValidationError(
            [
                f"route: the answers were given for {answers.route.value}, not "
                f"{route_.value}; screen them for their own route (leave route out) or "
                "ask again for this one"
            ],
            what="screening",
        )
    if form is not None:
        form.check_pinned(answers.questionnaire)
        rs.check_against(form)
    if answers._validated_by != answers.questionnaire.sha256:
        # Built by hand (or evolved): validate against the questionnaire before trusting it.
        if form is None:
            raise ValidationError(
                [
                    "answers: not validated by their questionnaire; build them with "
                    "Questionnaire.answers() or pass questionnaire= to screen()"
                ],
                what="screening",
            )
        raw = {k: answer_to_json(v) for k, v in answers.values.items()}
        answers = form.answers(raw, route=answers.route, partial=True)
    day = today_jst() if on is None else date_arg(on, "on")
    return rs, route_, answers, day


DEFAULT_RULESET = "exosome-default"


@functools.lru_cache(maxsize=16)
def default_ruleset(questionnaire: QuestionnaireRef) -> RuleSet:
    """The bundled rule set that screens answers given on ``questionnaire`` by default.

    The newest version of ``exosome-default`` written for that questionnaire version (or
    for any version, when it names none), so answers given on an older questionnaire stay
    screened by the rules of their time.
    """
    newest = load_ruleset(DEFAULT_RULESET)
    candidates = [newest]
    number = int(newest.version) if newest.version.isdigit() else 0
    candidates.extend(load_ruleset(DEFAULT_RULESET, str(v)) for v in range(number - 1, 0, -1))
    for rs in candidates:
        if rs.questionnaire == questionnaire.id and rs.questionnaire_version in (
            None,
            questionnaire.version,
        ):
            return rs
    return newest


class _RecordedScreening(Protocol):
    @property
    def result(self) -> Mapping[str, Any]: ...
    @property
    def answers(self) -> Mapping[str, Any] | None: ...


def rescreen(
    record: _RecordedScreening,
    *,
    ruleset: RuleSet | None = None,
    questionnaire: Questionnaire | None = None,
) -> ScreeningResult:
    """Run a logged screening again from the answers stored with it.

    The route, day, questionnaire and rule set are the recorded ones; a bundled rule set
    is loaded by its id and version, a clinic's must be passed (and must hash the same).
    The same inputs give the same result, so ``rescreen(r).result_id == r.result_id``.

    Raises:
        ValidationError: the record has no answers, or the rule set or questionnaire
            given (or bundled) is not the one the result names.
    """
    if record.answers is None:
        raise ValidationError(
            ["screening.answers: recorded without its answers; it cannot be re-run"],
            what="screening",
        )
    recorded = ScreeningResult.from_dict(dict(record.result))
    ref = recorded.questionnaire
    form = (
        questionnaire if questionnaire is not None else bundled_questionnaire(ref.id, ref.version)
    )
    if form is None:
        raise ValidationError(
            [f"questionnaire: {ref.id} v{ref.version} is not bundled; pass questionnaire="],
            what="screening",
        )
    rs = (
        ruleset
        if ruleset is not None
        else load_ruleset(recorded.ruleset.id, recorded.ruleset.version)
    )
    if rs.ref != recorded.ruleset:
        raise ValidationError(
            [
                f"ruleset: the result was made with {recorded.ruleset.id} "
                f"v{recorded.ruleset.version} ({recorded.ruleset.sha256[:12]}…), not "
                f"{rs.id} v{rs.version} ({rs.ref.sha256[:12]}…)"
            ],
            what="screening",
        )
    answers = form.load_answers(record.answers, partial=True)
    return screen(answers, recorded.route, rs, on=recorded.screened_on, questionnaire=form)


def result_from_json(text: str | bytes) -> ScreeningResult:
    """A result from JSON text (as written by :meth:`ScreeningResult.to_json`)."""
    return ScreeningResult.from_dict(read_json_text(text, "screening result", where="screening"))
