"""The registry: clinics' de-identified exports pooled in PostgreSQL, with rates and lot
signals across clinics.

:func:`open_registry` connects (creating or upgrading the registry's tables);
:meth:`Registry.import_export` loads an export folder written by
``exointake export registry`` (checked first, loaded with COPY, idempotent by the
manifest's hash, a clinic's newer export replacing its older one);
:meth:`Registry.rates` gives per-1,000 rates with exact intervals by product, maker, lot
and route across clinics; :meth:`Registry.signals` runs :func:`exointake.signals.evaluate`
on one :class:`~exointake.log.LotSeries` pooled from every clinic
(:meth:`Registry.lot_series`, built by the pooled report's own builder
:func:`~exointake._pooled.lot_series_from_rows` from SQL aggregates);
:meth:`Registry.pooled_data` gives the pooled report's :class:`~exointake._pooled.PooledData`.
Storage, SQL and the Citus note live in :mod:`exointake._registry_store`; the export
folder's check in :mod:`exointake._registry_format`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Final

from attrs import field, frozen

from ._convert import unstructure
from ._errors import ValidationError
from ._log._queries import LotSeries
from ._pooled import (
    PooledAdministration,
    PooledCase,
    PooledData,
    PooledExport,
    lot_series_from_rows,
    reaction_from_row,
    registry_state_hash,
)
from ._registry_format import check_export
from ._registry_store import RATE_DIMENSIONS, ImportedExport, RegistryStore, open_store
from ._signals import Rate, SignalReport, SignalSettings, count_rate, evaluate, proportion_rate

__all__ = [
    "RATE_DIMENSIONS",
    "ImportResult",
    "ImportedExport",
    "PooledRate",
    "Registry",
    "open_registry",
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
        return tuple(self._store.exports())

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

        :func:`~exointake._pooled.lot_series_from_rows` — the pooled report's builder, with
        its strata and ordering rule — fed from SQL: administrations per clinic, period,
        route and lot (kept at import) and each reaction with its case's period, route and
        lot. Equal to :func:`~exointake._pooled.pooled_lot_series` of
        :meth:`pooled_data`: as of (the number of current exports, their
        :func:`~exointake._pooled.registry_state_hash`).
        """
        _clinic_arg(clinic)
        strata_rows, reaction_rows, manifests = self._store.series_rows(clinic)
        return lot_series_from_rows(
            (len(manifests), registry_state_hash(manifests)), strata_rows, reaction_rows
        )

    def pooled_data(self, *, clinic: str | None = None) -> PooledData:
        """The clinics' current exports and their rows as the pooled report reads them
        (:func:`exointake.report.pooled_safety_report`), read with SQL in one snapshot;
        equal to :meth:`PooledData.from_export_dirs` of the same export folders.
        ``clinic``: one clinic's only."""
        _clinic_arg(clinic)
        exports, cases, administrations, reactions = self._store.pooled_rows(clinic)
        if not exports:
            raise ValidationError(["registry: no export imported yet"], what="registry")
        # Sorted here, not by ORDER BY: the database's collation need not be code points.
        return PooledData(
            exports=tuple(
                PooledExport.from_manifest(m, sha) for _, sha, m in sorted(exports, key=_first)
            ),
            cases=tuple(PooledCase(*row) for row in sorted(cases, key=_first)),
            administrations=tuple(
                PooledAdministration(*(v or "" for v in row))
                for row in sorted(administrations, key=_first)
            ),
            reactions=tuple(
                reaction_from_row(row[0], row[1:]) for row in sorted(reactions, key=_first)
            ),
        )

    def signals(
        self, settings: SignalSettings | None = None, *, clinic: str | None = None
    ) -> SignalReport:
        """Lot signals across clinics: :func:`exointake.signals.evaluate` on
        :meth:`lot_series` (``clinic``: one clinic's rows only, for comparison)."""
        return evaluate(self.lot_series(clinic=clinic), settings)


def _first(row: Sequence[Any]) -> tuple[str, str]:
    return (row[0], row[1])


def _clinic_arg(clinic: object) -> None:
    if clinic is not None and not isinstance(clinic, str):
        raise ValidationError(["clinic: expected a clinic_id"], what="argument")


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
