"""FHIR Questionnaire and QuestionnaireResponse: export, and reading answers back."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from .._common import Route
from .._convert import describe_type, prefix_path, safe_repr
from .._errors import ValidationError, VersionMismatchError
from .._labels import load_labels
from .._questionnaire import (
    UNKNOWN,
    Answers,
    AnswerValue,
    EnableWhen,
    Item,
    ItemType,
    Operator,
    Questionnaire,
)
from ._util import (
    CANONICAL_BASE,
    DATA_ABSENT_REASON,
    FhirResource,
    decimal_number,
    ext_url,
    fhir_id,
    fhir_string,
    instant,
    patient_reference,
    put_text,
)

__all__ = [
    "QUESTIONNAIRE_EXTENSIONS",
    "answers_from_questionnaire_response",
    "questionnaire_canonical",
    "to_questionnaire",
    "to_questionnaire_response",
]

_DAR_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
_ITEM_CONTROL: Final = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
_ITEM_CONTROL_SYSTEM: Final = "http://hl7.org/fhir/questionnaire-item-control"

QUESTIONNAIRE_EXTENSIONS: Final[Mapping[str, str]] = {
    "allow-unknown": "Questionnaire.item: valueBoolean true when the item accepts "
    '"don\'t know" (boolean, date and number items record it as the asked-unknown '
    "data-absent reason; choice items offer it as an extra answer option).",
    "item-routes": "Questionnaire.item: valueCode, repeated: the item is shown only "
    "for these routes (iv_drip, injection_face, injection_scalp).",
    "route": "QuestionnaireResponse: valueCode: the planned route the answers were given for.",
    "questionnaire-sha256": "QuestionnaireResponse: valueString: SHA-256 of the canonical "
    "JSON of the exact questionnaire text the patient saw.",
}


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


def _computable_name(ident: str) -> str:
    parts = re.split(r"[^A-Za-z0-9]+", ident)
    name = "".join(p[:1].upper() + p[1:] for p in parts if p)
    if not name or not name[0].isalpha():
        name = "Q" + name
    return name


def questionnaire_canonical(questionnaire: Questionnaire, *, base: str = CANONICAL_BASE) -> str:
    """The versioned canonical reference ``url|version`` of a questionnaire.

    >>> from exointake import fhir, load_questionnaire
    >>> fhir.questionnaire_canonical(load_questionnaire("exosome-intake", "1"))
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

    >>> from exointake import fhir, load_questionnaire
    >>> resource = fhir.to_questionnaire(load_questionnaire("exosome-intake", "1"))
    >>> resource["url"], resource["version"], resource["item"][0]["linkId"]
    ('https://exointake.example/fhir/Questionnaire/exosome-intake', '1', 'birth_date')
    """
    resource: FhirResource = {
        "resourceType": "Questionnaire",
        "id": fhir_id(f"{questionnaire.id}-{questionnaire.version}"),
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
    put_text(resource, "title", questionnaire.title, "questionnaire.title")
    if questionnaire.description is not None:
        put_text(resource, "description", questionnaire.description, "questionnaire.description")
    resource["item"] = [_item(questionnaire, item, base) for item in questionnaire.items]
    return resource


def _item(questionnaire: Questionnaire, item: Item, base: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    extensions: list[dict[str, Any]] = []
    if item.allow_unknown:
        extensions.append({"url": ext_url(base, "allow-unknown"), "valueBoolean": True})
    extensions.extend(
        {"url": ext_url(base, "item-routes"), "valueCode": route.value} for route in item.routes
    )
    if extensions:
        out["extension"] = extensions
    out["linkId"] = item.link_id
    put_text(out, "text", item.text, f"questionnaire.{item.link_id}.text")
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
            put_text(coding, "display", choice.label, f"questionnaire.{item.link_id}.choices")
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
        put_text(help_item, "text", item.help, f"questionnaire.{item.link_id}.help")
        help_item["type"] = "display"
        out["item"] = [help_item]
    return out


def _unknown_coding() -> dict[str, Any]:
    coding: dict[str, Any] = {"system": _DAR_SYSTEM, "code": "asked-unknown"}
    put_text(coding, "display", load_labels().of("fhir.answers", "unknown"), "unknown")
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
        out[key] = decimal_number(Decimal(str(value)), f"{cond.question}.enableWhen")
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
        patient_id: the clinic's opaque patient id (e.g. a chart number), written as a
            logical reference: ``{"type": "Patient", "identifier": {...}}``.
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
        resource["id"] = fhir_id(id)
    extensions: list[dict[str, Any]] = [
        {"url": ext_url(base, "questionnaire-sha256"), "valueString": questionnaire.sha256}
    ]
    if answers.route is not None:
        extensions.append({"url": ext_url(base, "route"), "valueCode": answers.route.value})
    resource["extension"] = extensions
    resource["language"] = "ja"
    resource["questionnaire"] = questionnaire_canonical(questionnaire, base=base)
    resource["status"] = "completed" if _is_complete(answers, questionnaire) else "in-progress"
    if patient_id is not None:
        resource["subject"] = patient_reference(patient_id, base=base)
    if authored is not None:
        resource["authored"] = instant(authored, "authored")
    items = []
    errors: list[str] = []
    for item in questionnaire.items:
        if item.link_id not in answers.values:
            continue
        value = answers.values[item.link_id]
        out: dict[str, Any] = {"linkId": item.link_id}
        try:
            text = fhir_string(item.text.ja, f"questionnaire.{item.link_id}.text.ja")
            if text is not None:  # the English text is in the Questionnaire
                out["text"] = text
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
        return [{key: decimal_number(value, f"answers.{item.link_id}")}]
    if isinstance(value, str):
        text = fhir_string(value, f"answers.{item.link_id}")
        return [] if text is None else [{key: text}]
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**31) <= value < 2**31:
        raise ValidationError(
            [f"answers.{item.link_id}: a FHIR integer must fit in 32 bits"], what="FHIR export"
        )
    return [{key: value}]


def _choice_coding(item: Item, code: str) -> dict[str, Any]:
    coding: dict[str, Any] = {"code": code}
    for choice in item.choices:
        if choice.code == code:  # Japanese only: the Questionnaire carries the translation
            display = fhir_string(choice.label.ja, f"questionnaire.{item.link_id}.choices")
            if display is not None:
                coding["display"] = display
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
        raise ValidationError(
            [f"{what}: expected an object, got {describe_type(resource)}"], what=what
        )
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
        raise ValidationError([prefix_path(what, e) for e in errors], what=what)

    expected = questionnaire_canonical(questionnaire, base=base)
    if resource.get("questionnaire") != expected:
        raise VersionMismatchError(
            [
                f"{what}.questionnaire: the response answers "
                f"{safe_repr(resource.get('questionnaire'), limit=120)}, not {expected}"
            ],
            what=what,
        )
    ext = _extensions(resource, "extension", errors)
    sha = ext.get(ext_url(base, "questionnaire-sha256"), {}).get("valueString")
    if sha is not None and sha != questionnaire.sha256:
        raise VersionMismatchError(
            [
                f"{what}.extension[questionnaire-sha256]: the response was given on a "
                "different "
                f"text of {questionnaire.id} v{questionnaire.version}"
            ],
            what=what,
        )
    route_ext = ext.get(ext_url(base, "route"))
    route = None if route_ext is None else route_ext.get("valueCode")
    if route is not None and (not isinstance(route, str) or route not in {r.value for r in Route}):
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
        raise ValidationError([prefix_path(what, e) for e in errors], what=what)
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
