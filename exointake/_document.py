"""What the consent documents say: blocks of text assembled from a request and a template.

:func:`assemble` turns a request and its template into a
:class:`~exointake._blocks.ConsentDocument` (the block types are ``_blocks``'s) in
one language, with every run of text tagged with the request field it came from.
Layout (fonts, pages, PDF) is the renderer's; the request and its policy checks are
:mod:`exointake._consent`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Protocol

from attrs import frozen

from ._blocks import (
    Block,
    Bullets,
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
from ._common import JST, Lang
from ._consent import (
    ConsentRequest,
    Plan,
    cooling_off_applies,
    not_given,
    rules_in_force,
)
from ._consent_template import (
    ConsentTemplate,
)
from ._contract import CancellationTerms
from ._money import Caps, Fee, FeeKind, cap_schedule
from ._questionnaire import UNKNOWN, ItemType, Questionnaire, bundled_questionnaire
from ._screening import Decision, Finding, RuleSet
from ._vocabulary import (
    SeverityTable,
    load_severity_table,
)
from ._wareki import format_wareki

__all__ = [
    "TextSource",
    "assemble",
    "cap_table",
    "date_both",
    "datetime_text",
    "fee_rows",
    "fee_text",
    "plan_text",
    "request_fields",
]


def _r(text: str, path: str | None = None, *, bold: bool = False) -> Inline:
    return (Run(text, path, bold),)


def _fmt_yen(amount: int) -> str:
    return f"{amount:,}"


class TextSource(Protocol):
    """A template that gives its texts by key and language (consent or contract)."""

    def text(self, key: str, lang: Lang) -> str: ...


def date_both(day: dt.date, lang: Lang) -> str:
    """A date as 和暦 and ISO, the reader's form first."""
    if lang is Lang.JA:
        return f"{format_wareki(day)}（{day.isoformat()}）"
    return f"{day.isoformat()} ({format_wareki(day)})"


def datetime_text(at: dt.datetime, lang: Lang) -> str:
    """A moment in Japan time, its date as :func:`date_both`."""
    local = at.astimezone(JST)
    return f"{date_both(local.date(), lang)} {local:%H:%M} JST"


def _interval_words(n: int, unit: str, lang: Lang) -> str:
    """「2週間」; in English "2 weeks" and "week", not "2 week(s)" (units end in "(s)")."""
    if lang is Lang.JA:
        return f"{n}{unit}"
    if unit.endswith("(s)"):
        unit = unit[: -len("(s)")]
        return unit if n == 1 else f"{n} {unit}s"
    return f"{n} {unit}"


def plan_text(plan: Plan, t: TextSource, lang: Lang) -> str:
    """「全4回（2週間ごと）」: the plan in the template's words (consent and 特商法 documents)."""
    if plan.sessions == 1 or plan.interval is None or plan.interval_unit is None:
        return t.text("plan_single", lang)
    unit = t.text(f"unit_{plan.interval_unit.value}", lang)
    return t.text("plan_multi", lang).format(
        sessions=plan.sessions, interval=_interval_words(plan.interval, unit, lang)
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
        return date_both(value, lang), False
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
    # One row per rule over every planned route (the same answer fires on each route).
    seen: set[tuple[str, Decision]] = set()
    findings: list[tuple[str, Finding]] = []
    for k, screening in enumerate(request.all_screenings):
        prefix = "screening" if k == 0 else f"screenings[{k - 1}]"
        for i, finding in enumerate(screening.findings):
            if (finding.rule_id, finding.decision) not in seen:
                seen.add((finding.rule_id, finding.decision))
                findings.append((f"{prefix}.findings[{i}]", finding))
    for where, finding in findings:
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
            path = f"{where}.answers.{link_id}" if free else None
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
    ruleset: RuleSet | None = None,
    caps: Caps | None = None,
) -> ConsentDocument:
    """The content of the consent document in ``lang``.

    (The 概要書面 and the 契約書面 have their own template and assembler.)

    Args:
        request: the validated request.
        template: the consent template it names.
        lang: one language; a bilingual document is assembled once per language.
        severity: the severity table (default: the bundled one, as the reaction log grades).
        ruleset: the rule set the screening used (default: the bundled one it names);
            its contraindications are printed as "who must not receive this treatment".
        caps: the 特商法49条 caps printed for a covered plan (default: the law's figures).
    """
    template.check_renderable()
    rules = rules_in_force(request, ruleset)
    return _Assembler(
        request, template, lang, severity or load_severity_table(), rules, caps or Caps()
    ).document()


@frozen
class _Assembler:
    """Builds the sections of one document in one language."""

    request: ConsentRequest
    t: ConsentTemplate
    lang: Lang
    severity: SeverityTable
    rules: RuleSet
    caps: Caps

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

    def document(self) -> ConsentDocument:
        cooling = self.cooling_off()
        sections = [self.parties(), self.treatment(), self.status(), self.money(), self.risks()]
        override = self.override()
        sections += [override] if override is not None else []
        sections.append(self.choices())
        sections += [cooling] if cooling is not None else []
        sections.append(self.signatures())
        fmt = self.tx("label_section_no")
        numbered = tuple(
            Section(s.key, fmt.format(n=n, title=s.title), s.blocks)
            for n, s in enumerate(sections, 1)
        )
        return ConsentDocument(self.lang, self.tx("title"), numbered, self.header())

    def header(self) -> tuple[tuple[str, Inline], ...]:
        t, req = self.t, self.request
        rows: list[tuple[str, Inline]] = [
            (self.tx("label_consent_id"), _r(req.consent_id, "consent_id")),
        ]
        if req.contract is not None:
            rows.append(
                (
                    self.tx("label_contract_ref"),
                    _r(req.contract.contract_id, "contract.contract_id"),
                )
            )
        rows += [
            (self.tx("label_document_date"), _r(datetime_text(req.document_at, self.lang))),
            (self.tx("label_patient_id"), _r(req.patient.id, "patient.id")),
            (self.tx("label_template"), _r(f"{t.id} v{t.version} ({t.sha256[:12]})")),
        ]
        return tuple(rows)

    # 1. clinic, physician, patient
    def parties(self) -> Section:
        p, c, ja = self.request.patient, self.request.clinic, self.lang is Lang.JA
        rows: list[tuple[str, Inline]] = [
            (self.tx("label_clinic"), _r(c.name, "clinic.name")),
            (self.tx("label_address"), _r(c.address, "clinic.address")),
            (self.tx("label_phone"), _r(c.phone, "clinic.phone")),
        ]
        if c.legal_name is not None:
            rows.append((self.tx("label_operator"), _r(c.legal_name, "clinic.legal_name")))
        if c.representative is not None:
            rows.append(
                (self.tx("label_representative"), _r(c.representative, "clinic.representative"))
            )
        rows += [
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
            (self.tx("label_birth_date"), _r(date_both(p.birth_date, self.lang))),
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
            (self.tx("label_plan"), _r(plan_text(plan, self.t, self.lang))),
            (self.tx("label_start"), _r(date_both(plan.start_date, self.lang))),
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
        if pc.related_goods:
            check += " + " + self.tx("total_check_goods").format(goods=_fmt_yen(pc.goods_jpy))
        if pc.discount is not None:
            check += " - " + self.tx("total_check_discount").format(
                discount=_fmt_yen(pc.discount_jpy)
            )
        gap = "　" if self.lang is Lang.JA else "  "
        rows: list[tuple[str, Inline]] = [
            (
                self.tx("label_price_per_session"),
                _r(self.yen(pc.per_session_jpy) + self.tax_line(pc.per_session_jpy)),
            ),
            (
                self.tx("label_sessions"),
                (
                    Run(plan_text(plan, self.t, self.lang) + self.sep),
                    Run(req.treatment.site, "treatment.site"),
                ),
            ),
            (self.tx("label_related_goods"), self.goods_runs()),
        ]
        if pc.discount is not None:
            line = self.tx("discount_line")
            before, _, after = line.partition("{reason}")
            rows.append(
                (
                    self.tx("label_discount"),
                    (
                        Run(before.format(amount=_fmt_yen(pc.discount_jpy))),
                        Run(pc.discount.reason, "prices.discount.reason"),
                        Run(after),
                    ),
                )
            )
        rows.append(
            (
                self.tx("label_plan_total"),
                (
                    Run(self.yen(pc.total_jpy) + self.tax_line(pc.total_jpy), bold=True),
                    Run(f"{gap}({check})"),
                ),
            )
        )
        blocks: list[Block] = [Para(_r(self.tx("money_free_pay"), bold=True))]
        if req.contract is not None and cooling_off_applies(req):
            text = self.tx("not_contract").format(contract_id=req.contract.contract_id)
            blocks.append(Para(_r(text, bold=True)))
        blocks.append(KeyValues(tuple(rows)))
        blocks.append(Heading(self.tx("label_cancellation"), 2))
        blocks += self.cancellation_blocks()
        blocks.append(Para(_r(self.tx("money_explained"))))
        blocks.append(Para(_r(self.tx("money_no_pressure"))))
        return Section("money", self.tx("sec_money"), tuple(blocks))

    def goods_runs(self) -> Inline:
        goods = self.request.prices.related_goods
        if not goods:
            return _r(self.tx("related_goods_none"))
        runs: list[Run] = []
        line = self.tx("related_goods_line")
        before, _, after = line.partition("{name}")
        for i, g in enumerate(goods):
            if runs:
                runs.append(Run("\n"))
            runs.append(Run(before))
            runs.append(Run(g.name, f"prices.related_goods[{i}].name"))
            runs.append(
                Run(
                    after.format(
                        quantity=g.quantity,
                        price=_fmt_yen(g.unit_price_jpy),
                        amount=_fmt_yen(g.amount_jpy),
                    )
                )
            )
        return tuple(r for r in runs if r.text)

    def cancellation_blocks(self) -> list[Block]:
        req, pc = self.request, self.request.prices
        blocks: list[Block] = []
        if pc.cancellation is not None:
            # the caps table first: a legal_maximum fee points to it ("上の表")
            if cooling_off_applies(req):
                blocks.append(cap_table(req, self.caps, self.t, self.lang))
            blocks.append(fee_rows(pc.cancellation, pc.per_session_jpy, self.t, self.lang))
            blocks.append(Para(_r(self.tx("cancellation_note"))))
        if pc.cancellation_terms is not None:
            blocks.append(Para(_r(pc.cancellation_terms, "prices.cancellation_terms")))
        return blocks

    # 5. risks: the severity table, then this patient's own findings
    def risks(self) -> Section:
        lang, screenings = self.lang, self.request.all_screenings
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
        emergency = self.request.clinic.emergency_contact
        other = TableBlock(
            header=table.header,
            rows=tuple(
                (
                    _r(self.tx(f"event_{e}_label"), bold=True),
                    _r(self.tx(f"event_{e}_frequency")),
                    _r(self.tx(f"event_{e}_symptoms")),
                    self.event_action(e, emergency),
                )
                for e in ("infection", "fainting")
            ),
            widths=table.widths,
        )
        ref = self.rules.ref
        blocks: list[Block] = [
            Para(_r(self.tx("risks_intro"))),
            table,
            Heading(self.tx("risks_other_events"), 2),
            Para(_r(self.tx("risks_other_intro"))),
            other,
            Heading(self.tx("risks_contra"), 2),
            Para(_r(self.tx("contra_intro").format(ruleset=f"{ref.id} v{ref.version}"))),
            Bullets(
                tuple(
                    _r(r.patient_message.get(lang))
                    for r in not_given(self.rules, self.request.treatment.routes)
                )
            ),
            Para(_r(self.tx("contra_cancer"), bold=True)),
            Heading(self.tx("risks_quality"), 2),
            Para(_r(self.tx("quality_varies"))),
            Para(_r(self.tx("quality_death"))),
            Heading(self.tx("risks_screening"), 2),
        ]
        for screening in screenings:
            route = (
                (Run(f"{self.label(f'route.{screening.route.value}')}{self.colon}"),)
                if len(screenings) > 1
                else ()
            )
            blocks.append(
                Para(
                    (
                        *route,
                        Run(self.tx("label_decision") + self.colon),
                        Run(self.label(f"decision.{screening.decision.value}"), bold=True),
                        Run(f"  (screening {screening.result_id[:12]})"),
                    )
                )
            )
        rows = _findings_rows(self.request, self.t, lang)
        if rows:
            # "The physician has checked these answers" only when the document relies on a
            # recorded review (the log refuses to record it unless the reviews cover every
            # answer listed here); otherwise the answers are listed without that claim.
            intro = (
                "risks_findings_intro" if self.request.review_ids else "risks_findings_unreviewed"
            )
            blocks.append(Para(_r(self.tx(intro))))
            blocks.append(
                TableBlock((self.tx("col_finding"), self.tx("col_answers")), rows, (0.55, 0.45))
            )
        else:
            blocks.append(Para(_r(self.tx("risks_no_findings"))))
        requirements = sorted({r for s in screenings for r in s.requirements})
        if requirements:
            reqs = self.sep.join(self.label(f"requirement.{r}") for r in requirements)
            blocks.append(
                Para((Run(self.tx("risks_requirements") + self.colon), Run(reqs, bold=True)))
            )
        return Section("risks", self.tx("sec_risks"), tuple(blocks))

    def event_action(self, event: str, emergency: str) -> Inline:
        text = self.tx(f"event_{event}_action")
        before, found, after = text.partition("{emergency}")
        if not found:
            return _r(text)
        return (Run(before), Run(emergency, "clinic.emergency_contact"), Run(after))

    def override(self) -> Section | None:
        o = self.request.override
        if o is None:
            return None
        rows: tuple[tuple[str, Inline], ...] = (
            (self.tx("label_override_by"), _r(o.physician_id, "override.physician_id")),
            (self.tx("label_override_reason"), _r(o.reason, "override.reason")),
            (self.tx("label_override_at"), _r(datetime_text(o.at, self.lang))),
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
                _r(self.tx(cooling_off_free_key(self.request, self.t))),
                _r(self.tx(cooling_off_extended_key(self.request, self.t))),
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
    out: dict[str, str] = {
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
    }
    if request.prices.cancellation_terms is not None:
        out["prices.cancellation_terms"] = request.prices.cancellation_terms
    if request.product.lot is not None:
        out["product.lot"] = request.product.lot
    for key in ("legal_name", "representative"):
        value = getattr(c, key)
        if value is not None:
            out[f"clinic.{key}"] = value
    for i, g in enumerate(request.prices.related_goods):
        out[f"prices.related_goods[{i}].name"] = g.name
        if g.seller is not None:
            for key in ("name", "address", "phone", "representative"):
                out[f"prices.related_goods[{i}].seller.{key}"] = getattr(g.seller, key)
    if request.prices.discount is not None:
        out["prices.discount.reason"] = request.prices.discount.reason
    k = request.contract
    if k is not None:
        out["contract.contract_id"] = k.contract_id
        if k.person_in_charge is not None:
            out["contract.person_in_charge"] = k.person_in_charge
        if k.advance_payment_protection is not None:
            out["contract.advance_payment_protection"] = k.advance_payment_protection
        for i, term in enumerate(k.special_terms):
            out[f"contract.special_terms[{i}]"] = term
    if p.guardian is not None:
        out["patient.guardian.name"] = p.guardian.name
        out["patient.guardian.name_kana"] = p.guardian.name_kana
        out["patient.guardian.relationship"] = p.guardian.relationship
    if request.override is not None:
        out["override.physician_id"] = request.override.physician_id
        out["override.reason"] = request.override.reason
    return MappingProxyType(out)


# ============================================================================ money blocks


def _newest(t: Any, key: str, fallback: str) -> str:
    """``key`` when the template has it, else ``fallback`` (an older template version)."""
    return key if key in t.texts else fallback


def cooling_off_free_key(request: ConsentRequest, t: Any) -> str:
    """What cooling-off costs: related goods are named only when the plan has some, and
    the consumables exception (特商法48条2項ただし書) only when some goods are consumables."""
    goods = request.prices.related_goods
    if any(g.kind.consumable for g in goods):
        return _newest(t, "cooling_off_free_consumables", "cooling_off_free")
    if goods:
        return _newest(t, "cooling_off_free_goods", "cooling_off_free")
    return "cooling_off_free"


def cooling_off_extended_key(request: ConsentRequest, t: Any) -> str:
    """The extended period (特商法48条1項): a separate seller of related goods is named with
    the clinic, since its 不実告知 or 威迫 extends the period too."""
    if any(g.seller is not None for g in request.prices.related_goods):
        return _newest(t, "cooling_off_extended_seller", "cooling_off_extended")
    return "cooling_off_extended"


def cap_table(request: ConsentRequest, caps: Caps, t: Any, lang: Lang) -> TableBlock:
    """The 49条 caps at every point of the plan (``t``: a template with the cap texts)."""
    pc, plan = request.prices, request.treatment.plan
    service = pc.service_jpy(plan.sessions)
    yen = t.text("yen", lang)

    def y(amount: int) -> Inline:
        return _r(yen.format(amount=_fmt_yen(amount)))

    rows = tuple(
        (
            _r(
                t.text("cancel_before_first", lang)
                if row.received == 0
                else t.text("cancel_after_n", lang).format(n=row.received)
            ),
            y(row.value_jpy),
            y(row.fee_cap_jpy),
            (Run(yen.format(amount=_fmt_yen(row.max_claim_jpy)), bold=True),),
        )
        for row in cap_schedule(plan.sessions, service, caps)
    )
    header = tuple(
        t.text(k, lang)
        for k in ("col_cancel_when", "col_value_received", "col_fee_cap", "col_max_claim")
    )
    return TableBlock(
        header, rows, (0.28, 0.24, 0.22, 0.26), caption=t.text("cap_table_intro", lang)
    )


def fee_text(fee: Fee, per_session_jpy: int, t: Any, lang: Lang) -> str:
    """One fee of the clinic's terms in words."""
    key = f"fee_{fee.kind.value}"
    if fee.kind is FeeKind.PERCENT_OF_SESSION:
        amount = -(-per_session_jpy * fee.percent // 100)
        text: str = t.text(key, lang).format(percent=fee.percent, amount=_fmt_yen(amount))
        return text
    formatted: str = t.text(key, lang).format(amount=_fmt_yen(fee.jpy), percent=fee.percent)
    return formatted


def fee_rows(terms: CancellationTerms, per_session_jpy: int, t: Any, lang: Lang) -> KeyValues:
    """The clinic's cancellation fees as label/value rows."""
    return KeyValues(
        tuple(
            (t.text(label, lang), _r(fee_text(fee, per_session_jpy, t, lang)))
            for label, fee in (
                ("cancel_before", terms.before_first_session),
                ("cancel_after", terms.after_first_session),
                ("cancel_same_day", terms.same_day),
            )
        )
    )
