"""Grading a reaction: the article's severity table plus CTCAE, Brighton and ICH E2A.

``grade(reaction)`` reads a :class:`Reaction` (symptoms with their extent, onset,
interventions, hospitalization, outcome) and returns a frozen :class:`Grade`:

* the article's **category** (``local`` < ``allergy`` < ``anaphylaxis``) with its
  frequency words, after the fail-safe escalation rule (domain contract §2);
* the **Brighton Collaboration** anaphylaxis level, 2007 definition, counting only
  documented signs (an extent that is not documented is never read as generalized);
* the **CTCAE v5.0** term and grade, or ``None`` with the reason when the record
  does not yet say enough (e.g. the outcome is unknown);
* **ICH E2A** seriousness and its criteria;
* the **actions** the clinic's workflow calls for (physician review, follow-up,
  reporting, completing the record). The library records; it never prescribes.

The severity table and the symptom vocabulary are versioned data files in
``exointake/data/severity`` and ``exointake/data/vocabulary``, loaded through the
one converter; the code holds the rules only.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from typing import Any

from attrs import evolve, frozen

from ._common import Route, Text, parse_route
from ._convert import (
    converter,
    describe_type,
    safe_repr,
    structure,
)
from ._errors import ValidationError
from ._reaction import Intervention, Outcome, Reaction
from ._vocabulary import (
    BrightonRole,
    Category,
    Extent,
    OrganSystem,
    SeriousnessCriterion,
    SeverityTable,
    Vocabulary,
    fill_text,
    load_severity_table,
    load_vocabulary,
)

__all__ = [
    "Action",
    "ActionCode",
    "BrightonReason",
    "BrightonSign",
    "CtcaeGrade",
    "CtcaeTerm",
    "Grade",
    "grade",
]

BRIGHTON_VERSION = "2007"
CTCAE_VERSION = "5.0"


# ---------------------------------------------------------------------------- enums


class CtcaeTerm(enum.StrEnum):
    """The CTCAE v5.0 terms a reaction to an exosome product is graded under."""

    INJECTION_SITE_REACTION = "Injection site reaction"
    ALLERGIC_REACTION = "Allergic reaction"
    INFUSION_RELATED_REACTION = "Infusion related reaction"
    ANAPHYLAXIS = "Anaphylaxis"
    URTICARIA = "Urticaria"


_CRITERION_FIELD = {
    SeriousnessCriterion.DEATH: "outcome",
    SeriousnessCriterion.LIFE_THREATENING: "life_threatening",
    SeriousnessCriterion.HOSPITALIZATION: "hospitalization",
    SeriousnessCriterion.DISABILITY: "disability",
    SeriousnessCriterion.CONGENITAL_ANOMALY: "congenital_anomaly",
    SeriousnessCriterion.MEDICALLY_IMPORTANT: "medically_important",
}
"""The reaction field that decides each ICH E2A criterion."""


class BrightonReason(enum.StrEnum):
    """Why the Brighton level is what it is."""

    CRITERIA_MET = "criteria_met"
    """Levels 1-3: sudden onset, rapid progression and the level's criteria are documented."""
    ONSET_NOT_DOCUMENTED = "onset_not_documented"
    """Level 4: the signs would meet a level, but a sudden onset is not documented."""
    PROGRESSION_NOT_DOCUMENTED = "progression_not_documented"
    """Level 4: the signs and a sudden onset would meet a level, but rapid progression
    is not documented (``rapid_progression`` not recorded)."""
    REPORTED_INSUFFICIENT = "reported_insufficient"
    """Level 4: reported as anaphylaxis, but the signs meet no level."""
    ONSET_NOT_SUDDEN = "onset_not_sudden"
    """Level 5: onset was not sudden or progression not rapid."""
    CRITERIA_NOT_MET = "criteria_not_met"
    """Level 5: the documented signs meet no level."""


class ActionCode(enum.StrEnum):
    """Kinds of action the clinic's workflow calls for after a reaction."""

    PHYSICIAN_REVIEW = "physician_review"
    FOLLOW_UP = "follow_up"
    REPORT = "report"
    COMPLETE_RECORD = "complete_record"


# ---------------------------------------------------------------------------- data files


# ---------------------------------------------------------------------------- reaction


_ALL_INTERVENTIONS = frozenset(Intervention)
_SYSTEM_ORDER = {v: n for n, v in enumerate(OrganSystem)}
_CRITERIA = tuple(SeriousnessCriterion)


# ---------------------------------------------------------------------------- grade


@frozen
class BrightonSign:
    """A documented sign as Brighton counts it (a combination is named by its criterion)."""

    code: str
    system: OrganSystem
    role: BrightonRole


_ROUTE_NEEDED = (
    "route needed: a systemic reaction is an Infusion related reaction after an IV drip, "
    "an Allergic reaction (or Urticaria) after an injection"
)


@frozen
class CtcaeGrade:
    """A CTCAE term and grade; ``grade`` is ``None`` when the record does not say enough.

    ``term`` is ``None`` too when the route is needed to choose it (an allergic-type
    reaction graded without a route); ``missing`` then names ``route``.
    """

    term: CtcaeTerm | None
    grade: int | None
    reason: str | None = None
    """Why ``grade`` (or ``term``) is ``None``, in English."""
    missing: tuple[str, ...] = ()
    """The fields to record before a grade can be given (``route`` is grade()'s argument,
    or the ``route`` key of ``exointake grade``'s input)."""
    version: str = CTCAE_VERSION


@frozen
class Action:
    """Something the clinic's workflow calls for: who does what, and by when."""

    code: ActionCode
    text: Text
    within_days: int | None = None
    """Within this many days (0 = today); ``None`` = no deadline from grading."""
    due: dt.date | None = None
    """The date, when :func:`grade` was told the reaction's date (``on=``)."""


@frozen
class Grade:
    """Every grading of one reaction, with the versions it was graded against."""

    category: Category
    category_label: Text
    frequency: Text
    guidance: Text
    escalated: bool
    """The category was lifted to ``anaphylaxis`` above the symptoms' highest row: by the
    escalation rule (allergy-row skin signs with a cardiovascular or respiratory sign)
    or by a physician's report of anaphylaxis."""
    brighton_level: int
    """1-3 = the definition's levels of certainty, 4 = reported but insufficient
    evidence, 5 = not a case. A lower number is always more certain."""
    brighton_reason: BrightonReason
    brighton_signs: tuple[BrightonSign, ...]
    ctcae: CtcaeGrade
    serious: bool
    """A criterion is met. ``False`` is final only when ``seriousness_unknown`` is empty."""
    seriousness_criteria: tuple[SeriousnessCriterion, ...]
    seriousness_unknown: tuple[SeriousnessCriterion, ...]
    """Criteria the record cannot yet decide (e.g. hospitalization not recorded)."""
    actions: tuple[Action, ...]
    route: Route | None
    table_version: str
    vocabulary_version: str
    brighton_version: str = BRIGHTON_VERSION

    @classmethod
    def from_dict(cls, data: object) -> Grade:
        """A grade from :meth:`to_dict` output (e.g. read back from a log)."""
        return structure(data, cls, what="grade")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, deterministic for the same grade."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


# ---------------------------------------------------------------------------- rules


def grade(
    reaction: Reaction | Mapping[str, Any],
    *,
    route: Route | str | None = None,
    persistence_days: int | None = None,
    on: dt.date | None = None,
    table: SeverityTable | None = None,
    vocabulary: Vocabulary | None = None,
) -> Grade:
    """Grade a reaction against the severity table, CTCAE v5.0, Brighton 2007 and ICH E2A.

    Args:
        reaction: what was observed: a :class:`Reaction`, or its plain JSON-like data
            (read with :meth:`Reaction.from_dict`, with the same ``vocabulary``).
        route: how the product was given. For a systemic (allergic-type) reaction it
            decides the CTCAE term: ``iv_drip`` is "Infusion related reaction", an
            injection "Allergic reaction"; without a route that term is ``None``
            ("route needed"), never a guess.
        persistence_days: local symptoms lasting longer need the physician
            (default: the table's, 3).
        on: the date of the reaction, to turn "within N days" into due dates.
        table, vocabulary: other versions than the bundled newest; the vocabulary's
            ``table`` must name the table's version.

    Example:
        >>> import exointake
        >>> g = exointake.grade({"symptoms": ["hypotension",
        ...     {"code": "urticaria", "extent": "generalized"}],
        ...     "onset_minutes": 10, "rapid_progression": True})
        >>> (g.category.value, g.brighton_level)
        ('anaphylaxis', 1)
    """
    errors: list[str] = []
    if table is not None and not isinstance(table, SeverityTable):
        errors.append(f"table: expected a SeverityTable, got {describe_type(table)}")
    if vocabulary is not None and not isinstance(vocabulary, Vocabulary):
        errors.append(f"vocabulary: expected a Vocabulary, got {describe_type(vocabulary)}")
    if persistence_days is not None and (
        isinstance(persistence_days, bool) or not isinstance(persistence_days, int)
    ):
        errors.append(
            f"persistence_days: expected an integer, got {describe_type(persistence_days)}"
        )
    elif persistence_days is not None and persistence_days < 0:
        errors.append("persistence_days: expected 0 or more")
    if on is not None and (isinstance(on, dt.datetime) or not isinstance(on, dt.date)):
        errors.append(f"on: expected a date, got {describe_type(on)}")
    if errors:
        raise ValidationError(errors, what="grading")
    table = table or load_severity_table()
    vocabulary = vocabulary or load_vocabulary()
    if vocabulary.table != table.version:
        raise ValidationError(
            [
                f"vocabulary.table: expected {safe_repr(table.version)} (the table's version), "
                f"got {safe_repr(vocabulary.table)}"
            ],
            what="grading",
        )
    route_ = parse_route(route, what="grading")
    if isinstance(reaction, Mapping):
        reaction = Reaction.from_dict(reaction, vocabulary=vocabulary)
    elif not isinstance(reaction, Reaction):
        raise ValidationError(
            [f"reaction: expected a Reaction or an object, got {describe_type(reaction)}"],
            what="grading",
        )
    reaction.check(vocabulary)
    days = table.persistence_days if persistence_days is None else persistence_days

    category, escalated = _category(reaction, vocabulary)
    row = table.row(category)
    level, reason, signs = _brighton(reaction, vocabulary)
    # The signs meet a level 1-3 and nothing documented speaks against a case: for the
    # CTCAE term and seriousness an undocumented onset or progression does not make a
    # reaction milder (fail-safe); only the Brighton level itself needs them documented.
    case = level <= 3 or reason in (
        BrightonReason.ONSET_NOT_DOCUMENTED,
        BrightonReason.PROGRESSION_NOT_DOCUMENTED,
    )
    ctcae = _ctcae(reaction, vocabulary, category, case, route_)
    criteria, undecided = _seriousness(reaction, ctcae, case)
    actions = _actions(
        reaction=reaction,
        vocabulary=vocabulary,
        table=table,
        category=category,
        level=level,
        ctcae=ctcae,
        criteria=criteria,
        undecided=undecided,
        persistence_days=days,
        on=on,
    )
    return Grade(
        category=category,
        category_label=row.label,
        frequency=row.frequency,
        guidance=row.guidance,
        escalated=escalated,
        brighton_level=level,
        brighton_reason=reason,
        brighton_signs=signs,
        ctcae=ctcae,
        serious=bool(criteria),
        seriousness_criteria=criteria,
        seriousness_unknown=undecided,
        actions=actions,
        route=route_,
        table_version=table.version,
        vocabulary_version=vocabulary.version,
    )


def _category(reaction: Reaction, vocabulary: Vocabulary) -> tuple[Category, bool]:
    """Rule 1 (highest row) then rule 2 (skin + cardiovascular/respiratory escalates).

    A physician's report of anaphylaxis also puts the reaction in the anaphylaxis
    row, whatever the symptoms' rows (fail-safe).
    """
    rows = []
    skin_allergy = False
    cardio_resp = False
    for s in reaction.symptoms:
        d = vocabulary[s.code]
        r = d.row_for(s.effective_extent(vocabulary))
        rows.append(r)
        if (d.skin or d.system is OrganSystem.DERMATOLOGIC) and r is Category.ALLERGY:
            skin_allergy = True  # skin and mucosal signs (e.g. red, itchy eyes)
        if d.system in (OrganSystem.CARDIOVASCULAR, OrganSystem.RESPIRATORY):
            cardio_resp = True
    highest = max(rows, key=lambda c: c.rank)
    if highest is not Category.ANAPHYLAXIS and (
        (skin_allergy and cardio_resp) or reaction.reported_anaphylaxis
    ):
        return Category.ANAPHYLAXIS, True
    return highest, False


_PERIPHERAL = ("tachycardia", "prolonged_capillary_refill", "reduced_consciousness")
_SHOCK = (*_PERIPHERAL, "reduced_central_pulse")


def _brighton(
    reaction: Reaction, vocabulary: Vocabulary
) -> tuple[int, BrightonReason, tuple[BrightonSign, ...]]:
    """The Brighton 2007 level from documented signs only.

    Difficulty breathing and generalized itch count as minor criteria even when
    wheeze/stridor or a rash is also documented: reading "without" literally
    would let an added sign lower the certainty.
    """
    signs: list[BrightonSign] = []
    codes = set(reaction.codes)
    generalized_itch = False
    for s in reaction.symptoms:
        d = vocabulary[s.code]
        extent = s.extent if s.extent is not None else d.default_extent
        role = d.brighton_for(extent)
        if role in (BrightonRole.MAJOR, BrightonRole.MINOR):
            signs.append(BrightonSign(s.code, d.system, role))
        if s.code in ("itch_skin", "itch_site") and extent is Extent.GENERALIZED:
            generalized_itch = True
    # Generalized pruritus with skin rash is a major dermatologic criterion.
    if generalized_itch and "rash" in codes:
        signs.append(
            BrightonSign("generalized_itch_with_rash", OrganSystem.DERMATOLOGIC, BrightonRole.MAJOR)
        )
    # Three of tachycardia, capillary refill > 3 s, reduced central pulse volume and
    # reduced consciousness: uncompensated shock (a major cardiovascular criterion).
    if sum(c in codes for c in _SHOCK) >= 3:
        signs.append(
            BrightonSign("uncompensated_shock", OrganSystem.CARDIOVASCULAR, BrightonRole.MAJOR)
        )
    # Two of tachycardia, capillary refill > 3 s, reduced consciousness: reduced
    # peripheral circulation (a minor cardiovascular criterion).
    if sum(c in codes for c in _PERIPHERAL) >= 2:
        signs.append(
            BrightonSign(
                "reduced_peripheral_circulation", OrganSystem.CARDIOVASCULAR, BrightonRole.MINOR
            )
        )
    signs = sorted(set(signs), key=lambda b: (_SYSTEM_ORDER[b.system], b.role, b.code))

    def has(role: BrightonRole, *systems: OrganSystem) -> bool:
        return any(b.role is role and b.system in systems for b in signs)

    derm, cv, resp = OrganSystem.DERMATOLOGIC, OrganSystem.CARDIOVASCULAR, OrganSystem.RESPIRATORY
    major, minor = BrightonRole.MAJOR, BrightonRole.MINOR
    minor_systems = {b.system for b in signs if b.role is minor}
    level: int | None = None
    if has(major, derm) and has(major, cv, resp):
        level = 1
    elif (
        (has(major, cv) and has(major, resp))
        or ((has(major, cv) or has(major, resp)) and (minor_systems - {cv, resp}))
        or (has(major, derm) and has(minor, cv, resp))
    ):
        level = 2
    elif has(minor, cv, resp) and len(minor_systems) >= 2:
        level = 3
    tuple_signs = tuple(signs)
    onset_limit = vocabulary.brighton_sudden_onset_minutes
    if reaction.rapid_progression is False or (
        reaction.onset_minutes is not None and reaction.onset_minutes > onset_limit
    ):
        return 5, BrightonReason.ONSET_NOT_SUDDEN, tuple_signs
    if level is None:
        if reaction.reported_anaphylaxis:
            return 4, BrightonReason.REPORTED_INSUFFICIENT, tuple_signs
        return 5, BrightonReason.CRITERIA_NOT_MET, tuple_signs
    if reaction.onset_minutes is None:
        return 4, BrightonReason.ONSET_NOT_DOCUMENTED, tuple_signs
    if reaction.rapid_progression is None:
        # Rapid progression is its own criterion: a sudden onset does not document it.
        return 4, BrightonReason.PROGRESSION_NOT_DOCUMENTED, tuple_signs
    return level, BrightonReason.CRITERIA_MET, tuple_signs


_ANAPHYLAXIS_SIGNS = frozenset(
    {
        "wheeze",
        "stridor",
        "upper_airway_swelling",
        "respiratory_distress",
        "angioedema",
        "hypotension",
        "uncompensated_shock",
    }
)
"""Signs CTCAE v5.0 names for Anaphylaxis grade 3 (bronchospasm, edema/angioedema,
hypotension)."""

_SYSTEMIC_TREATMENT = frozenset(
    {
        Intervention.ORAL,
        Intervention.IV,
        Intervention.PARENTERAL_ADRENALINE,
        Intervention.OXYGEN,
        Intervention.BRONCHODILATOR,
        Intervention.URGENT,
        Intervention.OPERATIVE,
    }
)


@frozen
class _Facts:
    """The CTCAE inputs with every unrecorded one filled in (at its mildest or worst)."""

    interventions: frozenset[Intervention]
    hospitalization: bool
    fatal: bool
    body_surface_percent: int
    life_threatening: bool
    prolonged: bool


def _ctcae(
    reaction: Reaction,
    vocabulary: Vocabulary,
    category: Category,
    case: bool,
    route: Route | None,
) -> CtcaeGrade:
    codes = set(reaction.codes)
    term: CtcaeTerm
    if category is Category.LOCAL:
        term = CtcaeTerm.INJECTION_SITE_REACTION
    elif category is Category.ANAPHYLAXIS and (
        case
        or reaction.reported_anaphylaxis
        or codes & _ANAPHYLAXIS_SIGNS
        or Intervention.PARENTERAL_ADRENALINE in (reaction.interventions or ())
    ):
        term = CtcaeTerm.ANAPHYLAXIS
    elif route is None:
        # Allergic-type: the term depends on the route (CTCAE: a drip's reaction is an
        # Infusion related reaction, never also an Allergic reaction or Urticaria).
        return CtcaeGrade(None, None, _ROUTE_NEEDED, ("route",))
    elif route is Route.IV_DRIP:
        term = CtcaeTerm.INFUSION_RELATED_REACTION
    elif "urticaria" in codes and all(
        s.code == "urticaria"
        or vocabulary[s.code].row_for(s.effective_extent(vocabulary)) is Category.LOCAL
        for s in reaction.symptoms
    ):
        term = CtcaeTerm.URTICARIA
    else:
        term = CtcaeTerm.ALLERGIC_REACTION

    rule = _CTCAE_RULES[term]
    localized_hives = all(
        s.effective_extent(vocabulary) is Extent.LOCALIZED
        for s in reaction.symptoms
        if s.code == "urticaria"
    )
    outcome_known = reaction.outcome is not Outcome.UNKNOWN
    best = _Facts(
        interventions=frozenset(reaction.interventions or ()),
        hospitalization=bool(reaction.hospitalization),
        fatal=reaction.outcome is Outcome.FATAL,
        body_surface_percent=(
            reaction.body_surface_percent if reaction.body_surface_percent is not None else 0
        ),
        life_threatening=reaction.life_threatening is True,
        prolonged=reaction.prolonged is True,
    )
    worst = _Facts(
        interventions=frozenset(
            _ALL_INTERVENTIONS if reaction.interventions is None else reaction.interventions
        ),
        hospitalization=reaction.hospitalization is not False,
        fatal=reaction.outcome in (Outcome.FATAL, Outcome.UNKNOWN),
        body_surface_percent=(
            reaction.body_surface_percent
            if reaction.body_surface_percent is not None
            else (9 if localized_hives else 100)
        ),
        life_threatening=reaction.life_threatening is not False,
        prolonged=reaction.prolonged is not False,
    )
    low, high = rule(codes, best), rule(codes, worst)
    if low == high:
        return CtcaeGrade(term, low)
    unknown = [
        name
        for name, is_unknown in (
            ("interventions", reaction.interventions is None),
            ("hospitalization", reaction.hospitalization is None),
            ("outcome", not outcome_known),
            ("body_surface_percent", reaction.body_surface_percent is None),
            ("life_threatening", reaction.life_threatening is None),
            ("prolonged", reaction.prolonged is None),
        )
        if is_unknown
    ]
    # Name the unrecorded fields that each, on its own, could change the grade.
    missing = [
        name
        for name in unknown
        if rule(codes, evolve(best, **{_FACT_OF[name]: getattr(worst, _FACT_OF[name])})) != low
    ] or unknown
    return CtcaeGrade(
        term,
        None,
        f"record {', '.join(missing)}: the grade could be anything from {low} to {high}",
        tuple(missing),
    )


_FACT_OF = {
    "interventions": "interventions",
    "hospitalization": "hospitalization",
    "outcome": "fatal",
    "body_surface_percent": "body_surface_percent",
    "life_threatening": "life_threatening",
    "prolonged": "prolonged",
}
"""Which :class:`_Facts` field each reaction field decides."""


def _isr_grade(codes: set[str], f: _Facts) -> int:
    if f.fatal:
        return 5
    if f.life_threatening or Intervention.URGENT in f.interventions:
        return 4
    if "site_ulceration" in codes or Intervention.OPERATIVE in f.interventions:
        return 3
    if codes & {"pain", "swelling", "phlebitis"}:
        return 2
    return 1


def _allergic_grade(codes: set[str], f: _Facts) -> int:
    if f.fatal:
        return 5
    if f.life_threatening or Intervention.URGENT in f.interventions:
        return 4
    if (
        f.hospitalization
        or "wheeze" in codes
        or f.interventions & {Intervention.IV, Intervention.PARENTERAL_ADRENALINE}
    ):
        return 3
    if f.interventions & _SYSTEMIC_TREATMENT:
        return 2
    return 1


def _infusion_grade(codes: set[str], f: _Facts) -> int:
    if f.fatal:
        return 5
    if f.life_threatening or Intervention.URGENT in f.interventions:
        return 4
    if f.prolonged or f.hospitalization:
        return 3
    if f.interventions - {Intervention.LOCAL_CARE}:
        return 2
    return 1


def _anaphylaxis_grade(codes: set[str], f: _Facts) -> int:
    if f.fatal:
        return 5
    if f.life_threatening or Intervention.URGENT in f.interventions:
        return 4
    return 3


def _urticaria_grade(codes: set[str], f: _Facts) -> int:
    bsa = f.body_surface_percent
    by_area = 3 if bsa > 30 else 2 if bsa >= 10 else 1
    by_treatment = (
        3
        if f.interventions & {Intervention.IV, Intervention.PARENTERAL_ADRENALINE}
        else 2
        if f.interventions & _SYSTEMIC_TREATMENT
        else 1
    )
    return max(by_area, by_treatment)


_CTCAE_RULES: Mapping[CtcaeTerm, Callable[[set[str], _Facts], int]] = {
    CtcaeTerm.INJECTION_SITE_REACTION: _isr_grade,
    CtcaeTerm.ALLERGIC_REACTION: _allergic_grade,
    CtcaeTerm.INFUSION_RELATED_REACTION: _infusion_grade,
    CtcaeTerm.ANAPHYLAXIS: _anaphylaxis_grade,
    CtcaeTerm.URTICARIA: _urticaria_grade,
}


def _seriousness(
    reaction: Reaction, ctcae: CtcaeGrade, case: bool
) -> tuple[tuple[SeriousnessCriterion, ...], tuple[SeriousnessCriterion, ...]]:
    """ICH E2A criteria met, and those the record cannot decide yet.

    Anaphylaxis (CTCAE term, signs meeting Brighton levels 1-3 unless the onset was
    documented as not sudden, or a physician's report of anaphylaxis) counts as
    medically important, as on the EMA Important Medical Events list.
    """
    c = SeriousnessCriterion
    met = {
        c.DEATH: reaction.outcome is Outcome.FATAL,
        c.LIFE_THREATENING: reaction.life_threatening is True,
        c.HOSPITALIZATION: reaction.hospitalization is True,
        c.DISABILITY: reaction.disability is True,
        c.CONGENITAL_ANOMALY: reaction.congenital_anomaly is True,
        c.MEDICALLY_IMPORTANT: reaction.medically_important is True
        or reaction.reported_anaphylaxis
        or ctcae.term is CtcaeTerm.ANAPHYLAXIS
        or case,
    }
    undecided = {
        c.DEATH: reaction.outcome is Outcome.UNKNOWN,
        c.LIFE_THREATENING: reaction.life_threatening is None,
        c.HOSPITALIZATION: reaction.hospitalization is None,
        c.DISABILITY: reaction.disability is None,
        c.CONGENITAL_ANOMALY: reaction.congenital_anomaly is None,
        c.MEDICALLY_IMPORTANT: reaction.medically_important is None,
    }
    return (
        tuple(k for k in _CRITERIA if met[k]),
        tuple(k for k in _CRITERIA if undecided[k] and not met[k]),
    )


def _actions(
    *,
    reaction: Reaction,
    vocabulary: Vocabulary,
    table: SeverityTable,
    category: Category,
    level: int,
    ctcae: CtcaeGrade,
    criteria: tuple[SeriousnessCriterion, ...],
    undecided: tuple[SeriousnessCriterion, ...],
    persistence_days: int,
    on: dt.date | None,
) -> tuple[Action, ...]:
    def action(code: ActionCode, text: Text, within: int | None) -> Action:
        due = on + dt.timedelta(days=within) if on is not None and within is not None else None
        return Action(code, text, within, due)

    texts = table.actions
    actions: list[Action] = []
    has_local = any(vocabulary[c].row is Category.LOCAL for c in reaction.codes)
    persistent = has_local and (
        reaction.worsening is True
        or (reaction.duration_days is not None and reaction.duration_days > persistence_days)
    )
    if category is Category.ANAPHYLAXIS:
        why = texts.review_anaphylaxis_not_a_case if level == 5 else texts.review_anaphylaxis
        actions.append(action(ActionCode.PHYSICIAN_REVIEW, why, 0))
    elif category is Category.ALLERGY:
        actions.append(action(ActionCode.PHYSICIAN_REVIEW, texts.review_allergy, 0))
    elif persistent:
        review = fill_text(texts.review_persistent, days=persistence_days)
        actions.append(action(ActionCode.PHYSICIAN_REVIEW, review, 0))
    follow = table.row(category).follow_up_days
    actions.append(action(ActionCode.FOLLOW_UP, fill_text(texts.follow_up, days=follow), follow))
    if criteria:
        report = Text(
            texts.report.ja.format(
                criteria="、".join(table.criterion_labels[c].ja for c in criteria)
            ),
            texts.report.en.format(
                criteria=", ".join(table.criterion_labels[c].en for c in criteria)
            ),
        )
        actions.append(action(ActionCode.REPORT, report, 0))
    if ctcae.grade is None or undecided:
        names = [*ctcae.missing, *(_CRITERION_FIELD[c] for c in undecided)]
        fields_ = [table.field_labels[n] for n in dict.fromkeys(names)]
        record = Text(
            texts.complete_record.ja.format(fields="、".join(f.ja for f in fields_)),
            texts.complete_record.en.format(fields=", ".join(f.en for f in fields_)),
        )
        actions.append(action(ActionCode.COMPLETE_RECORD, record, None))
    return tuple(actions)
