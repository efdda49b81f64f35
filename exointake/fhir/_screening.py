"""FHIR RiskAssessment for a screening result: the decision, each finding, the versions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .._labels import load_labels
from .._screening import Decision, ScreeningResult
from ._util import (
    CANONICAL_BASE,
    FhirResource,
    ext_url,
    fhir_id,
    patient_reference,
    put_text,
)

__all__ = ["SCREENING_EXTENSIONS", "to_risk_assessment"]

SCREENING_EXTENSIONS: Final[Mapping[str, str]] = {
    "screening-decision": "RiskAssessment: valueCoding ({base}/CodeSystem/screening-decision): "
    "the overall decision (clear, caution, physician_review, postpone, incomplete, "
    "contraindicated).",
    "ruleset": "RiskAssessment: complex: id, version and sha256 (valueString each) of the "
    "rule set used.",
    "rule-source": "RiskAssessment.prediction: valueCode: where the rule comes from "
    "(article, practice, clinic).",
    "missing-item": "RiskAssessment and its predictions: valueString, repeated: questionnaire "
    "items that were missing or answered don't know.",
    "requirement": "RiskAssessment: valueCode, repeated: what must happen before treatment "
    "(e.g. guardian_consent).",
}


def _decision_coding(decision: Decision, base: str) -> dict[str, Any]:
    coding: dict[str, Any] = {
        "system": f"{base}/CodeSystem/screening-decision",
        "code": decision.value,
    }
    put_text(coding, "display", load_labels().of("fhir.decisions", decision), "decision")
    return coding


def to_risk_assessment(
    result: ScreeningResult,
    *,
    patient_id: str | None = None,
    base: str = CANONICAL_BASE,
) -> FhirResource:
    """A FHIR ``RiskAssessment`` for a screening result.

    The overall decision is the ``screening-decision`` extension and the first
    prediction's qualitative risk; each finding is a further prediction whose outcome
    names the rule and whose rationale is the staff message (Japanese, English in the
    translation extension). The resource id and identifier are the result's
    ``result_id``; the questionnaire and rule-set versions are kept, so the screening
    can be reproduced. Answers are not copied (export the QuestionnaireResponse for
    them).

    Args:
        result: the screening result.
        patient_id: the clinic's opaque patient id.
        base: base URL of exointake's code systems, identifiers and extensions.

    >>> import datetime as dt, exointake
    >>> from exointake import fhir
    >>> q = exointake.load_questionnaire()
    >>> answers = q.answers({"cancer_history": "current"}, partial=True)
    >>> result = exointake.screen(answers, "iv_drip", on=dt.date(2026, 11, 25))
    >>> risk = fhir.to_risk_assessment(result, patient_id="P-0001")
    >>> risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"]
    'contraindicated'
    """
    extensions: list[dict[str, Any]] = [
        {
            "url": ext_url(base, "screening-decision"),
            "valueCoding": {
                "system": f"{base}/CodeSystem/screening-decision",
                "code": result.decision.value,
            },
        },
        {
            "url": ext_url(base, "ruleset"),
            "extension": [
                {"url": "id", "valueString": result.ruleset.id},
                {"url": "version", "valueString": result.ruleset.version},
                {"url": "sha256", "valueString": result.ruleset.sha256},
            ],
        },
    ]
    extensions.extend(
        {"url": ext_url(base, "missing-item"), "valueString": item} for item in result.missing
    )
    extensions.extend(
        {"url": ext_url(base, "requirement"), "valueCode": r} for r in result.requirements
    )
    resource: FhirResource = {
        "resourceType": "RiskAssessment",
        "id": fhir_id(result.result_id),
        "extension": extensions,
        "identifier": [{"system": f"{base}/sid/screening-result-id", "value": result.result_id}],
        "status": "final",
        "method": {
            "coding": [
                {
                    "system": f"{base}/CodeSystem/ruleset",
                    "code": result.ruleset.id,
                    "version": result.ruleset.version,
                }
            ],
            "text": f"exointake rule set {result.ruleset.id} v{result.ruleset.version}",
        },
        "code": {
            "coding": [
                {
                    "system": f"{base}/CodeSystem/route",
                    "code": result.route.value,
                }
            ],
            "text": f"contraindication screening for {result.route.value}",
        },
    }
    if patient_id is not None:
        resource["subject"] = patient_reference(patient_id, base=base)
    else:  # R4 requires a subject; without an id, say so rather than invent one
        resource["subject"] = {"type": "Patient", "display": "patient not identified"}
    resource["occurrenceDateTime"] = result.screened_on.isoformat()
    resource["basis"] = [
        {
            "type": "Questionnaire",
            "identifier": {
                "system": "urn:ietf:rfc:3986",
                "value": f"urn:sha256:{result.questionnaire.sha256}",
            },
            "display": f"{result.questionnaire.id} v{result.questionnaire.version}",
        }
    ]
    overall = {
        "outcome": {"text": "overall screening decision"},
        "qualitativeRisk": {"coding": [_decision_coding(result.decision, base)]},
    }
    predictions: list[dict[str, Any]] = [overall]
    for finding in result.findings:
        rule = finding.rule_id
        prediction: dict[str, Any] = {
            "extension": [
                {"url": ext_url(base, "rule-source"), "valueCode": finding.source.value},
                *(
                    {"url": ext_url(base, "missing-item"), "valueString": item}
                    for item in finding.missing
                ),
            ],
            "outcome": {
                "coding": [{"system": f"{base}/CodeSystem/screening-rule", "code": rule}],
                "text": rule,
            },
            "qualitativeRisk": {"coding": [_decision_coding(finding.decision, base)]},
        }
        put_text(prediction, "rationale", finding.staff_message, f"findings.{rule}")
        predictions.append(prediction)
    resource["prediction"] = predictions
    return resource
