"""Signed checkpoints: only the holder of the private key can make one, and any change shows."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exointake import ValidationError
from exointake._checkpoint import (
    Checkpoint,
    checkpoint_problem,
    generate_signing_key,
    key_id,
    load_private_key,
    load_public_key,
    sign_checkpoint,
)

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
