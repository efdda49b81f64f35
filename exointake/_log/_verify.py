"""Verifying the log: re-check every entry's hash, link and query columns, then the counts;
prove it still extends signed checkpoints; sign new ones."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

from attrs import frozen

from .._checkpoint import (
    Checkpoint,
    checkpoint_problem,
    load_private_key,
    load_public_key,
    sign_checkpoint,
)
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
from ._store import CHAIN_COLUMNS, GENESIS_HASH, QUERY_COLUMNS, Reader, Store, entry_hash

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

__all__ = ["Verify", "VerifyReport"]


@frozen
class VerifyReport:
    """The result of :meth:`Log.verify`.

    ``ok`` is True when every entry re-hashes to its stored hash, links to the previous
    one, the head matches, and the log extends every checkpoint it was given; otherwise
    ``broken_entry_id`` names the first entry where the chain breaks (None if the damage
    is in the head or a table) and ``problem`` says what. A database so damaged that the
    chain cannot be walked (its head row deleted, a table dropped) is a report too, with
    ``ok`` false; only a database that cannot be read at all raises
    :class:`~exointake.StorageError`.
    """

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    broken_entry_id: str | None = None
    broken_seq: int | None = None
    problem: str | None = None
    checkpoints: int = 0
    """How many signed checkpoints the log was checked against."""

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
    _clock: Callable[[], dt.datetime] | None

    def verify(
        self,
        *,
        batch: int = 2000,
        checkpoints: Iterable[Checkpoint] = (),
        public_key: Ed25519PublicKey | bytes | str | os.PathLike[str] | None = None,
    ) -> VerifyReport:
        """Walk the whole chain from the first entry and re-check every hash and link.

        Streams the entries in pages of ``batch`` rows (a positive integer), so memory
        stays flat however long the log is. Detects any edit, deletion, insertion or
        reordering of entries made outside the library, and query columns or counts that
        no longer match their entries. Everything is read from one consistent snapshot,
        so writers appending meanwhile do not disturb it.

        With ``checkpoints`` (signed by :meth:`checkpoint`, read back with
        :meth:`Checkpoint.from_json <exointake.log.Checkpoint.from_json>`) and the
        ``public_key`` that verifies them (an Ed25519 public key, or its PEM bytes or
        file), it also proves that the log still *extends* each checkpoint: the entry at
        the checkpoint's position still has the signed hash and the head is at or after
        it. That catches what the chain alone cannot: a tail deleted with the head
        rewritten to match, or a whole chain recomputed by someone who can write all of
        the database.

        Raises:
            ValidationError: a bad ``batch``; checkpoints without a public key; a
                checkpoint whose signature does not verify with ``public_key``
                (forged, altered, or signed by another key).
            StorageError: the database cannot be read at all.
        """
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise ValidationError(
                [f"batch: expected a positive integer, got {batch!r}"[:80]], what="argument"
            )
        signed = _checked(checkpoints, public_key)
        with self._store.snapshot() as r:
            missing = r.missing_tables()
            if missing:
                return VerifyReport(
                    ok=False,
                    entries=0,
                    head_seq=0,
                    head_hash="",
                    problem=f"the table {missing[0]} is missing (dropped outside exointake)",
                    checkpoints=len(signed),
                )
            head = r.head_or_none()
            if head is None:
                return VerifyReport(
                    ok=False,
                    entries=0,
                    head_seq=0,
                    head_hash="",
                    problem="the chain head (table log_head) has no row: it was deleted "
                    "outside exointake",
                    checkpoints=len(signed),
                )
            return self._walk(r, head, batch, signed)

    def _walk(
        self, r: Reader, head: tuple[int, str], batch: int, signed: list[Checkpoint]
    ) -> VerifyReport:
        head_seq, head_hash = head
        expected_seq = 1
        prev = GENESIS_HASH
        count = 0
        counts: dict[CountKey, int] = {}
        decode = json.JSONDecoder().raw_decode  # stored payloads are canonical: no padding
        administration = EntryKind.ADMINISTRATION
        wanted = {cp.seq for cp in signed}
        at_checkpoint: dict[int, tuple[str, str]] = {0: ("", GENESIS_HASH)}

        def report(problem: str | None = None, row: Any = None) -> VerifyReport:
            return VerifyReport(
                ok=problem is None,
                entries=count,
                head_seq=head_seq,
                head_hash=head_hash,
                broken_entry_id=None if row is None else str(row[1]),
                broken_seq=None if row is None else int(row[0]),
                problem=problem,
                checkpoints=len(signed),
            )

        for page in r.iter_chain(batch=batch):
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
                    entry_kind = _KINDS[kind]
                    data, end = decode(payload)
                    if end != len(payload):
                        raise ValueError("trailing data")
                    root = entry_id
                    target = None
                    amendment = data.get("amendment")
                    if amendment is not None:
                        target = _amended(r, seq, entry_kind, amendment["amends"])
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
                if seq in wanted:
                    at_checkpoint[seq] = (str(entry_id), str(stored))
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
        broken = _unextended(signed, at_checkpoint, head_seq)
        if broken is not None:
            problem, where = broken
            return report(problem, where)
        return report(_check_counts(r, counts))

    def checkpoint(
        self,
        private_key: Ed25519PrivateKey | bytes | str | os.PathLike[str],
        *,
        passphrase: bytes | None = None,
    ) -> Checkpoint:
        """Verify the log, then sign its head: a :class:`~exointake.log.Checkpoint` to
        keep **outside** the database (``checkpoint.to_json()`` is the file's content).

        Args:
            private_key: the clinic's Ed25519 private key, or its PEM bytes or file
                (:func:`~exointake.log.generate_signing_key` makes one).
            passphrase: for an encrypted PEM private key.

        The time signed is the log's clock (now, by default). A log that does not verify
        is never signed: :class:`~exointake.LogIntegrityError`.
        """
        key = (
            private_key
            if not isinstance(private_key, bytes | str | os.PathLike)
            else load_private_key(private_key, passphrase)
        )
        report = self.verify()
        report.raise_if_broken()
        now = (self._clock or _utc_now)()
        return sign_checkpoint(report.head_seq, report.head_hash, key, signed_at=now)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _checked(
    checkpoints: Iterable[Checkpoint],
    public_key: Ed25519PublicKey | bytes | str | os.PathLike[str] | None,
) -> list[Checkpoint]:
    """The checkpoints, each checked to be signed by ``public_key``, in ``seq`` order."""
    if isinstance(checkpoints, Checkpoint):
        checkpoints = [checkpoints]
    signed = list(checkpoints)
    for n, cp in enumerate(signed):
        if not isinstance(cp, Checkpoint):
            raise ValidationError(
                [f"checkpoints[{n}]: expected a Checkpoint (Checkpoint.from_json(path))"],
                what="argument",
            )
    if not signed:
        return []
    if public_key is None:
        raise ValidationError(
            [
                "public_key: required to check checkpoints (the key you keep, never one "
                "found next to them)"
            ],
            what="argument",
        )
    key = (
        load_public_key(public_key)
        if isinstance(public_key, bytes | str | os.PathLike)
        else public_key
    )
    for cp in signed:
        cp.check_signature(key)
    return sorted(signed, key=lambda cp: cp.seq)


def _unextended(
    signed: list[Checkpoint], at_checkpoint: dict[int, tuple[str, str]], head_seq: int
) -> tuple[str, tuple[int, str] | None] | None:
    """The first checkpoint the verified chain does not extend: (problem, (seq, entry id)
    or None when the entry is gone), or None when it extends them all."""
    for cp in signed:
        entry_id, hash_at = at_checkpoint.get(cp.seq, ("", None))
        problem = checkpoint_problem(cp, head_seq=head_seq, hash_at_seq=hash_at)
        if problem is not None:
            return problem, ((cp.seq, entry_id) if entry_id else None)
    return None


def _amended(
    r: Reader, seq: int, kind: EntryKind, amends: str
) -> tuple[int, str, str, CountKey | None]:
    """(seq, kind, root id, count key) of the entry an amendment at ``seq`` corrects."""
    if kind not in AMENDABLE:
        raise _Broken(f"{with_article(kind.value)} cannot be amended")
    target = r.row_by_id(amends)
    if target is None or int(target["seq"]) >= seq:
        raise _Broken("amends an entry that does not precede it")
    if target["kind"] != kind.value:
        raise _Broken(f"amends {with_article(str(target['kind']))} with {with_article(kind.value)}")
    key = count_key(target) if kind is EntryKind.ADMINISTRATION else None
    return int(target["seq"]), str(target["kind"]), str(target["root_id"]), key


def _check_counts(r: Reader, counts: dict[CountKey, int]) -> str | None:
    """Compare the stored counts with those re-derived from the entries."""
    expected = {k: n for k, n in counts.items() if n}
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
