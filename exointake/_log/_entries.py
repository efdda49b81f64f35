"""What the log stores: entry kinds, each kind's payload (built in exactly one place),
the query columns derived from a payload, and stored rows read back as values.

Knows nothing of SQL: rows come from and go to :mod:`exointake._log._store` as plain
mappings and tuples.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from attrs import field, frozen
from cattrs.gen import make_dict_structure_fn

from .._common import JST, Route
from .._convert import canonical_json, converter, omit
from .._errors import ValidationError
from .._grading import grade
from .._reactions import ReactionRecord
from .._records import Administration, ConsentRecord, FollowUp, ScreeningRecord
from ._canon import canonical_encoder
from ._store import QUERY_COLUMNS

__all__ = [
    "AMENDABLE",
    "Amendment",
    "CountKey",
    "EntryKind",
    "EntryView",
    "LogEntry",
    "Record",
    "administration_columns",
    "administration_payload",
    "column_values",
    "count_key",
    "derive_columns",
    "entry_from_row",
    "event_bucket",
    "follow_up_payload",
    "jst_day",
    "new_entry_id",
    "new_entry_ids",
    "payload_bucket",
    "payload_text",
    "reaction_payload",
    "record_payload",
    "require",
]

Record: TypeAlias = Administration | ReactionRecord | FollowUp | ConsentRecord | ScreeningRecord
"""Anything the log stores (the type of :attr:`LogEntry.record`)."""

CountKey: TypeAlias = tuple[str, str, str, str]
"""(day, route, origin, lot): the keys of the administration counts."""


class EntryKind(enum.StrEnum):
    """What an entry records."""

    ADMINISTRATION = "administration"
    REACTION = "reaction"
    FOLLOW_UP = "follow_up"
    CONSENT = "consent"
    SCREENING = "screening"


AMENDABLE: Final = frozenset({EntryKind.ADMINISTRATION, EntryKind.REACTION, EntryKind.FOLLOW_UP})


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
    an amendment, ``amendment`` says which entry it corrects, why and by whom. Its
    unstructured form (:func:`exointake._convert.unstructure`) leaves out ``amendment``
    and ``grade`` when they are None.
    """

    entry_id: str
    seq: int
    kind: EntryKind
    recorded_at: dt.datetime
    record: Any
    entry_hash: str
    prev_hash: str
    root_id: str
    amendment: Amendment | None = field(default=None, metadata={"omit_if_none": True})
    grade: Mapping[str, Any] | None = field(
        default=None, repr=False, metadata={"omit_if_none": True}
    )
    # An entry read back from the store keeps its stored payload text here until
    # ``record``, ``grade`` or ``amendment`` is first read (see :func:`entry_from_row`).
    _payload: str | bytes | None = field(
        default=None, init=False, eq=False, repr=False, metadata=omit()
    )

    if not TYPE_CHECKING:  # keep mypy's attribute checks: the lazy names are real fields

        def __getattr__(self, name: str) -> Any:
            # Called only when a slot is still empty: the payload-derived fields of an
            # entry read back from the store, built on first use.
            if name in _LAZY_FIELDS:
                payload = object.__getattribute__(self, "_payload")
                if payload is not None:
                    _load(self, payload)
                    return object.__getattribute__(self, name)
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the unstructured form)."""
        return json.loads(canonical_json(converter.unstructure(self)))  # type: ignore[no-any-return]


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


# ---------------------------------------------------------------------------- ids


def new_entry_id() -> str:
    """A time-ordered opaque id: 12 hex digits of milliseconds, 20 random hex digits."""
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


def new_entry_ids(n: int) -> list[str]:
    """``n`` fresh entry ids at once (one clock read, one call for the random part)."""
    stamp = f"{time.time_ns() // 1_000_000:012x}"
    rand = os.urandom(10 * n).hex()
    return [stamp + rand[20 * i : 20 * i + 20] for i in range(n)]


def require(value: object, cls: type, path: str) -> None:
    """Refuse a value of the wrong type with a :class:`ValidationError` naming ``path``."""
    if not isinstance(value, cls):
        raise ValidationError(
            [f"{path}: expected {cls.__name__}, got {type(value).__name__}"], what=path
        )


# ---------------------------------------------------------------------------- payloads
# One builder per kind. A payload is a JSON object with the record under "record",
# what the log derived when appending (grade, patient, the entry it follows), and the
# amendment when it corrects an earlier entry.


def _amendment_json(amendment: Amendment | None) -> str:
    if amendment is None:
        return ""
    return '"amendment":' + canonical_json(converter.unstructure(amendment)).decode("utf-8") + ","


def administration_payload(adm: Administration, amendment: Amendment | None = None) -> str:
    """The canonical JSON payload of an administration entry (the fast encoder's text,
    equal to :func:`payload_text` of ``{"record": ..., "amendment": ...}``)."""
    return (
        "{"
        + _amendment_json(amendment)
        + '"record":'
        + canonical_encoder(Administration)(adm)
        + "}"
    )


def reaction_payload(
    reaction: ReactionRecord, administration: Mapping[str, Any], amendment: Amendment | None = None
) -> dict[str, Any]:
    """A reaction's payload: the record, its grade for the administration's route, the
    patient and the administration's root id. ``administration`` is the current row of
    the administration it follows."""
    adm_record = json.loads(administration["payload"])["record"]
    administered_at = dt.datetime.fromisoformat(
        adm_record["administered_at"].replace("Z", "+00:00")
    )
    if reaction.onset < administered_at:
        raise ValidationError(
            ["reaction.onset: expected a time at or after the administration"], what="reaction"
        )
    g = grade(
        reaction.reaction,
        route=Route(adm_record["route"]),
        on=reaction.onset.astimezone(JST).date(),
    )
    payload = {
        "record": converter.unstructure(reaction),
        "grade": g.to_dict(),
        "patient_id": administration["patient_id"],
        "administration_root": administration["root_id"],
    }
    return _with_amendment(payload, amendment)


def event_bucket(grade: Mapping[str, Any] | None) -> str:
    """Where a graded reaction counts in the rate report: its article category when it is
    a table reaction, else its event kind (``infection``, ``needle_related``, ``other``).
    Grades made before event kinds existed are table reactions."""
    if grade is None:
        return "none"
    kind = grade.get("event_kind", "table_reaction")
    if kind == "table_reaction":
        return str(grade.get("category") or "none")
    return str(kind)


def payload_bucket(payload: str) -> str:
    """:func:`event_bucket` of a stored reaction payload (its JSON text)."""
    grade: Mapping[str, Any] | None = json.loads(payload).get("grade")
    return event_bucket(grade)


def follow_up_payload(
    follow_up: FollowUp, reaction: Mapping[str, Any], amendment: Amendment | None = None
) -> dict[str, Any]:
    """A follow-up's payload: the record, the patient and the reaction's root id.
    ``reaction`` is the current row of the reaction it follows."""
    payload = {
        "record": converter.unstructure(follow_up),
        "patient_id": reaction["patient_id"],
        "reaction_root": reaction["root_id"],
    }
    return _with_amendment(payload, amendment)


def record_payload(record: ConsentRecord | ScreeningRecord) -> dict[str, Any]:
    """The payload of a consent or screening entry: the record alone.

    An unsigned consent carries no ``signed_pdf_sha256`` key, so its payload is the
    one it had before signed documents were recorded.
    """
    data = converter.unstructure(record)
    if isinstance(record, ConsentRecord) and data.get("signed_pdf_sha256") is None:
        data.pop("signed_pdf_sha256", None)
    return {"record": data}


def _with_amendment(payload: dict[str, Any], amendment: Amendment | None) -> dict[str, Any]:
    if amendment is not None:
        payload["amendment"] = converter.unstructure(amendment)
    return payload


def payload_text(payload: Mapping[str, Any]) -> str:
    """The stored (canonical JSON) text of a payload."""
    return canonical_json(dict(payload)).decode("utf-8")


# ---------------------------------------------------------------------------- columns

_JST_OFFSET: Final = dt.timedelta(hours=9)  # Japan has no daylight saving time
_DAYS: dict[str, str] = {}


def jst_day(value: str) -> str:
    """The Japan-time day of a stored UTC date-time text (``YYYY-MM-DDTHH:…Z``)."""
    canonical = value[-1:] == "Z" and value[13:14] == ":"
    if canonical:
        day = _DAYS.get(value[:13])  # in UTC, the hour decides the day in Japan
        if day is not None:
            return day
    day = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(JST).date().isoformat()
    if canonical and len(_DAYS) < 100_000:
        _DAYS[value[:13]] = day
    return day


def administration_columns(adm: Administration, entry_id: str) -> dict[str, Any]:
    """The query columns of a new administration, straight from the value.

    Equal to :func:`derive_columns` of its payload (tests check it); the append path.
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


def column_values(
    kind: str, entry_id: str, root_id: str, payload: Mapping[str, Any]
) -> tuple[Any, ...]:
    """The query columns of an entry, derived from its payload only, in the table's order
    (:data:`~exointake._log._store.QUERY_COLUMNS`). What verify re-derives and compares:
    ``root_id, amends, patient_id, administration_id, reaction_id, ref_id, lot, route,
    origin, day, category, serious, status, template_id, template_sha256``."""
    rec = payload["record"]
    amendment = payload.get("amendment")
    amends = None if amendment is None else amendment["amends"]
    if kind == EntryKind.ADMINISTRATION:
        product = rec["product"]
        return (
            root_id, amends, rec["patient_id"], None, None, None, product["lot"],
            rec["route"], product["origin"], jst_day(rec["administered_at"]),
            None, None, None, None, None,
        )  # fmt: skip
    if kind == EntryKind.REACTION:
        g = payload["grade"]
        return (
            root_id, amends, payload["patient_id"], payload["administration_root"], None,
            None, None, None, None, jst_day(rec["onset"]),
            g["category"], bool(g["serious"]), None, None, None,
        )  # fmt: skip
    if kind == EntryKind.FOLLOW_UP:
        return (
            root_id, amends, payload["patient_id"], None, payload["reaction_root"],
            None, None, None, None, jst_day(rec["on"]),
            None, None, rec["status"], None, None,
        )  # fmt: skip
    if kind == EntryKind.CONSENT:
        return (
            root_id, amends, rec["patient_id"], None, None,
            rec["consent_id"], None, None, None, None,
            None, None, None, rec["template_id"], rec["template_sha256"],
        )  # fmt: skip
    if kind == EntryKind.SCREENING:
        return (
            root_id, amends, rec["patient_id"], None, None,
            rec["result_id"], None, None, None, None,
            None, None, rec["decision"], None, None,
        )  # fmt: skip
    raise ValueError(kind)


def derive_columns(
    kind: str, entry_id: str, root_id: str, payload: Mapping[str, Any]
) -> dict[str, Any]:
    """The query columns of an entry by name (:func:`column_values`)."""
    return dict(zip(QUERY_COLUMNS, column_values(kind, entry_id, root_id, payload), strict=True))


def count_key(cols: Mapping[str, Any]) -> CountKey:
    """The administration-count keys of an administration's columns (or row)."""
    return (cols["day"], cols["route"], cols["origin"], cols["lot"])


# ---------------------------------------------------------------------------- reading


_RECORD_TYPES: Final[Mapping[str, type]] = {
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


_LAZY_FIELDS: Final = frozenset({"record", "grade", "amendment"})
_KINDS: Final[Mapping[str, EntryKind]] = {k.value: k for k in EntryKind}
_new = object.__new__
_set = object.__setattr__


def entry_from_row(row: Mapping[str, Any]) -> LogEntry:
    """A stored row read back as a :class:`LogEntry`.

    The chain fields are set now; ``record``, ``grade`` and ``amendment`` are built from
    the stored payload when first read (reading the payload and structuring the record
    is most of the cost, and many callers only look at a few entries' records). The
    values are the same either way; a payload that does not read back raises then.
    """
    entry: LogEntry = _new(LogEntry)
    _set(entry, "entry_id", row["entry_id"])
    _set(entry, "seq", int(row["seq"]))
    _set(entry, "kind", _KINDS[row["kind"]])
    _set(
        entry,
        "recorded_at",
        dt.datetime.fromisoformat(row["recorded_at"].replace("Z", "+00:00")),
    )
    _set(entry, "entry_hash", row["entry_hash"])
    _set(entry, "prev_hash", row["prev_hash"])
    _set(entry, "root_id", row["root_id"])
    _set(entry, "_payload", row["payload"])
    return entry


def _load(entry: LogEntry, text: str | bytes) -> None:
    """Fill an entry's payload-derived fields from its stored payload (text, or its UTF-8)."""
    kind = entry.kind
    payload = json.loads(text)
    record: Any = _reader(kind)(payload["record"], _RECORD_TYPES[kind])
    amendment = payload.get("amendment")
    _set(entry, "record", record)
    _set(entry, "grade", payload.get("grade"))
    _set(
        entry,
        "amendment",
        None if amendment is None else converter.structure(amendment, Amendment),
    )
    _set(entry, "_payload", None)
