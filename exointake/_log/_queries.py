"""Reading the log: entries and their history, per-patient lists, serious cases, open
follow-ups, lot recall and reaction rates, with their report types.

The report types are frozen attrs values; their unstructured form
(:func:`exointake._convert.unstructure`) is their JSON output, derived values included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, Final, NamedTuple

from attrs import field, frozen

from .._convert import unstructure
from .._errors import EntryNotFound, ValidationError
from .._records import FollowUpStatus
from .._wareki import date_range
from ._entries import EntryKind, EntryView, LogEntry, entry_from_row, event_bucket
from ._store import RowData, Store

__all__ = [
    "CATEGORIES",
    "DIMENSIONS",
    "LotSeries",
    "Queries",
    "RateReport",
    "RateRow",
    "ReactionEvent",
    "Recall",
]

CATEGORIES: Final = ("local", "allergy", "anaphylaxis")
EVENTS: Final = ("infection", "needle_related", "other")
"""Event kinds outside the table, each with its own rate column."""
DIMENSIONS: Final = ("route", "origin", "lot")


def _rate(n: int, d: int) -> float | None:
    return None if d == 0 else round(n * 1000 / d, 3)


def _sorted_counts(counts: Mapping[str, int]) -> Mapping[str, int]:
    return dict(sorted(counts.items()))


@frozen
class Recall:
    """Every current administration of a lot, and every current reaction that followed one.

    ``patient_ids`` (the patients who received the lot, sorted) is derived from the
    administrations.
    """

    lot: str
    administrations: tuple[LogEntry, ...]
    reactions: tuple[LogEntry, ...]
    patient_ids: tuple[str, ...] = field(init=False, metadata={"derived": True})
    infections: tuple[LogEntry, ...] = field(init=False, metadata={"derived": True})
    """The reactions graded as infections: they cluster by lot when a product is
    contaminated."""

    @patient_ids.default
    def _patient_ids(self) -> tuple[str, ...]:
        return tuple(sorted({e.record.patient_id for e in self.administrations}))

    @infections.default
    def _infections(self) -> tuple[LogEntry, ...]:
        return tuple(r for r in self.reactions if event_bucket(r.grade) == "infection")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the unstructured form)."""
        return unstructure(self)  # type: ignore[no-any-return]


@frozen
class RateRow:
    """Reactions per 1,000 administrations for one value of one dimension.

    ``by_category`` counts table reactions by article row, ``by_event`` the events outside
    the table by kind (infections, needle-related, other), each reaction once.
    ``per_1000``, ``per_1000_by_category`` and ``per_1000_by_event`` (None when nothing
    was given) are derived.
    """

    dimension: str
    value: str
    administrations: int
    reactions: int
    by_category: Mapping[str, int] = field(converter=_sorted_counts)
    by_event: Mapping[str, int] = field(factory=dict, converter=_sorted_counts)
    per_1000: float | None = field(init=False, metadata={"derived": True})
    per_1000_by_category: Mapping[str, float | None] = field(init=False, metadata={"derived": True})
    per_1000_by_event: Mapping[str, float | None] = field(init=False, metadata={"derived": True})

    @per_1000.default
    def _per_1000(self) -> float | None:
        return _rate(self.reactions, self.administrations)

    @per_1000_by_category.default
    def _per_1000_by_category(self) -> Mapping[str, float | None]:
        return {c: _rate(n, self.administrations) for c, n in self.by_category.items()}

    @per_1000_by_event.default
    def _per_1000_by_event(self) -> Mapping[str, float | None]:
        return {k: _rate(n, self.administrations) for k, n in self.by_event.items()}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the unstructured form)."""
        return unstructure(self)  # type: ignore[no-any-return]


@frozen
class RateReport:
    """Reaction rates over a period of administration dates (JST, inclusive)."""

    since: dt.date | None
    until: dt.date | None
    administrations: int
    reactions: int
    by_category: Mapping[str, int] = field(converter=_sorted_counts)
    rows: tuple[RateRow, ...]
    by_event: Mapping[str, int] = field(factory=dict, converter=_sorted_counts)
    """Events outside the table by kind (see :class:`RateRow`)."""
    per_1000: float | None = field(init=False, metadata={"derived": True})
    per_1000_by_event: Mapping[str, float | None] = field(init=False, metadata={"derived": True})

    @per_1000.default
    def _per_1000(self) -> float | None:
        return _rate(self.reactions, self.administrations)

    @per_1000_by_event.default
    def _per_1000_by_event(self) -> Mapping[str, float | None]:
        return {k: _rate(n, self.administrations) for k, n in self.by_event.items()}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the unstructured form)."""
        return unstructure(self)  # type: ignore[no-any-return]


class ReactionEvent(NamedTuple):
    """One current reaction as lot surveillance reads it (see :class:`LotSeries`)."""

    seq: int
    entry_id: str
    recorded_at: str
    """When it was logged: ISO 8601 UTC text, as stored."""
    day: str
    """The JST day of the administration it followed (``YYYY-MM-DD``)."""
    route: str
    lot: str
    category: str | None
    serious: bool
    infection: bool
    """Its grade's event kind is an infection."""


class LotSeries(NamedTuple):
    """The series behind lot surveillance (:mod:`exointake.signals`), read in one go.

    Plain tuples, not entries: a million administrations are read as a few thousand
    counts, and each reaction as one row (no payload is parsed).
    """

    head: tuple[int, str]
    """The log's last position and hash when read."""
    strata: tuple[tuple[str, str, str, int], ...]
    """Current administrations per JST day, route and lot: ``(day, route, lot, n)``,
    sorted."""
    reactions: tuple[ReactionEvent, ...]
    """Every current reaction, in the order it was logged."""


class Queries:
    """The reading half of :class:`~exointake.Log`."""

    __slots__ = ()
    _store: Store
    _lot_cache: list[tuple[int, str, tuple[ReactionEvent, ...]]]

    def get(self, entry_id: str) -> EntryView:
        """An entry's current version with its history (``entry_id`` may be any version).

        Raises :class:`~exointake.EntryNotFound` (a ``KeyError``) when no entry has that id.
        """
        with self._store.read() as r:
            row = r.row_by_id(entry_id)
            if row is None:
                raise EntryNotFound(entry_id)
            versions = r.versions(row["root_id"])
        history = tuple(entry_from_row(v) for v in versions)
        return EntryView(current=history[-1], history=history)

    def head(self) -> tuple[int, str]:
        """The last entry's position and hash — write it down to anchor the chain."""
        return self._store.head()

    def __len__(self) -> int:
        """How many entries the log holds."""
        return self.head()[0]

    def __bool__(self) -> bool:
        return True  # an open log is truthy even when empty

    def entries(self) -> Iterator[LogEntry]:
        """Every entry in chain order, all versions (streamed in pages)."""
        for row in self._store.iter_rows():
            yield entry_from_row(row)

    def history(
        self, patient_id: str, *, limit: int | None = None, offset: int = 0
    ) -> list[LogEntry]:
        """Everything the log holds for a patient, in the order it was recorded: screenings,
        reviews, consents and withdrawals, administrations, reactions and follow-ups
        (current versions).

        Args:
            patient_id: the clinic's opaque patient id.
            limit: at most this many entries (None: all).
            offset: skip this many first.
        """
        if limit is not None and (isinstance(limit, bool) or limit < 0):
            raise ValidationError(["limit: expected a whole number, 0 or more"], what="argument")
        if isinstance(offset, bool) or offset < 0:
            raise ValidationError(["offset: expected a whole number, 0 or more"], what="argument")
        with self._store.read() as r:
            rows = r.current_for_patient(patient_id, limit=limit, offset=offset)
        return _entries(rows)

    def administrations_for_patient(self, patient_id: str) -> list[LogEntry]:
        """The patient's administrations (current versions), oldest first."""
        with self._store.read() as r:
            rows = r.current_of_kind(EntryKind.ADMINISTRATION, patient_id=patient_id)
        return _entries(rows)

    def reactions_for_patient(self, patient_id: str) -> list[LogEntry]:
        """The patient's reactions (current versions), oldest first."""
        with self._store.read() as r:
            rows = r.current_of_kind(EntryKind.REACTION, patient_id=patient_id)
        return _entries(rows)

    def serious_cases(self) -> list[LogEntry]:
        """Reactions (current versions) graded anaphylaxis or serious, oldest first."""
        with self._store.read() as r:
            rows = r.serious_reactions()
        return _entries(rows)

    def open_follow_ups(self) -> list[LogEntry]:
        """For each reaction, its latest follow-up when that one is still open."""
        latest: dict[str, RowData] = {}
        with self._store.read() as r:
            for row in r.current_of_kind(EntryKind.FOLLOW_UP):
                latest[row["reaction_id"]] = row  # the reaction's root id; seq order
        return [
            entry_from_row(row)
            for row in sorted(latest.values(), key=lambda r: int(r["seq"]))
            if row["status"] == FollowUpStatus.OPEN.value
        ]

    def recall(self, lot: str) -> Recall:
        """Every administration of ``lot`` and every reaction that followed one."""
        with self._store.read() as r:
            administrations = r.current_of_kind(EntryKind.ADMINISTRATION, lot=lot)
            reactions = r.current_reactions_to_lot(
                lot, reaction=EntryKind.REACTION, administration=EntryKind.ADMINISTRATION
            )
        return Recall(
            lot=lot,
            administrations=tuple(_entries(administrations)),
            reactions=tuple(_entries(reactions)),
        )

    def lot_series(self) -> LotSeries:
        """Administrations per day, route and lot and every current reaction with its
        administration's day, route and lot, in logging order: what
        :func:`exointake.signals.check_signals` reads.

        Administrations are read from the counts the log keeps; reactions one row each.
        This ``Log`` object keeps the reactions it has read: the next call reads only the
        reactions appended since (the whole list again after an amendment of an
        administration or a reaction, or when the entry it stopped at is not there).
        """
        kinds = (EntryKind.REACTION, EntryKind.ADMINISTRATION)
        with self._store.read() as r:
            head = r.head()
            cached = self._lot_cache[0] if self._lot_cache else None
            if (
                cached is not None
                and cached[0] <= head[0]
                and r.hash_at(cached[0]) == cached[1]
                and not r.amended_since(cached[0], kinds)
            ):
                seq, _, known = cached
            else:
                seq, known = 0, ()
            new = r.reaction_events(
                reaction=EntryKind.REACTION, administration=EntryKind.ADMINISTRATION, after=seq
            )
            strata = r.lot_strata()
        reactions = known + tuple(ReactionEvent._make(e) for e in new)
        self._lot_cache[:] = [(head[0], head[1], reactions)]
        return LotSeries(head=head, strata=tuple(strata), reactions=reactions)

    def rates(
        self, *, since: dt.date | str | None = None, until: dt.date | str | None = None
    ) -> RateReport:
        """Reactions per 1,000 administrations by route, origin and lot, by article category
        (table reactions) and by event kind (infections, needle-related and other events,
        each in its own column).

        Args:
            since: first day of administration (JST): a date, ``YYYY-MM-DD`` or 和暦.
            until: last day of administration (JST, inclusive), likewise.

        The period selects administrations by their date; a reaction counts in the period
        of the administration it followed. Reads the counts the log keeps with every
        entry, so it takes milliseconds whatever the log's size.
        """
        start, end = date_range(since, until)
        with self._store.read() as r:
            admin_sums, reaction_sums = r.count_sums(start, end)
        admins = {(dim, value): n for dim, value, n in admin_sums}
        reacts: dict[tuple[str, str], dict[str, int]] = {}
        for dim, value, bucket, n in reaction_sums:
            counts = reacts.setdefault((dim, value), dict.fromkeys((*CATEGORIES, *EVENTS), 0))
            counts[bucket] = counts.get(bucket, 0) + n
        return _rate_report(start, end, admins, reacts)


def _entries(rows: Any) -> list[LogEntry]:
    return [entry_from_row(r) for r in rows]


def _rate_report(
    since: dt.date | None,
    until: dt.date | None,
    admins: Mapping[tuple[str, str], int],
    reacts: Mapping[tuple[str, str], Mapping[str, int]],
) -> RateReport:
    # Every administration and reaction has one route: the route rows hold the totals.
    total_a = sum(n for (dim, _), n in admins.items() if dim == "route")
    totals: dict[str, int] = dict.fromkeys((*CATEGORIES, *EVENTS), 0)
    for (dim, _), counts in reacts.items():
        if dim == "route":
            for bucket, n in counts.items():
                totals[bucket] = totals.get(bucket, 0) + n
    rows = []
    for key in sorted(set(admins) | set(reacts), key=lambda k: (DIMENSIONS.index(k[0]), k[1])):
        counts = dict(reacts.get(key) or dict.fromkeys((*CATEGORIES, *EVENTS), 0))
        rows.append(
            RateRow(
                dimension=key[0],
                value=key[1],
                administrations=admins.get(key, 0),
                reactions=sum(counts.values()),
                by_category=_split(counts, CATEGORIES),
                by_event=_split(counts, EVENTS),
            )
        )
    return RateReport(
        since=since,
        until=until,
        administrations=total_a,
        reactions=sum(totals.values()),
        by_category=_split(totals, CATEGORIES),
        rows=tuple(rows),
        by_event=_split(totals, EVENTS),
    )


def _split(counts: Mapping[str, int], keys: tuple[str, ...]) -> dict[str, int]:
    """The counts of ``keys``; a bucket outside both sets (a category-less table reaction
    from a custom vocabulary) stays in the reaction total only."""
    return {k: counts.get(k, 0) for k in keys}
