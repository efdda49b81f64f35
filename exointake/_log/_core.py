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
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, TypeAlias

import sqlalchemy as sa
from attrs import define, field, frozen
from cattrs.gen import make_dict_structure_fn

from .._common import JST, Route
from .._convert import Expected, canonical_json, converter, unstructure_datetime
from .._errors import LogIntegrityError, MigrationRequired, ScreeningRefused, ValidationError
from .._grading import grade
from .._reactions import ReactionRecord
from .._records import (
    Administration,
    ConsentRecord,
    FollowUp,
    FollowUpStatus,
    ScreeningRecord,
    check_id,
)
from ._canon import canonical_encoder
from ._store import (
    COUNTS,
    ENTRIES,
    GENESIS_HASH,
    QUERY_COLUMNS,
    RCOUNTS,
    RowData,
    Store,
    Writer,
    check_schema,
    create_engine_for,
    entry_hash,
    is_current,
    migrate,
    sqlite_path,
    utc_now_text,
)

__all__ = [
    "Alert",
    "Amendment",
    "EntryKind",
    "EntryView",
    "Log",
    "LogEntry",
    "RateReport",
    "RateRow",
    "Recall",
    "VerifyReport",
    "migrate_log",
    "open_log",
]

logger = logging.getLogger("exointake.log")

Record: TypeAlias = Administration | ReactionRecord | FollowUp | ConsentRecord | ScreeningRecord
"""Anything the log stores (the type of :attr:`LogEntry.record`)."""


class EntryKind(enum.StrEnum):
    """What an entry records."""

    ADMINISTRATION = "administration"
    REACTION = "reaction"
    FOLLOW_UP = "follow_up"
    CONSENT = "consent"
    SCREENING = "screening"


_AMENDABLE: Final = frozenset({EntryKind.ADMINISTRATION, EntryKind.REACTION, EntryKind.FOLLOW_UP})


@frozen
class Amendment:
    """Why and by whom an entry was corrected. ``reason`` is free text, never in ``repr``."""

    amends: str
    amended_by: str
    reason: str = field(repr=False)


@frozen
class LogEntry:
    """One stored entry: its record, where it sits in the chain, and its hashes.

    For a reaction, ``grade`` is the grading computed when it was logged (as JSON); for
    an amendment, ``amendment`` says which entry it corrects, why and by whom.
    """

    entry_id: str
    seq: int
    kind: EntryKind
    recorded_at: dt.datetime
    record: Any
    entry_hash: str
    prev_hash: str
    root_id: str
    amendment: Amendment | None = None
    grade: Mapping[str, Any] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data: dict[str, Any] = {
            "entry_id": self.entry_id,
            "seq": self.seq,
            "kind": self.kind.value,
            "recorded_at": unstructure_datetime(self.recorded_at),
            "record": converter.unstructure(self.record),
            "entry_hash": self.entry_hash,
            "prev_hash": self.prev_hash,
            "root_id": self.root_id,
        }
        if self.amendment is not None:
            data["amendment"] = converter.unstructure(self.amendment)
        if self.grade is not None:
            data["grade"] = dict(self.grade)
        return json.loads(canonical_json(data))  # type: ignore[no-any-return]


@frozen
class EntryView:
    """An entry as it reads now: the current version and every version, oldest first."""

    current: LogEntry
    history: tuple[LogEntry, ...]

    @property
    def entry_id(self) -> str:
        """The id of the original entry (what other entries point at)."""
        return self.current.root_id

    @property
    def amended(self) -> bool:
        """True when the entry has been corrected at least once."""
        return len(self.history) > 1


@frozen
class Recall:
    """Every current administration of a lot, and every current reaction that followed one."""

    lot: str
    administrations: tuple[LogEntry, ...]
    reactions: tuple[LogEntry, ...]

    @property
    def patient_ids(self) -> tuple[str, ...]:
        """The patients who received the lot, sorted."""
        return tuple(sorted({e.record.patient_id for e in self.administrations}))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "lot": self.lot,
            "patient_ids": list(self.patient_ids),
            "administrations": [e.to_dict() for e in self.administrations],
            "reactions": [e.to_dict() for e in self.reactions],
        }


@frozen
class RateRow:
    """Reactions per 1,000 administrations for one value of one dimension."""

    dimension: str
    value: str
    administrations: int
    reactions: int
    by_category: Mapping[str, int]

    @property
    def per_1000(self) -> float | None:
        """All reactions per 1,000 administrations (None when there were none given)."""
        return _rate(self.reactions, self.administrations)

    def per_1000_by_category(self) -> dict[str, float | None]:
        """Reactions of each category per 1,000 administrations."""
        return {c: _rate(n, self.administrations) for c, n in sorted(self.by_category.items())}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "dimension": self.dimension,
            "value": self.value,
            "administrations": self.administrations,
            "reactions": self.reactions,
            "by_category": dict(sorted(self.by_category.items())),
            "per_1000": self.per_1000,
            "per_1000_by_category": self.per_1000_by_category(),
        }


def _rate(n: int, d: int) -> float | None:
    return None if d == 0 else round(n * 1000 / d, 3)


CATEGORIES: Final = ("local", "allergy", "anaphylaxis")
DIMENSIONS: Final = ("route", "origin", "lot")


@frozen
class RateReport:
    """Reaction rates over a period of administration dates (JST, inclusive)."""

    since: dt.date | None
    until: dt.date | None
    administrations: int
    reactions: int
    by_category: Mapping[str, int]
    rows: tuple[RateRow, ...]

    @property
    def per_1000(self) -> float | None:
        """All reactions per 1,000 administrations over the period."""
        return _rate(self.reactions, self.administrations)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "since": None if self.since is None else self.since.isoformat(),
            "until": None if self.until is None else self.until.isoformat(),
            "administrations": self.administrations,
            "reactions": self.reactions,
            "by_category": dict(sorted(self.by_category.items())),
            "per_1000": self.per_1000,
            "rows": [r.to_dict() for r in self.rows],
        }


@frozen
class VerifyReport:
    """The result of :meth:`Log.verify`.

    ``ok`` is True when every entry re-hashes to its stored hash, links to the previous
    one and the head matches; otherwise ``broken_entry_id`` names the first entry where
    the chain breaks (None if the damage is in the head) and ``problem`` says what.
    """

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    broken_entry_id: str | None = None
    broken_seq: int | None = None
    problem: str | None = None

    def raise_if_broken(self) -> None:
        """Raise :class:`~exointake.LogIntegrityError` when the chain does not verify."""
        if not self.ok:
            raise LogIntegrityError(
                f"log does not verify at entry {self.broken_entry_id}: {self.problem}",
                entry_id=self.broken_entry_id,
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "broken_entry_id": self.broken_entry_id,
            "broken_seq": self.broken_seq,
            "problem": self.problem,
        }


@frozen
class Alert:
    """Sent to alert callbacks after a reaction graded anaphylaxis or serious is committed.

    Ids and grades only: no names, no free text.
    """

    entry_id: str
    reaction_id: str
    administration_id: str
    patient_id: str
    category: str
    serious: bool
    brighton_level: int | None


AlertCallback: TypeAlias = Callable[[Alert], object]


# ---------------------------------------------------------------------------- opening


def open_log(
    target: str | os.PathLike[str],
    *,
    create: bool = True,
    clock: Callable[[], dt.datetime] | None = None,
) -> Log:
    """Open the reaction log at ``target``.

    Args:
        target: an SQLAlchemy URL (``sqlite:///clinic.db``,
            ``postgresql+psycopg://user@host/db``) or a path to an SQLite file.
        create: create the log's tables when the database is brand new (no tables of
            ours at all). An existing database is never altered here: one made by an
            older exointake raises :class:`~exointake.MigrationRequired` — run
            ``exointake log migrate``.
        clock: the time source for ``recorded_at`` (default: now, UTC).

    Example::

        log = open_log("sqlite:///:memory:")
        assert log.verify().ok
    """
    if not create:
        path = sqlite_path(target)
        if path is not None and not path.exists():
            raise MigrationRequired(
                f"no database at {path}; run `exointake log migrate` to create the log"
            )
    engine = create_engine_for(target)
    try:
        check_schema(engine, create=create)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        raise ValidationError(
            [f"db: cannot open the database ({type(exc.orig).__name__})"], what="database"
        ) from None
    except BaseException:
        engine.dispose()
        raise
    return Log(Store(engine), clock=clock)


def migrate_log(target: str | os.PathLike[str]) -> tuple[str | None, str]:
    """Create or upgrade the log's schema at ``target``; returns (revision before, after)."""
    engine = create_engine_for(target)
    try:
        return migrate(engine)
    finally:
        engine.dispose()


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_entry_id() -> str:
    """A time-ordered opaque id: 12 hex digits of milliseconds, 20 random hex digits."""
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


def new_entry_ids(n: int) -> list[str]:
    """``n`` fresh entry ids at once (one clock read, one call for the random part)."""
    stamp = f"{time.time_ns() // 1_000_000:012x}"
    rand = os.urandom(10 * n).hex()
    return [stamp + rand[20 * i : 20 * i + 20] for i in range(n)]


_JST_OFFSET: Final = dt.timedelta(hours=9)  # Japan has no daylight saving time


def administration_columns(adm: Administration, entry_id: str) -> dict[str, Any]:
    """The query columns of a new administration, straight from the value.

    Equal to :func:`derive_columns` of its payload (tests check it); used on the batch path.
    """
    product = adm.product
    return {
        "root_id": entry_id,
        "patient_id": adm.patient_id,
        "lot": product.lot,
        "route": adm.route.value,
        "origin": product.origin.value,
        "day": (adm.administered_at + _JST_OFFSET).date().isoformat(),  # stored in UTC
    }


def _jst_day(value: str) -> str:
    return (
        dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(JST).date().isoformat()
    )


# ---------------------------------------------------------------------------- columns


def derive_columns(
    kind: str, entry_id: str, root_id: str, payload: Mapping[str, Any]
) -> dict[str, Any]:
    """The query columns of an entry, derived from its payload only (verify re-derives them)."""
    rec = payload["record"]
    amendment = payload.get("amendment")
    cols: dict[str, Any] = {
        "root_id": root_id,
        "amends": None if amendment is None else amendment["amends"],
    }
    if kind == EntryKind.ADMINISTRATION:
        product = rec["product"]
        cols.update(
            patient_id=rec["patient_id"],
            lot=product["lot"],
            route=rec["route"],
            origin=product["origin"],
            day=_jst_day(rec["administered_at"]),
        )
    elif kind == EntryKind.REACTION:
        grade = payload["grade"]
        cols.update(
            patient_id=payload["patient_id"],
            administration_id=payload["administration_root"],
            day=_jst_day(rec["onset"]),
            category=grade["category"],
            serious=bool(grade["serious"]),
        )
    elif kind == EntryKind.FOLLOW_UP:
        cols.update(
            patient_id=payload["patient_id"],
            reaction_id=payload["reaction_root"],
            status=rec["status"],
            day=_jst_day(rec["on"]),
        )
    elif kind == EntryKind.CONSENT:
        cols.update(
            patient_id=rec["patient_id"],
            ref_id=rec["consent_id"],
            template_id=rec["template_id"],
            template_sha256=rec["template_sha256"],
        )
    elif kind == EntryKind.SCREENING:
        cols.update(patient_id=rec["patient_id"], ref_id=rec["result_id"], status=rec["decision"])
    return cols


def _count_key(cols: Mapping[str, Any]) -> tuple[str, str, str, str]:
    return (cols["day"], cols["route"], cols["origin"], cols["lot"])


# ---------------------------------------------------------------------------- the log


@define
class Log:
    """A reaction log stored in a database. Create with :func:`open_log`."""

    _store: Store
    _clock: Callable[[], dt.datetime] | None = None
    _alerts: list[AlertCallback] = field(factory=list)

    def __repr__(self) -> str:
        url = self._store.engine.url.render_as_string(hide_password=True)
        return f"<Log {url}>"

    def close(self) -> None:
        """Release the database connections."""
        self._store.engine.dispose()

    def __enter__(self) -> Log:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._store.dialect

    def _now_text(self) -> str:
        now = (self._clock or _utc_now)()
        if now.tzinfo is None:
            raise ValidationError(["clock: expected an aware date-time"], what="clock")
        return utc_now_text(now)

    # -- alerts -------------------------------------------------------------------------

    def on_alert(self, callback: AlertCallback) -> AlertCallback:
        """Call ``callback(alert)`` after each reaction graded anaphylaxis or serious is
        committed. Returns the callback, so it works as a decorator. A callback that
        raises is logged (ids only) and never undoes the entry."""
        self._alerts.append(callback)
        return callback

    def _fire(self, alerts: Sequence[Alert]) -> None:
        for alert in alerts:
            for callback in self._alerts:
                try:
                    callback(alert)
                except Exception as exc:  # a failing callback never loses the entry
                    logger.error(
                        "alert callback %s failed (%s) for reaction %s entry %s",
                        getattr(callback, "__qualname__", type(callback).__name__),
                        type(exc).__name__,
                        alert.reaction_id,
                        alert.entry_id,
                    )

    # -- appending ----------------------------------------------------------------------

    def _append(
        self,
        w: Writer,
        kind: EntryKind,
        payload: dict[str, Any],
        recorded_at: str,
        *,
        root_id: str | None = None,
    ) -> dict[str, Any]:
        entry_id = new_entry_id()
        text = canonical_json(payload).decode("utf-8")
        cols = derive_columns(kind, entry_id, root_id or entry_id, payload)
        row = w.append(
            entry_id=entry_id, kind=kind.value, recorded_at=recorded_at, payload=text, columns=cols
        )
        if kind is EntryKind.ADMINISTRATION:
            w.count(_count_key(cols), 1)
        return row

    def administer(
        self,
        administration: Administration,
        *,
        current_consent_templates: Mapping[str, str] | None = None,
    ) -> str:
        """Append an administration; returns its entry id.

        Args:
            administration: what was given, to whom, relying on which screening and consent.
            current_consent_templates: ``{template_id: template_sha256}`` of the consent
                templates in force. When given, the administration is refused
                (:class:`~exointake.ScreeningRefused`) unless its consent is recorded in
                this log, belongs to the same patient and was given on a current template.
        """
        _require(administration, Administration, "administration")
        if current_consent_templates is not None:
            self.check_consent(administration, current_consent_templates)
        entry_id = new_entry_id()
        cols = administration_columns(administration, entry_id)
        payload = '{"record":' + canonical_encoder(Administration)(administration) + "}"
        with self._store.write() as w:
            w.append(
                entry_id=entry_id,
                kind=EntryKind.ADMINISTRATION.value,
                recorded_at=self._now_text(),
                payload=payload,
                columns=cols,
            )
            w.count((cols["day"], cols["route"], cols["origin"], cols["lot"]), 1)
        return entry_id

    def administer_many(self, administrations: Iterable[Administration]) -> list[str]:
        """Append many administrations in one transaction (all or none); returns their ids.

        The fast path for imports: one lock, one ``executemany``.
        """
        items = list(administrations)
        for i, adm in enumerate(items):
            _require(adm, Administration, f"administrations[{i}]")
        ids = new_entry_ids(len(items))
        encode = canonical_encoder(Administration)
        kind = EntryKind.ADMINISTRATION.value
        with self._store.write() as w:
            now = self._now_text()
            for entry_id, adm in zip(ids, items, strict=True):
                cols = administration_columns(adm, entry_id)
                w.append(
                    entry_id=entry_id,
                    kind=kind,
                    recorded_at=now,
                    payload='{"record":' + encode(adm) + "}",
                    columns=cols,
                )
                w.count((cols["day"], cols["route"], cols["origin"], cols["lot"]), 1)
        return ids

    def record_reaction(self, reaction: ReactionRecord) -> str:
        """Grade and append a reaction; returns its entry id.

        The grade (computed for the administration's route) is stored with the entry.
        Alert callbacks run after the commit when it is anaphylaxis or serious.
        """
        _require(reaction, ReactionRecord, "reaction")
        with self._store.write() as w:
            adm = self._current_of_kind(
                w,
                reaction.administration_id,
                EntryKind.ADMINISTRATION,
                "reaction.administration_id",
            )
            payload = self._reaction_payload(reaction, adm)
            row = self._append(w, EntryKind.REACTION, payload, self._now_text())
            w.count_reaction((*_count_key(adm), row["category"]), 1)
        alerts = _alerts_for(row, payload)
        self._fire(alerts)
        return str(row["entry_id"])

    def follow_up(self, follow_up: FollowUp) -> str:
        """Append a follow-up of a logged reaction; returns its entry id."""
        _require(follow_up, FollowUp, "follow_up")
        with self._store.write() as w:
            reaction = self._current_of_kind(
                w, follow_up.reaction_id, EntryKind.REACTION, "follow_up.reaction_id"
            )
            payload = {
                "record": converter.unstructure(follow_up),
                "patient_id": reaction["patient_id"],
                "reaction_root": reaction["root_id"],
            }
            row = self._append(w, EntryKind.FOLLOW_UP, payload, self._now_text())
        return str(row["entry_id"])

    def record_consent(self, consent: ConsentRecord) -> str:
        """Record which consent document a patient saw; returns the consent id.

        Recording the same record twice is harmless (the first entry is kept); a different
        record under an existing consent id is refused.
        """
        _require(consent, ConsentRecord, "consent")
        payload = {"record": converter.unstructure(consent)}
        with self._store.write() as w:
            existing = self._by_ref(w.conn, EntryKind.CONSENT, consent.consent_id)
            if existing is not None:
                if json.loads(existing["payload"]) == json.loads(canonical_json(payload)):
                    return consent.consent_id
                raise ValidationError(
                    [
                        f"consent.consent_id: {consent.consent_id} is already recorded with "
                        "different content"
                    ],
                    what="consent record",
                )
            self._append(w, EntryKind.CONSENT, payload, self._now_text())
        return consent.consent_id

    def record_screening(self, screening: ScreeningRecord) -> str:
        """Record a screening result for a patient; returns the result id.

        Build the record with ``ScreeningRecord.from_result(result, patient_id=...)``.
        Recording the same result for the same patient again is harmless.
        """
        _require(screening, ScreeningRecord, "screening")
        payload = {"record": converter.unstructure(screening)}
        with self._store.write() as w:
            existing = w.conn.execute(
                sa.select(ENTRIES.c.entry_id).where(
                    ENTRIES.c.kind == EntryKind.SCREENING.value,
                    ENTRIES.c.ref_id == screening.result_id,
                    ENTRIES.c.patient_id == screening.patient_id,
                )
            ).first()
            if existing is None:
                self._append(w, EntryKind.SCREENING, payload, self._now_text())
        return screening.result_id

    def amend(
        self,
        entry_id: str,
        record: Administration | ReactionRecord | FollowUp,
        *,
        reason: str,
        amended_by: str,
    ) -> str:
        """Correct an administration, reaction or follow-up by appending a new version.

        ``entry_id`` may be the original entry or any of its versions, but only the
        current version can be amended (so two staff cannot silently overwrite each
        other). Returns the new version's entry id.
        """
        kinds: dict[type, EntryKind] = {
            Administration: EntryKind.ADMINISTRATION,
            ReactionRecord: EntryKind.REACTION,
            FollowUp: EntryKind.FOLLOW_UP,
        }
        kind = kinds.get(type(record))
        errors = []
        if kind is None:
            errors.append("record: expected an administration, reaction or follow-up")
        try:
            check_id(amended_by)
        except Expected as exc:
            errors.append(f"amended_by: {exc}")
        if not isinstance(reason, str) or not reason.strip():
            errors.append("reason: expected a non-empty text")
        if errors:
            raise ValidationError(errors, what="amendment")
        assert kind is not None
        with self._store.write() as w:
            target = self._store.row_by_id(w.conn, entry_id)
            if target is None:
                raise ValidationError(
                    [f"entry_id: no entry {entry_id} in this log"], what="amendment"
                )
            if target["kind"] != kind.value:
                raise ValidationError(
                    [f"record: entry {entry_id} is a {target['kind']}, not a {kind.value}"],
                    what="amendment",
                )
            current = self._store.current(w.conn, target["root_id"])
            assert current is not None
            if current["entry_id"] != entry_id:
                raise ValidationError(
                    [
                        f"entry_id: {entry_id} was already amended by {current['entry_id']}; "
                        "amend the current version"
                    ],
                    what="amendment",
                )
            amendment = {"amends": entry_id, "amended_by": amended_by, "reason": reason}
            if kind is EntryKind.ADMINISTRATION:
                payload: dict[str, Any] = {"record": converter.unstructure(record)}
            elif kind is EntryKind.REACTION:
                assert isinstance(record, ReactionRecord)
                adm = self._current_of_kind(
                    w,
                    record.administration_id,
                    EntryKind.ADMINISTRATION,
                    "record.administration_id",
                )
                payload = self._reaction_payload(record, adm)
            else:
                assert isinstance(record, FollowUp)
                reaction = self._current_of_kind(
                    w, record.reaction_id, EntryKind.REACTION, "record.reaction_id"
                )
                payload = {
                    "record": converter.unstructure(record),
                    "patient_id": reaction["patient_id"],
                    "reaction_root": reaction["root_id"],
                }
            payload["amendment"] = amendment
            row = self._append(w, kind, payload, self._now_text(), root_id=target["root_id"])
            if kind is EntryKind.ADMINISTRATION:
                w.count(_count_key(current), -1)
                # Its reactions now count under the corrected day, route, origin and lot.
                for category in self._current_reaction_categories(w.conn, current["root_id"]):
                    w.count_reaction((*_count_key(current), category), -1)
                    w.count_reaction((*_count_key(row), category), 1)
            elif kind is EntryKind.REACTION:
                before = self._store.current(w.conn, current["administration_id"])
                assert before is not None
                w.count_reaction((*_count_key(before), current["category"]), -1)
                w.count_reaction((*_count_key(adm), row["category"]), 1)
        if kind is EntryKind.REACTION:
            self._fire(_alerts_for(row, payload))
        return str(row["entry_id"])

    def _current_reaction_categories(self, conn: sa.Connection, adm_root: str) -> list[str]:
        return [
            str(c)
            for (c,) in conn.execute(
                sa.select(ENTRIES.c.category).where(
                    ENTRIES.c.kind == EntryKind.REACTION.value,
                    ENTRIES.c.administration_id == adm_root,
                    is_current(),
                )
            )
        ]

    def _reaction_payload(self, reaction: ReactionRecord, adm: Mapping[str, Any]) -> dict[str, Any]:
        adm_record = json.loads(adm["payload"])["record"]
        administered_at = dt.datetime.fromisoformat(
            adm_record["administered_at"].replace("Z", "+00:00")
        )
        if reaction.onset < administered_at:
            raise ValidationError(
                ["reaction.onset: expected a time at or after the administration"],
                what="reaction",
            )
        g = grade(
            reaction.reaction,
            route=Route(adm_record["route"]),
            on=reaction.onset.astimezone(JST).date(),
        )
        return {
            "record": converter.unstructure(reaction),
            "grade": g.to_dict(),
            "patient_id": adm["patient_id"],
            "administration_root": adm["root_id"],
        }

    def _current_of_kind(
        self, w: Writer, entry_id: str, kind: EntryKind, path: str
    ) -> Mapping[str, Any]:
        row = self._store.row_by_id(w.conn, entry_id)
        if row is None or row["kind"] != kind.value:
            raise ValidationError(
                [f"{path}: no {kind.value} {entry_id} in this log"], what=kind.value
            )
        current = self._store.current(w.conn, row["root_id"])
        assert current is not None
        return current

    def _by_ref(self, conn: sa.Connection, kind: EntryKind, ref: str) -> RowData | None:
        return (
            conn.execute(
                sa.select(ENTRIES)
                .where(ENTRIES.c.kind == kind.value, ENTRIES.c.ref_id == ref)
                .order_by(ENTRIES.c.seq)
                .limit(1)
            )
            .mappings()
            .first()
        )

    # -- consent gate ---------------------------------------------------------------------

    def consent(self, consent_id: str) -> ConsentRecord | None:
        """The recorded consent with this id, or None."""
        with self._store.read() as conn:
            row = self._by_ref(conn, EntryKind.CONSENT, consent_id)
        if row is None:
            return None
        record: ConsentRecord = _entry(row).record
        return record

    def check_consent(
        self, administration: Administration, current_templates: Mapping[str, str]
    ) -> ConsentRecord:
        """Raise :class:`~exointake.ScreeningRefused` unless the administration's consent
        is recorded, is the same patient's and was given on a current template."""
        consent = self.consent(administration.consent_id)
        cid = administration.consent_id
        if consent is None:
            raise ScreeningRefused(f"consent {cid} is not recorded in this log")
        if consent.patient_id != administration.patient_id:
            raise ScreeningRefused(
                f"consent {cid} belongs to patient {consent.patient_id}, "
                f"not {administration.patient_id}"
            )
        current = current_templates.get(consent.template_id)
        if current != consent.template_sha256:
            state = "is no longer in use" if current is None else "has changed since"
            raise ScreeningRefused(
                f"consent {cid} was given on template {consent.template_id} version "
                f"{consent.template_version} (sha256 {consent.template_sha256[:12]}…), which "
                f"{state}; the patient must consent again before the next administration"
            )
        return consent

    def consents_needing_reconsent(self, current: Mapping[str, str]) -> list[ConsentRecord]:
        """Each patient's latest consent per template, where that template has changed.

        Args:
            current: ``{template_id: template_sha256}`` of the templates in force. A
                consent whose template is missing from it counts as outdated (fail-safe).

        Returns the outdated consents, sorted by patient id then consent id.
        """
        latest: dict[tuple[str, str], ConsentRecord] = {}
        with self._store.read() as conn:
            rows = conn.execute(
                sa.select(ENTRIES.c.payload)
                .where(ENTRIES.c.kind == EntryKind.CONSENT.value)
                .order_by(ENTRIES.c.seq)
            )
            for (payload,) in rows:
                rec = converter.structure(json.loads(payload)["record"], ConsentRecord)
                key = (rec.patient_id, rec.template_id)
                prev = latest.get(key)
                if prev is None or rec.rendered_at >= prev.rendered_at:
                    latest[key] = rec
        out = [c for c in latest.values() if current.get(c.template_id) != c.template_sha256]
        return sorted(out, key=lambda c: (c.patient_id, c.consent_id))

    # -- reads ----------------------------------------------------------------------------

    def get(self, entry_id: str) -> EntryView:
        """An entry's current version with its history (``entry_id`` may be any version)."""
        with self._store.read() as conn:
            row = self._store.row_by_id(conn, entry_id)
            if row is None:
                raise KeyError(entry_id)
            versions = self._store.versions(conn, row["root_id"])
        history = tuple(_entry(r) for r in versions)
        return EntryView(current=history[-1], history=history)

    def head(self) -> tuple[int, str]:
        """The last entry's position and hash — write it down to anchor the chain."""
        return self._store.head()

    def __len__(self) -> int:
        """How many entries the log holds."""
        return self.head()[0]

    def __bool__(self) -> bool:
        return True  # an open log is truthy even when empty

    def _select_current(self, *where: sa.ColumnElement[bool]) -> list[LogEntry]:
        with self._store.read() as conn:
            rows = (
                conn.execute(sa.select(ENTRIES).where(*where, is_current()).order_by(ENTRIES.c.seq))
                .mappings()
                .all()
            )
        return [_entry(r) for r in rows]

    def administrations_for_patient(self, patient_id: str) -> list[LogEntry]:
        """The patient's administrations (current versions), oldest first."""
        return self._select_current(
            ENTRIES.c.patient_id == patient_id, ENTRIES.c.kind == EntryKind.ADMINISTRATION.value
        )

    def reactions_for_patient(self, patient_id: str) -> list[LogEntry]:
        """The patient's reactions (current versions), oldest first."""
        return self._select_current(
            ENTRIES.c.patient_id == patient_id, ENTRIES.c.kind == EntryKind.REACTION.value
        )

    def serious_cases(self) -> list[LogEntry]:
        """Reactions (current versions) graded anaphylaxis or serious, oldest first."""
        return self._select_current(
            ENTRIES.c.kind == EntryKind.REACTION.value,
            sa.or_(ENTRIES.c.category == "anaphylaxis", ENTRIES.c.serious.is_(True)),
        )

    def open_follow_ups(self) -> list[LogEntry]:
        """For each reaction, its latest follow-up when that one is still open."""
        latest: dict[str, RowData] = {}
        with self._store.read() as conn:
            rows = conn.execute(
                sa.select(ENTRIES)
                .where(ENTRIES.c.kind == EntryKind.FOLLOW_UP.value, is_current())
                .order_by(ENTRIES.c.seq)
            ).mappings()
            for row in rows:
                latest[row["reaction_id"]] = row  # the reaction's root id
        return [
            _entry(row)
            for row in sorted(latest.values(), key=lambda r: int(r["seq"]))
            if row["status"] == FollowUpStatus.OPEN.value
        ]

    def recall(self, lot: str) -> Recall:
        """Every administration of ``lot`` and every reaction that followed one."""
        a = ENTRIES.alias("a")
        administrations = self._select_current(
            ENTRIES.c.lot == lot, ENTRIES.c.kind == EntryKind.ADMINISTRATION.value
        )
        with self._store.read() as conn:
            rows = (
                conn.execute(
                    sa.select(ENTRIES)
                    .select_from(ENTRIES.join(a, a.c.root_id == ENTRIES.c.administration_id))
                    .where(
                        a.c.lot == lot,
                        a.c.kind == EntryKind.ADMINISTRATION.value,
                        is_current(a),
                        ENTRIES.c.kind == EntryKind.REACTION.value,
                        is_current(),
                    )
                    .order_by(ENTRIES.c.seq)
                )
                .mappings()
                .all()
            )
        reactions = [_entry(r) for r in rows]
        return Recall(lot=lot, administrations=tuple(administrations), reactions=tuple(reactions))

    def rates(self, *, since: dt.date | None = None, until: dt.date | None = None) -> RateReport:
        """Reactions per 1,000 administrations by route, origin and lot, and by category.

        The period selects administrations by their date (JST, inclusive); a reaction
        counts in the period of the administration it followed. Reads the counts the log
        keeps with every entry, so it takes milliseconds whatever the log's size.
        """
        c = COUNTS.c
        rc = RCOUNTS.c
        where_c = []
        where_r = []
        if since is not None:
            where_c.append(c.day >= since.isoformat())
            where_r.append(rc.day >= since.isoformat())
        if until is not None:
            where_c.append(c.day <= until.isoformat())
            where_r.append(rc.day <= until.isoformat())
        admins: dict[tuple[str, str], int] = {}
        reacts: dict[tuple[str, str], dict[str, int]] = {}
        with self._store.read() as conn:
            # One small aggregate per dimension, so the database does the summing.
            for dim in DIMENSIONS:
                col, rcol = c[dim], rc[dim]
                for value, n in conn.execute(
                    sa.select(col, sa.func.sum(c.n)).where(*where_c).group_by(col)
                ):
                    if n:
                        admins[(dim, value)] = int(n)
                for value, category, n in conn.execute(
                    sa.select(rcol, rc.category, sa.func.sum(rc.n))
                    .where(*where_r)
                    .group_by(rcol, rc.category)
                ):
                    if n:
                        cats = reacts.get((dim, value))
                        if cats is None:
                            cats = reacts[(dim, value)] = dict.fromkeys(CATEGORIES, 0)
                        cats[category] = cats.get(category, 0) + int(n)
        return _rate_report(since, until, admins, reacts)

    # -- verify ---------------------------------------------------------------------------

    def verify(self, *, batch: int = 2000) -> VerifyReport:
        """Walk the whole chain from the first entry and re-check every hash and link.

        Streams the entries in pages of ``batch`` rows, so memory stays flat however long
        the log is. Detects any edit, deletion, insertion or reordering of entries made
        outside the library, and query columns that no longer match their entry.
        """
        head_seq, head_hash = self._store.head()
        expected_seq = 1
        prev = GENESIS_HASH
        count = 0
        counts: dict[tuple[str, str, str, str], int] = {}

        def broken(row: RowData | None, problem: str) -> VerifyReport:
            return VerifyReport(
                ok=False,
                entries=count,
                head_seq=head_seq,
                head_hash=head_hash,
                broken_entry_id=None if row is None else str(row["entry_id"]),
                broken_seq=None if row is None else int(row["seq"]),
                problem=problem,
            )

        for row in self._store.iter_rows(batch=batch):
            seq = int(row["seq"])
            if seq > head_seq:
                return broken(row, "entry beyond the recorded head (appended outside the library)")
            if seq != expected_seq:
                return broken(row, f"entries {expected_seq}..{seq - 1} are missing")
            if row["prev_hash"] != prev:
                return broken(row, "does not link to the previous entry (reordered or removed)")
            digest = entry_hash(
                seq=seq,
                entry_id=row["entry_id"],
                kind=row["kind"],
                recorded_at=row["recorded_at"],
                payload=row["payload"],
                prev_hash=row["prev_hash"],
            )
            if digest != row["entry_hash"]:
                return broken(row, "content does not match its hash (edited)")
            problem = self._check_columns(row, counts)
            if problem is not None:
                return broken(row, problem)
            prev = str(row["entry_hash"])
            expected_seq = seq + 1
            count += 1
        if count != head_seq:
            return VerifyReport(
                ok=False,
                entries=count,
                head_seq=head_seq,
                head_hash=head_hash,
                problem=f"the head records {head_seq} entries but {count} were found "
                "(entries at the end were removed)",
            )
        if prev != head_hash:
            return VerifyReport(
                ok=False,
                entries=count,
                head_seq=head_seq,
                head_hash=head_hash,
                problem="the last entry's hash does not match the recorded head",
            )
        problem = self._check_counts(counts)
        if problem is not None:
            return VerifyReport(
                ok=False, entries=count, head_seq=head_seq, head_hash=head_hash, problem=problem
            )
        return VerifyReport(ok=True, entries=count, head_seq=head_seq, head_hash=head_hash)

    def _check_columns(
        self, row: RowData, counts: dict[tuple[str, str, str, str], int]
    ) -> str | None:
        target: RowData | None = None
        try:
            kind = EntryKind(row["kind"])
            payload = json.loads(row["payload"])
            root = row["entry_id"]
            amendment = payload.get("amendment")
            if amendment is not None:
                if kind not in _AMENDABLE:
                    return f"a {kind.value} cannot be amended"
                with self._store.read() as conn:
                    target = self._store.row_by_id(conn, amendment["amends"])
                if target is None or int(target["seq"]) >= int(row["seq"]):
                    return "amends an entry that does not precede it"
                if target["kind"] != kind.value:
                    return f"amends a {target['kind']} with a {kind.value}"
                root = str(target["root_id"])
            expected = derive_columns(kind, row["entry_id"], root, payload)
        except (ValueError, KeyError, TypeError):
            return "payload is not a valid entry"
        for name in QUERY_COLUMNS:
            got = row[name]
            want = expected.get(name)
            if name == "serious" and got is not None:
                got = bool(got)
            if got != want:
                return f"column {name} does not match the entry's content"
        if kind is EntryKind.ADMINISTRATION:
            key = _count_key(expected)
            counts[key] = counts.get(key, 0) + 1
            if target is not None:
                old = _count_key(target)
                counts[old] = counts.get(old, 0) - 1
        return None

    def _check_counts(self, counts: dict[tuple[str, str, str, str], int]) -> str | None:
        """Compare the administration counts with those re-derived from the entries."""
        expected = {k: n for k, n in counts.items() if n}
        c = COUNTS.c
        with self._store.read() as conn:
            rows = conn.execute(sa.select(c.day, c.route, c.origin, c.lot, c.n))
            for day, route, origin, lot, n in rows:
                if int(n) != expected.pop((day, route, origin, lot), 0):
                    return (
                        f"the administration counts for {day} {route} {origin} lot {lot} do not "
                        "match the entries (rate reports would be wrong)"
                    )
        if expected:
            day, route, origin, lot = min(expected)
            return (
                f"the administration counts for {day} {route} {origin} lot {lot} are missing "
                "(rate reports would be wrong)"
            )
        return self._check_reaction_counts()

    def _check_reaction_counts(self) -> str | None:
        """Compare the reaction counts with a recount joining reactions to administrations."""
        a = ENTRIES.alias("a")
        r = ENTRIES.alias("r")
        rc = RCOUNTS.c
        with self._store.read() as conn:
            recount = {
                (day, route, origin, lot, category): int(n)
                for day, route, origin, lot, category, n in conn.execute(
                    sa.select(
                        a.c.day, a.c.route, a.c.origin, a.c.lot, r.c.category, sa.func.count()
                    )
                    .select_from(r.join(a, a.c.root_id == r.c.administration_id))
                    .where(
                        r.c.kind == EntryKind.REACTION.value,
                        a.c.kind == EntryKind.ADMINISTRATION.value,
                        is_current(r),
                        is_current(a),
                    )
                    .group_by(a.c.day, a.c.route, a.c.origin, a.c.lot, r.c.category)
                )
            }
            stored = conn.execute(
                sa.select(rc.day, rc.route, rc.origin, rc.lot, rc.category, rc.n).where(rc.n != 0)
            )
            for day, route, origin, lot, category, n in stored:
                if int(n) != recount.pop((day, route, origin, lot, category), 0):
                    return (
                        f"the {category} reaction counts for {day} {route} {origin} lot {lot} "
                        "do not match the entries (rate reports would be wrong)"
                    )
        if recount:
            day, route, origin, lot, category = min(recount)
            return (
                f"the {category} reaction counts for {day} {route} {origin} lot {lot} are "
                "missing (rate reports would be wrong)"
            )
        return None


def _rate_report(
    since: dt.date | None,
    until: dt.date | None,
    admins: Mapping[tuple[str, str], int],
    reacts: Mapping[tuple[str, str], Mapping[str, int]],
) -> RateReport:
    # Every administration and reaction has one route: the route rows hold the totals.
    total_a = sum(n for (dim, _), n in admins.items() if dim == "route")
    total_by_cat: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
    for (dim, _), cats in reacts.items():
        if dim == "route":
            for category, n in cats.items():
                total_by_cat[category] = total_by_cat.get(category, 0) + n
    rows = []
    for key in sorted(set(admins) | set(reacts), key=lambda k: (DIMENSIONS.index(k[0]), k[1])):
        cats = dict(reacts.get(key) or dict.fromkeys(CATEGORIES, 0))
        rows.append(
            RateRow(
                dimension=key[0],
                value=key[1],
                administrations=admins.get(key, 0),
                reactions=sum(cats.values()),
                by_category=cats,
            )
        )
    return RateReport(
        since=since,
        until=until,
        administrations=total_a,
        reactions=sum(total_by_cat.values()),
        by_category=total_by_cat,
        rows=tuple(rows),
    )


# ---------------------------------------------------------------------------- helpers


def _require(value: object, cls: type, path: str) -> None:
    if not isinstance(value, cls):
        raise ValidationError(
            [f"{path}: expected {cls.__name__}, got {type(value).__name__}"], what=path
        )


_RECORD_TYPES: dict[str, type] = {
    EntryKind.ADMINISTRATION: Administration,
    EntryKind.REACTION: ReactionRecord,
    EntryKind.FOLLOW_UP: FollowUp,
    EntryKind.CONSENT: ConsentRecord,
    EntryKind.SCREENING: ScreeningRecord,
}


_READERS: dict[str, Callable[[Any, type], Any]] = {}


def _reader(kind: str) -> Callable[[Any, type], Any]:
    """Structure stored records with the one converter, without detailed error collection.

    Stored payloads were written by the library and are covered by the hash chain, so
    reading them back needs the checks but not the path-by-path error report.
    """
    fn = _READERS.get(kind)
    if fn is None:
        fn = make_dict_structure_fn(
            _RECORD_TYPES[kind], converter, _cattrs_detailed_validation=False
        )
        _READERS[kind] = fn
    return fn


def _entry(row: RowData) -> LogEntry:
    kind = EntryKind(row["kind"])
    payload = json.loads(row["payload"])
    record: Any = _reader(kind)(payload["record"], _RECORD_TYPES[kind])
    amendment = payload.get("amendment")
    return LogEntry(
        entry_id=row["entry_id"],
        seq=int(row["seq"]),
        kind=kind,
        recorded_at=dt.datetime.fromisoformat(row["recorded_at"].replace("Z", "+00:00")),
        record=record,
        entry_hash=row["entry_hash"],
        prev_hash=row["prev_hash"],
        root_id=row["root_id"],
        amendment=None if amendment is None else converter.structure(amendment, Amendment),
        grade=payload.get("grade"),
    )


def _alerts_for(row: Mapping[str, Any], payload: Mapping[str, Any]) -> list[Alert]:
    grade = payload["grade"]
    if grade["category"] != "anaphylaxis" and not grade["serious"]:
        return []
    return [
        Alert(
            entry_id=row["entry_id"],
            reaction_id=row["root_id"],
            administration_id=row["administration_id"],
            patient_id=row["patient_id"],
            category=grade["category"],
            serious=bool(grade["serious"]),
            brighton_level=grade.get("brighton_level"),
        )
    ]


def iter_entries(log: Log) -> Iterator[LogEntry]:
    """Every entry in chain order (streamed)."""
    for row in log._store.iter_rows():
        yield _entry(row)
