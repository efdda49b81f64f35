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
    ContractTemplate,
    ProductKind,
    TemplateRef,
    load_template,
    suggest_coverage,
)
from ._contract import (
    CancellationTerms,
    Contract,
    Discount,
    Purpose,
    RelatedGood,
)
from ._convert import (
    bounded_int,
    bounded_text,
    canonical_json,
    checks,
    converter,
    sha256_hex,
    structure,
    structure_date,
    with_checks,
)
from ._errors import ScreeningRefused, ValidationError
from ._limits import MAX_INTERVAL, MAX_PRICE_JPY, MAX_SESSIONS, MAX_TAX_RATE_PERCENT
from ._money import Caps, FeeKind, check_terms, reconcile_total, service_amount
from ._questionnaire import Questionnaire, check_birth_date
from ._records import Origin, Sourcing, check_id, check_ids
from ._screening import Decision, Rule, RuleSet, ScreeningResult, load_ruleset
from ._screening_audit import screening_problems
from ._wareki import date_arg, parse_date_value

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
    "check_cancellation",
    "check_screening_gate",
    "check_screenings",
    "cooling_off_applies",
    "needs_reconsent",
    "not_given",
    "rules_in_force",
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


@frozen(repr=False, field_transformer=with_checks)
class Clinic:
    """The clinic, as it is named on the document."""

    name: str = field(metadata=bounded_text("label"))
    address: str = field(metadata=bounded_text("address"))
    phone: str = field(metadata=bounded_text("label"))
    emergency_contact: str = field(metadata=bounded_text("label"))
    """Who to call after treatment, e.g. ``"03-1234-5678（24時間）"``."""
    legal_name: str | None = field(default=None, metadata=bounded_text("label", optional=True))
    """The business's name when it differs from the clinic's (e.g. the 医療法人)."""
    representative: str | None = field(default=None, metadata=bounded_text("name", optional=True))
    """The representative's name (代表者の氏名): required by the 特商法 documents."""

    def __repr__(self) -> str:
        return "Clinic(...)"


@frozen(repr=False, field_transformer=with_checks)
class Physician:
    """The physician responsible for the treatment."""

    id: str = field(metadata=checks(check_id))
    name: str = field(metadata=bounded_text("name"))

    def __repr__(self) -> str:
        return f"Physician(id={self.id!r})"


@frozen(repr=False, field_transformer=with_checks)
class Guardian:
    """The person consenting for a minor (代諾者)."""

    name: str = field(metadata=bounded_text("name"))
    name_kana: str = field(metadata=bounded_text("name"))
    relationship: str = field(metadata=bounded_text("label"))

    def __repr__(self) -> str:
        return "Guardian(...)"


def _birth_date(value: object) -> dt.date:
    """A birth date: a date, ``YYYY-MM-DD`` or 和暦 (as answers take it), from 1900 and
    not after today in Japan."""
    return check_birth_date(parse_date_value(value))


@frozen(repr=False, field_transformer=with_checks)
class Patient:
    """The patient: an opaque id plus what the document must name."""

    id: str = field(metadata=checks(check_id))
    """An opaque id (ASCII letters, digits, ``. _ : -``), never a name."""
    name: str = field(metadata=bounded_text("name"))
    """Name as written (kanji)."""
    name_kana: str = field(metadata=bounded_text("name"))
    birth_date: dt.date = field(metadata=checks(_birth_date))
    """A date, ``YYYY-MM-DD`` or 和暦; from 1900-01-01, never after today (JST)."""
    guardian: Guardian | None = None

    def __repr__(self) -> str:
        guardian = ", guardian=..." if self.guardian is not None else ""
        return f"Patient(id={self.id!r}{guardian})"

    def age_on(self, day: dt.date | str) -> int:
        """Age in whole years on ``day`` (a date, ``YYYY-MM-DD`` or 和暦)."""
        day = date_arg(day, "day")
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def _optional_date(value: object) -> dt.date | None:
    return None if value is None else structure_date(value)


@frozen(field_transformer=with_checks)
class Plan:
    """Sessions, interval, start date, and whether 特定商取引法 covers the plan.

    ``cooling_off_covered`` is the clinic's call, recorded per plan; see
    :func:`suggest_cooling_off` for the library's suggestion.
    """

    sessions: int = field(metadata=checks(bounded_int(1, MAX_SESSIONS)))
    start_date: dt.date = field(metadata=checks(structure_date))
    cooling_off_covered: bool
    interval: int | None = field(default=None)
    interval_unit: IntervalUnit | None = None
    end_date: dt.date | None = field(default=None, metadata=checks(_optional_date))
    """The end of the service period (役務の提供期間); required by the 特商法 documents."""

    def __attrs_post_init__(self) -> None:
        errors = []
        if self.end_date is not None and self.end_date < self.start_date:
            errors.append("end_date: expected a date on or after start_date")
        if self.sessions > 1 and (self.interval is None or self.interval_unit is None):
            errors.append(
                "interval: expected an interval and interval_unit for more than 1 session"
            )
        if self.interval is not None and self.interval < 1:
            errors.append("interval: expected an integer >= 1")
        elif self.interval is not None and self.interval_unit is not None:
            longest = MAX_INTERVAL[self.interval_unit.value]
            if self.interval > longest:
                errors.append(
                    f"interval: expected at most {longest} {self.interval_unit.value}s "
                    "(one year between sessions)"
                )
        if (self.interval is None) != (self.interval_unit is None):
            errors.append("interval_unit: expected both interval and interval_unit, or neither")
        if errors:
            raise ValidationError(errors)

    @property
    def last_session(self) -> dt.date:
        """The planned date of the last session."""
        return self.session_dates[-1]

    @property
    def session_dates(self) -> tuple[dt.date, ...]:
        """The planned date of every session, first to last."""
        if self.sessions == 1 or self.interval is None or self.interval_unit is None:
            return (self.start_date,)
        out = []
        for n in range(self.sessions):
            steps = n * self.interval
            if self.interval_unit is IntervalUnit.DAY:
                out.append(self.start_date + dt.timedelta(days=steps))
            elif self.interval_unit is IntervalUnit.WEEK:
                out.append(self.start_date + dt.timedelta(weeks=steps))
            else:
                out.append(_add_months(self.start_date, steps))
        return tuple(out)

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


@frozen(field_transformer=with_checks)
class Treatment:
    """Route(s), site and plan."""

    routes: tuple[Route, ...]
    site: str = field(metadata=bounded_text("label"))
    plan: Plan
    purpose: Purpose | None = None
    """The declared purpose (:func:`suggest_cooling_off`; required by the 特商法 documents)."""

    def __attrs_post_init__(self) -> None:
        if not self.routes:
            raise ValidationError(["routes: expected at least one route"])
        if len(set(self.routes)) != len(self.routes):
            raise ValidationError(["routes: expected each route once"])


@frozen(field_transformer=with_checks)
class ConsentProduct:
    """What a clinic must be able to say about the product (domain contract §1).

    ``origin`` and ``sourcing`` use the same vocabulary as the log's administrations.
    """

    name: str = field(metadata=bounded_text("label"))
    kind: ProductKind
    origin: Origin
    maker: str = field(metadata=bounded_text("label"))
    sourcing: Sourcing
    acquisition: Acquisition
    concentration: str = field(metadata=bounded_text("label"))
    storage: str = field(metadata=bounded_text("label"))
    lot: str | None = field(default=None, metadata=bounded_text("label", optional=True))


_JPY = checks(bounded_int(0, MAX_PRICE_JPY))


@frozen(field_transformer=with_checks)
class Prices:
    """Prices in JPY, tax-inclusive (税込), as shown to the patient.

    ``total_jpy`` must equal sessions x ``per_session_jpy`` - ``discount`` + the
    related goods; the consent request checks it (the sessions are in the plan).
    ``cancellation`` holds the structured terms checked against the 特商法49条
    caps; ``cancellation_terms`` (free text) is only accepted alone on template v1.
    """

    per_session_jpy: int = field(metadata=_JPY)
    total_jpy: int = field(metadata=_JPY)
    cancellation_terms: str | None = field(
        default=None, metadata=bounded_text("text", optional=True)
    )
    tax_rate_percent: int = field(default=10, metadata=checks(bounded_int(0, MAX_TAX_RATE_PERCENT)))
    related_goods: tuple[RelatedGood, ...] = ()
    discount: Discount | None = None
    cancellation: CancellationTerms | None = None

    @property
    def goods_jpy(self) -> int:
        """What the related goods cost together."""
        return sum(g.amount_jpy for g in self.related_goods)

    @property
    def discount_jpy(self) -> int:
        """The discount, 0 when there is none."""
        return self.discount.amount_jpy if self.discount is not None else 0

    def service_jpy(self, sessions: int) -> int:
        """The contract amount for the sessions themselves (sessions x price - discount)."""
        return service_amount(sessions, self.per_session_jpy, self.discount_jpy)

    def tax_included(self, amount: int) -> int:
        """The consumption tax contained in a tax-inclusive ``amount`` (rounded down)."""
        return amount * self.tax_rate_percent // (100 + self.tax_rate_percent)


@frozen(repr=False, field_transformer=with_checks)
class PhysicianOverride:
    """A physician's recorded decision to go ahead despite the screening result."""

    physician_id: str = field(metadata=checks(check_id))
    reason: str = field(metadata=bounded_text("text"))
    at: dt.datetime

    def __repr__(self) -> str:
        return f"PhysicianOverride(physician_id={self.physician_id!r}, at={self.at.isoformat()})"


@frozen(repr=False, field_transformer=with_checks)
class ConsentRequest:
    """Everything a consent document is rendered from.

    Build one with :meth:`from_dict` (JSON Schema: ``schemas/consent-request.schema.json``).
    ``document_at`` is the document's date and time (it is printed and becomes
    the PDF's creation date, so the same request always gives the same bytes).
    """

    consent_id: str = field(metadata=checks(check_id))
    clinic: Clinic
    physician: Physician
    patient: Patient
    treatment: Treatment
    product: ConsentProduct
    prices: Prices
    screening: ScreeningResult
    template_version: str = field(metadata=bounded_text("id"))
    document_at: dt.datetime
    language: ConsentLanguage = ConsentLanguage.JA
    """``ja`` unless the request says otherwise: a clinic in Japan hands out Japanese first."""
    template_id: str = field(default=DEFAULT_TEMPLATE_ID, metadata=bounded_text("id"))
    override: PhysicianOverride | None = None
    screenings: tuple[ScreeningResult, ...] = ()
    """Screenings for the plan's other routes: every planned route needs one."""
    review_ids: tuple[str, ...] = field(default=(), metadata=checks(check_ids))
    """Ids of the recorded physician reviews the document relies on."""

    @property
    def all_screenings(self) -> tuple[ScreeningResult, ...]:
        """``screening`` and ``screenings``: one per planned route."""
        return (self.screening, *self.screenings)

    contract: Contract | None = None
    """The contract of a covered plan (概要書面 and 契約書面 items)."""

    def __attrs_post_init__(self) -> None:
        errors = []
        day = self.document_date
        if self.patient.birth_date > day:
            errors.append("patient.birth_date: expected a date on or before the document date")
        minor = self.patient.age_on(day) < ADULT_AGE
        needs_guardian = minor or any(
            "guardian_consent" in s.requirements for s in self.all_screenings
        )
        if needs_guardian and self.patient.guardian is None:
            errors.append(
                "patient.guardian: expected a guardian for a patient under 18 "
                "(or when the screening requires guardian consent)"
            )
        covered: set[Route] = set()
        for path, s in (
            ("screening", self.screening),
            *((f"screenings[{n}]", s) for n, s in enumerate(self.screenings)),
        ):
            if s.route not in self.treatment.routes:
                errors.append(
                    f"{path}.route: expected one of the treatment routes, got {s.route.value!r}"
                )
            elif s.route in covered:
                errors.append(f"{path}.route: a second screening for {s.route.value}")
            covered.add(s.route)
            if s.screened_on > day:
                errors.append(f"{path}.screened_on: expected a date on or before the document date")
        for r in self.treatment.routes:
            if r not in covered:
                errors.append(
                    f"treatment.routes: no screening for route {r.value}; every planned route "
                    "needs a screening of this patient for that route"
                )
        errors += self._money_errors()
        errors += self._override_errors()
        if errors:
            raise ValidationError(errors, what="consent request")

    def _money_errors(self) -> list[str]:
        pc, plan = self.prices, self.treatment.plan
        errors = []
        if pc.cancellation is None and pc.cancellation_terms is None:
            errors.append("prices.cancellation: expected structured cancellation terms")
        if pc.discount is not None and pc.discount.amount_jpy > plan.sessions * pc.per_session_jpy:
            errors.append("prices.discount.amount_jpy: expected at most sessions x per_session_jpy")
        gap = reconcile_total(
            sessions=plan.sessions,
            per_session_jpy=pc.per_session_jpy,
            related_goods_jpy=[g.amount_jpy for g in pc.related_goods],
            discount_jpy=pc.discount_jpy,
            total_jpy=pc.total_jpy,
        )
        if gap:
            parts = f"{plan.sessions} x {pc.per_session_jpy:,}"
            if pc.related_goods:
                parts += f" + related goods {pc.goods_jpy:,}"
            if pc.discount is not None:
                parts += f" - discount {pc.discount_jpy:,}"
            expected = pc.total_jpy - gap
            errors.append(
                f"prices.total_jpy: expected {expected:,} JPY ({parts}), got {pc.total_jpy:,} "
                f"({'over' if gap > 0 else 'under'} by {abs(gap):,}; "
                "explain a difference with prices.discount)"
            )
        return errors

    def _override_errors(self) -> list[str]:
        o = self.override
        if o is None:
            return []
        errors = []
        if not any(s.decision in _BLOCKING for s in self.all_screenings):
            errors.append(
                "override: only a contraindicated, incomplete or postponed screening is "
                f"overridden; this one is {self.screening.decision.value}"
            )
        if o.at > self.document_at:
            errors.append("override.at: expected a time on or before document_at")
        if o.at.astimezone(JST).date() < max(s.screened_on for s in self.all_screenings):
            errors.append("override.at: expected a time on or after the screening day")
        return errors

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
        """Plain JSON-ready data; ``from_dict(r.to_dict()) == r``.

        Optional parts added after the first release are left out when unset, so a
        request written before them keeps its :attr:`sha256`.
        """
        data: dict[str, Any] = converter.unstructure(self)
        for path in _LATER_OPTIONAL:
            *parents, leaf = path.split(".")
            node = data
            for part in parents:
                node = node[part]
            if node.get(leaf) in (None, [], ()):
                node.pop(leaf, None)
        return data

    @property
    def sha256(self) -> str:
        """SHA-256 of the request's canonical JSON."""
        return sha256_hex(canonical_json(self.to_dict()))


_LATER_OPTIONAL = (
    "clinic.legal_name",
    "clinic.representative",
    "treatment.purpose",
    "treatment.plan.end_date",
    "prices.cancellation_terms",
    "prices.related_goods",
    "prices.discount",
    "prices.cancellation",
    "contract",
    "screenings",
    "review_ids",
)


# ============================================================================ decisions


def suggest_cooling_off(purpose: Purpose | str, template: ContractTemplate | None = None) -> bool:
    """The library's suggestion for ``Plan.cooling_off_covered``, from the plan's purpose.

    Covered when the purpose is one the 特商法 rules list for 美容医療 with the
    method "use of a drug" (how an exosome product is given, by drip or injection
    alike): skin activation or removing spots, reducing wrinkles or sagging,
    reducing fat. Thinning-hair (scalp) treatment is not listed, nor is ``other``.
    The route does not decide: a cosmetic 美肌 drip is covered like a face injection.
    Whether a plan is covered stays the clinic's call.

    Args:
        purpose: the plan's declared purpose.
        template: the contract template whose listed purposes to use (default: newest).
    """
    return suggest_coverage(purpose, template)


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


def check_cancellation(request: ConsentRequest, caps: Caps | None = None) -> None:
    """Raise :class:`ValidationError` when the cancellation terms can exceed a 49条 cap.

    Checked for plans covered by 特定商取引法 (:func:`cooling_off_applies`) at every
    point of the plan; each fee is named with the first session at which it exceeds
    the cap. A plan not covered has no cap, so ``legal_maximum`` is refused there.
    """
    terms = request.prices.cancellation
    if terms is None:
        return
    if not cooling_off_applies(request):
        # no 49条 cap, so no "legal maximum" to point to (the documents print no caps table)
        maximal = [
            f"prices.cancellation.{name}: legal_maximum applies only to plans 特定商取引法 "
            "covers (treatment.plan.cooling_off_covered, over one month and over "
            f"{COOLING_OFF_MIN_TOTAL_JPY:,} JPY); state a yen figure or a percentage"
            for name in ("before_first_session", "after_first_session")
            if getattr(terms, name).kind is FeeKind.LEGAL_MAXIMUM
        ]
        if maximal:
            raise ValidationError(maximal, what="consent request")
        return
    pc, sessions = request.prices, request.treatment.plan.sessions
    problems = check_terms(
        terms.terms, sessions, pc.per_session_jpy, pc.discount_jpy, caps or Caps()
    )
    if problems:
        raise ValidationError(
            [
                f"prices.cancellation.{p.field}: {p.charged_jpy:,} JPY when cancelling "
                f"{'on the day of' if p.field == 'same_day' else 'before'} session {p.session} "
                f"exceeds the 特定商取引法49条 cap of {p.cap_jpy:,} JPY"
                for p in problems
            ],
            what="consent request",
        )


def rules_in_force(request: ConsentRequest, ruleset: RuleSet | None = None) -> RuleSet:
    """The rule set the request's screening was made with (given, or bundled).

    Raises:
        ValidationError: the given rule set is another one, or the screening's rule
            set is not bundled (pass it as ``ruleset``).
    """
    ref = request.screening.ruleset
    if ruleset is not None:
        if ruleset.ref != ref:
            raise ValidationError(
                [
                    f"ruleset: the screening used {ref.id} v{ref.version} "
                    f"({ref.sha256[:12]}…), the rule set given is {ruleset.id} "
                    f"v{ruleset.version} ({ruleset.ref.sha256[:12]}…)"
                ],
                what="consent request",
            )
        return ruleset
    try:
        bundled = load_ruleset(ref.id, ref.version)
    except ValidationError:
        bundled = None
    if bundled is None or bundled.ref != ref:
        raise ValidationError(
            [
                f"screening.ruleset: {ref.id} v{ref.version} ({ref.sha256[:12]}…) is not a "
                "bundled rule set; pass the rule set the screening used (ruleset=, --ruleset)"
            ],
            what="consent request",
        )
    return bundled


def not_given(rules: RuleSet, routes: tuple[Route, ...]) -> tuple[Rule, ...]:
    """The rules that stop the treatment for a route of the plan (who must not receive it)."""
    stop = {Decision.CONTRAINDICATED.value, "postpone"}
    return tuple(
        r
        for r in rules.effective_rules
        if r.decision.value in stop and any(r.applies_to(route) for route in routes)
    )


_BLOCKING = (Decision.CONTRAINDICATED, Decision.INCOMPLETE, Decision.POSTPONE)


def check_screenings(
    request: ConsentRequest,
    ruleset: RuleSet | None = None,
    questionnaire: Questionnaire | None = None,
) -> None:
    """Raise :class:`ValidationError` when a screening the request carries is not one
    :func:`~exointake.screen` could have produced.

    The request brings its own screenings, so they are audited before the gate trusts
    their decision (:func:`~exointake._screening_audit.screening_problems`): the decision
    is the worst of the findings and missing items, a ``clear`` one has nothing missing,
    and the questionnaire and rule set it names are known — bundled, or ``questionnaire``
    and ``ruleset`` (the clinic's) — with the SHA-256 it records.
    """
    rulesets = () if ruleset is None else (ruleset,)
    questionnaires = () if questionnaire is None else (questionnaire,)
    problems: list[str] = []
    for path, screening in (
        ("screening", request.screening),
        *((f"screenings[{n}]", s) for n, s in enumerate(request.screenings)),
    ):
        problems += screening_problems(
            screening, rulesets=rulesets, questionnaires=questionnaires, path=path
        )
    if problems:
        raise ValidationError(problems, what="consent request")


def check_screening_gate(
    request: ConsentRequest,
    ruleset: RuleSet | None = None,
    questionnaire: Questionnaire | None = None,
) -> None:
    """Raise when the request's screenings forbid a consent document.

    First the screenings must hold together and name known versions
    (:func:`check_screenings`; :class:`ValidationError` otherwise). Then a
    ``contraindicated``, ``incomplete`` or ``postpone`` screening on any planned route
    refuses (:class:`ScreeningRefused`) unless the request carries a recorded physician
    override (which the document then states).

    Args:
        request: the consent request.
        ruleset: the clinic's rule set, when a screening was made with one (bundled rule
            sets are always known).
        questionnaire: the clinic's questionnaire (a variant), when the answers were
            given on one.
    """
    check_screenings(request, ruleset, questionnaire)
    for screening in request.all_screenings:
        decision = screening.decision
        if decision in _BLOCKING and request.override is None:
            raise ScreeningRefused(
                f"consent {request.consent_id}: screening {screening.result_id[:12]}… "
                f"({screening.route.value}) is {decision.value}; a consent document needs a "
                "recorded physician override"
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
