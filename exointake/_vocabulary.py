"""The symptom vocabulary and the article's severity table: codes, rows and their loading.

Both are versioned data files (``exointake/data/vocabulary``, ``exointake/data/severity``)
loaded through the one converter and the one bundled-data loader; this module holds
their shape and checks, never their content.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from attrs import field, fields, frozen

from . import _bundled
from ._common import Text
from ._convert import (
    converter,
)
from ._errors import ValidationError

__all__ = [
    "EVENT_RECORD_FIELDS",
    "RECORD_FIELDS",
    "STABLE_CODES",
    "ActionTexts",
    "BrightonRole",
    "Category",
    "CtcaeTerm",
    "CtcaeTermDef",
    "DataSource",
    "EventKind",
    "EventRow",
    "Extent",
    "OrganSystem",
    "SeriousnessCriterion",
    "SeverityRow",
    "SeverityTable",
    "SymptomDef",
    "Vocabulary",
    "fill_text",
    "load_severity_table",
    "load_vocabulary",
]


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
    GENERAL = "general"
    """Whole-body signs outside Brighton's groups (fever, chills, sepsis)."""


class EventKind(enum.StrEnum):
    """Which kind of event a sign, and a graded reaction, belongs to.

    The article's table covers allergic-type reactions (``table_reaction``); infections
    and product-quality signs (fever, chills, cellulitis, abscess, sepsis) and
    needle-related events (vasovagal reaction, fainting, isolated hypotension) are
    events of their own, never forced into a table row.
    """

    TABLE_REACTION = "table_reaction"
    INFECTION = "infection"
    NEEDLE_RELATED = "needle_related"
    OTHER = "other"


class CtcaeTerm(enum.StrEnum):
    """The CTCAE v5.0 terms a reaction to an exosome product is graded under (the
    severity table quotes each with its MedDRA code and grade texts)."""

    INJECTION_SITE_REACTION = "Injection site reaction"
    ALLERGIC_REACTION = "Allergic reaction"
    INFUSION_RELATED_REACTION = "Infusion related reaction"
    ANAPHYLAXIS = "Anaphylaxis"
    URTICARIA = "Urticaria"
    FEVER = "Fever"
    CHILLS = "Chills"
    SKIN_INFECTION = "Skin infection"
    SOFT_TISSUE_INFECTION = "Soft tissue infection"
    SEPSIS = "Sepsis"
    SYNCOPE = "Syncope"
    VASOVAGAL_REACTION = "Vasovagal reaction"
    PRESYNCOPE = "Presyncope"
    HYPOTENSION = "Hypotension"
    SINUS_BRADYCARDIA = "Sinus bradycardia"
    """A slow pulse (table revision 3 and vocabulary 3 on); before, a bradycardia alone
    was graded as Hypotension."""


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


class SeriousnessCriterion(enum.StrEnum):
    """ICH E2A criteria that make an adverse event serious (their words: the severity table)."""

    DEATH = "death"
    LIFE_THREATENING = "life_threatening"
    HOSPITALIZATION = "hospitalization"
    DISABILITY = "disability"
    CONGENITAL_ANOMALY = "congenital_anomaly"
    MEDICALLY_IMPORTANT = "medically_important"

    @property
    def label(self) -> Text:
        """The criterion in words, from the bundled newest severity table."""
        return load_severity_table().criterion_labels[self.value]


RECORD_FIELDS = (
    "route",
    "interventions",
    "hospitalization",
    "outcome",
    "body_surface_percent",
    "life_threatening",
    "prolonged",
    "disability",
    "congenital_anomaly",
    "medically_important",
)
"""The fields grading may ask to record (``CtcaeGrade.missing``, the complete-record
action); the severity table names each in words."""

EVENT_RECORD_FIELDS = ("temperature_c", "hours_above_40c", "blood_culture_positive")
"""The fields grading may ask to record for events outside the table (Fever, Sepsis);
a table that describes such events (revision 2 on) names each in words."""


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
class EventRow:
    """What the table says about a kind of event outside its rows (table revision 2 on)."""

    code: EventKind
    label: Text
    guidance: Text
    """What the patient is told about such an event."""
    follow_up_days: int
    """Follow up within this many days [practice]."""


@frozen
class CtcaeTermDef:
    """A CTCAE v5.0 term as the table quotes it: MedDRA code, SOC and grade texts."""

    term: CtcaeTerm
    meddra_llt: str
    """The term's MedDRA Lowest Level Term code, as listed by CTCAE v5.0."""
    soc: str
    grades: dict[str, str | None]
    """``"1"``-``"5"`` to the grade's text, verbatim; ``None`` where CTCAE has no such grade."""
    definition: str
    source: str = "ctcae-5.0"


@frozen
class ActionTexts:
    """The wording of each action, ja/en; ``{days}``, ``{criteria}``, ``{fields}`` (the
    fields to record) and ``{terms}`` (CTCAE terms) are filled in.

    The texts for events outside the table (``review_infection`` ... ``review_other``)
    exist from table revision 2 on; ``None`` in older tables.
    """

    review_anaphylaxis: Text
    review_anaphylaxis_not_a_case: Text
    review_allergy: Text
    review_persistent: Text
    follow_up: Text
    report: Text
    complete_record: Text
    review_infection: Text | None = None
    emergency_sepsis: Text | None = None
    lot_review: Text | None = None
    review_needle: Text | None = None
    review_other: Text | None = None


def fill_text(text: Text, **values: object) -> Text:
    return Text(text.ja.format(**values), text.en.format(**values))


@frozen
class SeverityTable:
    """The article's severity table, versioned. Build with :func:`load_severity_table`."""

    id: str
    version: str
    source: DataSource
    rows: tuple[SeverityRow, ...]
    actions: ActionTexts
    criterion_labels: Mapping[str, Text]
    """Each ICH E2A criterion (:class:`SeriousnessCriterion`) in words."""
    field_labels: Mapping[str, Text]
    """Each field grading may ask to record (:data:`RECORD_FIELDS`) in words."""
    persistence_days: int = 3
    """Local symptoms lasting longer than this need the physician ("数日")."""
    sources: tuple[DataSource, ...] = ()
    """Further sources the table quotes (CTCAE, Brighton, ICH E2A), from revision 2 on."""
    brighton_sudden_onset_minutes: int | None = None
    """Onset within this many minutes documents a sudden onset [practice]; Brighton gives
    no number. ``None`` in tables before revision 2 (the vocabulary held it)."""
    brighton_sudden_onset_note: str | None = None
    events: tuple[EventRow, ...] = ()
    """Labels, guidance and follow-up days of the events outside the rows."""
    ctcae: tuple[CtcaeTermDef, ...] = ()
    """The CTCAE v5.0 terms grading uses, quoted with their grade texts."""

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
        errors.extend(
            f"severity.criterion_labels.{c.value}: required label missing"
            for c in SeriousnessCriterion
            if c.value not in self.criterion_labels
        )
        errors.extend(
            f"severity.field_labels.{name}: required label missing"
            for name in (*RECORD_FIELDS, *(EVENT_RECORD_FIELDS if self.events else ()))
            if name not in self.field_labels
        )
        if self.persistence_days < 1:
            errors.append("severity.persistence_days: expected at least 1")
        for a in fields(ActionTexts):
            text = getattr(self.actions, a.name)
            if text is None:
                continue
            try:
                fill_text(text, days=1, criteria="-", fields="-", terms="-")
            except (KeyError, IndexError, ValueError):
                errors.append(
                    f"severity.actions.{a.name}: only {{days}}, {{criteria}}, {{fields}} and "
                    "{terms} may be filled in"
                )
        errors.extend(_check_revision_2(self))
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

    def event(self, kind: EventKind | str) -> EventRow | None:
        """What the table says about events of ``kind`` outside its rows (``None``: nothing)."""
        return next((e for e in self.events if e.code == kind), None)

    def ctcae_term(self, term: CtcaeTerm | str) -> CtcaeTermDef | None:
        """The quoted CTCAE v5.0 term, if the table carries it."""
        return next((t for t in self.ctcae if t.term == term), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, as in the bundled file."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


def _check_revision_2(table: SeverityTable) -> list[str]:
    """The parts of a table that revision 2 added: onset cut-off, events, CTCAE terms."""
    errors = []
    onset = table.brighton_sudden_onset_minutes
    if onset is not None and onset < 1:
        errors.append("severity.brighton_sudden_onset_minutes: expected at least 1")
    kinds = [e.code for e in table.events]
    if len(set(kinds)) != len(kinds):
        errors.append("severity.events: each event kind at most once")
    if EventKind.TABLE_REACTION in kinds:
        errors.append("severity.events: table_reaction is described by the rows")
    errors.extend(
        f"severity.events[{n}].follow_up_days: expected 0 or more"
        for n, e in enumerate(table.events)
        if e.follow_up_days < 0
    )
    terms = [t.term for t in table.ctcae]
    if len(set(terms)) != len(terms):
        errors.append("severity.ctcae: each term at most once")
    errors.extend(
        f"severity.ctcae[{n}].grades: expected the keys 1 to 5"
        for n, t in enumerate(table.ctcae)
        if sorted(t.grades) != ["1", "2", "3", "4", "5"]
    )
    return errors


@frozen
class SymptomDef:
    """One code of the symptom vocabulary and how each grading reads it."""

    code: str
    label: Text
    row: Category | None
    """The article row this sign belongs to; ``None`` for events outside the table."""
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
    event: EventKind = EventKind.TABLE_REACTION
    """The kind of event the sign belongs to (vocabulary 2 on)."""
    ctcae: CtcaeTerm | None = None
    """The CTCAE v5.0 term the sign is graded under as an event of its own (events
    outside the table)."""

    def row_for(self, extent: Extent | None) -> Category | None:
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
    brighton_sudden_onset_minutes: int | None = None
    """Onset within this many minutes documents a sudden onset [practice]: vocabulary 1
    held the cut-off (120); from table revision 2 the severity table holds it."""
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
        if s.row is None:
            if s.event is EventKind.TABLE_REACTION:
                errors.append(f"{path}.row: a table_reaction sign needs an article row")
            if s.row_generalized is not None:
                errors.append(f"{path}.row_generalized: a sign without a row has none")
        elif s.row_generalized is not None and s.row_generalized.rank < s.row.rank:
            errors.append(f"{path}.row_generalized: must not be lower than row")
        if s.stable and s.code not in STABLE_CODES:
            errors.append(f"{path}.stable: {s.code!r} is not one of the article's codes")
    missing = [c for c in STABLE_CODES if c not in seen]
    if missing:
        errors.append(f"vocabulary.symptoms: the stable codes are missing: {', '.join(missing)}")
    unstable = [s.code for s in v.symptoms if s.code in STABLE_CODES and not s.stable]
    if unstable:
        errors.append(f"vocabulary.symptoms: must be marked stable: {', '.join(unstable)}")
    if v.brighton_sudden_onset_minutes is not None and v.brighton_sudden_onset_minutes < 1:
        errors.append("vocabulary.brighton_sudden_onset_minutes: expected at least 1")
    return errors


def load_severity_table(version: str | None = None) -> SeverityTable:
    """The bundled severity table; the newest unless ``version`` is given."""
    return _bundled.load_single(
        "severity", version, SeverityTable, path="severity", what="severity table"
    )


def load_vocabulary(version: str | None = None) -> Vocabulary:
    """The bundled symptom vocabulary; the newest unless ``version`` is given."""
    return _bundled.load_single(
        "vocabulary", version, Vocabulary, path="vocabulary", what="vocabulary"
    )
