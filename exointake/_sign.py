"""PAdES signatures on rendered consents (the optional ``exointake[sign]`` extra, pyHanko).

A consent PDF carries empty AcroForm signature fields (``sig_patient``,
``sig_guardian`` for minors, ``sig_physician``); :func:`sign_consent` fills one
of them with a PAdES (``ETSI.CAdES.detached``) signature made with the given
certificate and private key, as an incremental update, so the signed bytes
still contain the original document unchanged.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ._errors import RenderError, ValidationError

__all__ = ["sign_consent"]


def _load(value: bytes | str | Path, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return Path(value).read_bytes()
    except OSError as exc:
        raise ValidationError([f"{what}: cannot read ({exc.strerror})"], what="signature") from None


def sign_consent(
    pdf: bytes,
    *,
    cert: bytes | str | Path,
    key: bytes | str | Path,
    field: str = "sig_physician",
    passphrase: bytes | None = None,
    reason: str | None = None,
    location: str | None = None,
) -> bytes:
    """Sign one signature field of a consent PDF with PAdES; returns the signed PDF.

    Args:
        pdf: the rendered consent (``RenderedConsent.pdf``).
        cert: the signer's X.509 certificate (PEM or DER bytes, or a path).
        key: the matching private key (PEM or DER bytes, or a path).
        field: which signature field: ``sig_patient``, ``sig_guardian`` or ``sig_physician``.
        passphrase: the key's passphrase, if it is encrypted.
        reason: the reason recorded in the signature.
        location: the place recorded in the signature.

    Raises:
        ImportError: pyHanko is not installed (``pip install exointake[sign]``).
        ValidationError: the certificate or key cannot be read, or the field does not exist.
    """
    try:
        from pyhanko.keys import (  # noqa: PLC0415 - optional dependency
            load_certs_from_pemder_data,
            load_private_key_from_pemder_data,
        )
        from pyhanko.pdf_utils.incremental_writer import (  # noqa: PLC0415
            IncrementalPdfFileWriter,
        )
        from pyhanko.sign import fields, signers  # noqa: PLC0415
        from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise ImportError("signing needs pyHanko: pip install 'exointake[sign]'") from exc

    try:
        certs = list(load_certs_from_pemder_data(_load(cert, "cert")))
        private_key = load_private_key_from_pemder_data(_load(key, "key"), passphrase=passphrase)
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            [f"cert/key: cannot load the certificate or key ({type(exc).__name__})"],
            what="signature",
        ) from None
    if not certs:
        raise ValidationError(["cert: no certificate found"], what="signature")
    signer: Any = signers.SimpleSigner(
        signing_cert=certs[0],
        signing_key=private_key,
        cert_registry=SimpleCertificateStore.from_certs(certs),  # type: ignore[no-untyped-call]
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    existing = {name for name, _, _ in fields.enumerate_sig_fields(writer)}
    if field not in existing:
        raise ValidationError(
            [f"field: expected one of {', '.join(sorted(existing)) or '(none)'}, got {field!r}"],
            what="signature",
        )
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    try:
        out = signers.sign_pdf(writer, meta, signer=signer, existing_fields_only=True)
    except Exception as exc:  # pyHanko raises many kinds; never leak its traceback
        raise RenderError(f"signing field {field} failed ({type(exc).__name__})") from None
    data: bytes = out.getvalue()
    return data
