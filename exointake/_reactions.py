"""A reaction as the log records it: the graded reaction plus who, when, vitals, causality."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from attrs import field, frozen

from ._convert import (
    bounded_decimal,
    bounded_int,
    checks,
    converter,
    nested,
    structure,
    text_check,
    to_member,
    with_checks,
)
from ._errors import ValidationError
from ._reaction import (
    Reaction,
    raw_symptom_pairs,
    symptom_errors,
)
from ._records import check_aware, check_id
from ._vocabulary import (
    Vocabulary,
    load_vocabulary,
)

__all__ = ["Causality", "ReactionRecord", "VitalSigns"]


class Causality(enum.StrEnum):
    """WHO-UMC causality assessment of a reaction and the administration it followed."""

    CERTAIN = "certain"
    PROBABLE = "probable"
    POSSIBLE = "possible"
    UNLIKELY = "unlikely"
    CONDITIONAL = "conditional"
    UNASSESSABLE = "unassessable"

    @property
    def label(self) -> str:
        """The category's name in the WHO-UMC system's own words (e.g. "Probable/Likely",
        "Conditional/Unclassified"); the stored value stays the short code."""
        return _WHO_UMC_LABELS[self]


_WHO_UMC_LABELS = {
    Causality.CERTAIN: "Certain",
    Causality.PROBABLE: "Probable/Likely",
    Causality.POSSIBLE: "Possible",
    Causality.UNLIKELY: "Unlikely",
    Causality.CONDITIONAL: "Conditional/Unclassified",
    Causality.UNASSESSABLE: "Unassessable/Unclassifiable",
}
"""WHO-UMC, "The use of the WHO-UMC system for standardised case causality assessment"
(Uppsala Monitoring Centre): the six categories' names."""


_temperature = bounded_decimal(
    Decimal(30), Decimal(45), optional=True, what="a body temperature in °C"
)
_SYSTOLIC = bounded_int(20, 300, optional=True)
_DIASTOLIC = bounded_int(10, 200, optional=True)
_HEART_RATE = bounded_int(10, 300, optional=True)
_RESP_RATE = bounded_int(2, 80, optional=True)
_SPO2 = bounded_int(30, 100, optional=True)


def _to_causality(value: Causality | str) -> Causality:
    return to_member(Causality, value, "causality")


@frozen(field_transformer=with_checks)
class VitalSigns:
    """Vital signs measured during the reaction; every field is optional."""

    systolic_mmhg: int | None = field(default=None, metadata=checks(_SYSTOLIC))
    diastolic_mmhg: int | None = field(default=None, metadata=checks(_DIASTOLIC))
    heart_rate_bpm: int | None = field(default=None, metadata=checks(_HEART_RATE))
    respiratory_rate: int | None = field(default=None, metadata=checks(_RESP_RATE))
    spo2_percent: int | None = field(default=None, metadata=checks(_SPO2))
    temperature_c: Decimal | None = field(default=None, metadata=checks(_temperature))


@frozen(field_transformer=with_checks)
class ReactionRecord:
    """A reaction after an administration, as reported by staff.

    ``reaction`` is what grading reads (symptoms, onset minutes, interventions,
    hospitalization, outcome); ``onset`` is when it began (stored in UTC);
    ``causality`` is the WHO-UMC assessment; ``reporter`` an opaque staff id. ``note`` is
    free text: it is stored, but never shown in ``repr``, errors or log lines.
    """

    administration_id: str = field(metadata=checks(check_id))
    onset: dt.datetime = field(metadata=checks(check_aware))
    reaction: Reaction = field(metadata=nested(Reaction))
    causality: Causality = field(converter=_to_causality)
    reporter: str = field(metadata=checks(check_id))
    vital_signs: VitalSigns | None = field(default=None, metadata=nested(VitalSigns, optional=True))
    note: str | None = field(
        default=None, repr=False, metadata=checks(text_check("text", optional=True, blank=True))
    )

    @classmethod
    def from_dict(cls, data: object, *, vocabulary: Vocabulary | None = None) -> ReactionRecord:
        """A reaction record from JSON-like data; raises ValidationError listing every problem.

        Args:
            data: the record's plain data.
            vocabulary: the vocabulary symptom codes are checked against (the bundled
                newest by default).
        """
        raw = data.get("reaction") if isinstance(data, Mapping) else None
        unknown = symptom_errors(
            raw_symptom_pairs(raw), vocabulary or load_vocabulary(), "reaction.reaction.symptoms"
        )
        try:
            record = structure(data, cls, path="reaction", what="reaction")
        except ValidationError as exc:
            raise ValidationError([*exc.errors, *unknown], what="reaction") from None
        if unknown:
            raise ValidationError(unknown, what="reaction")
        return record

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; ``from_dict(r.to_dict()) == r``."""
        data: dict[str, Any] = converter.unstructure(self)
        return data
