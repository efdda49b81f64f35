"""Detect lot signals: is one lot producing more reactions than the others?

A small clinic gives two lots side by side; six reactions follow lot LOT-B and none
lot LOT-A. The binomial MaxSPRT signals for LOT-B, the signal is sent through the log's
alert callbacks once, and the critical values can be checked against the R package
Sequential.

Run: python examples/detect_lot_signals.py
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs

import exointake
import exointake.records
from exointake import signals
from exointake.log import Alert

RECORDS = Path(__file__).resolve().parent / "log"
base = exointake.Administration.from_dict(
    json.loads((RECORDS / "administration.json").read_text("utf-8"))
)
# Imported from the clinic's paper log, so they pass the safety gate with a recorded
# override (the gated path is in examples/safety_chain.py).
IMPORT = exointake.records.GateOverride(by="ADMIN-01", reason="imported from the paper log")


def given(k: int, lot: str) -> exointake.Administration:
    return attrs.evolve(
        base,
        patient_id=f"P-{k:04d}",
        administered_at=base.administered_at + dt.timedelta(minutes=5 * k),
        product=attrs.evolve(base.product, lot=lot),
    )


def reaction(adm: exointake.Administration, adm_id: str) -> exointake.ReactionRecord:
    return exointake.ReactionRecord.from_dict(
        {
            "administration_id": adm_id,
            "onset": (adm.administered_at + dt.timedelta(minutes=20)).isoformat(),
            "reaction": {"symptoms": ["fever"], "onset_minutes": 20},
            "causality": "possible",
            "reporter": "NS-014",
        }
    )


with exointake.open_log("sqlite:///:memory:") as log:
    alerts: list[Alert] = []
    log.on_alert(alerts.append)
    adms = [given(k, "LOT-A" if k % 2 == 0 else "LOT-B") for k in range(24)]
    ids = log.administer_many(adms, override=IMPORT)
    for adm, adm_id in list(zip(adms, ids, strict=True))[1:12:2]:  # six LOT-B patients
        log.record_reaction(reaction(adm, adm_id))

    settings = signals.SignalSettings(expected_per_1000={"infection": 5.0})
    report = signals.check_signals(log, settings)
    for row in report.rows:
        if row.outcome is signals.MonitoredOutcome.INFECTION:
            rate = row.rate
            print(
                f"{row.lot} {row.method.value:8} {row.status.value:10} cases {row.cases} "
                f"expected {row.expected:.2f} LLR {row.llr:.2f} CV {row.cv:.3f} "
                f"rate {rate.per_1000:.0f}/1,000 ({rate.lower:.0f}-{rate.upper:.0f})"
            )
    lot_signals = [a for a in alerts if isinstance(a, signals.SignalAlert)]
    print("alerts:", sorted({(a.lot, a.outcome, a.method) for a in lot_signals}))
    signals.check_signals(log, settings)  # the same crossings: no second alert
    assert len([a for a in alerts if isinstance(a, signals.SignalAlert)]) == len(lot_signals)

# The critical values, to compare with Sequential's CV.Poisson and CV.Binomial.
poisson = signals.poisson_cv(10, min_events=4)
binomial = signals.binomial_cv(100, z=1.0, min_events=4)
print(f"CV.Poisson(T=10, M=4): {poisson.cv:.6f} (alpha {poisson.attained_alpha:.4f})")
print(f"CV.Binomial(N=100, z=1, M=4): {binomial.cv} (alpha {binomial.attained_alpha:.4f})")
