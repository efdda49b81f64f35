"""Pool three clinics' logs in a registry and find a contaminated lot no clinic can see.

Guide: docs/guides/pool-data-in-a-registry.md. Each clinic logs a quarter of
administrations in its own SQLite file; lot ``UC-2609-HOT`` (sold to all three) is
followed by a reaction twice at each clinic — too few for any clinic's own lot
surveillance. Each clinic exports its log as 匿名加工情報 (a one-off key, the k/l gate,
complete months only). With ``EXOINTAKE_REGISTRY_URL`` set to a PostgreSQL database
(``postgresql+psycopg://…``) the script imports the three exports into a registry there
and prints the pooled lot signals, where the lot stands out.

Run: python examples/pool_data_in_a_registry.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from pathlib import Path

import exointake
from exointake import records, registry, signals

HOT = "UC-2609-HOT"
EXAMPLES = Path(__file__).resolve().parent


class Clock:
    """The log's clock, moved by the script (a clinic's log is stamped as it is written)."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def fill(db: exointake.Log, clock: Clock, clinic: int) -> None:
    """Eight administrations a working day from September to November 2026, to 40 patients,
    from the shared lot and three of the clinic's own; a reaction after the shared lot on
    two days, and (clinic 1) one after one of its own lots."""
    rng = random.Random(clinic)
    sample = json.loads((EXAMPLES / "log" / "administration.json").read_text("utf-8"))
    lots = [HOT, f"UC-{clinic}-0901", f"UC-{clinic}-0915", f"UC-{clinic}-1001"]
    override = records.GateOverride(by="DR-EXAMPLE", reason="example data, not a real visit")
    days = [dt.date(2026, 9, 1) + dt.timedelta(days=d) for d in range(91)]
    days = [day for day in days if day.weekday() < 5]
    hot_days = set(rng.sample(days, 2))
    other_days = {days[30]} if clinic == 1 else set()
    for day in days:
        batch = []
        for k in range(8):
            route = ("iv_drip", "injection_face")[k % 2]
            record = dict(sample, patient_id=f"C{clinic}-P{rng.randrange(40):02d}", route=route)
            at = dt.datetime.combine(day, dt.time(1 + k // 6, 10 * (k % 6)), tzinfo=dt.UTC)
            record["administered_at"] = at.isoformat()
            record["product"] = dict(sample["product"], lot=lots[(k // 2) % 4])
            batch.append(exointake.Administration.from_dict(record))
        clock.now = batch[-1].administered_at
        ids = db.administer_many(batch, override=override)
        for adm_id, adm in zip(ids, batch, strict=True):
            shared = adm.product.lot == HOT
            if day in (hot_days if shared else other_days):
                (hot_days if shared else other_days).discard(day)  # one that day
                onset = adm.administered_at + dt.timedelta(minutes=20)
                clock.now = max(clock.now, onset + dt.timedelta(hours=1))
                reaction = exointake.ReactionRecord.from_dict(
                    {
                        "administration_id": adm_id,
                        "onset": onset.isoformat(),
                        "reaction": {"symptoms": ["redness", "swelling"], "onset_minutes": 20},
                        "causality": "possible",
                        "reporter": "NS-EXAMPLE",
                    }
                )
                db.record_reaction(reaction)
    # A visit in mid-December: November ended more than the settling period (14 days by
    # default) before it, so November leaves when the export is made.
    clock.now = dt.datetime(2026, 12, 16, 1, tzinfo=dt.UTC)
    last = dict(sample, patient_id=f"C{clinic}-P00", administered_at=clock.now.isoformat())
    db.administer_many([exointake.Administration.from_dict(last)], override=override)


def main() -> None:
    folders = []
    for clinic in (1, 2, 3):
        clock = Clock()
        url = f"sqlite:///clinic{clinic}.db"
        with exointake.open_log(url, clock=clock) as db:
            fill(db, clock, clinic)
            own = signals.check_signals(db, alert=False)
            export = registry.export_registry(db, clinic_id=f"C13-{clinic:04d}", region="13")
        folder = Path(f"export-clinic{clinic}")
        export.write(folder)
        folders.append(folder)
        hot = [r for r in own.rows if r.lot == HOT and r.outcome == "any"]
        print(
            f"clinic {clinic}: {export.rows['cases.csv']} cases exported through "
            f"{export.manifest['source']['through']}; {HOT} in its own log: "
            f"{hot[0].reactions} reaction(s), {hot[0].status.value}"
        )
    registry_url = os.environ.get("EXOINTAKE_REGISTRY_URL")
    if not registry_url:
        print("set EXOINTAKE_REGISTRY_URL=postgresql+psycopg://… to pool the exports")
        return
    with registry.open_registry(registry_url) as reg:
        for folder in folders:
            done = reg.import_export(folder)
            counts = f"{done.cases} cases, {done.reactions} reactions"
            print(f"registry: {done.status} {done.clinic_id}: {counts}")
        pooled = reg.signals()
    for row in pooled.rows:
        if row.status is signals.SignalStatus.SIGNAL:
            print(f"registry: {row.lot} {row.outcome.value} {row.method.value}: SIGNAL")
    hot_any = [r for r in pooled.rows if r.lot == HOT and r.outcome == "any"]
    print(f"registry: {HOT}: {hot_any[0].cases} case(s) pooled, {hot_any[0].status.value}")


if __name__ == "__main__":
    main()
