"""The reaction log: append administrations, reactions, follow-ups, consents and
screenings to a tamper-evident, hash-chained store; amend them; query; verify; alert.

Open one with :func:`open_log`::

    log = open_log("sqlite:///clinic.db")          # or a path, or postgresql+psycopg://…
    adm_id = log.administer(administration)
    reaction_id = log.record_reaction(reaction_record)
    assert log.verify().ok

Nothing is updated or deleted: :meth:`Log.amend` appends a new version that points at
the entry it corrects, and reads (:meth:`Log.get`) return the current version with its
history. Each entry's SHA-256 covers its canonical JSON and the previous entry's hash.

:class:`Log` is composed of three parts: writes (:mod:`._writes`: appends, amendments,
the consent gate, alerts), queries with their report types (:mod:`._queries`) and
verification (:mod:`._verify`). Only :mod:`._store` talks SQL.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping

from attrs import define, field

from .._consent_template import current_templates
from .._errors import ValidationError
from .._records import ConsentRecord
from ._entries import (
    Amendment,
    EntryKind,
    EntryView,
    LogEntry,
    Record,
    administration_columns,
    derive_columns,
    entry_from_row,
)
from ._gate import GatePolicy
from ._queries import LotCache, Page, Queries, RateReport, RateRow, Recall
from ._store import Store, migrate_target, open_store
from ._verify import Verify, VerifyReport
from ._writes import Alert, AlertCallback, Writes

__all__ = [
    "Alert",
    "AlertCallback",
    "Amendment",
    "EntryKind",
    "EntryView",
    "Log",
    "LogEntry",
    "Page",
    "RateReport",
    "RateRow",
    "Recall",
    "Record",
    "VerifyReport",
    "administration_columns",
    "derive_columns",
    "iter_entries",
    "migrate_log",
    "open_log",
]


@define(repr=False)
class Log(Writes, Queries, Verify):
    """A reaction log stored in a database. Create with :func:`open_log`."""

    _store: Store
    _clock: Callable[[], dt.datetime] | None = None
    _alerts: list[AlertCallback] = field(factory=list)
    _policy: GatePolicy = field(factory=GatePolicy)
    _lot_cache: list[LotCache] = field(factory=list, init=False, eq=False)
    """The reactions and administration positions :meth:`lot_series` last read, with the
    head it read them at (one item, or none)."""

    def __repr__(self) -> str:
        return f"<Log {self._store.describe()}>"

    def close(self) -> None:
        """Release the database connections."""
        self._store.close()

    def __enter__(self) -> Log:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._store.dialect

    def consents_needing_reconsent(
        self, current: Mapping[str, str] | None = None
    ) -> list[ConsentRecord]:
        """Each patient's latest consent per template, where that template is not in force.

        Args:
            current: ``{template_id: template_sha256}`` of the templates in force — the
                same mapping :meth:`administer` takes as ``current_consent_templates``,
                built by :func:`~exointake.current_templates` (the default: the newest
                bundled template). A consent whose template is missing from it counts
                as outdated (fail-safe).

        Returns the outdated consents, sorted by patient id then consent id.
        """
        in_force = current_templates() if current is None else current
        latest: dict[tuple[str, str], ConsentRecord] = {}
        with self._store.read() as r:
            for row in r.rows_of_kind(EntryKind.CONSENT):
                rec: ConsentRecord = entry_from_row(row).record
                key = (rec.patient_id, rec.template_id)
                prev = latest.get(key)
                if prev is None or rec.rendered_at >= prev.rendered_at:
                    latest[key] = rec
        out = [c for c in latest.values() if in_force.get(c.template_id) != c.template_sha256]
        return sorted(out, key=lambda c: (c.patient_id, c.consent_id))


def open_log(
    target: str | os.PathLike[str],
    *,
    create: bool = True,
    clock: Callable[[], dt.datetime] | None = None,
    current_consent_templates: Mapping[str, str] | None = None,
    max_screening_age_days: int = 0,
    clock_skew: dt.timedelta = dt.timedelta(minutes=5),
) -> Log:
    """Open the reaction log at ``target``.

    Args:
        target: an SQLAlchemy URL (``sqlite:///clinic.db``,
            ``postgresql+psycopg://user@host/db``) or a path to an SQLite file.
        create: create the log's tables when the database is brand new (no tables of
            ours at all). An existing database is never altered here: one made by an
            older exointake raises :class:`~exointake.MigrationRequired` — run
            ``exointake log migrate``.
        clock: the time source for ``recorded_at`` and the gate's "now" (default: now, UTC).
        current_consent_templates: ``{template_id: template_sha256}`` of the consent
            templates in force, which the administration gate accepts (default: the
            newest bundled template, :func:`~exointake.current_templates`).
        max_screening_age_days: how many days (Japan time) a screening may be older than
            the administration relying on it (default 0: the same day).
        clock_skew: how far in the future an administration may be dated (default 5 min).

    Raises :class:`~exointake.StorageError` when the database cannot be reached or
    opened (down, wrong name, unwritable file).

    Example::

        log = open_log("sqlite:///:memory:")
        assert log.verify().ok
    """
    if (
        isinstance(max_screening_age_days, bool)
        or not isinstance(max_screening_age_days, int)
        or max_screening_age_days < 0
    ):
        raise ValidationError(
            ["max_screening_age_days: expected a whole number of days, 0 or more"],
            what="argument",
        )
    if not isinstance(clock_skew, dt.timedelta) or clock_skew < dt.timedelta(0):
        raise ValidationError(["clock_skew: expected a timedelta of 0 or more"], what="argument")
    policy = GatePolicy(
        current_consent_templates=dict(
            current_templates() if current_consent_templates is None else current_consent_templates
        ),
        max_screening_age_days=max_screening_age_days,
        clock_skew=clock_skew,
    )
    return Log(open_store(target, create=create), clock=clock, policy=policy)


def migrate_log(target: str | os.PathLike[str]) -> tuple[str | None, str]:
    """Create or upgrade the log's schema at ``target``; returns (revision before, after).

    What ``exointake log migrate`` runs: the one way to bring an existing database up to
    this version (:func:`open_log` only creates a brand-new one).
    """
    return migrate_target(target)


def iter_entries(log: Log) -> Iterator[LogEntry]:
    """Every entry in chain order (streamed)."""
    return log.entries()
