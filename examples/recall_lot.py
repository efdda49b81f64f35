"""Recall a lot: every patient who received it, the reactions that followed, the rates.

Run: python examples/recall_lot.py
"""

from __future__ import annotations

import json
from pathlib import Path

import exointake
import exointake.records

RECORDS = Path(__file__).resolve().parent / "log"
base = json.loads((RECORDS / "administration.json").read_text("utf-8"))
# These records are imported from the clinic's paper log (their screenings and consents
# are filed on paper), so they pass the safety gate with a recorded override; the gated
# path — screening, review, consent, administration — is in examples/safety_chain.py.
IMPORT = exointake.records.GateOverride(by="ADMIN-01", reason="imported from the paper log")


def administration(patient: str, lot: str, route: str, origin: str) -> exointake.Administration:
    product = {**base["product"], "lot": lot, "origin": origin}
    return exointake.Administration.from_dict(
        {**base, "patient_id": patient, "route": route, "product": product}
    )


def reaction(administration_id: str, *symptoms: str) -> exointake.ReactionRecord:
    return exointake.ReactionRecord.from_dict(
        {
            "administration_id": administration_id,
            "onset": "2026-11-25T10:30:00+09:00",
            "reaction": {"symptoms": list(symptoms), "onset_minutes": 30},
            "causality": "possible",
            "reporter": "NS-014",
        }
    )


with exointake.open_log("sqlite:///:memory:") as log:
    ids = log.administer_many(
        [administration(p, "UC-2026-118", "iv_drip", "umbilical_cord") for p in ("P-1", "P-2")]
        + [administration("P-3", "AD-2026-007", "injection_face", "adipose")],
        override=IMPORT,
    )
    log.record_reaction(reaction(ids[1], "hypotension", "dyspnea"))
    log.record_reaction(reaction(ids[2], "redness", "swelling"))

    recall = log.recall("UC-2026-118")
    print(f"lot {recall.lot}: patients {', '.join(recall.patient_ids)}")
    for entry in recall.reactions:
        print(f"  reaction {entry.entry_id[:8]}…: {(entry.grade or {})['category']}")

    report = log.rates()
    print(f"{report.reactions} reactions per {report.administrations} administrations")
    for row in report.rows:
        print(f"  {row.dimension:7} {row.value:15} {row.per_1000} per 1,000")
    print("serious cases:", [(e.grade or {})["category"] for e in log.serious_cases()])
