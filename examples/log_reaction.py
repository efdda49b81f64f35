"""Log a day at a clinic: consent, administrations, a reaction with an alert, a follow-up,
a correction, a lot recall, the rate report, and a verification that catches tampering.

Run: python examples/log_reaction.py   (writes clinic-example.db in the current folder)
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import attrs

from exointake import Administration, ConsentRecord, FollowUp, ReactionRecord, open_log
from exointake.log import Alert

DB = Path("clinic-example.db")
for suffix in ("", "-wal", "-shm"):
    Path(f"{DB}{suffix}").unlink(missing_ok=True)

TEMPLATE_SHA = "c0ffee00" * 8


def alert(a: Alert) -> None:
    """What a clinic would wire to a pager or chat: ids and grades only."""
    print(f"  ALERT: reaction {a.reaction_id[:12]}… is {a.category}, serious={a.serious}")


with open_log(DB) as log:
    log.on_alert(alert)

    print("1. Record the consent the patient signed")
    log.record_consent(
        ConsentRecord.from_dict(
            {
                "consent_id": "CONSENT-0042",
                "patient_id": "P-000123",
                "request_sha256": "3f" * 32,
                "pdf_sha256": "9a" * 32,
                "template_id": "exosome-consent",
                "template_version": "1",
                "template_sha256": TEMPLATE_SHA,
                "rendered_at": "2026-11-25T09:30:00+09:00",
                "rendered_by": "DR-007",
            }
        )
    )

    print("2. Administer (the log refuses if the consent's template is outdated)")
    administration = {
        "patient_id": "P-000123",
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
        "screening_result_id": "0d3c" * 16,
        "consent_id": "CONSENT-0042",
    }
    adm_id = log.administer(
        Administration.from_dict(administration),
        current_consent_templates={"exosome-consent": TEMPLATE_SHA},
    )
    others = [
        Administration.from_dict({**administration, "patient_id": f"P-{n:06d}"})
        for n in range(200, 204)
    ]
    log.administer_many(others)
    print(f"   {len(log)} entries so far")

    print("3. A reaction during the drip: graded, stored, alerted")
    reaction_id = log.record_reaction(
        ReactionRecord.from_dict(
            {
                "administration_id": adm_id,
                "onset": "2026-11-25T10:12:00+09:00",
                "reaction": {
                    "symptoms": ["hypotension", {"code": "urticaria", "extent": "generalized"}],
                    "onset_minutes": 12,
                    "interventions": ["infusion_interrupted", "parenteral_adrenaline"],
                    "hospitalization": False,
                    "outcome": "recovering",
                },
                "vital_signs": {"systolic_mmhg": 78, "heart_rate_bpm": 124},
                "causality": "probable",
                "reporter": "NS-014",
                "note": "Drip stopped at once.",
            }
        )
    )
    grade = log.get(reaction_id).current.grade or {}
    print(
        f"   category {grade['category']}, Brighton level {grade['brighton_level']}, "
        f"CTCAE {grade['ctcae']['term']} grade {grade['ctcae']['grade']}"
    )

    print("4. A follow-up due tomorrow; the physician corrects the causality")
    log.follow_up(
        FollowUp(
            reaction_id=reaction_id,
            status="open",
            recorded_by="NS-014",
            on=dt.datetime(2026, 11, 25, 11, 0, tzinfo=dt.UTC),
            due_on=dt.date(2026, 11, 26),
        )
    )
    print(f"   open follow-ups: {len(log.open_follow_ups())}")
    first = log.get(reaction_id).current.record
    corrected = attrs.evolve(first, causality="possible")
    log.amend(reaction_id, corrected, reason="reassessed by the physician", amended_by="DR-007")
    view = log.get(reaction_id)
    print(f"   causality now {view.current.record.causality.value}, {len(view.history)} versions")

    print("5. Recall the lot")
    recall = log.recall("UC-2026-118")
    patients = ", ".join(recall.patient_ids)
    print(f"   {len(recall.administrations)} administrations, patients {patients}")

    print("6. Rates per 1,000 administrations")
    rates = log.rates()
    print(json.dumps({r.value: r.per_1000 for r in rates.rows if r.dimension == "route"}))

    print("7. Verify the chain")
    print(f"   ok={log.verify().ok}")

print("8. Someone edits the database behind the library's back...")
# Triggers refuse UPDATE and DELETE on entries (against accidents); whoever owns the file
# can drop them first, as this demo does. verify() still catches the edit.
with sqlite3.connect(DB) as conn:
    conn.execute("DROP TRIGGER exointake_entries_no_update")
    conn.execute("UPDATE log_entries SET payload = replace(payload, 'P-000201', 'P-999999')")
with open_log(DB) as log:
    report = log.verify()
    print(f"   ok={report.ok}, first broken entry #{report.broken_seq}: {report.problem}")
