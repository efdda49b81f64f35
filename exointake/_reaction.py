"""A reaction as grading reads it: symptoms (vocabulary codes with an extent) and what was done.

Unknown is ``None`` and never read as "no". The constructors only store and check types;
symptom codes are checked against a vocabulary given as an argument.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from attrs import field, frozen

from ._convert import (
    Expected,
    checks,
    converter,
    describe_type,
    fields_structurer,
    safe_repr,
    structure,
    structure_decimal,
    to_enum,
    with_checks,
)
from ._errors import ValidationError
from ._vocabulary import Extent, Vocabulary, load_vocabulary

__all__ = [
    "Intervention",
    "Outcome",
    "Reaction",
    "Symptom",
    "check_code",
    "raw_symptom_pairs",
    "symptom_errors",
]


_E = TypeVar("_E", bound=enum.Enum)


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
    """Adrenaline by injection, route not recorded (intramuscular or intravenous): records
    made before ``adrenaline_im``/``adrenaline_iv`` existed. CTCAE grades differ by route,
    so grading takes it as either and says when that leaves the grade open."""
    OXYGEN = "oxygen"
    BRONCHODILATOR = "bronchodilator"
    URGENT = "urgent"
    """Urgent intervention: resuscitation, airway support, emergency transfer."""
    OPERATIVE = "operative"
    """A surgical procedure (e.g. debridement of the site)."""
    IM = "im"
    """Intramuscular or subcutaneous medicine other than adrenaline (e.g. an antihistamine)."""
    ADRENALINE_IM = "adrenaline_im"
    """Adrenaline into a muscle (the first-line route for anaphylaxis)."""
    ADRENALINE_IV = "adrenaline_iv"
    """Adrenaline into a vein."""
    OPIOID = "opioid"
    """An opioid (CTCAE's "narcotics"), e.g. pethidine for rigors."""
    INVASIVE = "invasive"
    """An invasive procedure short of surgery, e.g. incision and drainage of an abscess."""


class Outcome(enum.StrEnum):
    """The reaction's outcome as last recorded (E2B/FHIR style)."""

    RECOVERED = "recovered"
    RECOVERING = "recovering"
    NOT_RECOVERED = "not_recovered"
    RECOVERED_WITH_SEQUELAE = "recovered_with_sequelae"
    FATAL = "fatal"
    UNKNOWN = "unknown"


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
    symptoms: Iterable[tuple[object, object]],
    vocabulary: Vocabulary,
    path: str = "reaction.symptoms",
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


_INT_FIELDS = ("onset_minutes", "duration_days", "body_surface_percent", "hours_above_40c")


_INT_MAX = {
    "onset_minutes": 366 * 24 * 60,
    "duration_days": 36_600,
    "body_surface_percent": 100,
    "hours_above_40c": 366 * 24,
}
"""Upper bounds: a year for the onset and a fever, a century for the duration, all of the
body."""
_TEMPERATURE_RANGE = (Decimal(30), Decimal(45))


def _to_temperature(value: object) -> object:
    """Numbers become a Decimal (``38.5`` reads as ``Decimal("38.5")``); anything else is
    left for the field check, which names the field."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        with contextlib.suppress(Expected):
            return structure_decimal(value)
    return value


_OPTIONAL_BOOL_FIELDS = (
    "rapid_progression",
    "hospitalization",
    "worsening",
    "prolonged",
    "life_threatening",
    "disability",
    "congenital_anomaly",
    "medically_important",
    "blood_culture_positive",
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
    temperature_c: Decimal | None = field(default=None, converter=_to_temperature)
    """The highest body temperature measured, °C (CTCAE Fever is graded by it)."""
    hours_above_40c: int | None = None
    """How many hours the temperature stayed above 40.0 °C (CTCAE Fever grade 3 or 4)."""
    blood_culture_positive: bool | None = None
    """The blood culture grew an organism (CTCAE Sepsis grade 3 needs it)."""

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
        low, high = _TEMPERATURE_RANGE
        if self.temperature_c is not None and not isinstance(self.temperature_c, Decimal):
            errors.append(
                f"temperature_c: expected a number or null, got {describe_type(self.temperature_c)}"
            )
        elif self.temperature_c is not None and not low <= self.temperature_c <= high:
            errors.append(f"temperature_c: expected a body temperature in °C from {low} to {high}")
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
                ``reaction.symptoms[1].code: unknown symptom code 'foo'``.
        """
        if vocabulary is not None and not isinstance(vocabulary, Vocabulary):
            raise ValidationError(
                [f"vocabulary: expected a Vocabulary, got {describe_type(vocabulary)}"],
                what="reaction",
            )
        unknown = symptom_errors(raw_symptom_pairs(data), vocabulary or load_vocabulary())
        try:
            reaction = structure(data, cls, path="reaction", what="reaction")
        except ValidationError as exc:
            raise ValidationError([*exc.errors, *unknown], what="reaction") from None
        if unknown:
            raise ValidationError(unknown, what="reaction")
        return reaction

    def check(self, vocabulary: Vocabulary | None = None) -> None:
        """Refuse symptoms ``vocabulary`` (the bundled newest by default) does not know.

        Raises:
            ValidationError: ``reaction.symptoms[n].code: unknown symptom code ...`` or an extent
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
