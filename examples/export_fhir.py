"""Export intake answers and a reaction log to FHIR R4, and read the answers back.

Run: python examples/export_fhir.py
(writes intake-bundle.json and visits-bundle.json in the current folder)
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import exointake
from exointake import fhir

HAVE_FHIR_RESOURCES = importlib.util.find_spec("fhir.resources") is not None
RECORDS = Path(__file__).resolve().parent / "log"  # the log's example records

questionnaire = exointake.load_questionnaire("exosome-intake", "1")
answers = questionnaire.answers(
    {
        "birth_date": "1985-06-01",
        "cancer_history": "none",
        "drug_allergy": True,
        "drug_allergy_details": "antibiotics: rash",
        "food_allergy": "unknown",  # "don't know" travels as the asked-unknown reason
        "prior_exosome_reaction": False,
        "pregnant_or_breastfeeding": False,
        "fever_or_infection_today": False,
        "immunosuppressed_or_autoimmune": False,
        "anticoagulants": False,
        "bleeding_disorder": False,
        "keloid_tendency": False,
        "site_skin_problem": False,
    },
    route="injection_face",
)

bundle = fhir.to_bundle(
    [
        fhir.to_questionnaire(questionnaire),
        fhir.to_questionnaire_response(
            answers,
            questionnaire,
            patient_id="P-0001",  # the clinic's opaque id, never a name
            authored=dt.datetime(2026, 11, 25, 10, 30, tzinfo=exointake.JST),
        ),
    ],
    timestamp=dt.datetime(2026, 11, 25, 10, 45, tzinfo=exointake.JST),
)
out = Path("intake-bundle.json")
out.write_text(fhir.dumps(bundle), encoding="utf-8")
print(f"wrote {out} ({out.stat().st_size} bytes, {len(bundle['entry'])} resources)")

if HAVE_FHIR_RESOURCES:  # pip install 'exointake[fhir]'
    fhir.validate(bundle)
    print("the bundle validates against the FHIR R4B models")

# Another system sends the response back: the answers are the same, pin and route included.
stored = json.loads(out.read_text(encoding="utf-8"))
response = next(
    e["resource"]
    for e in stored["entry"]
    if e["resource"]["resourceType"] == "QuestionnaireResponse"
)
back = fhir.answers_from_questionnaire_response(response, questionnaire)
assert back == answers
print("read back:", back)
print("screening from the read-back answers:", exointake.screen(back, "injection_face").decision)


def record(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((RECORDS / f"{name}.json").read_text("utf-8"))
    return data


# The reaction log: one bundle per visit (consent, screening, administration, reaction).
consent = record("consent")
in_force = {str(consent["template_id"]): str(consent["template_sha256"])}
with exointake.open_log("sqlite:///:memory:", current_consent_templates=in_force) as log:
    # Once the physician has clarified the allergies, the patient is screened again.
    clarified = {
        **back.to_dict()["answers"],
        "drug_allergy": False,
        "food_allergy": False,
    }
    clarified.pop("drug_allergy_details")
    again = questionnaire.answers(clarified, route="injection_face")
    result = exointake.screen(again, "injection_face", on=dt.date(2026, 11, 25))
    print("screening after clarification:", result.decision)
    log.record_screening(
        exointake.ScreeningRecord.from_result(result, patient_id="P-000123", answers=again)
    )
    # The consent names the route it covers and the screening it relied on.
    consent.update(routes=["injection_face"], screening_result_ids=[result.result_id])
    log.record_consent(exointake.ConsentRecord.from_dict(consent))
    administration = {**record("administration"), "screening_result_id": result.result_id}
    administration["route"] = "injection_face"
    administration_id = log.administer(exointake.Administration.from_dict(administration))
    log.record_reaction(
        exointake.ReactionRecord.from_dict(
            {**record("reaction"), "administration_id": administration_id}
        )
    )
    visits = fhir.visit_bundles(log)

for visit in visits:
    kinds = [e["resource"]["resourceType"] for e in visit["entry"]]
    print(f"visit bundle {visit['id']}: {', '.join(kinds)}")
    if HAVE_FHIR_RESOURCES:
        fhir.validate(visit)
out = Path("visits-bundle.json")
out.write_text(fhir.dumps(fhir.to_bundle(visits), indent=2), encoding="utf-8")
print(f"wrote {out}")
