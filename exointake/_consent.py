"""Consent requests and their policy: who, what, how much, and may a consent be given.

A :class:`ConsentRequest` is data (clinic, physician, patient, treatment plan,
product, prices, the screening result it relies on...). The policy checks live
here too: whether the cooling-off of 特定商取引法 applies, and the screening gate
(no consent for a contraindicated or incomplete screening without a recorded
physician override). What the documents *say* is :mod:`exointake._document`
(``assemble``); the templates are :mod:`exointake._consent_template`; how the
documents *look* is ``_render.py``. Nothing here knows about PDF or reportlab.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from attrs import field, frozen

from ._common import JST, Lang, Route
from ._consent_template import (
    DEFAULT_TEMPLATE_ID,
    Acquisition,
    ConsentTemplate,
    ProductKind,
    TemplateRef,
    load_template,
)
from ._convert import (
    Expected,
    canonical_json,
    converter,
    sha256_hex,
    structure,
)
from ._errors import ScreeningRefused, ValidationError
from ._records import Origin, Sourcing, check_id
from ._screening import Decision, ScreeningResult

__all__ = [
    "Clinic",
    "ConsentLanguage",
    "ConsentProduct",
    "ConsentRequest",
    "Guardian",
    "IntervalUnit",
    "Patient",
    "Physician",
    "PhysicianOverride",
    "Plan",
    "Prices",
    "Treatment",
    "check_screening_gate",
    "cooling_off_applies",
    "needs_reconsent",
    "suggest_cooling_off",
]

ADULT_AGE = 18
COOLING_OFF_MIN_TOTAL_JPY = 50_000
"""特定商取引法: covered only when the plan costs *more than* ¥50,000."""


# ============================================================================ request


class ConsentLanguage(enum.StrEnum):
    """The language(s) of a consent document."""

    JA = "ja"
    EN = "en"
    JA_EN = "ja+en"

    @property
    def langs(self) -> tuple[Lang, ...]:
        """The languages, in the order they appear in the document."""
        if self is ConsentLanguage.JA_EN:
            return (Lang.JA, Lang.EN)
        return (Lang(self.value),)


class IntervalUnit(enum.StrEnum):
    """The unit of the interval between sessions."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def _nonblank(_: object, attribute: Any, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError([f"{attribute.name}: expected a non-empty string"])
    bad = sorted({f"U+{ord(c):04X}" for c in value if c != "\n" and (ord(c) < 0x20 or c == "\x7f")})
    if bad:
        raise ValidationError(
            [
                f"{attribute.name}: expected printable text, "
                f"got control character(s) {', '.join(bad)}"
            ]
        )


def _opaque_id(_: object, attribute: Any, value: str) -> None:
    try:
        check_id(value)
    except Expected as exc:
        raise ValidationError([f"{attribute.name}: {exc}"]) from None


def _nonneg(_: object, attribute: Any, value: int) -> None:
    if value < 0:
        raise ValidationError([f"{attribute.name}: expected a number >= 0"])


@frozen(repr=False)
class Clinic:
    """The clinic, as it is named on the document."""

    name: str = field(validator=_nonblank)
    address: str = field(validator=_nonblank)
    phone: str = field(validator=_nonblank)
    emergency_contact: str = field(validator=_nonblank)
    """Who to call after treatment, e.g. ``"03-1234-5678（24時間）"``."""

    def __repr__(self) -> str:
        return "Clinic(...)"


@frozen(repr=False)
class Physician:
    """The physician responsible for the treatment."""

    id: str = field(validator=_opaque_id)
    name: str = field(validator=_nonblank)

    def __repr__(self) -> str:
        return f"Physician(id={self.id!r})"


@frozen(repr=False)
class Guardian:
    """The person consenting for a minor (代諾者)."""

    name: str = field(validator=_nonblank)
    name_kana: str = field(validator=_nonblank)
    relationship: str = field(validator=_nonblank)

    def __repr__(self) -> str:
        return "Guardian(...)"


@frozen(repr=False)
class Patient:
    """The patient: an opaque id plus what the document must name."""

    id: str = field(validator=_opaque_id)
    """An opaque id (ASCII letters, digits, ``. _ : -``), never a name."""
    name: str = field(validator=_nonblank)
    """Name as written (kanji)."""
    name_kana: str = field(validator=_nonblank)
    birth_date: dt.date
    guardian: Guardian | None = None

    def __repr__(self) -> str:
        guardian = ", guardian=..." if self.guardian is not None else ""
        return f"Patient(id={self.id!r}{guardian})"

    def age_on(self, day: dt.date) -> int:
        """Age in whole years on ``day``."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def _positive(_: object, attribute: Any, value: int) -> None:
    if value < 1:
        raise ValidationError([f"{attribute.name}: expected an integer >= 1"])


@frozen
class Plan:
    """Sessions, interval, start date, and whether 特定商取引法 covers the plan.

    ``cooling_off_covered`` is the clinic's call, recorded per plan; see
    :func:`suggest_cooling_off` for the library's suggestion.
    """

    sessions: int = field(validator=_positive)
    start_date: dt.date
    cooling_off_covered: bool
    interval: int | None = field(default=None)
    interval_unit: IntervalUnit | None = None

    def __attrs_post_init__(self) -> None:
        errors = []
        if self.sessions > 1 and (self.interval is None or self.interval_unit is None):
            errors.append(
                "interval: expected an interval and interval_unit for more than 1 session"
            )
        if self.interval is not None and self.interval < 1:
            errors.append("interval: expected an integer >= 1")
        if (self.interval is None) != (self.interval_unit is None):
            errors.append("interval_unit: expected both interval and interval_unit, or neither")
        if errors:
            raise ValidationError(errors)

    @property
    def last_session(self) -> dt.date:
        """The planned date of the last session."""
        if self.sessions == 1 or self.interval is None or self.interval_unit is None:
            return self.start_date
        steps = (self.sessions - 1) * self.interval
        if self.interval_unit is IntervalUnit.DAY:
            return self.start_date + dt.timedelta(days=steps)
        if self.interval_unit is IntervalUnit.WEEK:
            return self.start_date + dt.timedelta(weeks=steps)
        return _add_months(self.start_date, steps)

    @property
    def runs_over_one_month(self) -> bool:
        """True for a multi-session course or a plan longer than one month."""
        return self.sessions > 1 or self.last_session > _add_months(self.start_date, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


@frozen
class Treatment:
    """Route(s), site and plan."""

    routes: tuple[Route, ...]
    site: str = field(validator=_nonblank)
    plan: Plan

    def __attrs_post_init__(self) -> None:
        if not self.routes:
            raise ValidationError(["routes: expected at least one route"])
        if len(set(self.routes)) != len(self.routes):
            raise ValidationError(["routes: expected each route once"])


@frozen
class ConsentProduct:
    """What a clinic must be able to say about the product (domain contract §1).

    ``origin`` and ``sourcing`` use the same vocabulary as the log's administrations.
    """

    name: str = field(validator=_nonblank)
    kind: ProductKind
    origin: Origin
    maker: str = field(validator=_nonblank)
    sourcing: Sourcing
    acquisition: Acquisition
    concentration: str = field(validator=_nonblank)
    storage: str = field(validator=_nonblank)
    lot: str | None = None


@frozen
class Prices:
    """Prices in JPY, tax-inclusive (税込), as shown to the patient."""

    per_session_jpy: int = field(validator=_nonneg)
    total_jpy: int = field(validator=_nonneg)
    cancellation_terms: str = field(validator=_nonblank)
    tax_rate_percent: int = field(default=10, validator=_nonneg)

    def tax_included(self, amount: int) -> int:
        """The consumption tax contained in a tax-inclusive ``amount`` (rounded down)."""
        return amount * self.tax_rate_percent // (100 + self.tax_rate_percent)


@frozen(repr=False)
class PhysicianOverride:
    """A physician's recorded decision to go ahead despite the screening result."""

    physician_id: str = field(validator=_opaque_id)
    reason: str = field(validator=_nonblank)
    at: dt.datetime

    def __repr__(self) -> str:
        return f"PhysicianOverride(physician_id={self.physician_id!r}, at={self.at.isoformat()})"


@frozen(repr=False)
class ConsentRequest:
    """Everything a consent document is rendered from.

    Build one with :meth:`from_dict` (JSON Schema: ``schemas/consent-request.schema.json``).
    ``document_at`` is the document's date and time (it is printed and becomes
    the PDF's creation date, so the same request always gives the same bytes).
    """

    consent_id: str = field(validator=_opaque_id)
    clinic: Clinic
    physician: Physician
    patient: Patient
    treatment: Treatment
    product: ConsentProduct
    prices: Prices
    screening: ScreeningResult
    template_version: str = field(validator=_nonblank)
    document_at: dt.datetime
    language: ConsentLanguage = ConsentLanguage.JA
    template_id: str = field(default=DEFAULT_TEMPLATE_ID, validator=_nonblank)
    override: PhysicianOverride | None = None

    def __attrs_post_init__(self) -> None:
        errors = []
        day = self.document_date
        if self.patient.birth_date > day:
            errors.append("patient.birth_date: expected a date on or before the document date")
        minor = self.patient.age_on(day) < ADULT_AGE
        needs_guardian = minor or "guardian_consent" in self.screening.requirements
        if needs_guardian and self.patient.guardian is None:
            errors.append(
                "patient.guardian: expected a guardian for a patient under 18 "
                "(or when the screening requires guardian consent)"
            )
        route = self.screening.route
        if route is not None and route not in self.treatment.routes:
            errors.append(
                f"screening.route: expected one of the treatment routes, got {route.value!r}"
            )
        if self.screening.screened_on > day:
            errors.append("screening.screened_on: expected a date on or before the document date")
        if errors:
            raise ValidationError(errors, what="consent request")

    def __repr__(self) -> str:
        return (
            f"ConsentRequest(consent_id={self.consent_id!r}, patient={self.patient.id!r}, "
            f"template={self.template_id} v{self.template_version}, "
            f"language={self.language.value})"
        )

    @property
    def document_date(self) -> dt.date:
        """The document's date in Japan."""
        return self.document_at.astimezone(JST).date()

    @property
    def is_minor(self) -> bool:
        """True when the patient is under 18 on the document date."""
        return self.patient.age_on(self.document_date) < ADULT_AGE

    @classmethod
    def from_dict(cls, data: object) -> ConsentRequest:
        """A request from plain JSON-like data; :class:`ValidationError` lists every problem."""
        return structure(data, cls, path="request", what="consent request")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; ``from_dict(r.to_dict()) == r``."""
        data: dict[str, Any] = converter.unstructure(self)
        return data

    @property
    def sha256(self) -> str:
        """SHA-256 of the request's canonical JSON."""
        return sha256_hex(canonical_json(self.to_dict()))


# ============================================================================ decisions


def suggest_cooling_off(routes: tuple[Route, ...] | list[Route]) -> bool:
    """The library's suggestion for ``Plan.cooling_off_covered``.

    Cosmetic care of the face or skin is a listed purpose under 特定商取引法;
    thinning-hair (scalp) treatment is not. The drip alone is not suggested
    either: whether it is cosmetic care depends on the clinic's purpose.
    """
    return Route.INJECTION_FACE in routes


def cooling_off_applies(request: ConsentRequest) -> bool:
    """True when the document must carry the cooling-off block (domain contract §5.7).

    The plan is marked as covered, it runs for more than one month (a
    multi-session course counts), and it costs more than ¥50,000 in total.
    """
    plan = request.treatment.plan
    return (
        plan.cooling_off_covered
        and plan.runs_over_one_month
        and request.prices.total_jpy > COOLING_OFF_MIN_TOTAL_JPY
    )


_BLOCKING = (Decision.CONTRAINDICATED, Decision.INCOMPLETE)


def check_screening_gate(request: ConsentRequest) -> None:
    """Raise :class:`ScreeningRefused` when the screening forbids a consent document.

    A ``contraindicated`` or ``incomplete`` screening refuses unless the request
    carries a recorded physician override (which the document then states).
    """
    decision = request.screening.decision
    if decision in _BLOCKING and request.override is None:
        raise ScreeningRefused(
            f"consent {request.consent_id}: screening {request.screening.result_id[:12]}… is "
            f"{decision.value}; a consent document needs a recorded physician override"
        )


# ============================================================================ templates


def needs_reconsent(given: TemplateRef, current: ConsentTemplate | None = None) -> bool:
    """True when a consent given on ``given`` predates the current template text.

    Compared by content hash, so an edited text with a forgotten version bump
    still triggers re-consent.
    """
    now = current if current is not None else load_template(given.id)
    return given.id == now.id and given.sha256 != now.sha256


# ============================================================================ content
