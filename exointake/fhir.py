"""HL7 FHIR R4 export: exointake values as plain FHIR JSON dicts.

Every function returns ordinary ``dict`` / ``list`` / ``str`` / number data ready for
:func:`json.dumps`; nothing here needs a FHIR library. To check a resource against the
FHIR R4B models, install the ``fhir`` extra (``pip install 'exointake[fhir]'``) and
call :func:`validate`.

Mapping in short:

- a :class:`~exointake.Questionnaire` becomes a FHIR ``Questionnaire`` whose canonical
  is ``url|version``; texts are Japanese with the English text in the standard
  translation extension;
- :class:`~exointake.Answers` become a ``QuestionnaireResponse`` pinned to that
  canonical; "don't know" is the ``asked-unknown`` data-absent reason, and
  :func:`answers_from_questionnaire_response` reads it back to equal answers.

What FHIR has no element for is carried in extensions defined under
:data:`CANONICAL_BASE` and listed in :data:`EXTENSIONS`. Outputs are deterministic:
the same input gives the same JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, TypeAlias

from ._common import Route, Text
from ._convert import describe_type, safe_repr
from ._errors import ValidationError, VersionMismatchError
from ._questionnaire import (
    UNKNOWN,
    Answers,
    AnswerValue,
    EnableWhen,
    Item,
    ItemType,
    Operator,
    Questionnaire,
)

__all__ = [
    "CANONICAL_BASE",
    "DATA_ABSENT_REASON",
    "EXTENSIONS",
    "TRANSLATION",
    "FhirResource",
    "answers_from_questionnaire_response",
    "dumps",
    "questionnaire_canonical",
    "to_questionnaire",
    "to_questionnaire_response",
    "validate",
]

FhirResource: TypeAlias = dict[str, Any]
"""A FHIR resource as plain JSON data (``resourceType`` plus its elements)."""

CANONICAL_BASE: Final = "https://exointake.example/fhir"
"""Default base of the canonical URLs exointake mints (questionnaires, code systems,
extensions). ``.example`` is a reserved domain: pass ``base=`` with your own."""

TRANSLATION: Final = "http://hl7.org/fhir/StructureDefinition/translation"
"""The standard FHIR extension carrying a string's translation (here: English)."""

DATA_ABSENT_REASON: Final = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
"""The standard FHIR extension saying why a value is absent (``asked-unknown``)."""

_DAR_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
_ITEM_CONTROL: Final = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
_ITEM_CONTROL_SYSTEM: Final = "http://hl7.org/fhir/questionnaire-item-control"

EXTENSIONS: Final[Mapping[str, str]] = {
    "allow-unknown": "Questionnaire.item: valueBoolean true when the item accepts "
    '"don\'t know" (boolean, date and number items record it as the asked-unknown '
    "data-absent reason; choice items offer it as an extra answer option).",
    "item-routes": "Questionnaire.item: valueCode, repeated: the item is shown only "
    "for these routes (iv_drip, injection_face, injection_scalp).",
    "route": "QuestionnaireResponse: valueCode: the planned route the answers were given for.",
    "questionnaire-sha256": "QuestionnaireResponse: valueString: SHA-256 of the canonical "
    "JSON of the exact questionnaire text the patient saw.",
}
"""exointake's own extensions: name → what it carries. Each extension's URL is
``{base}/StructureDefinition/{name}``."""

_UNKNOWN_LABEL = Text(ja="わからない", en="Don't know")

_FHIR_TYPE: Final[Mapping[ItemType, str]] = {
    ItemType.BOOLEAN: "boolean",
    ItemType.CHOICE: "choice",
    ItemType.MULTI_CHOICE: "choice",
    ItemType.DATE: "date",
    ItemType.INTEGER: "integer",
    ItemType.DECIMAL: "decimal",
    ItemType.TEXT: "text",
}

_VALUE_KEY: Final[Mapping[ItemType, str]] = {
    ItemType.BOOLEAN: "Boolean",
    ItemType.CHOICE: "Coding",
    ItemType.MULTI_CHOICE: "Coding",
    ItemType.DATE: "Date",
    ItemType.INTEGER: "Integer",
    ItemType.DECIMAL: "Decimal",
    ItemType.TEXT: "String",
}


# ---------------------------------------------------------------------------- helpers


def _ext_url(base: str, name: str) -> str:
    return f"{base}/StructureDefinition/{name}"


_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _fhir_string(value: str, path: str) -> str | None:
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


def _put_text(target: dict[str, Any], key: str, text: Text, path: str) -> None:
    """Set ``key`` to the Japanese text and ``_key`` to its English translation.

    A blank Japanese text leaves only the translation; a blank English text leaves
    only the Japanese; both blank set nothing.
    """
    ja = _fhir_string(text.ja, f"{path}.ja")
    en = _fhir_string(text.en, f"{path}.en")
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


def _computable_name(ident: str) -> str:
    parts = re.split(r"[^A-Za-z0-9]+", ident)
    name = "".join(p[:1].upper() + p[1:] for p in parts if p)
    if not name or not name[0].isalpha():
        name = "Q" + name
    return name


def _fhir_id(text: str) -> str:
    """A FHIR id (``[A-Za-z0-9-.]{1,64}``) made from an exointake id."""
    cleaned = re.sub(r"[^A-Za-z0-9.-]", "-", text)
    return cleaned[:64] or "x"


def _decimal_number(value: Decimal, path: str) -> int | float:
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) != value:
        raise ValidationError(
            [f"{path}: expected a decimal with at most 15 significant digits for FHIR JSON"],
            what="FHIR export",
        )
    return as_float


def questionnaire_canonical(questionnaire: Questionnaire, *, base: str = CANONICAL_BASE) -> str:
    """The versioned canonical reference ``url|version`` of a questionnaire.

    >>> from exointake._questionnaire import load_questionnaire
    >>> questionnaire_canonical(load_questionnaire("exosome-intake", "1"))
    'https://exointake.example/fhir/Questionnaire/exosome-intake|1'
    """
    return f"{_questionnaire_url(questionnaire, base)}|{questionnaire.version}"


def _questionnaire_url(questionnaire: Questionnaire, base: str) -> str:
    return f"{base}/Questionnaire/{questionnaire.id}"


# ---------------------------------------------------------------------------- Questionnaire


def to_questionnaire(questionnaire: Questionnaire, *, base: str = CANONICAL_BASE) -> FhirResource:
    """A FHIR ``Questionnaire`` resource for ``questionnaire``.

    Items keep their ``link_id`` as ``linkId``; multi-choice items are ``choice``
    items that repeat; help texts are ``display`` child items with the ``help``
    item control; ``enable_when`` maps to ``enableWhen``/``enableBehavior``.

    Args:
        questionnaire: the questionnaire to export.
        base: base URL for the canonical URL and exointake's extensions.

    >>> from exointake._questionnaire import load_questionnaire
    >>> resource = to_questionnaire(load_questionnaire("exosome-intake", "1"))
    >>> resource["url"], resource["version"], resource["item"][0]["linkId"]
    ('https://exointake.example/fhir/Questionnaire/exosome-intake', '1', 'birth_date')
    """
    resource: FhirResource = {
        "resourceType": "Questionnaire",
        "id": _fhir_id(f"{questionnaire.id}-{questionnaire.version}"),
        "language": "ja",
        "url": _questionnaire_url(questionnaire, base),
        "identifier": [
            {"system": "urn:ietf:rfc:3986", "value": f"urn:sha256:{questionnaire.sha256}"}
        ],
        "version": questionnaire.version,
        "name": _computable_name(questionnaire.id),
        "status": "active",
        "subjectType": ["Patient"],
    }
    _put_text(resource, "title", questionnaire.title, "questionnaire.title")
    if questionnaire.description is not None:
        _put_text(resource, "description", questionnaire.description, "questionnaire.description")
    resource["item"] = [_item(questionnaire, item, base) for item in questionnaire.items]
    return resource


def _item(questionnaire: Questionnaire, item: Item, base: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    extensions: list[dict[str, Any]] = []
    if item.allow_unknown:
        extensions.append({"url": _ext_url(base, "allow-unknown"), "valueBoolean": True})
    extensions.extend(
        {"url": _ext_url(base, "item-routes"), "valueCode": route.value} for route in item.routes
    )
    if extensions:
        out["extension"] = extensions
    out["linkId"] = item.link_id
    _put_text(out, "text", item.text, f"questionnaire.{item.link_id}.text")
    out["type"] = _FHIR_TYPE[item.type]
    if item.enable_when:
        out["enableWhen"] = [_enable_when(questionnaire, cond) for cond in item.enable_when]
        out["enableBehavior"] = item.enable_behavior.value
    out["required"] = item.required
    if item.type is ItemType.MULTI_CHOICE:
        out["repeats"] = True
    if item.choices:
        options = []
        for choice in item.choices:
            coding: dict[str, Any] = {"code": choice.code}
            _put_text(coding, "display", choice.label, f"questionnaire.{item.link_id}.choices")
            options.append({"valueCoding": coding})
        if item.allow_unknown:
            options.append({"valueCoding": _unknown_coding()})
        out["answerOption"] = options
    if item.help is not None:
        help_item: dict[str, Any] = {
            "extension": [
                {
                    "url": _ITEM_CONTROL,
                    "valueCodeableConcept": {
                        "coding": [{"system": _ITEM_CONTROL_SYSTEM, "code": "help"}]
                    },
                }
            ],
            "linkId": f"{item.link_id}.help",
        }
        _put_text(help_item, "text", item.help, f"questionnaire.{item.link_id}.help")
        help_item["type"] = "display"
        out["item"] = [help_item]
    return out


def _unknown_coding() -> dict[str, Any]:
    coding: dict[str, Any] = {"system": _DAR_SYSTEM, "code": "asked-unknown"}
    _put_text(coding, "display", _UNKNOWN_LABEL, "unknown")
    return coding


def _enable_when(questionnaire: Questionnaire, cond: EnableWhen) -> dict[str, Any]:
    out: dict[str, Any] = {"question": cond.question, "operator": cond.operator.value}
    if cond.operator is Operator.EXISTS:
        out["answerBoolean"] = bool(cond.answer)
        return out
    source = questionnaire.item(cond.question)
    key = "answer" + _VALUE_KEY[source.type]
    value = cond.answer
    if source.type in (ItemType.CHOICE, ItemType.MULTI_CHOICE):
        out[key] = {"code": value}
    elif source.type is ItemType.DECIMAL:
        out[key] = _decimal_number(Decimal(str(value)), f"{cond.question}.enableWhen")
    else:
        out[key] = value
    return out


# ---------------------------------------------------------------------------- QuestionnaireResponse


def to_questionnaire_response(
    answers: Answers,
    questionnaire: Questionnaire,
    *,
    patient_id: str | None = None,
    authored: dt.datetime | None = None,
    id: str | None = None,
    base: str = CANONICAL_BASE,
) -> FhirResource:
    """A FHIR ``QuestionnaireResponse`` for ``answers``, pinned to ``url|version``.

    Items appear in questionnaire order, one per answered item (multi-choice: one
    answer per chosen code). "Don't know" is the ``asked-unknown`` data-absent
    reason. A blank text answer (empty or only spaces) is an item without an answer
    value, since FHIR has no empty strings; it reads back as ``""``. The status is
    ``completed`` when every shown required item is answered, else ``in-progress``.

    Args:
        answers: validated answers, pinned to ``questionnaire``.
        questionnaire: the questionnaire they were given on (its id, version and
            SHA-256 must match the pin).
        patient_id: the clinic's opaque patient id, referenced as ``Patient/<id>``.
        authored: when the answers were given (time-zone aware).
        id: the resource id; omitted when not given.
        base: base URL of the questionnaire canonical and extensions.

    Raises:
        VersionMismatchError: the answers are pinned to another questionnaire.
        ValidationError: an answer FHIR JSON cannot carry: a text with control
            characters (other than tab and newline), an integer beyond 32 bits, a
            decimal with more than 15 significant digits.
    """
    questionnaire.check_pinned(answers.questionnaire)
    resource: FhirResource = {"resourceType": "QuestionnaireResponse"}
    if id is not None:
        resource["id"] = _fhir_id(id)
    extensions: list[dict[str, Any]] = [
        {"url": _ext_url(base, "questionnaire-sha256"), "valueString": questionnaire.sha256}
    ]
    if answers.route is not None:
        extensions.append({"url": _ext_url(base, "route"), "valueCode": answers.route.value})
    resource["extension"] = extensions
    resource["language"] = "ja"
    resource["questionnaire"] = questionnaire_canonical(questionnaire, base=base)
    resource["status"] = "completed" if _is_complete(answers, questionnaire) else "in-progress"
    if patient_id is not None:
        resource["subject"] = {"reference": f"Patient/{_fhir_id(patient_id)}"}
    if authored is not None:
        resource["authored"] = _instant(authored, "authored")
    items = []
    errors: list[str] = []
    for item in questionnaire.items:
        if item.link_id not in answers.values:
            continue
        value = answers.values[item.link_id]
        out: dict[str, Any] = {"linkId": item.link_id}
        try:
            _put_text(out, "text", item.text, f"questionnaire.{item.link_id}.text")
            exported = _answer_values(item, value)
        except ValidationError as exc:
            errors.extend(exc.errors)
            continue
        if exported:  # a blank text answer is an item without an answer value
            out["answer"] = exported
        items.append(out)
    if errors:
        raise ValidationError(errors, what="FHIR export")
    if items:
        resource["item"] = items
    return resource


def _is_complete(answers: Answers, questionnaire: Questionnaire) -> bool:
    for item in questionnaire.items:
        if (
            item.required
            and item.link_id not in answers.values
            and questionnaire.is_enabled(item, answers.values, answers.route)
        ):
            return False
    return True


def _instant(value: dt.datetime, path: str) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            [f"{path}: expected a date-time with a time zone, got a naive one"],
            what="FHIR export",
        )
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _answer_values(item: Item, value: AnswerValue) -> list[dict[str, Any]]:
    key = "value" + _VALUE_KEY[item.type]
    if value is UNKNOWN:
        if item.type in (ItemType.CHOICE, ItemType.MULTI_CHOICE):
            return [{key: _unknown_coding()}]
        absent = {"extension": [{"url": DATA_ABSENT_REASON, "valueCode": "asked-unknown"}]}
        return [{f"_{key}": absent}]
    if item.type is ItemType.MULTI_CHOICE:
        assert isinstance(value, tuple)
        return [{key: _choice_coding(item, code)} for code in value]
    if item.type is ItemType.CHOICE:
        assert isinstance(value, str)
        return [{key: _choice_coding(item, value)}]
    if isinstance(value, dt.date):
        return [{key: value.isoformat()}]
    if isinstance(value, Decimal):
        return [{key: _decimal_number(value, f"answers.{item.link_id}")}]
    if isinstance(value, str):
        text = _fhir_string(value, f"answers.{item.link_id}")
        return [] if text is None else [{key: text}]
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**31) <= value < 2**31:
        raise ValidationError(
            [f"answers.{item.link_id}: a FHIR integer must fit in 32 bits"], what="FHIR export"
        )
    return [{key: value}]


def _choice_coding(item: Item, code: str) -> dict[str, Any]:
    coding: dict[str, Any] = {"code": code}
    for choice in item.choices:
        if choice.code == code:
            _put_text(coding, "display", choice.label, f"questionnaire.{item.link_id}.choices")
    return coding


# ---------------------------------------------------------------------------- reading back


def answers_from_questionnaire_response(
    resource: Mapping[str, Any],
    questionnaire: Questionnaire,
    *,
    base: str = CANONICAL_BASE,
) -> Answers:
    """Read the answers back from a ``QuestionnaireResponse`` made by exointake.

    The inverse of :func:`to_questionnaire_response`: for answers ``a`` on
    questionnaire ``q``,
    ``answers_from_questionnaire_response(to_questionnaire_response(a, q), q) == a``.
    An ``in-progress`` response may lack required answers; a ``completed`` one may not.

    Args:
        resource: the QuestionnaireResponse as JSON data.
        questionnaire: the questionnaire it answers.
        base: the base URL used when it was exported.

    Raises:
        VersionMismatchError: the response answers another questionnaire, version or text.
        ValidationError: the resource is malformed, or its answers do not fit the
            questionnaire (every problem listed with its path; free text is never echoed).
    """
    what = "QuestionnaireResponse"
    if not isinstance(resource, Mapping):
        raise ValidationError([f"$: expected an object, got {describe_type(resource)}"], what=what)
    errors: list[str] = []
    if resource.get("resourceType") != "QuestionnaireResponse":
        errors.append(
            "resourceType: expected 'QuestionnaireResponse', got "
            f"{safe_repr(resource.get('resourceType'))}"
        )
    status = resource.get("status")
    if status not in ("completed", "in-progress", "amended"):
        errors.append(f"status: expected completed|in-progress|amended, got {safe_repr(status)}")
    if errors:
        raise ValidationError(errors, what=what)

    expected = questionnaire_canonical(questionnaire, base=base)
    if resource.get("questionnaire") != expected:
        raise VersionMismatchError(
            [
                "questionnaire: the response answers "
                f"{safe_repr(resource.get('questionnaire'), limit=120)}, not {expected}"
            ],
            what=what,
        )
    ext = _extensions(resource, "extension", errors)
    sha = ext.get(_ext_url(base, "questionnaire-sha256"), {}).get("valueString")
    if sha is not None and sha != questionnaire.sha256:
        raise VersionMismatchError(
            [
                "extension[questionnaire-sha256]: the response was given on a different "
                f"text of {questionnaire.id} v{questionnaire.version}"
            ],
            what=what,
        )
    route_ext = ext.get(_ext_url(base, "route"))
    route = None if route_ext is None else route_ext.get("valueCode")
    if route is not None and route not in {r.value for r in Route}:
        errors.append(
            f"extension[route].valueCode: expected one of "
            f"{'|'.join(r.value for r in Route)}, got {safe_repr(route)}"
        )

    raw: dict[str, object] = {}
    items = resource.get("item", [])
    if not isinstance(items, Sequence) or isinstance(items, str):
        errors.append(f"item: expected a list, got {describe_type(items)}")
        items = []
    for n, entry in enumerate(items):
        path = f"item[{n}]"
        if not isinstance(entry, Mapping):
            errors.append(f"{path}: expected an object, got {describe_type(entry)}")
            continue
        link_id = entry.get("linkId")
        if not isinstance(link_id, str) or link_id not in questionnaire:
            errors.append(
                f"{path}.linkId: expected an item of {questionnaire.id} "
                f"v{questionnaire.version}, got {safe_repr(link_id)}"
            )
            continue
        if link_id in raw:
            errors.append(f"{path}.linkId: {link_id} appears twice")
            continue
        try:
            raw[link_id] = _read_answer(questionnaire.item(link_id), entry, path)
        except ValidationError as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationError(errors, what=what)
    return questionnaire.answers(raw, route=route, partial=status != "completed")


def _extensions(
    element: Mapping[str, Any], key: str, errors: list[str]
) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    value = element.get(key, [])
    if not isinstance(value, Sequence) or isinstance(value, str):
        errors.append(f"{key}: expected a list, got {describe_type(value)}")
        return found
    for ext in value:
        if isinstance(ext, Mapping) and isinstance(ext.get("url"), str):
            found[ext["url"]] = ext
    return found


def _read_answer(item: Item, entry: Mapping[str, Any], path: str) -> object:
    answers = entry.get("answer")
    key = "value" + _VALUE_KEY[item.type]
    if answers is None and item.type is ItemType.TEXT:
        return ""  # a blank text answer (FHIR strings cannot be empty)
    if not isinstance(answers, Sequence) or isinstance(answers, str) or not answers:
        raise ValidationError([f"{path}.answer: expected a non-empty list"], what="")
    many = item.type is ItemType.MULTI_CHOICE
    if len(answers) > 1 and not many:
        raise ValidationError([f"{path}.answer: expected one answer, got {len(answers)}"], what="")
    values: list[object] = []
    for k, answer in enumerate(answers):
        apath = f"{path}.answer[{k}]"
        if not isinstance(answer, Mapping):
            raise ValidationError([f"{apath}: expected an object"], what="")
        if _is_unknown(answer, key):
            if len(answers) != 1:
                raise ValidationError(
                    [f"{apath}: 'unknown' cannot be combined with other answers"], what=""
                )
            return "unknown"
        if key not in answer:
            raise ValidationError([f"{apath}: expected {key} for a {item.type} item"], what="")
        value = answer[key]
        if key == "valueCoding":
            code = value.get("code") if isinstance(value, Mapping) else None
            if not isinstance(code, str):
                raise ValidationError([f"{apath}.valueCoding.code: expected a string"], what="")
            values.append(code)
        elif key == "valueDecimal":
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                raise ValidationError(
                    [f"{apath}.valueDecimal: expected a number, got {describe_type(value)}"],
                    what="",
                )
            values.append(str(value))
        elif value == "unknown" and item.type is not ItemType.TEXT:
            raise ValidationError(
                [f"{apath}.{key}: 'unknown' is written as the asked-unknown data-absent reason"],
                what="",
            )
        else:
            values.append(value)
    return values if many else values[0]


def _is_unknown(answer: Mapping[str, Any], key: str) -> bool:
    if key == "valueCoding":
        coding = answer.get(key)
        return (
            isinstance(coding, Mapping)
            and coding.get("system") == _DAR_SYSTEM
            and coding.get("code") == "asked-unknown"
        )
    companion = answer.get(f"_{key}")
    if key in answer or not isinstance(companion, Mapping):
        return False
    exts = companion.get("extension", [])
    return isinstance(exts, Sequence) and any(
        isinstance(e, Mapping)
        and e.get("url") == DATA_ABSENT_REASON
        and e.get("valueCode") == "asked-unknown"
        for e in exts
    )


# ---------------------------------------------------------------------------- output & checks


def dumps(resource: Mapping[str, Any]) -> str:
    """Deterministic JSON text of a resource (UTF-8 characters kept, two-space indent)."""
    return json.dumps(resource, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


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
