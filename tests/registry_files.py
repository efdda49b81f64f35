"""Helpers for the registry tests: export folders written straight from the registry spec,
and a PostgreSQL schema per test.

:func:`write_export` writes the three CSV files and a canonical ``manifest.json`` (with
the files' SHA-256, rows and columns) from plain rows, so the registry can be tested
without the export side.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import secrets
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

CASES = ("case_key", "patient_key", "age_band", "region", "period", "route")
ADMINISTRATIONS = (
    "case_key",
    "origin",
    "sourcing",
    "maker",
    "lot",
    "route",
    "site",
    "volume_ml",
    "days_from_lot_first_use",
)
REACTIONS = (
    "reaction_key",
    "case_key",
    "minutes_to_onset",
    "symptoms",
    "category",
    "event_kind",
    "ctcae_term",
    "ctcae_meddra_llt",
    "ctcae_grade",
    "brighton_level",
    "serious",
    "seriousness_criteria",
    "outcome",
    "causality",
)
COLUMNS = {"cases.csv": CASES, "administrations.csv": ADMINISTRATIONS, "reactions.csv": REACTIONS}

Row = Mapping[str, object]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_bytes(columns: Sequence[str], rows: Sequence[Row]) -> bytes:
    """The CSV file of the spec: header, rows sorted by their first then second column."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    lines = sorted([_text(r.get(c)) for c in columns] for r in rows)
    writer.writerows(lines)
    return out.getvalue().encode("utf-8")


def clinic_of(key: bytes) -> tuple[str, str]:
    """(key fingerprint, clinic_id) of a 32-byte export key."""
    digest = hashlib.sha256(key).hexdigest()
    return f"sha256:{digest}", digest[:16]


def manifest_bytes(
    files: Mapping[str, bytes],
    rows: Mapping[str, int],
    *,
    key: bytes,
    head_seq: int,
    head_hash: str,
    region: str,
) -> bytes:
    fingerprint, clinic = clinic_of(key)
    manifest: dict[str, Any] = {
        "format": "exointake-registry-export",
        "format_version": 1,
        "exointake_version": "test",
        "vocabulary_version": "test",
        "severity_table_version": "test",
        "profile": {"law": "個人情報保護法43条", "kind": "anonymously_processed_information"},
        "statement": {"ja": "本データは匿名加工情報です。", "en": "Anonymously processed."},
        "source": {
            "head_seq": head_seq,
            "head_hash": head_hash,
            "data_lock": "2026-11-30T00:00:00Z",
        },
        "key_fingerprint": fingerprint,
        "clinic_id": clinic,
        "region": region,
        "items": {},
        "method": [],
        "gate": {"k": 5, "l": 2},
        "files": {
            name: {
                "sha256": hashlib.sha256(data).hexdigest(),
                "rows": rows[name],
                "columns": list(COLUMNS[name]),
            }
            for name, data in files.items()
        },
    }
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    return text.encode("utf-8")


def write_export(
    folder: Path,
    *,
    key: bytes,
    cases: Sequence[Row],
    administrations: Sequence[Row],
    reactions: Sequence[Row] = (),
    head_seq: int = 1,
    head_hash: str | None = None,
    region: str = "13",
) -> Path:
    """Write a valid export folder (three CSV files and the manifest); returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "cases.csv": csv_bytes(CASES, cases),
        "administrations.csv": csv_bytes(ADMINISTRATIONS, administrations),
        "reactions.csv": csv_bytes(REACTIONS, reactions),
    }
    rows = {
        "cases.csv": len(cases),
        "administrations.csv": len(administrations),
        "reactions.csv": len(reactions),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    head = head_hash or hashlib.sha256(f"head-{head_seq}".encode()).hexdigest()
    (folder / "manifest.json").write_bytes(
        manifest_bytes(files, rows, key=key, head_seq=head_seq, head_hash=head, region=region)
    )
    return folder


def new_key() -> bytes:
    return secrets.token_bytes(32)


def clinic_rows(
    key: bytes,
    admins: Sequence[tuple[str, str, str, int]],
    *,
    maker: str = "Maker A",
    origin: str = "umbilical_cord",
) -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, object]]]:
    """Rows of an export from ``(period, route, lot, reactions)`` per administration:
    cases, administrations and reactions with keys derived from ``key``."""
    _, clinic = clinic_of(key)
    cases: list[dict[str, object]] = []
    adm: list[dict[str, object]] = []
    rea: list[dict[str, object]] = []
    for i, (period, route, lot, n) in enumerate(admins):
        case_key = hashlib.sha256(f"{clinic}/case/{i}".encode()).hexdigest()[:32]
        cases.append(
            {
                "case_key": case_key,
                "patient_key": hashlib.sha256(f"{clinic}/p/{i % 7}".encode()).hexdigest()[:32],
                "age_band": "40-44",
                "region": "13",
                "period": period,
                "route": route,
            }
        )
        adm.append(
            {
                "case_key": case_key,
                "origin": origin,
                "sourcing": "purchased",
                "maker": maker,
                "lot": lot,
                "route": route,
                "site": "vein" if route == "iv_drip" else "face",
                "volume_ml": "2.5",
                "days_from_lot_first_use": i % 30,
            }
        )
        for j in range(n):
            rea.append(
                {
                    "reaction_key": hashlib.sha256(f"{clinic}/r/{i}/{j}".encode()).hexdigest()[:32],
                    "case_key": case_key,
                    "minutes_to_onset": 15 + j,
                    "symptoms": "fever;headache",
                    "category": "allergy" if j == 0 else "local",
                    "event_kind": "table_reaction",
                    "ctcae_term": "Fever",
                    "ctcae_meddra_llt": "10016558",
                    "ctcae_grade": 1,
                    "brighton_level": None,
                    "serious": False,
                    "seriousness_criteria": None,
                    "outcome": "recovered",
                    "causality": "probable",
                }
            )
    return cases, adm, rea


@contextlib.contextmanager
def pg_schema(pg_url: str, prefix: str = "regtest") -> Iterator[str]:
    """A fresh schema for one test: yields a URL whose connections use it; drops only it."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        sep = "&" if "?" in pg_url else "?"
        yield f"{pg_url}{sep}options=-csearch_path%3D{name}"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        engine.dispose()


def snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the registry's tables, sorted (to show that nothing changed)."""
    engine = sa.create_engine(url)
    out = {}
    try:
        with engine.connect() as conn:
            for table in (
                "registry_exports",
                "registry_cases",
                "registry_administrations",
                "registry_reactions",
            ):
                rows = conn.exec_driver_sql(f"SELECT * FROM {table}").all()
                out[table] = sorted(tuple(map(str, r)) for r in rows)
    finally:
        engine.dispose()
    return out
