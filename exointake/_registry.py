"""The registry: clinics' de-identified exports pooled in PostgreSQL, with rates and lot
signals across clinics.

:func:`open_registry` connects (creating or upgrading the registry's tables);
:meth:`Registry.import_export` loads an export folder written by
``exointake export registry`` (checked first, loaded with COPY, idempotent by the
manifest's hash, a clinic's newer export replacing its older one);
:meth:`Registry.rates` gives per-1,000 rates with exact intervals by product, maker, lot
and route across clinics; :meth:`Registry.signals` runs :func:`exointake.signals.evaluate`
on one :class:`~exointake.log.LotSeries` pooled from every clinic
(:meth:`Registry.lot_series`). Storage, SQL and the Citus note live in
:mod:`exointake._registry_store`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Final

from attrs import field, frozen

from ._convert import unstructure
from ._errors import ValidationError
from ._log._queries import LotSeries, ReactionEvent
from ._registry_store import RATE_DIMENSIONS, ExportRow, RegistryStore, check_export, open_store
from ._signals import Rate, SignalReport, SignalSettings, count_rate, evaluate, proportion_rate

__all__ = [
    "RATE_DIMENSIONS",
    "ImportResult",
    "ImportedExport",
    "PooledRate",
    "Registry",
    "open_registry",
    "period_start",
]

IMPORT_STATUSES: Final = ("imported", "replaced", "unchanged")


@frozen
class ImportResult:
    """What :meth:`Registry.import_export` did.

    ``status`` is ``imported`` (a clinic's first export), ``replaced`` (a newer export
    of the clinic replaced ``replaced``, the manifest SHA-256 of its previous export) or
    ``unchanged`` (this very export was imported before: nothing was done).
    """

    status: str
    clinic_id: str
    manifest_sha256: str
    head_seq: int
    region: str
    cases: int
    administrations: int
    reactions: int
    replaced: str | None = None

    @property
    def message(self) -> str:
        """One line saying what happened (English; no patient data)."""
        what = {
            "imported": "imported",
            "replaced": f"imported, replacing export {str(self.replaced)[:12]}",
            "unchanged": "already imported; nothing changed",
        }[self.status]
        return (
            f"clinic {self.clinic_id} export {self.manifest_sha256[:12]} (head "
            f"{self.head_seq}): {what} — {self.cases} cases, {self.reactions} reactions"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the unstructured form)."""
        return unstructure(self)  # type: ignore[no-any-return]


@frozen
class ImportedExport:
    """One export recorded in the registry (:meth:`Registry.exports`)."""

    clinic_id: str
    manifest_sha256: str
    head_seq: int
    head_hash: str
    region: str
    imported_at: str
    """When it was imported: ISO 8601 UTC text."""
    current: bool
    """Its rows are the clinic's rows now (False: replaced by a newer export)."""
    cases: int
    administrations: int
    reactions: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the unstructured form)."""
        return unstructure(self)  # type: ignore[no-any-return]


def _group(value: Mapping[str, str | None]) -> Mapping[str, str | None]:
    return dict(value)


@frozen
class PooledRate:
    """Reactions per 1,000 administrations in one group, pooled across clinics.

    ``group`` maps each dimension asked for (``product``, ``maker``, ``lot``, ``route``)
    to its value (None: not recorded). ``with_reaction`` is the proportion of
    administrations followed by at least one reaction (Clopper–Pearson);
    ``reactions`` the count of reactions (Garwood), both per 1,000.
    """

    group: Mapping[str, str | None] = field(converter=_group)
    administrations: int
    with_reaction: Rate
    reactions: Rate

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the unstructured form)."""
        return unstructure(self)  # type: ignore[no-any-return]


def period_start(period: str) -> str:
    """The first day of an export's period: ``2026-11`` -> ``2026-11-01``,
    ``2026-Q4`` -> ``2026-10-01``."""
    year, _, part = period.partition("-")
    if part.startswith("Q"):
        return f"{year}-{3 * int(part[1:]) - 2:02d}-01"
    return f"{year}-{part}-01"


def _dimensions(by: object) -> tuple[str, ...]:
    if isinstance(by, str):
        by = (by,)
    if not isinstance(by, Sequence) or not all(isinstance(d, str) for d in by):
        raise ValidationError(
            [f"by: expected dimensions among {', '.join(RATE_DIMENSIONS)}"], what="argument"
        )
    errors = [
        f"by[{i}]: expected one of {', '.join(RATE_DIMENSIONS)}, got {d!r}"
        for i, d in enumerate(by)
        if d not in RATE_DIMENSIONS
    ]
    if len(set(by)) != len(by):
        errors.append("by: a dimension is given twice")
    if errors:
        raise ValidationError(errors, what="argument")
    return tuple(by)


def _imported(row: ExportRow) -> ImportedExport:
    return ImportedExport(*row)


class Registry:
    """An open registry (a context manager: closing releases its connections).

    Example::

        from exointake.registry import open_registry

        with open_registry("postgresql+psycopg://registry@db/registry") as reg:
            print(reg.import_export("exports/clinic-a").message)
            for rate in reg.rates(by=("lot",)):
                print(rate.group["lot"], rate.reactions.per_1000)
            report = reg.signals()
    """

    def __init__(self, store: RegistryStore) -> None:
        self._store = store

    def __repr__(self) -> str:
        return f"Registry({self._store.describe()!r})"

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self._store.close()

    def import_export(
        self, folder: str | os.PathLike[str], *, now: dt.datetime | None = None
    ) -> ImportResult:
        """Import the export in ``folder`` (``cases.csv``, ``administrations.csv``,
        ``reactions.csv``, ``manifest.json``).

        The manifest and every file's SHA-256, header and row count are checked before
        the database is touched. The same export (same manifest bytes) imported again
        changes nothing (``unchanged``). A newer export of a clinic (greater
        ``source.head_seq``) replaces its rows in one transaction (``replaced``): each
        export is the clinic's whole log. An older or equal head with another manifest
        is refused. A failed import changes nothing.

        Raises:
            ValidationError: the export is malformed or tampered with, or not newer
                than the clinic's current export (the message names the file and field).
            StorageError: the database failed.
        """
        if now is not None and (not isinstance(now, dt.datetime) or now.tzinfo is None):
            raise ValidationError(["now: expected a timezone-aware datetime"], what="argument")
        checked = check_export(folder)
        outcome = self._store.load(checked, imported_at=now or dt.datetime.now(dt.UTC))
        files = {f.name: f.rows for f in checked.files}
        previous = outcome.previous
        return ImportResult(
            status=outcome.status,
            clinic_id=checked.clinic_id,
            manifest_sha256=checked.manifest_sha256,
            head_seq=checked.head_seq,
            region=checked.region,
            cases=files["cases.csv"],
            administrations=files["administrations.csv"],
            reactions=files["reactions.csv"],
            replaced=(
                previous.manifest_sha256
                if previous is not None and outcome.status == "replaced"
                else None
            ),
        )

    def exports(self) -> tuple[ImportedExport, ...]:
        """Every export imported (current and replaced), by clinic then head."""
        return tuple(_imported(r) for r in self._store.exports())

    def rates(
        self, by: Sequence[str] = ("lot",), *, confidence: float = 0.95
    ) -> tuple[PooledRate, ...]:
        """Rates per 1,000 administrations across clinics, per group of ``by`` (any of
        ``product``, ``maker``, ``lot``, ``route``; ``()`` for one overall row), sorted
        by group (not recorded last).

        Each row has the proportion of administrations with at least one reaction
        (:func:`~exointake.signals.proportion_rate`) and the reactions' count rate
        (:func:`~exointake.signals.count_rate`), with exact intervals at ``confidence``.
        """
        dims = _dimensions(by)
        proportion_rate(0, 1, confidence=confidence)  # refuse a bad confidence now
        rows = self._store.rate_rows(dims)
        out = [
            PooledRate(
                group=dict(zip(dims, key, strict=True)),
                administrations=n,
                with_reaction=proportion_rate(cases, n, confidence=confidence),
                reactions=count_rate(events, n, confidence=confidence),
            )
            for key, n, cases, events in rows
        ]
        out.sort(key=lambda r: tuple((v is None, v or "") for v in r.group.values()))
        return tuple(out)

    def lot_series(self, *, clinic: str | None = None) -> LotSeries:
        """The pooled :class:`~exointake.log.LotSeries` (``clinic``: one clinic's only).

        Strata are (clinic, period, route): a lot is compared with the other lots the
        same clinic used in the same period by the same route. A stratum's ``day`` is
        the first day of its period (a quarter's first month), its ``route``
        ``f"{clinic_id}/{route}"``. Reactions come in the order (period start, period,
        case_key, reaction_key), each with ``recorded_at`` at its period's start
        (``YYYY-MM-01T00:00:00Z``), ``entry_id`` its ``reaction_key`` and
        ``administration_id`` ``f"{clinic_id}/{case_key}"``; ``given`` is empty (the
        stratum's shares as they stand). A lot is one lot across clinics (its exported
        NFKC text). ``head`` is the sum of the current exports' head positions and the
        SHA-256 of their sorted ``clinic_id:manifest_sha256`` lines.
        """
        if clinic is not None and not isinstance(clinic, str):
            raise ValidationError(["clinic: expected a clinic_id"], what="argument")
        strata_rows, reaction_rows, heads = self._store.series_rows(clinic)
        starts: dict[str, str] = {}

        def start(period: str) -> str:
            day = starts.get(period)
            if day is None:
                day = starts[period] = period_start(period)
            return day

        strata: dict[tuple[str, str, str], int] = defaultdict(int)
        for clinic_id, period, route, lot, n in strata_rows:
            strata[(start(period), f"{clinic_id}/{route}", lot)] += n
        ordered = sorted(reaction_rows, key=lambda r: (start(r[1]), r[1], r[2], r[3], r[0]))
        events = tuple(
            ReactionEvent(
                seq=i,
                entry_id=reaction_key,
                recorded_at=f"{start(period)}T00:00:00Z",
                day=start(period),
                route=f"{clinic_id}/{route}",
                lot=lot,
                category=category or None,
                serious=bool(serious),
                infection=event_kind == "infection",
                administration_id=f"{clinic_id}/{case_key}",
            )
            for i, (
                clinic_id,
                period,
                case_key,
                reaction_key,
                route,
                lot,
                category,
                serious,
                event_kind,
            ) in enumerate(ordered, start=1)
        )
        lines = "".join(sorted(f"{c}:{m}\n" for c, m, _ in heads))
        head = (sum(seq for _, _, seq in heads), hashlib.sha256(lines.encode()).hexdigest())
        return LotSeries(
            head=head,
            strata=tuple(sorted((d, r, lot, n) for (d, r, lot), n in strata.items())),
            reactions=events,
            given=(),
        )

    def signals(
        self, settings: SignalSettings | None = None, *, clinic: str | None = None
    ) -> SignalReport:
        """Lot signals across clinics: :func:`exointake.signals.evaluate` on
        :meth:`lot_series` (``clinic``: one clinic's rows only, for comparison)."""
        return evaluate(self.lot_series(clinic=clinic), settings)


def open_registry(url: str) -> Registry:
    """Open the registry at ``url`` (PostgreSQL: ``postgresql+psycopg://…``), creating
    its tables (or upgrading them) through its own migrations.

    Raises:
        ValidationError: the URL is not a PostgreSQL URL (the registry needs
            PostgreSQL: ``COPY``, JSONB, a distribution key for sharding).
        StorageError: the server cannot be reached.
        MigrationRequired: the database holds a registry newer than this exointake.
    """
    return Registry(open_store(url))
