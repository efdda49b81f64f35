"""Helpers shared by the consent tests: the example request, variants, PDF text."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
from typing import Any

from pypdf import PdfReader

from exointake._consent import ConsentRequest
from exointake._document import request_fields
from exointake._questionnaire import load_questionnaire
from exointake._screening import screen

from .conftest import EXAMPLES, ROOT

EXAMPLE_REQUEST = EXAMPLES / "consent-request.json"


def example_data() -> dict[str, Any]:
    """The example request as plain data (a fresh copy each call)."""
    data: dict[str, Any] = json.loads(EXAMPLE_REQUEST.read_text("utf-8"))
    return data


def request_with(**changes: Any) -> ConsentRequest:
    """The example request with dotted-path changes, e.g. ``{"patient.name": "X"}``."""
    data = example_data()
    for path, value in changes.items():
        set_path(data, path.replace("__", "."), value)
    return ConsentRequest.from_dict(data)


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = copy.deepcopy(value)


def sample_answers(name: str) -> dict[str, Any]:
    """A sample answers file from examples/answers."""
    data: dict[str, Any] = json.loads((EXAMPLES / "answers" / name).read_text("utf-8"))
    return data


def screening_of(answers: str | dict[str, Any], route: str) -> dict[str, Any]:
    """The screening result (as data) of sample answers on the example's screening day."""
    q = load_questionnaire()
    raw = sample_answers(answers) if isinstance(answers, str) else answers
    given = q.answers(raw, route=route, partial=True)
    return screen(given, route, on=dt.date(2026, 11, 20)).to_dict()


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF, pages joined."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def squash(text: str) -> str:
    """Text without any whitespace (line breaks fall anywhere in CJK layout)."""
    return re.sub(r"\s+", "", text)


_CONTRACT_ONLY = re.compile(r"contract\.(?!contract_id)|prices\.related_goods\[\d+\]\.seller\.")
_CONSENT_ONLY = re.compile(
    r"product\.(maker|concentration|storage|lot)|screening\.|override\.|patient\.guardian|"
    r"physician\.id|prices\.cancellation_terms|consent_id"
)


def consent_fields(request: ConsentRequest) -> dict[str, str]:
    """The request's free-text fields the consent shows (the contract's own items aside)."""
    return {k: v for k, v in request_fields(request).items() if not _CONTRACT_ONLY.match(k)}


def contract_fields(request: ConsentRequest) -> dict[str, str]:
    """The request's free-text fields the 契約書面 shows."""
    return {k: v for k, v in request_fields(request).items() if not _CONSENT_ONLY.match(k)}


_NOT_FREE = ("template_id", "template_version", "screening", "screenings")
"""Top-level texts that are names the library resolves, or the embedded screenings."""


def free_text_limits(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], int]]:
    """(path, maxLength) of every free text in consent request ``data``, read off
    ``schemas/consent-request.schema.json``: strings with no format and no pattern but
    "non-blank", outside the embedded screenings and the template names."""
    schema = json.loads((ROOT / "schemas" / "consent-request.schema.json").read_text("utf-8"))
    out: list[tuple[tuple[Any, ...], int]] = []

    def walk(value: Any, node: dict[str, Any], path: tuple[Any, ...]) -> None:
        for key in ("oneOf", "anyOf"):
            for branch in node.get(key, ()):
                if _json_type(value) in _types(branch):
                    walk(value, branch, path)
        if isinstance(value, str):
            free = node.get("pattern", "\\S") == "\\S" and "format" not in node
            if "maxLength" in node and free and path[-1] != "template_version":
                out.append((path, node["maxLength"]))
        elif isinstance(value, dict):
            for key, inner in value.items():
                if path or key not in _NOT_FREE:
                    walk(inner, node.get("properties", {}).get(key, {}), (*path, key))
        elif isinstance(value, list):
            for n, inner in enumerate(value):
                walk(inner, node.get("items", {}), (*path, n))

    walk(data, schema, ())
    return out


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", dict: "object", list: "array"}.get(type(value), "null")


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("type")
    return {kind} if isinstance(kind, str) else set(kind or ())
