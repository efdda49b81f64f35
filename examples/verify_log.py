"""Verify the hash-chained log, then see how an edit made behind its back is found.

Run: python examples/verify_log.py   (writes clinic.db in the current folder)
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import exointake
import exointake.log
import exointake.records

RECORDS = Path(__file__).resolve().parent / "log"
base = json.loads((RECORDS / "administration.json").read_text("utf-8"))
# These records are imported from the clinic's paper log (their screenings and consents
# are filed on paper), so they pass the safety gate with a recorded override; the gated
# path — screening, review, consent, administration — is in examples/safety_chain.py.
IMPORT = exointake.records.GateOverride(by="ADMIN-01", reason="imported from the paper log")

path = Path("clinic.db")
path.unlink(missing_ok=True)
with exointake.open_log(path) as log:
    ids = [
        log.administer(
            exointake.Administration.from_dict({**base, "patient_id": f"P-{n}"}),
            override=IMPORT,
        )
        for n in range(1, 6)
    ]
    report = log.verify()
    print(f"ok={report.ok}: {report.entries} entries, head #{report.head_seq}")
    # Sign the head with a key kept off the database server; keep the checkpoint file
    # somewhere the database's writers cannot change (here: in memory).
    private_pem, public_pem = exointake.log.generate_signing_key()
    checkpoint = log.checkpoint(private_pem)
    print(f"checkpoint of entry #{checkpoint.seq} signed at {checkpoint.signed_at}")

# Someone edits the database with another tool and changes a patient id. Triggers refuse
# UPDATE and DELETE on entries (against accidents); the owner of the file can drop them.
with sqlite3.connect(path) as db:
    db.execute("DROP TRIGGER exointake_entries_no_update")
    db.execute("UPDATE log_entries SET payload = replace(payload, 'P-3', 'P-9')")

with exointake.open_log(path, create=False) as log:
    report = log.verify()
    print(f"ok={report.ok}: broken at entry #{report.broken_seq}: {report.problem}")
    assert report.broken_entry_id == ids[2]

# Someone who can write all of the database deletes the last entry and rewrites the head
# and the counts to match: the chain alone cannot tell, the signed checkpoint can.
with sqlite3.connect(path) as db:
    db.execute("UPDATE log_entries SET payload = replace(payload, 'P-9', 'P-3')")
    for trigger in ("exointake_entries_no_delete", "exointake_head_forward"):
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute("DELETE FROM log_entries WHERE seq = 5")
    db.execute(
        "UPDATE log_head SET seq = 4, entry_hash = (SELECT entry_hash FROM log_entries "
        "WHERE seq = 4)"
    )
    db.execute("UPDATE log_admin_counts SET n = n - 1")

with exointake.open_log(path, create=False) as log:
    assert log.verify().ok
    report = log.verify(checkpoints=[checkpoint], public_key=public_pem)
    print(f"against the checkpoint: ok={report.ok}: {report.problem}")
    assert not report.ok
