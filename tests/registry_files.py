"""Registry export folders written from rows, for the registry's and the pooled report's
tests (the export side is tested apart, in ``test_registry_export.py``).

The files follow :data:`exointake._registry_format.FILE_COLUMNS` and the manifest is a
CONTRACT v2 one (``clinic_id`` given, ``source.through``/``data_lock``, the gate's
``held``/``suppressed``/``blanked`` counts), canonical JSON with each file's SHA-256, rows
and columns. :func:`write_export` takes plain rows (dicts by column);
:func:`write_cases` takes :class:`Case` objects; :func:`three_clinics` writes the
three-clinic set of the pooled report's tests. Also a PostgreSQL schema per test.
"""

from __future__ import annotations

import calendar
import contextlib
import csv
import hashlib
import io
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from attrs import field, frozen

from exointake._registry_format import FILE_COLUMNS, FORMAT, FORMAT_VERSION, MANIFEST

Row = Mapping[str, object]
SITE = {"iv_drip": "vein", "injection_face": "face", "injection_scalp": "scalp"}


def key(*parts: object) -> str:
    """A 32-hex pseudonym-like key (deterministic)."""
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:32]


def new_clinic() -> str:
    """A fresh clinic id (matching CLINIC_ID_PATTERN)."""
    return f"C-{uuid.uuid4().hex[:10]}"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_bytes(name: str, rows: Sequence[Row]) -> bytes:
    """A CSV file of the export: header, rows sorted by their first then second column."""
    columns = FILE_COLUMNS[name]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    writer.writerows(sorted([_text(r.get(c)) for c in columns] for r in rows))
    return out.getvalue().encode("utf-8")


def data_lock(through: str) -> str:
    """The end of month ``through`` in JST, as ISO UTC text (the manifest's data_lock)."""
    year, month = map(int, through.split("-"))
    last = calendar.monthrange(year, month)[1]
    return f"{through}-{last:02d}T15:00:00Z"


def gate(**counts: Mapping[str, int]) -> dict[str, Any]:
    """A v2 manifest's ``gate`` with zero counts, or those given."""
    out: dict[str, Any] = {
        "k": 5,
        "l": 2,
        "quasi_identifiers": ["age_band", "region", "period", "route"],
        "sensitive_values": "ctcae_term (empty: unclassified), serious, fatal",
        "groups": 1,
        "min_patients_in_group": 5,
        "max_share_in_group": 0.5,
        "generalised": {"age_any": 0, "age_band_10": 0, "age_band_20": 0, "period_to_quarter": 0},
        "held": {"cases": 0},
        "suppressed": {"cases": 0, "groups": 0},
        "blanked": {"lot": 0, "maker": 0, "volume_ml": 0},
    }
    for name, values in counts.items():
        out[name] = {**out[name], **values}
    return out


def manifest_bytes(
    files: Mapping[str, bytes],
    rows: Mapping[str, int],
    *,
    clinic_id: str,
    head_seq: int,
    head_hash: str,
    region: str,
    through: str = "2026-12",
    gate_counts: Mapping[str, Mapping[str, int]] | None = None,
) -> bytes:
    """A canonical v2 manifest for ``files`` (name -> bytes) of ``rows`` data rows."""
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exointake_version": "test",
        "vocabulary_version": "test",
        "severity_table_version": "test",
        "profile": {"law": "個人情報保護法43条", "kind": "anonymously_processed_information"},
        "statement": {"ja": "本データは匿名加工情報です。", "en": "Anonymously processed."},
        "source": {
            "head_seq": head_seq,
            "head_hash": head_hash,
            "data_lock": data_lock(through),
            "through": through,
            "settle_days": 14,
        },
        "key_fingerprint": "sha256:" + hashlib.sha256(clinic_id.encode()).hexdigest(),
        "clinic_id": clinic_id,
        "region": region,
        "items": {},
        "method": [],
        "gate": gate(**(gate_counts or {})),
        "files": {
            name: {
                "sha256": hashlib.sha256(data).hexdigest(),
                "rows": rows[name],
                "columns": list(FILE_COLUMNS[name]),
            }
            for name, data in files.items()
        },
    }
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    return text.encode("utf-8")


def write_export(
    folder: Path,
    *,
    clinic_id: str,
    cases: Sequence[Row],
    administrations: Sequence[Row],
    reactions: Sequence[Row] = (),
    head_seq: int = 1,
    head_hash: str | None = None,
    region: str = "13",
    through: str = "2026-12",
    gate_counts: Mapping[str, Mapping[str, int]] | None = None,
) -> Path:
    """Write a valid export folder (three CSV files and the manifest); returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    given = {"cases.csv": cases, "administrations.csv": administrations, "reactions.csv": reactions}
    files = {name: csv_bytes(name, given[name]) for name in FILE_COLUMNS}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    head = head_hash or hashlib.sha256(f"{clinic_id}/head-{head_seq}".encode()).hexdigest()
    (folder / MANIFEST).write_bytes(
        manifest_bytes(
            files,
            {name: len(rows) for name, rows in given.items()},
            clinic_id=clinic_id,
            head_seq=head_seq,
            head_hash=head,
            region=region,
            through=through,
            gate_counts=gate_counts,
        )
    )
    return folder


def clinic_rows(
    clinic_id: str,
    admins: Sequence[tuple[str, str, str, int]],
    *,
    maker: str = "Maker A",
    origin: str = "umbilical_cord",
) -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, object]]]:
    """Rows of an export from ``(period, route, lot, reactions)`` per administration:
    cases, administrations and reactions with keys derived from ``clinic_id``."""
    cases: list[dict[str, object]] = []
    adm: list[dict[str, object]] = []
    rea: list[dict[str, object]] = []
    for i, (period, route, lot, n) in enumerate(admins):
        case_key = key(clinic_id, "case", i)
        cases.append(
            {"case_key": case_key, "age_band": "40-44", "region": "13", "period": period}
            | {"route": route}
        )
        adm.append(
            {
                "case_key": case_key,
                "origin": origin,
                "sourcing": "purchased",
                "maker": maker,
                "lot": lot,
                "route": route,
                "site": SITE[route],
                "volume_ml": "2.5",
            }
        )
        for j in range(n):
            rea.append(
                {
                    "reaction_key": key(clinic_id, "reaction", i, j),
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


# ---------------------------------------------------------------------------- cases


@frozen
class Reaction:
    minutes: int | None = 30
    category: str | None = "local"
    kind: str = "table_reaction"
    term: str | None = "Injection site reaction"
    grade: int | None = 1
    brighton: int | None = None
    serious: bool = False
    criteria: tuple[str, ...] = ()
    outcome: str = "recovered"
    causality: str = "probable"


@frozen
class Case:
    period: str
    route: str
    lot: str
    reactions: tuple[Reaction, ...] = field(factory=tuple)
    origin: str = "umbilical_cord"
    maker: str = "Maker A"


def write_cases(
    folder: Path,
    clinic_id: str,
    cases: Sequence[Case],
    *,
    region: str = "13",
    through: str = "2026-12",
    gate_counts: Mapping[str, Mapping[str, int]] | None = None,
) -> Path:
    """Write the export of ``cases`` (each one administration) to a new ``folder``."""
    folder.mkdir(parents=True, exist_ok=False)
    case_rows: list[Row] = []
    adm_rows: list[Row] = []
    reaction_rows: list[Row] = []
    for i, c in enumerate(cases):
        ck = key(clinic_id, "case", i)
        case_rows.append(
            {"case_key": ck, "age_band": "40-44", "region": region, "period": c.period}
            | {"route": c.route}
        )
        adm_rows.append(
            {
                "case_key": ck,
                "origin": c.origin,
                "sourcing": "domestic",
                "maker": c.maker,
                "lot": c.lot,
                "route": c.route,
                "site": SITE[c.route],
                "volume_ml": "2.0",
            }
        )
        for j, r in enumerate(c.reactions):
            reaction_rows.append(
                {
                    "reaction_key": key(clinic_id, "reaction", i, j),
                    "case_key": ck,
                    "minutes_to_onset": r.minutes,
                    "symptoms": "redness",
                    "category": r.category,
                    "event_kind": r.kind,
                    "ctcae_term": r.term,
                    "ctcae_meddra_llt": None,
                    "ctcae_grade": r.grade,
                    "brighton_level": r.brighton,
                    "serious": r.serious,
                    "seriousness_criteria": ";".join(sorted(r.criteria)),
                    "outcome": r.outcome,
                    "causality": r.causality,
                }
            )
    return write_export(
        folder,
        clinic_id=clinic_id,
        cases=case_rows,
        administrations=adm_rows,
        reactions=reaction_rows,
        head_seq=len(cases) * 3,
        head_hash=hashlib.sha256(clinic_id.encode()).hexdigest(),
        region=region,
        through=through,
        gate_counts=gate_counts,
    )


HOT = "EXO-HOT-2026"
"""The contaminated lot every clinic of :func:`three_clinics` used."""
CLINICS = ("clinic-tokyo-01", "clinic-osaka-02", "clinic-fukuoka-03")
SERIOUS = Reaction(
    minutes=12,
    category="anaphylaxis",
    term="Anaphylaxis",
    grade=3,
    brighton=2,
    serious=True,
    criteria=("hospitalization",),
    outcome="recovering",
    causality="probable",
)


def three_clinics(root: Path) -> list[Path]:
    """Three clinics' exports, September to November 2026 (through December: the export
    of early January): each gives :data:`HOT` and two lots of its own by IV drip, 10
    administrations of each lot a month. The hot lot is followed by a reaction once a
    month at every clinic (3 of 30 at each clinic: no single clinic signals), the other
    lots once in three months between them (pooled, the hot lot signals). Clinic 1's
    September cases were generalised to 2026-Q3, and 4 more of its cases (face
    injections) to 2026-Q4, not over by the end of November; one of its November hot-lot
    reactions is serious (anaphylaxis)."""
    out = []
    for n, clinic in enumerate(CLINICS):
        cases: list[Case] = []
        for m, month in enumerate(("2026-09", "2026-10", "2026-11")):
            period = "2026-Q3" if n == 1 and month == "2026-09" else month
            for lot in (HOT, f"EXO-{n}-A", f"EXO-{n}-B"):
                for i in range(10):
                    reactions: tuple[Reaction, ...] = ()
                    if lot == HOT and i == 3:
                        reactions = (SERIOUS,) if (n, m) == (1, 2) else (Reaction(),)
                    elif lot == f"EXO-{n}-A" and i == 5 and m == n:
                        reactions = (Reaction(minutes=None),)
                    cases.append(Case(period, "iv_drip", lot, reactions))
        if n == 1:
            cases += [Case("2026-Q4", "injection_face", f"EXO-{n}-A") for _ in range(4)]
        counts = {
            "generalised": {"period_to_quarter": 34 if n == 1 else 0, "age_band_10": 3 * n},
            "held": {"cases": n},
            "suppressed": {"cases": n, "groups": min(n, 1)},
            "blanked": {"lot": 0, "maker": n, "volume_ml": 0},
        }
        out.append(
            write_cases(
                root / f"clinic-{n}",
                clinic,
                cases,
                region=("13", "27", "40")[n],
                through="2026-12",
                gate_counts=counts,
            )
        )
    return out


# ---------------------------------------------------------------------------- PostgreSQL


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
                "registry_strata",
            ):
                rows = conn.exec_driver_sql(f"SELECT * FROM {table}").all()
                out[table] = sorted(tuple(map(str, r)) for r in rows)
    finally:
        engine.dispose()
    return out
