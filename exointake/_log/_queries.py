"""Reading the log: entries and their history, per-patient lists, serious cases, open
follow-ups, administrations by period, physician and lot, lot recall and reaction rates,
with their report types.

The staff queries come in pages (:class:`Page`): keyset pagination on the chain position
(``seq``) of each entry's current version, so a page costs the same wherever it starts
and nothing is skipped while others write. The report types are frozen attrs values; their
unstructured form (:func:`exointake._convert.unstructure`) is their JSON output, derived
values included.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final, NamedTuple

from attrs import field, frozen

from .._convert import safe_repr, unstructure
from .._errors import EntryNotFound, ValidationError
from .._limits import text_problem
from .._records import FollowUpStatus
from .._wareki import date_range
from ._entries import EntryKind, EntryView, LogEntry, entry_from_row, event_bucket
from ._store import Reader, RowData, Store

__all__ = [
    "CATEGORIES",
    "DEFAULT_PAGE_SIZE",
    "DIMENSIONS",
    "MAX_PAGE_SIZE",
    "LotSeries",
    "Page",
    "Queries",
    "RateReport",
    "RateRow",
    "ReactionEvent",
    "Recall",
    "RegistrySource",
    "normalise_lot",
    "registry_source",
]

CATEGORIES: Final = ("local", "allergy", "anaphylaxis")
EVENTS: Final = ("infection", "needle_related", "other")
"""Event kinds outside the table, each with its own rate column."""
DIMENSIONS: Final = ("route", "origin", "lot")

DEFAULT_PAGE_SIZE: Final = 100
"""How many entries a page holds when ``limit`` is not given."""
MAX_PAGE_SIZE: Final = 1000
"""The largest ``limit`` a page query accepts."""

_CURSOR = re.compile(r"0|[1-9][0-9]{0,17}")


def _limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(
            [f"limit: expected a whole number from 1 to {MAX_PAGE_SIZE}, got {safe_repr(limit)}"],
            what="argument",
        )
    return limit


def _after(after: object) -> int:
    if after is None:
        return 0
    if not isinstance(after, str) or not _CURSOR.fullmatch(after):
        raise ValidationError(
            [f"after: expected a cursor (a page's next_cursor), got {safe_repr(after)}"],
            what="argument",
        )
    return int(after)


def _id_arg(value: object, name: str) -> str:
    problem = (
        f"expected a text, got {type(value).__name__}"
        if not isinstance(value, str)
        else "expected a non-empty id"
        if not value.strip()
        else text_problem(value, "id")
    )
    if problem is not None:
        raise ValidationError([f"{name}: {problem}"], what="argument")
    assert isinstance(value, str)
    return value


def normalise_lot(lot: str) -> str:
    """The form lots are matched in: Unicode NFKC (full-width letters, digits and hyphens
    become ASCII), surrounding spaces removed, case folded.

    ``normalise_lot(" ｕｃ－２０２６－１１８ ") == normalise_lot("UC-2026-118")``.
    """
    return unicodedata.normalize("NFKC", lot).strip().casefold()


@frozen
class Page:
    """One page of a staff query: entries (current versions) in chain order, and the
    cursor of the next page.

    Pass ``next_cursor`` as ``after=`` to get the next page; it is None on the last page.
    The cursor is the chain position of the page's last entry: a page costs the same
    wherever it starts, and an entry appended or amended meanwhile comes on a later page
    (an amended one again, in its new version) — nothing is skipped.
    """

    entries: tuple[LogEntry, ...]
    next_cursor: str | None

    def __iter__(self) -> Iterator[LogEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: ``{"entries": [...], "next_cursor": ...}``."""
        return {
            "entries": [e.to_dict() for e in self.entries],
            "next_cursor": self.next_cursor,
        }


def _page(rows: Sequence[Any], limit: int) -> Page:
    """A page from up to ``limit + 1`` rows (one more than shown says there is a next)."""
    entries = tuple(entry_from_row(r) for r in rows[:limit])
    more = len(rows) > limit
    return Page(entries=entries, next_cursor=str(entries[-1].seq) if more else None)


def _rate(n: int, d: int) -> float | None:
    return None if d == 0 else round(n * 1000 / d, 3)


def _sorted_counts(counts: Mapping[str, int]) -> Mapping[str, int]:
    return dict(sorted(counts.items()))


@frozen
class Recall:
    """Every current administration of a lot, and every current reaction that followed one.

    ``lot`` is the lot number as asked; ``matched_lots`` the spellings stored in the log
    that match it. ``patient_ids`` (the patients who received the lot, sorted),
    ``infections`` and ``normalised`` are derived.
    """

    lot: str
    administrations: tuple[LogEntry, ...]
    reactions: tuple[LogEntry, ...]
    matched_lots: tuple[str, ...] = ()
    """The lot numbers as stored that match ``lot`` once both are normalised
    (:func:`normalise_lot`), sorted; the recall covers all of them."""
    patient_ids: tuple[str, ...] = field(init=False, metadata={"derived": True})
    infections: tuple[LogEntry, ...] = field(init=False, metadata={"derived": True})
    """The reactions graded as infections: they cluster by lot when a product is
    contaminated."""

    normalised: tuple[str, ...] = field(init=False, metadata={"derived": True})
    """What matching ignored to find ``matched_lots``: ``width`` (full-width or other
    compatibility characters), ``spaces`` (surrounding spaces) and ``case``; empty when
    the lot matched exactly as given."""

    @normalised.default
    def _normalised(self) -> tuple[str, ...]:
        out = []
        width = unicodedata.normalize("NFKC", self.lot)
        if width != self.lot:
            out.append("width")
        if width.strip() != width:
            out.append("spaces")
        if any(m != width.strip() for m in self.matched_lots):
            out.append("case")
        return tuple(out)

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
    """Its position: in a log, the entry's place in the chain (each its own). Reactions
    sharing a position were observed together — a registry gives those of one period
    one — and the binomial test looks once, after the last of them."""
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
    administration_id: str = ""
    """The root id of the administration it followed (empty: not known, each reaction
    then counts as one administration with a reaction)."""


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
    given: tuple[tuple[str, str, str, tuple[int, ...]], ...] = ()
    """The positions at which each JST day, route and lot's administrations were logged
    (their first versions): ``(day, route, lot, seqs)``, sorted, ``seqs`` ascending. Lot
    surveillance reads from it how many of each lot a stratum held when each reaction was
    logged, so that later entries do not rewrite earlier looks. Empty (a series built
    elsewhere): the shares are taken from ``strata``, the counts as they stand."""


LotCache = tuple[int, str, tuple[ReactionEvent, ...], dict[tuple[str, str, str], tuple[int, ...]]]
"""What :meth:`Queries.lot_series` keeps between calls: the head it read at, the reactions,
and the administrations' positions per day, route and lot."""


def add_seqs(
    given: dict[tuple[str, str, str], tuple[int, ...]], rows: Sequence[tuple[str, str, str, int]]
) -> dict[tuple[str, str, str], tuple[int, ...]]:
    """``given`` with the positions of ``rows`` (``(day, route, lot, seq)``) added: a new
    mapping, the old one and its tuples left as they were (a series already returned
    keeps its values)."""
    if not rows:
        return given
    extra: dict[tuple[str, str, str], list[int]] = {}
    for day, route, lot, seq in rows:
        extra.setdefault((day, route, lot), []).append(seq)
    out = dict(given)
    for key, seqs in extra.items():
        out[key] = tuple(sorted(out.get(key, ()) + tuple(seqs)))
    return out


class Queries:
    """The reading half of :class:`~exointake.Log`."""

    __slots__ = ()
    _store: Store
    _lot_cache: list[LotCache]

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

    def history_page(
        self, patient_id: str, *, limit: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Page:
        """A page of a patient's history: screenings, reviews, consents and withdrawals,
        administrations, reactions and follow-ups (current versions), in the order they
        were recorded.

        Args:
            patient_id: the clinic's opaque patient id.
            limit: at most this many entries, 1 to 1,000 (default 100).
            after: the previous page's ``next_cursor`` (None: the first page).
        """
        patient_id = _id_arg(patient_id, "patient_id")
        n, start = _limit(limit), _after(after)
        with self._store.read() as r:
            return _page(r.patient_page(patient_id, after=start, limit=n + 1), n)

    def serious_cases_page(
        self, *, limit: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Page:
        """A page of the reactions (current versions) graded anaphylaxis or serious, oldest
        first. Reads the partial index of serious reactions: fast on any size of log.

        Args:
            limit: at most this many entries, 1 to 1,000 (default 100).
            after: the previous page's ``next_cursor`` (None: the first page).
        """
        n, start = _limit(limit), _after(after)
        with self._store.read() as r:
            return _page(r.serious_reactions(after=start, limit=n + 1), n)

    def open_follow_ups_page(
        self, *, limit: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Page:
        """A page of open follow-ups: for each reaction, its latest follow-up when that one
        is still open, oldest first.

        Args:
            limit: at most this many entries, 1 to 1,000 (default 100).
            after: the previous page's ``next_cursor`` (None: the first page).
        """
        n, start = _limit(limit), _after(after)
        with self._store.read() as r:
            return _page(self._open_follow_ups(r, after=start, limit=n + 1), n)

    def administrations_page(
        self,
        *,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        physician: str | None = None,
        lot: str | None = None,
        overridden: bool = False,
        limit: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page:
        """A page of administrations (current versions) in the order they were recorded,
        filtered by period, physician and lot (each only when given).

        Args:
            since: first day of administration (JST): a date, ``YYYY-MM-DD`` or 和暦.
            until: last day of administration (JST, inclusive), likewise.
            physician: the id of the physician who administered (``physician_id``).
            lot: a lot number, matched as :meth:`recall` matches it (case, surrounding
                spaces and full-width characters ignored).
            overridden: only the administrations let past the safety gate by a recorded
                override (``entry.override`` says who and which checks it bypassed).
            limit: at most this many entries, 1 to 1,000 (default 100).
            after: the previous page's ``next_cursor`` (None: the first page).

        The period and the lot are indexed; the physician and the override are read from
        each entry, so on a large log narrow such a query with a period or a lot.
        """
        if not isinstance(overridden, bool):
            raise ValidationError(
                [f"overridden: expected True or False, got {safe_repr(overridden)}"],
                what="argument",
            )
        start_day, end_day = date_range(since, until)
        physician_id = None if physician is None else _id_arg(physician, "physician")
        key = None if lot is None else _lot_key(lot)
        n, start = _limit(limit), _after(after)
        with self._store.read() as r:
            lots = None if key is None else _matching_lots(r, key)
            rows = r.administrations_page(
                kind=EntryKind.ADMINISTRATION,
                since=start_day,
                until=end_day,
                lots=lots,
                physician_id=physician_id,
                overridden=overridden,
                after=start,
                limit=n + 1,
            )
        return _page(rows, n)

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
        """For each reaction, its latest follow-up when that one is still open (all of
        them; :meth:`open_follow_ups_page` pages through them)."""
        with self._store.read() as r:
            return _entries(self._open_follow_ups(r, after=0, limit=None))

    @staticmethod
    def _open_follow_ups(r: Reader, *, after: int, limit: int | None) -> Sequence[RowData]:
        return r.open_follow_ups(
            kind=EntryKind.FOLLOW_UP,
            open_status=FollowUpStatus.OPEN.value,
            after=after,
            limit=limit,
        )

    def recall(self, lot: str) -> Recall:
        """Every administration of ``lot`` and every reaction that followed one.

        Lot numbers match once normalised (:func:`normalise_lot`: full-width characters,
        surrounding spaces and case do not count), so ``" uc-2026-118"`` finds
        ``UC-2026-118``; the recall says which stored lots matched (``matched_lots``) and
        what was ignored to match them (``normalised``). Several stored spellings of one
        lot are all recalled.
        """
        key = _lot_key(lot)
        with self._store.read() as r:
            lots = _matching_lots(r, key)
            administrations = r.current_of_kind(EntryKind.ADMINISTRATION, lots=lots)
            reactions = r.current_reactions_to_lots(
                lots, reaction=EntryKind.REACTION, administration=EntryKind.ADMINISTRATION
            )
        return Recall(
            lot=lot,
            administrations=tuple(_entries(administrations)),
            reactions=tuple(_entries(reactions)),
            matched_lots=tuple(lots),
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
                seq, _, known, given = cached
            else:
                seq, known, given = 0, (), {}
            new = r.reaction_events(
                reaction=EntryKind.REACTION, administration=EntryKind.ADMINISTRATION, after=seq
            )
            added = r.administration_seqs(administration=EntryKind.ADMINISTRATION, after=seq)
            strata = r.lot_strata()
        reactions = known + tuple(ReactionEvent._make(e) for e in new)
        given = add_seqs(given, added)
        self._lot_cache[:] = [(head[0], head[1], reactions, given)]
        return LotSeries(
            head=head,
            strata=tuple(strata),
            reactions=reactions,
            given=tuple((*key, seqs) for key, seqs in sorted(given.items())),
        )

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


def _lot_key(lot: object) -> str:
    if not isinstance(lot, str):
        raise ValidationError([f"lot: expected a text, got {type(lot).__name__}"], what="argument")
    key = normalise_lot(lot)
    problem = "expected a lot number" if not key else text_problem(key, "id")
    if problem is not None:
        raise ValidationError([f"lot: {problem}"], what="argument")
    return key


def _matching_lots(r: Reader, key: str) -> list[str]:
    """The stored lot spellings whose normalised form is ``key``."""
    return [lot for lot in r.administered_lots() if normalise_lot(lot) == key]


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


class RegistrySource(NamedTuple):
    """What the de-identified registry export reads from a log, from one snapshot."""

    head: tuple[int, str]
    """The log's last position and hash."""
    data_lock: str | None
    """The head entry's ``recorded_at`` (UTC text); None for an empty log."""
    administrations: list[tuple[str, str, str]]
    """Current administrations: ``(root_id, patient_id, profile)``, ``profile`` the JSON
    array text ``[lot, route, origin, day, maker, sourcing, volume_ml]``."""
    reactions: list[tuple[str, str, str, str | None]]
    """Current reactions: ``(root_id, administration_root, fields_json, administered_at)``."""
    screenings: list[tuple[str, int, str | None, str | None]]
    """Current screenings: ``(patient_id, seq, screened_on, birth_date)``."""


def registry_source(log: Queries) -> RegistrySource:
    """The rows the registry export is made from, read in one snapshot of ``log``."""
    with log._store.snapshot() as r:
        head = r.head()
        return RegistrySource(
            head=head,
            data_lock=r.recorded_at(head[0]) if head[0] else None,
            administrations=r.registry_administrations(),
            reactions=r.registry_reactions(),
            screenings=r.registry_screenings(),
        )
