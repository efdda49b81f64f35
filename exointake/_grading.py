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
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from attrs import evolve, field, fields, frozen

from . import _bundled
from ._common import Route, Text, parse_route
from ._convert import (
    Expected,
    checks,
    converter,
    describe_type,
    fields_structurer,
    safe_repr,
    structure,
    to_enum,
    with_checks,
)
from ._errors import ValidationError

__all__ = [
    "STABLE_CODES",
    "Action",
    "ActionCode",
    "ActionTexts",
    "BrightonReason",
    "BrightonRole",
    "BrightonSign",
    "Category",
    "CtcaeGrade",
    "CtcaeTerm",
    "DataSource",
    "Extent",
    "Grade",
    "Intervention",
    "OrganSystem",
    "Outcome",
    "Reaction",
    "SeriousnessCriterion",
    "SeverityRow",
    "SeverityTable",
    "Symptom",
    "SymptomDef",
    "Vocabulary",
    "grade",
    "load_severity_table",
    "load_vocabulary",
]

BRIGHTON_VERSION = "2007"
CTCAE_VERSION = "5.0"

_E = TypeVar("_E", bound=enum.Enum)


# ---------------------------------------------------------------------------- enums


class Category(enum.StrEnum):
    """A row of the article's severity table, ordered ``local < allergy < anaphylaxis``."""

    LOCAL = "local"
    ALLERGY = "allergy"
    ANAPHYLAXIS = "anaphylaxis"

    @property
    def rank(self) -> int:
        """0 for ``local``, 1 for ``allergy``, 2 for ``anaphylaxis``."""
        return _CATEGORY_RANK[self]

    # A StrEnum would compare alphabetically (anaphylaxis < local); categories compare
    # by severity so that max(), sorted() and < mean what a reader expects. Equality
    # and hashing stay those of the string value.
    def __lt__(self, other: object) -> bool:
        if isinstance(other, Category):
            return _CATEGORY_RANK[self] < _CATEGORY_RANK[other]
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if isinstance(other, Category):
            return _CATEGORY_RANK[self] <= _CATEGORY_RANK[other]
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, Category):
            return _CATEGORY_RANK[self] > _CATEGORY_RANK[other]
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if isinstance(other, Category):
            return _CATEGORY_RANK[self] >= _CATEGORY_RANK[other]
        return NotImplemented


_CATEGORY_ORDER = (Category.LOCAL, Category.ALLERGY, Category.ANAPHYLAXIS)
_CATEGORY_RANK = {c: n for n, c in enumerate(_CATEGORY_ORDER)}


class Extent(enum.StrEnum):
    """How far a skin sign spreads."""

    LOCALIZED = "localized"
    GENERALIZED = "generalized"
    UNKNOWN = "unknown"


class OrganSystem(enum.StrEnum):
    """The organ system a sign belongs to (Brighton's groups plus the injection site)."""

    INJECTION_SITE = "injection_site"
    DERMATOLOGIC = "dermatologic"
    CARDIOVASCULAR = "cardiovascular"
    RESPIRATORY = "respiratory"
    GASTROINTESTINAL = "gastrointestinal"
    LABORATORY = "laboratory"


class BrightonRole(enum.StrEnum):
    """A sign's weight in the Brighton 2007 anaphylaxis definition.

    ``combination`` signs count only together with others (e.g. two of tachycardia,
    capillary refill over 3 s and reduced consciousness make "reduced peripheral
    circulation", a minor cardiovascular criterion).
    """

    MAJOR = "major"
    MINOR = "minor"
    COMBINATION = "combination"
    NONE = "none"


class Intervention(enum.StrEnum):
    """What was done for a reaction (recorded, never suggested)."""

    LOCAL_CARE = "local_care"
    """Cooling, compression or observation of the site."""
    TOPICAL = "topical"
    """A cream or ointment (e.g. a topical steroid)."""
    ORAL = "oral"
    """Oral medicine (e.g. an antihistamine)."""
    INFUSION_INTERRUPTED = "infusion_interrupted"
    """The drip was slowed, paused or stopped."""
    IV = "iv"
    """Intravenous medicine or fluids."""
    PARENTERAL_ADRENALINE = "parenteral_adrenaline"
    """Adrenaline by injection (intramuscular or intravenous)."""
    OXYGEN = "oxygen"
    BRONCHODILATOR = "bronchodilator"
    URGENT = "urgent"
    """Urgent intervention: resuscitation, airway support, emergency transfer."""
    OPERATIVE = "operative"
    """A surgical procedure (e.g. debridement of the site)."""


class Outcome(enum.StrEnum):
    """The reaction's outcome as last recorded (E2B/FHIR style)."""

    RECOVERED = "recovered"
    RECOVERING = "recovering"
    NOT_RECOVERED = "not_recovered"
    RECOVERED_WITH_SEQUELAE = "recovered_with_sequelae"
    FATAL = "fatal"
    UNKNOWN = "unknown"


class CtcaeTerm(enum.StrEnum):
    """The CTCAE v5.0 terms a reaction to an exosome product is graded under."""

    INJECTION_SITE_REACTION = "Injection site reaction"
    ALLERGIC_REACTION = "Allergic reaction"
    INFUSION_RELATED_REACTION = "Infusion related reaction"
    ANAPHYLAXIS = "Anaphylaxis"
    URTICARIA = "Urticaria"


class SeriousnessCriterion(enum.StrEnum):
    """ICH E2A criteria that make an adverse event serious."""

    DEATH = "death"
    LIFE_THREATENING = "life_threatening"
    HOSPITALIZATION = "hospitalization"
    DISABILITY = "disability"
    CONGENITAL_ANOMALY = "congenital_anomaly"
    MEDICALLY_IMPORTANT = "medically_important"

    @property
    def label(self) -> Text:
        """The criterion in words."""
        return _CRITERION_LABELS[self]


_CRITERION_LABELS = {
    SeriousnessCriterion.DEATH: Text("死亡", "death"),
    SeriousnessCriterion.LIFE_THREATENING: Text("生命を脅かす", "life-threatening"),
    SeriousnessCriterion.HOSPITALIZATION: Text(
        "入院または入院期間の延長", "hospitalization or its prolongation"
    ),
    SeriousnessCriterion.DISABILITY: Text(
        "永続的または顕著な障害・機能不全", "persistent or significant disability"
    ),
    SeriousnessCriterion.CONGENITAL_ANOMALY: Text("先天異常", "congenital anomaly"),
    SeriousnessCriterion.MEDICALLY_IMPORTANT: Text(
        "その他の医学的に重要な事象", "other medically important event"
    ),
}


_FIELD_LABELS: Mapping[str, Text] = MappingProxyType(
    {
        "route": Text("投与経路", "route"),
        "interventions": Text("処置", "interventions"),
        "hospitalization": Text("入院の有無", "hospitalization"),
        "outcome": Text("転帰", "outcome"),
        "body_surface_percent": Text("蕁麻疹の範囲（体表面積%）", "body surface %"),
        "life_threatening": Text("生命を脅かすものだったか", "life-threatening or not"),
        "prolonged": Text("遷延・再燃の有無", "prolonged or recurring"),
        "disability": Text("障害・機能不全の有無", "disability or not"),
        "congenital_anomaly": Text("先天異常の有無", "congenital anomaly or not"),
        "medically_important": Text(
            "その他の医学的に重要な事象か", "other medically important event or not"
        ),
    }
)
"""The fields grading may ask to record (``CtcaeGrade.missing``, the complete-record
action), in words."""

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


@frozen
class DataSource:
    """Where a data file's content comes from."""

    id: str
    title: str
    published: str | None = None
    kind: str = "article"
    """``article``, ``std`` (an international standard) or ``practice``."""
    note: str | None = None


@frozen
class SeverityRow:
    """One row of the article's severity table."""

    code: Category
    label: Text
    frequency: Text
    symptoms: Text
    """The article's symptom words for the row."""
    guidance: Text
    """What the patient is told about this row."""
    follow_up_days: int
    """Follow up within this many days after such a reaction [practice]."""


@frozen
class ActionTexts:
    """The wording of each action, ja/en; ``{days}``, ``{criteria}`` and ``{fields}`` (the
    fields to record) are filled in."""

    review_anaphylaxis: Text
    review_anaphylaxis_not_a_case: Text
    review_allergy: Text
    review_persistent: Text
    follow_up: Text
    report: Text
    complete_record: Text


def _fill(text: Text, **values: object) -> Text:
    return Text(text.ja.format(**values), text.en.format(**values))


@frozen
class SeverityTable:
    """The article's severity table, versioned. Build with :func:`load_severity_table`."""

    id: str
    version: str
    source: DataSource
    rows: tuple[SeverityRow, ...]
    actions: ActionTexts
    persistence_days: int = 3
    """Local symptoms lasting longer than this need the physician ("数日")."""

    def __attrs_post_init__(self) -> None:
        codes = [r.code for r in self.rows]
        errors = []
        if sorted(codes, key=lambda c: c.rank) != list(_CATEGORY_ORDER):
            errors.append(
                "severity.rows: expected exactly one row each for local, allergy, anaphylaxis, "
                "in that order"
            )
        elif codes != list(_CATEGORY_ORDER):
            errors.append("severity.rows: expected the order local, allergy, anaphylaxis")
        if self.persistence_days < 1:
            errors.append("severity.persistence_days: expected at least 1")
        for a in fields(ActionTexts):
            try:
                _fill(getattr(self.actions, a.name), days=1, criteria="-", fields="-")
            except (KeyError, IndexError, ValueError):
                errors.append(
                    f"severity.actions.{a.name}: only {{days}}, {{criteria}} and {{fields}} "
                    "may be filled in"
                )
        errors.extend(
            f"severity.rows[{n}].follow_up_days: expected 0 or more"
            for n, r in enumerate(self.rows)
            if r.follow_up_days < 0
        )
        if errors:
            raise ValidationError(errors, what="severity table")

    def row(self, category: Category | str) -> SeverityRow:
        """The row for ``category``."""
        return self.rows[Category(category).rank]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, as in the bundled file."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


@frozen
class SymptomDef:
    """One code of the symptom vocabulary and how each grading reads it."""

    code: str
    label: Text
    row: Category
    """The article row this sign belongs to."""
    system: OrganSystem
    skin: bool = False
    """A skin sign: it carries an extent, and counts for the escalation rule."""
    default_extent: Extent | None = None
    """Skin signs only: the extent when a symptom does not state one."""
    row_generalized: Category | None = None
    """Skin signs only: the row when generalized (or of unknown extent), if higher."""
    brighton: BrightonRole = BrightonRole.NONE
    """Brighton role when localized or of unknown extent (or for non-skin signs)."""
    brighton_generalized: BrightonRole | None = None
    """Skin signs only: Brighton role when documented generalized."""
    stable: bool = False
    """One of the article's 14 codes: the stable public contract."""
    source: str = "article"

    def row_for(self, extent: Extent | None) -> Category:
        """The article row for this sign at ``extent`` (unknown counts as generalized)."""
        if self.skin and self.row_generalized is not None and extent is not Extent.LOCALIZED:
            return self.row_generalized
        return self.row

    def brighton_for(self, extent: Extent | None) -> BrightonRole:
        """The Brighton role at ``extent`` (only a documented generalized extent counts)."""
        if self.skin and extent is Extent.GENERALIZED and self.brighton_generalized is not None:
            return self.brighton_generalized
        return self.brighton


@frozen
class Vocabulary:
    """The symptom vocabulary, versioned. Build with :func:`load_vocabulary`."""

    version: str
    table: str
    """The severity table version whose rows the codes refer to."""
    sources: tuple[DataSource, ...]
    symptoms: tuple[SymptomDef, ...]
    brighton_sudden_onset_minutes: int = 120
    """Onset within this many minutes documents a sudden onset [practice]."""
    note: str | None = None
    _index: Mapping[str, SymptomDef] = field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        errors = _check_vocabulary(self)
        if errors:
            raise ValidationError(errors, what="vocabulary")
        object.__setattr__(self, "_index", MappingProxyType({s.code: s for s in self.symptoms}))

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def __getitem__(self, code: str) -> SymptomDef:
        return self._index[code]

    @property
    def codes(self) -> tuple[str, ...]:
        """Every code, in file order."""
        return tuple(s.code for s in self.symptoms)

    @property
    def stable_codes(self) -> tuple[str, ...]:
        """The article's 14 codes (the stable contract)."""
        return tuple(s.code for s in self.symptoms if s.stable)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, as in the bundled file."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


STABLE_CODES = (
    "redness",
    "swelling",
    "pain",
    "bruising",
    "warmth",
    "itch_site",
    "rash",
    "itch_skin",
    "urticaria",
    "vomiting",
    "abdominal_pain",
    "hypotension",
    "dyspnea",
    "reduced_consciousness",
)
"""The article's 14 symptom codes, in the article's order: the stable contract."""


def _check_vocabulary(v: Vocabulary) -> list[str]:
    errors: list[str] = []
    seen: set[str] = set()
    source_ids = {s.id for s in v.sources}
    for n, s in enumerate(v.symptoms):
        path = f"vocabulary.symptoms[{n}]"
        if s.code in seen:
            errors.append(f"{path}.code: duplicate {s.code!r}")
        seen.add(s.code)
        if s.source not in source_ids:
            errors.append(f"{path}.source: expected one of {'|'.join(sorted(source_ids))}")
        if s.skin and s.default_extent is None:
            errors.append(f"{path}.default_extent: a skin sign needs a default extent")
        if not s.skin and (
            s.default_extent is not None
            or s.row_generalized is not None
            or s.brighton_generalized is not None
        ):
            errors.append(f"{path}: only skin signs take extent-dependent fields")
        if s.row_generalized is not None and s.row_generalized.rank < s.row.rank:
            errors.append(f"{path}.row_generalized: must not be lower than row")
        if s.stable and s.code not in STABLE_CODES:
            errors.append(f"{path}.stable: {s.code!r} is not one of the article's codes")
    missing = [c for c in STABLE_CODES if c not in seen]
    if missing:
        errors.append(f"vocabulary.symptoms: the stable codes are missing: {', '.join(missing)}")
    unstable = [s.code for s in v.symptoms if s.code in STABLE_CODES and not s.stable]
    if unstable:
        errors.append(f"vocabulary.symptoms: must be marked stable: {', '.join(unstable)}")
    if v.brighton_sudden_onset_minutes < 1:
        errors.append("vocabulary.brighton_sudden_onset_minutes: expected at least 1")
    return errors


def load_severity_table(version: str | None = None) -> SeverityTable:
    """The bundled severity table; the newest unless ``version`` is given."""
    return _bundled.load(
        "severity",
        None,
        version,
        lambda data: structure(data, SeverityTable, path="severity", what="severity table"),
        what="severity table",
    )


def load_vocabulary(version: str | None = None) -> Vocabulary:
    """The bundled symptom vocabulary; the newest unless ``version`` is given."""
    return _bundled.load(
        "vocabulary",
        None,
        version,
        lambda data: structure(data, Vocabulary, path="vocabulary", what="vocabulary"),
        what="vocabulary",
    )


# ---------------------------------------------------------------------------- reaction


_EXTENTS = "|".join(e.value for e in Extent)


def check_code(value: object) -> str:
    """A symptom code is a string (which vocabulary knows it is checked with the reaction)."""
    if not isinstance(value, str):
        raise Expected(f"expected a symptom code (a string), got {describe_type(value)}")
    return value


def _to_extent(value: Extent | str | None) -> Extent | None:
    if value is None:
        return None
    try:
        return to_enum(Extent, value)
    except Expected:
        raise ValidationError(
            [f"extent: expected one of {_EXTENTS} or null, got {safe_repr(value)}"],
            what="symptom",
        ) from None


@frozen(field_transformer=with_checks)
class Symptom:
    """One reported sign: a vocabulary ``code`` and, for skin signs, its ``extent``.

    In JSON either ``"urticaria"`` or ``{"code": "urticaria", "extent": "generalized"}``.
    ``extent=None`` means "not stated": the vocabulary's default for the code applies
    (``localized`` for site signs such as ``redness``, ``unknown`` for ``urticaria``).
    The constructor only stores; the code is checked against a vocabulary where one is
    at hand: :meth:`Reaction.from_dict` and :func:`grade` (``vocabulary=``, the bundled
    newest by default).
    """

    code: str = field(metadata=checks(check_code))
    extent: Extent | None = field(default=None, converter=_to_extent)

    @classmethod
    def _structure(cls, value: object) -> Symptom:
        """Plain form: a code, or an object with code and extent."""
        if isinstance(value, str):
            value = {"code": value}
        if not isinstance(value, Mapping):
            raise Expected(
                "expected a symptom code or an object with code and extent, "
                f"got {describe_type(value)}"
            )
        if not all(isinstance(k, str) for k in value):
            raise Expected("expected an object with string keys")
        return _structure_symptom_fields(value, cls)

    def _unstructure(self) -> object:
        """The code alone when no extent is stated."""
        if self.extent is None:
            return self.code
        return {"code": self.code, "extent": self.extent.value}

    def effective_extent(self, vocabulary: Vocabulary | None = None) -> Extent | None:
        """The extent that grading uses: the stated one, else the code's default.

        Args:
            vocabulary: the vocabulary the code belongs to (the bundled newest by default).
        """
        if self.extent is not None:
            return self.extent
        return (vocabulary or load_vocabulary())[self.code].default_extent


_structure_symptom_fields = fields_structurer(Symptom)


def symptom_errors(
    symptoms: Iterable[tuple[object, object]], vocabulary: Vocabulary, path: str = "symptoms"
) -> list[str]:
    """What ``vocabulary`` says against (code, extent) pairs, with ``path[n]`` in front.

    An unknown code, or an extent on a sign that is not a skin sign. Pairs whose code
    is not a string are left to the type checks.
    """
    errors: list[str] = []
    for n, (code, extent) in enumerate(symptoms):
        if not isinstance(code, str):
            continue
        if code not in vocabulary:
            errors.append(f"{path}[{n}].code: unknown symptom code {safe_repr(code)}")
        elif extent is not None and not vocabulary[code].skin:
            errors.append(
                f"{path}[{n}].extent: only skin signs take an extent; {code!r} is not one"
            )
    return errors


def raw_symptom_pairs(data: object) -> list[tuple[object, object]]:
    """(code, extent) of each symptom in plain data, as far as its shape allows."""
    symptoms = data.get("symptoms") if isinstance(data, Mapping) else None
    if not isinstance(symptoms, list | tuple):
        return []
    return [
        (s, None)
        if isinstance(s, str)
        else (s.get("code"), s.get("extent"))
        if isinstance(s, Mapping)
        else (None, None)
        for s in symptoms
    ]


_INTERVENTION_ORDER = {v: n for n, v in enumerate(Intervention)}
_ALL_INTERVENTIONS = frozenset(Intervention)
_SYSTEM_ORDER = {v: n for n, v in enumerate(OrganSystem)}
_CRITERIA = tuple(SeriousnessCriterion)


def _enum_or_error(cls: type[_E], value: object, path: str) -> _E:
    try:
        return to_enum(cls, value)
    except Expected as exc:
        raise ValidationError([f"{path}: {exc}"], what="reaction") from None


def _sorted_interventions(
    value: Iterable[Intervention | str] | None,
) -> tuple[Intervention, ...] | None:
    if value is None:
        return None
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ValidationError(
            [f"interventions: expected a list or null, got {describe_type(value)}"],
            what="reaction",
        )
    chosen = {_enum_or_error(Intervention, v, f"interventions[{n}]") for n, v in enumerate(value)}
    return tuple(sorted(chosen, key=_INTERVENTION_ORDER.__getitem__))


def _to_outcome(value: Outcome | str) -> Outcome:
    return _enum_or_error(Outcome, value, "outcome")


def _to_symptoms(value: Iterable[Symptom]) -> tuple[Symptom, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ValidationError(
            [f"symptoms: expected a list of Symptom, got {describe_type(value)}"],
            what="reaction",
        )
    return tuple(value)


_INT_FIELDS = ("onset_minutes", "duration_days", "body_surface_percent")
_INT_MAX = {"onset_minutes": 366 * 24 * 60, "duration_days": 36_600, "body_surface_percent": 100}
"""Upper bounds: a year for the onset, a century for the duration, all of the body."""
_OPTIONAL_BOOL_FIELDS = (
    "rapid_progression",
    "hospitalization",
    "worsening",
    "prolonged",
    "life_threatening",
    "disability",
    "congenital_anomaly",
    "medically_important",
)


@frozen
class Reaction:
    """What was observed after an administration, as far as grading needs it.

    Unknown is ``None`` and is never read as "no": e.g. ``interventions=None``
    means not recorded, ``()`` means nothing was done; ``life_threatening=None``
    means nobody recorded whether it was. Built in Python, every field is checked
    like parsed data (a :class:`ValidationError` naming the field).

    Example:
        >>> import exointake
        >>> r = exointake.Reaction.from_dict({"symptoms": ["hypotension",
        ...     {"code": "urticaria", "extent": "generalized"}], "onset_minutes": 10})
        >>> r.symptoms[1].extent
        <Extent.GENERALIZED: 'generalized'>
    """

    symptoms: tuple[Symptom, ...] = field(converter=_to_symptoms)
    onset_minutes: int | None = None
    """Minutes from the start of the administration to the first sign."""
    rapid_progression: bool | None = None
    """Whether the signs progressed rapidly; ``None`` = not recorded. Brighton levels
    1-3 need it documented (a sudden onset alone does not show it)."""
    reported_anaphylaxis: bool = False
    """The reporter (physician) called it anaphylaxis."""
    interventions: tuple[Intervention, ...] | None = field(
        default=None, converter=_sorted_interventions
    )
    hospitalization: bool | None = None
    """Inpatient hospitalization, or its prolongation, because of the reaction."""
    outcome: Outcome = field(default=Outcome.UNKNOWN, converter=_to_outcome)
    duration_days: int | None = None
    """How many days the symptoms have lasted so far."""
    worsening: bool | None = None
    """Whether the symptoms are getting worse."""
    prolonged: bool | None = None
    """Not promptly responsive to treatment, or recurring after improving (CTCAE)."""
    body_surface_percent: int | None = None
    """Share of the body surface with hives, 0-100 (CTCAE Urticaria)."""
    life_threatening: bool | None = None
    """At risk of death at the time of the event (ICH E2A), as the reporter judged."""
    disability: bool | None = None
    """Persistent or significant disability or incapacity (ICH E2A)."""
    congenital_anomaly: bool | None = None
    medically_important: bool | None = None
    """Another medically important event, as the reporter judged (ICH E2A)."""

    def __attrs_post_init__(self) -> None:
        errors: list[str] = []
        if not self.symptoms:
            errors.append("symptoms: expected at least one symptom")
        seen: set[str] = set()
        for n, s in enumerate(self.symptoms):
            if not isinstance(s, Symptom):
                errors.append(
                    f"symptoms[{n}]: expected a Symptom, got {describe_type(s)} "
                    "(Reaction.from_dict reads plain codes)"
                )
                continue
            if s.code in seen:
                errors.append(f"symptoms[{n}].code: {s.code!r} is listed twice")
            seen.add(s.code)
        for name in _INT_FIELDS:
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                errors.append(f"{name}: expected an integer or null, got {describe_type(value)}")
            elif value is not None and value < 0:
                errors.append(f"{name}: expected 0 or more")
            elif value is not None and value > _INT_MAX[name]:
                errors.append(f"{name}: expected 0 to {_INT_MAX[name]}")
        if not isinstance(self.reported_anaphylaxis, bool):
            errors.append(
                "reported_anaphylaxis: expected a boolean, "
                f"got {describe_type(self.reported_anaphylaxis)}"
            )
        errors.extend(
            f"{name}: expected a boolean or null, got {describe_type(getattr(self, name))}"
            for name in _OPTIONAL_BOOL_FIELDS
            if getattr(self, name) is not None and not isinstance(getattr(self, name), bool)
        )
        if errors:
            raise ValidationError(errors, what="reaction")

    @classmethod
    def _structure(cls, value: object) -> Reaction:
        """Plain form: an object with string keys (a key that is not text is never shown)."""
        if not isinstance(value, Mapping):
            raise Expected(f"expected an object, got {describe_type(value)}")
        if not all(isinstance(k, str) for k in value):
            raise Expected("expected an object with string keys")
        return _structure_reaction_fields(value, cls)

    @property
    def codes(self) -> tuple[str, ...]:
        """The symptom codes, in the order given."""
        return tuple(s.code for s in self.symptoms)

    @classmethod
    def from_dict(cls, data: object, *, vocabulary: Vocabulary | None = None) -> Reaction:
        """A reaction from plain JSON-like data.

        Args:
            data: e.g. ``{"symptoms": ["pain", {"code": "urticaria", "extent": "generalized"}]}``.
            vocabulary: the vocabulary symptom codes are checked against (the bundled
                newest by default); grade the result with the same one.

        Raises:
            ValidationError: every problem with its path, e.g.
                ``symptoms[1].code: unknown symptom code 'foo'``.
        """
        if vocabulary is not None and not isinstance(vocabulary, Vocabulary):
            raise ValidationError(
                [f"vocabulary: expected a Vocabulary, got {describe_type(vocabulary)}"],
                what="reaction",
            )
        unknown = symptom_errors(raw_symptom_pairs(data), vocabulary or load_vocabulary())
        try:
            reaction = structure(data, cls, what="reaction")
        except ValidationError as exc:
            raise ValidationError([*exc.errors, *unknown], what="reaction") from None
        if unknown:
            raise ValidationError(unknown, what="reaction")
        return reaction

    def check(self, vocabulary: Vocabulary | None = None) -> None:
        """Refuse symptoms ``vocabulary`` (the bundled newest by default) does not know.

        Raises:
            ValidationError: ``symptoms[n].code: unknown symptom code ...`` or an extent
                on a sign that is not a skin sign.
        """
        problems = symptom_errors(
            ((s.code, s.extent) for s in self.symptoms), vocabulary or load_vocabulary()
        )
        if problems:
            raise ValidationError(problems, what="reaction")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; ``Reaction.from_dict(r.to_dict()) == r``."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


_structure_reaction_fields = fields_structurer(Reaction)


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
        review = _fill(texts.review_persistent, days=persistence_days)
        actions.append(action(ActionCode.PHYSICIAN_REVIEW, review, 0))
    follow = table.row(category).follow_up_days
    actions.append(action(ActionCode.FOLLOW_UP, _fill(texts.follow_up, days=follow), follow))
    if criteria:
        report = Text(
            texts.report.ja.format(criteria="、".join(c.label.ja for c in criteria)),
            texts.report.en.format(criteria=", ".join(c.label.en for c in criteria)),
        )
        actions.append(action(ActionCode.REPORT, report, 0))
    if ctcae.grade is None or undecided:
        names = [*ctcae.missing, *(_CRITERION_FIELD[c] for c in undecided)]
        fields_ = [_FIELD_LABELS[n] for n in dict.fromkeys(names)]
        record = Text(
            texts.complete_record.ja.format(fields="、".join(f.ja for f in fields_)),
            texts.complete_record.en.format(fields=", ".join(f.en for f in fields_)),
        )
        actions.append(action(ActionCode.COMPLETE_RECORD, record, None))
    return tuple(actions)
