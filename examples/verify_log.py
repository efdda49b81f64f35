"""Verify the hash-chained log, then see how an edit made behind its back is found.

Run: python examples/verify_log.py   (writes clinic.db in the current folder)
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import exointake

RECORDS = Path(__file__).resolve().parent / "log"
base = json.loads((RECORDS / "administration.json").read_text("utf-8"))

path = Path("clinic.db")
path.unlink(missing_ok=True)
with exointake.open_log(path) as log:
    ids = [
        log.administer(exointake.Administration.from_dict({**base, "patient_id": f"P-{n}"}))
        for n in range(1, 6)
    ]
    report = log.verify()
    print(f"ok={report.ok}: {report.entries} entries, head #{report.head_seq}")
    print(f"write down the head hash to anchor the chain: {report.head_hash}")

# Someone edits the database with another tool and changes a patient id. Triggers refuse
# UPDATE and DELETE on entries (against accidents); the owner of the file can drop them.
with sqlite3.connect(path) as db:
    db.execute("DROP TRIGGER exointake_entries_no_update")
    db.execute("UPDATE log_entries SET payload = replace(payload, 'P-3', 'P-9')")

with exointake.open_log(path, create=False) as log:
    report = log.verify()
    print(f"ok={report.ok}: broken at entry #{report.broken_seq}: {report.problem}")
    assert report.broken_entry_id == ids[2]
