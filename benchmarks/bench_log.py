"""Benchmark the reaction log on SQLite: ingest, single appends, queries and verify at scale.

Measures our code and a plain baseline in the same run and prints figures and ratios:

* batch ingest through ``Log.administer_many`` (serialise, hash-chain, counts) against raw
  SQLAlchemy Core ``executemany`` of the very same rows, prepared in advance, no hashing
  (target: at least 0.67x the baseline's rows/second);
* batch ingest through the safety gate: ``administer_many`` of administrations whose
  chain (screening, consent) is recorded, no override, so every gate check reads the log
  in the appending transaction, against the same bare insert (no target: the figure is
  what the gate costs);
* single appends (``Log.administer``, one transaction each) against raw single-row
  transactions on the same engine settings (target: at least 0.8x);
* ``verify()`` against a bare loop reading the same rows through the driver (``sqlite3``,
  or ``psycopg`` for PostgreSQL), recomputing every entry hash and parsing every payload
  (target: at least 0.7x the loop's entries/second, column and count checks included), on
  SQLite and, when ``EXOINTAKE_TEST_PG_URL`` (or ``--pg``) names a server, PostgreSQL;
* scale: N administrations + N/50 reactions, then a lot recall, the rate report (whole
  period and the last 30 days), the serious-cases query (SQL alone and as entries) and
  ``verify()`` over the whole chain, with its peak traced memory and the process RSS
  before and after (target: recall and report under 100 ms, serious cases under 50 ms).

Never fails on a wall-clock number. Run ``python benchmarks/bench_log.py`` for the full
1,000,000-administration run (a few minutes, ~1.5 GB of disk in a temporary folder) or
``--short`` for the 10,000-row CI version.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import attrs
import sqlalchemy as sa
from _common import products

from exointake._common import JST, Route
from exointake._grading import Reaction
from exointake._log import Log, open_log
from exointake._log._entries import EntryKind, record_payload
from exointake._log._store import ENTRIES, Writer, create_engine_for
from exointake._questionnaire import load_questionnaire
from exointake._reactions import Causality, ReactionRecord
from exointake._records import (
    Administration,
    ConsentRecord,
    ScreeningRecord,
    StorageCheck,
)
from exointake._screening import ScreeningResult, screen
from exointake.records import GateOverride

# The benchmark measures storage, not the safety gate: a recorded override passes it.
BENCH_OVERRIDE = GateOverride(by="BENCH", reason="a benchmark of storage, not of the gate")
START = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
TEMPLATE_SHA = "c0ffee00" * 8
CLEAR_V2 = {
    "birth_date": "1985-06-15",
    "cancer_history": "none",
    "drug_allergy": False,
    "food_allergy": False,
    "prior_exosome_systemic_reaction": False,
    "prior_exosome_local_reaction": False,
    "anaphylaxis_history": False,
    "component_or_biologic_allergy": False,
    "bronchial_asthma": False,
    "pregnant_or_breastfeeding": False,
    "fever_or_infection_today": False,
    "immunosuppressed_or_autoimmune": False,
    "anticoagulants": False,
    "bleeding_disorder": False,
    "keloid_tendency": False,
    "current_medications": "なし",
}
SYMPTOMS = (["redness"], ["swelling", "pain"], ["rash"], ["urticaria"], ["hypotension", "dyspnea"])


def make_administrations(n: int, *, seed: int = 1, lots: int | None = None) -> list[Administration]:
    """``n`` administrations over one year, ~1,000 per lot, ~10 per patient."""
    rng = random.Random(seed)
    lots = lots or max(1, n // 1000)
    routes = list(Route)
    storage = StorageCheck(cold_chain_ok=True, checked_by="NS-001")
    lot_products = products(lots)
    out = []
    for i in range(n):
        minute = i * (365 * 24 * 60) // max(n, 1)
        out.append(
            Administration(
                patient_id=f"P-{rng.randrange(max(1, n // 10)):07d}",
                administered_at=START + dt.timedelta(minutes=minute),
                route=routes[rng.randrange(len(routes))],
                site="face" if rng.random() < 0.5 else "arm",
                volume_ml=Decimal("5"),
                product=lot_products[i * lots // n],
                storage_check=storage,
                physician_id=f"DR-{rng.randrange(20):03d}",
                screening_result_id=f"S-{i:08d}",
                consent_id=f"C-{i:08d}",
            )
        )
    return out


def reaction_for(adm_id: str, adm: Administration, k: int) -> ReactionRecord:
    return ReactionRecord(
        administration_id=adm_id,
        onset=adm.administered_at + dt.timedelta(minutes=15),
        reaction=Reaction.from_dict({"symptoms": SYMPTOMS[k % len(SYMPTOMS)], "onset_minutes": 15}),
        causality=Causality.POSSIBLE,
        reporter="NS-002",
    )


def fresh(folder: Path, name: str) -> tuple[str, Log]:
    url = f"sqlite:///{folder / name}"
    return url, open_log(url)


def prepared_rows(
    log: Log, adms: list[Administration], *, override: GateOverride | None = BENCH_OVERRIDE
) -> list[dict[str, object]]:
    """The exact rows ``administer_many`` writes, captured without committing them."""
    captured: list[dict[str, object]] = []
    original = Writer.flush

    def capture(self: Writer) -> None:
        captured.extend(self._rows)
        raise _Captured

    Writer.flush = capture  # type: ignore[method-assign]
    try:
        log.administer_many(adms, override=override)
    except _Captured:
        pass
    finally:
        Writer.flush = original  # type: ignore[method-assign]
    return captured


class _Captured(Exception):
    pass


def bench_batch(folder: Path, n: int, batch: int, rounds: int = 3) -> tuple[float, float]:
    """Best rows/second of each side over ``rounds`` alternating runs on fresh files."""
    adms = make_administrations(n, seed=2)
    best_ours = best_raw = 0.0
    for r in range(rounds):
        _, ours = fresh(folder, f"batch-ours-{r}.db")
        url_raw, shape = fresh(folder, f"batch-raw-{r}.db")
        rows = prepared_rows(shape, adms)
        shape.close()
        engine = create_engine_for(url_raw)
        gc.collect()
        t = time.perf_counter()
        for k in range(0, n, batch):
            with engine.begin() as conn:
                conn.execute(ENTRIES.insert(), rows[k : k + batch])
        best_raw = max(best_raw, n / (time.perf_counter() - t))
        engine.dispose()
        del rows
        gc.collect()
        t = time.perf_counter()
        for k in range(0, n, batch):
            ours.administer_many(adms[k : k + batch], override=BENCH_OVERRIDE)
        best_ours = max(best_ours, n / (time.perf_counter() - t))
        assert ours.verify().ok
        ours.close()
        for name in (f"batch-ours-{r}.db", f"batch-raw-{r}.db"):
            for suffix in ("", "-wal", "-shm"):
                (folder / (name + suffix)).unlink(missing_ok=True)
    return best_ours, best_raw


GATE_DAYS = 20
"""The gate benchmark's administrations spread over this many days (one screening result
per day and route, shared by that day's clear patients, as real results are)."""


def chained(log: Log, n: int) -> list[Administration]:
    """``n`` administrations, one per patient, each with its screening (same day, same
    route, clear) and consent recorded in ``log`` beforehand (one transaction)."""
    q = load_questionnaire("exosome-intake", "2")
    local = CLEAR_V2 | {"site_skin_problem": False}
    answers = {r: q.answers(CLEAR_V2 if r is Route.IV_DRIP else local, route=r) for r in Route}
    adms = make_administrations(n, seed=4)
    results: dict[tuple[dt.date, Route], ScreeningResult] = {}
    out = []
    with log._store.write() as w:  # the set-up is not measured: one transaction
        for i, adm in enumerate(adms):
            when = START + dt.timedelta(days=i % GATE_DAYS, hours=1)
            key = (when.astimezone(JST).date(), adm.route)
            if key not in results:
                results[key] = screen(answers[adm.route], adm.route, on=key[0])
            result = results[key]
            patient = f"P-G{i:07d}"
            log._append(
                w,
                EntryKind.SCREENING,
                record_payload(ScreeningRecord.from_result(result, patient_id=patient)),
            )
            consent = ConsentRecord(
                consent_id=f"C-G{i:07d}",
                patient_id=patient,
                request_sha256="a" * 64,
                pdf_sha256="b" * 64,
                template_id="exosome-consent",
                template_version="1",
                template_sha256=TEMPLATE_SHA,
                rendered_at=when - dt.timedelta(minutes=30),
                rendered_by="DR-001",
                routes=(adm.route,),
                screening_result_ids=(result.result_id,),
            )
            log._append(w, EntryKind.CONSENT, record_payload(consent))
            out.append(
                attrs.evolve(
                    adm,
                    patient_id=patient,
                    administered_at=when,
                    screening_result_id=result.result_id,
                    consent_id=consent.consent_id,
                )
            )
    return out


def bench_gate(folder: Path, n: int, batch: int, rounds: int = 3) -> tuple[float, float]:
    """Best rows/second of ``administer_many`` through the gate (chains recorded, no
    override) and of the bare insert of the same rows, on fresh files."""
    best_ours = best_raw = 0.0
    for r in range(rounds):
        url_ours, ours = fresh_gated(folder, f"gate-ours-{r}.db")
        url_raw, shape = fresh_gated(folder, f"gate-raw-{r}.db")
        adms = chained(ours, n)
        rows = prepared_rows(shape, adms, override=BENCH_OVERRIDE)
        shape.close()
        engine = create_engine_for(url_raw)
        gc.collect()
        t = time.perf_counter()
        for k in range(0, n, batch):
            with engine.begin() as conn:
                conn.execute(ENTRIES.insert(), rows[k : k + batch])
        best_raw = max(best_raw, n / (time.perf_counter() - t))
        engine.dispose()
        del rows
        gc.collect()
        t = time.perf_counter()
        for k in range(0, n, batch):
            ids = ours.administer_many(adms[k : k + batch])
        best_ours = max(best_ours, n / (time.perf_counter() - t))
        assert ours.get(ids[-1]).current.override is None  # the gate passed them itself
        assert ours.verify().ok
        ours.close()
        for name in (f"gate-ours-{r}.db", f"gate-raw-{r}.db"):
            for suffix in ("", "-wal", "-shm"):
                (folder / (name + suffix)).unlink(missing_ok=True)
        del url_ours
    return best_ours, best_raw


def fresh_gated(folder: Path, name: str) -> tuple[str, Log]:
    """A fresh log whose gate accepts the benchmark's consents and its administrations'
    dates (a clock at the end of the benchmark's year)."""
    url = f"sqlite:///{folder / name}"
    log = open_log(
        url,
        current_consent_templates={"exosome-consent": TEMPLATE_SHA},
        clock=lambda: START + dt.timedelta(days=365),
    )
    return url, log


def bench_single(folder: Path, n: int) -> tuple[float, float]:
    adms = make_administrations(n, seed=3)
    _, ours = fresh(folder, "single-ours.db")
    url_raw, shape = fresh(folder, "single-raw.db")
    rows = prepared_rows(shape, adms)
    shape.close()
    engine = create_engine_for(url_raw)
    times_raw = []
    times_ours = []
    # Interleave so both see the same disk conditions.
    for adm, row in zip(adms, rows, strict=True):
        t = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(ENTRIES.insert(), row)
        times_raw.append(time.perf_counter() - t)
        t = time.perf_counter()
        ours.administer(adm, override=BENCH_OVERRIDE)
        times_ours.append(time.perf_counter() - t)
    engine.dispose()
    ours.close()
    return 1 / statistics.median(times_ours), 1 / statistics.median(times_raw)


_BARE_SQL = (
    "SELECT seq, entry_id, kind, recorded_at, payload, prev_hash, entry_hash "
    "FROM log_entries ORDER BY seq"
)


def _bare_loop(cursor: Any) -> int:
    """Read every row, recompute its hash, parse its payload: the plain baseline."""
    cursor.execute(_BARE_SQL)
    n = 0
    prev = "0" * 64
    while True:
        rows = cursor.fetchmany(2000)
        if not rows:
            return n
        for seq, entry_id, kind, recorded_at, payload, prev_hash, digest in rows:
            envelope = (
                f'{{"entry_id":"{entry_id}","kind":"{kind}","payload":{payload},'
                f'"prev_hash":"{prev_hash}","recorded_at":"{recorded_at}","seq":{seq}}}'
            )
            ok = hashlib.sha256(envelope.encode("utf-8")).hexdigest() == digest
            ok = ok and prev_hash == prev
            json.loads(payload)
            assert ok
            prev = digest
            n += 1


def _fill(log: Log, n: int) -> None:
    for k in range(0, n, 10_000):
        chunk = _place(make_administrations(min(10_000, n - k), seed=500 + k), k, n)
        ids = log.administer_many(chunk, override=BENCH_OVERRIDE)
        for j in range(0, len(chunk), 50):
            log.record_reaction(reaction_for(ids[j], chunk[j], j))


def _verify_side_by_side(log: Log, bare: Any, rounds: int) -> tuple[float, float, int]:
    best_ours = best_bare = 0.0
    entries = 0
    for _ in range(rounds):
        gc.collect()
        t = time.perf_counter()
        entries = bare()
        best_bare = max(best_bare, entries / (time.perf_counter() - t))
        gc.collect()
        t = time.perf_counter()
        report = log.verify()
        best_ours = max(best_ours, report.entries / (time.perf_counter() - t))
        assert report.ok, report
        assert report.entries == entries
    return best_ours, best_bare, entries


def bench_verify_sqlite(folder: Path, n: int, rounds: int) -> tuple[float, float, int]:
    url, log = fresh(folder, "verify.db")
    _fill(log, n)
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return _verify_side_by_side(log, lambda: _bare_loop(conn.cursor()), rounds)
    finally:
        conn.close()
        log.close()


def bench_verify_postgres(base_url: str, n: int, rounds: int) -> tuple[float, float, int]:
    import psycopg  # noqa: PLC0415 - only with a PostgreSQL server

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base_url else "?"
    url = f"{base_url}{sep}options=-csearch_path%3D{schema}"
    plain = sa.engine.make_url(base_url).set(drivername="postgresql")
    dsn = plain.render_as_string(hide_password=False)
    try:
        log = open_log(url)
        _fill(log, n)
        with psycopg.connect(dsn, options=f"-csearch_path={schema}") as conn:
            return _verify_side_by_side(log, lambda: _bare_loop(conn.cursor()), rounds)
    finally:
        log.close()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def print_verify(backend: str, ours: float, bare: float, entries: int) -> None:
    print(f"verify on {backend} ({entries:,} entries, best of rounds)")
    print(f"  Log.verify()                 : {ours:12,.0f} entries/s")
    print(f"  bare driver loop             : {bare:12,.0f} entries/s")
    print(f"  ratio                        : {ours / bare:12.2f}x  (target >= 0.7x)")


def timed(fn, repeat: int = 7) -> float:  # type: ignore[no-untyped-def]
    best = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best.append(time.perf_counter() - t)
    return statistics.median(best) * 1000


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def bench_scale(
    folder: Path, n: int, n_reactions: int, batch: int, *, keep: Path | None = None
) -> dict[str, float]:
    out: dict[str, float] = {}
    if keep is not None and (keep / "scale.db").exists():
        url = f"sqlite:///{keep / 'scale.db'}"
        log = open_log(url)
        out.update(ingest_s=float("nan"), reactions_s=float("nan"), reactions=n_reactions)
        return _queries(url, log, n, out)
    url, log = fresh(keep or folder, "scale.db")
    t = time.perf_counter()
    ids: list[str] = []
    step = max(1, n // n_reactions)
    picked: list[tuple[str, Administration]] = []
    for k in range(0, n, batch):
        chunk = make_administrations(min(batch, n - k), seed=100 + k, lots=None)
        # Spread the chunk over the year and lots as if it were part of one big set.
        chunk = _place(chunk, k, n)
        chunk_ids = log.administer_many(chunk, override=BENCH_OVERRIDE)
        for j in range(0, len(chunk), step):
            picked.append((chunk_ids[j], chunk[j]))
        ids.extend(chunk_ids[:1])
    out["ingest_s"] = time.perf_counter() - t
    t = time.perf_counter()
    for k, (adm_id, adm) in enumerate(picked[:n_reactions]):
        log.record_reaction(reaction_for(adm_id, adm, k))
    out["reactions_s"] = time.perf_counter() - t
    out["reactions"] = min(len(picked), n_reactions)
    return _queries(url, log, n, out)


def _queries(url: str, log: Log, n: int, out: dict[str, float]) -> dict[str, float]:
    lots = [f"LOT-{k:05d}" for k in range(0, max(1, n // 1000), max(1, n // 1000 // 7))][:7]
    out["recall_ms"] = statistics.median(timed(lambda lot=lot: log.recall(lot), 3) for lot in lots)
    out["recall_size"] = len(log.recall(lots[0]).administrations)
    out["report_ms"] = timed(log.rates)
    end = (START + dt.timedelta(days=365)).date()
    out["report_30d_ms"] = timed(lambda: log.rates(since=end - dt.timedelta(days=30), until=end))
    out["serious_ms"] = timed(log.serious_cases, 3)
    out["serious_n"] = len(log.serious_cases())
    store = log._store  # the benchmark times the store's query alone too

    def serious_sql() -> None:
        with store.read() as r:
            r.serious_reactions()

    out["serious_sql_ms"] = timed(serious_sql, 3)
    gc.collect()
    out["rss_before_verify_mb"] = rss_mb()
    t = time.perf_counter()
    report = log.verify()
    out["verify_s"] = time.perf_counter() - t
    out["rss_after_verify_mb"] = rss_mb()
    assert report.ok, report
    out["entries"] = report.entries
    tracemalloc.start()
    log.verify()
    out["verify_peak_traced_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    out["db_mb"] = Path(url.removeprefix("sqlite:///")).stat().st_size / 1e6
    log.close()
    return out


def _place(chunk: list[Administration], offset: int, n: int) -> list[Administration]:
    lots = max(1, n // 1000)
    out = []
    for j, adm in enumerate(chunk):
        i = offset + j
        minute = i * (365 * 24 * 60) // n
        product = attrs.evolve(adm.product, lot=f"LOT-{i * lots // n:05d}")
        out.append(
            attrs.evolve(adm, administered_at=START + dt.timedelta(minutes=minute), product=product)
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="10,000 rows (CI)")
    parser.add_argument("--dir", help="where to put the databases (default: a temporary folder)")
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="keep the scale database in DIR and reuse it if present (skips its ingest)",
    )
    parser.add_argument("--scale-only", action="store_true", help="only the scale run")
    parser.add_argument(
        "--pg",
        default=os.environ.get("EXOINTAKE_TEST_PG_URL"),
        help="PostgreSQL URL for the verify comparison (default: $EXOINTAKE_TEST_PG_URL)",
    )
    parser.add_argument("--verify-only", action="store_true", help="only the verify comparison")
    parser.add_argument(
        "--gate-only", action="store_true", help="only the ingest through the safety gate"
    )
    args = parser.parse_args(argv)
    n = 10_000 if args.short else 1_000_000
    n_batch = 10_000 if args.short else 200_000
    n_single = 100 if args.short else 500
    n_gate = 2_000 if args.short else 20_000
    n_reactions = n // 50
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        print(f"exointake log benchmark (SQLite {sa.__version__ and sys.version.split()[0]})")
        keep = Path(args.keep) if args.keep else None
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
        if args.gate_only:
            ours, raw = bench_gate(folder, n_gate, min(1_000, n_gate))
            print(f"gated administer_many {ours:,.0f} rows/s, raw {raw:,.0f} rows/s")
            return 0
        n_verify = 10_000 if args.short else 100_000
        rounds = 5 if args.short else 3  # short runs are quick and noisy: more rounds
        if not args.scale_only:
            print_verify("SQLite", *bench_verify_sqlite(folder, n_verify, rounds))
            if args.pg:
                print_verify("PostgreSQL", *bench_verify_postgres(args.pg, n_verify, rounds))
            else:
                print("verify on PostgreSQL: skipped (no --pg / EXOINTAKE_TEST_PG_URL)")
        if args.verify_only:
            return 0

        if not args.scale_only:
            bench_baselines(folder, n_batch, n_single, n_gate)
        s = bench_scale(folder, n, n_reactions, 10_000, keep=keep)
        print_scale(n, s)
    return 0


def bench_baselines(folder: Path, n_batch: int, n_single: int, n_gate: int) -> None:
    ours, raw = bench_batch(folder, n_batch, 10_000, rounds=5 if n_batch <= 10_000 else 3)
    print(f"batch ingest ({n_batch:,} rows, 10,000 per transaction)")
    print(f"  hash-chained administer_many : {ours:12,.0f} rows/s")
    print(f"  raw Core executemany         : {raw:12,.0f} rows/s")
    print(f"  ratio                        : {ours / raw:12.2f}x  (target >= 0.67x)")
    batch = min(1_000, n_gate)
    ours, raw = bench_gate(folder, n_gate, batch)
    print(
        f"batch ingest through the safety gate ({n_gate:,} rows, {batch:,} per transaction, "
        "chains recorded, no override)"
    )
    print(f"  gated administer_many        : {ours:12,.0f} rows/s")
    print(f"  raw Core executemany         : {raw:12,.0f} rows/s")
    print(f"  ratio                        : {ours / raw:12.2f}x  (what the gate costs)")
    ours, raw = bench_single(folder, n_single)
    print(f"single appends ({n_single} each, one transaction each, median)")
    print(f"  Log.administer               : {ours:12,.0f} appends/s")
    print(f"  raw single-row transaction   : {raw:12,.0f} appends/s")
    print(f"  ratio                        : {ours / raw:12.2f}x  (target >= 0.8x)")


def print_scale(n: int, s: dict[str, float]) -> None:
    print(f"scale: {n:,} administrations + {int(s['reactions']):,} reactions")
    print(
        f"  ingest                       : {s['ingest_s']:10.1f} s "
        f"({n / s['ingest_s']:,.0f} rows/s)"
    )
    print(f"  reactions (single appends)   : {s['reactions_s']:10.1f} s")
    print(
        f"  lot recall ({int(s['recall_size'])} adm.)       : {s['recall_ms']:10.1f} ms "
        "(target < 100 ms)"
    )
    print(f"  rate report, whole year      : {s['report_ms']:10.1f} ms (target < 100 ms)")
    print(f"  rate report, last 30 days    : {s['report_30d_ms']:10.1f} ms")
    print(
        f"  serious cases, query+rows    : {s['serious_sql_ms']:10.1f} ms "
        f"({int(s['serious_n']):,} cases; target < 50 ms)"
    )
    print(f"  serious cases, as LogEntry   : {s['serious_ms']:10.1f} ms")
    print(
        f"  verify ({int(s['entries']):,} entries)     : {s['verify_s']:10.1f} s "
        f"({s['entries'] / s['verify_s']:,.0f} entries/s)"
    )
    print(f"  verify peak traced memory    : {s['verify_peak_traced_mb']:10.1f} MB")
    print(
        f"  RSS before / after verify    : {s['rss_before_verify_mb']:6.0f} / "
        f"{s['rss_after_verify_mb']:.0f} MB"
    )
    print(f"  database file                : {s['db_mb']:10.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
