"""What the reaction log records: administrations, follow-ups, consents, screenings.

These are plain frozen values (no storage here). They are built from JSON through the
library's converter with :meth:`from_dict`, which reports every problem with its path,
or directly in Python, where the same checks run as attrs validators.

Identifiers are *opaque*: a patient is named by the clinic's id (e.g. a chart number),
never by a name. Free text (notes) never appears in a ``repr`` or an error message.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from attrs import field, frozen

from ._common import Route
from ._convert import (
    Expected,
    bounded_decimal,
    bounded_int,
    canonical_json,
    checks,
    converter,
    nested,
    sha256_hex,
    structure,
    structure_datetime,
    text_check,
    to_member,
    with_checks,
)
from ._errors import ValidationError
from ._limits import MAX_DAYS_AT_ROOM_TEMPERATURE, MAX_VOLUME_ML, STORAGE_TEMPERATURE_C

__all__ = [
    "Administration",
    "ConsentRecord",
    "ConsentWithdrawal",
    "FollowUp",
    "FollowUpStatus",
    "GateOverride",
    "Origin",
    "PhysicianReview",
    "Product",
    "ReviewDecision",
    "ScreeningRecord",
    "Sourcing",
    "StorageCheck",
    "check_aware",
    "check_id",
    "check_ids",
    "check_label",
    "check_sha256",
    "json_object",
]

T = TypeVar("T")

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


# ---------------------------------------------------------------------------- checks


def check_id(value: object) -> str:
    """An opaque id: 1–64 ASCII letters, digits or ``. _ : -`` (so never a written name)."""
    if type(value) is not str or not _is_id(value):
        raise Expected(
            "expected an opaque id (1-64 characters A-Z a-z 0-9 . _ : -, starting with a "
            "letter or digit)"
        )
    return value


def check_sha256(value: object) -> str:
    """A SHA-256 digest as 64 lowercase hex digits."""
    if type(value) is not str or not _SHA256_RE.fullmatch(value):
        raise Expected("expected a SHA-256 digest (64 lowercase hex digits)")
    return value


check_label = text_check("label", line=True)
"""A short single-line label (maker, site, concentration): at most 200 characters."""


# Ids repeat (lots, staff): remember the ones already checked.
@functools.lru_cache(maxsize=65536)
def _is_id(value: str) -> bool:
    return _ID_RE.fullmatch(value) is not None


def json_object(value: object) -> dict[str, Any]:
    """A JSON object (e.g. a stored result), copied."""
    if not isinstance(value, Mapping):
        raise Expected("expected an object")
    return dict(value)


def check_ids(value: object) -> tuple[str, ...]:
    """A list of distinct opaque ids (:func:`check_id`)."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise Expected("expected a list of opaque ids")
    for v in value:
        check_id(v)
    if len(set(value)) != len(value):
        raise Expected("expected each id at most once")
    return tuple(value)


check_reason = text_check("text")
"""A non-empty free text (kept out of reprs and errors by its field)."""

check_volume = bounded_decimal(
    Decimal(0), MAX_VOLUME_ML, low_open=True, places=3, what="a volume in mL"
)
"""An administered volume: more than 0 and at most 1,000 mL, to 0.001 mL."""


def check_aware(value: object) -> dt.datetime:
    """An aware date-time, normalised to UTC."""
    return structure_datetime(value)


# ---------------------------------------------------------------------------- enums


class Origin(enum.StrEnum):
    """Where the cells that made the product came from (domain contract §1)."""

    ADIPOSE = "adipose"
    UMBILICAL_CORD = "umbilical_cord"
    DENTAL_PULP = "dental_pulp"
    OTHER = "other"


class Sourcing(enum.StrEnum):
    """Whether the product is made in Japan or imported."""

    DOMESTIC = "domestic"
    IMPORTED = "imported"


class ReviewDecision(enum.StrEnum):
    """What the physician decided on reviewing a screening."""

    PROCEED = "proceed"
    POSTPONE = "postpone"
    REFUSE = "refuse"


class FollowUpStatus(enum.StrEnum):
    """Whether a reaction still needs follow-up."""

    OPEN = "open"
    CLOSED = "closed"


# ---------------------------------------------------------------------------- values


def _to_origin(value: Origin | str) -> Origin:
    return to_member(Origin, value, "origin")


def _to_sourcing(value: Sourcing | str) -> Sourcing:
    return to_member(Sourcing, value, "sourcing")


def _to_route(value: Route | str) -> Route:
    return to_member(Route, value, "route")


def _to_status(value: FollowUpStatus | str) -> FollowUpStatus:
    return to_member(FollowUpStatus, value, "status")


def _to_decision(value: ReviewDecision | str) -> ReviewDecision:
    return to_member(ReviewDecision, value, "decision")


def _to_routes(values: object) -> tuple[Route, ...]:
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise ValidationError(["routes: expected a list of routes"], what="routes")
    out = tuple(to_member(Route, v, "routes") for v in values)
    if len(set(out)) != len(out):
        raise ValidationError(["routes: expected each route at most once"], what="routes")
    return out


@frozen(field_transformer=with_checks)
class StorageCheck:
    """The cold-chain check done before use.

    ``cold_chain_ok`` is the staff's yes/no; ``temperature_c`` and ``days_at_room_temperature``
    are what was read, when known (the article notes quality drops after about ten days at
    room temperature).
    """

    cold_chain_ok: bool
    checked_by: str = field(metadata=checks(check_id))
    temperature_c: Decimal | None = field(
        default=None,
        metadata=checks(
            bounded_decimal(*STORAGE_TEMPERATURE_C, optional=True, what="a temperature in °C")
        ),
    )
    days_at_room_temperature: int | None = field(
        default=None, metadata=checks(bounded_int(0, MAX_DAYS_AT_ROOM_TEMPERATURE, optional=True))
    )


@frozen(field_transformer=with_checks)
class Product:
    """The product given: origin, maker, domestic or imported, concentration and lot."""

    origin: Origin = field(converter=_to_origin)
    maker: str = field(metadata=checks(check_label))
    sourcing: Sourcing = field(converter=_to_sourcing)
    concentration: str = field(metadata=checks(check_label))
    """As the maker states it, e.g. ``"1.0e10 particles/mL"``."""
    lot: str = field(metadata=checks(check_id))


@frozen(field_transformer=with_checks)
class Administration:
    """One administration of a product to a patient.

    ``administered_at`` is stored in UTC (give any time zone); ``patient_id``,
    ``physician_id``, ``screening_result_id`` and ``consent_id`` are opaque ids — the
    screening result and consent the administration relied on.
    """

    patient_id: str = field(metadata=checks(check_id))
    administered_at: dt.datetime = field(metadata=checks(check_aware))
    route: Route = field(converter=_to_route)
    site: str = field(metadata=checks(check_label))
    volume_ml: Decimal = field(metadata=checks(check_volume))
    product: Product = field(metadata=nested(Product))
    storage_check: StorageCheck = field(metadata=nested(StorageCheck))
    physician_id: str = field(metadata=checks(check_id))
    screening_result_id: str = field(metadata=checks(check_id))
    consent_id: str = field(metadata=checks(check_id))

    @classmethod
    def from_dict(cls, data: object) -> Administration:
        """An administration from JSON-like data; raises ValidationError listing every problem."""
        return structure(data, cls, path="administration", what="administration")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; ``from_dict(a.to_dict()) == a``."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


@frozen(field_transformer=with_checks)
class FollowUp:
    """A follow-up of a logged reaction: still open (with a due date) or closed.

    The latest follow-up of a reaction tells whether it is open. ``note`` is free text
    and never shown in ``repr``.
    """

    reaction_id: str = field(metadata=checks(check_id))
    status: FollowUpStatus = field(converter=_to_status)
    recorded_by: str = field(metadata=checks(check_id))
    on: dt.datetime = field(metadata=checks(check_aware))
    due_on: dt.date | None = None
    note: str | None = field(
        default=None, repr=False, metadata=checks(text_check("text", optional=True, blank=True))
    )

    @classmethod
    def from_dict(cls, data: object) -> FollowUp:
        """A follow-up from JSON-like data."""
        return structure(data, cls, path="follow_up", what="follow-up")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


@frozen(field_transformer=with_checks)
class ConsentRecord:
    """Proof of which consent document a patient saw.

    The SHA-256 of the consent request and of the PDF, and the template (id, version,
    SHA-256) it was rendered from; when and by whom.
    """

    consent_id: str = field(metadata=checks(check_id))
    patient_id: str = field(metadata=checks(check_id))
    request_sha256: str = field(metadata=checks(check_sha256))
    pdf_sha256: str = field(metadata=checks(check_sha256))
    template_id: str = field(metadata=checks(check_id))
    template_version: str = field(metadata=checks(check_id))
    template_sha256: str = field(metadata=checks(check_sha256))
    rendered_at: dt.datetime = field(metadata=checks(check_aware))
    rendered_by: str = field(metadata=checks(check_id))
    routes: tuple[Route, ...] = field(default=(), converter=_to_routes)
    """The planned routes the consent covers (a record made before routes were kept
    covers none: the gate then refuses, fail-safe)."""
    screening_result_ids: tuple[str, ...] = field(default=(), metadata=checks(check_ids))
    """The screenings the document relied on, one per planned route at least."""
    review_ids: tuple[str, ...] = field(default=(), metadata=checks(check_ids))
    """The recorded physician reviews the document says the physician made."""
    signed_pdf_sha256: str | None = field(
        default=None, metadata=checks(lambda v: v if v is None else check_sha256(v))
    )
    """SHA-256 of the signed PDF (PAdES), when the document was signed before recording.

    The signature is an incremental update, so the signed file still holds the
    unsigned one byte for byte: either file can be proven to be the one given.
    """

    @classmethod
    def from_dict(cls, data: object) -> ConsentRecord:
        """A consent record from JSON-like data."""
        return structure(data, cls, path="consent", what="consent record")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (``signed_pdf_sha256`` only when there is one)."""
        data: dict[str, Any] = converter.unstructure(self)
        if data.get("signed_pdf_sha256") is None:
            data.pop("signed_pdf_sha256", None)
        return data


class _ScreeningResultLike(Protocol):
    @property
    def result_id(self) -> str: ...
    @property
    def decision(self) -> object: ...
    def to_dict(self) -> dict[str, Any]: ...


class _AnswersLike(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


def _json_object_or_none(value: object) -> dict[str, Any] | None:
    return None if value is None else json_object(value)


@frozen(field_transformer=with_checks)
class ScreeningRecord:
    """A screening result as it was recorded for a patient.

    ``result`` is the result's own JSON (``ScreeningResult.to_dict()``); ``result_id`` and
    ``decision`` are copied out of it so the log can be queried. ``answers`` is the pinned
    answers document the patient gave (``Answers.to_dict()``: the QuestionnaireResponse),
    so the screening can be re-run from the log. Neither is ever shown in ``repr``.
    """

    patient_id: str = field(metadata=checks(check_id))
    result_id: str = field(metadata=checks(check_id))
    decision: str = field(metadata=checks(check_id))
    result: Mapping[str, Any] = field(repr=False, metadata=checks(json_object))
    answers: Mapping[str, Any] | None = field(
        default=None, repr=False, metadata=checks(_json_object_or_none)
    )

    def __attrs_post_init__(self) -> None:
        if self.result_id != self.result_sha256:
            raise ValidationError(
                ["result_id: expected the SHA-256 of the result's canonical JSON"],
                what="screening record",
            )

    @classmethod
    def from_result(
        cls,
        result: _ScreeningResultLike,
        *,
        patient_id: str,
        answers: _AnswersLike | None = None,
    ) -> ScreeningRecord:
        """Record a ``ScreeningResult`` for ``patient_id``, with the answers it was made from."""
        return cls(
            patient_id=patient_id,
            result_id=result.result_id,
            decision=str(getattr(result.decision, "value", result.decision)),
            result=result.to_dict(),
            answers=None if answers is None else answers.to_dict(),
        )

    @classmethod
    def from_dict(cls, data: object) -> ScreeningRecord:
        """A screening record from JSON-like data."""
        return structure(data, cls, path="screening", what="screening record")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data: dict[str, Any] = converter.unstructure(self)
        return data

    @property
    def result_sha256(self) -> str:
        """SHA-256 of the canonical JSON of the stored result."""
        return sha256_hex(canonical_json(dict(self.result)))


@frozen(field_transformer=with_checks)
class PhysicianReview:
    """A physician's recorded review of one or more screenings of a patient.

    ``findings`` are the rule ids the physician checked; ``decision`` is proceed, postpone or
    refuse. With ``override=True`` the review goes ahead past a screening that is
    ``contraindicated``, ``incomplete`` or ``postpone`` — the log refuses it on any other
    screening. ``reason`` is free text: never in a ``repr`` or an error.
    """

    review_id: str = field(metadata=checks(check_id))
    patient_id: str = field(metadata=checks(check_id))
    screening_result_ids: tuple[str, ...] = field(metadata=checks(check_ids))
    findings: tuple[str, ...] = field(metadata=checks(check_ids))
    decision: ReviewDecision = field(converter=_to_decision)
    reviewed_by: str = field(metadata=checks(check_id))
    reviewed_at: dt.datetime = field(metadata=checks(check_aware))
    reason: str = field(repr=False, metadata=checks(check_reason))
    override: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.screening_result_ids:
            raise ValidationError(
                ["screening_result_ids: expected at least one screening"], what="review"
            )

    @classmethod
    def from_dict(cls, data: object) -> PhysicianReview:
        """A review from JSON-like data; raises ValidationError listing every problem."""
        return structure(data, cls, path="review", what="review")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; ``from_dict(r.to_dict()) == r``."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


@frozen(field_transformer=with_checks)
class GateOverride:
    """Who let an administration past the safety gate, and why.

    Pass ``GateOverride(by=..., reason=...)`` to ``administer``/``administer_many``/``amend``;
    the log stores it with the entry, ``bypassed`` filled with the checks that failed.
    ``reason`` is free text: never in a ``repr`` or an error.
    """

    by: str = field(metadata=checks(check_id))
    reason: str = field(repr=False, metadata=checks(check_reason))
    bypassed: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: object) -> GateOverride:
        """An override from JSON-like data."""
        return structure(data, cls, path="override", what="override")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


@frozen(field_transformer=with_checks)
class ConsentWithdrawal:
    """A patient withdrew a consent: no administration may rely on it afterwards."""

    consent_id: str = field(metadata=checks(check_id))
    patient_id: str = field(metadata=checks(check_id))
    withdrawn_at: dt.datetime = field(metadata=checks(check_aware))
    recorded_by: str = field(metadata=checks(check_id))

    @classmethod
    def from_dict(cls, data: object) -> ConsentWithdrawal:
        """A withdrawal from JSON-like data."""
        return structure(data, cls, path="withdrawal", what="consent withdrawal")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data: dict[str, Any] = converter.unstructure(self)
        return data
