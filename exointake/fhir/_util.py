"""Shared pieces of the FHIR export: constants, strings, references, bundles, checks."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, TypeAlias

from .._common import Text
from .._convert import canonical_json, safe_repr, sha256_hex
from .._errors import ValidationError

FhirResource: TypeAlias = dict[str, Any]
"""A FHIR resource as plain JSON data (``resourceType`` plus its elements)."""

CANONICAL_BASE: Final = "https://exointake.example/fhir"
"""Default base of the URLs exointake mints for canonicals, code systems, identifier
systems and extensions: ``https://exointake.example/fhir``. ``.example`` is a reserved
domain that never resolves; pass ``base=`` with your own."""

TRANSLATION: Final = "http://hl7.org/fhir/StructureDefinition/translation"
"""The standard FHIR extension carrying a string's translation (here: English)."""

DATA_ABSENT_REASON: Final = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
"""The standard FHIR extension saying why a value is absent (``asked-unknown``)."""


def ext_url(base: str, name: str) -> str:
    return f"{base}/StructureDefinition/{name}"


_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def fhir_string(value: str, path: str) -> str | None:
    """``value`` as a FHIR string, or None when it is blank (FHIR has no empty strings).

    Raises:
        ValidationError: ``value`` holds a control character FHIR strings may not
            carry (below U+0020 other than tab, CR, LF); the value is not echoed.
    """
    if _FORBIDDEN.search(value):
        raise ValidationError(
            [f"{path}: a FHIR string cannot hold control characters (other than tab and newline)"],
            what="FHIR export",
        )
    return value if value.strip() else None


def put_text(target: dict[str, Any], key: str, text: Text, path: str) -> None:
    """Set ``key`` to the Japanese text and ``_key`` to its English translation.

    A blank Japanese text leaves only the translation; a blank English text leaves
    only the Japanese; both blank set nothing.
    """
    ja = fhir_string(text.ja, f"{path}.ja")
    en = fhir_string(text.en, f"{path}.en")
    if ja is not None:
        target[key] = ja
    if en is not None:
        target[f"_{key}"] = {
            "extension": [
                {
                    "url": TRANSLATION,
                    "extension": [
                        {"url": "lang", "valueCode": "en"},
                        {"url": "content", "valueString": en},
                    ],
                }
            ]
        }


_FHIR_ID = re.compile(r"[A-Za-z0-9.-]{1,64}")


def fhir_id(text: str) -> str:
    """A FHIR id for an exointake id: the id itself when FHIR allows it
    (``[A-Za-z0-9-.]{1,64}``), else 32 hex digits of its SHA-256 (so ids never collide)."""
    if _FHIR_ID.fullmatch(text):
        return text
    return sha256_hex(text.encode("utf-8"))[:32]


def decimal_number(value: Decimal, path: str) -> int | float:
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) != value:
        raise ValidationError(
            [f"{path}: expected a decimal with at most 15 significant digits for FHIR JSON"],
            what="FHIR export",
        )
    return as_float


def patient_reference(patient_id: str, *, base: str = CANONICAL_BASE) -> dict[str, Any]:
    """A logical FHIR reference to a patient by the clinic's opaque id.

    exointake never holds a patient's name or birth date outside the answers, so it
    makes no ``Patient`` resource; resources point at the patient by identifier
    (system ``{base}/sid/patient-id``) and the clinic's own system resolves it.

    >>> from exointake import fhir
    >>> fhir.patient_reference("P-0001")["identifier"]["value"]
    'P-0001'
    """
    return logical("Patient", "patient-id", patient_id, base)


def logical(kind: str, system: str, value: str, base: str) -> dict[str, Any]:
    return {"type": kind, "identifier": {"system": f"{base}/sid/{system}", "value": value}}


def instant(value: dt.datetime, path: str) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            [f"{path}: expected a date-time with a time zone, got a naive one"],
            what="FHIR export",
        )
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------------------- Bundle


def to_bundle(
    resources: Iterable[Mapping[str, Any]], *, timestamp: dt.datetime | None = None
) -> FhirResource:
    """A FHIR ``Bundle`` of type ``collection`` holding ``resources`` in the given order.

    Each entry's ``fullUrl`` is a ``urn:uuid:`` derived from the SHA-256 of the
    resource's canonical JSON, and the bundle's ``id`` from its entries, so the same
    resources always give the same bundle. Resources refer to patients, staff,
    consents and lots by identifier, so the bundle needs no reference rewriting.

    Args:
        resources: FHIR resources as JSON data.
        timestamp: when the bundle was assembled (time-zone aware); omitted if not given.
    """
    entries = []
    for n, resource in enumerate(resources):
        if not isinstance(resource, Mapping) or not isinstance(resource.get("resourceType"), str):
            raise ValidationError(
                [f"resources[{n}]: expected a FHIR resource (with resourceType)"],
                what="FHIR bundle",
            )
        entries.append({"fullUrl": urn_uuid(resource), "resource": dict(resource)})
    bundle: FhirResource = {
        "resourceType": "Bundle",
        "id": content_id([e["fullUrl"] for e in entries]),
        "type": "collection",
    }
    if timestamp is not None:
        bundle["timestamp"] = instant(timestamp, "timestamp")
    if entries:  # FHIR JSON has no empty arrays
        bundle["entry"] = entries
    return bundle


def digest(data: object) -> str:
    return sha256_hex(canonical_json(data))


def urn_uuid(data: object) -> str:
    return f"urn:uuid:{uuid.UUID(digest(data)[:32], version=4)}"


def content_id(data: object) -> str:
    return str(uuid.UUID(digest(data)[:32], version=4))


# ---------------------------------------------------------------------------- output & checks


def dumps(resource: Mapping[str, Any], *, indent: int | None = None) -> str:
    """Deterministic JSON text of a resource, UTF-8 characters kept.

    Compact by default (fast); ``indent=2`` for people to read.
    """
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(
        resource, ensure_ascii=False, indent=indent, separators=separators, allow_nan=False
    )
    return text + "\n"


def validate(resource: Mapping[str, Any]) -> None:
    """Check a resource against the FHIR R4B models of ``fhir.resources``.

    Needs the ``fhir`` extra (``pip install 'exointake[fhir]'``).

    Raises:
        ValidationError: the resource does not fit its FHIR model; each problem is
            listed with its FHIR path (values are not repeated).
        ModuleNotFoundError: ``fhir.resources`` is not installed.
    """
    import importlib  # noqa: PLC0415 - optional dependency, imported only when asked

    try:
        module = importlib.import_module("fhir.resources.R4B")
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            "exointake.fhir.validate needs fhir.resources: pip install 'exointake[fhir]'",
            name=exc.name,
        ) from None
    kind = resource.get("resourceType") if isinstance(resource, Mapping) else None
    if not isinstance(kind, str):
        raise ValidationError(["resourceType: expected a FHIR resource type"], what="FHIR resource")
    try:
        model = module.get_fhir_model_class(kind)
    except (KeyError, ValueError, AttributeError):
        raise ValidationError(
            [f"resourceType: not an R4B resource type: {safe_repr(kind)}"], what="FHIR resource"
        ) from None
    try:
        model.model_validate(dict(resource))
    except Exception as exc:  # pydantic.ValidationError, without depending on pydantic
        details = getattr(exc, "errors", None)
        if not callable(details):
            raise
        problems = [
            f"{kind}.{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', 'invalid')}"
            for err in details()
        ]
        raise ValidationError(problems, what=f"FHIR {kind}") from None
