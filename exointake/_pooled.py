"""The pooled view of a registry: the released rows of several clinics' exports.

:class:`PooledData` holds what the registry's pooled report and pooled signals read: the
imported exports (by clinic id and manifest hash) and the released rows of the three
CSV files of the registry export (``cases.csv``, ``administrations.csv``,
``reactions.csv``), typed, each with the clinic it came from. The registry gives it from
PostgreSQL; :func:`read_exports` builds it from export directories (a clinic previewing
what it sends, tests). :func:`pooled_lot_series` turns it into the
:class:`~exointake.log.LotSeries` that :func:`exointake.signals.evaluate` tests, with
strata clinic x period x route.

Nothing here knows a patient: the rows are the export's pseudonymous, generalised ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, NamedTuple

from attrs import field, frozen

from ._convert import safe_repr
from ._errors import ValidationError
from ._log._queries import LotSeries, ReactionEvent

__all__ = [
    "CASE_COLUMNS",
    "PooledAdministration",
    "PooledCase",
    "PooledData",
    "PooledExport",
    "PooledReaction",
    "PooledReactionRow",
    "StratumCount",
    "lot_series_from_rows",
    "period_months",
    "pooled_lot_series",
    "read_exports",
    "registry_state_hash",
]

CASE_COLUMNS: Final = ("case_key", "patient_key", "age_band", "region", "period", "route")
ADMINISTRATION_COLUMNS: Final = (
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
REACTION_COLUMNS: Final = (
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
_FILES: Final = {
    "cases.csv": CASE_COLUMNS,
    "administrations.csv": ADMINISTRATION_COLUMNS,
    "reactions.csv": REACTION_COLUMNS,
}
_PERIOD: Final = re.compile(r"([0-9]{4})-(?:([0-9]{2})|Q([1-4]))")
_HEX16: Final = re.compile(r"[0-9a-f]{16}")
_HEX64: Final = re.compile(r"[0-9a-f]{64}")
_MAX_FILE: Final = 1 << 31
"""Bytes read from one export file at most (a registry import streams with COPY)."""


def period_months(period: str) -> tuple[dt.date, dt.date]:
    """The first days of the first and last months a period covers: ``YYYY-MM`` one
    month, ``YYYY-Qn`` (generalised) three.

    Raises:
        ValueError: ``period`` is neither.
    """
    m = _PERIOD.fullmatch(period)
    if m is None or (m[2] is not None and not 1 <= int(m[2]) <= 12):
        raise ValueError("expected a period YYYY-MM or YYYY-Qn")
    year = int(m[1])
    if m[2] is not None:
        first = dt.date(year, int(m[2]), 1)
        return first, first
    q = int(m[3])
    return dt.date(year, 3 * q - 2, 1), dt.date(year, 3 * q, 1)


@frozen
class PooledExport:
    """One imported export, identified by its clinic id and manifest hash only."""

    clinic_id: str
    """The first 16 hex of the export key's SHA-256 (the registry's distribution key)."""
    manifest_sha256: str
    """SHA-256 of ``manifest.json``'s bytes: the export's identity."""
    head_seq: int
    head_hash: str
    """The clinic log's head when exported."""
    region: str
    """JIS X 0401 prefecture code."""
    data_lock: str
    """ISO UTC text: when the head entry was recorded (the manifest's
    ``source.data_lock``)."""
    k: int
    l: int  # noqa: E741 - the l of l-diversity
    generalised: Mapping[str, int] = field(factory=dict)
    """The gate's ``generalised`` counts (``period_to_quarter``, ``age_band_10``...)."""
    suppressed: Mapping[str, int] = field(factory=dict)
    """The gate's ``suppressed`` counts (``cases``, ``administrations``...)."""

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, object], sha256: str) -> PooledExport:
        """The export a parsed ``manifest.json`` (whose bytes hash to ``sha256``) describes.

        Raises:
            ValidationError: a field the pooled view needs is missing or malformed.
        """
        errors: list[str] = []

        def get(path: str, kind: type, check: re.Pattern[str] | None = None) -> object:
            value: object = manifest
            for part in path.split("."):
                value = value.get(part) if isinstance(value, Mapping) else None
            if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
                errors.append(f"manifest.json: {path}: expected {kind.__name__}")
                return kind()
            if check is not None and not check.fullmatch(str(value)):
                errors.append(f"manifest.json: {path}: malformed ({safe_repr(value)})")
            return value

        if manifest.get("format") != "exointake-registry-export":
            errors.append("manifest.json: format: expected 'exointake-registry-export'")
        if manifest.get("format_version") != 1:
            errors.append("manifest.json: format_version: expected 1")
        gate = manifest.get("gate") if isinstance(manifest.get("gate"), Mapping) else {}
        assert isinstance(gate, Mapping)

        def counts(name: str) -> dict[str, int]:
            value = gate.get(name)
            if not isinstance(value, Mapping) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in value.values()
            ):
                errors.append(f"manifest.json: gate.{name}: expected counts")
                return {}
            return {str(k): int(v) for k, v in sorted(value.items())}

        export = cls(
            clinic_id=str(get("clinic_id", str, _HEX16)),
            manifest_sha256=sha256,
            head_seq=int(get("source.head_seq", int)),  # type: ignore[call-overload]
            head_hash=str(get("source.head_hash", str, _HEX64)),
            region=str(get("region", str, re.compile(r"[0-9]{2}"))),
            data_lock=str(get("source.data_lock", str)),
            k=int(get("gate.k", int)),  # type: ignore[call-overload]
            l=int(get("gate.l", int)),  # type: ignore[call-overload]
            generalised=counts("generalised"),
            suppressed=counts("suppressed"),
        )
        if errors:
            raise ValidationError(errors, what="registry export")
        return export


@frozen
class PooledCase:
    """A row of ``cases.csv``: one released administration (a case)."""

    clinic_id: str
    case_key: str
    patient_key: str
    age_band: str
    region: str
    period: str
    """``YYYY-MM``, or ``YYYY-Qn`` where the release gate generalised it."""
    route: str


@frozen
class PooledAdministration:
    """A row of ``administrations.csv``."""

    clinic_id: str
    case_key: str
    origin: str
    sourcing: str
    maker: str
    lot: str
    route: str
    site: str
    volume_ml: str
    days_from_lot_first_use: int | None


@frozen
class PooledReaction:
    """A row of ``reactions.csv``."""

    clinic_id: str
    reaction_key: str
    case_key: str
    minutes_to_onset: int | None
    symptoms: tuple[str, ...]
    category: str | None
    event_kind: str
    ctcae_term: str | None
    ctcae_meddra_llt: str | None
    ctcae_grade: int | None
    brighton_level: int | None
    serious: bool
    seriousness_criteria: tuple[str, ...]
    outcome: str
    causality: str


def registry_state_hash(manifest_hashes: Iterable[str]) -> str:
    """SHA-256 of the sorted manifest hashes, each followed by a newline: what a pooled
    view was made from (the same exports, in any order, give the same hash)."""
    text = "".join(f"{h}\n" for h in sorted(manifest_hashes))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


@frozen(repr=False)
class PooledData:
    """The exports a registry holds and their released rows, sorted by clinic then key.

    One export per clinic (the current one). Build it with :meth:`from_export_dirs`, or
    from the registry's tables.
    """

    exports: tuple[PooledExport, ...]
    cases: tuple[PooledCase, ...]
    administrations: tuple[PooledAdministration, ...]
    reactions: tuple[PooledReaction, ...]

    def __attrs_post_init__(self) -> None:
        clinics = Counter(e.clinic_id for e in self.exports)
        twice = sorted(c for c, n in clinics.items() if n > 1)
        if twice:
            raise ValidationError(
                [
                    f"exports: clinic {c} appears twice (one current export per clinic)"
                    for c in twice
                ],
                what="pooled data",
            )
        known = set(clinics)
        seen = {c.clinic_id for c in self.cases} | {a.clinic_id for a in self.administrations}
        stray = sorted((seen | {r.clinic_id for r in self.reactions}) - known)
        if stray:
            raise ValidationError(
                [f"rows: clinic {c} has rows but no export" for c in stray], what="pooled data"
            )

    def __repr__(self) -> str:
        return (
            f"PooledData(exports={len(self.exports)}, cases={len(self.cases)}, "
            f"reactions={len(self.reactions)}, state={self.state_hash[:12]}…)"
        )

    @classmethod
    def from_export_dirs(cls, folders: Sequence[str | Path]) -> PooledData:
        """The pooled view of export directories (``exointake export registry --out DIR``).

        Each directory's ``manifest.json`` is checked (format, the fields the view needs)
        and each CSV against it (SHA-256, header, row count) before a row is read.

        Raises:
            ValidationError: a file is missing or does not match its manifest, a value is
                malformed (the message names the file, row and column, never the value),
                or two directories hold exports of the same clinic.
        """
        return read_exports(folders)

    @property
    def state_hash(self) -> str:
        """:func:`registry_state_hash` of the exports' manifest hashes."""
        return registry_state_hash(e.manifest_sha256 for e in self.exports)

    def lots(self) -> dict[tuple[str, str], PooledAdministration]:
        """Each case's administration, by (clinic id, case key)."""
        return {(a.clinic_id, a.case_key): a for a in self.administrations}

    def restrict(self, keep: Iterable[tuple[str, str]]) -> PooledData:
        """The same exports with only the cases ``keep`` names (clinic id, case key), their
        administrations and reactions."""
        wanted = set(keep)
        return PooledData(
            exports=self.exports,
            cases=tuple(c for c in self.cases if (c.clinic_id, c.case_key) in wanted),
            administrations=tuple(
                a for a in self.administrations if (a.clinic_id, a.case_key) in wanted
            ),
            reactions=tuple(r for r in self.reactions if (r.clinic_id, r.case_key) in wanted),
        )


# ---------------------------------------------------------------------------- lot series


class StratumCount(NamedTuple):
    """Released cases of one lot at one clinic in one period by one route."""

    clinic_id: str
    period: str
    route: str
    lot: str
    n: int


class PooledReactionRow(NamedTuple):
    """A released reaction with what pooled lot surveillance reads of its case."""

    clinic_id: str
    period: str
    route: str
    lot: str
    case_key: str
    reaction_key: str
    category: str | None
    serious: bool
    event_kind: str


def pooled_lot_series(data: PooledData) -> LotSeries:
    """The series pooled lot surveillance tests (:func:`exointake.signals.evaluate`).

    :func:`lot_series_from_rows` of ``data``'s cases counted per clinic, period, route
    and lot, and of its reactions with their cases' period, route and lot.
    """
    lot_of = {(a.clinic_id, a.case_key): a.lot for a in data.administrations}
    counts = Counter(
        (c.clinic_id, c.period, c.route, lot_of.get((c.clinic_id, c.case_key))) for c in data.cases
    )
    reacted = {(r.clinic_id, r.case_key) for r in data.reactions}
    case_of = {
        (c.clinic_id, c.case_key): c
        for c in data.cases
        if (c.clinic_id, c.case_key) in reacted and (c.clinic_id, c.case_key) in lot_of
    }
    reactions = []
    for r in data.reactions:
        key = (r.clinic_id, r.case_key)
        if (case := case_of.get(key)) is not None:
            reactions.append(
                PooledReactionRow(
                    r.clinic_id,
                    case.period,
                    case.route,
                    lot_of[key],
                    r.case_key,
                    r.reaction_key,
                    r.category,
                    r.serious,
                    r.event_kind,
                )
            )
    return lot_series_from_rows(
        (len(data.exports), data.state_hash),
        [StratumCount(*k, n) for k, n in counts.items() if k[3] is not None],  # type: ignore[arg-type]
        reactions,
    )


def lot_series_from_rows(
    head: tuple[int, str],
    counts: Iterable[StratumCount | tuple[str, str, str, str, int]],
    reactions: Iterable[PooledReactionRow | tuple[Any, ...]],
) -> LotSeries:
    """The pooled :class:`~exointake.log.LotSeries` from rows a registry can aggregate
    itself (e.g. ``GROUP BY clinic_id, period, route, lot``), in any order.

    Strata are clinic x period x route: a lot is compared with the other lots the same
    clinic gave in the same period by the same route. A stratum's ``day`` is the first
    day of its period (a quarter: of its first month) and its ``route`` is
    ``"<clinic_id>/<route>"``; a lot is one lot across clinics (its exported text).
    Reactions are ordered by (period's first day, period, case key, reaction key, clinic)
    and numbered 1, 2, ... in that order; each is "recorded" at its period's start
    (``YYYY-MM-01T00:00:00Z``), its entry id is its reaction key and the administration
    it followed is ``"<clinic_id>/<case_key>"``. ``given`` is empty (the registry does
    not know when each administration was logged).

    Args:
        head: what the series is "as of" (the pooled report gives the number of exports
            and the registry state hash).
        counts: cases per (clinic id, period, route, lot).
        reactions: :class:`PooledReactionRow` rows.
    """
    days: dict[str, str] = {}

    def day(period: str) -> str:
        if period not in days:
            days[period] = period_months(period)[0].isoformat()
        return days[period]

    strata = Counter[tuple[str, str, str]]()
    for clinic, period, route, lot, n in counts:
        strata[(day(period), f"{clinic}/{route}", lot)] += n
    rows = sorted(
        ((day(r[1]), r[1], r[4], r[5], r[0], PooledReactionRow(*r)) for r in reactions),
        key=lambda row: row[:5],
    )
    events = tuple(
        ReactionEvent(
            seq=seq,
            entry_id=r.reaction_key,
            recorded_at=f"{d}T00:00:00Z",
            day=d,
            route=f"{r.clinic_id}/{r.route}",
            lot=r.lot,
            category=r.category,
            serious=r.serious,
            infection=r.event_kind == "infection",
            administration_id=f"{r.clinic_id}/{r.case_key}",
        )
        for seq, (d, *_, r) in enumerate(rows, 1)
    )
    return LotSeries(
        head=head,
        strata=tuple((d, route, lot, n) for (d, route, lot), n in sorted(strata.items()) if n),
        reactions=events,
    )


# ---------------------------------------------------------------------------- reading


def read_exports(folders: Sequence[str | Path]) -> PooledData:
    """The pooled view of export directories (``exointake export registry --out DIR``).

    Each directory's ``manifest.json`` is checked (format, the fields the view needs) and
    each CSV against it (SHA-256, header, row count) before a row is read.

    Raises:
        ValidationError: a directory or file is missing, does not match its manifest, a
            value is malformed (the message names the file, row and column, never the
            value), or two directories hold exports of the same clinic.
    """
    if not folders:
        raise ValidationError(["exports: expected at least one export directory"], what="argument")
    exports: list[PooledExport] = []
    cases: list[PooledCase] = []
    adms: list[PooledAdministration] = []
    reactions: list[PooledReaction] = []
    for folder in folders:
        export, rows = _read_export(Path(folder))
        exports.append(export)
        clinic = export.clinic_id
        cases += (_case(clinic, row, n) for n, row in enumerate(rows["cases.csv"], 2))
        adms += (
            _administration(clinic, row, n) for n, row in enumerate(rows["administrations.csv"], 2)
        )
        reactions += (_reaction(clinic, row, n) for n, row in enumerate(rows["reactions.csv"], 2))
    return PooledData(
        exports=tuple(sorted(exports, key=lambda e: e.clinic_id)),
        cases=tuple(sorted(cases, key=lambda c: (c.clinic_id, c.case_key))),
        administrations=tuple(sorted(adms, key=lambda a: (a.clinic_id, a.case_key))),
        reactions=tuple(sorted(reactions, key=lambda r: (r.clinic_id, r.reaction_key))),
    )


def _read_bytes(path: Path, where: str) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(_MAX_FILE + 1)
    except OSError as exc:
        raise ValidationError(
            [f"{where}: cannot be read ({exc.strerror})"], what="registry export"
        ) from None
    if len(data) > _MAX_FILE:
        raise ValidationError([f"{where}: larger than {_MAX_FILE} bytes"], what="registry export")
    return data


def _read_export(folder: Path) -> tuple[PooledExport, dict[str, list[list[str]]]]:
    where = f"{folder}/manifest.json"
    raw = _read_bytes(folder / "manifest.json", where)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationError([f"{where}: not JSON"], what="registry export") from None
    if not isinstance(manifest, dict):
        raise ValidationError([f"{where}: expected an object"], what="registry export")
    export = PooledExport.from_manifest(manifest, hashlib.sha256(raw).hexdigest())
    files = manifest.get("files")
    rows: dict[str, list[list[str]]] = {}
    for name, columns in _FILES.items():
        path = f"{folder}/{name}"
        meta = files.get(name) if isinstance(files, dict) else None
        if not isinstance(meta, dict):
            raise ValidationError([f"{where}: files.{name}: missing"], what="registry export")
        data = _read_bytes(folder / name, path)
        if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            raise ValidationError(
                [f"{path}: its SHA-256 is not the manifest's (changed after export?)"],
                what="registry export",
            )
        try:
            table = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        except (UnicodeDecodeError, csv.Error):
            raise ValidationError([f"{path}: not UTF-8 CSV"], what="registry export") from None
        if not table or tuple(table[0]) != columns:
            raise ValidationError(
                [f"{path}: header: expected {','.join(columns)}"], what="registry export"
            )
        body = table[1:]
        if meta.get("rows") != len(body):
            raise ValidationError(
                [f"{path}: {len(body)} rows, the manifest says {safe_repr(meta.get('rows'))}"],
                what="registry export",
            )
        bad = [n for n, row in enumerate(body, 2) if len(row) != len(columns)]
        if bad:
            raise ValidationError(
                [f"{path}: row {bad[0]}: expected {len(columns)} fields"], what="registry export"
            )
        rows[name] = body
    return export, rows


def _bad(file: str, row: int, column: str, expected: str) -> ValidationError:
    return ValidationError(
        [f"{file}: row {row}: {column}: expected {expected}"], what="registry export"
    )


def _int(value: str, file: str, row: int, column: str) -> int | None:
    if value == "":
        return None
    if not value.isascii() or not value.lstrip("-").isdigit():
        raise _bad(file, row, column, "an integer or nothing")
    return int(value)


def _codes(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(";") if v)


def _case(clinic: str, row: list[str], n: int) -> PooledCase:
    case_key, patient_key, age_band, region, period, route = row
    case = PooledCase(clinic, case_key, patient_key, age_band, region, period, route)
    try:
        period_months(case.period)
    except ValueError:
        raise _bad("cases.csv", n, "period", "YYYY-MM or YYYY-Qn") from None
    return case


def _administration(clinic: str, row: list[str], n: int) -> PooledAdministration:
    case, origin, sourcing, maker, lot, route, site, volume, days = row
    return PooledAdministration(
        clinic_id=clinic,
        case_key=case,
        origin=origin,
        sourcing=sourcing,
        maker=maker,
        lot=lot,
        route=route,
        site=site,
        volume_ml=volume,
        days_from_lot_first_use=_int(days, "administrations.csv", n, "days_from_lot_first_use"),
    )


def _reaction(clinic: str, row: list[str], n: int) -> PooledReaction:
    f = "reactions.csv"
    (key, case, minutes, symptoms, category, kind, term, llt, grade, brighton, serious) = row[:11]
    criteria, outcome, causality = row[11:]
    if serious not in ("true", "false"):
        raise _bad(f, n, "serious", "true or false")
    return PooledReaction(
        clinic_id=clinic,
        reaction_key=key,
        case_key=case,
        minutes_to_onset=_int(minutes, f, n, "minutes_to_onset"),
        symptoms=_codes(symptoms),
        category=category or None,
        event_kind=kind or "table_reaction",
        ctcae_term=term or None,
        ctcae_meddra_llt=llt or None,
        ctcae_grade=_int(grade, f, n, "ctcae_grade"),
        brighton_level=_int(brighton, f, n, "brighton_level"),
        serious=serious == "true",
        seriousness_criteria=_codes(criteria),
        outcome=outcome,
        causality=causality,
    )
