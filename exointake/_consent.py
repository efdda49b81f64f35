"""Consent requests and consent content: *what* a consent document says.

A :class:`ConsentRequest` is data (clinic, physician, patient, treatment plan,
product, prices, the screening result it relies on...). :func:`assemble` turns
a request and a versioned :class:`ConsentTemplate` into a
:class:`ConsentDocument`: sections of headings, paragraphs, tables and
signature blocks, per language, with every piece of request text tagged with
the field path it came from (so a renderer can name the field of a character
its font cannot show). Nothing here knows about PDF or reportlab; see
``_render.py`` for *how it looks*.

Templates (legal and explanatory text, ja/en) are versioned data files in
``exointake/data/consent/<id>/<version>.json`` with a SHA-256 of their
canonical JSON; a consent given on an older template hash needs re-consent.
"""

from __future__ import annotations

import datetime as dt
import enum
import warnings
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeAlias

from attrs import field, frozen

from . import _bundled
from ._common import JST, Lang, Route, Text
from ._convert import (
    Expected,
    canonical_json,
    converter,
    plain_form,
    sha256_hex,
    structure,
)
from ._errors import ScreeningRefused, ValidationError
from ._questionnaire import UNKNOWN, ItemType, Questionnaire, bundled_questionnaire
from ._records import Origin, Sourcing, check_id
from ._screening import Decision, Finding, ScreeningResult
from ._vocabulary import (
    SeverityTable,
    load_severity_table,
)
from ._wareki import format_wareki

__all__ = [
    "Acquisition",
    "Block",
    "Bullets",
    "Clinic",
    "ConsentDocument",
    "ConsentLanguage",
    "ConsentProduct",
    "ConsentRequest",
    "ConsentTemplate",
    "CoolingOffBox",
    "Guardian",
    "Heading",
    "IntervalUnit",
    "KeyValues",
    "Para",
    "Patient",
    "Physician",
    "PhysicianOverride",
    "Plan",
    "Prices",
    "ProductKind",
    "Run",
    "Section",
    "SignatureBlock",
    "SignatureParty",
    "TableBlock",
    "TemplateRef",
    "Treatment",
    "assemble",
    "check_screening_gate",
    "cooling_off_applies",
    "current_template",
    "current_templates",
    "load_template",
    "needs_reconsent",
    "suggest_cooling_off",
    "template_versions",
]

DEFAULT_TEMPLATE_ID = "exosome-consent"
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


class ProductKind(enum.StrEnum):
    """Exosome product, or stem-cell conditioned media (幹細胞培養上清液)."""

    EXOSOME = "exosome"
    CONDITIONED_MEDIA = "conditioned_media"


class Acquisition(enum.StrEnum):
    """How the clinic obtained the product (入手経路, an MHLW disclosure item)."""

    PHYSICIAN_IMPORT = "physician_import"
    DOMESTIC_SUPPLIER = "domestic_supplier"
    IN_HOUSE = "in_house"


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


@frozen
class TemplateRef:
    """Which consent template, which version, and its content hash."""

    id: str
    version: str
    sha256: str


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


_REQUIRED_TEXTS = frozenset(
    """
    title summary_title summary_intro label_consent_id label_document_date label_document_id
    label_template
    label_patient_id sec_parties label_clinic label_address label_phone label_physician
    label_patient_name label_patient_kana label_birth_date label_guardian label_relationship
    sec_treatment label_route label_site label_plan label_start label_product label_kind
    label_origin label_maker label_sourcing label_concentration label_lot lot_unknown
    label_storage storage_note treatment_about sec_status status_unapproved
    status_not_regenerative status_not_established status_mhlw_notice status_disclosures
    disclose_unapproved disclose_acquisition disclose_no_equivalent disclose_foreign_safety
    disclose_relief sec_money money_free_pay label_price_per_session label_tax_included
    label_sessions label_plan_total label_cancellation money_explained sec_risks risks_intro
    col_category col_frequency col_symptoms col_action risks_screening label_decision
    risks_no_findings risks_findings_intro col_finding col_answers risks_requirements
    sec_override override_text label_override_by label_override_reason label_override_at
    sec_choices choices_alternatives choices_refuse choices_questions sec_cooling_off
    cooling_off_read cooling_off_right cooling_off_law sec_signatures label_emergency
    signature_statement physician_statement sig_patient sig_guardian sig_physician
    label_sign_date yes no unknown not_answered unit_day unit_week unit_month plan_single
    plan_multi yen
    tax_line total_check
    """.split()  # noqa: SIM905 - a word list reads better than 99 quoted strings
)


def _sorted_texts(texts: Mapping[str, Text]) -> dict[str, object]:
    """Texts by key, sorted, so a template's plain form (and hash) does not depend on order."""
    return {k: converter.unstructure(v) for k, v in sorted(texts.items())}


@frozen(repr=False)
class ConsentTemplate:
    """A versioned consent template: every sentence of the document, in ja and en.

    ``texts`` holds the sentences and headings, ``labels`` the names of
    vocabulary codes (``route.iv_drip``...). The severity table itself is the
    grading data (``exointake/data/severity``), shared with the reaction log.
    """

    id: str
    version: str
    effective_from: dt.date
    sources: tuple[str, ...]
    texts: Mapping[str, Text] = field(metadata=plain_form(unstructure=_sorted_texts))
    labels: Mapping[str, Text] = field(metadata=plain_form(unstructure=_sorted_texts))
    _sha256: str = field(init=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        missing = sorted(_REQUIRED_TEXTS - set(self.texts))
        errors = [f"texts.{k}: required text missing" for k in missing]
        for prefix, enum_cls in (
            ("route", Route),
            ("kind", ProductKind),
            ("origin", Origin),
            ("sourcing", Sourcing),
            ("acquisition", Acquisition),
            ("decision", Decision),
        ):
            for member in enum_cls:
                key = f"{prefix}.{member.value}"
                if key not in self.labels:
                    errors.append(f"labels.{key}: required label missing")
        if errors:
            raise ValidationError(errors, what="consent template")
        object.__setattr__(self, "_sha256", sha256_hex(canonical_json(self.to_dict())))

    def __repr__(self) -> str:
        return (
            f"ConsentTemplate(id={self.id!r}, version={self.version!r}, "
            f"sha256={self._sha256[:12]}…)"
        )

    @classmethod
    def from_dict(cls, data: object) -> ConsentTemplate:
        """A template from plain JSON-like data."""
        return structure(data, cls, path="template", what="consent template")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the hash is computed over this)."""
        data: dict[str, Any] = converter.unstructure(self)
        data.pop("_sha256", None)
        data.pop("sha256", None)
        return data

    @property
    def sha256(self) -> str:
        """SHA-256 of the template's canonical JSON."""
        return self._sha256

    @property
    def ref(self) -> TemplateRef:
        """Id, version and hash: what a recorded consent is pinned to."""
        return TemplateRef(self.id, self.version, self._sha256)

    def text(self, key: str, lang: Lang) -> str:
        """One sentence in ``lang``."""
        return self.texts[key].get(lang)

    def label(self, key: str, lang: Lang) -> str:
        """The name of a vocabulary code (``"route.iv_drip"``), or the code itself."""
        text = self.labels.get(key)
        return text.get(lang) if text is not None else key.split(".", 1)[-1]


def template_versions(template_id: str = DEFAULT_TEMPLATE_ID) -> tuple[str, ...]:
    """The bundled versions of a consent template, oldest first."""
    return _bundled.versions("consent", template_id)


def load_template(
    template_id: str = DEFAULT_TEMPLATE_ID, version: str | None = None
) -> ConsentTemplate:
    """A bundled consent template; the newest version unless ``version`` is given."""
    return _bundled.load(
        "consent",
        template_id,
        version,
        ConsentTemplate.from_dict,
        what="consent template",
        id_arg="template_id",
        version_arg="template_version",
    )


def current_template(template_id: str = DEFAULT_TEMPLATE_ID) -> ConsentTemplate:
    """Deprecated alias of :func:`load_template` (the newest); removed in exointake 0.3.0."""
    warnings.warn(
        "current_template() is deprecated and will be removed in exointake 0.3.0; "
        "use load_template(template_id), which gives the newest version",
        DeprecationWarning,
        stacklevel=2,
    )
    return load_template(template_id)


def current_templates(*templates: ConsentTemplate) -> dict[str, str]:
    """``{template_id: sha256}`` of the templates in force (default: the newest bundled).

    This is what the log's re-consent query and administration check take: a consent
    given on any other template content needs re-consent.
    """
    chosen = templates or (load_template(),)
    return {t.id: t.sha256 for t in chosen}


def needs_reconsent(given: TemplateRef, current: ConsentTemplate | None = None) -> bool:
    """True when a consent given on ``given`` predates the current template text.

    Compared by content hash, so an edited text with a forgotten version bump
    still triggers re-consent.
    """
    now = current if current is not None else load_template(given.id)
    return given.id == now.id and given.sha256 != now.sha256


# ============================================================================ content


@frozen(repr=False)
class Run:
    """A piece of text; ``field`` names the request field it came from (None: template)."""

    text: str
    field: str | None = None
    bold: bool = False

    def __repr__(self) -> str:  # the text may be a name: show where it came from only
        return f"Run(field={self.field!r}, {len(self.text)} chars)"


Inline: TypeAlias = tuple[Run, ...]


@frozen
class Heading:
    """A section or sub-section heading."""

    text: str
    level: int = 1


@frozen
class Para:
    """A paragraph."""

    runs: Inline


@frozen
class Bullets:
    """A bulleted list."""

    items: tuple[Inline, ...]


@frozen
class KeyValues:
    """Label/value rows (two columns)."""

    rows: tuple[tuple[str, Inline], ...]


@frozen
class TableBlock:
    """A table with a header row; ``widths`` are fractions of the text width."""

    header: tuple[str, ...]
    rows: tuple[tuple[Inline, ...], ...]
    widths: tuple[float, ...]


@frozen
class CoolingOffBox:
    """The cooling-off notice: red letters inside a red frame (特定商取引法)."""

    paras: tuple[Inline, ...]


@frozen
class SignatureParty:
    """One signature line: who signs, the printed name, and a date line."""

    role: str
    label: str
    name: Inline
    statement: str
    date_label: str
    date_hint: str


@frozen
class SignatureBlock:
    """Signature and date lines (patient, guardian for a minor, physician)."""

    parties: tuple[SignatureParty, ...]


Block: TypeAlias = (
    Heading | Para | Bullets | KeyValues | TableBlock | CoolingOffBox | SignatureBlock
)


@frozen
class Section:
    """A numbered part of the document (one per domain contract §5 item)."""

    key: str
    title: str
    blocks: tuple[Block, ...]


@frozen
class ConsentDocument:
    """The content of a consent (or summary) document in one language."""

    lang: Lang
    title: str
    sections: tuple[Section, ...]
    header_lines: tuple[tuple[str, Inline], ...]


def _r(text: str, path: str | None = None, *, bold: bool = False) -> Inline:
    return (Run(text, path, bold),)


def _fmt_yen(amount: int) -> str:
    return f"{amount:,}"


def _date_both(day: dt.date, lang: Lang) -> str:
    if lang is Lang.JA:
        return f"{format_wareki(day)}（{day.isoformat()}）"
    return f"{day.isoformat()} ({format_wareki(day)})"


def _datetime_text(at: dt.datetime, lang: Lang) -> str:
    local = at.astimezone(JST)
    return f"{_date_both(local.date(), lang)} {local:%H:%M} JST"


def _plan_text(plan: Plan, t: ConsentTemplate, lang: Lang) -> str:
    if plan.sessions == 1 or plan.interval is None or plan.interval_unit is None:
        return t.text("plan_single", lang)
    unit = t.text(f"unit_{plan.interval_unit.value}", lang)
    sep = "" if lang is Lang.JA else " "
    return t.text("plan_multi", lang).format(
        sessions=plan.sessions, interval=f"{plan.interval}{sep}{unit}"
    )


def _answer_text(
    value: object, link_id: str, q: Questionnaire | None, t: ConsentTemplate, lang: Lang
) -> tuple[str, bool]:
    """(text, is_patient_free_text) for one answer value."""
    if value is UNKNOWN or value == "unknown":
        return t.text("unknown", lang), False
    if isinstance(value, bool):
        return t.text("yes" if value else "no", lang), False
    item = q.item(link_id) if q is not None and link_id in q else None
    if item is not None and item.type in (ItemType.CHOICE, ItemType.MULTI_CHOICE):
        labels = {c.code: c.label.get(lang) for c in item.choices}
        values = value if isinstance(value, tuple | list) else (value,)
        sep = "、" if lang is Lang.JA else ", "
        return sep.join(labels.get(str(v), str(v)) for v in values), False
    if isinstance(value, dt.date):
        return _date_both(value, lang), False
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value), False
    free = item is not None and item.type is ItemType.TEXT
    return str(value), free


def _question_text(link_id: str, q: Questionnaire | None, lang: Lang) -> str:
    if q is not None and link_id in q:
        return q.item(link_id).text.get(lang)
    return link_id


def _findings_rows(
    request: ConsentRequest, t: ConsentTemplate, lang: Lang
) -> tuple[tuple[Inline, ...], ...]:
    ref = request.screening.questionnaire
    q = bundled_questionnaire(ref.id, ref.version)
    if q is not None and q.sha256 != ref.sha256:
        q = None  # another text under the same version: show item ids, never a wrong question
    rows = []
    findings: tuple[Finding, ...] = tuple(request.screening.findings)
    for i, finding in enumerate(findings):
        if finding.decision.rank <= Decision.CLEAR.rank:
            continue
        label = t.label(f"decision.{finding.decision.value}", lang)
        caution = (Run(f"[{label}] ", None, True), Run(finding.patient_message.get(lang)))
        answer_runs: list[Run] = []
        for link_id, value in sorted(finding.answers.items()):
            text, free = _answer_text(value, link_id, q, t, lang)
            if answer_runs:
                answer_runs.append(Run("\n"))
            answer_runs.append(Run(_question_text(link_id, q, lang) + " → "))
            # The patient's own words are shown only where the patient wrote them.
            path = f"screening.findings[{i}].answers.{link_id}" if free else None
            answer_runs.append(Run(text, path, True))
        for link_id in finding.missing:
            if link_id in finding.answers:
                continue  # answered "don't know": shown above
            if answer_runs:
                answer_runs.append(Run("\n"))
            answer_runs.append(Run(_question_text(link_id, q, lang) + " → "))
            answer_runs.append(Run(t.text("not_answered", lang), None, True))
        rows.append((caution, tuple(answer_runs) or (Run("-"),)))
    return tuple(rows)


def assemble(
    request: ConsentRequest,
    template: ConsentTemplate,
    lang: Lang,
    *,
    severity: SeverityTable | None = None,
    summary: bool = False,
) -> ConsentDocument:
    """The content of the consent document (or the 概要書面 when ``summary``) in ``lang``.

    Args:
        request: the validated request.
        template: the consent template it names.
        lang: one language; a bilingual document is assembled once per language.
        severity: the severity table (default: the bundled one, as the reaction log grades).
        summary: assemble the summary document (概要書面) given before a covered contract.
    """
    return _Assembler(request, template, lang, severity or load_severity_table()).document(
        summary=summary
    )


@frozen
class _Assembler:
    """Builds the sections of one document in one language."""

    request: ConsentRequest
    t: ConsentTemplate
    lang: Lang
    severity: SeverityTable

    def tx(self, key: str) -> str:
        return self.t.text(key, self.lang)

    def label(self, key: str) -> str:
        return self.t.label(key, self.lang)

    @property
    def sep(self) -> str:
        return "、" if self.lang is Lang.JA else ", "

    @property
    def colon(self) -> str:
        return "：" if self.lang is Lang.JA else ": "

    def yen(self, amount: int) -> str:
        return self.tx("yen").format(amount=_fmt_yen(amount))

    def tax_line(self, amount: int) -> str:
        prices = self.request.prices
        return self.tx("tax_line").format(
            tax=_fmt_yen(prices.tax_included(amount)), rate=prices.tax_rate_percent
        )

    def document(self, *, summary: bool) -> ConsentDocument:
        cooling = self.cooling_off()
        if summary:
            intro = Section(
                "summary", self.tx("summary_title"), (Para(_r(self.tx("summary_intro"))),)
            )
            body = [intro, self.parties(), self.treatment(), self.money()]
            body += [cooling] if cooling is not None else []
            body.append(self.choices())
            return ConsentDocument(self.lang, self.tx("summary_title"), tuple(body), self.header())
        sections = [self.parties(), self.treatment(), self.status(), self.money(), self.risks()]
        override = self.override()
        sections += [override] if override is not None else []
        sections.append(self.choices())
        sections += [cooling] if cooling is not None else []
        sections.append(self.signatures())
        return ConsentDocument(self.lang, self.tx("title"), tuple(sections), self.header())

    def header(self) -> tuple[tuple[str, Inline], ...]:
        t, req = self.t, self.request
        return (
            (self.tx("label_consent_id"), _r(req.consent_id, "consent_id")),
            (self.tx("label_document_date"), _r(_datetime_text(req.document_at, self.lang))),
            (self.tx("label_patient_id"), _r(req.patient.id, "patient.id")),
            (self.tx("label_template"), _r(f"{t.id} v{t.version} ({t.sha256[:12]})")),
        )

    # 1. clinic, physician, patient
    def parties(self) -> Section:
        p, c, ja = self.request.patient, self.request.clinic, self.lang is Lang.JA
        rows: list[tuple[str, Inline]] = [
            (self.tx("label_clinic"), _r(c.name, "clinic.name")),
            (self.tx("label_address"), _r(c.address, "clinic.address")),
            (self.tx("label_phone"), _r(c.phone, "clinic.phone")),
            (
                self.tx("label_physician"),
                (
                    Run(self.request.physician.name, "physician.name"),
                    Run("（ID: " if ja else " (ID: "),
                    Run(self.request.physician.id, "physician.id"),
                    Run("）" if ja else ")"),
                ),
            ),
            (self.tx("label_patient_name"), _r(p.name, "patient.name")),
            (self.tx("label_patient_kana"), _r(p.name_kana, "patient.name_kana")),
            (self.tx("label_birth_date"), _r(_date_both(p.birth_date, self.lang))),
        ]
        if p.guardian is not None:
            g = p.guardian
            rows.append(
                (
                    self.tx("label_guardian"),
                    (
                        Run(g.name, "patient.guardian.name"),
                        Run("（" if ja else " ("),
                        Run(g.name_kana, "patient.guardian.name_kana"),
                        Run("）" if ja else ")"),
                    ),
                )
            )
            rows.append(
                (self.tx("label_relationship"), _r(g.relationship, "patient.guardian.relationship"))
            )
        return Section("parties", self.tx("sec_parties"), (KeyValues(tuple(rows)),))

    # 2. treatment and product
    def treatment(self) -> Section:
        req, pr = self.request, self.request.product
        plan = req.treatment.plan
        routes = self.sep.join(self.label(f"route.{r.value}") for r in req.treatment.routes)
        lot = _r(pr.lot, "product.lot") if pr.lot is not None else _r(self.tx("lot_unknown"))
        rows: tuple[tuple[str, Inline], ...] = (
            (self.tx("label_route"), _r(routes)),
            (self.tx("label_site"), _r(req.treatment.site, "treatment.site")),
            (self.tx("label_plan"), _r(_plan_text(plan, self.t, self.lang))),
            (self.tx("label_start"), _r(_date_both(plan.start_date, self.lang))),
            (self.tx("label_product"), _r(pr.name, "product.name")),
            (self.tx("label_kind"), _r(self.label(f"kind.{pr.kind.value}"))),
            (self.tx("label_origin"), _r(self.label(f"origin.{pr.origin.value}"))),
            (self.tx("label_maker"), _r(pr.maker, "product.maker")),
            (self.tx("label_sourcing"), _r(self.label(f"sourcing.{pr.sourcing.value}"))),
            (self.tx("label_concentration"), _r(pr.concentration, "product.concentration")),
            (self.tx("label_lot"), lot),
            (self.tx("label_storage"), _r(pr.storage, "product.storage")),
        )
        return Section(
            "treatment",
            self.tx("sec_treatment"),
            (
                Para(_r(self.tx("treatment_about"))),
                KeyValues(rows),
                Para(_r(self.tx("storage_note"))),
            ),
        )

    # 3. status, and the five unapproved-product disclosures
    def status(self) -> Section:
        acquisition = self.label(f"acquisition.{self.request.product.acquisition.value}")
        return Section(
            "status",
            self.tx("sec_status"),
            (
                Para(_r(self.tx("status_unapproved"), bold=True)),
                Para(_r(self.tx("status_not_regenerative"))),
                Para(_r(self.tx("status_not_established"), bold=True)),
                Para(_r(self.tx("status_mhlw_notice"))),
                Heading(self.tx("status_disclosures"), 2),
                Bullets(
                    (
                        _r(self.tx("disclose_unapproved")),
                        _r(self.tx("disclose_acquisition") + self.colon + acquisition),
                        _r(self.tx("disclose_no_equivalent")),
                        _r(self.tx("disclose_foreign_safety")),
                        _r(self.tx("disclose_relief")),
                    )
                ),
            ),
        )

    # 4. money
    def money(self) -> Section:
        req, pc = self.request, self.request.prices
        plan = req.treatment.plan
        check = self.tx("total_check").format(
            price=_fmt_yen(pc.per_session_jpy), sessions=plan.sessions
        )
        gap = "　" if self.lang is Lang.JA else "  "
        rows: tuple[tuple[str, Inline], ...] = (
            (
                self.tx("label_price_per_session"),
                _r(self.yen(pc.per_session_jpy) + self.tax_line(pc.per_session_jpy)),
            ),
            (
                self.tx("label_sessions"),
                (
                    Run(_plan_text(plan, self.t, self.lang) + self.sep),
                    Run(req.treatment.site, "treatment.site"),
                ),
            ),
            (
                self.tx("label_plan_total"),
                (
                    Run(self.yen(pc.total_jpy) + self.tax_line(pc.total_jpy), bold=True),
                    Run(f"{gap}({check})"),
                ),
            ),
            (self.tx("label_cancellation"), _r(pc.cancellation_terms, "prices.cancellation_terms")),
        )
        return Section(
            "money",
            self.tx("sec_money"),
            (
                Para(_r(self.tx("money_free_pay"), bold=True)),
                KeyValues(rows),
                Para(_r(self.tx("money_explained"))),
            ),
        )

    # 5. risks: the severity table, then this patient's own findings
    def risks(self) -> Section:
        lang, screening = self.lang, self.request.screening
        table = TableBlock(
            header=tuple(
                self.tx(k) for k in ("col_category", "col_frequency", "col_symptoms", "col_action")
            ),
            rows=tuple(
                (
                    _r(r.label.get(lang), bold=True),
                    _r(r.frequency.get(lang)),
                    _r(r.symptoms.get(lang)),
                    _r(r.guidance.get(lang)),
                )
                for r in self.severity.rows
            ),
            widths=(0.2, 0.14, 0.3, 0.36),
        )
        blocks: list[Block] = [
            Para(_r(self.tx("risks_intro"))),
            table,
            Heading(self.tx("risks_screening"), 2),
            Para(
                (
                    Run(self.tx("label_decision") + self.colon),
                    Run(self.label(f"decision.{screening.decision.value}"), bold=True),
                    Run(f"  (screening {screening.result_id[:12]})"),
                )
            ),
        ]
        rows = _findings_rows(self.request, self.t, lang)
        if rows:
            blocks.append(Para(_r(self.tx("risks_findings_intro"))))
            blocks.append(
                TableBlock((self.tx("col_finding"), self.tx("col_answers")), rows, (0.55, 0.45))
            )
        else:
            blocks.append(Para(_r(self.tx("risks_no_findings"))))
        if screening.requirements:
            reqs = self.sep.join(
                self.label(f"requirement.{r}") for r in sorted(screening.requirements)
            )
            blocks.append(
                Para((Run(self.tx("risks_requirements") + self.colon), Run(reqs, bold=True)))
            )
        return Section("risks", self.tx("sec_risks"), tuple(blocks))

    def override(self) -> Section | None:
        o = self.request.override
        if o is None:
            return None
        rows: tuple[tuple[str, Inline], ...] = (
            (self.tx("label_override_by"), _r(o.physician_id, "override.physician_id")),
            (self.tx("label_override_reason"), _r(o.reason, "override.reason")),
            (self.tx("label_override_at"), _r(_datetime_text(o.at, self.lang))),
        )
        return Section(
            "override",
            self.tx("sec_override"),
            (Para(_r(self.tx("override_text"), bold=True)), KeyValues(rows)),
        )

    # 6. alternatives and rights
    def choices(self) -> Section:
        return Section(
            "choices",
            self.tx("sec_choices"),
            (
                Para(_r(self.tx("choices_alternatives"))),
                Para(_r(self.tx("choices_refuse"), bold=True)),
                Para(_r(self.tx("choices_questions"))),
            ),
        )

    # 7. cooling-off, only when the plan calls for it
    def cooling_off(self) -> Section | None:
        if not cooling_off_applies(self.request):
            return None
        box = CoolingOffBox(
            (
                _r(self.tx("cooling_off_read"), bold=True),
                _r(self.tx("cooling_off_right")),
                _r(self.tx("cooling_off_law")),
            )
        )
        return Section("cooling_off", self.tx("sec_cooling_off"), (box,))

    # 8. emergency contact and signatures
    def signatures(self) -> Section:
        req, p = self.request, self.request.patient

        def party(role: str, name: Inline, statement: str) -> SignatureParty:
            return SignatureParty(
                role,
                self.tx(f"sig_{role}"),
                name,
                self.tx(statement),
                self.tx("label_sign_date"),
                self.tx("sign_date_hint"),
            )

        parties = [party("patient", _r(p.name, "patient.name"), "signature_statement")]
        if p.guardian is not None:
            parties.append(
                party(
                    "guardian", _r(p.guardian.name, "patient.guardian.name"), "signature_statement"
                )
            )
        parties.append(
            party("physician", _r(req.physician.name, "physician.name"), "physician_statement")
        )
        emergency = (
            (
                self.tx("label_emergency"),
                _r(req.clinic.emergency_contact, "clinic.emergency_contact"),
            ),
        )
        return Section(
            "signatures",
            self.tx("sec_signatures"),
            (KeyValues(emergency), SignatureBlock(tuple(parties))),
        )


def request_fields(request: ConsentRequest) -> Mapping[str, str]:
    """Every free-text field of the request, by path (for glyph checks and tests)."""
    p, c = request.patient, request.clinic
    out = {
        "consent_id": request.consent_id,
        "clinic.name": c.name,
        "clinic.address": c.address,
        "clinic.phone": c.phone,
        "clinic.emergency_contact": c.emergency_contact,
        "physician.id": request.physician.id,
        "physician.name": request.physician.name,
        "patient.id": p.id,
        "patient.name": p.name,
        "patient.name_kana": p.name_kana,
        "treatment.site": request.treatment.site,
        "product.name": request.product.name,
        "product.maker": request.product.maker,
        "product.concentration": request.product.concentration,
        "product.storage": request.product.storage,
        "prices.cancellation_terms": request.prices.cancellation_terms,
    }
    if request.product.lot is not None:
        out["product.lot"] = request.product.lot
    if p.guardian is not None:
        out["patient.guardian.name"] = p.guardian.name
        out["patient.guardian.name_kana"] = p.guardian.name_kana
        out["patient.guardian.relationship"] = p.guardian.relationship
    if request.override is not None:
        out["override.physician_id"] = request.override.physician_id
        out["override.reason"] = request.override.reason
    return MappingProxyType(out)
