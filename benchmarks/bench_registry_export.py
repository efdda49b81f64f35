"""Benchmark the de-identified registry export on a large log.

Builds (on SQLite) a year of N administrations to N/10 patients over 200 lots and three
routes, one screening with answers (a birth date) per patient, and N/50 reactions; then
measures, against a plain baseline taken in the same run:

* ``export_registry`` (read the current rows, keep the complete months, pseudonymise,
  band, the k/l release gate with its brute-force recheck, blank rare product values, CSV
  and manifest bytes) and writing the folder: wall time
  and this process's CPU time (target: under 20 s for 1,000,000 administrations and
  20,000 reactions);
* where the time goes: reading the log (``registry_source``) and the rest;
* the baseline: a bare ``SELECT`` of the same administration columns (maker, sourcing and
  volume read out of the payload by ``json_extract``, as the export does) through
  ``sqlite3``, written with ``csv.writer`` — what any CSV dump of the log must do.

Never fails on a wall-clock number. ``python benchmarks/bench_registry_export.py`` runs the
full 1,000,000-administration log (building it takes several minutes and ~1.5 GB of disk in
a temporary folder); ``--short`` the 20,000-administration CI version; ``--n`` any size;
``--keep DIR`` keeps (and reuses) the log.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Clock, administration, gate_skipped, log_size_args, measure, products

from exointake import Log, Reaction, ReactionRecord, ScreeningRecord, open_log
from exointake._convert import canonical_json
from exointake._log._entries import EntryKind, record_payload
from exointake._log._queries import registry_source
from exointake._registry_export import _no_cyclic_gc
from exointake.records import (
    Causality,
    GateOverride,
)
from exointake.registry import ExportKey, export_registry

BENCH_OVERRIDE = GateOverride(by="BENCH", reason="a benchmark of the registry export")
START = dt.datetime(2025, 4, 1, tzinfo=dt.UTC)
LOTS = 200
SYMPTOMS = (
    ["redness"],
    ["swelling", "pain"],
    ["rash"],
    [{"code": "urticaria", "extent": "generalized"}],
    ["fever"],
)
KEY = ExportKey(hashlib.sha256(b"bench").digest())


def build(url: str, n: int, *, seed: int = 7, batch: int = 5000) -> tuple[float, int]:
    """Fill the log at ``url``; returns (seconds, reactions). The safety gate is skipped
    while building (bench_log.py measures it); each administration carries the override."""
    rng = random.Random(seed)
    clock = Clock(START)
    log = open_log(url, clock=clock)
    t = time.perf_counter()
    try:
        with gate_skipped():
            reactions = _fill(log, clock, rng, n, batch)
    finally:
        log.close()
    return time.perf_counter() - t, reactions


def _screenings(log: Log, patients: int, rng: random.Random) -> None:
    """One screening with answers per patient, written in batches of one transaction each
    (the log has no batch call for screenings; this is its append, many per transaction)."""
    on = START.date().isoformat()
    for start in range(0, patients, 5000):
        with log._store.write() as w:
            for p in range(start, min(patients, start + 5000)):
                birth = dt.date(rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28))
                result = {"decision": "clear", "screened_on": on, "p": p}
                record = ScreeningRecord(
                    patient_id=f"P-{p:07d}",
                    result_id=hashlib.sha256(canonical_json(result)).hexdigest(),
                    decision="clear",
                    result=result,
                    answers={"answers": {"birth_date": birth.isoformat()}, "route": "iv_drip"},
                )
                log._append(w, EntryKind.SCREENING, record_payload(record))


def _fill(log: Log, clock: Clock, rng: random.Random, n: int, batch: int) -> int:
    patients = max(1, n // 10)
    _screenings(log, patients, rng)
    prods = products(LOTS)
    reactions = 0
    for k in range(0, n, batch):
        adms = []
        for i in range(k, min(n, k + batch)):
            minute = i * (365 * 24 * 60) // n
            lot = min(LOTS - 1, int(minute / (365 * 24 * 60) * LOTS) + rng.randint(0, 3))
            adms.append(administration(i, n, rng, prods[lot], start=START))
        clock.now = adms[-1].administered_at
        ids = log.administer_many(adms, override=BENCH_OVERRIDE)
        for adm_id, adm in zip(ids, adms, strict=True):
            if rng.random() < 1 / 50:
                onset = adm.administered_at + dt.timedelta(minutes=rng.randint(5, 240))
                clock.now = onset + dt.timedelta(hours=1)
                log.record_reaction(
                    ReactionRecord(
                        administration_id=adm_id,
                        onset=onset,
                        reaction=Reaction.from_dict(
                            {"symptoms": SYMPTOMS[reactions % len(SYMPTOMS)], "onset_minutes": 20}
                        ),
                        causality=Causality.POSSIBLE,
                        reporter="NS-002",
                    )
                )
                reactions += 1
    return reactions


_BASELINE = (
    "SELECT root_id, patient_id, lot, route, origin, day, "
    "json_extract(payload, '$.record.product.maker'), "
    "json_extract(payload, '$.record.product.sourcing'), "
    "json_extract(payload, '$.record.volume_ml') "
    "FROM log_entries WHERE +kind = 'administration'"
)


def baseline(path: str) -> int:
    """A bare SELECT of the administrations' columns written as CSV: what any dump costs."""
    con = sqlite3.connect(path)
    try:
        rows = con.execute(_BASELINE).fetchall()
    finally:
        con.close()
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return len(buffer.getvalue())


def main() -> None:
    args, n = log_size_args(__doc__.split("\n\n")[0], keep_help="keep the log here (and reuse it)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        db = folder / f"registry-{n}.db"
        url = f"sqlite:///{db}"
        if not db.exists():
            seconds, reactions = build(url, n)
            print(f"built {n:,} administrations + {reactions:,} reactions in {seconds:.1f} s")
        base_wall, base_cpu, _ = measure(lambda: baseline(str(db)))
        with open_log(url, create=False) as log:
            with _no_cyclic_gc():  # as the export reads it
                read_wall, _, _ = measure(lambda: registry_source(log))
            wall, cpu, export = measure(
                lambda: export_registry(log, KEY, clinic_id="C013-0001", region="13")
            )
        out = Path(tmp) / "export"
        write_wall, write_cpu, _ = measure(lambda: export.write(out))
    load = os.getloadavg()[0]
    gate = export.manifest["gate"]
    rows = export.rows
    total, total_cpu = wall + write_wall, cpu + write_cpu
    print(f"machine: load average {load:.1f} on {os.cpu_count()} cores (wall times include it)")
    print(
        f"export ({n:,} administrations): {total:.2f} s wall, {total_cpu:.2f} s CPU "
        f"(target < 20 s: {'meets' if total < 20 else 'MISSES'}); export {wall:.2f} s "
        f"(of which reading the log {read_wall:.2f} s), writing the folder {write_wall:.2f} s"
    )
    print(
        f"baseline (bare SELECT of the administrations' columns + csv.writer): "
        f"{base_wall:.2f} s wall, {base_cpu:.2f} s CPU; ratio {total / base_wall:.2f}x"
    )
    print(
        f"released: {rows['cases.csv']:,} cases, {rows['reactions.csv']:,} reactions in "
        f"{gate['groups']:,} groups (min {gate['min_patients_in_group']} patients); "
        f"generalised {gate['generalised']}; held {gate['held']}; suppressed "
        f"{gate['suppressed']}; blanked {gate['blanked']}; through "
        f"{export.manifest['source']['through']}"
    )


if __name__ == "__main__":
    main()
