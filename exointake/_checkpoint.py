"""Signed checkpoints of the log's head: proof, kept outside the database, of what the log was.

A hash chain inside one database proves nothing against someone who can write all of
it: they can delete the tail and rewrite ``log_head``, or rewrite the whole chain.
Certificate Transparency's answer (RFC 6962 §3.5, RFC 9162 §4.10 "signed tree head") is
a *signed statement of the head*: the clinic signs ``(seq, entry_hash, signed_at)`` with a
private key it keeps **outside** the database, and stores the small checkpoint files
somewhere the database's writers cannot change (another machine, a WORM share, printed,
mailed to itself). Later, :meth:`exointake.Log.verify` given those checkpoints proves the
log still *extends* each of them: the entry at ``seq`` still hashes to ``entry_hash``,
and the chain from the first entry up to today's head still links — so nothing at or
before a checkpoint was edited, removed or reordered, whoever had write access.

Signatures are Ed25519 (RFC 8032) through the ``cryptography`` package
(``pip install 'exointake[checkpoints]'``). A checkpoint file is JSON::

    {"format": "exointake-checkpoint/1", "seq": 1234, "entry_hash": "<64 hex>",
     "signed_at": "2026-11-25T09:00:00Z", "key_id": "<sha256 of the raw public key>",
     "signature": "<base64 Ed25519 signature>"}

The signed bytes are the canonical JSON (sorted keys, no spaces, UTF-8) of every field
except ``signature``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from attrs import frozen

from ._convert import canonical_json, describe_type, load_json, sha256_hex
from ._errors import ValidationError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

__all__ = [
    "CHECKPOINT_FORMAT",
    "Checkpoint",
    "checkpoint_problem",
    "generate_signing_key",
    "key_id",
    "load_private_key",
    "load_public_key",
    "sign_checkpoint",
]

CHECKPOINT_FORMAT: Final = "exointake-checkpoint/1"
"""The ``format`` of checkpoint files this version writes and reads."""

_HEX64 = re.compile(r"[0-9a-f]{64}")
_FIELDS: Final = frozenset({"format", "seq", "entry_hash", "signed_at", "key_id", "signature"})
_WHAT: Final = "checkpoint"


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives import (  # noqa: PLC0415 - optional dependency
            serialization,
        )
        from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise ImportError(
            "signed checkpoints need cryptography: pip install 'exointake[checkpoints]'"
        ) from exc
    return serialization, ed25519


def _read(value: bytes | str | os.PathLike[str], what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return Path(value).read_bytes()
    except OSError as exc:
        raise ValidationError([f"{what}: cannot read ({exc.strerror})"], what=_WHAT) from None


def generate_signing_key(passphrase: bytes | None = None) -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as PEM: ``(private PKCS#8, public SubjectPublicKeyInfo)``.

    Keep the private key off the database server (it signs checkpoints); hand the
    public key to whoever verifies. With a ``passphrase`` the private key is encrypted.
    """
    serialization, ed25519 = _crypto()
    private = ed25519.Ed25519PrivateKey.generate()
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    private_pem: bytes = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    public_pem: bytes = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def load_private_key(
    key: bytes | str | os.PathLike[str], passphrase: bytes | None = None
) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM bytes or a PEM file; :class:`ValidationError` if not one."""
    serialization, ed25519 = _crypto()
    pem = _read(key, "key")
    try:
        loaded = serialization.load_pem_private_key(pem, password=passphrase)
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            [f"key: not a readable PEM private key ({type(exc).__name__})"], what=_WHAT
        ) from None
    if not isinstance(loaded, ed25519.Ed25519PrivateKey):
        raise ValidationError(["key: expected an Ed25519 private key"], what=_WHAT)
    private: Ed25519PrivateKey = loaded
    return private


def load_public_key(key: bytes | str | os.PathLike[str]) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM bytes or a PEM file; :class:`ValidationError` if not one."""
    serialization, ed25519 = _crypto()
    pem = _read(key, "public_key")
    try:
        loaded = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            [f"public_key: not a readable PEM public key ({type(exc).__name__})"], what=_WHAT
        ) from None
    if not isinstance(loaded, ed25519.Ed25519PublicKey):
        raise ValidationError(["public_key: expected an Ed25519 public key"], what=_WHAT)
    public: Ed25519PublicKey = loaded
    return public


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 (hex) of the raw 32-byte public key: names the key in a checkpoint."""
    serialization, _ = _crypto()
    raw: bytes = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sha256_hex(raw)


def _utc_text(value: dt.datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(["signed_at: expected an aware date-time"], what=_WHAT)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@frozen
class Checkpoint:
    """A signed statement that the log's entry ``seq`` had hash ``entry_hash`` at ``signed_at``.

    Build one with :meth:`exointake.Log.checkpoint`; read one with :meth:`from_json`, which
    checks its shape but not its signature (:meth:`check_signature` does, against the
    public key *you* hold — never a key found next to the checkpoint).
    """

    seq: int
    entry_hash: str
    signed_at: str
    key_id: str
    signature: str

    def statement(self) -> bytes:
        """The signed bytes: canonical JSON of every field but the signature."""
        return canonical_json(
            {
                "entry_hash": self.entry_hash,
                "format": CHECKPOINT_FORMAT,
                "key_id": self.key_id,
                "seq": self.seq,
                "signed_at": self.signed_at,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the file's content)."""
        return {
            "entry_hash": self.entry_hash,
            "format": CHECKPOINT_FORMAT,
            "key_id": self.key_id,
            "seq": self.seq,
            "signature": self.signature,
            "signed_at": self.signed_at,
        }

    def to_json(self) -> bytes:
        """The checkpoint file's bytes (canonical JSON and a newline)."""
        return canonical_json(self.to_dict()) + b"\n"

    @classmethod
    def from_dict(cls, data: object) -> Checkpoint:
        """A checkpoint from plain data; :class:`ValidationError` names every bad field."""
        if not isinstance(data, Mapping):
            raise ValidationError(
                [f"checkpoint: expected an object, got {describe_type(data)}"], what=_WHAT
            )
        errors = [f"checkpoint.{k}: unknown field" for k in sorted(set(data) - _FIELDS)]
        errors += [f"checkpoint.{k}: required" for k in sorted(_FIELDS - set(data))]
        if errors:
            raise ValidationError(errors, what=_WHAT)
        if data["format"] != CHECKPOINT_FORMAT:
            errors.append(f"checkpoint.format: expected {CHECKPOINT_FORMAT}")
        seq = data["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            errors.append("checkpoint.seq: expected a whole number >= 0")
        for name in ("entry_hash", "key_id"):
            value = data[name]
            if not isinstance(value, str) or not _HEX64.fullmatch(value):
                errors.append(f"checkpoint.{name}: expected 64 lowercase hex digits")
        signed_at = data["signed_at"]
        try:
            if not isinstance(signed_at, str):
                raise ValueError
            parsed = dt.datetime.fromisoformat(signed_at)
            if parsed.tzinfo is None or _utc_text(parsed) != signed_at:
                raise ValueError
        except (ValueError, ValidationError):
            errors.append("checkpoint.signed_at: expected a UTC time like 2026-11-25T09:00:00Z")
        signature = data["signature"]
        try:
            if (
                not isinstance(signature, str)
                or len(base64.b64decode(signature, validate=True)) != 64
            ):
                raise ValueError
        except (ValueError, binascii.Error):
            errors.append("checkpoint.signature: expected a base64 Ed25519 signature")
        if errors:
            raise ValidationError(errors, what=_WHAT)
        return cls(
            seq=seq,
            entry_hash=data["entry_hash"],
            signed_at=signed_at,
            key_id=data["key_id"],
            signature=signature,
        )

    @classmethod
    def from_json(
        cls, source: str | bytes | os.PathLike[str], *, where: str = "checkpoint"
    ) -> Checkpoint:
        """A checkpoint from JSON text or a file (a path)."""
        if isinstance(source, os.PathLike):
            where = str(source)
        return cls.from_dict(load_json(source, where=where, what=_WHAT))

    def check_signature(self, public_key: Ed25519PublicKey) -> None:
        """Raise :class:`ValidationError` unless ``public_key`` made this checkpoint."""
        from cryptography.exceptions import InvalidSignature  # noqa: PLC0415

        if key_id(public_key) != self.key_id:
            raise ValidationError(
                [f"checkpoint #{self.seq}: signed by another key ({self.key_id[:12]}…)"],
                what=_WHAT,
            )
        try:
            public_key.verify(base64.b64decode(self.signature), self.statement())
        except InvalidSignature:
            raise ValidationError(
                [f"checkpoint #{self.seq}: the signature does not verify (forged or altered)"],
                what=_WHAT,
            ) from None


def sign_checkpoint(
    seq: int, entry_hash: str, private_key: Ed25519PrivateKey, *, signed_at: dt.datetime
) -> Checkpoint:
    """Sign the statement "entry ``seq`` of the log has hash ``entry_hash``" at ``signed_at``.

    Use :meth:`exointake.Log.checkpoint`, which takes ``seq`` and ``entry_hash`` from a
    log that verifies.
    """
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValidationError(["seq: expected a whole number >= 0"], what=_WHAT)
    if not isinstance(entry_hash, str) or not _HEX64.fullmatch(entry_hash):
        raise ValidationError(["entry_hash: expected 64 lowercase hex digits"], what=_WHAT)
    unsigned = Checkpoint(
        seq=seq,
        entry_hash=entry_hash,
        signed_at=_utc_text(signed_at),
        key_id=key_id(private_key.public_key()),
        signature="",
    )
    signature = private_key.sign(unsigned.statement())
    return Checkpoint(
        seq=unsigned.seq,
        entry_hash=unsigned.entry_hash,
        signed_at=unsigned.signed_at,
        key_id=unsigned.key_id,
        signature=base64.b64encode(signature).decode("ascii"),
    )


def checkpoint_problem(
    checkpoint: Checkpoint, *, head_seq: int, hash_at_seq: str | None
) -> str | None:
    """Why a log whose chain verifies does not extend ``checkpoint``, or None if it does.

    Args:
        checkpoint: a checkpoint whose signature was checked.
        head_seq: the verified log's last ``seq``.
        hash_at_seq: the verified log's ``entry_hash`` at ``checkpoint.seq`` (None when
            it has no such entry). For ``seq`` 0 (an empty log) pass the genesis hash.
    """
    if checkpoint.seq > head_seq:
        return (
            f"checkpoint #{checkpoint.seq} of {checkpoint.signed_at} is beyond the log's head "
            f"#{head_seq}: entries after #{head_seq} were removed"
        )
    if hash_at_seq != checkpoint.entry_hash:
        return (
            f"entry #{checkpoint.seq} no longer has the hash signed in the checkpoint of "
            f"{checkpoint.signed_at}: the chain up to it was rewritten"
        )
    return None
