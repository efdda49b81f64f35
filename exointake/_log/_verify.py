"""Verifying the log: re-check every entry's hash, link and query columns, then the counts."""

from __future__ import annotations

import json
from typing import Any, Final

from attrs import frozen

from .._convert import unstructure, with_article
from .._errors import LogIntegrityError, ValidationError
from ._entries import (
    AMENDABLE,
    CountKey,
    EntryKind,
    column_values,
    count_key,
    payload_bucket,
)
from ._store import CHAIN_COLUMNS, GENESIS_HASH, QUERY_COLUMNS, Store, entry_hash

__all__ = ["Verify", "VerifyReport"]


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
        """Plain JSON-ready data (the unstructured form)."""
        return unstructure(self)  # type: ignore[no-any-return]


_N_HASHED: Final = 7  # seq, entry_id, kind, recorded_at, payload, prev_hash, entry_hash
assert CHAIN_COLUMNS[:_N_HASHED] == (
    "seq",
    "entry_id",
    "kind",
    "recorded_at",
    "payload",
    "prev_hash",
    "entry_hash",
)
_KINDS: Final = {k.value: k for k in EntryKind}


class _Broken(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class Verify:
    """The verifying part of :class:`~exointake.Log`."""

    __slots__ = ()
    _store: Store

    def verify(self, *, batch: int = 2000) -> VerifyReport:
        """Walk the whole chain from the first entry and re-check every hash and link.

        Streams the entries in pages of ``batch`` rows (a positive integer), so memory
        stays flat however long the log is. Detects any edit, deletion, insertion or
        reordering of entries made outside the library, and query columns or counts that
        no longer match their entries.
        """
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise ValidationError(
                [f"batch: expected a positive integer, got {batch!r}"[:80]], what="argument"
            )
        head_seq, head_hash = self._store.head()
        expected_seq = 1
        prev = GENESIS_HASH
        count = 0
        counts: dict[CountKey, int] = {}
        decode = json.JSONDecoder().raw_decode  # stored payloads are canonical: no padding
        kinds = _KINDS
        administration = EntryKind.ADMINISTRATION

        def report(problem: str | None = None, row: Any = None) -> VerifyReport:
            return VerifyReport(
                ok=problem is None,
                entries=count,
                head_seq=head_seq,
                head_hash=head_hash,
                broken_entry_id=None if row is None else str(row[1]),
                broken_seq=None if row is None else int(row[0]),
                problem=problem,
            )

        for page in self._store.iter_chain(batch=batch):
            for row in page:
                seq, entry_id, kind, recorded_at, payload, prev_hash, stored = row[:_N_HASHED]
                if seq > head_seq:
                    return report(
                        "entry beyond the recorded head (appended outside the library)", row
                    )
                if seq != expected_seq:
                    return report(f"entries {expected_seq}..{seq - 1} are missing", row)
                if prev_hash != prev:
                    return report("does not link to the previous entry (reordered or removed)", row)
                digest = entry_hash(
                    seq=seq,
                    entry_id=entry_id,
                    kind=kind,
                    recorded_at=recorded_at,
                    payload=payload,
                    prev_hash=prev_hash,
                )
                if digest != stored:
                    return report("content does not match its hash (edited)", row)
                # The query columns, re-derived from the payload alone.
                try:
                    entry_kind = kinds[kind]
                    data, end = decode(payload)
                    if end != len(payload):
                        raise ValueError("trailing data")
                    root = entry_id
                    target = None
                    amendment = data.get("amendment")
                    if amendment is not None:
                        target = self._amended(seq, entry_kind, amendment["amends"])
                        root = target[2]
                    want = column_values(entry_kind, entry_id, root, data)
                except _Broken as exc:
                    return report(exc.problem, row)
                except (ValueError, KeyError, TypeError, AttributeError):
                    return report("payload is not a valid entry", row)
                got = row[_N_HASHED:]
                if got != want:
                    for name, g, w in zip(QUERY_COLUMNS, got, want, strict=True):
                        if g != w:
                            return report(f"column {name} does not match the entry's content", row)
                if entry_kind is administration:
                    key = (want[9], want[7], want[8], want[6])  # day, route, origin, lot
                    counts[key] = counts.get(key, 0) + 1
                    if target is not None and target[3] is not None:
                        old = target[3]
                        counts[old] = counts.get(old, 0) - 1
                prev = stored
                expected_seq = seq + 1
                count += 1
        if count != head_seq:
            return report(
                f"the head records {head_seq} entries but {count} were found "
                "(entries at the end were removed)"
            )
        if prev != head_hash:
            return report("the last entry's hash does not match the recorded head")
        return report(self._check_counts(counts))

    def _amended(
        self, seq: int, kind: EntryKind, amends: str
    ) -> tuple[int, str, str, CountKey | None]:
        """(seq, kind, root id, count key) of the entry an amendment at ``seq`` corrects."""
        if kind not in AMENDABLE:
            raise _Broken(f"{with_article(kind.value)} cannot be amended")
        with self._store.read() as r:
            target = r.row_by_id(amends)
        if target is None or int(target["seq"]) >= seq:
            raise _Broken("amends an entry that does not precede it")
        if target["kind"] != kind.value:
            raise _Broken(
                f"amends {with_article(str(target['kind']))} with {with_article(kind.value)}"
            )
        key = count_key(target) if kind is EntryKind.ADMINISTRATION else None
        return int(target["seq"]), str(target["kind"]), str(target["root_id"]), key

    def _check_counts(self, counts: dict[CountKey, int]) -> str | None:
        """Compare the stored counts with those re-derived from the entries."""
        expected = {k: n for k, n in counts.items() if n}
        with self._store.read() as r:
            for (day, route, origin, lot), n in r.admin_counts():
                if n != expected.pop((day, route, origin, lot), 0):
                    return (
                        f"the administration counts for {day} {route} {origin} lot {lot} do not "
                        "match the entries (rate reports would be wrong)"
                    )
            if expected:
                day, route, origin, lot = min(expected)
                return (
                    f"the administration counts for {day} {route} {origin} lot {lot} are "
                    "missing (rate reports would be wrong)"
                )
            recount = r.reaction_recount(
                reaction=EntryKind.REACTION,
                administration=EntryKind.ADMINISTRATION,
                bucket=payload_bucket,
            )
            for (day, route, origin, lot, category), n in r.reaction_counts():
                if n != recount.pop((day, route, origin, lot, category), 0):
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
