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

import datetime as dt
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple

from attrs import field, frozen

from ._errors import ValidationError
from ._log._queries import LotSeries, ReactionEvent
from ._registry_format import (
    GATE_COUNTS,
    ROUTES,
    case_rows,
    check_export,
    export_identity,
    manifest_errors,
    read_rows,
)

__all__ = [
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
    "reaction_from_row",
    "read_exports",
    "registry_state_hash",
]

_PERIOD: Final = re.compile(r"([0-9]{4})-(?:([0-9]{2})|Q([1-4]))")


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


def _counts(value: Mapping[str, int]) -> Mapping[str, int]:
    return {str(k): int(v) for k, v in sorted(value.items())}


@frozen
class PooledExport:
    """One export pooled, identified by its clinic id and manifest hash only, with the
    figures of its manifest that the pooled report states."""

    clinic_id: str
    """The clinic's id in the registry (not secret; the manifest's ``clinic_id``)."""
    manifest_sha256: str
    """SHA-256 of ``manifest.json``'s bytes: the export's identity."""
    head_seq: int
    head_hash: str
    """The clinic log's head when exported."""
    region: str
    """JIS X 0401 prefecture code."""
    data_lock: str
    """``source.data_lock``: the end of the last complete month exported (ISO UTC)."""
    through: str
    """``source.through``: the last month exported, ``YYYY-MM``."""
    k: int
    l: int  # noqa: E741 - the l of l-diversity
    generalised: Mapping[str, int] = field(factory=dict, converter=_counts)
    """The gate's ``generalised`` counts (``period_to_quarter``, ``age_band_10``,
    ``age_band_20``, ``age_any``)."""
    held: Mapping[str, int] = field(factory=dict, converter=_counts)
    """The gate's ``held`` counts (``cases`` of a quarter not over yet)."""
    suppressed: Mapping[str, int] = field(factory=dict, converter=_counts)
    """The gate's ``suppressed`` counts (``cases``, ``groups``)."""
    blanked: Mapping[str, int] = field(factory=dict, converter=_counts)
    """The gate's ``blanked`` counts (``lot``, ``maker``, ``volume_ml``)."""

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any], sha256: str) -> PooledExport:
        """The export a parsed ``manifest.json`` (whose bytes hash to ``sha256``) describes.

        Raises:
            ValidationError: the manifest is not a v2 export manifest
                (:func:`~exointake._registry_format.manifest_errors`).
        """
        errors = manifest_errors(manifest)
        if errors:
            raise ValidationError(errors, what="registry export")
        gate = manifest["gate"]
        return cls(
            manifest_sha256=sha256,
            **export_identity(manifest),
            k=gate["k"],
            l=gate["l"],
            **{name: gate[name] for name in GATE_COUNTS},
        )


@frozen
class PooledCase:
    """A row of ``cases.csv``: one released administration (a case)."""

    clinic_id: str
    case_key: str
    age_band: str
    region: str
    period: str
    """``YYYY-MM``, or ``YYYY-Qn`` where the release gate generalised it."""
    route: str


@frozen
class PooledAdministration:
    """A row of ``administrations.csv`` (an empty text: not recorded, or blanked by the
    release gate as a rare value)."""

    clinic_id: str
    case_key: str
    origin: str
    sourcing: str
    maker: str
    lot: str
    route: str
    site: str
    volume_ml: str


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

    One export per clinic (the current one). Build it with :meth:`from_export_dirs`
    (export folders: a clinic previewing what it would send, tests) or
    :meth:`exointake.registry.Registry.pooled_data` (the registry's tables, read with
    SQL): the same exports give equal data either way.
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
    def from_export_dirs(cls, folders: Sequence[str | os.PathLike[str]]) -> PooledData:
        """The pooled view of export directories (``exointake export registry --out DIR``):
        :func:`read_exports`."""
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
    serious: bool | None
    event_kind: str | None


def pooled_lot_series(data: PooledData) -> LotSeries:
    """The series pooled lot surveillance tests (:func:`exointake.signals.evaluate`):
    :func:`lot_series_from_rows` of ``data``'s cases counted per clinic, period, route
    and lot, and of its reactions with their cases' period, route and lot (cases without
    a lot left out), as of ``(len(data.exports), data.state_hash)``."""
    lot_of = {(a.clinic_id, a.case_key): a.lot for a in data.administrations if a.lot}
    counts = Counter(
        (c.clinic_id, c.period, c.route, lot)
        for c in data.cases
        if (lot := lot_of.get((c.clinic_id, c.case_key)))
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
        [StratumCount(*k, n) for k, n in counts.items()],
        reactions,
    )


def lot_series_from_rows(
    head: tuple[int, str],
    counts: Iterable[StratumCount | tuple[str, str, str, str, int]],
    reactions: Iterable[PooledReactionRow | tuple[Any, ...]],
) -> LotSeries:
    """The pooled :class:`~exointake.log.LotSeries`, from rows in any order — counted in
    Python (:func:`pooled_lot_series`) or aggregated by a registry's SQL
    (:meth:`exointake.registry.Registry.lot_series`): the one builder of both.

    Strata are clinic x period x route: a lot is compared with the other lots the same
    clinic gave in the same period by the same route. A stratum's ``day`` is the first
    day of its period (a quarter: of its first month), its ``route``
    ``"<clinic_id>/<route>"``; a lot is one lot across clinics (its exported text); strata
    are sorted and empty ones left out.

    Ordering rule: reactions are sorted by (period's first day, period, case key,
    reaction key, clinic id); the reactions of one period share one position (``seq``
    1, 2, ... per period in that order), so lot surveillance tests them as one look:
    an export knows only the month of each, and their order inside it (set by
    pseudonyms under a one-off key) must not change a result. Each is "recorded" at
    its period's start (``YYYY-MM-01T00:00:00Z``), its entry id is its reaction key, the
    administration it followed ``"<clinic_id>/<case_key>"``, its category None when
    empty and ``serious`` False when not recorded. ``given`` is empty (a registry does not
    know when each administration was logged: the strata's shares as they stand).

    Args:
        head: what the series is "as of": the number of exports pooled and their
            :func:`registry_state_hash`.
        counts: cases per (clinic id, period, route, lot), a lot recorded.
        reactions: :class:`PooledReactionRow` rows (a lot recorded).
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
    looks: dict[tuple[str, str], int] = {}
    events = []
    for d, period, *_, r in rows:
        events.append(
            ReactionEvent(
                seq=looks.setdefault((d, period), len(looks) + 1),
                entry_id=r.reaction_key,
                recorded_at=f"{d}T00:00:00Z",
                day=d,
                route=f"{r.clinic_id}/{r.route}",
                lot=r.lot,
                category=r.category or None,
                serious=bool(r.serious),
                infection=r.event_kind == "infection",
                administration_id=f"{r.clinic_id}/{r.case_key}",
            )
        )
    return LotSeries(
        head=head,
        strata=tuple((d, route, lot, n) for (d, route, lot), n in sorted(strata.items()) if n),
        reactions=tuple(events),
    )


# ---------------------------------------------------------------------------- reading


def read_exports(folders: Sequence[str | os.PathLike[str]]) -> PooledData:
    """The pooled view of export directories (``exointake export registry --out DIR``).

    Each directory is checked by :func:`exointake._registry_format.check_export` (the
    registry's import runs the same check: manifest v2, each file's SHA-256, header and
    rows) before a row is read; then cases and administrations are paired line by line,
    every value parsed, and every reaction's case looked up.

    Raises:
        ValidationError: a directory or file is missing, does not match its manifest, a
            value is malformed (the message names the file, line and column, never the
            value), a reaction names a case the export does not hold, or two directories
            hold exports of the same clinic.
    """
    if not folders:
        raise ValidationError(["exports: expected at least one export directory"], what="argument")
    exports: list[PooledExport] = []
    cases: list[PooledCase] = []
    adms: list[PooledAdministration] = []
    reactions: list[PooledReaction] = []
    for folder in folders:
        checked = check_export(folder)
        export = PooledExport.from_manifest(checked.manifest, checked.manifest_sha256)
        exports.append(export)
        clinic = export.clinic_id
        keys: set[str] = set()
        for n, (c, a) in enumerate(case_rows(checked), start=2):
            cases.append(_case(clinic, c, n))
            adms.append(PooledAdministration(clinic, *a))
            keys.add(c[0])
        for n, row in enumerate(read_rows(checked.file("reactions.csv")), start=2):
            reaction = _reaction(clinic, row, n)
            if reaction.case_key not in keys:
                raise _bad_value("reactions.csv", n, "case_key", "a case of the export")
            reactions.append(reaction)
    return PooledData(
        exports=tuple(sorted(exports, key=lambda e: e.clinic_id)),
        cases=tuple(sorted(cases, key=lambda c: (c.clinic_id, c.case_key))),
        administrations=tuple(sorted(adms, key=lambda a: (a.clinic_id, a.case_key))),
        reactions=tuple(sorted(reactions, key=lambda r: (r.clinic_id, r.reaction_key))),
    )


def _bad_value(file: str, line: int, column: str, expected: str) -> ValidationError:
    return ValidationError(
        [f"{file}: line {line}: {column}: expected {expected}"], what="registry export"
    )


def _int(value: str, file: str, line: int, column: str) -> int | None:
    if value == "":
        return None
    if not value.isascii() or not value.lstrip("-").isdigit():
        raise _bad_value(file, line, column, "an integer or nothing")
    return int(value)


def _codes(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split(";") if v)


def _case(clinic: str, row: list[str], n: int) -> PooledCase:
    case = PooledCase(clinic, *row)
    try:
        period_months(case.period)
    except ValueError:
        raise _bad_value("cases.csv", n, "period", "YYYY-MM or YYYY-Qn") from None
    if case.route not in ROUTES:
        raise _bad_value("cases.csv", n, "route", f"one of {', '.join(ROUTES)}")
    return case


def _reaction(clinic: str, row: list[str], n: int) -> PooledReaction:
    f = "reactions.csv"
    (key, case, minutes, symptoms, category, kind, term, llt, grade, brighton, serious) = row[:11]
    criteria, outcome, causality = row[11:]
    if serious not in ("true", "false"):
        raise _bad_value(f, n, "serious", "true or false")
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


def reaction_from_row(clinic: str, row: Sequence[Any]) -> PooledReaction:
    """A :class:`PooledReaction` from a registry row (the columns of ``reactions.csv``
    without the clinic, typed by the database: NULL for not recorded), equal to the one
    :func:`read_exports` reads from the same CSV line."""
    key, case, minutes, symptoms, category, kind, term, llt, grade, brighton, serious = row[:11]
    criteria, outcome, causality = row[11:]
    return PooledReaction(
        clinic_id=clinic,
        reaction_key=key,
        case_key=case,
        minutes_to_onset=minutes,
        symptoms=_codes(symptoms),
        category=category or None,
        event_kind=kind or "table_reaction",
        ctcae_term=term or None,
        ctcae_meddra_llt=llt or None,
        ctcae_grade=grade,
        brighton_level=brighton,
        serious=bool(serious),
        seriousness_criteria=_codes(criteria),
        outcome=outcome or "",
        causality=causality or "",
    )
