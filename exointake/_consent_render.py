"""Rendering a consent request: from the request to its assembled documents to the PDF.

The orchestration of the three documents a clinic hands over: check the request
(screening gate, 特商法49条 caps, coverage), pick the templates, assemble the
documents (``_document``, ``_contract_document``), and give them to the renderer
(``_render``), which knows only the assembled blocks. Loaded on first use like
``_render`` (reportlab), so ``import exointake`` stays light.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._blocks import ConsentDocument
from ._consent import (
    ConsentLanguage,
    ConsentRequest,
    check_cancellation,
    check_screening_gate,
    cooling_off_applies,
    rules_in_force,
)
from ._consent_template import (
    ConsentTemplate,
    ContractTemplate,
    load_contract_template,
    load_template,
)
from ._contract_document import DocumentKind, assemble_contract
from ._convert import canonical_json, describe_type, sha256_hex
from ._document import assemble
from ._errors import ValidationError
from ._questionnaire import Questionnaire
from ._render import FontSpec, Imprint, RenderedConsent, font_spec, render_documents
from ._screening import RuleSet
from ._vocabulary import SeverityTable, load_severity_table

__all__ = ["render_consent", "render_contract", "render_summary"]


def _request_arg(request: object) -> ConsentRequest:
    """The ``request`` argument: a :class:`ConsentRequest`, or a mapping structured by
    :meth:`ConsentRequest.from_dict` (as ``grade`` takes a reaction's mapping)."""
    if isinstance(request, ConsentRequest):
        return request
    if isinstance(request, Mapping):
        return ConsentRequest.from_dict(request)
    raise ValidationError(
        [
            "request: expected a ConsentRequest or a mapping (ConsentRequest.from_dict), "
            f"got {describe_type(request)}"
        ],
        what="argument",
    )


def _language(request: ConsentRequest, language: ConsentLanguage | str | None) -> ConsentLanguage:
    if language is None:
        return request.language
    try:
        return ConsentLanguage(language)
    except ValueError:
        choices = ", ".join(lang.value for lang in ConsentLanguage)
        raise ValidationError(
            [f"language: expected one of {choices}, got {str(language)[:16]!r}"],
            what="consent request",
        ) from None


def _consent_template(request: ConsentRequest, template: ConsentTemplate | None) -> ConsentTemplate:
    tmpl = (
        template
        if template is not None
        else load_template(request.template_id, request.template_version)
    )
    if (tmpl.id, tmpl.version) != (request.template_id, request.template_version):
        raise ValidationError(
            [
                f"template_version: the request names {request.template_id} "
                f"v{request.template_version}, the template given is {tmpl.id} v{tmpl.version}"
            ],
            what="consent request",
        )
    tmpl.check_renderable()
    return tmpl


def _contract_template(
    request: ConsentRequest, template: ContractTemplate | None
) -> ContractTemplate:
    if template is not None:
        return template
    version = request.contract.template_version if request.contract is not None else None
    return load_contract_template(version)


def _finish(
    request: ConsentRequest,
    *,
    docs: tuple[ConsentDocument, ...],
    template: ConsentTemplate | ContractTemplate,
    made_from: dict[str, str],
    fonts: FontSpec,
    kind: str,
) -> RenderedConsent:
    lang = docs[0].lang
    imprint = Imprint(
        kind=kind,
        consent_id=request.consent_id,
        patient_id=request.patient.id,
        request_sha256=request.sha256,
        document_at=request.document_at,
        template=template.ref,
        made_from=made_from,
        patient_id_label=template.text("label_patient_id", lang),
        document_id_label=template.text("label_document_id", lang),
        routes=request.treatment.routes,
        screening_result_ids=tuple(s.result_id for s in request.all_screenings),
        review_ids=request.review_ids,
    )
    return render_documents(docs, imprint, fonts)


def render_consent(
    request: ConsentRequest | Mapping[str, Any],
    *,
    font: FontSpec | str | Path | None = None,
    language: ConsentLanguage | str | None = None,
    template: ConsentTemplate | None = None,
    severity: SeverityTable | None = None,
    ruleset: RuleSet | None = None,
    contract_template: ContractTemplate | None = None,
    questionnaire: Questionnaire | None = None,
) -> RenderedConsent:
    """Render the consent document of ``request`` as a PDF.

    Args:
        request: the consent request, or its plain data (a mapping such as
            ``json.load(f)``), structured by :meth:`ConsentRequest.from_dict`.
        font: ``None`` for reportlab's built-in Japanese CID fonts, a path to a
            TrueType font to embed (e.g. IPAex), or a :class:`FontSpec`.
        language: override the request's ``language`` (``ja``, ``en``, ``ja+en``).
        template: the template to use (default: the bundled one the request names).
        severity: the severity table (default: the bundled one, as the reaction log grades).
        ruleset: the rule set the screening used, whose contraindications the document
            lists (default: the bundled one the screening names).
        contract_template: where the 特商法49条 caps come from (default: the one the
            request's contract names, else the newest bundled).
        questionnaire: the clinic's questionnaire (a variant) the screening's answers were
            given on, when it is not a bundled one.

    Raises:
        ValidationError: ``request`` is neither a request nor valid request data,
            ``language`` is not one of ``ja``, ``en``, ``ja+en``, or a screening the
            request carries does not hold together or names an unknown questionnaire or
            rule set (``check_screenings``).
        ScreeningRefused: the screening is ``contraindicated`` or ``incomplete``
            and the request carries no physician override.
        ValidationError: the cancellation terms can exceed the 49条 caps (naming the
            fee and the session), or the template can no longer be rendered.
        RenderError: the font cannot show a character; the message names the field.
    """
    request = _request_arg(request)
    lang = _language(request, language)
    check_screening_gate(request, ruleset, questionnaire)
    tmpl = _consent_template(request, template)
    contract_t = _contract_template(request, contract_template)
    check_cancellation(request, contract_t.caps)
    fonts = font_spec(font)
    rows = severity if severity is not None else load_severity_table()
    rules = rules_in_force(request, ruleset)
    docs = tuple(
        assemble(request, tmpl, one, severity=rows, ruleset=rules, caps=contract_t.caps)
        for one in lang.langs
    )
    made_from = {
        "template": tmpl.sha256,
        "severity": sha256_hex(canonical_json(rows.to_dict())),
        "ruleset": rules.ref.sha256,
        "contract_template": contract_t.sha256,
    }
    return _finish(
        request,
        docs=docs,
        template=tmpl,
        made_from=made_from,
        fonts=fonts,
        kind="consent",
    )


def _render_tokusho(
    request: ConsentRequest | Mapping[str, Any],
    kind: DocumentKind,
    *,
    font: FontSpec | str | Path | None,
    language: ConsentLanguage | str | None,
    template: ContractTemplate | None,
) -> RenderedConsent:
    request = _request_arg(request)
    if not cooling_off_applies(request):
        raise ValidationError(
            [
                f"treatment.plan.cooling_off_covered: the {kind} document is for plans covered "
                "by the Act on Specified Commercial Transactions (covered, over one month or "
                "several sessions, over 50,000 JPY)"
            ],
            what="consent request",
        )
    tmpl = _contract_template(request, template)
    tmpl.check_renderable()
    check_cancellation(request, tmpl.caps)
    lang = _language(request, language)
    fonts = font_spec(font)
    docs = tuple(assemble_contract(request, tmpl, one, kind) for one in lang.langs)
    return _finish(
        request,
        docs=docs,
        template=tmpl,
        made_from={"template": tmpl.sha256},
        fonts=fonts,
        kind=kind,
    )


def render_summary(
    request: ConsentRequest | Mapping[str, Any],
    *,
    font: FontSpec | str | Path | None = None,
    language: ConsentLanguage | str | None = None,
    template: ContractTemplate | None = None,
) -> RenderedConsent:
    """Render the 概要書面 (summary document) due *before* a contract covered by 特定商取引法.

    It carries every item of 特商法42条1項 (amounts as an estimate) and says that the
    cooling-off period runs from receipt of the 契約書面, not of this document.

    ``request`` and ``language`` are taken as by :func:`render_consent`.

    Raises:
        ValidationError: the plan is not covered, or an item is missing (each named
            by its field, e.g. ``clinic.representative``).
    """
    return _render_tokusho(request, "summary", font=font, language=language, template=template)


def render_contract(
    request: ConsentRequest | Mapping[str, Any],
    *,
    font: FontSpec | str | Path | None = None,
    language: ConsentLanguage | str | None = None,
    template: ContractTemplate | None = None,
) -> RenderedConsent:
    """Render the 契約書面 (contract document) handed over *when* a covered contract is made.

    Every item of 特商法42条2項 is required data: a missing one is a
    :class:`ValidationError` naming the field, never a blank, because a defective
    契約書面 means the cooling-off period never starts. The cooling-off matters and
    the notice to read the document stand in red letters inside a red frame.

    Raises:
        ValidationError: the plan is not covered, an item is missing, or the
            cancellation terms can exceed the 49条 caps.
    """
    return _render_tokusho(request, "contract", font=font, language=language, template=template)
