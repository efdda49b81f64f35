"""Signed checkpoints: only the holder of the private key can make one, and any change shows;
a log verified against them cannot be rewritten unnoticed."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exointake import LogIntegrityError, ValidationError, open_log
from exointake._checkpoint import (
    Checkpoint,
    checkpoint_problem,
    generate_signing_key,
    key_id,
    load_private_key,
    load_public_key,
    sign_checkpoint,
)
from exointake._log._store import Reader

from .logutil import BYPASS, administration, consent, pg_schema, raw

WHEN = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
H1 = "a" * 64
H2 = "b" * 64
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda c: st.lists(c) | st.dictionaries(st.text(), c),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def keys() -> tuple[bytes, bytes]:
    return generate_signing_key()


@pytest.fixture(scope="module")
def other_keys() -> tuple[bytes, bytes]:
    return generate_signing_key()


def signed(keys: tuple[bytes, bytes], seq: int = 7, entry_hash: str = H1) -> Checkpoint:
    return sign_checkpoint(seq, entry_hash, load_private_key(keys[0]), signed_at=WHEN)


class TestSigning:
    def test_round_trip_and_verify(self, keys: tuple[bytes, bytes]) -> None:
        """A checkpoint read back from its file verifies with the matching public key."""
        cp = signed(keys)
        again = Checkpoint.from_json(cp.to_json())
        assert again == cp
        again.check_signature(load_public_key(keys[1]))
        assert cp.signed_at == "2026-11-25T09:00:00Z"
        assert cp.key_id == key_id(load_public_key(keys[1]))

    def test_signed_at_in_japan_time_is_stored_in_utc(self, keys: tuple[bytes, bytes]) -> None:
        """Times are normalised to UTC so the signed bytes do not depend on the zone."""
        jst = dt.timezone(dt.timedelta(hours=9))
        cp = sign_checkpoint(1, H1, load_private_key(keys[0]), signed_at=WHEN.astimezone(jst))
        assert cp.signed_at == "2026-11-25T09:00:00Z"

    @pytest.mark.parametrize(
        ("field", "value"),
        [("seq", 8), ("entry_hash", H2), ("signed_at", "2026-11-26T09:00:00Z")],
    )
    def test_any_change_breaks_the_signature(
        self, keys: tuple[bytes, bytes], field: str, value: Any
    ) -> None:
        """Changing what was signed (to follow a rewritten log) is detected."""
        data = signed(keys).to_dict() | {field: value}
        forged = Checkpoint.from_dict(data)
        with pytest.raises(ValidationError, match="signature does not verify"):
            forged.check_signature(load_public_key(keys[1]))

    def test_other_key_refused(
        self, keys: tuple[bytes, bytes], other_keys: tuple[bytes, bytes]
    ) -> None:
        """A checkpoint made with another key (an attacker's) is refused by name."""
        forged = signed(other_keys)
        with pytest.raises(ValidationError, match="signed by another key"):
            forged.check_signature(load_public_key(keys[1]))

    def test_other_key_with_our_key_id_refused(
        self, keys: tuple[bytes, bytes], other_keys: tuple[bytes, bytes]
    ) -> None:
        """Claiming our key id does not help an attacker: the signature fails."""
        mine = key_id(load_public_key(keys[1]))
        theirs = signed(other_keys)
        forged = Checkpoint.from_dict(theirs.to_dict() | {"key_id": mine})
        with pytest.raises(ValidationError, match="signature does not verify"):
            forged.check_signature(load_public_key(keys[1]))

    def test_encrypted_private_key(self) -> None:
        """A passphrase-protected key needs its passphrase."""
        private, public = generate_signing_key(passphrase=b"s3cret")
        with pytest.raises(ValidationError, match="key: not a readable PEM private key"):
            load_private_key(private)
        key = load_private_key(private, passphrase=b"s3cret")
        cp = sign_checkpoint(1, H1, key, signed_at=WHEN)
        cp.check_signature(load_public_key(public))

    def test_wrong_key_files(self, keys: tuple[bytes, bytes]) -> None:
        """A public key given as private (or junk) is a clear error, never a traceback."""
        with pytest.raises(ValidationError, match="key: not a readable PEM private key"):
            load_private_key(keys[1])
        with pytest.raises(ValidationError, match="public_key: not a readable PEM public key"):
            load_public_key(b"junk")
        with pytest.raises(ValidationError, match="public_key: cannot read"):
            load_public_key("/nonexistent/key.pem")

    def test_naive_time_refused(self, keys: tuple[bytes, bytes]) -> None:
        """A checkpoint time without a zone is refused."""
        with pytest.raises(ValidationError, match="signed_at"):
            sign_checkpoint(1, H1, load_private_key(keys[0]), signed_at=dt.datetime(2026, 1, 1))


class TestFileShape:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"seq": -1}, "checkpoint.seq"),
            ({"seq": True}, "checkpoint.seq"),
            ({"entry_hash": "not-a-hash"}, "checkpoint.entry_hash"),
            ({"key_id": H1.upper()}, "checkpoint.key_id"),
            ({"signed_at": "2026-11-25"}, "checkpoint.signed_at"),
            ({"signed_at": "2026-11-25T18:00:00+09:00"}, "checkpoint.signed_at"),
            ({"signature": "!!"}, "checkpoint.signature"),
            ({"signature": base64.b64encode(b"x" * 10).decode()}, "checkpoint.signature"),
            ({"format": "exointake-checkpoint/2"}, "checkpoint.format"),
            ({"extra": 1}, "checkpoint.extra: unknown field"),
        ],
    )
    def test_bad_fields_named(
        self, keys: tuple[bytes, bytes], change: dict[str, Any], message: str
    ) -> None:
        """Every malformed field is named."""
        with pytest.raises(ValidationError, match=message):
            Checkpoint.from_dict(signed(keys).to_dict() | change)

    def test_missing_fields_and_not_an_object(self) -> None:
        """A file that is not a checkpoint object says so."""
        with pytest.raises(ValidationError, match=r"checkpoint\.signature: required"):
            Checkpoint.from_dict({"format": "exointake-checkpoint/1"})
        with pytest.raises(ValidationError, match="expected an object"):
            Checkpoint.from_json(b"[]")

    @settings(max_examples=60, deadline=None)
    @given(
        data=st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(),
            lambda c: st.lists(c) | st.dictionaries(st.text(), c),
            max_leaves=8,
        )
    )
    def test_junk_never_crashes(self, data: object) -> None:
        """Any JSON is a checkpoint or a ValidationError."""
        with contextlib.suppress(ValidationError):
            Checkpoint.from_json(json.dumps(data))


class TestExtends:
    def test_problems(self, keys: tuple[bytes, bytes]) -> None:
        """A log extends a checkpoint when the entry at its seq still has its hash."""
        cp = signed(keys, seq=7, entry_hash=H1)
        assert checkpoint_problem(cp, head_seq=7, hash_at_seq=H1) is None
        assert checkpoint_problem(cp, head_seq=900, hash_at_seq=H1) is None
        removed = checkpoint_problem(cp, head_seq=5, hash_at_seq=None)
        assert removed is not None
        assert "beyond the log's head #5" in removed
        rewritten = checkpoint_problem(cp, head_seq=9, hash_at_seq=H2)
        assert rewritten is not None
        assert "rewritten" in rewritten


class TestLogCheckpoints:
    """Log.checkpoint signs a verified head; Log.verify(checkpoints=...) proves extension."""

    @pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
    def log_url(self, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
        if request.param == "sqlite":
            yield f"sqlite:///{tmp_path / 'clinic.db'}"
            return
        with pg_schema(request.getfixturevalue("pg_url")) as url:
            yield url

    def test_checkpoints_of_a_growing_log(self, keys: tuple[bytes, bytes], log_url: str) -> None:
        """Every checkpoint of a log that only grew is extended, the empty log's included."""
        taken = []
        with open_log(log_url, clock=lambda: WHEN) as log:
            taken.append(log.checkpoint(keys[0]))  # PEM bytes work as well as a key
            for n in range(3):
                log.record_consent(consent(consent_id=f"CONSENT-CP-{n}"))
                taken.append(log.checkpoint(load_private_key(keys[0])))
            report = log.verify(checkpoints=reversed(taken), public_key=keys[1])
        assert [cp.seq for cp in taken] == [0, 1, 2, 3]
        assert taken[0].entry_hash == "0" * 64
        assert taken[-1].signed_at == "2026-11-25T09:00:00Z"
        assert (report.ok, report.checkpoints, report.entries) == (True, 4, 3)

    def test_a_broken_log_is_never_signed(self, keys: tuple[bytes, bytes], tmp_path: Path) -> None:
        """Signing a tampered head would bless the tampering: LogIntegrityError instead."""
        db = tmp_path / "clinic.db"
        with open_log(db) as log:
            log.record_consent(consent(consent_id="CONSENT-CP-1"))
        raw(f"sqlite:///{db}", "UPDATE log_entries SET payload = replace(payload, 'DR', 'XX')")
        with open_log(db) as log, pytest.raises(LogIntegrityError, match="edited"):
            log.checkpoint(keys[0])

    def test_checkpoints_need_the_public_key(
        self, keys: tuple[bytes, bytes], other_keys: tuple[bytes, bytes], tmp_path: Path
    ) -> None:
        """Checkpoints are checked against the key the caller holds, and only that one."""
        with open_log(tmp_path / "clinic.db") as log:
            cp = log.checkpoint(keys[0])
            with pytest.raises(ValidationError, match="public_key: required"):
                log.verify(checkpoints=[cp])
            with pytest.raises(ValidationError, match="signed by another key"):
                log.verify(checkpoints=[cp], public_key=other_keys[1])
            with pytest.raises(ValidationError, match=r"checkpoints\[0\]"):
                log.verify(checkpoints=[cp.to_dict()], public_key=keys[1])  # type: ignore[list-item]
            assert log.verify(checkpoints=[], public_key=None).checkpoints == 0


class TestVerifySnapshot:
    @pytest.mark.parametrize(
        "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
    )
    def test_appends_while_verifying_are_not_damage(
        self,
        request: pytest.FixtureRequest,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        backend: str,
    ) -> None:
        """verify reads one snapshot: an entry appended meanwhile is neither "beyond the
        head" nor a count mismatch, it is simply not part of this verification."""
        with contextlib.ExitStack() as stack:
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path / 'clinic.db'}"
            else:
                url = stack.enter_context(pg_schema(request.getfixturevalue("pg_url")))
            with open_log(url) as log:
                for n in range(3):
                    log.record_consent(consent(consent_id=f"CONSENT-S-{n}"))
            original = Reader.iter_chain

            def iter_and_append(self: Reader, *, batch: int) -> Iterator[list[Any]]:
                pages = original(self, batch=batch)
                first = next(pages)
                with open_log(url) as other:  # an administration: the counts change too
                    other.administer(administration(patient_id="P-LATE"), override=BYPASS)
                yield first
                yield from pages

            monkeypatch.setattr(Reader, "iter_chain", iter_and_append)
            with open_log(url) as log:
                report = log.verify(batch=1)
                assert (report.ok, report.entries, report.head_seq) == (True, 3, 3)
                monkeypatch.undo()
                assert log.verify().entries == 4
