"""FHIR R4 export: resources validate, keep the questionnaire's meaning, and round-trip."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import exointake
from exointake import (
    UNKNOWN,
    Answers,
    Questionnaire,
    Route,
    ValidationError,
    VersionMismatchError,
    fhir,
    load_questionnaire,
    strategies,
)
from exointake.fhir._util import fhir_id
from exointake.questionnaire import ItemType

from .conftest import ROOT

QUESTIONNAIRE = load_questionnaire("exosome-intake", "1")
CANONICAL = "https://exointake.example/fhir/Questionnaire/exosome-intake|1"

CLEAR_FACE = {
    "birth_date": "1985-06-01",
    "cancer_history": "none",
    "drug_allergy": False,
    "food_allergy": False,
    "prior_exosome_reaction": False,
    "pregnant_or_breastfeeding": False,
    "fever_or_infection_today": False,
    "immunosuppressed_or_autoimmune": False,
    "anticoagulants": False,
    "bleeding_disorder": False,
    "keloid_tendency": False,
    "site_skin_problem": False,
    "current_medications": "なし",
}


def r4_questionnaire_problems(resource: Mapping[str, Any]) -> list[str]:
    """Check FHIR R4 Questionnaire invariants that fhir.resources' models do not enforce."""
    problems: list[str] = []
    types: dict[str, str] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            link = item["linkId"]
            if link in types:
                problems.append(f"que-2: duplicate linkId {link}")
            types[link] = item["type"]
            if item["type"] == "display" and ("required" in item or "repeats" in item):
                problems.append(f"que-6: display item {link} has required/repeats")
            if item.get("answerOption") and item["type"] not in ("choice", "open-choice"):
                problems.append(f"que-5: {link} of type {item['type']} has answerOption")
            conds = item.get("enableWhen", [])
            if len(conds) > 1 and "enableBehavior" not in item:
                problems.append(f"que-12: {link} needs enableBehavior")
            for cond in conds:
                source = types.get(cond["question"])
                if source is None:
                    problems.append(f"{link}: enableWhen refers to unknown/later item")
                    continue
                answer_keys = [k for k in cond if k.startswith("answer")]
                if len(answer_keys) != 1:
                    problems.append(f"{link}: enableWhen needs exactly one answer[x]")
                elif cond["operator"] == "exists":
                    if answer_keys[0] != "answerBoolean":
                        problems.append(f"que-7: {link} exists needs answerBoolean")
                else:
                    expected = {
                        "boolean": "answerBoolean",
                        "choice": "answerCoding",
                        "date": "answerDate",
                        "integer": "answerInteger",
                        "decimal": "answerDecimal",
                        "text": "answerString",
                    }[source]
                    if answer_keys[0] != expected:
                        problems.append(f"que-7: {link} compares a {source} with {answer_keys[0]}")
            walk(item.get("item", []))

    walk(resource["item"])
    return problems


def response_problems(response: Mapping[str, Any], questionnaire: Mapping[str, Any]) -> list[str]:
    """Check a QuestionnaireResponse against the exported Questionnaire it claims to answer."""
    problems: list[str] = []
    items = {i["linkId"]: i for i in questionnaire["item"]}
    canonical = f"{questionnaire['url']}|{questionnaire['version']}"
    if response["questionnaire"] != canonical:
        problems.append("questionnaire canonical differs")
    for entry in response.get("item", []):
        item = items.get(entry["linkId"])
        if item is None:
            problems.append(f"{entry['linkId']}: not in the questionnaire")
            continue
        if len(entry.get("answer", [])) > 1 and not item.get("repeats"):
            problems.append(f"{entry['linkId']}: several answers to a non-repeating item")
        for answer in entry.get("answer", []):
            if item["type"] == "choice":
                options = [
                    (o["valueCoding"].get("system"), o["valueCoding"]["code"])
                    for o in item["answerOption"]
                ]
                coding = answer["valueCoding"]
                if (coding.get("system"), coding["code"]) not in options:
                    problems.append(f"{entry['linkId']}: answer not among answerOption")
            else:
                key = "value" + {"text": "String"}.get(item["type"], item["type"].capitalize())
                if key not in answer and f"_{key}" not in answer:
                    problems.append(f"{entry['linkId']}: expected {key}")
    return problems


def translation(element: Mapping[str, Any]) -> str:
    """The English translation carried by a ``_element`` companion."""
    (ext,) = element["extension"]
    assert ext["url"] == "http://hl7.org/fhir/StructureDefinition/translation"
    parts = {e["url"]: e for e in ext["extension"]}
    assert parts["lang"]["valueCode"] == "en"
    return str(parts["content"]["valueString"])


class TestQuestionnaire:
    def test_validates_against_r4b(self) -> None:
        """The exported bundled questionnaire is a valid R4B Questionnaire."""
        fhir.validate(fhir.to_questionnaire(QUESTIONNAIRE))

    def test_keeps_r4_invariants(self) -> None:
        """The export keeps the R4 invariants the models do not check (que-2/5/6/7/12)."""
        assert r4_questionnaire_problems(fhir.to_questionnaire(QUESTIONNAIRE)) == []

    def test_canonical_is_url_and_version(self) -> None:
        """The canonical is the questionnaire URL and its version, joined by a bar."""
        resource = fhir.to_questionnaire(QUESTIONNAIRE)
        assert f"{resource['url']}|{resource['version']}" == CANONICAL
        assert fhir.questionnaire_canonical(QUESTIONNAIRE) == CANONICAL

    def test_own_base_url(self) -> None:
        """A clinic's base URL is used for the canonical and the extensions."""
        resource = fhir.to_questionnaire(QUESTIONNAIRE, base="https://clinic.jp/fhir")
        assert resource["url"] == "https://clinic.jp/fhir/Questionnaire/exosome-intake"
        ext_urls = {e["url"] for i in resource["item"] for e in i.get("extension", [])}
        assert ext_urls
        assert all(u.startswith("https://clinic.jp/fhir/StructureDefinition/") for u in ext_urls)

    def test_items_in_order_with_both_languages(self) -> None:
        """Every item keeps its link_id and order, Japanese text, English translation."""
        resource = fhir.to_questionnaire(QUESTIONNAIRE)
        assert [i["linkId"] for i in resource["item"]] == [i.link_id for i in QUESTIONNAIRE.items]
        for exported, item in zip(resource["item"], QUESTIONNAIRE.items, strict=True):
            assert exported["text"] == item.text.ja
            assert translation(exported["_text"]) == item.text.en
            assert exported["required"] is item.required
        assert resource["title"] == QUESTIONNAIRE.title.ja
        assert translation(resource["_title"]) == QUESTIONNAIRE.title.en

    def test_choices_become_answer_options(self) -> None:
        """cancer_history offers none/past/current and, since it allows it, don't know."""
        resource = fhir.to_questionnaire(QUESTIONNAIRE)
        item = next(i for i in resource["item"] if i["linkId"] == "cancer_history")
        codes = [o["valueCoding"]["code"] for o in item["answerOption"]]
        assert codes == ["none", "past", "current", "asked-unknown"]
        assert item["answerOption"][0]["valueCoding"]["display"] == "ない"
        assert translation(item["answerOption"][0]["valueCoding"]["_display"]) == "Never"

    def test_enable_when(self) -> None:
        """drug_allergy_details is enabled only when drug_allergy is true."""
        resource = fhir.to_questionnaire(QUESTIONNAIRE)
        item = next(i for i in resource["item"] if i["linkId"] == "drug_allergy_details")
        assert item["enableWhen"] == [
            {"question": "drug_allergy", "operator": "=", "answerBoolean": True}
        ]
        assert item["enableBehavior"] == "all"

    def test_route_limited_item_carries_routes(self) -> None:
        """site_skin_problem names the local routes it is shown for in an extension."""
        resource = fhir.to_questionnaire(QUESTIONNAIRE)
        item = next(i for i in resource["item"] if i["linkId"] == "site_skin_problem")
        routes = [e["valueCode"] for e in item["extension"] if e["url"].endswith("/item-routes")]
        assert routes == [r.value for r in QUESTIONNAIRE.item("site_skin_problem").routes]
        assert routes
        assert "iv_drip" not in routes

    def test_all_item_types_and_operators(self) -> None:
        """Every item type and enableWhen answer type exports validly."""
        q = Questionnaire.from_dict(
            {
                "id": "all-types",
                "version": "2.1",
                "title": {"ja": "全種類", "en": "All types"},
                "items": [
                    {"link_id": "b", "type": "boolean", "text": {"ja": "b", "en": "b"}},
                    {
                        "link_id": "m",
                        "type": "multi_choice",
                        "text": {"ja": "m", "en": "m"},
                        "allow_unknown": True,
                        "choices": [
                            {"code": "x", "label": {"ja": "x", "en": "x"}},
                            {"code": "y", "label": {"ja": "y", "en": "y"}},
                        ],
                    },
                    {"link_id": "d", "type": "date", "text": {"ja": "d", "en": "d"}},
                    {"link_id": "i", "type": "integer", "text": {"ja": "i", "en": "i"}},
                    {"link_id": "f", "type": "decimal", "text": {"ja": "f", "en": "f"}},
                    {
                        "link_id": "t",
                        "type": "text",
                        "text": {"ja": "t", "en": "t"},
                        "enable_behavior": "any",
                        "enable_when": [
                            {"question": "b", "operator": "exists", "answer": True},
                            {"question": "m", "operator": "=", "answer": "y"},
                            {"question": "d", "operator": ">", "answer": "2000-01-01"},
                            {"question": "i", "operator": ">=", "answer": 3},
                            {"question": "f", "operator": "<", "answer": 1.5},
                        ],
                    },
                ],
            }
        )
        resource = fhir.to_questionnaire(q)
        fhir.validate(resource)
        assert r4_questionnaire_problems(resource) == []
        t = resource["item"][-1]
        assert t["enableBehavior"] == "any"
        assert [next(k for k in c if k.startswith("answer")) for c in t["enableWhen"]] == [
            "answerBoolean",
            "answerCoding",
            "answerDate",
            "answerInteger",
            "answerDecimal",
        ]
        assert resource["item"][1]["repeats"] is True
        assert resource["name"] == "AllTypes"

    def test_deterministic(self) -> None:
        """Exporting the same questionnaire twice gives the same JSON text."""
        assert fhir.dumps(fhir.to_questionnaire(QUESTIONNAIRE)) == fhir.dumps(
            fhir.to_questionnaire(load_questionnaire("exosome-intake", "1"))
        )


class TestQuestionnaireResponse:
    def answers(self, **changes: object) -> Any:
        return QUESTIONNAIRE.answers({**CLEAR_FACE, **changes}, route="injection_face")

    def test_validates_and_fits_the_questionnaire(self) -> None:
        """A response validates as R4B and every answer fits the exported questionnaire."""
        response = fhir.to_questionnaire_response(
            self.answers(drug_allergy=True, drug_allergy_details="ペニシリンで発疹"),
            QUESTIONNAIRE,
            patient_id="P-0001",
            authored=dt.datetime(2026, 11, 25, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=9))),
            id="qr-1",
        )
        fhir.validate(response)
        assert response_problems(response, fhir.to_questionnaire(QUESTIONNAIRE)) == []
        assert response["questionnaire"] == CANONICAL
        assert response["status"] == "completed"
        assert response["subject"] == {
            "type": "Patient",
            "identifier": {
                "system": "https://exointake.example/fhir/sid/patient-id",
                "value": "P-0001",
            },
        }
        assert response["authored"] == "2026-11-25T01:30:00Z"

    def test_unknown_is_asked_unknown(self) -> None:
        """Don't know is the asked-unknown data-absent reason, never false or a missing item."""
        response = fhir.to_questionnaire_response(
            self.answers(food_allergy="unknown", cancer_history="unknown"), QUESTIONNAIRE
        )
        fhir.validate(response)
        items = {i["linkId"]: i for i in response["item"]}
        (food,) = items["food_allergy"]["answer"]
        assert "valueBoolean" not in food
        assert food["_valueBoolean"]["extension"] == [
            {"url": fhir.DATA_ABSENT_REASON, "valueCode": "asked-unknown"}
        ]
        (cancer,) = items["cancer_history"]["answer"]
        assert cancer["valueCoding"]["code"] == "asked-unknown"
        assert response_problems(response, fhir.to_questionnaire(QUESTIONNAIRE)) == []

    def test_partial_answers_are_in_progress(self) -> None:
        """Answers missing a required item export as in-progress."""
        partial = {k: v for k, v in CLEAR_FACE.items() if k != "cancer_history"}
        answers = QUESTIONNAIRE.answers(partial, route="injection_scalp", partial=True)
        response = fhir.to_questionnaire_response(answers, QUESTIONNAIRE)
        assert response["status"] == "in-progress"
        assert fhir.answers_from_questionnaire_response(response, QUESTIONNAIRE) == answers

    def test_pinned_to_other_version_is_refused(self) -> None:
        """Answers pinned to another questionnaire text cannot be exported against this one."""
        other = Questionnaire.from_dict(
            {**QUESTIONNAIRE.to_dict(), "title": {"ja": "別", "en": "Other"}}
        )
        with pytest.raises(VersionMismatchError):
            fhir.to_questionnaire_response(self.answers(), other)

    def test_naive_authored_is_refused(self) -> None:
        """A time without a time zone is refused rather than guessed."""
        with pytest.raises(ValidationError, match="authored"):
            fhir.to_questionnaire_response(
                self.answers(), QUESTIONNAIRE, authored=dt.datetime(2026, 11, 25, 10)
            )

    def test_deterministic(self) -> None:
        """The same answers give the same JSON text."""
        a = fhir.dumps(fhir.to_questionnaire_response(self.answers(), QUESTIONNAIRE))
        b = fhir.dumps(fhir.to_questionnaire_response(self.answers(), QUESTIONNAIRE))
        assert a == b
        json.loads(a)


class TestReadBack:
    def response(self, **changes: object) -> dict[str, Any]:
        answers = QUESTIONNAIRE.answers({**CLEAR_FACE, **changes}, route="injection_face")
        return fhir.to_questionnaire_response(answers, QUESTIONNAIRE)

    @pytest.mark.parametrize(
        "changes",
        [
            {},
            {"food_allergy": "unknown", "cancer_history": "unknown", "keloid_tendency": "unknown"},
            {"drug_allergy": True, "drug_allergy_details": "unknown"},
            {"cancer_history": "past", "birth_date": "昭和55年4月1日"},
        ],
    )
    def test_round_trip_examples(self, changes: dict[str, object]) -> None:
        """Exported and read back, the answers are equal, route and pin included."""
        answers = QUESTIONNAIRE.answers({**CLEAR_FACE, **changes}, route="injection_face")
        back = fhir.answers_from_questionnaire_response(
            json.loads(fhir.dumps(fhir.to_questionnaire_response(answers, QUESTIONNAIRE))),
            QUESTIONNAIRE,
        )
        assert back == answers
        assert back.values.get("drug_allergy_details") == answers.values.get("drug_allergy_details")

    def test_text_unknown_stays_text(self) -> None:
        """A free-text answer that reads "unknown" stays text, not "don't know"."""
        response = self.response(drug_allergy=True, drug_allergy_details="unknown")
        back = fhir.answers_from_questionnaire_response(response, QUESTIONNAIRE)
        assert back.values["drug_allergy_details"] == "unknown"
        assert back.values["drug_allergy_details"] is not UNKNOWN

    def test_other_version_refused(self) -> None:
        """A response to another questionnaire version is refused."""
        response = self.response()
        response["questionnaire"] = CANONICAL.replace("|1", "|2")
        with pytest.raises(VersionMismatchError, match=r"\|2"):
            fhir.answers_from_questionnaire_response(response, QUESTIONNAIRE)

    def test_other_text_refused(self) -> None:
        """A response whose recorded questionnaire hash differs is refused."""
        response = self.response()
        response["extension"][0]["valueString"] = "0" * 64
        with pytest.raises(VersionMismatchError, match="different text"):
            fhir.answers_from_questionnaire_response(response, QUESTIONNAIRE)

    def test_malformed_lists_every_problem_without_free_text(self) -> None:
        """Malformed answers are all reported with their paths; free text is never echoed."""
        response = self.response()
        secret = "秘密の病歴についての長い自由記述テキスト"
        items = {i["linkId"]: i for i in response["item"]}
        items["drug_allergy"]["answer"] = [{"valueString": secret}]
        items["cancer_history"]["answer"] = [{"valueCoding": {"display": secret}}]
        response["item"].append({"linkId": "shoe_size", "answer": [{"valueInteger": 42}]})
        with pytest.raises(ValidationError) as info:
            fhir.answers_from_questionnaire_response(response, QUESTIONNAIRE)
        errors = info.value.errors
        qr = "QuestionnaireResponse"
        assert any(e.startswith(f"{qr}.item[1].answer[0].valueCoding.code") for e in errors)
        assert any(e.startswith(f"{qr}.item[2].answer[0]: expected valueBoolean") for e in errors)
        assert any("shoe_size" in e for e in errors)
        assert secret not in str(info.value)

    def test_not_an_object_names_the_resource(self) -> None:
        """The top-level header is the resource's name, never ``$``."""
        with pytest.raises(ValidationError) as info:
            fhir.answers_from_questionnaire_response([], QUESTIONNAIRE)  # type: ignore[arg-type]
        assert info.value.errors == ("QuestionnaireResponse: expected an object, got list",)

    def test_other_questionnaire_names_the_field(self) -> None:
        response = self.response()
        response["questionnaire"] = "https://elsewhere.example/Questionnaire/x|9"
        with pytest.raises(VersionMismatchError) as info:
            fhir.answers_from_questionnaire_response(response, QUESTIONNAIRE)
        assert info.value.errors[0].startswith(
            "QuestionnaireResponse.questionnaire: the response answers "
        )

    def test_completed_needs_required_answers(self) -> None:
        """A completed response missing a required answer is refused."""
        response = self.response()
        response["item"] = [i for i in response["item"] if i["linkId"] != "cancer_history"]
        with pytest.raises(ValidationError, match="cancer_history: required"):
            fhir.answers_from_questionnaire_response(response, QUESTIONNAIRE)

    @pytest.mark.parametrize(
        ("mutate", "message"),
        [
            (lambda r: r.update(resourceType="Patient"), "QuestionnaireResponse.resourceType"),
            (lambda r: r.update(status="draft"), "QuestionnaireResponse.status"),
            (lambda r: r.update(item={}), "QuestionnaireResponse.item: expected a list"),
            (lambda r: r["item"][0].update(answer=[]), "QuestionnaireResponse.item[0].answer"),
            (lambda r: r["item"].append(copy.deepcopy(r["item"][0])), "appears twice"),
        ],
    )
    def test_malformed_structure(self, mutate: Any, message: str) -> None:
        """Structural problems raise a ValidationError naming the place."""
        response = self.response()
        mutate(response)
        with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
            fhir.answers_from_questionnaire_response(response, QUESTIONNAIRE)


class TestBundle:
    def resources(self) -> list[dict[str, Any]]:
        answers = QUESTIONNAIRE.answers(CLEAR_FACE, route="injection_face")
        return [
            fhir.to_questionnaire(QUESTIONNAIRE),
            fhir.to_questionnaire_response(answers, QUESTIONNAIRE, patient_id="P-1"),
        ]

    def test_validates(self) -> None:
        """A bundle of exported resources is a valid R4B Bundle, entries in order."""
        bundle = fhir.to_bundle(
            self.resources(), timestamp=dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
        )
        fhir.validate(bundle)
        assert bundle["type"] == "collection"
        assert [e["resource"]["resourceType"] for e in bundle["entry"]] == [
            "Questionnaire",
            "QuestionnaireResponse",
        ]
        assert bundle["timestamp"] == "2026-11-25T09:00:00Z"

    def test_deterministic_and_content_addressed(self) -> None:
        """Same resources, same bundle; a changed resource changes its fullUrl and the id."""
        a = fhir.to_bundle(self.resources())
        assert a == fhir.to_bundle(self.resources())
        changed = self.resources()
        changed[1]["status"] = "in-progress"
        b = fhir.to_bundle(changed)
        assert a["entry"][0]["fullUrl"] == b["entry"][0]["fullUrl"]
        assert a["entry"][1]["fullUrl"] != b["entry"][1]["fullUrl"]
        assert a["id"] != b["id"]
        assert len({e["fullUrl"] for e in a["entry"]}) == 2

    def test_empty(self) -> None:
        """An empty bundle has no entry array (FHIR JSON has no empty arrays) and validates."""
        bundle = fhir.to_bundle([])
        assert "entry" not in bundle
        fhir.validate(bundle)

    def test_not_a_resource(self) -> None:
        """Something without a resourceType is refused with its position."""
        with pytest.raises(ValidationError, match=r"resources\[1\]"):
            fhir.to_bundle([self.resources()[0], {"id": "x"}])


class TestIds:
    @given(st.text(min_size=1, max_size=80))
    def test_any_id_becomes_a_valid_fhir_id(self, ident: str) -> None:
        """Any exointake id maps to a valid FHIR id; valid ones are kept as they are."""
        out = fhir_id(ident)
        assert re.fullmatch(r"[A-Za-z0-9.-]{1,64}", out)
        if re.fullmatch(r"[A-Za-z0-9.-]{1,64}", ident):
            assert out == ident

    def test_ids_do_not_collide(self) -> None:
        """Ids differing only in characters FHIR forbids stay distinct."""
        assert len({fhir_id("P_1"), fhir_id("P:1"), fhir_id("P-1")}) == 3


class TestValidate:
    def test_invalid_resource_lists_fhir_paths(self) -> None:
        """fhir.validate names the FHIR path of each problem."""
        response = fhir.to_questionnaire_response(
            QUESTIONNAIRE.answers(CLEAR_FACE, route="injection_face"), QUESTIONNAIRE
        )
        response["item"][0]["answer"][0] = {"valueDate": "not a date"}
        with pytest.raises(ValidationError, match=r"QuestionnaireResponse\.item\.0\.answer\.0"):
            fhir.validate(response)

    def test_unknown_resource_type(self) -> None:
        """A resourceType R4B does not know is a ValidationError, not a crash."""
        with pytest.raises(ValidationError, match="resourceType"):
            fhir.validate({"resourceType": "NoSuchThing"})


def blank_to_empty(answers: Answers, questionnaire: Questionnaire) -> Answers:
    """What a round trip through FHIR keeps: blank text answers become ``""``."""
    values = {
        k: (
            ""
            if isinstance(v, str) and questionnaire.item(k).type is ItemType.TEXT and not v.strip()
            else v
        )
        for k, v in answers.values.items()
    }
    return attrs.evolve(answers, values=values)


def unexportable_items(answers: Answers, questionnaire: Questionnaire) -> set[str]:
    """Text answers holding control characters FHIR strings may not carry."""
    return {
        k
        for k, v in answers.values.items()
        if questionnaire.item(k).type is ItemType.TEXT
        and isinstance(v, str)
        and re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", v)
    }


def check_round_trip(answers: Answers, questionnaire: Questionnaire) -> None:
    bad = unexportable_items(answers, questionnaire)
    if bad:
        with pytest.raises(ValidationError) as info:
            fhir.to_questionnaire_response(answers, questionnaire)
        assert {e.split(":")[0] for e in info.value.errors} == {f"answers.{k}" for k in bad}
        return
    response = fhir.to_questionnaire_response(answers, questionnaire, patient_id="P-1")
    fhir.validate(response)
    back = fhir.answers_from_questionnaire_response(json.loads(fhir.dumps(response)), questionnaire)
    assert back == blank_to_empty(answers, questionnaire)


class TestRoundTripProperty:
    @settings(max_examples=150, deadline=None)
    @given(data=st.data(), route=st.one_of(st.none(), strategies.routes()))
    def test_bundled_questionnaire(self, data: st.DataObject, route: Route | None) -> None:
        """Any valid answers to the bundled questionnaire come back equal from FHIR."""
        answers = data.draw(strategies.answers(QUESTIONNAIRE, route=route))
        check_round_trip(answers, QUESTIONNAIRE)

    @settings(max_examples=100, deadline=None)
    @given(data=st.data(), route=st.one_of(st.none(), strategies.routes()))
    def test_partial_answers(self, data: st.DataObject, route: Route | None) -> None:
        """Partial answers come back equal too, from an in-progress response."""
        raw = data.draw(strategies.partial_answer_dicts(QUESTIONNAIRE, route=route))
        check_round_trip(QUESTIONNAIRE.answers(raw, route=route, partial=True), QUESTIONNAIRE)

    @settings(max_examples=100, deadline=None)
    @given(data=st.data())
    def test_any_questionnaire(self, data: st.DataObject) -> None:
        """For any questionnaire, the export validates and its answers round-trip."""
        q = data.draw(strategies.questionnaires())
        texts = [q.title, *(i.text for i in q.items), *(i.help for i in q.items if i.help)]
        if any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", t.ja + t.en) for t in texts):
            with pytest.raises(ValidationError, match="control characters"):
                fhir.to_questionnaire(q)
            return
        resource = fhir.to_questionnaire(q)
        fhir.validate(resource)
        assert r4_questionnaire_problems(resource) == []
        route = data.draw(st.one_of(st.none(), strategies.routes()))
        answers = data.draw(strategies.answers(q, route=route))
        check_round_trip(answers, q)
        if not unexportable_items(answers, q):
            response = fhir.to_questionnaire_response(answers, q)
            assert response_problems(response, resource) == []


class TestRiskAssessment:
    def result(self, **changes: object) -> exointake.ScreeningResult:
        answers = QUESTIONNAIRE.answers({**CLEAR_FACE, **changes}, route="injection_face")
        return exointake.screen(answers, "injection_face", on=dt.date(2026, 11, 25))

    def test_findings_become_predictions(self) -> None:
        """Each finding is a prediction naming its rule, decision, source and staff message."""
        result = self.result(drug_allergy=True, drug_allergy_details="x", food_allergy="unknown")
        risk = fhir.to_risk_assessment(result, patient_id="P-1")
        fhir.validate(risk)
        overall, *findings = risk["prediction"]
        assert overall["qualitativeRisk"]["coding"][0]["code"] == result.decision.value
        assert [p["outcome"]["coding"][0]["code"] for p in findings] == [
            f.rule_id for f in result.findings
        ]
        for prediction, finding in zip(findings, result.findings, strict=True):
            assert prediction["qualitativeRisk"]["coding"][0]["code"] == finding.decision.value
            assert prediction["rationale"] == finding.staff_message.ja
            assert translation(prediction["_rationale"]) == finding.staff_message.en
        assert risk["identifier"][0]["value"] == result.result_id
        assert risk["occurrenceDateTime"] == "2026-11-25"
        missing = [
            e["valueString"] for e in risk["extension"] if e["url"].endswith("/missing-item")
        ]
        assert missing == ["food_allergy"]

    def test_clear_has_only_the_overall_prediction(self) -> None:
        """A clear result exports one prediction, clear, and the rule-set version."""
        result = self.result()
        assert result.decision is exointake.Decision.CLEAR
        risk = fhir.to_risk_assessment(result)
        fhir.validate(risk)
        assert len(risk["prediction"]) == 1
        ruleset = next(e for e in risk["extension"] if e["url"].endswith("/ruleset"))
        assert {p["url"]: p["valueString"] for p in ruleset["extension"]} == {
            "id": result.ruleset.id,
            "version": result.ruleset.version,
            "sha256": result.ruleset.sha256,
        }

    @settings(max_examples=60, deadline=None)
    @given(data=st.data(), route=strategies.routes())
    def test_any_result(self, data: st.DataObject, route: Route) -> None:
        """Any screening result, partial answers included, exports to a valid RiskAssessment."""
        raw = data.draw(strategies.partial_answer_dicts(QUESTIONNAIRE, route=route))
        result = exointake.screen(
            QUESTIONNAIRE.answers(raw, route=route, partial=True), route, on=dt.date(2026, 1, 1)
        )
        risk = fhir.to_risk_assessment(result, patient_id="P-1")
        fhir.validate(risk)
        assert len(risk["prediction"]) == 1 + len(result.findings)


class TestWithoutFhirResources:
    def test_export_needs_no_fhir_library(self) -> None:
        """Exporting works with fhir.resources unavailable; only validate() asks for it."""
        code = """
import sys
sys.modules["fhir"] = None  # as if fhir.resources were not installed
import exointake
from exointake import fhir
q = exointake.load_questionnaire()
answers = q.answers({"cancer_history": "none"}, partial=True)
bundle = fhir.to_bundle([fhir.to_questionnaire(q), fhir.to_questionnaire_response(answers, q)])
assert fhir.answers_from_questionnaire_response(bundle["entry"][1]["resource"], q) == answers
try:
    fhir.validate(bundle)
except ModuleNotFoundError as exc:
    print("needs:", "exointake[fhir]" in str(exc))
"""
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "needs: True"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, (*prefix, i)))
    return out


class TestReadBackNeverCrashes:
    @pytest.mark.parametrize("value", [["iv_drip"], {"code": "iv_drip"}, 3, None, "nasal_spray"])
    def test_bad_route_extension(self, value: object) -> None:
        """A route extension holding anything but a route name is a ValidationError."""
        answers = QUESTIONNAIRE.answers({"cancer_history": "none"}, partial=True, route="iv_drip")
        response = fhir.to_questionnaire_response(answers, QUESTIONNAIRE)
        route = next(e for e in response["extension"] if e["url"].endswith("/route"))
        route["valueCode"] = value
        if value is None:  # an extension without a value reads as no route
            back = fhir.answers_from_questionnaire_response(response, QUESTIONNAIRE)
            assert back.route is None
            return
        with pytest.raises(ValidationError, match=r"extension\[route\]"):
            fhir.answers_from_questionnaire_response(response, QUESTIONNAIRE)

    @settings(max_examples=150, deadline=None)
    @given(data=st.data())
    def test_any_corruption_is_a_validation_error(self, data: st.DataObject) -> None:
        """Whatever part of a response is replaced by whatever JSON, reading it back gives
        answers or a ValidationError, never another exception."""
        answers = data.draw(strategies.answers(QUESTIONNAIRE, route=Route.INJECTION_SCALP))
        try:
            response = fhir.to_questionnaire_response(answers, QUESTIONNAIRE)
        except ValidationError:
            return
        path = data.draw(st.sampled_from(_paths(response)[1:]))
        node: Any = response
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = data.draw(JSON)
        try:
            back = fhir.answers_from_questionnaire_response(response, QUESTIONNAIRE)
        except ValidationError:
            return
        assert isinstance(back, Answers)
