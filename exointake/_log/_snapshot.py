"""The log as it stood at a data lock point: what a periodic safety report is made of.

A data lock point (ICH E2C(R2) §2.8.1) is an instant; the log's *lock* is the last
entry recorded before it — a position in the chain (``seq``) and that entry's hash. Every
figure of :class:`Snapshot` is computed from the chain up to the lock and nothing after
it: an entry recorded later (a late report, an amendment) changes no figure, so the same
lock always gives the same snapshot, however long the log has grown since.

Administrations are counted from the counts the log keeps with every entry (a few
thousand rows whatever the log's size), corrected back to the lock by the versions of the
administrations appended or amended after it (usually none or a few). Reactions are read
one row each, with the grade fields the tabulations need extracted by the database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, Final

from attrs import frozen

from .._errors import ValidationError
from ._core import Log
from ._entries import EntryKind, LogEntry, entry_from_row
from ._queries import LotSeries, ReactionEvent, add_seqs
from ._store import Reader, utc_now_text

__all__ = ["ExposureCount", "LotProduct", "ReactionFact", "Snapshot", "snapshot"]

_SERIOUS_ROW: Final = "anaphylaxis"
_INFECTION: Final = "infection"


@frozen
class LotProduct:
    """The product a lot is of, as its first administration in the log records it."""

    maker: str
    origin: str
    sourcing: str
    concentration: str


@frozen
class ExposureCount:
    """Administrations of one lot by one route (current versions at the lock)."""

    route: str
    origin: str
    lot: str
    cumulative: int
    """Every administration dated up to the end of the interval."""
    interval: int
    """Those dated inside the interval."""


@frozen
class ReactionFact:
    """One reaction (its version current at the lock) with what the tabulations count."""

    reaction_id: str
    """The reaction's root id (what other entries point at)."""
    entry_id: str
    """The id of its version current at the lock."""
    recorded_at: str
    """When that version was logged (ISO 8601 UTC text, as stored)."""
    patient_id: str
    seq: int
    onset_day: dt.date
    administration_day: dt.date
    route: str
    origin: str
    lot: str
    category: str | None
    serious: bool
    event_kind: str
    brighton_level: int | None
    ctcae_term: str | None
    ctcae_grade: int | None
    in_interval: bool
    """The administration it followed is dated inside the interval."""
    administration_id: str = ""
    """The root id of the administration it followed."""

    @property
    def listed(self) -> bool:
        """Serious or in the article's anaphylaxis row: a case of the line listing."""
        return self.serious or self.category == _SERIOUS_ROW


@frozen
class Snapshot:
    """The log's administrations and reactions as they stood at a data lock point.

    The interval is ``since``..``until`` (JST days, inclusive) of administration; a reaction
    counts with the administration it followed (as :meth:`exointake.Log.rates` does);
    cumulative figures take every administration dated up to ``until``.
    """

    since: dt.date
    until: dt.date
    data_lock_point: dt.datetime
    lock_seq: int
    """The last entry recorded before the data lock point (0: none)."""
    lock_hash: str
    """That entry's hash (the genesis hash when there is none)."""
    exposure: tuple[ExposureCount, ...]
    products: Mapping[str, LotProduct]
    reactions: tuple[ReactionFact, ...]
    cases: tuple[LogEntry, ...]
    """The interval's serious and anaphylaxis-row reactions, read back as entries."""
    strata: tuple[tuple[str, str, str, int], ...]
    """Administrations per JST day, route and lot up to ``until``: ``(day, route, lot, n)``,
    non-zero, sorted (as :class:`~exointake.log.LotSeries` holds them)."""
    given: tuple[tuple[str, str, str, tuple[int, ...]], ...] = ()
    """The positions at which each day, route and lot's administrations up to ``until``
    were logged, as at the lock (as :attr:`~exointake.log.LotSeries.given`)."""

    def lot_series(self) -> LotSeries:
        """The series lot surveillance reads (:mod:`exointake.signals`), as the log stood
        at the lock."""
        return LotSeries(
            head=(self.lock_seq, self.lock_hash),
            strata=self.strata,
            reactions=tuple(
                ReactionEvent(
                    seq=f.seq,
                    entry_id=f.entry_id,
                    recorded_at=f.recorded_at,
                    day=f.administration_day.isoformat(),
                    route=f.route,
                    lot=f.lot,
                    category=f.category,
                    serious=f.serious,
                    infection=f.event_kind == _INFECTION,
                    administration_id=f.administration_id,
                )
                for f in self.reactions
            ),
            given=self.given,
        )


def snapshot(
    log: Log,
    *,
    since: dt.date,
    until: dt.date,
    lock_before: dt.datetime,
    name: str = "lock_before",
) -> Snapshot:
    """Read the log as it stood at ``lock_before`` (an aware date-time: the data lock point).

    Args:
        log: the log.
        since: first day of the interval (JST, inclusive).
        until: last day of the interval (JST, inclusive).
        lock_before: entries recorded at or after this instant are left out.
        name: what an error calls the argument that set the data lock point.

    Raises:
        ValidationError: the data lock point is still to come by the log's clock (the
            figures could still change).
    """
    if lock_before > log._now():
        raise ValidationError(
            [
                f"{name}: the data lock point {lock_before.isoformat()} is still to come; "
                "a report is made once its period is over"
            ],
            what="argument",
        )
    with log._store.read(consistent=True) as r:
        lock_seq, lock_hash = r.lock_point(utc_now_text(lock_before))
        days = _days_at_lock(r, until, lock_seq)
        last = until.isoformat()
        given = add_seqs(
            {},
            [
                row
                for row in r.administration_seqs(
                    administration=EntryKind.ADMINISTRATION, lock=lock_seq
                )
                if row[0] <= last
            ],
        )
        products = {
            lot: LotProduct(maker=maker, origin=origin, sourcing=sourcing, concentration=c)
            for lot, (maker, origin, sourcing, c) in r.first_products(
                sorted({lot for _, _, _, lot in days}), lock=lock_seq
            ).items()
        }
        reactions = tuple(
            _fact(row, since) for row in r.locked_reactions(lock=lock_seq, until=until)
        )
        listed = [f.seq for f in reactions if f.in_interval and f.listed]
        cases = tuple(entry_from_row(row) for row in r.entry_rows(listed))
    return Snapshot(
        since=since,
        until=until,
        data_lock_point=lock_before,
        lock_seq=lock_seq,
        lock_hash=lock_hash,
        exposure=_exposure(days, since),
        products=products,
        reactions=reactions,
        cases=cases,
        strata=_strata(days),
        given=tuple((*key, seqs) for key, seqs in sorted(given.items())),
    )


def _days_at_lock(r: Reader, until: dt.date, lock: int) -> dict[tuple[str, str, str, str], int]:
    """Administrations per (day, route, origin, lot) up to ``until``, as at the lock."""
    counts = {(day, route, origin, lot): n for day, route, origin, lot, n in r.exposure_days(until)}
    # The kept counts hold each administration's newest version: take back the newest
    # version of those appended or amended after the lock, put back the one current then.
    versions: dict[str, list[tuple[int, str, str, str, str]]] = {}
    for root, seq, day, route, origin, lot in r.administration_versions_after(lock):
        versions.setdefault(root, []).append((seq, day, route, origin, lot))
    last = until.isoformat()
    for history in versions.values():
        at_lock = [v for v in history if v[0] <= lock]
        for (_, *key), sign in ((history[-1], -1), *((v, 1) for v in at_lock[-1:])):
            if key[0] <= last:
                k = (key[0], key[1], key[2], key[3])
                counts[k] = counts.get(k, 0) + sign
    return {k: n for k, n in counts.items() if n}


def _exposure(
    days: Mapping[tuple[str, str, str, str], int], since: dt.date
) -> tuple[ExposureCount, ...]:
    first = since.isoformat()
    sums: dict[tuple[str, str, str], list[int]] = {}
    for (day, route, origin, lot), n in days.items():
        row = sums.setdefault((route, origin, lot), [0, 0])
        row[0] += n
        if day >= first:
            row[1] += n
    return tuple(
        ExposureCount(route, origin, lot, total, interval)
        for (route, origin, lot), (total, interval) in sorted(sums.items())
        if total
    )


def _strata(days: Mapping[tuple[str, str, str, str], int]) -> tuple[tuple[str, str, str, int], ...]:
    by: dict[tuple[str, str, str], int] = {}
    for (day, route, _, lot), n in days.items():
        by[(day, route, lot)] = by.get((day, route, lot), 0) + n
    return tuple((day, route, lot, n) for (day, route, lot), n in sorted(by.items()) if n)


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _fact(row: tuple[Any, ...], since: dt.date) -> ReactionFact:
    root, entry, at, patient, seq, onset, adm_day, route, origin, lot, category, serious = row[:12]
    administration_id, grade = row[12:]
    event_kind, brighton, term, ctcae = json.loads(grade)
    day = dt.date.fromisoformat(adm_day)
    return ReactionFact(
        reaction_id=str(root),
        entry_id=str(entry),
        recorded_at=str(at),
        patient_id=str(patient),
        seq=int(seq),
        onset_day=dt.date.fromisoformat(onset),
        administration_day=day,
        route=str(route),
        origin=str(origin),
        lot=str(lot),
        category=None if category is None else str(category),
        serious=bool(serious),
        event_kind=str(event_kind or "table_reaction"),  # grades made before event kinds
        brighton_level=_int_or_none(brighton),
        ctcae_term=None if term is None else str(term),
        ctcae_grade=_int_or_none(ctcae),
        in_interval=day >= since,
        administration_id=str(administration_id),
    )
