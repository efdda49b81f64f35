"""Registry export directories written by hand from the contract (issue 14's spec), for
the pooled report's tests: three clinics sharing a contaminated lot."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from pathlib import Path

from attrs import field, frozen

from exointake._pooled import ADMINISTRATION_COLUMNS, CASE_COLUMNS, REACTION_COLUMNS

HOT = "EXO-HOT-2026"
"""The contaminated lot every clinic used (as the exports spell it)."""
CLINICS = ("1a2b3c4d5e6f7081", "8899aabbccddeeff", "0f1e2d3c4b5a6978")
ROUTES = ("iv_drip", "injection_face", "injection_scalp")
SITE = {"iv_drip": "vein", "injection_face": "face", "injection_scalp": "scalp"}


def key(*parts: object) -> str:
    """A 32-hex pseudonym-like key (deterministic)."""
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:32]


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
    patient: int
    reactions: tuple[Reaction, ...] = field(factory=tuple)
    origin: str = "umbilical_cord"
    maker: str = "Maker A"


def _csv(columns: Sequence[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    writer.writerows(sorted(rows))
    return out.getvalue().encode("utf-8")


def write_export(
    folder: Path,
    clinic_id: str,
    cases: Sequence[Case],
    *,
    region: str = "13",
    data_lock: str = "2026-12-02T01:00:00Z",
    generalised: dict[str, int] | None = None,
    suppressed: dict[str, int] | None = None,
) -> Path:
    """Write the four files of a registry export of ``cases`` to ``folder``."""
    folder.mkdir(parents=True, exist_ok=False)
    case_rows, adm_rows, reaction_rows = [], [], []
    for i, c in enumerate(cases):
        ck = key(clinic_id, "case", i)
        case_rows.append(
            [ck, key(clinic_id, "patient", c.patient), "40-44", region, c.period, c.route]
        )
        adm_rows.append(
            [ck, c.origin, "domestic", c.maker, c.lot, c.route, SITE[c.route], "2.0", str(i % 30)]
        )
        for j, r in enumerate(c.reactions):
            reaction_rows.append(
                [
                    key(clinic_id, "reaction", i, j),
                    ck,
                    "" if r.minutes is None else str(r.minutes),
                    "redness",
                    r.category or "",
                    r.kind,
                    r.term or "",
                    "",
                    "" if r.grade is None else str(r.grade),
                    "" if r.brighton is None else str(r.brighton),
                    "true" if r.serious else "false",
                    ";".join(sorted(r.criteria)),
                    r.outcome,
                    r.causality,
                ]
            )
    files = {
        "cases.csv": (CASE_COLUMNS, case_rows),
        "administrations.csv": (ADMINISTRATION_COLUMNS, adm_rows),
        "reactions.csv": (REACTION_COLUMNS, reaction_rows),
    }
    meta = {}
    for name, (columns, rows) in files.items():
        data = _csv(columns, rows)
        (folder / name).write_bytes(data)
        meta[name] = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": len(rows),
            "columns": list(columns),
        }
    manifest = {
        "format": "exointake-registry-export",
        "format_version": 1,
        "exointake_version": "test",
        "clinic_id": clinic_id,
        "key_fingerprint": "sha256:" + clinic_id * 4,
        "region": region,
        "source": {
            "head_seq": len(cases) * 3,
            "head_hash": hashlib.sha256(clinic_id.encode()).hexdigest(),
            "data_lock": data_lock,
        },
        "gate": {
            "k": 5,
            "l": 2,
            "quasi_identifiers": ["age_band", "region", "period", "route"],
            "sensitive_attribute": "ctcae_term",
            "generalised": generalised
            or {"period_to_quarter": 0, "age_band_10": 0, "age_band_20": 0},
            "suppressed": suppressed
            or {"cases": 0, "administrations": 0, "reactions": 0, "patients": 0},
        },
        "files": meta,
    }
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    return folder


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
    """Three clinics' exports, September to November 2026: each gives :data:`HOT` and two
    lots of its own by IV drip, 10 administrations of each lot a month. The hot lot is
    followed by a reaction once a month at every clinic (3 of 30 at each clinic: no single
    clinic signals), the other lots once in three months between them (pooled, the hot
    lot signals). Clinic 1's September cases were generalised to 2026-Q3, and 4 more of
    its cases (face injections) to 2026-Q4, not over by the end of November; one of its
    November hot-lot reactions is serious (anaphylaxis)."""
    out = []
    for n, clinic in enumerate(CLINICS):
        cases: list[Case] = []
        patient = 0
        for m, month in enumerate(("2026-09", "2026-10", "2026-11")):
            period = "2026-Q3" if n == 1 and month == "2026-09" else month
            for lot in (HOT, f"EXO-{n}-A", f"EXO-{n}-B"):
                for i in range(10):
                    patient += 1
                    reactions: tuple[Reaction, ...] = ()
                    if lot == HOT and i == 3:
                        reactions = (SERIOUS,) if (n, m) == (1, 2) else (Reaction(),)
                    elif lot == f"EXO-{n}-A" and i == 5 and m == n:
                        reactions = (Reaction(minutes=None),)
                    cases.append(Case(period, "iv_drip", lot, patient, reactions))
        if n == 1:
            for i in range(4):
                cases.append(Case("2026-Q4", "injection_face", f"EXO-{n}-A", 900 + i))
        generalised = {
            "period_to_quarter": 34 if n == 1 else 0,
            "age_band_10": 3 if n == 1 else 0,
            "age_band_20": 0,
        }
        suppressed = {"cases": n, "administrations": n, "reactions": 0, "patients": n}
        out.append(
            write_export(
                root / f"clinic-{n}",
                clinic,
                cases,
                region=("13", "27", "40")[n],
                generalised=generalised,
                suppressed=suppressed,
            )
        )
    return out
