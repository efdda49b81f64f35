"""Grading a reaction: the article's severity table plus CTCAE, Brighton and ICH E2A.

``grade(reaction)`` reads a :class:`Reaction` (symptoms with their extent, onset,
interventions, hospitalization, outcome) and returns a frozen :class:`Grade`:

* the article's **category** (``local`` < ``allergy`` < ``anaphylaxis``) with its
  frequency words, after the fail-safe escalation rule (domain contract §2), or
  ``None`` for an event outside the table (an infection, a faint);
* the **event kind**: table reaction, infection, needle-related or other;
* the **Brighton Collaboration** anaphylaxis level, 2007 definition, counting only
  documented signs (an extent that is not documented is never read as generalized),
  with exointake's level-3 rule and sudden-onset cut-off named when they decide it;
* the **CTCAE v5.0** term and grade from CTCAE's own criteria (NCI, 27 Nov 2017;
  the severity table quotes each term's grade texts and MedDRA code), or ``None``
  with the reason when the record does not yet say enough (e.g. the outcome is
  unknown), and further terms of the same event;
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
from decimal import Decimal
from typing import Any

from attrs import evolve, field, frozen

from ._common import Route, Text, parse_route
from ._convert import (
    Expected,
    checks,
    converter,
    describe_type,
    safe_repr,
    structure,
    structure_derived_date,
    to_enum,
)
from ._errors import ValidationError
from ._reaction import Intervention, Outcome, Reaction
from ._vocabulary import (
    BrightonRole,
    Category,
    CtcaeTerm,
    EventKind,
    Extent,
    OrganSystem,
    SeriousnessCriterion,
    SeverityTable,
    SymptomDef,
    Vocabulary,
    fill_text,
    load_severity_table,
    load_vocabulary,
)
from ._wareki import date_arg

__all__ = [
    "Action",
    "ActionCode",
    "BrightonNote",
    "BrightonReason",
    "BrightonSign",
    "CtcaeGrade",
    "Grade",
    "grade",
]

BRIGHTON_VERSION = "2007"
CTCAE_VERSION = "5.0"


# ---------------------------------------------------------------------------- enums


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
    """Level 5: the onset was not sudden (later than the cut-off). Grades made before the
    progression reason existed also use it when progression was not rapid."""
    PROGRESSION_NOT_RAPID = "progression_not_rapid"
    """Level 5: progression was documented as not rapid (``rapid_progression`` false)."""
    CRITERIA_NOT_MET = "criteria_not_met"
    """Level 5: the documented signs meet no level."""


class BrightonNote(enum.StrEnum):
    """A rule of exointake's own (not of the 2007 text) that decided the Brighton level."""

    MAJOR_COUNTS_AS_MINOR_FOR_LEVEL_3 = "major_counts_as_minor_for_level_3"
    """Level 3 was reached only because a major sign also counts as a minor sign of its
    system (the 2007 gap: e.g. hypotension with a dry cough meets no level literally)."""
    ONSET_CUTOFF = "onset_cutoff"
    """Level 5 because the onset came later than the sudden-onset cut-off (exointake's
    documented default; Brighton gives no number of minutes)."""


class ActionCode(enum.StrEnum):
    """Kinds of action the clinic's workflow calls for after a reaction."""

    PHYSICIAN_REVIEW = "physician_review"
    FOLLOW_UP = "follow_up"
    REPORT = "report"
    COMPLETE_RECORD = "complete_record"
    EMERGENCY = "emergency"
    """Emergency transfer to hospital now (e.g. suspected sepsis)."""
    LOT_REVIEW = "lot_review"
    """Check the other patients of the same lot (infections cluster by lot)."""


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
    criterion: str | None = None
    """The grade's CTCAE v5.0 text, verbatim (when the table quotes the term)."""
    meddra_llt: str | None = None
    """The term's MedDRA code as CTCAE v5.0 lists it (when the table quotes the term)."""


@frozen
class Action:
    """Something the clinic's workflow calls for: who does what, and by when."""

    code: ActionCode
    text: Text
    within_days: int | None = None
    """Within this many days (0 = today); ``None`` = no deadline from grading."""
    due: dt.date | None = field(
        default=None,
        metadata=checks(lambda v: None if v is None else structure_derived_date(v)),
    )
    """The date, when :func:`grade` was told the reaction's date (``on=``): computed, so
    it may fall a few days past the last date a record may hold."""


@frozen
class Grade:
    """Every grading of one reaction, with the versions it was graded against.

    A grade read back from a log keeps the versions it was made with; fields added in
    later versions take their defaults when reading an older grade.
    """

    category: Category | None
    """The article's row; ``None`` when no symptom has one (an event outside the table)."""
    category_label: Text
    """The row's label, or the event kind's label when there is no row."""
    frequency: Text | None
    """The article's frequency words for the row (``None`` without a row)."""
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
    event_kind: EventKind = EventKind.TABLE_REACTION
    """Which kind of event this is: a table reaction, an infection, a needle-related
    event, or another one."""
    ctcae_other: tuple[CtcaeGrade, ...] = ()
    """Further CTCAE terms of the same event (e.g. Fever with a Skin infection)."""
    brighton_notes: tuple[BrightonNote, ...] = ()
    """exointake's own rules that decided the Brighton level (see :class:`BrightonNote`)."""
    sudden_onset_minutes: int | None = None
    """The sudden-onset cut-off used for the Brighton level."""

    @classmethod
    def from_dict(cls, data: object) -> Grade:
        """A grade from :meth:`to_dict` output (e.g. read back from a log)."""
        return structure(data, cls, path="grade", what="grade")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, deterministic for the same grade."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


# ---------------------------------------------------------------------------- rules


DEFAULT_SUDDEN_ONSET_MINUTES = 120
"""The sudden-onset cut-off when neither the table nor the vocabulary sets one."""


def _reaction_and_route(
    data: Mapping[str, Any], route: Route | None, vocabulary: Vocabulary
) -> tuple[Reaction, Route | None]:
    """A reaction's data as :func:`grade` reads it: the fields of :class:`Reaction` and an
    optional ``route`` (the route belongs to the administration, so ``Reaction.from_dict``
    refuses it); a ``route`` that differs from the ``route=`` argument is refused."""
    if "route" not in data:
        return Reaction.from_dict(data, vocabulary=vocabulary), route
    body = dict(data)
    given = body.pop("route")
    errors: list[str] = []
    try:
        from_data = to_enum(Route, given)
    except Expected as exc:
        errors.append(f"reaction.route: {exc}")
    else:
        if route is not None and from_data is not route:
            errors.append(
                f"reaction.route: expected {route.value!r} (the route argument), "
                f"got {from_data.value!r}"
            )
        route = from_data
    try:
        reaction = Reaction.from_dict(body, vocabulary=vocabulary)
    except ValidationError as exc:
        raise ValidationError([*exc.errors, *errors], what="grading") from None
    if errors:
        raise ValidationError(errors, what="grading")
    return reaction, route


def grade(
    reaction: Reaction | Mapping[str, Any],
    *,
    route: Route | str | None = None,
    persistence_days: int | None = None,
    on: dt.date | str | None = None,
    table: SeverityTable | None = None,
    vocabulary: Vocabulary | None = None,
    sudden_onset_minutes: int | None = None,
) -> Grade:
    """Grade a reaction against the severity table, CTCAE v5.0, Brighton 2007 and ICH E2A.

    Args:
        reaction: what was observed: a :class:`Reaction`, or its plain JSON-like data
            (read with :meth:`Reaction.from_dict`, with the same ``vocabulary``). The
            data may also name the ``route`` (as ``schemas/reaction.schema.json`` allows);
            one that differs from ``route=`` is refused.
        route: how the product was given. For a systemic (allergic-type) reaction it
            decides the CTCAE term: ``iv_drip`` is "Infusion related reaction", an
            injection "Allergic reaction"; without a route that term is ``None``
            ("route needed"), never a guess.
        persistence_days: local symptoms lasting longer need the physician
            (default: the table's, 3).
        on: the date of the reaction, to turn "within N days" into due dates: a date,
            ``YYYY-MM-DD`` or 和暦 (the one rule for every date argument).
        table, vocabulary: other versions than the bundled newest; the vocabulary's
            ``table`` must name the table's version.
        sudden_onset_minutes: the Brighton sudden-onset cut-off for this grading
            (default: the table's, else the vocabulary's, else 120). Brighton gives no
            number: the cut-off is exointake's documented default.

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
    for name, value, low in (
        ("persistence_days", persistence_days, 0),
        ("sudden_onset_minutes", sudden_onset_minutes, 1),
    ):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            errors.append(f"{name}: expected an integer, got {describe_type(value)}")
        elif value is not None and value < low:
            errors.append(f"{name}: expected {low} or more")
    day: dt.date | None = None
    if on is not None:
        try:
            day = date_arg(on, "on")
        except ValidationError as exc:
            errors.extend(exc.errors)
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
        reaction, route_ = _reaction_and_route(reaction, route_, vocabulary)
    elif not isinstance(reaction, Reaction):
        raise ValidationError(
            [f"reaction: expected a Reaction or an object, got {describe_type(reaction)}"],
            what="grading",
        )
    reaction.check(vocabulary)
    days = table.persistence_days if persistence_days is None else persistence_days
    onset_limit = (
        sudden_onset_minutes
        or table.brighton_sudden_onset_minutes
        or vocabulary.brighton_sudden_onset_minutes
        or DEFAULT_SUDDEN_ONSET_MINUTES
    )

    category, escalated = _category(reaction, vocabulary)
    level, reason, signs, notes, picture = _brighton(reaction, vocabulary, onset_limit)
    # The signs meet a level 1-3 and nothing documented speaks against a case: for the
    # CTCAE term and seriousness an undocumented onset or progression does not make a
    # reaction milder (fail-safe); only the Brighton level itself needs them documented.
    case = level <= 3 or reason in (
        BrightonReason.ONSET_NOT_DOCUMENTED,
        BrightonReason.PROGRESSION_NOT_DOCUMENTED,
    )
    kind, base_kind = _event_kind(reaction, vocabulary, category, case)
    if kind is not EventKind.TABLE_REACTION and table.event(kind) is None:
        raise ValidationError(
            [
                f"table: severity table {safe_repr(table.version)} does not describe "
                f"{kind.value} events (use a table of revision 2 or later)"
            ],
            what="grading",
        )
    ctcae, others = _ctcae(
        reaction,
        vocabulary=vocabulary,
        table=table,
        category=category,
        kind=kind,
        base_kind=base_kind,
        case=picture,
        route=route_,
    )
    # Not when the picture is allergic-type: there the circulation is anaphylaxis's.
    septic = _septic(reaction, vocabulary) and not (
        picture or _allergic_features(reaction, vocabulary)
    )
    criteria, undecided = _seriousness(reaction, (ctcae, *others), case, septic=septic)
    actions = _actions(
        reaction=reaction,
        vocabulary=vocabulary,
        table=table,
        category=category,
        kind=kind,
        level=level,
        ctcae=ctcae,
        others=others,
        criteria=criteria,
        undecided=undecided,
        persistence_days=days,
        on=day,
        septic=septic,
    )
    if category is not None:
        row = table.row(category)
        label, frequency, guidance = row.label, row.frequency, row.guidance
    else:
        event = table.event(kind)
        assert event is not None  # checked above; a sign without a row is an event
        label, frequency, guidance = event.label, None, event.guidance
    return Grade(
        category=category,
        category_label=label,
        frequency=frequency,
        guidance=guidance,
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
        event_kind=kind,
        ctcae_other=others,
        brighton_notes=notes,
        sudden_onset_minutes=onset_limit,
    )


def _is_skin_allergy(d: SymptomDef, row: Category | None) -> bool:
    # Skin and mucosal signs (e.g. red, itchy eyes) of the allergy row.
    return (d.skin or d.system is OrganSystem.DERMATOLOGIC) and row is Category.ALLERGY


def _category(reaction: Reaction, vocabulary: Vocabulary) -> tuple[Category | None, bool]:
    """Rule 1 (highest row) then rule 2 (skin + cardiovascular/respiratory escalates).

    A physician's report of anaphylaxis also puts the reaction in the anaphylaxis
    row, whatever the symptoms' rows (fail-safe). Signs without a row (events outside
    the table) give no category of their own, but still count as cardiovascular or
    respiratory signs for the escalation rule.
    """
    rows = []
    skin_allergy = False
    cardio_resp = False
    for s in reaction.symptoms:
        d = vocabulary[s.code]
        r = d.row_for(s.effective_extent(vocabulary))
        if r is not None:
            rows.append(r)
        skin_allergy = skin_allergy or _is_skin_allergy(d, r)
        if d.system in (OrganSystem.CARDIOVASCULAR, OrganSystem.RESPIRATORY):
            cardio_resp = True
    highest = max(rows, key=lambda c: c.rank) if rows else None
    if highest is not Category.ANAPHYLAXIS and (
        (skin_allergy and cardio_resp) or reaction.reported_anaphylaxis
    ):
        return Category.ANAPHYLAXIS, True
    return highest, False


_CONSCIOUSNESS = ("reduced_consciousness", "syncope")
"""Decreased or lost consciousness, one of the signs Brighton combines."""
_PERIPHERAL = ("tachycardia", "prolonged_capillary_refill", "consciousness")
_SHOCK = (*_PERIPHERAL, "reduced_central_pulse")


def _brighton(
    reaction: Reaction, vocabulary: Vocabulary, onset_limit: int
) -> tuple[int, BrightonReason, tuple[BrightonSign, ...], tuple[BrightonNote, ...], bool]:
    """The Brighton 2007 level from documented signs only.

    Also returns whether the signs alone meet a level 1-3 (whatever the onset): the
    allergic-type picture that lets CTCAE's own criteria make it Anaphylaxis.

    Difficulty breathing and generalized itch count as minor criteria even when
    wheeze/stridor or a rash is also documented: reading "without" literally
    would let an added sign lower the certainty. A skin sign documented as
    generalized is a dermatologic criterion wherever it sits in the article's table
    (generalized redness = generalized erythema, major; generalized itching at a site
    code = generalized pruritus, minor).
    """
    signs: list[BrightonSign] = []
    codes = set(reaction.codes)
    present = codes & {"tachycardia", "prolonged_capillary_refill", "reduced_central_pulse"}
    if codes & set(_CONSCIOUSNESS):
        present.add("consciousness")
    generalized_itch = False
    for s in reaction.symptoms:
        d = vocabulary[s.code]
        extent = s.extent if s.extent is not None else d.default_extent
        role = d.brighton_for(extent)
        system = d.system
        if d.skin and extent is Extent.GENERALIZED and d.brighton_generalized is not None:
            system = OrganSystem.DERMATOLOGIC
        if role in (BrightonRole.MAJOR, BrightonRole.MINOR):
            signs.append(BrightonSign(s.code, system, role))
        if s.code in ("itch_skin", "itch_site") and extent is Extent.GENERALIZED:
            generalized_itch = True
    # Generalized pruritus with skin rash is a major dermatologic criterion.
    if generalized_itch and "rash" in codes:
        signs.append(
            BrightonSign("generalized_itch_with_rash", OrganSystem.DERMATOLOGIC, BrightonRole.MAJOR)
        )
    # Three of tachycardia, capillary refill > 3 s, reduced central pulse volume and
    # decreased (or lost) consciousness: uncompensated shock (major cardiovascular).
    if sum(c in present for c in _SHOCK) >= 3:
        signs.append(
            BrightonSign("uncompensated_shock", OrganSystem.CARDIOVASCULAR, BrightonRole.MAJOR)
        )
    # Two of tachycardia, capillary refill > 3 s, decreased consciousness: reduced
    # peripheral circulation (a minor cardiovascular criterion).
    if sum(c in present for c in _PERIPHERAL) >= 2:
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
    # exointake's level-3 rule [practice]: a major sign also counts as a minor sign of
    # its system (closes the 2007 gap: hypotension + dry cough is 3, never 2 or 5).
    level3_systems = {b.system for b in signs}
    level: int | None = None
    notes: list[BrightonNote] = []
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
    elif level3_systems & {cv, resp} and len(level3_systems) >= 2:
        level = 3
        notes.append(BrightonNote.MAJOR_COUNTS_AS_MINOR_FOR_LEVEL_3)
    tuple_signs = tuple(signs)
    picture = level is not None
    if reaction.rapid_progression is False:
        return 5, BrightonReason.PROGRESSION_NOT_RAPID, tuple_signs, (), picture
    if reaction.onset_minutes is not None and reaction.onset_minutes > onset_limit:
        cutoff = (BrightonNote.ONSET_CUTOFF,)
        return 5, BrightonReason.ONSET_NOT_SUDDEN, tuple_signs, cutoff, picture
    if level is None:
        if reaction.reported_anaphylaxis or set(reaction.interventions or ()) & _ADRENALINE:
            # Adrenaline given is treated as anaphylaxis reported [practice]: the
            # clinician acted on a suspected anaphylaxis, so it is level 4, never 5.
            return 4, BrightonReason.REPORTED_INSUFFICIENT, tuple_signs, (), picture
        return 5, BrightonReason.CRITERIA_NOT_MET, tuple_signs, (), picture
    if reaction.onset_minutes is None:
        return 4, BrightonReason.ONSET_NOT_DOCUMENTED, tuple_signs, (), picture
    if reaction.rapid_progression is None:
        # Rapid progression is its own criterion: a sudden onset does not document it.
        return 4, BrightonReason.PROGRESSION_NOT_DOCUMENTED, tuple_signs, (), picture
    return level, BrightonReason.CRITERIA_MET, tuple_signs, tuple(notes), picture


def _event_kind(
    reaction: Reaction, vocabulary: Vocabulary, category: Category | None, case: bool
) -> tuple[EventKind, EventKind]:
    """Which kind of event the reaction is (see :class:`EventKind`), and which kind it
    would be without its infection signs (what its other signs are graded as).

    An infection sign makes it an infection, unless the signs meet a Brighton level 1-3
    or the article's row is anaphylaxis: a fever added to an anaphylaxis must not move
    it out of the anaphylaxis row (the infection's lot review still applies). Needle-related
    signs (or a drop in blood pressure with no other sign of the table) make it
    needle-related unless an allergic-type feature is documented: an allergy-row skin
    or mucosal sign, a respiratory sign, signs meeting a Brighton level, or a
    physician's report of anaphylaxis.
    """
    kinds = {vocabulary[c].event for c in reaction.codes}
    base = _kind_without_infection(reaction, vocabulary, category, case, kinds)
    if EventKind.INFECTION in kinds and not (
        base is EventKind.TABLE_REACTION and (case or category is Category.ANAPHYLAXIS)
    ):
        return EventKind.INFECTION, base
    return base, base


def _kind_without_infection(
    reaction: Reaction,
    vocabulary: Vocabulary,
    category: Category | None,
    case: bool,
    kinds: set[EventKind],
) -> EventKind:
    allergic = case or _allergic_features(reaction, vocabulary)
    systemic_table = {
        s.code
        for s in reaction.symptoms
        if vocabulary[s.code].row_for(s.effective_extent(vocabulary))
        in (Category.ALLERGY, Category.ANAPHYLAXIS)
    }
    if not allergic and (
        EventKind.NEEDLE_RELATED in kinds or (category is not None and systemic_table == _ISOLATED)
    ):
        return EventKind.NEEDLE_RELATED
    if category is not None or EventKind.TABLE_REACTION in kinds:
        return EventKind.TABLE_REACTION
    if EventKind.NEEDLE_RELATED in kinds:
        return EventKind.NEEDLE_RELATED
    return EventKind.OTHER


def _allergic_features(reaction: Reaction, vocabulary: Vocabulary) -> bool:
    """An allergy-row skin or mucosal sign, a respiratory sign, or a physician's report of
    anaphylaxis: what makes a picture allergic-type rather than needle-related."""
    if reaction.reported_anaphylaxis:
        return True
    for s in reaction.symptoms:
        d = vocabulary[s.code]
        if _is_skin_allergy(d, d.row_for(s.effective_extent(vocabulary))):
            return True
        if d.system is OrganSystem.RESPIRATORY:
            return True
    return False


_CIRCULATORY_FAILURE = frozenset({"hypotension", "uncompensated_shock"})
"""Signs of a failing circulation that CTCAE grades as Hypotension alongside an event."""

_SEPTIC_SIGNS = frozenset({*_CIRCULATORY_FAILURE, "reduced_consciousness", "syncope"})
"""With an infection sign, the signs of a suspected sepsis or septic shock [practice]:
hypotension and altered mentation are the qSOFA/Sepsis-3 signs (Singer et al., JAMA
2016;315:801-10); uncompensated shock and fainting are their bedside equivalents here."""


def _circulatory_failure(reaction: Reaction) -> bool:
    """Hypotension or uncompensated shock (coded, or three of Brighton's shock signs)."""
    codes = set(reaction.codes)
    present = codes & {"tachycardia", "prolonged_capillary_refill", "reduced_central_pulse"}
    if codes & set(_CONSCIOUSNESS):
        present.add("consciousness")
    return bool(codes & _CIRCULATORY_FAILURE) or sum(c in present for c in _SHOCK) >= 3


def _infection_sign(reaction: Reaction, vocabulary: Vocabulary) -> bool:
    return any(vocabulary[c].event is EventKind.INFECTION for c in reaction.codes)


def _septic(reaction: Reaction, vocabulary: Vocabulary) -> bool:
    """An infection sign with a failing circulation or consciousness: suspected sepsis or
    septic shock, whether or not ``sepsis`` was coded (fail-safe)."""
    return _infection_sign(reaction, vocabulary) and (
        bool(set(reaction.codes) & _SEPTIC_SIGNS) or _circulatory_failure(reaction)
    )


_ISOLATED = frozenset({"hypotension"})
"""A drop in blood pressure as the only systemic sign of the table: isolated hypotension."""

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

_ADRENALINE = frozenset(
    {Intervention.PARENTERAL_ADRENALINE, Intervention.ADRENALINE_IM, Intervention.ADRENALINE_IV}
)
"""Adrenaline by any route: CTCAE Anaphylaxis grade 3's "parenteral intervention"."""

_INTRAVENOUS = frozenset({Intervention.IV, Intervention.ADRENALINE_IV})
_SYSTEMIC_TREATMENT = frozenset(
    {
        Intervention.ORAL,
        Intervention.IV,
        Intervention.PARENTERAL_ADRENALINE,
        Intervention.OXYGEN,
        Intervention.BRONCHODILATOR,
        Intervention.URGENT,
        Intervention.OPERATIVE,
        Intervention.IM,
        Intervention.ADRENALINE_IM,
        Intervention.ADRENALINE_IV,
        Intervention.OPIOID,
    }
)

_EVENT_PRIORITY = (
    CtcaeTerm.SEPSIS,
    CtcaeTerm.SOFT_TISSUE_INFECTION,
    CtcaeTerm.SKIN_INFECTION,
    CtcaeTerm.FEVER,
    CtcaeTerm.CHILLS,
    CtcaeTerm.VASOVAGAL_REACTION,
    CtcaeTerm.SYNCOPE,
    CtcaeTerm.PRESYNCOPE,
    CtcaeTerm.SINUS_BRADYCARDIA,
)
"""Which event term leads when several are present (the most specific, most serious first)."""

_FAINTS = frozenset({CtcaeTerm.VASOVAGAL_REACTION, CtcaeTerm.SYNCOPE, CtcaeTerm.PRESYNCOPE})
"""The needle-related terms that describe a slow pulse with the faint or near faint."""


@frozen
class _Facts:
    """The CTCAE inputs with every unrecorded one filled in (at its mildest or worst)."""

    interventions: frozenset[Intervention]
    hospitalization: bool
    fatal: bool
    body_surface_percent: int
    life_threatening: bool
    prolonged: bool
    temperature_c: Decimal | None
    hours_above_40c: int
    blood_culture_positive: bool


def _facts(reaction: Reaction, vocabulary: Vocabulary) -> tuple[_Facts, _Facts]:
    """The mildest and the worst reading of what the record leaves open."""
    localized_hives = all(
        s.effective_extent(vocabulary) is Extent.LOCALIZED
        for s in reaction.symptoms
        if s.code == "urticaria"
    )
    given = frozenset(reaction.interventions or ())
    # Adrenaline whose route was not recorded: intramuscular at best, intravenous at worst.
    unrouted = Intervention.PARENTERAL_ADRENALINE in given
    best = _Facts(
        interventions=given | ({Intervention.ADRENALINE_IM} if unrouted else set()),
        hospitalization=bool(reaction.hospitalization),
        fatal=reaction.outcome is Outcome.FATAL,
        body_surface_percent=(
            reaction.body_surface_percent if reaction.body_surface_percent is not None else 0
        ),
        life_threatening=reaction.life_threatening is True,
        prolonged=reaction.prolonged is True,
        temperature_c=reaction.temperature_c,
        hours_above_40c=reaction.hours_above_40c if reaction.hours_above_40c is not None else 0,
        blood_culture_positive=reaction.blood_culture_positive is True,
    )
    worst = _Facts(
        interventions=frozenset(
            _ALL_INTERVENTIONS
            if reaction.interventions is None
            else given | ({Intervention.ADRENALINE_IV} if unrouted else set())
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
        temperature_c=reaction.temperature_c,
        hours_above_40c=(
            reaction.hours_above_40c if reaction.hours_above_40c is not None else 24 * 366
        ),
        blood_culture_positive=reaction.blood_culture_positive is not False,
    )
    return best, worst


def _has_site_sign(reaction: Reaction, vocabulary: Vocabulary) -> bool:
    return any(
        vocabulary[s.code].row_for(s.effective_extent(vocabulary)) is Category.LOCAL
        for s in reaction.symptoms
    )


def _allergic_picture(reaction: Reaction, vocabulary: Vocabulary, case: bool) -> bool:
    """Brighton's signs, or the article's escalation picture (an allergy-row skin sign
    with a cardiovascular or respiratory sign)."""
    skin_allergy = cardio_resp = False
    for s in reaction.symptoms:
        d = vocabulary[s.code]
        skin_allergy = skin_allergy or _is_skin_allergy(
            d, d.row_for(s.effective_extent(vocabulary))
        )
        cardio_resp = cardio_resp or d.system in (
            OrganSystem.CARDIOVASCULAR,
            OrganSystem.RESPIRATORY,
        )
    return case or (skin_allergy and cardio_resp)


def _table_term(
    reaction: Reaction,
    *,
    vocabulary: Vocabulary,
    category: Category | None,
    kind: EventKind,
    case: bool,
    route: Route | None,
) -> CtcaeTerm | None:
    """The CTCAE term of a table reaction or isolated hypotension (``None``: route needed)."""
    codes = set(reaction.codes)
    if category is Category.LOCAL:
        return CtcaeTerm.INJECTION_SITE_REACTION
    given = set(reaction.interventions or ())
    allergic_picture = _allergic_picture(reaction, vocabulary, case)
    if reaction.reported_anaphylaxis or (
        allergic_picture and (codes & _ANAPHYLAXIS_SIGNS or given & _ADRENALINE)
    ):
        # The physician's diagnosis stands; otherwise CTCAE grades from its own criteria
        # (bronchospasm, parenteral intervention, angioedema, hypotension) in an
        # allergic-type picture, not from the Brighton level alone. CTCAE v5.0
        # Anaphylaxis G3: "Symptomatic bronchospasm, with or without urticaria;
        # parenteral intervention indicated; allergy-related edema/angioedema; hypotension".
        return CtcaeTerm.ANAPHYLAXIS
    if route is None:
        return None
    if route is Route.IV_DRIP:
        return CtcaeTerm.INFUSION_RELATED_REACTION
    if kind is EventKind.NEEDLE_RELATED:
        return CtcaeTerm.HYPOTENSION
    if "urticaria" in codes and all(
        s.code == "urticaria"
        or vocabulary[s.code].row_for(s.effective_extent(vocabulary)) is Category.LOCAL
        for s in reaction.symptoms
    ):
        return CtcaeTerm.URTICARIA
    return CtcaeTerm.ALLERGIC_REACTION


def _ctcae(
    reaction: Reaction,
    *,
    vocabulary: Vocabulary,
    table: SeverityTable,
    category: Category | None,
    kind: EventKind,
    case: bool,
    route: Route | None,
    base_kind: EventKind | None = None,
) -> tuple[CtcaeGrade, tuple[CtcaeGrade, ...]]:
    """The leading CTCAE term and grade, and the further terms of the same event.

    ``base_kind`` is the kind the reaction would be without its infection signs: when an
    infection sign made it an infection, the terms its other signs are graded under stay
    among the further terms (an added sign never hides a grade).
    """
    event_terms = sorted(
        {t for c in reaction.codes if (t := vocabulary[c].ctcae) is not None},
        key=lambda t: _EVENT_PRIORITY.index(t) if t in _EVENT_PRIORITY else len(_EVENT_PRIORITY),
    )
    best, worst = _facts(reaction, vocabulary)
    lead: CtcaeTerm | None
    if kind in (EventKind.INFECTION, EventKind.OTHER) or (
        kind is EventKind.NEEDLE_RELATED and event_terms
    ):
        lead = event_terms[0] if event_terms else None
        if lead is None:
            return CtcaeGrade(None, None, _NO_TERM), ()
    elif (
        kind is EventKind.TABLE_REACTION
        and category is not Category.LOCAL
        and route is not None
        and route is not Route.IV_DRIP
        and not _allergic_picture(reaction, vocabulary, case)
        and not _allergic_features(reaction, vocabulary)
    ):
        # No allergic feature after an injection (e.g. vomiting with abdominal pain,
        # reduced consciousness alone): CTCAE's Allergic reaction does not describe it
        # [practice]. During a drip any systemic reaction stays an Infusion related
        # reaction; without a route the term waits for it. Site signs keep theirs.
        # A failing circulation keeps its Hypotension grade.
        own = [
            *event_terms,
            *([CtcaeTerm.INJECTION_SITE_REACTION] if _has_site_sign(reaction, vocabulary) else []),
            *([CtcaeTerm.HYPOTENSION] if _circulatory_failure(reaction) else []),
        ]
        if not own:
            return CtcaeGrade(None, None, _NO_TERM), ()
        lead = own[0]
        event_terms = own
    else:
        lead = _table_term(
            reaction, vocabulary=vocabulary, category=category, kind=kind, case=case, route=route
        )
        if lead is None:
            # Allergic-type: the term depends on the route (CTCAE: a drip's reaction is an
            # Infusion related reaction, never also an Allergic reaction or Urticaria).
            return CtcaeGrade(None, None, _ROUTE_NEEDED, ("route",)), ()
    further = [t for t in event_terms if t != lead]
    if lead not in (None, CtcaeTerm.INJECTION_SITE_REACTION) and _has_site_sign(
        reaction, vocabulary
    ):
        # Site signs alongside a systemic reaction, a faint or an infection keep their
        # own grade (an untreated skin infection's grade 1 would otherwise hide a
        # grade 2 site pain).
        further.append(CtcaeTerm.INJECTION_SITE_REACTION)
    route_needed = False
    if (
        kind is not EventKind.TABLE_REACTION
        and category in (Category.ALLERGY, Category.ANAPHYLAXIS)
        and (case or _allergic_features(reaction, vocabulary))
    ):
        # An allergic-type reaction alongside the event (e.g. hives with a fever during a
        # drip) is graded too, under its own term; without a route that term waits for the
        # route, and says so.
        allergic = _table_term(
            reaction,
            vocabulary=vocabulary,
            category=category,
            kind=EventKind.TABLE_REACTION,
            case=case,
            route=route,
        )
        if allergic is None:
            route_needed = True
        elif allergic != lead:
            further.insert(0, allergic)
    if kind is EventKind.INFECTION and base_kind is not None:
        # The signs besides the infection's keep the terms they are graded under on their
        # own (e.g. a tachycardia during a drip is an Infusion related reaction, and stays
        # one when a sepsis is added). Not an Infusion related reaction that only grades a
        # failing circulation: in a septic picture that is Hypotension (below).
        kept, needs_route = _terms_without_infection(
            reaction,
            vocabulary=vocabulary,
            table=table,
            category=category,
            kind=base_kind,
            case=case,
            route=route,
        )
        route_needed = route_needed or needs_route
        if _circulatory_failure(reaction):
            kept = [t for t in kept if t is not CtcaeTerm.INFUSION_RELATED_REACTION]
        further[:0] = [t for t in kept if t != lead and t not in further]
    if (
        _circulatory_failure(reaction)
        and lead not in (CtcaeTerm.ANAPHYLAXIS, CtcaeTerm.HYPOTENSION)
        and CtcaeTerm.ANAPHYLAXIS not in further
        and (
            lead is not CtcaeTerm.INFUSION_RELATED_REACTION or _infection_sign(reaction, vocabulary)
        )
        and CtcaeTerm.HYPOTENSION not in further
    ):
        # A failing circulation alongside an event (a septic picture, a faint) is graded
        # under its own term; an Infusion related reaction already grades it, unless an
        # infection sign makes it a septic picture.
        further.append(CtcaeTerm.HYPOTENSION)
    # The most severe term leads (Anaphylaxis first on a tie, then a term with a grade,
    # then the order above): an added mild sign never pushes a grade 3 anaphylaxis under
    # a grade 1 fever. The mildest reading ranks, or the worst when the mildest has no
    # grade (fail-safe), and never below the term's lowest CTCAE grade (a coded sepsis
    # whose grade cannot be given still leads a grade 1 site redness).
    codes = set(reaction.codes)
    terms = [lead, *further]
    reading = {t: _CTCAE_RULES[t](codes, best) or _CTCAE_RULES[t](codes, worst) for t in terms}
    rank = {
        t: (
            max(reading[t] or 0, _LOWEST_GRADE.get(t, 0)),
            t is CtcaeTerm.ANAPHYLAXIS,
            reading[t] is not None,
            -n,
        )
        for n, t in enumerate(terms)
    }
    lead = max(terms, key=lambda t: rank[t])
    further = [t for t in terms if t != lead]
    if lead in _FAINTS:
        # A slow pulse with a vasovagal reaction, a faint or a near faint is part of
        # that event (CTCAE's Vasovagal reaction names the bradycardia): graded under
        # the leading term, never also as a Sinus bradycardia of its own. The lead's
        # grade is at least the slow pulse's, so no grade is hidden.
        further = [t for t in further if t is not CtcaeTerm.SINUS_BRADYCARDIA]
    others = tuple(_graded(t, reaction, table, best, worst, lead=False) for t in further)
    if route_needed:
        others = (CtcaeGrade(None, None, _ROUTE_NEEDED, ("route",)), *others)
    return _graded(lead, reaction, table, best, worst, lead=True), others


def _terms_without_infection(
    reaction: Reaction,
    *,
    vocabulary: Vocabulary,
    table: SeverityTable,
    category: Category | None,
    kind: EventKind,
    case: bool,
    route: Route | None,
) -> tuple[list[CtcaeTerm], bool]:
    """The CTCAE terms of ``reaction``'s signs other than infection signs, graded as the
    ``kind`` they make on their own, and whether one of them needs the route. Infection
    signs have no article row and no Brighton role, so ``category`` and ``case`` stay."""
    rest = tuple(
        s for s in reaction.symptoms if vocabulary[s.code].event is not EventKind.INFECTION
    )
    if not rest:
        return [], False
    lead, others = _ctcae(
        evolve(reaction, symptoms=rest),
        vocabulary=vocabulary,
        table=table,
        category=category,
        kind=kind,
        case=case,
        route=route,
    )
    graded = (lead, *others)
    terms = [g.term for g in graded if g.term is not None]
    return terms, any(g.term is None and "route" in g.missing for g in graded)


_LOWEST_GRADE: Mapping[CtcaeTerm, int] = {CtcaeTerm.SEPSIS: 3}
"""Terms CTCAE v5.0 defines only from a grade above 1 and that the grader cannot always
grade (Sepsis starts at 3 and needs a positive blood culture): for choosing the leading
term they rank at that grade, the grade itself stays ``None`` with its reason. The
physician's coded sepsis is never outranked by a grade 1 or 2 term."""


_NO_TERM = "no CTCAE term is coded for these signs: grade it by hand"


def _graded(
    term: CtcaeTerm,
    reaction: Reaction,
    table: SeverityTable,
    best: _Facts,
    worst: _Facts,
    *,
    lead: bool,
) -> CtcaeGrade:
    """``term``'s grade, or ``None`` with the fields that could each change it."""
    quoted = table.ctcae_term(term)
    llt = quoted.meddra_llt if quoted is not None else None
    if not lead:
        # Death is graded once, under the leading term.
        best, worst = evolve(best, fatal=False), evolve(worst, fatal=False)
    if term is CtcaeTerm.FEVER and reaction.temperature_c is None:
        return CtcaeGrade(
            term,
            None,
            "record temperature_c: CTCAE grades Fever by the measured temperature",
            ("temperature_c",),
            meddra_llt=llt,
        )
    codes = set(reaction.codes)
    rule = _CTCAE_RULES[term]
    low, high = rule(codes, best), rule(codes, worst)
    if low == high:
        if low is None:
            return CtcaeGrade(term, None, _NO_GRADE[term], meddra_llt=llt)
        text = quoted.grades.get(str(low)) if quoted is not None else None
        return CtcaeGrade(term, low, criterion=text, meddra_llt=llt)
    unknown = [
        name
        for name, is_unknown in (
            ("interventions", reaction.interventions is None),
            ("hospitalization", reaction.hospitalization is None),
            ("outcome", reaction.outcome is Outcome.UNKNOWN),
            ("body_surface_percent", reaction.body_surface_percent is None),
            ("life_threatening", reaction.life_threatening is None),
            ("prolonged", reaction.prolonged is None),
            ("hours_above_40c", reaction.hours_above_40c is None),
            ("blood_culture_positive", reaction.blood_culture_positive is None),
        )
        if is_unknown
    ]
    if Intervention.PARENTERAL_ADRENALINE in (reaction.interventions or ()):
        unknown.insert(0, "interventions")  # the adrenaline's route
    # Name the unrecorded fields that each, on its own, could change the grade.
    missing = [
        name
        for name in dict.fromkeys(unknown)
        if rule(codes, evolve(best, **{_FACT_OF[name]: getattr(worst, _FACT_OF[name])})) != low
    ] or list(dict.fromkeys(unknown))
    return CtcaeGrade(
        term,
        None,
        f"record {', '.join(missing)}: the grade could be anything from "
        f"{low if low is not None else 'none'} to {high if high is not None else 'none'}",
        tuple(missing),
        meddra_llt=llt,
    )


_NO_GRADE: Mapping[CtcaeTerm, str] = {
    CtcaeTerm.SEPSIS: "CTCAE v5.0 Sepsis starts at grade 3, which needs a positive blood culture",
    CtcaeTerm.FEVER: "below CTCAE v5.0 Fever grade 1 (38.0 degrees C)",
}


_FACT_OF = {
    "interventions": "interventions",
    "hospitalization": "hospitalization",
    "outcome": "fatal",
    "body_surface_percent": "body_surface_percent",
    "life_threatening": "life_threatening",
    "prolonged": "prolonged",
    "hours_above_40c": "hours_above_40c",
    "blood_culture_positive": "blood_culture_positive",
}
"""Which :class:`_Facts` field each reaction field decides."""


def _threat(f: _Facts) -> int | None:
    """Grades 5 and 4 as most CTCAE terms word them (death; life-threatening, urgent)."""
    if f.fatal:
        return 5
    if f.life_threatening or Intervention.URGENT in f.interventions:
        return 4
    return None


def _isr_grade(codes: set[str], f: _Facts) -> int | None:
    if (g := _threat(f)) is not None:
        return g
    if "site_ulceration" in codes or Intervention.OPERATIVE in f.interventions:
        return 3
    if codes & {"pain", "swelling", "phlebitis"}:
        return 2
    return 1


def _allergic_grade(codes: set[str], f: _Facts) -> int | None:
    if (g := _threat(f)) is not None:
        return g
    # G3: "Bronchospasm; hospitalization indicated for clinical sequelae; intravenous
    # intervention indicated" - intramuscular adrenaline is not intravenous.
    if f.hospitalization or "wheeze" in codes or f.interventions & _INTRAVENOUS:
        return 3
    if f.interventions & _SYSTEMIC_TREATMENT:
        return 2
    return 1


def _infusion_grade(codes: set[str], f: _Facts) -> int | None:
    if (g := _threat(f)) is not None:
        return g
    if f.prolonged or f.hospitalization:
        return 3
    if f.interventions - {Intervention.LOCAL_CARE}:
        return 2
    return 1


def _anaphylaxis_grade(codes: set[str], f: _Facts) -> int | None:
    return _threat(f) or 3


def _urticaria_grade(codes: set[str], f: _Facts) -> int | None:
    bsa = f.body_surface_percent
    by_area = 3 if bsa > 30 else 2 if bsa >= 10 else 1
    by_treatment = (
        3 if f.interventions & _INTRAVENOUS else 2 if f.interventions & _SYSTEMIC_TREATMENT else 1
    )
    return max(by_area, by_treatment)


def _fever_grade(codes: set[str], f: _Facts) -> int | None:
    t = f.temperature_c
    if f.fatal:
        return 5
    if t is None or t < Decimal("38.0"):
        return None
    if t > 40:
        return 4 if f.hours_above_40c > 24 else 3
    return 2 if t > 39 else 1


def _chills_grade(codes: set[str], f: _Facts) -> int | None:
    # No grade 4 or 5. G3 "Severe or prolonged, not responsive to narcotics";
    # G2 "Moderate tremor of the entire body; narcotics indicated".
    if f.prolonged:
        return 3
    if Intervention.OPIOID in f.interventions:
        return 2
    return 1


def _infection_grade(minimum: int) -> Callable[[set[str], _Facts], int | None]:
    """Skin infection (minimum 1) and Soft tissue infection (no grade 1: minimum 2)."""

    def rule(codes: set[str], f: _Facts) -> int | None:
        if (g := _threat(f)) is not None:
            return g
        # G3 "IV antibiotic, antifungal, or antiviral intervention indicated; invasive
        # intervention indicated"; G2 "Oral intervention indicated".
        if f.interventions & {Intervention.IV, Intervention.INVASIVE, Intervention.OPERATIVE}:
            return 3
        if f.interventions & {Intervention.ORAL, Intervention.IM}:
            return 2
        return minimum

    return rule


def _sepsis_grade(codes: set[str], f: _Facts) -> int | None:
    if (g := _threat(f)) is not None:
        return g
    return 3 if f.blood_culture_positive else None


def _vasovagal_grade(codes: set[str], f: _Facts) -> int | None:
    return _threat(f) or 3


def _by_intervention_grade(codes: set[str], f: _Facts) -> int | None:
    """Hypotension and Sinus bradycardia: CTCAE v5.0 grades both by the treatment given.

    Hypotension: G3 "Medical intervention indicated; hospitalization indicated"; G2
    "Non-urgent medical intervention indicated"; G1 "Asymptomatic, intervention not
    indicated". Sinus bradycardia: G3 "Severe, medically significant; medical intervention
    indicated"; G2 "Symptomatic, intervention not indicated; change in medication
    initiated"; G1 "Asymptomatic, intervention not indicated". Read alike: intravenous or
    adrenaline treatment, or a hospital stay, is G3; any other systemic treatment G2.
    """
    if (g := _threat(f)) is not None:
        return g
    if f.hospitalization or f.interventions & (_INTRAVENOUS | _ADRENALINE):
        return 3
    if f.interventions & _SYSTEMIC_TREATMENT:
        return 2
    return 1


_CTCAE_RULES: Mapping[CtcaeTerm, Callable[[set[str], _Facts], int | None]] = {
    CtcaeTerm.INJECTION_SITE_REACTION: _isr_grade,
    CtcaeTerm.ALLERGIC_REACTION: _allergic_grade,
    CtcaeTerm.INFUSION_RELATED_REACTION: _infusion_grade,
    CtcaeTerm.ANAPHYLAXIS: _anaphylaxis_grade,
    CtcaeTerm.URTICARIA: _urticaria_grade,
    CtcaeTerm.FEVER: _fever_grade,
    CtcaeTerm.CHILLS: _chills_grade,
    CtcaeTerm.SKIN_INFECTION: _infection_grade(1),
    CtcaeTerm.SOFT_TISSUE_INFECTION: _infection_grade(2),
    CtcaeTerm.SEPSIS: _sepsis_grade,
    CtcaeTerm.SYNCOPE: lambda codes, f: 3,  # grade 3 only: "Fainting; orthostatic collapse"
    CtcaeTerm.VASOVAGAL_REACTION: _vasovagal_grade,
    CtcaeTerm.PRESYNCOPE: lambda codes, f: 2,  # grade 2 only: "Present (e.g., near fainting)"
    CtcaeTerm.HYPOTENSION: _by_intervention_grade,
    CtcaeTerm.SINUS_BRADYCARDIA: _by_intervention_grade,
}


def _seriousness(
    reaction: Reaction, terms: tuple[CtcaeGrade, ...], case: bool, *, septic: bool = False
) -> tuple[tuple[SeriousnessCriterion, ...], tuple[SeriousnessCriterion, ...]]:
    """ICH E2A criteria met, and those the record cannot decide yet.

    ``terms`` are the leading and the further CTCAE terms. Anaphylaxis (a CTCAE term
    among them, signs meeting Brighton levels 1-3 unless the onset was
    documented as not sudden, or a physician's report of anaphylaxis) and sepsis count
    as medically important [practice], after the EMA Important Medical Events list; so
    does a suspected sepsis (an infection sign with hypotension, shock, reduced
    consciousness or fainting) with no ``sepsis`` code (fail-safe).
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
        or any(t.term in (CtcaeTerm.ANAPHYLAXIS, CtcaeTerm.SEPSIS) for t in terms)
        or case
        or septic,
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


def _needed(text: Text | None, name: str) -> Text:
    # grade() refuses a table without event texts before it gets here.
    if text is None:
        raise ValidationError(
            [f"severity.actions.{name}: the table has no such text"], what="severity table"
        )
    return text


def _actions(
    *,
    reaction: Reaction,
    vocabulary: Vocabulary,
    table: SeverityTable,
    category: Category | None,
    kind: EventKind,
    level: int,
    ctcae: CtcaeGrade,
    others: tuple[CtcaeGrade, ...],
    criteria: tuple[SeriousnessCriterion, ...],
    undecided: tuple[SeriousnessCriterion, ...],
    persistence_days: int,
    on: dt.date | None,
    septic: bool = False,
) -> tuple[Action, ...]:
    def action(code: ActionCode, text: Text, within: int | None) -> Action:
        due = on + dt.timedelta(days=within) if on is not None and within is not None else None
        return Action(code, text, within, due)

    texts = table.actions
    actions: list[Action] = []
    terms = ", ".join(t.term.value for t in (ctcae, *others) if t.term is not None) or "-"
    # A coded sepsis, or an infection sign with a failing circulation or consciousness
    # (suspected sepsis or septic shock): emergency transfer now.
    sepsis = "sepsis" in reaction.codes or septic
    if sepsis:
        actions.append(
            action(ActionCode.EMERGENCY, _needed(texts.emergency_sepsis, "emergency_sepsis"), 0)
        )
    has_local = any(vocabulary[c].row is Category.LOCAL for c in reaction.codes)
    persistent = has_local and (
        reaction.worsening is True
        or (reaction.duration_days is not None and reaction.duration_days > persistence_days)
    )
    review: Text | None = None
    if category is Category.ANAPHYLAXIS:
        review = texts.review_anaphylaxis_not_a_case if level == 5 else texts.review_anaphylaxis
    elif category is Category.ALLERGY:
        review = texts.review_allergy
    elif sepsis:
        review = None  # the emergency action has the physician see the patient now
    elif kind is EventKind.INFECTION:
        review = fill_text(_needed(texts.review_infection, "review_infection"), terms=terms)
    elif kind is EventKind.NEEDLE_RELATED:
        review = fill_text(_needed(texts.review_needle, "review_needle"), terms=terms)
    elif kind is EventKind.OTHER:
        review = fill_text(_needed(texts.review_other, "review_other"), terms=terms)
    elif persistent:
        review = fill_text(texts.review_persistent, days=persistence_days)
    if review is not None:
        actions.append(action(ActionCode.PHYSICIAN_REVIEW, review, 0))
    follows = [table.row(category).follow_up_days] if category is not None else []
    event = table.event(kind)
    if event is not None:
        follows.append(event.follow_up_days)
    follow = min(follows)
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
    if kind is EventKind.INFECTION or _infection_sign(reaction, vocabulary):
        actions.append(action(ActionCode.LOT_REVIEW, _needed(texts.lot_review, "lot_review"), 0))
    open_grades = [g for g in (ctcae, *others) if g.grade is None]
    if open_grades or undecided:
        names = [
            *(n for g in open_grades for n in g.missing),
            *(_CRITERION_FIELD[c] for c in undecided),
        ]
        fields_ = [table.field_labels[n] for n in dict.fromkeys(names)]
        if fields_:
            record = Text(
                texts.complete_record.ja.format(fields="、".join(f.ja for f in fields_)),
                texts.complete_record.en.format(fields=", ".join(f.en for f in fields_)),
            )
            actions.append(action(ActionCode.COMPLETE_RECORD, record, None))
    return tuple(actions)
