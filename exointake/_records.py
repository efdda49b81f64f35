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
    canonical_json,
    checks,
    converter,
    nested,
    sha256_hex,
    structure,
    structure_datetime,
    structure_decimal,
    to_member,
    with_checks,
)
from ._errors import ValidationError

__all__ = [
    "Administration",
    "ConsentRecord",
    "FollowUp",
    "FollowUpStatus",
    "Origin",
    "Product",
    "ScreeningRecord",
    "Sourcing",
    "StorageCheck",
    "check_aware",
    "check_id",
    "check_label",
    "check_sha256",
    "json_object",
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


def json_object(value: object) -> dict[str, Any]:
    """A JSON object (e.g. a stored result), copied."""
    if not isinstance(value, Mapping):
        raise Expected("expected an object")
    return dict(value)


def check_positive_decimal(value: object) -> Decimal:
    """A decimal number greater than zero."""
    d = structure_decimal(value)
    if d <= 0:
        raise Expected("expected a number greater than 0")
    return d


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


@frozen(field_transformer=with_checks)
class StorageCheck:
    """The cold-chain check done before use.

    ``cold_chain_ok`` is the staff's yes/no; ``temperature_c`` and ``days_at_room_temperature``
    are what was read, when known (the article notes quality drops after about ten days at
    room temperature).
    """

    cold_chain_ok: bool
    checked_by: str = field(metadata=checks(check_id))
    temperature_c: Decimal | None = None
    days_at_room_temperature: int | None = None


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
    volume_ml: Decimal = field(metadata=checks(check_positive_decimal))
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
    note: str | None = field(default=None, repr=False)

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


@frozen(field_transformer=with_checks)
class ScreeningRecord:
    """A screening result as it was recorded for a patient.

    ``result`` is the result's own JSON (``ScreeningResult.to_dict()``); ``result_id`` and
    ``decision`` are copied out of it so the log can be queried. Never shown in ``repr``.
    """

    patient_id: str = field(metadata=checks(check_id))
    result_id: str = field(metadata=checks(check_id))
    decision: str = field(metadata=checks(check_id))
    result: Mapping[str, Any] = field(repr=False, metadata=checks(json_object))

    def __attrs_post_init__(self) -> None:
        if self.result_id != self.result_sha256:
            raise ValidationError(
                ["result_id: expected the SHA-256 of the result's canonical JSON"],
                what="screening record",
            )

    @classmethod
    def from_result(cls, result: _ScreeningResultLike, *, patient_id: str) -> ScreeningRecord:
        """Record a ``ScreeningResult`` for ``patient_id``."""
        return cls(
            patient_id=patient_id,
            result_id=result.result_id,
            decision=str(getattr(result.decision, "value", result.decision)),
            result=result.to_dict(),
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
