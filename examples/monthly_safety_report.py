"""Write the monthly safety report of a small clinic's November.

Forty administrations of two lots are logged during November, with a few reactions; on
1 December the physician's monthly report is written as a PDF (Japanese and English),
made from the log as it stood at the end of November in Japan. Writing it again gives the
same bytes, and an entry recorded later changes nothing in it.

Run: python examples/monthly_safety_report.py   (writes safety-2026-11.pdf here)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs

import exointake
import exointake.records
from exointake import JST, report

RECORDS = Path(__file__).resolve().parent / "log"
base = exointake.Administration.from_dict(
    json.loads((RECORDS / "administration.json").read_text("utf-8"))
)
# Imported from the clinic's paper log, so they pass the safety gate with a recorded
# override (the gated path is in examples/safety_chain.py).
IMPORT = exointake.records.GateOverride(by="ADMIN-01", reason="imported from the paper log")


class Clock:
    """The log's clock, moved by the script as the month goes by."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def given(k: int) -> exointake.Administration:
    return attrs.evolve(
        base,
        patient_id=f"P-{k:04d}",
        administered_at=base.administered_at + dt.timedelta(minutes=5 * k),
        product=attrs.evolve(base.product, lot="UC-2026-118" if k % 2 else "UC-2026-121"),
    )


def reaction(
    adm: exointake.Administration, adm_id: str, *symptoms: str
) -> exointake.ReactionRecord:
    return exointake.ReactionRecord.from_dict(
        {
            "administration_id": adm_id,
            "onset": (adm.administered_at + dt.timedelta(minutes=20)).isoformat(),
            "reaction": {"symptoms": list(symptoms), "onset_minutes": 20},
            "causality": "possible",
            "reporter": "NS-014",
        }
    )


clock = Clock(dt.datetime(2026, 11, 25, 18, 0, tzinfo=JST))
with exointake.open_log("sqlite:///:memory:", clock=clock) as log:
    adms = [given(k) for k in range(40)]
    ids = log.administer_many(adms, override=IMPORT)
    for k in (1, 3, 5):
        log.record_reaction(reaction(adms[k], ids[k], "redness", "swelling"))
    log.record_reaction(reaction(adms[7], ids[7], "hypotension", "dyspnea"))

    clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=JST)  # November is over
    november = report.safety_report(log, month="2026-11", language="ja+en")
    path = november.write("safety-2026-11.pdf")
    print(f"{path}: {november.page_count} pages, sha256 {november.sha256[:16]}…")
    print(f"data lock point {november.data_lock_point.isoformat()}")
    print(f"log entry #{november.lock_seq}, head {november.lock_hash[:16]}…")

    # A late entry for 30 November, typed in on 1 December: November's report is unchanged.
    late = attrs.evolve(given(40), administered_at=dt.datetime(2026, 11, 30, 15, 0, tzinfo=JST))
    log.administer(late, override=IMPORT)
    again = report.safety_report(log, month="2026-11", language="ja+en")
    assert again.pdf == november.pdf
    print("written again after a late entry: the same bytes")
