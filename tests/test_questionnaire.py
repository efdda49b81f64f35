"""Questionnaires: the bundled form, answer validation, pinning, era dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import exointake
from exointake import UNKNOWN, Questionnaire, Route, ValidationError
from exointake import strategies as xs
from exointake.questionnaire import ItemType

REQUIRED_LINK_IDS = {
    "birth_date": ItemType.DATE,
    "cancer_history": ItemType.CHOICE,
    "drug_allergy": ItemType.BOOLEAN,
    "food_allergy": ItemType.BOOLEAN,
    "prior_exosome_systemic_reaction": ItemType.BOOLEAN,
    "prior_exosome_local_reaction": ItemType.BOOLEAN,
    "anaphylaxis_history": ItemType.BOOLEAN,
    "component_or_biologic_allergy": ItemType.BOOLEAN,
    "bronchial_asthma": ItemType.BOOLEAN,
    "pregnant_or_breastfeeding": ItemType.BOOLEAN,
    "fever_or_infection_today": ItemType.BOOLEAN,
    "immunosuppressed_or_autoimmune": ItemType.BOOLEAN,
    "anticoagulants": ItemType.BOOLEAN,
    "bleeding_disorder": ItemType.BOOLEAN,
    "keloid_tendency": ItemType.BOOLEAN,
    "site_skin_problem": ItemType.BOOLEAN,
    "current_medications": ItemType.TEXT,
}


def errors_of(q: Questionnaire, values: dict[str, Any], **kw: Any) -> tuple[str, ...]:
    with pytest.raises(ValidationError) as info:
        q.answers(values, **kw)
    return info.value.errors


class TestBundledQuestionnaire:
    def test_stable_link_ids(self, questionnaire: Questionnaire) -> None:
        """The link_ids integrators rely on exist with their documented types."""
        for link_id, kind in REQUIRED_LINK_IDS.items():
            assert questionnaire.item(link_id).type is kind

    def test_cancer_history_choices(self, questionnaire: Questionnaire) -> None:
        """cancer_history offers exactly none, past and current."""
        assert questionnaire.item("cancer_history").choice_codes() == ("none", "past", "current")

    def test_bilingual(self, questionnaire: Questionnaire) -> None:
        """Every item has a Japanese and an English text."""
        for item in questionnaire.items:
            assert item.text.ja.strip()
            assert item.text.en.strip()
            assert item.text.ja != item.text.en

    @pytest.mark.parametrize("allergy", ["drug_allergy", "food_allergy"])
    def test_allergy_details_shown_only_when_true(
        self, questionnaire: Questionnaire, allergy: str
    ) -> None:
        """The details item is shown only after a yes to its allergy question."""
        details = questionnaire.item(f"{allergy}_details")
        assert questionnaire.is_enabled(details, {allergy: True})
        assert not questionnaire.is_enabled(details, {allergy: False})
        assert not questionnaire.is_enabled(details, {allergy: UNKNOWN})
        assert not questionnaire.is_enabled(details, {})

    def test_site_item_only_for_local_routes(self, questionnaire: Questionnaire) -> None:
        """site_skin_problem is asked for injections, never for the drip."""
        item = questionnaire.item("site_skin_problem")
        assert not questionnaire.is_enabled(item, {}, Route.IV_DRIP)
        assert questionnaire.is_enabled(item, {}, Route.INJECTION_FACE)
        assert questionnaire.is_enabled(item, {}, Route.INJECTION_SCALP)

    def test_round_trip(self, questionnaire: Questionnaire) -> None:
        """A questionnaire survives to_dict/from_dict with the same hash."""
        again = Questionnaire.from_dict(questionnaire.to_dict())
        assert again == questionnaire
        assert again.sha256 == questionnaire.sha256

    def test_unknown_version(self) -> None:
        """Asking for a version that is not bundled names the versions there are."""
        with pytest.raises(ValidationError, match=r"no version '99'.*bundled: 1"):
            exointake.load_questionnaire("exosome-intake", "99")


class TestAnswerValidation:
    def test_valid(self, questionnaire: Questionnaire, clear_answers: dict[str, Any]) -> None:
        """Complete answers validate and keep their parsed values."""
        answers = questionnaire.answers(clear_answers, route="injection_face")
        assert answers.values["birth_date"] == dt.date(1985, 6, 15)
        assert answers.values["drug_allergy"] is False
        assert answers.questionnaire == questionnaire.ref

    def test_unknown_item(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """An answer to an item the questionnaire lacks is refused with its path."""
        errs = errors_of(questionnaire, {**clear_answers, "smoker": True})
        assert errs == ("answers.smoker: unknown item (not in exosome-intake v2)",)

    def test_choice_error_message(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """A value outside the choices names the field, the choices and what was given."""
        errs = errors_of(questionnaire, {**clear_answers, "cancer_history": "yes"})
        assert errs == (
            "answers.cancer_history: expected one of none|past|current or \"unknown\", got 'yes'",
        )

    def test_wrong_types(self, questionnaire: Questionnaire, clear_answers: dict[str, Any]) -> None:
        """Each wrong type gets its own message, all reported at once."""
        errs = errors_of(
            questionnaire, {**clear_answers, "birth_date": 19850615, "drug_allergy": "no"}
        )
        assert "answers.birth_date: expected a date (YYYY-MM-DD or 和暦), got number" in errs
        assert 'answers.drug_allergy: expected true or false or "unknown", got string' in errs

    def test_text_answer_never_echoed(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """A wrong answer never repeats free text the patient wrote."""
        secret = "山田花子 090-1234-5678"
        bad = {
            **clear_answers,
            "drug_allergy": False,
            "drug_allergy_details": secret,
            "current_medications": 42,
        }
        with pytest.raises(ValidationError) as info:
            questionnaire.answers(bad)
        assert secret not in str(info.value)
        assert (
            "answers.drug_allergy_details: answered, but only shown when drug_allergy = true"
            in info.value.errors
        )
        assert "answers.current_medications: expected a string, got number" in info.value.errors

    def test_missing_required(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """A missing required answer is an error, unless partial answers are asked for."""
        del clear_answers["cancer_history"]
        assert errors_of(questionnaire, clear_answers) == (
            "answers.cancer_history: required, missing",
        )
        partial = questionnaire.answers(clear_answers, partial=True)
        assert "cancer_history" not in partial.values

    def test_hidden_by_route(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """The site question answered for a drip is refused."""
        errs = errors_of(questionnaire, clear_answers, route="iv_drip")
        assert errs == (
            "answers.site_skin_problem: answered, but only shown for routes "
            "injection_face|injection_scalp",
        )

    def test_unknown_is_not_no(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """'Don't know' is kept as UNKNOWN, distinct from False."""
        answers = questionnaire.answers({**clear_answers, "drug_allergy": "unknown"})
        assert answers.values["drug_allergy"] is UNKNOWN
        assert answers.values["drug_allergy"] is not False

    def test_unknown_refused_where_not_allowed(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """Fever today must be answered yes or no: the patient is in front of us."""
        errs = errors_of(questionnaire, {**clear_answers, "fever_or_infection_today": "unknown"})
        assert errs[0].startswith("answers.fever_or_infection_today: expected true or false")

    def test_bad_route(self, questionnaire: Questionnaire, clear_answers: dict[str, Any]) -> None:
        """An unknown route is named with the routes there are."""
        with pytest.raises(ValidationError, match="route: expected one of iv_drip"):
            questionnaire.answers(clear_answers, route="oral")

    def test_not_an_object(self, questionnaire: Questionnaire) -> None:
        """Answers must be a JSON object."""
        with pytest.raises(ValidationError, match="answers: expected an object, got list"):
            questionnaire.answers([1, 2])  # type: ignore[arg-type]

    def test_repr_hides_values(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """The repr of answers shows item ids only, never values such as a birth date."""
        answers = questionnaire.answers(clear_answers)
        assert "1985" not in repr(answers)
        assert "birth_date" in repr(answers)


class TestPinning:
    def test_round_trip(self, questionnaire: Questionnaire, clear_answers: dict[str, Any]) -> None:
        """A pinned answers document loads back to equal answers."""
        answers = questionnaire.answers(clear_answers, route="injection_face")
        assert questionnaire.load_answers(answers.to_dict()) == answers

    def test_other_version_refused(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """Answers given on another version are never re-read through this one."""
        doc = questionnaire.answers(clear_answers).to_dict()
        doc["questionnaire"]["version"] = "1"
        with pytest.raises(exointake.VersionMismatchError, match="given on exosome-intake v1"):
            questionnaire.load_answers(doc)

    def test_changed_text_refused(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """Same id and version but different content is refused too."""
        data = questionnaire.to_dict()
        data["items"][1]["text"]["en"] = "Any cancer?"
        edited = Questionnaire.from_dict(data)
        doc = questionnaire.answers(clear_answers).to_dict()
        with pytest.raises(exointake.VersionMismatchError, match="needs a new version"):
            edited.load_answers(doc)

    @settings(max_examples=50, deadline=None)
    @given(data=st.data())
    def test_generated_round_trip(self, questionnaire: Questionnaire, data: st.DataObject) -> None:
        """Any valid answers survive to_dict/load_answers unchanged."""
        route = data.draw(xs.routes())
        answers = data.draw(xs.answers(questionnaire, route=route))
        assert questionnaire.load_answers(answers.to_dict()) == answers


class TestDefinitionChecks:
    def base(self) -> dict[str, Any]:
        return {
            "id": "t",
            "version": "1",
            "title": {"ja": "t", "en": "t"},
            "items": [
                {"link_id": "a", "type": "boolean", "text": {"ja": "a", "en": "a"}},
                {
                    "link_id": "b",
                    "type": "choice",
                    "text": {"ja": "b", "en": "b"},
                    "choices": [{"code": "x", "label": {"ja": "x", "en": "x"}}],
                },
            ],
        }

    def test_every_problem_listed(self) -> None:
        """Structural problems are all reported, each with its path."""
        data = self.base()
        data["items"][0]["type"] = "bool"
        data["items"][1]["required"] = "yes"
        data["extra"] = 1
        with pytest.raises(ValidationError) as info:
            Questionnaire.from_dict(data)
        assert set(info.value.errors) == {
            "questionnaire.items[0].type: expected one of boolean|choice|multi_choice|date|"
            "integer|decimal|text, got 'bool'",
            "questionnaire.items[1].required: expected true or false, got 'yes'",
            "questionnaire.extra: unknown field",
        }

    def test_semantic_problems(self) -> None:
        """Duplicate ids, forward enable_when and choiceless choice items are refused."""
        data = self.base()
        data["items"][1]["link_id"] = "a"
        data["items"][0]["enable_when"] = [{"question": "a", "operator": "=", "answer": True}]
        data["items"].append({"link_id": "c", "type": "choice", "text": {"ja": "c", "en": "c"}})
        with pytest.raises(ValidationError) as info:
            Questionnaire.from_dict(data)
        assert set(info.value.errors) == {
            "questionnaire.items[1].link_id: duplicate 'a'",
            "questionnaire.items[0].enable_when[0].question: expected the link_id of an "
            "earlier item, got 'a'",
            "questionnaire.items[2].choices: a choice item needs choices",
        }

    @settings(max_examples=50, deadline=None)
    @given(xs.questionnaires())
    def test_generated_round_trip(self, q: Questionnaire) -> None:
        """Generated questionnaires round-trip through plain data with a stable hash."""
        again = Questionnaire.from_dict(q.to_dict())
        assert again == q
        assert again.sha256 == q.sha256


class TestItemTypes:
    def q(self) -> Questionnaire:
        return Questionnaire.from_dict(
            {
                "id": "t",
                "version": "1",
                "title": {"ja": "t", "en": "t"},
                "items": [
                    {"link_id": "n", "type": "integer", "text": {"ja": "n", "en": "n"}},
                    {
                        "link_id": "d",
                        "type": "decimal",
                        "text": {"ja": "d", "en": "d"},
                        "allow_unknown": True,
                    },
                    {
                        "link_id": "m",
                        "type": "multi_choice",
                        "text": {"ja": "m", "en": "m"},
                        "choices": [{"code": c, "label": {"ja": c, "en": c}} for c in "xyz"],
                    },
                ],
            }
        )

    def test_numbers(self) -> None:
        """Integers refuse booleans and floats; decimals keep exact values."""
        q = self.q()
        assert q.answers({"n": 3, "d": 0.1}).values == {"n": 3, "d": Decimal("0.1")}
        errs = errors_of(q, {"n": True, "d": "abc"})
        assert set(errs) == {
            "answers.n: expected an integer, got boolean",
            'answers.d: expected a decimal number or "unknown", got string',
        }

    def test_multi_choice(self) -> None:
        """Multi-choice answers are kept in the questionnaire's order, without repeats."""
        q = self.q()
        assert q.answers({"m": ["z", "x"]}).values["m"] == ("x", "z")
        assert errors_of(q, {"m": ["x", "x"]}) == ("answers.m: expected each choice at most once",)
        assert errors_of(q, {"m": ["w"]}) == ("answers.m: expected a list of x|y|z, got 'w'",)
        assert errors_of(q, {"m": []}) == (
            "answers.m: expected at least one choice (leave the item out when none)",
        )


class TestEraDates:
    @pytest.mark.parametrize(
        ("text", "day"),
        [
            ("令和8年11月25日", dt.date(2026, 11, 25)),
            ("令和元年5月1日", dt.date(2019, 5, 1)),
            ("平成31年4月30日", dt.date(2019, 4, 30)),
            ("昭和55年4月1日", dt.date(1980, 4, 1)),
            ("S55.4.1", dt.date(1980, 4, 1)),
            ("h2-3-3", dt.date(1990, 3, 3)),
            ("昭和５５年４月１日", dt.date(1980, 4, 1)),
            ("1980-04-01", dt.date(1980, 4, 1)),
        ],
    )
    def test_parse(self, text: str, day: dt.date) -> None:
        """Western and Japanese era forms parse to the same calendar date."""
        assert exointake.parse_date(text) == day

    @pytest.mark.parametrize(
        "text", ["平成32年1月1日", "令和1年4月30日", "昭和55年2月30日", "1980/4/1"]
    )
    def test_refused(self, text: str) -> None:
        """Dates outside their era, impossible dates and unknown forms are refused."""
        with pytest.raises(ValueError, match="expected"):
            exointake.parse_date(text)

    @given(st.dates(dt.date(1868, 1, 25), dt.date(2100, 12, 31)))
    def test_round_trip(self, day: dt.date) -> None:
        """Formatting a date as 和暦 and parsing it back gives the same date."""
        text = exointake.format_wareki(day)
        assert exointake.parse_date(text) == day

    def test_gannen(self) -> None:
        """The first year of an era is written 元年."""
        assert exointake.format_wareki(dt.date(1989, 1, 8)) == "平成元年1月8日"
