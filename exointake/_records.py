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
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from attrs import Attribute, field, frozen
from cattrs.gen import make_dict_structure_fn, override

from ._common import Route
from ._convert import (
    Expected,
    canonical_json,
    converter,
    safe_repr,
    sha256_hex,
    structure,
    structure_datetime,
    structure_decimal,
)
from ._errors import ValidationError

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
    "check_id",
    "check_sha256",
]

T = TypeVar("T")

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_SHORT_RE = re.compile(r"[^\x00-\x1f\x7f]{1,100}")


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


def check_label(value: object) -> str:
    """A short single-line label (maker, site, concentration): 1–100 printable characters."""
    if type(value) is not str or not _is_label(value):
        raise Expected("expected a short single-line text (1-100 characters, no line breaks)")
    return value


# Ids and labels repeat (lots, makers, staff): remember the ones already checked.
@functools.lru_cache(maxsize=65536)
def _is_id(value: str) -> bool:
    return _ID_RE.fullmatch(value) is not None


@functools.lru_cache(maxsize=4096)
def _is_label(value: str) -> bool:
    return _SHORT_RE.fullmatch(value) is not None and value == value.strip()


def check_positive_decimal(value: object) -> Decimal:
    """A decimal number greater than zero."""
    d = structure_decimal(value)
    if d <= 0:
        raise Expected("expected a number greater than 0")
    return d


def check_aware(value: object) -> dt.datetime:
    """An aware date-time, normalised to UTC."""
    return structure_datetime(value)


def _validator(check: Callable[[object], object]) -> Callable[[object, Attribute[Any], Any], None]:
    """An attrs validator running ``check`` (so Python construction is checked too)."""

    def validate(_inst: object, attribute: Attribute[Any], value: object) -> None:
        try:
            check(value)
        except Expected as exc:
            raise ValidationError([f"{attribute.name}: {exc}"], what=type(_inst).__name__) from None

    return validate


def _to_utc(value: dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(["expected an aware date-time (with a time zone)"], what="date-time")
    return value.astimezone(dt.UTC)


def _field_hook(check: Callable[[object], object]) -> Callable[[object, object], object]:
    def hook(value: object, _type: object) -> object:
        return check(value)

    return hook


def register_checked(cls: type[T], **checks: Callable[[object], object]) -> type[T]:
    """Structure ``cls`` with per-field checks, so errors carry the field's path."""
    overrides: dict[str, Any] = {
        name: override(struct_hook=_field_hook(check)) for name, check in checks.items()
    }
    converter.register_structure_hook(cls, make_dict_structure_fn(cls, converter, **overrides))
    return cls


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


E = TypeVar("E", bound=enum.Enum)


def _to_enum(cls: type[E], value: object) -> E:
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        choices = "|".join(str(m.value) for m in cls)
        raise ValidationError(
            [f"expected one of {choices}, got {safe_repr(value)}"], what=cls.__name__
        ) from None


def _origin(value: Origin | str) -> Origin:
    return _to_enum(Origin, value)


def _sourcing(value: Sourcing | str) -> Sourcing:
    return _to_enum(Sourcing, value)


def _route(value: Route | str) -> Route:
    return _to_enum(Route, value)


def _status(value: FollowUpStatus | str) -> FollowUpStatus:
    return _to_enum(FollowUpStatus, value)


def _routes(values: object) -> tuple[Route, ...]:
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise ValidationError(["expected a list of routes"], what="routes")
    out = tuple(_route(v) for v in values)
    if len(set(out)) != len(out):
        raise ValidationError(["expected each route at most once"], what="routes")
    return out


def _review_decision(value: ReviewDecision | str) -> ReviewDecision:
    return _to_enum(ReviewDecision, value)


def _check_ids(values: object) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise Expected("expected a list of opaque ids")
    for v in values:
        check_id(v)
    if len(set(values)) != len(values):
        raise Expected("expected each id at most once")
    return tuple(values)


def _check_reason(value: object) -> str:
    if type(value) is not str or not value.strip():
        raise Expected("expected a non-empty text")
    return value


# ---------------------------------------------------------------------------- values


@frozen
class StorageCheck:
    """The cold-chain check done before use.

    ``cold_chain_ok`` is the staff's yes/no; ``temperature_c`` and ``days_at_room_temperature``
    are what was read, when known (the article notes quality drops after about ten days at
    room temperature).
    """

    cold_chain_ok: bool
    checked_by: str = field(validator=_validator(check_id))
    temperature_c: Decimal | None = None
    days_at_room_temperature: int | None = None


@frozen
class Product:
    """The product given: origin, maker, domestic or imported, concentration and lot."""

    origin: Origin = field(converter=_origin)
    maker: str = field(validator=_validator(check_label))
    sourcing: Sourcing = field(converter=_sourcing)
    concentration: str = field(validator=_validator(check_label))
    """As the maker states it, e.g. ``"1.0e10 particles/mL"``."""
    lot: str = field(validator=_validator(check_id))


@frozen
class Administration:
    """One administration of a product to a patient.

    ``administered_at`` is stored in UTC (give any time zone); ``patient_id``,
    ``physician_id``, ``screening_result_id`` and ``consent_id`` are opaque ids — the
    screening result and consent the administration relied on.
    """

    patient_id: str = field(validator=_validator(check_id))
    administered_at: dt.datetime = field(converter=_to_utc)
    route: Route = field(converter=_route)
    site: str = field(validator=_validator(check_label))
    volume_ml: Decimal = field(validator=_validator(check_positive_decimal))
    product: Product
    storage_check: StorageCheck
    physician_id: str = field(validator=_validator(check_id))
    screening_result_id: str = field(validator=_validator(check_id))
    consent_id: str = field(validator=_validator(check_id))

    @classmethod
    def from_dict(cls, data: object) -> Administration:
        """An administration from JSON-like data; raises ValidationError listing every problem."""
        return structure(data, cls, path="administration", what="administration")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; ``from_dict(a.to_dict()) == a``."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


@frozen
class FollowUp:
    """A follow-up of a logged reaction: still open (with a due date) or closed.

    The latest follow-up of a reaction tells whether it is open. ``note`` is free text
    and never shown in ``repr``.
    """

    reaction_id: str = field(validator=_validator(check_id))
    status: FollowUpStatus = field(converter=_status)
    recorded_by: str = field(validator=_validator(check_id))
    on: dt.datetime = field(converter=_to_utc)
    due_on: dt.date | None = None
    note: str | None = field(default=None, repr=False)

    @classmethod
    def from_dict(cls, data: object) -> FollowUp:
        """A follow-up from JSON-like data."""
        return structure(data, cls, path="follow_up", what="follow-up")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


@frozen
class ConsentRecord:
    """Proof of which consent document a patient saw.

    The SHA-256 of the consent request and of the PDF, and the template (id, version,
    SHA-256) it was rendered from; when and by whom.
    """

    consent_id: str = field(validator=_validator(check_id))
    patient_id: str = field(validator=_validator(check_id))
    request_sha256: str = field(validator=_validator(check_sha256))
    pdf_sha256: str = field(validator=_validator(check_sha256))
    template_id: str = field(validator=_validator(check_id))
    template_version: str = field(validator=_validator(check_id))
    template_sha256: str = field(validator=_validator(check_sha256))
    rendered_at: dt.datetime = field(converter=_to_utc)
    rendered_by: str = field(validator=_validator(check_id))
    routes: tuple[Route, ...] = field(default=(), converter=_routes)
    """The routes the plan covers (a consent with none, recorded before 0.x, covers none)."""
    screening_result_ids: tuple[str, ...] = field(default=(), validator=_validator(_check_ids))
    """The screenings the document relied on, one per route at least."""
    review_ids: tuple[str, ...] = field(default=(), validator=_validator(_check_ids))
    """The recorded physician reviews the document says the physician made."""

    @classmethod
    def from_dict(cls, data: object) -> ConsentRecord:
        """A consent record from JSON-like data."""
        return structure(data, cls, path="consent", what="consent record")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


class _ScreeningResultLike(Protocol):
    @property
    def result_id(self) -> str: ...
    @property
    def decision(self) -> object: ...
    def to_dict(self) -> dict[str, Any]: ...


class _AnswersLike(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


@frozen
class ScreeningRecord:
    """A screening result as it was recorded for a patient.

    ``result`` is the result's own JSON (``ScreeningResult.to_dict()``); ``result_id`` and
    ``decision`` are copied out of it so the log can be queried. ``answers`` is the pinned
    answers document the patient gave (``Answers.to_dict()``: the QuestionnaireResponse), so
    the screening can be re-run from the log. Neither is ever shown in ``repr``.
    """

    patient_id: str = field(validator=_validator(check_id))
    result_id: str = field(validator=_validator(check_id))
    decision: str = field(validator=_validator(check_id))
    result: Mapping[str, Any] = field(repr=False)
    answers: Mapping[str, Any] | None = field(default=None, repr=False)

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


@frozen
class PhysicianReview:
    """A physician's recorded review of one or more screenings of a patient.

    ``findings`` are the rule ids the physician checked; ``decision`` is proceed, postpone or
    refuse. With ``override=True`` the review goes ahead past a screening that is
    ``contraindicated``, ``incomplete`` or ``postpone`` — the log refuses it on any other
    screening. ``reason`` is free text: never in a ``repr`` or an error.
    """

    review_id: str = field(validator=_validator(check_id))
    patient_id: str = field(validator=_validator(check_id))
    screening_result_ids: tuple[str, ...] = field(validator=_validator(_check_ids))
    findings: tuple[str, ...] = field(validator=_validator(_check_ids))
    decision: ReviewDecision = field(converter=_review_decision)
    reviewed_by: str = field(validator=_validator(check_id))
    reviewed_at: dt.datetime = field(converter=_to_utc)
    reason: str = field(repr=False, validator=_validator(_check_reason))
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


@frozen
class GateOverride:
    """Who let an administration past the safety gate, and why.

    Pass ``GateOverride(by=..., reason=...)`` to ``administer``/``administer_many``/``amend``;
    the log stores it with the entry, ``bypassed`` filled with the checks that failed.
    ``reason`` is free text: never in a ``repr`` or an error.
    """

    by: str = field(validator=_validator(check_id))
    reason: str = field(repr=False, validator=_validator(_check_reason))
    bypassed: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: object) -> GateOverride:
        """An override from JSON-like data."""
        return structure(data, cls, path="override", what="override")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


@frozen
class ConsentWithdrawal:
    """A patient withdrew a consent: no administration may rely on it afterwards."""

    consent_id: str = field(validator=_validator(check_id))
    patient_id: str = field(validator=_validator(check_id))
    withdrawn_at: dt.datetime = field(converter=_to_utc)
    recorded_by: str = field(validator=_validator(check_id))

    @classmethod
    def from_dict(cls, data: object) -> ConsentWithdrawal:
        """A withdrawal from JSON-like data."""
        return structure(data, cls, path="withdrawal", what="consent withdrawal")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data: dict[str, Any] = converter.unstructure(self)
        return data


def _structure_json_object(value: object, _t: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Expected("expected an object")
    return dict(value)


register_checked(StorageCheck, checked_by=check_id)
register_checked(Product, maker=check_label, concentration=check_label, lot=check_id)
register_checked(
    Administration,
    patient_id=check_id,
    administered_at=check_aware,
    site=check_label,
    volume_ml=check_positive_decimal,
    physician_id=check_id,
    screening_result_id=check_id,
    consent_id=check_id,
)
register_checked(FollowUp, reaction_id=check_id, recorded_by=check_id, on=check_aware)
register_checked(
    ConsentRecord,
    consent_id=check_id,
    patient_id=check_id,
    request_sha256=check_sha256,
    pdf_sha256=check_sha256,
    template_id=check_id,
    template_version=check_id,
    template_sha256=check_sha256,
    rendered_at=check_aware,
    rendered_by=check_id,
    screening_result_ids=_check_ids,
    review_ids=_check_ids,
)
register_checked(
    PhysicianReview,
    review_id=check_id,
    patient_id=check_id,
    screening_result_ids=_check_ids,
    findings=_check_ids,
    reviewed_by=check_id,
    reviewed_at=check_aware,
    reason=_check_reason,
)
register_checked(GateOverride, by=check_id, reason=_check_reason, bypassed=_check_ids)
register_checked(
    ConsentWithdrawal,
    consent_id=check_id,
    patient_id=check_id,
    withdrawn_at=check_aware,
    recorded_by=check_id,
)
register_checked(
    ScreeningRecord,
    patient_id=check_id,
    result_id=check_id,
    decision=check_id,
    result=lambda v: _structure_json_object(v, None),
    answers=lambda v: None if v is None else _structure_json_object(v, None),
)
