"""Benchmark the registry: importing a large export, and pooled lot signals.

Needs a PostgreSQL server: ``--db`` or ``EXOINTAKE_TEST_PG_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Works in a schema of its own,
dropped at the end. Exports are generated straight as CSV files (as the registry spec
writes them), not through a clinic's log. Measures, side by side:

* ``Registry.import_export`` of one export of N administrations (N/50 reactions) —
  manifest and hash checks, COPY, the join checks, the export's record — against a bare
  ``COPY`` of the same three CSV files into the same tables in one transaction (target:
  the import at >= 0.5x the bare COPY's speed, i.e. at most twice its time);
* ``Registry.signals`` over 10 clinics x M administrations (target: under 1 s at
  M = 100,000), with the time to read the pooled series, against a bare SQL
  ``GROUP BY`` of the administrations per clinic, period, route and lot.

Never fails on a wall-clock number. ``python benchmarks/bench_registry.py`` runs the full
sizes (N = 1,000,000, M = 100,000; ~1 GB of temporary files, a few minutes);
``--short`` the CI version (N = 20,000, M = 2,000).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from exointake._pooled import pooled_lot_series
from exointake._registry_format import FILE_COLUMNS, FORMAT, FORMAT_VERSION, GATE_COUNTS
from exointake.registry import open_registry

ROUTES = ("iv_drip", "injection_face", "injection_scalp")
SITES = {"iv_drip": "vein", "injection_face": "face", "injection_scalp": "scalp"}
HEADERS = {name: ",".join(columns) for name, columns in FILE_COLUMNS.items()}
TABLES = {
    "cases.csv": "registry_cases",
    "administrations.csv": "registry_administrations",
    "reactions.csv": "registry_reactions",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="quick run for CI")
    parser.add_argument("--db", default=None, help="PostgreSQL URL (default: see above)")
    parser.add_argument("--n", type=int, default=None, help="administrations in the import")
    parser.add_argument("--m", type=int, default=None, help="administrations per clinic")
    return parser.parse_args()


def write_export(
    folder: Path,
    *,
    clinic_seed: int,
    n: int,
    lots: list[str],
    reaction_rate: float,
    hot_lot: str | None = None,
) -> None:
    """An export of ``n`` administrations over a year, one reaction per ~50 (five times
    as many on ``hot_lot``); keys are zero-padded hex so the rows come out sorted."""
    rng = random.Random(clinic_seed)
    folder.mkdir(parents=True)
    fingerprint = hashlib.sha256(f"bench-key-{clinic_seed}".encode()).hexdigest()
    clinic = f"bench-{clinic_seed:04d}"
    cases, adms, reactions = [HEADERS["cases.csv"]], [HEADERS["administrations.csv"]], []
    rows_r = 0
    for i in range(n):
        case_key = f"{clinic_seed:08x}{i:024x}"
        month = 1 + i * 12 // n
        route = ROUTES[i % 3]
        lot = lots[(i * len(lots) // n + i % 3) % len(lots)]
        cases.append(
            f"{case_key},{20 + 5 * (i % 12)}-{24 + 5 * (i % 12)},13,2026-{month:02d},{route}"
        )
        adms.append(
            f"{case_key},umbilical_cord,purchased,Maker {lot[0]},{lot},{route},{SITES[route]},2.5"
        )
        p = reaction_rate * (5 if lot == hot_lot else 1)
        if rng.random() < p:
            reactions.append(
                f"{case_key}{0:0x},{case_key},{15 + i % 60},fever;rash,allergy,table_reaction,"
                f"Allergic reaction,10001718,2,,false,,recovered,probable"
            )
            rows_r += 1
    reactions.sort()
    reactions.insert(0, HEADERS["reactions.csv"])
    files = {
        "cases.csv": "\n".join(cases) + "\n",
        "administrations.csv": "\n".join(adms) + "\n",
        "reactions.csv": "\n".join(reactions) + "\n",
    }
    meta = {}
    for name, text in files.items():
        data = text.encode()
        (folder / name).write_bytes(data)
        meta[name] = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": text.count("\n") - 1,
            "columns": HEADERS[name].split(","),
        }
    gate = {
        "k": 5,
        "l": 2,
        "quasi_identifiers": ["age_band", "region", "period", "route"],
        "sensitive_values": "ctcae_term, serious, fatal",
        "groups": 1,
        "min_patients_in_group": 5,
        "max_share_in_group": None,
        **{name: dict.fromkeys(keys, 0) for name, keys in GATE_COUNTS.items()},
    }
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "clinic_id": clinic,
        "key_fingerprint": f"sha256:{fingerprint}",
        "region": "13",
        "source": {
            "head_seq": n,
            "head_hash": "0" * 64,
            "data_lock": "2026-12-31T15:00:00Z",
            "through": "2026-12",
            "settle_days": 14,
        },
        "gate": gate,
        "files": meta,
    }
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    (folder / "manifest.json").write_bytes(text.encode())


def truncate(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "TRUNCATE registry_cases, registry_administrations, registry_reactions, "
            "registry_strata, registry_exports"
        )


def bare_copy(engine: sa.Engine, folder: Path, clinic: str) -> None:
    """COPY the three files into the same tables in one transaction: the baseline."""
    with engine.connect() as conn, conn.begin():
        conn.exec_driver_sql(f"SELECT set_config('exointake.registry_clinic_id', '{clinic}', true)")
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:
            for name, table in TABLES.items():
                columns = HEADERS[name]
                sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, HEADER true)"
                with cur.copy(sql) as copy, (folder / name).open("rb") as fh:
                    while chunk := fh.read(1 << 20):
                        copy.write(chunk)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    args = parse_args()
    base = args.db or os.environ.get(
        "EXOINTAKE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    n = args.n or (20_000 if args.short else 1_000_000)
    m = args.m or (2_000 if args.short else 100_000)
    repeat = 3
    schema = f"bench_registry_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    engine = sa.create_engine(url)
    try:
        with tempfile.TemporaryDirectory() as tmp, open_registry(url) as reg:
            root = Path(tmp)
            # -- import vs bare COPY --------------------------------------------------
            t0 = time.perf_counter()
            lots = [f"{chr(65 + k % 26)}{k:03d}" for k in range(200)]
            write_export(root / "big", clinic_seed=1, n=n, lots=lots, reaction_rate=0.02)
            size = sum(f.stat().st_size for f in (root / "big").iterdir())
            print(
                f"export of {n:,} administrations generated in "
                f"{time.perf_counter() - t0:.1f} s ({size / 1e6:.0f} MB of CSV)"
            )
            clinic = json.loads((root / "big" / "manifest.json").read_text())["clinic_id"]
            ours, bare = [], []
            for _ in range(repeat):
                truncate(engine)
                bare.append(timed(lambda: bare_copy(engine, root / "big", clinic)))
                truncate(engine)
                ours.append(timed(lambda: reg.import_export(root / "big")))
            t_ours, t_bare = min(ours), min(bare)
            print(
                f"registry import: ours {t_ours:.2f} s, bare COPY {t_bare:.2f} s, speed "
                f"{t_bare / t_ours:.2f}x the bare COPY (target >= 0.5x: "
                f"{'meets' if t_bare / t_ours >= 0.5 else 'MISSES'}); "
                f"{n / t_ours:,.0f} administrations/s"
            )
            t_again = timed(lambda: reg.import_export(root / "big"))
            print(f"the same export again (checked, then a no-op): {t_again:.2f} s")
            truncate(engine)
            # -- pooled signals -------------------------------------------------------
            shared = [f"S{k:02d}" for k in range(12)]
            for c in range(10):
                own = [f"C{c}{k:02d}" for k in range(8)]
                write_export(
                    root / f"clinic{c}",
                    clinic_seed=100 + c,
                    n=m,
                    lots=shared + own,
                    reaction_rate=0.02,
                    hot_lot="S03",
                )
                reg.import_export(root / f"clinic{c}")
            t_series = min(timed(reg.lot_series) for _ in range(repeat))
            t_signals = min(timed(reg.signals) for _ in range(repeat))
            with engine.connect() as conn:
                t_group = min(
                    timed(
                        lambda: conn.exec_driver_sql(
                            "SELECT a.clinic_id, c.period, a.route, a.lot, count(*) "
                            "FROM registry_administrations a JOIN registry_cases c "
                            "USING (clinic_id, case_key) GROUP BY 1, 2, 3, 4"
                        ).all()
                    )
                    for _ in range(repeat)
                )
            report = reg.signals()
            hot = sorted({r.lot for r in report.signals})
            t0 = time.perf_counter()
            data = reg.pooled_data()
            t_data = time.perf_counter() - t0
            assert pooled_lot_series(data) == reg.lot_series()  # one builder, two feeds
            print(
                f"pooled data for the report (every row read with SQL into Python): "
                f"{t_data:.2f} s for {len(data.cases):,} cases"
            )
            print(
                f"pooled signals, 10 clinics x {m:,} administrations: {t_signals * 1e3:.0f} ms "
                f"(target < 1000 ms: {'meets' if t_signals < 1 else 'MISSES'}); reading "
                f"the series {t_series * 1e3:.0f} ms; bare SQL GROUP BY of the strata "
                f"{t_group * 1e3:.0f} ms (ratio {t_signals / t_group:.1f}x); "
                f"{len(report.rows)} tests, lots signalled: {', '.join(hot) or 'none'}"
            )
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


if __name__ == "__main__":
    main()
