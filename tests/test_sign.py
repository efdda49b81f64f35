"""PAdES signatures on consent PDFs (the optional exointake[sign] extra)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

pytest.importorskip("pyhanko", reason="signing needs the exointake[sign] extra (pyHanko)")
pytest.importorskip("cryptography")

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

import exointake
from exointake._consent import ConsentRequest
from exointake._consent_render import render_consent
from exointake._sign import sign_consent

from .consent_helpers import example_data


@pytest.fixture(scope="module")
def test_cert() -> tuple[bytes, bytes]:
    """A throwaway self-signed certificate and key (PEM), made for this test run only."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "exointake test physician")])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return (
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


@pytest.fixture(scope="module")
def consent_pdf() -> bytes:
    return render_consent(ConsentRequest.from_dict(example_data())).pdf


class TestSignConsent:
    def test_signs_the_physician_field(
        self, consent_pdf: bytes, test_cert: tuple[bytes, bytes]
    ) -> None:
        """The physician's field gets a PAdES signature that pyHanko validates as intact."""
        cert, key = test_cert
        signed = sign_consent(consent_pdf, cert=cert, key=key, field="sig_physician")
        assert signed.startswith(consent_pdf)  # incremental update: the original bytes stay
        reader = PdfFileReader(io.BytesIO(signed))
        (sig,) = reader.embedded_signatures
        assert sig.field_name == "sig_physician"
        assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
        trusted = ValidationContext(trust_roots=list(load_certs_from_pemder_data(cert)))
        status = validate_pdf_signature(sig, trusted)
        assert status.intact
        assert status.valid
        fields = PdfReader(io.BytesIO(signed)).get_fields() or {}
        assert fields["sig_patient"].get("/V") is None  # the other fields stay empty

    def test_unknown_field(self, consent_pdf: bytes, test_cert: tuple[bytes, bytes]) -> None:
        """Signing a field the document does not have names the fields it has."""
        cert, key = test_cert
        with pytest.raises(exointake.ValidationError, match="sig_patient, sig_physician"):
            sign_consent(consent_pdf, cert=cert, key=key, field="sig_guardian")

    def test_bad_key(self, consent_pdf: bytes, test_cert: tuple[bytes, bytes]) -> None:
        """A key that cannot be read is bad input, not a traceback from a dependency."""
        cert, _ = test_cert
        with pytest.raises(exointake.ValidationError, match="cert/key"):
            sign_consent(consent_pdf, cert=cert, key=b"not a key")


class TestSignedRecord:
    def test_log_records_both_hashes(
        self, consent_pdf: bytes, test_cert: tuple[bytes, bytes]
    ) -> None:
        """A really signed consent is recorded with the signed and the unsigned SHA-256."""
        import hashlib  # noqa: PLC0415

        request = ConsentRequest.from_dict(example_data())
        rendered = render_consent(request)
        cert, key = test_cert
        signed = sign_consent(rendered.pdf, cert=cert, key=key, field="sig_patient")
        with exointake.open_log("sqlite:///:memory:") as log:
            consent_id = log.record_consent(
                rendered,
                rendered_by="N-007",
                rendered_at=dt.datetime(2026, 11, 25, 10, 45, tzinfo=dt.UTC),
                signed_pdf=signed,
            )
            record = log.consent(consent_id)
        assert record is not None
        assert record.pdf_sha256 == hashlib.sha256(rendered.pdf).hexdigest()
        assert record.signed_pdf_sha256 == hashlib.sha256(signed).hexdigest()
