"""FHIR MedicationAdministration, AdverseEvent and Consent from the reaction log's records."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any, Final

from .._common import JST, Route
from .._errors import ValidationError
from .._grading import CtcaeGrade, Grade
from .._grading import grade as grade_reaction
from .._labels import load_labels
from .._log._core import EntryKind, Log, LogEntry
from .._questionnaire import bundled_questionnaire
from .._reaction import Outcome
from .._reactions import Causality, ReactionRecord
from .._records import Administration, ConsentRecord, GateOverride, Product
from .._screening import ScreeningResult
from .._vocabulary import SeriousnessCriterion
from .._wareki import date_arg
from ._questionnaire import to_questionnaire, to_questionnaire_response
from ._screening import to_risk_assessment
from ._util import (
    CANONICAL_BASE,
    FhirResource,
    decimal_number,
    ext_url,
    fhir_id,
    fhir_string,
    instant,
    logical,
    patient_reference,
    put_text,
    to_bundle,
)

__all__ = [
    "RECORD_EXTENSIONS",
    "to_adverse_event",
    "to_consent",
    "to_medication_administration",
    "visit_bundles",
]

_THO: Final = "http://terminology.hl7.org/CodeSystem"
_UCUM: Final = "http://unitsofmeasure.org"

RECORD_EXTENSIONS: Final = {
    "product-origin": "Medication: valueCode: the cells the product was made from "
    "(adipose, umbilical_cord, dental_pulp, other).",
    "product-sourcing": "Medication: valueCode: domestic or imported.",
    "product-concentration": "Medication: valueString: the concentration as the maker states it.",
    "cold-chain-ok": "MedicationAdministration: valueBoolean: the cold-chain check before use.",
    "gate-override": "MedicationAdministration: complex: an administration let past the "
    "safety gate by a recorded override: by (valueReference, the Practitioner who allowed "
    "it, by staff-id) and bypassed (valueCode, repeated: the gate's checks it let through, "
    "e.g. cold_chain, screening_decision). The override's reason is the resource's note, "
    "authored by the same Practitioner.",
    "severity-category": "AdverseEvent: valueCoding ({base}/CodeSystem/severity-category): "
    "the article's severity row (local, allergy, anaphylaxis); also the first coding of event. "
    "Absent for an event outside the table (no article row).",
    "event-kind": "AdverseEvent: valueCoding ({base}/CodeSystem/event-kind): table_reaction, "
    "infection, needle_related or other; the first coding of event when there is no row.",
    "symptom": "AdverseEvent: valueCoding ({base}/CodeSystem/symptom), repeated: the "
    "reported symptom codes.",
    "ctcae": "AdverseEvent: complex, repeated (the leading term first): term (valueString) "
    "and grade (valueInteger), each absent when the record does not say enough, meddra "
    "(valueCoding, the term's MedDRA code as CTCAE v5.0 lists it) and version (valueString, "
    "5.0). Each term's MedDRA coding is also in event.",
    "brighton": "AdverseEvent: complex: level (valueInteger 1-5), reason (valueCode), "
    "note (valueCode, repeated: exointake's own rules that decided the level), "
    "version (valueString, 2007).",
    "seriousness-criterion": "AdverseEvent: valueCoding (adverse-event-seriousness, R4 codes), "
    "repeated: the ICH E2A criteria met.",
    "administration": "AdverseEvent: valueReference: the MedicationAdministration the "
    "reaction followed, by its log entry id.",
    "seriousness-undetermined": "AdverseEvent: valueCode, repeated: ICH E2A criteria the "
    "record cannot decide yet (seriousness is then left out unless already serious).",
    "sha256": "Attachment: valueString: SHA-256 of the document, as hex.",
    "request-sha256": "Consent: valueString: SHA-256 of the consent request.",
    "template": "Consent: complex: id, version and sha256 (valueString each) of the "
    "consent template.",
}

_EXPORTED: Final = frozenset(
    {EntryKind.ADMINISTRATION, EntryKind.REACTION, EntryKind.CONSENT, EntryKind.SCREENING}
)


_OUTCOME: Final = {
    Outcome.RECOVERED: ("resolved", "Resolved"),
    Outcome.RECOVERING: ("recovering", "Recovering"),
    Outcome.NOT_RECOVERED: ("ongoing", "Ongoing"),
    Outcome.RECOVERED_WITH_SEQUELAE: ("resolvedWithSequelae", "Resolved with Sequelae"),
    Outcome.FATAL: ("fatal", "Fatal"),
    Outcome.UNKNOWN: ("unknown", "Unknown"),
}

# R4 (4.0.1) codes of terminology.hl7.org's adverse-event-seriousness code system.
_SERIOUSNESS: Final = {
    SeriousnessCriterion.DEATH: ("SeriousResultsInDeath", "Results in death"),
    SeriousnessCriterion.LIFE_THREATENING: ("SeriousIsLifeThreatening", "Is Life-threatening"),
    SeriousnessCriterion.HOSPITALIZATION: (
        "SeriousResultsInHospitalization",
        "Requires or prolongs inpatient hospitalization",
    ),
    SeriousnessCriterion.DISABILITY: (
        "SeriousResultsInDisability",
        "Results in persistent or significant disability/incapacity",
    ),
    SeriousnessCriterion.CONGENITAL_ANOMALY: (
        "SeriousIsBirthDefect",
        "Is a congenital anomaly/birth defect",
    ),
    SeriousnessCriterion.MEDICALLY_IMPORTANT: (
        "SeriousRequiresPreventImpairment",
        "Requires intervention to prevent permanent impairment",
    ),
}

_MEDDRA: Final = "http://terminology.hl7.org/CodeSystem/mdr"

# R4 (4.0.1) codes of adverse-event-causality-assess (WHO-UMC categories). FHIR's display
# "Conditional/Classified" differs from WHO-UMC's "Conditional/Unclassified": the
# assessment's text carries WHO-UMC's own name.
_CAUSALITY: Final = {
    Causality.CERTAIN: ("Certain", "Certain"),
    Causality.PROBABLE: ("Probably-Likely", "Probably/Likely"),
    Causality.POSSIBLE: ("Possible", "Possible"),
    Causality.UNLIKELY: ("Unlikely", "Unlikely"),
    Causality.CONDITIONAL: ("Conditional-Classified", "Conditional/Classified"),
    Causality.UNASSESSABLE: ("Unassessable-Unclassifiable", "Unassessable/Unclassifiable"),
}


# ---------------------------------------------------------------------------- shared


def _code_system(base: str, name: str) -> str:
    return f"{base}/CodeSystem/{name}"


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def _medication(product: Product, base: str) -> dict[str, Any]:
    """A contained Medication: the product with its maker and lot."""
    return {
        "resourceType": "Medication",
        "id": "product",
        "extension": [
            {"url": ext_url(base, "product-origin"), "valueCode": product.origin.value},
            {"url": ext_url(base, "product-sourcing"), "valueCode": product.sourcing.value},
            {"url": ext_url(base, "product-concentration"), "valueString": product.concentration},
        ],
        "code": {"text": f"exosome product ({product.origin.value}, {product.concentration})"},
        "manufacturer": {"display": product.maker},
        "batch": {"lotNumber": product.lot},
    }


def _route(route: Route, base: str) -> dict[str, Any]:
    label = load_labels().of("fhir.routes", route)
    coding = {"system": _code_system(base, "route"), "code": route.value}
    put_text(coding, "display", label, "route")
    return {"coding": [coding], "text": label.ja}


# ---------------------------------------------------------------------------- administration


def to_medication_administration(
    administration: Administration,
    *,
    entry_id: str | None = None,
    override: GateOverride | None = None,
    base: str = CANONICAL_BASE,
) -> FhirResource:
    """A FHIR ``MedicationAdministration`` for one logged administration.

    The product is a contained ``Medication`` (maker, lot, origin, sourcing,
    concentration); the dose is the volume in mL; route and site as recorded. The
    patient, physician, consent and screening result are referred to by identifier.

    An administration let past the safety gate carries its override: who allowed it and
    the checks it bypassed in the ``gate-override`` extension, and why in ``note`` (an
    Annotation authored by that physician: R4 has no element for "given despite a
    failed check"; ``statusReason`` is only for an administration not performed).

    Args:
        administration: the administration record.
        entry_id: its log entry id: the resource's id and identifier.
        override: the entry's recorded override (``LogEntry.override``), if any.
        base: base URL of exointake's code systems, identifiers and extensions.
    """
    resource: FhirResource = {"resourceType": "MedicationAdministration"}
    if entry_id is not None:
        resource["id"] = fhir_id(entry_id)
    resource["contained"] = [_medication(administration.product, base)]
    resource["extension"] = [
        {
            "url": ext_url(base, "cold-chain-ok"),
            "valueBoolean": administration.storage_check.cold_chain_ok,
        }
    ]
    if override is not None:
        resource["extension"].append(_override_extension(override, base))
    if entry_id is not None:
        resource["identifier"] = [{"system": f"{base}/sid/log-entry-id", "value": entry_id}]
    resource["status"] = "completed"
    resource["medicationReference"] = {"reference": "#product"}
    resource["subject"] = patient_reference(administration.patient_id, base=base)
    resource["effectiveDateTime"] = instant(administration.administered_at, "administered_at")
    resource["performer"] = [
        {"actor": logical("Practitioner", "staff-id", administration.physician_id, base)}
    ]
    resource["supportingInformation"] = [
        logical("Consent", "consent-id", administration.consent_id, base),
        logical("RiskAssessment", "screening-result-id", administration.screening_result_id, base),
    ]
    reason = None if override is None else fhir_string(override.reason, "override.reason")
    if override is not None and reason is not None:
        resource["note"] = [
            {
                "authorReference": logical("Practitioner", "staff-id", override.by, base),
                "text": reason,
            }
        ]
    resource["dosage"] = {
        "site": {"text": administration.site},
        "route": _route(administration.route, base),
        "dose": _ml(administration.volume_ml),
    }
    return resource


def _override_extension(override: GateOverride, base: str) -> dict[str, Any]:
    return {
        "url": ext_url(base, "gate-override"),
        "extension": [
            {"url": "by", "valueReference": logical("Practitioner", "staff-id", override.by, base)},
            *({"url": "bypassed", "valueCode": code} for code in override.bypassed),
        ],
    }


def _ml(volume: Decimal) -> dict[str, Any]:
    return {
        "value": decimal_number(volume, "volume_ml"),
        "unit": "mL",
        "system": _UCUM,
        "code": "mL",
    }


# ---------------------------------------------------------------------------- AdverseEvent


def to_adverse_event(
    reaction: ReactionRecord,
    administration: Administration,
    *,
    grade: Grade | None = None,
    entry_id: str | None = None,
    recorded_at: dt.datetime | None = None,
    base: str = CANONICAL_BASE,
) -> FhirResource:
    """A FHIR ``AdverseEvent`` for a logged, graded reaction.

    ``event`` and the ``severity-category`` extension carry the article's row;
    ``seriousness`` is ICH E2A's serious/non-serious (left out while a criterion is
    undecided and none is met); ``severity`` follows the CTCAE grade (1 mild,
    2 moderate, 3 and above severe); ``outcome`` as recorded. The suspect entity is the
    product with its lot, with the WHO-UMC causality. The CTCAE term and grade and
    the Brighton level travel in extensions (see ``EXTENSIONS``).

    Args:
        reaction: the reaction record.
        administration: the administration it followed (for the patient and the lot).
        grade: its grade as stored with the log entry (``Grade.from_dict(entry.grade)``);
            graded now, as the log does, when not given.
        entry_id: the reaction's log entry id: the resource's id and identifier.
        recorded_at: when it was logged.
        base: base URL of exointake's code systems, identifiers and extensions.
    """
    if grade is None:
        grade = grade_reaction(
            reaction.reaction,
            route=administration.route,
            on=reaction.onset.astimezone(JST).date(),
        )
    resource: FhirResource = {"resourceType": "AdverseEvent"}
    if entry_id is not None:
        resource["id"] = fhir_id(entry_id)
    resource["contained"] = [_medication(administration.product, base)]
    resource["extension"] = _grade_extensions(reaction, grade, base)
    if entry_id is not None:
        resource["identifier"] = {"system": f"{base}/sid/log-entry-id", "value": entry_id}
    resource["actuality"] = "actual"
    first = _category_coding(grade, base) or _event_kind_coding(grade, base)
    put_text(first, "display", grade.category_label, "grade.category_label")
    resource["event"] = {
        "coding": [first, *_meddra_codings(grade)],
        "text": grade.category_label.ja,
    }
    resource["subject"] = patient_reference(administration.patient_id, base=base)
    resource["date"] = instant(reaction.onset, "reaction.onset")
    resource["detected"] = instant(reaction.onset, "reaction.onset")
    if recorded_at is not None:
        resource["recordedDate"] = instant(recorded_at, "recorded_at")
    resource["recorder"] = logical("Practitioner", "staff-id", reaction.reporter, base)
    if grade.serious or not grade.seriousness_unknown:
        code, display = ("Serious", "Serious") if grade.serious else ("Non-serious", "Non-serious")
        resource["seriousness"] = {
            "coding": [_coding(f"{_THO}/adverse-event-seriousness", code, display)]
        }
    if grade.ctcae.grade is not None:
        severity = ("mild", "Mild") if grade.ctcae.grade <= 1 else ("moderate", "Moderate")
        if grade.ctcae.grade >= 3:
            severity = ("severe", "Severe")
        resource["severity"] = {"coding": [_coding(f"{_THO}/adverse-event-severity", *severity)]}
    outcome = _OUTCOME[reaction.reaction.outcome]
    resource["outcome"] = {"coding": [_coding(f"{_THO}/adverse-event-outcome", *outcome)]}
    assess = _CAUSALITY[reaction.causality]
    resource["suspectEntity"] = [
        {
            "instance": {"reference": "#product"},
            "causality": [
                {
                    "assessment": {
                        "coding": [_coding(f"{_THO}/adverse-event-causality-assess", *assess)],
                        "text": reaction.causality.label,
                    },
                    "method": {"text": "WHO-UMC causality categories"},
                    "author": logical("Practitioner", "staff-id", reaction.reporter, base),
                }
            ],
        }
    ]
    return resource


def _category_coding(grade: Grade, base: str) -> dict[str, Any] | None:
    if grade.category is None:
        return None
    return {"system": _code_system(base, "severity-category"), "code": grade.category.value}


def _event_kind_coding(grade: Grade, base: str) -> dict[str, Any]:
    return {"system": _code_system(base, "event-kind"), "code": grade.event_kind.value}


def _meddra_codings(grade: Grade) -> list[dict[str, Any]]:
    """The MedDRA codes (as CTCAE v5.0 lists them) of the graded CTCAE terms."""
    return [
        _coding(_MEDDRA, c.meddra_llt, c.term.value)
        for c in (grade.ctcae, *grade.ctcae_other)
        if c.meddra_llt is not None and c.term is not None
    ]


def _ctcae_extension(ctcae: CtcaeGrade, base: str) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if ctcae.term is not None:
        parts.append({"url": "term", "valueString": ctcae.term.value})
    if ctcae.grade is not None:
        parts.append({"url": "grade", "valueInteger": ctcae.grade})
    if ctcae.meddra_llt is not None and ctcae.term is not None:
        parts.append(
            {"url": "meddra", "valueCoding": _coding(_MEDDRA, ctcae.meddra_llt, ctcae.term.value)}
        )
    parts.append({"url": "version", "valueString": ctcae.version})
    return {"url": ext_url(base, "ctcae"), "extension": parts}


def _grade_extensions(reaction: ReactionRecord, grade: Grade, base: str) -> list[dict[str, Any]]:
    category = _category_coding(grade, base)
    out: list[dict[str, Any]] = [
        {
            "url": ext_url(base, "administration"),
            "valueReference": logical(
                "MedicationAdministration", "log-entry-id", reaction.administration_id, base
            ),
        },
    ]
    if category is not None:
        out.append({"url": ext_url(base, "severity-category"), "valueCoding": category})
    out.append({"url": ext_url(base, "event-kind"), "valueCoding": _event_kind_coding(grade, base)})
    out.extend(
        {
            "url": ext_url(base, "symptom"),
            "valueCoding": {"system": _code_system(base, "symptom"), "code": code},
        }
        for code in reaction.reaction.codes
    )
    out.extend(_ctcae_extension(c, base) for c in (grade.ctcae, *grade.ctcae_other))
    out.append(
        {
            "url": ext_url(base, "brighton"),
            "extension": [
                {"url": "level", "valueInteger": grade.brighton_level},
                {"url": "reason", "valueCode": grade.brighton_reason.value},
                *({"url": "note", "valueCode": n.value} for n in grade.brighton_notes),
                {"url": "version", "valueString": grade.brighton_version},
            ],
        }
    )
    for criterion in grade.seriousness_criteria:
        code, display = _SERIOUSNESS[criterion]
        out.append(
            {
                "url": ext_url(base, "seriousness-criterion"),
                "valueCoding": _coding(f"{_THO}/adverse-event-seriousness", code, display),
            }
        )
    out.extend(
        {"url": ext_url(base, "seriousness-undetermined"), "valueCode": criterion.value}
        for criterion in grade.seriousness_unknown
    )
    return out


# ---------------------------------------------------------------------------- Consent


def to_consent(
    consent: ConsentRecord,
    *,
    pdf: bytes | None = None,
    base: str = CANONICAL_BASE,
) -> FhirResource:
    """A FHIR ``Consent`` (scope: treatment) for a recorded consent document.

    The source attachment is the PDF, identified by its SHA-256 (in the ``sha256``
    extension: R4's ``Attachment.hash`` is SHA-1). Pass the PDF's bytes to add its
    size and SHA-1 hash; the bytes themselves are never embedded. The template the
    document was rendered from is the consent's policy.

    Args:
        consent: the consent record from the log.
        pdf: the rendered (or signed) PDF, checked against the recorded hashes when given.
        base: base URL of exointake's identifiers and extensions.

    Raises:
        ValidationError: ``pdf`` is not the document the record names.
    """
    attachment: dict[str, Any] = {
        "extension": [{"url": ext_url(base, "sha256"), "valueString": consent.pdf_sha256}],
        "contentType": "application/pdf",
    }
    if pdf is not None:
        if hashlib.sha256(pdf).hexdigest() not in (consent.pdf_sha256, consent.signed_pdf_sha256):
            raise ValidationError(
                [
                    "pdf: its SHA-256 differs from consent.pdf_sha256 and "
                    "consent.signed_pdf_sha256 (not the recorded document)"
                ],
                what="FHIR export",
            )
        attachment["size"] = len(pdf)
        attachment["hash"] = base64.b64encode(hashlib.sha1(pdf).digest()).decode("ascii")  # noqa: S324 - R4 defines Attachment.hash as SHA-1
    attachment["title"] = f"{consent.template_id} v{consent.template_version}"
    attachment["creation"] = instant(consent.rendered_at, "consent.rendered_at")
    resource: FhirResource = {
        "resourceType": "Consent",
        "id": fhir_id(consent.consent_id),
        "extension": [
            {"url": ext_url(base, "request-sha256"), "valueString": consent.request_sha256},
            {
                "url": ext_url(base, "template"),
                "extension": [
                    {"url": "id", "valueString": consent.template_id},
                    {"url": "version", "valueString": consent.template_version},
                    {"url": "sha256", "valueString": consent.template_sha256},
                ],
            },
        ],
        "identifier": [{"system": f"{base}/sid/consent-id", "value": consent.consent_id}],
        "status": "active",
        "scope": {
            "coding": [_coding(f"{_THO}/consentscope", "treatment", "Treatment")],
        },
        "category": [{"coding": [_coding("http://loinc.org", "59284-0", "Patient Consent")]}],
        "patient": patient_reference(consent.patient_id, base=base),
        "dateTime": instant(consent.rendered_at, "consent.rendered_at"),
        "performer": [patient_reference(consent.patient_id, base=base)],
        "sourceAttachment": attachment,
        "policy": [
            {"uri": f"{base}/ConsentTemplate/{consent.template_id}|{consent.template_version}"}
        ],
        "provision": {"type": "permit"},
    }
    return resource


# ---------------------------------------------------------------------------- visits


def _intake_resources(entry: LogEntry, patient_id: str, base: str) -> dict[str, FhirResource]:
    """The Questionnaire and QuestionnaireResponse behind a logged screening, by a sort key.

    Only for a screening recorded with its answers on a bundled questionnaire (a clinic's
    own questionnaire is not in the library, so it cannot be exported from the log alone).
    """
    document = entry.record.answers
    if document is None:
        return {}
    ref = document.get("questionnaire", {})
    q = bundled_questionnaire(str(ref.get("id")), str(ref.get("version")))
    if q is None or q.sha256 != ref.get("sha256"):
        return {}
    answers = q.load_answers(document, partial=True)
    response = to_questionnaire_response(
        answers,
        q,
        patient_id=patient_id,
        authored=entry.recorded_at,
        id=f"qr-{entry.record.result_id[:32]}",
        base=base,
    )
    return {
        f"0-{q.id}-{q.version}": to_questionnaire(q, base=base),
        f"1-{entry.record.result_id}": response,
    }


def visit_bundles(
    log: Log,
    *,
    patient_id: str | None = None,
    since: dt.date | str | None = None,
    base: str = CANONICAL_BASE,
) -> list[FhirResource]:
    """One FHIR ``Bundle`` per visit in a reaction log.

    A visit is one patient's administrations on one day (Japan time). Its bundle holds
    the consents and screening results those administrations relied on (as
    ``Consent`` and ``RiskAssessment``; a screening recorded with its answers also as the
    ``Questionnaire`` and ``QuestionnaireResponse``), the administrations, and the reactions that
    followed them, each in its current (amended) version. Bundles come
    oldest visit first; the same log gives the same bundles.

    Args:
        log: an open reaction log.
        patient_id: only this patient's visits.
        since: only visits on or after this day (Japan time): a date, ``YYYY-MM-DD``
            or 和暦.
        base: base URL of exointake's code systems, identifiers and extensions.
    """
    start = None if since is None else date_arg(since, "since")
    current: dict[str, LogEntry] = {}
    first_recorded: dict[str, dt.datetime] = {}
    for entry in log.entries():
        if entry.kind not in _EXPORTED:
            continue
        current[entry.root_id] = entry  # chain order: a later version replaces the earlier
        first_recorded.setdefault(entry.root_id, entry.recorded_at)
    consents: dict[str, LogEntry] = {}
    screenings: dict[tuple[str, str], LogEntry] = {}
    reactions: dict[str, list[tuple[str, LogEntry]]] = {}
    visits: dict[tuple[dt.date, str], list[tuple[str, LogEntry]]] = {}
    for root, entry in current.items():
        record = entry.record
        if entry.kind is EntryKind.CONSENT:
            consents[record.consent_id] = entry
        elif entry.kind is EntryKind.SCREENING:
            screenings[(record.patient_id, record.result_id)] = entry
        elif entry.kind is EntryKind.REACTION:
            reactions.setdefault(record.administration_id, []).append((root, entry))
        else:
            day = record.administered_at.astimezone(JST).date()
            if (patient_id is None or record.patient_id == patient_id) and (
                start is None or day >= start
            ):
                visits.setdefault((day, record.patient_id), []).append((root, entry))
    bundles = []
    for key in sorted(visits):
        administrations = sorted(
            visits[key], key=lambda pair: (pair[1].record.administered_at, pair[0])
        )
        resources: list[FhirResource] = []
        stamps = []
        for consent_id in sorted({e.record.consent_id for _, e in administrations}):
            if consent_id in consents:
                entry = consents[consent_id]
                resources.append(to_consent(entry.record, base=base))
                stamps.append(entry.recorded_at)
        intake: dict[str, FhirResource] = {}
        for result_id in sorted({e.record.screening_result_id for _, e in administrations}):
            found = screenings.get((key[1], result_id))
            if found is not None:
                result = ScreeningResult.from_dict(dict(found.record.result))
                resources.append(to_risk_assessment(result, patient_id=key[1], base=base))
                stamps.append(found.recorded_at)
                intake.update(_intake_resources(found, key[1], base))
        resources.extend(intake[k] for k in sorted(intake))
        followed: list[tuple[str, LogEntry, Administration]] = []
        for root, entry in administrations:
            resources.append(
                to_medication_administration(
                    entry.record, entry_id=root, override=entry.override, base=base
                )
            )
            stamps.append(entry.recorded_at)
            followed.extend((r, e, entry.record) for r, e in reactions.get(root, []))
        for root, entry, administration in sorted(
            followed, key=lambda t: (t[1].record.onset, t[0])
        ):
            resources.append(
                to_adverse_event(
                    entry.record,
                    administration,
                    grade=None if entry.grade is None else Grade.from_dict(dict(entry.grade)),
                    entry_id=root,
                    recorded_at=first_recorded[root],
                    base=base,
                )
            )
            stamps.append(entry.recorded_at)
        bundles.append(to_bundle(resources, timestamp=max(stamps)))
    return bundles
