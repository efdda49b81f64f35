"""Templates: every sentence of the consent and the 特商法 documents (ja/en), versioned data.

A consent template is loaded from ``exointake/data/consent/<id>/<version>.json`` by the
one bundled-data loader; its content hash tells whether a consent predates the current
text. The contract template (``exointake/data/contract/<id>/<version>.json``) holds the
概要書面 and 契約書面 wording, the 特商法49条 caps, the coverage thresholds and the
purposes listed for 美容医療: kept apart, so a fix to the contract wording never forces
a patient to consent again.
"""

from __future__ import annotations

import datetime as dt
import enum
import warnings
from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from . import _bundled
from ._blocks import TemplateRef
from ._common import Lang, Route, Text
from ._contract import Purpose
from ._convert import (
    canonical_json,
    converter,
    plain_form,
    sha256_hex,
    structure,
)
from ._errors import ValidationError
from ._money import Caps
from ._records import Origin, Sourcing
from ._screening import Decision

__all__ = [
    "Acquisition",
    "ConsentTemplate",
    "ContractTemplate",
    "ProductKind",
    "TemplateRef",
    "Thresholds",
    "current_template",
    "current_templates",
    "load_contract_template",
    "load_template",
    "suggest_coverage",
    "template_versions",
]


DEFAULT_TEMPLATE_ID = "exosome-consent"


class ProductKind(enum.StrEnum):
    """Exosome product, or stem-cell conditioned media (幹細胞培養上清液)."""

    EXOSOME = "exosome"
    CONDITIONED_MEDIA = "conditioned_media"


class Acquisition(enum.StrEnum):
    """How the clinic obtained the product (入手経路, an MHLW disclosure item)."""

    PHYSICIAN_IMPORT = "physician_import"
    DOMESTIC_SUPPLIER = "domestic_supplier"
    IN_HOUSE = "in_house"


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

_RENDER_TEXTS = _REQUIRED_TEXTS | frozenset(
    """
    label_contract_ref money_no_pressure label_related_goods related_goods_none
    related_goods_line label_discount discount_line total_check_goods total_check_discount
    label_operator label_representative cancel_before cancel_after cancel_same_day fee_none
    fee_fixed fee_percent_of_session
    fee_percent_of_remaining fee_legal_maximum cancellation_note not_contract
    risks_other_events risks_other_intro event_infection_label event_infection_frequency
    event_infection_symptoms event_infection_action event_fainting_label
    event_fainting_frequency event_fainting_symptoms event_fainting_action risks_contra
    contra_intro contra_cancer risks_quality quality_varies quality_death cooling_off_free
    cooling_off_extended cap_table_intro col_cancel_when col_value_received col_fee_cap
    col_max_claim cancel_before_first cancel_after_n label_section_no
    risks_findings_unreviewed
    """.split()  # noqa: SIM905
)
"""What a template needs to be rendered today; v1 lacks these (and dates the cooling-off
period from the wrong document), so it stays loadable for re-consent checks but is no
longer rendered."""


def _sorted_texts(texts: Mapping[str, Text]) -> dict[str, object]:
    """Texts by key, sorted, so a template's plain form (and hash) does not depend on order."""
    return {k: converter.unstructure(v) for k, v in sorted(texts.items())}


_LATER_LABELS = frozenset({"decision.postpone"})
"""Labels of codes added after template version 1 (which stays loadable without them)."""


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
                if key not in self.labels and key not in _LATER_LABELS:
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

    def check_renderable(self) -> None:
        """Raise :class:`ValidationError` when this template can no longer be rendered."""
        missing = sorted(_RENDER_TEXTS - set(self.texts))
        if missing:
            raise ValidationError(
                [
                    f"template_version: {self.id} v{self.version} can no longer be rendered "
                    f"(it lacks {len(missing)} text(s) the documents now carry, e.g. "
                    f"{missing[0]}); render on the newest version"
                ],
                what="consent request",
            )

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


# ---------------------------------------------------------------------------- contract template

DEFAULT_CONTRACT_TEMPLATE = "exosome-contract"
DRUG_METHOD = "drug"
"""Exosome products are given by use of a drug (薬剤の使用)."""


_CONTRACT_RENDER_TEXTS = frozenset(
    """
    advance_none advance_yes cancel_after cancel_after_n cancel_before cancel_before_first
    cancel_goods_right cancel_goods_seller cancel_interest cancel_right cancel_same_day
    cancel_terms_intro cancel_unit_price cancellation_note cap_table_intro col_cancel_when
    col_fee_cap col_goods_amount col_goods_kind col_goods_name col_goods_price
    col_goods_quantity col_goods_seller col_max_claim col_value_received contract_intro
    contract_title cooling_off_address cooling_off_extended cooling_off_free
    cooling_off_extended_seller cooling_off_free_consumables cooling_off_free_goods
    cooling_off_goods cooling_off_goods_return cooling_off_goods_seller cooling_off_right
    credit_defence discount_line fee_fixed fee_legal_maximum fee_none
    fee_percent_of_remaining fee_percent_of_session goods_cap_before_delivery
    goods_cap_before_delivery_amount goods_cap_interest goods_cap_intro goods_cap_item
    goods_cap_not_returned goods_cap_not_returned_amount goods_cap_returned
    goods_cap_returned_amount goods_consumable goods_none goods_seller_clinic
    goods_seller_text label_address label_advance label_business_name label_clinic_name
    label_contract_date label_contract_no label_customer label_discount label_document_date
    label_document_id label_emergency label_goods_amount label_other_costs label_patient_id
    label_payment_due label_payment_method label_payment_timing label_period
    label_person_in_charge label_phone label_physician label_plan label_product
    label_received label_representative label_route label_section_no label_service
    label_service_amount label_sessions_planned label_site label_summary_no
    label_summary_received label_template label_total other_costs_none other_costs_same_day
    period_text plan_multi plan_single read_carefully
    received_hint received_statement sec_business sec_cancel sec_contract sec_cooling_off
    sec_goods sec_payment sec_price sec_price_estimate sec_service sec_special
    sec_summary_receipt service_amount_text service_text session_line sig_customer
    sig_recipient special_none summary_intro summary_not_contract summary_receipt_note
    summary_received_statement summary_title tax_line unit_day unit_month unit_week yen
    """.split()  # noqa: SIM905
)
"""What a contract template needs for the 概要書面 and 契約書面 to be rendered today. v1
lacks the related-goods matters the law asks both documents to state (特商法48条5項: who
pays to take goods back; 49条5項・6項: cancelling the goods contract and what its seller may
charge) and the 概要書面's receipt line: it stays loadable (its hash and caps), but is no
longer rendered."""


@frozen
class Thresholds:
    """When 特商法 covers a 美容医療 plan: period over N months and amount over ¥N."""

    period_over_months: int
    amount_over_jpy: int


@frozen(repr=False)
class ContractTemplate:
    """A versioned template of the 概要書面 and 契約書面 (texts, caps, listed purposes)."""

    id: str
    version: str
    effective_from: dt.date
    sources: tuple[str, ...]
    caps: Caps
    thresholds: Thresholds
    listed: Mapping[str, tuple[str, ...]]
    texts: Mapping[str, Text] = field(metadata=plain_form(unstructure=_sorted_texts))
    labels: Mapping[str, Text] = field(metadata=plain_form(unstructure=_sorted_texts))
    _sha256: str = field(init=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        purposes = {p.value for p in Purpose}
        errors = [f"listed.{p}: unknown purpose" for p in self.listed if p not in purposes]
        if errors:
            raise ValidationError(errors, what="contract template")
        object.__setattr__(self, "_sha256", sha256_hex(canonical_json(self.to_dict())))

    def __repr__(self) -> str:
        return f"ContractTemplate(id={self.id!r}, version={self.version!r})"

    @classmethod
    def from_dict(cls, data: object) -> ContractTemplate:
        """A template from plain JSON-like data."""
        return structure(data, cls, path="template", what="contract template")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the hash is computed over this)."""
        data: dict[str, Any] = converter.unstructure(self)
        data.pop("_sha256", None)
        data.pop("sha256", None)
        data["listed"] = {k: list(v) for k, v in sorted(self.listed.items())}
        return data

    @property
    def sha256(self) -> str:
        """SHA-256 of the template's canonical JSON."""
        return self._sha256

    @property
    def ref(self) -> TemplateRef:
        """Id, version and hash: what a rendered document is pinned to."""
        return TemplateRef(self.id, self.version, self._sha256)

    def text(self, key: str, lang: Lang) -> str:
        """One sentence in ``lang``; a missing key is a template error naming it."""
        text = self.texts.get(key)
        if text is None:
            raise ValidationError([f"texts.{key}: required text missing"], what="contract template")
        return text.get(lang)

    def label(self, key: str, lang: Lang) -> str:
        """The name of a vocabulary code (``"method.cash"``), or the code itself."""
        text = self.labels.get(key)
        return text.get(lang) if text is not None else key.split(".", 1)[-1]

    def check_renderable(self) -> None:
        """Raise :class:`ValidationError` when the 特商法 documents can no longer be rendered
        on this template (its caps still serve the consent's checks)."""
        missing = sorted(_CONTRACT_RENDER_TEXTS - set(self.texts))
        if missing:
            raise ValidationError(
                [
                    f"contract.template_version: {self.id} v{self.version} can no longer be "
                    f"rendered (it lacks {len(missing)} text(s) the documents now carry, e.g. "
                    f"{missing[0]}); render on the newest version"
                ],
                what="consent request",
            )


def load_contract_template(
    version: str | None = None, template_id: str = DEFAULT_CONTRACT_TEMPLATE
) -> ContractTemplate:
    """A bundled contract template; the newest version unless ``version`` is given."""
    return _bundled.load(
        "contract",
        template_id,
        version,
        ContractTemplate.from_dict,
        what="contract template",
        id_arg="template_id",
        version_arg="contract.template_version",
    )


def suggest_coverage(purpose: Purpose | str, template: ContractTemplate | None = None) -> bool:
    """Whether 特商法 lists ``purpose`` for 美容医療 with the method "use of a drug".

    Exosome products are given by use of a drug, by drip or by injection alike:
    skin activation, removing spots, reducing wrinkles or sagging and reducing fat
    are listed with it; thinning-hair treatment is not listed at all.
    """
    t = template if template is not None else load_contract_template()
    return DRUG_METHOD in t.listed.get(Purpose(purpose).value, ())
