"""The 概要書面 and the 契約書面 of a covered plan: required data and content.

The wording comes from the :class:`~exointake._consent.ContractTemplate` (versioned
data, kept apart from the consent template so a fix to the contract wording never
forces a patient to consent again). :func:`contract_problems` names every field
a document needs and the request lacks (a missing item is an error, never a
blank); :func:`assemble_contract` builds the content in one language, in the same
blocks as the consent (``_render`` lays all three out the same way).
"""

from __future__ import annotations

import string
from typing import Any, Literal

from attrs import frozen

from ._blocks import (
    Block,
    ConsentDocument,
    CoolingOffBox,
    Heading,
    Inline,
    KeyValues,
    Para,
    Run,
    Section,
    SignatureBlock,
    SignatureParty,
    TableBlock,
)
from ._common import Lang
from ._consent import ConsentRequest
from ._consent_template import ContractTemplate
from ._contract import Seller
from ._document import (
    cap_table,
    cooling_off_extended_key,
    cooling_off_free_key,
    date_both,
    datetime_text,
    fee_rows,
    fee_text,
    plan_text,
)
from ._errors import ValidationError
from ._money import FeeKind

__all__ = ["DocumentKind", "assemble_contract", "contract_problems"]

DocumentKind = Literal["summary", "contract"]


# ============================================================================ required data


def contract_problems(
    request: ConsentRequest, template: ContractTemplate, kind: DocumentKind
) -> list[str]:
    """Every field ``kind`` (``summary`` or ``contract``) needs that the request lacks."""
    errors = []
    c = request.contract
    if c is None:
        errors.append(f"contract: required for the {_KIND_NAME[kind]}")
    if request.clinic.representative is None:
        errors.append("clinic.representative: required (代表者の氏名)")
    if request.treatment.purpose is None:
        errors.append("treatment.purpose: required (the service's purpose)")
    plan = request.treatment.plan
    if plan.end_date is None:
        errors.append("treatment.plan.end_date: required (end of the service period)")
    elif plan.end_date < plan.last_session:
        errors.append(
            "treatment.plan.end_date: expected a date on or after the last planned session "
            f"({plan.last_session.isoformat()})"
        )
    if request.prices.cancellation is None:
        errors.append("prices.cancellation: required (structured cancellation terms)")
    if kind == "contract" and c is not None:
        if c.date is None:
            errors.append("contract.date: required (契約締結の年月日)")
        elif c.date > request.document_date:
            errors.append("contract.date: expected a date on or before the document date")
        if c.person_in_charge is None:
            errors.append("contract.person_in_charge: required (契約の締結を担当した者)")
    if c is not None and c.template_version != template.version:
        errors.append(
            f"contract.template_version: the request names v{c.template_version}, "
            f"the template given is v{template.version}"
        )
    return errors


_KIND_NAME = {"summary": "summary document (概要書面)", "contract": "contract document (契約書面)"}


# ============================================================================ content


def _r(text: str, path: str | None = None, *, bold: bool = False) -> Inline:
    return (Run(text, path, bold),)


def _yen_digits(amount: int) -> str:
    return f"{amount:,}"


def assemble_contract(
    request: ConsentRequest, template: ContractTemplate, lang: Lang, kind: DocumentKind
) -> ConsentDocument:
    """The content of the 概要書面 (``summary``) or the 契約書面 (``contract``) in ``lang``.

    Raises:
        ValidationError: the request lacks an item the document must carry.
    """
    problems = contract_problems(request, template, kind)
    if problems:
        raise ValidationError(problems, what=f"request for the {_KIND_NAME[kind]}")
    return _Assembler(request, template, lang, kind).document()


@frozen
class _Assembler:
    request: ConsentRequest
    t: ContractTemplate
    lang: Lang
    kind: DocumentKind

    def tx(self, key: str) -> str:
        return self.t.text(key, self.lang)

    def label(self, key: str) -> str:
        return self.t.label(key, self.lang)

    def yen(self, amount: int) -> str:
        return self.tx("yen").format(amount=_yen_digits(amount))

    @property
    def sep(self) -> str:
        return "、" if self.lang is Lang.JA else ", "

    @property
    def contract_id(self) -> str:
        assert self.request.contract is not None
        return self.request.contract.contract_id

    def document(self) -> ConsentDocument:
        summary = self.kind == "summary"
        sections = [
            self.business(),
            self.service(),
            self.goods(),
            self.price(),
            self.payment(),
            self.cooling_off(),
            self.cancellation(),
            self.special(),
            self.summary_receipt() if summary else self.signing(),
        ]
        assert tuple(s.key for s in sections) == _ORDER[self.kind]
        title = self.tx("summary_title" if summary else "contract_title")
        return ConsentDocument(
            self.lang, title, tuple(_numbered(sections, self.t, self.lang)), self.header()
        )

    def header(self) -> tuple[tuple[str, Inline], ...]:
        req, t = self.request, self.t
        no_label = self.tx("label_summary_no" if self.kind == "summary" else "label_contract_no")
        return (
            (no_label, _r(self.contract_id, "contract.contract_id")),
            (self.tx("label_document_date"), _r(datetime_text(req.document_at, self.lang))),
            (self.tx("label_patient_id"), _r(req.patient.id, "patient.id")),
            (self.tx("label_template"), _r(f"{t.id} v{t.version} ({t.sha256[:12]})")),
        )

    def business(self) -> Section:
        c = self.request.clinic
        name = c.legal_name if c.legal_name is not None else c.name
        name_path = "clinic.legal_name" if c.legal_name is not None else "clinic.name"
        assert c.representative is not None
        rows: list[tuple[str, Inline]] = [(self.tx("label_business_name"), _r(name, name_path))]
        if c.legal_name is not None:
            rows.append((self.tx("label_clinic_name"), _r(c.name, "clinic.name")))
        rows += [
            (self.tx("label_address"), _r(c.address, "clinic.address")),
            (self.tx("label_phone"), _r(c.phone, "clinic.phone")),
            (self.tx("label_representative"), _r(c.representative, "clinic.representative")),
        ]
        intro = self.tx("summary_intro" if self.kind == "summary" else "contract_intro")
        blocks: list[Block] = [
            CoolingOffBox((_r(self.tx("read_carefully"), bold=True),)),
            Para(_r(intro)),
        ]
        if self.kind == "summary":
            blocks.append(Para(_r(self.tx("summary_not_contract"), bold=True)))
        blocks.append(KeyValues(tuple(rows)))
        return Section("business", self.tx("sec_business"), tuple(blocks))

    def service(self) -> Section:
        req = self.request
        tr, plan, p = req.treatment, req.treatment.plan, req.patient
        assert tr.purpose is not None
        assert plan.end_date is not None
        purpose = self.label(f"purpose.{tr.purpose.value}")
        routes = self.sep.join(self.label(f"route.{r.value}") for r in tr.routes)
        sessions = "\n".join(
            self.tx("session_line").format(n=n, date=date_both(day, self.lang))
            for n, day in enumerate(plan.session_dates, 1)
        )
        rows: tuple[tuple[str, Inline], ...] = (
            (
                self.tx("label_customer"),
                (
                    Run(p.name, "patient.name"),
                    Run("（" if self.lang is Lang.JA else " ("),
                    Run(p.name_kana, "patient.name_kana"),
                    Run("）" if self.lang is Lang.JA else ")"),
                ),
            ),
            (self.tx("label_service"), _r(self.tx("service_text").format(purpose=purpose))),
            (self.tx("label_route"), _r(routes)),
            (self.tx("label_site"), _r(tr.site, "treatment.site")),
            (self.tx("label_product"), _r(req.product.name, "product.name")),
            (self.tx("label_plan"), _r(plan_text(plan, self.t, self.lang))),
            (
                self.tx("label_period"),
                _r(
                    self.tx("period_text").format(
                        start=date_both(plan.start_date, self.lang),
                        end=date_both(plan.end_date, self.lang),
                    )
                ),
            ),
            (self.tx("label_sessions_planned"), _r(sessions)),
            (self.tx("label_physician"), _r(req.physician.name, "physician.name")),
        )
        return Section("service", self.tx("sec_service"), (KeyValues(rows),))

    def goods(self) -> Section:
        goods = self.request.prices.related_goods
        if not goods:
            return Section("goods", self.tx("sec_goods"), (Para(_r(self.tx("goods_none"))),))
        contract = self.kind == "contract"
        header = [
            self.tx(k)
            for k in (
                "col_goods_name",
                "col_goods_kind",
                "col_goods_quantity",
                "col_goods_price",
                "col_goods_amount",
            )
        ]
        if contract:
            header.append(self.tx("col_goods_seller"))
        rows = []
        for i, g in enumerate(goods):
            path = f"prices.related_goods[{i}]"
            row: list[Inline] = [
                _r(g.name, f"{path}.name"),
                _r(self.label(f"goods.{g.kind.value}")),
                _r(str(g.quantity)),
                _r(self.yen(g.unit_price_jpy)),
                _r(self.yen(g.amount_jpy)),
            ]
            if contract:
                row.append(self.seller(g.seller, f"{path}.seller"))
            rows.append(tuple(row))
        widths = (0.24, 0.14, 0.08, 0.14, 0.14, 0.26) if contract else (0.34, 0.2, 0.1, 0.18, 0.18)
        blocks: list[Block] = [TableBlock(tuple(header), tuple(rows), widths)]
        blocks += [Para(line) for line in self.consumables()]
        return Section("goods", self.tx("sec_goods"), tuple(blocks))

    def consumables(self) -> list[Inline]:
        """The consumables exception (特商法48条2項ただし書), naming the goods it covers;
        nothing when no related good is a consumable the 施行令 names."""
        names: list[Run] = []
        for i, g in enumerate(self.request.prices.related_goods):
            if g.kind.consumable:
                if names:
                    names.append(Run(self.sep))
                names.append(Run(g.name, f"prices.related_goods[{i}].name"))
        if not names:
            return []
        return [_fill(self.tx("goods_consumable"), {"goods": tuple(names)})]

    def seller(self, seller: Seller | None, path: str) -> Inline:
        if seller is None:
            return _r(self.tx("goods_seller_clinic"))
        # Each value stays its own run, so a glyph check names the field it came from.
        return _fill(
            self.tx("goods_seller_text"),
            {
                key: (Run(getattr(seller, key), f"{path}.{key}"),)
                for key in ("name", "address", "phone", "representative")
            },
        )

    def price(self) -> Section:
        pc, plan = self.request.prices, self.request.treatment.plan
        discount = pc.discount_jpy
        service = plan.sessions * pc.per_session_jpy
        goods = pc.goods_jpy
        rows: list[tuple[str, Inline]] = [
            (
                self.tx("label_service_amount"),
                _r(
                    self.tx("service_amount_text").format(
                        price=_yen_digits(pc.per_session_jpy),
                        sessions=plan.sessions,
                        amount=_yen_digits(service),
                    )
                ),
            ),
        ]
        if pc.related_goods:
            rows.append((self.tx("label_goods_amount"), _r(self.yen(goods))))
        if pc.discount is not None:
            rows.append(
                (
                    self.tx("label_discount"),
                    _fill(
                        self.tx("discount_line"),
                        {
                            "amount": (Run(_yen_digits(discount)),),
                            "reason": (Run(pc.discount.reason, "prices.discount.reason"),),
                        },
                    ),
                )
            )
        tax = self.tx("tax_line").format(
            tax=_yen_digits(pc.tax_included(pc.total_jpy)), rate=pc.tax_rate_percent
        )
        rows.append((self.tx("label_total"), (Run(self.yen(pc.total_jpy), bold=True), Run(tax))))
        rows.append((self.tx("label_other_costs"), _r(self.other_costs())))
        key = "sec_price_estimate" if self.kind == "summary" else "sec_price"
        return Section("price", self.tx(key), (KeyValues(tuple(rows)),))

    def other_costs(self) -> str:
        """What else may be payable: a same-day cancellation fee is, so this section names it
        and points to the cancellation section (by its number)."""
        terms = self.request.prices.cancellation
        if terms is None or terms.same_day.kind is FeeKind.NONE:
            return self.tx("other_costs_none")
        section = _ORDER[self.kind].index("cancel") + 1
        fee = fee_text(terms.same_day, self.request.prices.per_session_jpy, self.t, self.lang)
        return self.tx("other_costs_same_day").format(fee=fee, section=section)

    def payment(self) -> Section:
        c = self.request.contract
        assert c is not None
        pay = c.payment
        rows: list[tuple[str, Inline]] = [
            (self.tx("label_payment_timing"), _r(self.label(f"timing.{pay.timing.value}"))),
            (self.tx("label_payment_method"), _r(self.label(f"method.{pay.method.value}"))),
        ]
        if pay.due_date is not None:
            rows.append((self.tx("label_payment_due"), _r(date_both(pay.due_date, self.lang))))
        advance = (
            _r(self.tx("advance_none"))
            if c.advance_payment_protection is None
            else _fill(
                self.tx("advance_yes"),
                {
                    "method": (
                        Run(c.advance_payment_protection, "contract.advance_payment_protection"),
                    )
                },
            )
        )
        rows.append((self.tx("label_advance"), advance))
        blocks: list[Block] = [KeyValues(tuple(rows))]
        if pay.method.credit_defence:
            blocks.append(Para(_r(self.tx("credit_defence"))))
        return Section("payment", self.tx("sec_payment"), tuple(blocks))

    def cooling_off(self) -> Section:
        c = self.request.clinic
        paras: list[Inline] = [
            _r(self.tx("cooling_off_right"), bold=True),
            _r(self.tx(cooling_off_free_key(self.request, self.t))),
        ]
        if self.request.prices.related_goods:
            paras.append(_r(self.tx("cooling_off_goods")))
            paras.append(_r(self.tx("cooling_off_goods_return")))
            paras += self.consumables()
        paras.append(_r(self.tx(cooling_off_extended_key(self.request, self.t))))
        name_path = "clinic.legal_name" if c.legal_name else "clinic.name"
        paras.append(
            _fill(
                self.tx("cooling_off_address"),
                {
                    "name": (Run(c.legal_name or c.name, name_path),),
                    "address": (Run(c.address, "clinic.address"),),
                    "phone": (Run(c.phone, "clinic.phone"),),
                },
            )
        )
        paras += self.seller_notices()
        return Section("cooling_off", self.tx("sec_cooling_off"), (CoolingOffBox(tuple(paras)),))

    def seller_notices(self) -> list[Inline]:
        """One line per seller other than the clinic: the goods contract is theirs, so the
        notice cancelling it goes to them as well (民法540条1項; 特商法48条2項)."""
        by_seller: dict[Seller, list[int]] = {}
        for i, g in enumerate(self.request.prices.related_goods):
            if g.seller is not None:
                by_seller.setdefault(g.seller, []).append(i)
        out: list[Inline] = []
        for seller, indices in by_seller.items():
            path = f"prices.related_goods[{indices[0]}].seller"
            names: list[Run] = []
            for i in indices:
                if names:
                    names.append(Run(self.sep))
                good = self.request.prices.related_goods[i]
                names.append(Run(good.name, f"prices.related_goods[{i}].name"))
            values = {
                "goods": tuple(names),
                "name": (Run(seller.name, f"{path}.name"),),
                "address": (Run(seller.address, f"{path}.address"),),
                "phone": (Run(seller.phone, f"{path}.phone"),),
            }
            out.append(_fill(self.tx("cooling_off_goods_seller"), values))
        return out

    def cancellation(self) -> Section:
        pc, plan = self.request.prices, self.request.treatment.plan
        assert pc.cancellation is not None
        unit = pc.service_jpy(plan.sessions) // plan.sessions
        goods = pc.related_goods
        right = self.tx("cancel_right")
        space = "" if self.lang is Lang.JA else " "
        if goods:
            right += space + self.tx("cancel_goods_right")
        if any(g.seller is not None for g in goods):
            right += space + self.tx("cancel_goods_seller")
        blocks: list[Block] = [
            Para(_r(right)),
            cap_table(self.request, self.t.caps, self.t, self.lang),
            Para(_r(self.tx("cancel_unit_price").format(unit=_yen_digits(unit)))),
            Para(_r(self.tx("cancel_interest"))),
            Heading(self.tx("cancel_terms_intro"), 2),
            fee_rows(pc.cancellation, pc.per_session_jpy, self.t, self.lang),
            Para(_r(self.tx("cancellation_note"))),
        ]
        if goods:
            blocks += self.goods_caps()
        return Section("cancel", self.tx("sec_cancel"), tuple(blocks))

    def goods_caps(self) -> list[Block]:
        """What the seller of related goods may charge when that contract is ended with this
        one (特商法49条6項): the law gives rules, not yen figures, except the sale price."""
        items: list[Run] = []
        for i, g in enumerate(self.request.prices.related_goods):
            if items:
                items.append(Run(self.sep))
            items += _fill(
                self.tx("goods_cap_item"),
                {
                    "name": (Run(g.name, f"prices.related_goods[{i}].name"),),
                    "amount": (Run(_yen_digits(g.amount_jpy)),),
                },
            )
        rows: tuple[tuple[str, Inline], ...] = (
            (
                self.tx("goods_cap_before_delivery"),
                _r(self.tx("goods_cap_before_delivery_amount")),
            ),
            (self.tx("goods_cap_returned"), _r(self.tx("goods_cap_returned_amount"))),
            (
                self.tx("goods_cap_not_returned"),
                _fill(self.tx("goods_cap_not_returned_amount"), {"goods": tuple(items)}),
            ),
        )
        return [
            Heading(self.tx("goods_cap_intro"), 2),
            KeyValues(rows),
            Para(_r(self.tx("goods_cap_interest"))),
        ]

    def special(self) -> Section:
        c = self.request.contract
        assert c is not None
        if not c.special_terms:
            return Section("special", self.tx("sec_special"), (Para(_r(self.tx("special_none"))),))
        paras = tuple(
            Para(_r(term, f"contract.special_terms[{i}]")) for i, term in enumerate(c.special_terms)
        )
        return Section("special", self.tx("sec_special"), paras)

    def summary_receipt(self) -> Section:
        """受領欄: the customer dates and signs the clinic's copy on receiving the 概要書面
        (practice; 特商法42条1項 has it given before the contract), never a contract. The
        recipient is the party to the contract: for a minor, the guardian who contracts."""
        guardian = self.request.patient.guardian
        recipient = (
            _r(self.request.patient.name, "patient.name")
            if guardian is None
            else _r(guardian.name, "patient.guardian.name")
        )
        party = SignatureParty(
            "recipient",
            self.tx("sig_recipient"),
            recipient,
            self.tx("summary_received_statement"),
            self.tx("label_summary_received"),
            self.tx("received_hint"),
        )
        return Section(
            "receipt",
            self.tx("sec_summary_receipt"),
            (Para(_r(self.tx("summary_receipt_note"))), SignatureBlock((party,))),
        )

    def signing(self) -> Section:
        c = self.request.contract
        assert c is not None
        assert c.date is not None
        assert c.person_in_charge is not None
        emergency = self.request.clinic.emergency_contact
        rows: tuple[tuple[str, Inline], ...] = (
            (self.tx("label_contract_date"), _r(date_both(c.date, self.lang))),
            (
                self.tx("label_person_in_charge"),
                _r(c.person_in_charge, "contract.person_in_charge"),
            ),
            (self.tx("label_emergency"), _r(emergency, "clinic.emergency_contact")),
        )
        party = SignatureParty(
            "customer",
            self.tx("sig_customer"),
            _r(self.request.patient.name, "patient.name"),
            self.tx("received_statement"),
            self.tx("label_received"),
            self.tx("received_hint"),
        )
        return Section(
            "signing", self.tx("sec_contract"), (KeyValues(rows), SignatureBlock((party,)))
        )


_SECTIONS = ("business", "service", "goods", "price", "payment", "cooling_off", "cancel", "special")
_ORDER: dict[str, tuple[str, ...]] = {
    "summary": (*_SECTIONS, "receipt"),
    "contract": (*_SECTIONS, "signing"),
}
"""The sections of each document in print order (numbered 1, 2, 3...)."""


def _fill(template: str, values: dict[str, Inline]) -> Inline:
    """``template``'s ``{key}`` placeholders replaced by runs, each keeping its field path."""
    out: list[Run] = []
    for literal, key, _, _ in string.Formatter().parse(template):
        if literal:
            out.append(Run(literal))
        if key is not None:
            out += values[key]
    return tuple(out)


def _numbered(sections: list[Section], t: Any, lang: Lang) -> list[Section]:
    """Consecutive numbers 1, 2, 3... in the order the sections appear."""
    fmt = t.text("label_section_no", lang)
    return [
        Section(s.key, fmt.format(n=n, title=s.title), s.blocks) for n, s in enumerate(sections, 1)
    ]


def number_sections(sections: list[Section], template: Any, lang: Lang) -> list[Section]:
    """Number ``sections`` consecutively with the template's ``label_section_no`` format."""
    return _numbered(sections, template, lang)
