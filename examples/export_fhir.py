"""Export a questionnaire and a patient's answers as a FHIR R4 Bundle, then read them back.

Run: python examples/export_fhir.py   (writes intake-bundle.json in the current folder)
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import exointake
from exointake import fhir

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

if importlib.util.find_spec("fhir.resources") is not None:  # pip install 'exointake[fhir]'
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
