"""Walk the safety chain a clinic runs for one patient with a two-route plan.

Screen each route (the answers are kept in the log), record the physician's review of a
finding, record the consent that relies on those screenings and that review, administer,
see the gate refuse an administration whose chain is broken, let one through with a
recorded override, log a reaction and export the visit as FHIR.

Run: python examples/safety_chain.py   (writes chain-example.db in the current folder)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs

from exointake import (
    JST,
    Administration,
    AdministrationRefused,
    ConsentRecord,
    ReactionRecord,
    ScreeningRecord,
    fhir,
    load_questionnaire,
    open_log,
    screen,
)
from exointake.records import GateOverride, PhysicianReview, ReviewDecision

DB = Path("chain-example.db")
for suffix in ("", "-wal", "-shm"):
    Path(f"{DB}{suffix}").unlink(missing_ok=True)

DAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=JST)
TEMPLATES = {"exosome-consent": "c0ffee00" * 8}  # the consent template in force (its SHA-256)
PATIENT = "P-000123"

questionnaire = load_questionnaire()  # the newest: exosome-intake v2
answers = questionnaire.answers(
    {
        "birth_date": "1985-06-15",
        "cancer_history": "none",
        "drug_allergy": False,
        "food_allergy": False,
        "prior_exosome_systemic_reaction": False,
        "prior_exosome_local_reaction": False,
        "anaphylaxis_history": False,
        "component_or_biologic_allergy": False,
        "bronchial_asthma": True,
        "pregnant_or_breastfeeding": False,
        "fever_or_infection_today": False,
        "immunosuppressed_or_autoimmune": False,
        "anticoagulants": False,
        "bleeding_disorder": False,
        "keloid_tendency": False,
        "site_skin_problem": False,
    }
)

with open_log(DB, clock=lambda: NOW, current_consent_templates=TEMPLATES) as log:
    print("1. Screen both planned routes; keep the answers with each screening")
    results = {route: screen(answers, route, on=DAY) for route in ("iv_drip", "injection_face")}
    for route, result in results.items():
        log.record_screening(
            ScreeningRecord.from_result(result, patient_id=PATIENT, answers=answers)
        )
        print(
            f"   {route}: {result.decision.value} ({', '.join(f.rule_id for f in result.findings)})"
        )

    print("2. The physician reviews the finding and records the decision")
    log.record_review(
        PhysicianReview(
            review_id="RV-0001",
            patient_id=PATIENT,
            screening_result_ids=tuple(r.result_id for r in results.values()),
            findings=("bronchial_asthma",),
            decision=ReviewDecision.PROCEED,
            reviewed_by="DR-007",
            reviewed_at=dt.datetime(2026, 11, 25, 9, 10, tzinfo=JST),
            reason="喘息は良好にコントロールされている。",
        )
    )

    print("3. Record the consent, naming the screenings and the review it relied on")
    log.record_consent(
        ConsentRecord(
            consent_id="CONSENT-0042",
            patient_id=PATIENT,
            request_sha256="3f" * 32,
            pdf_sha256="9a" * 32,
            template_id="exosome-consent",
            template_version="1",
            template_sha256=TEMPLATES["exosome-consent"],
            rendered_at=dt.datetime(2026, 11, 25, 9, 30, tzinfo=JST),
            rendered_by="DR-007",
            routes=tuple(results),
            screening_result_ids=tuple(r.result_id for r in results.values()),
            review_ids=("RV-0001",),
        )
    )

    print("4. Administer: the gate reads the chain in the same transaction as the append")
    drip = Administration.from_dict(
        {
            "patient_id": PATIENT,
            "administered_at": "2026-11-25T10:00:00+09:00",
            "route": "iv_drip",
            "site": "left forearm",
            "volume_ml": "100",
            "product": {
                "origin": "umbilical_cord",
                "maker": "Example Bio K.K.",
                "sourcing": "domestic",
                "concentration": "1.0e10 particles/mL",
                "lot": "UC-2026-118",
            },
            "storage_check": {"cold_chain_ok": True, "checked_by": "NS-014"},
            "physician_id": "DR-007",
            "screening_result_id": results["iv_drip"].result_id,
            "consent_id": "CONSENT-0042",
        }
    )
    drip_id = log.administer(drip)
    print(f"   administered: {drip_id[:12]}…")

    print("5. A broken link is refused: the cold-chain check failed")
    spoiled = attrs.evolve(
        drip,
        route="injection_face",
        site="cheeks",
        volume_ml=drip.volume_ml / 50,
        screening_result_id=results["injection_face"].result_id,
        storage_check=attrs.evolve(drip.storage_check, cold_chain_ok=False),
    )
    try:
        log.administer(spoiled)
    except AdministrationRefused as refused:
        print(f"   refused: {', '.join(refused.failures)}")

    print("6. Only a recorded override lets it through, and the entry says who and what")
    face_id = log.administer(
        spoiled, override=GateOverride(by="DR-007", reason="製造元に確認し、品質に問題なし")
    )
    override = log.get(face_id).current.override
    assert override is not None
    print(f"   overridden by {override.by}: {', '.join(override.bypassed)}")

    print("7. Log a reaction and export the visit as FHIR")
    log.record_reaction(
        ReactionRecord.from_dict(
            {
                "administration_id": face_id,
                "onset": "2026-11-25T10:40:00+09:00",
                "reaction": {"symptoms": ["redness", "swelling"], "onset_minutes": 20},
                "causality": "probable",
                "reporter": "NS-014",
            }
        )
    )
    (bundle,) = fhir.visit_bundles(log, patient_id=PATIENT)
    kinds = sorted({e["resource"]["resourceType"] for e in bundle["entry"]})
    print(f"   one bundle: {', '.join(kinds)}")
