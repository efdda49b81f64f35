"""Hostile and hand-built input: never clear, never a raw traceback, never an echo of free text."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import exointake
import exointake.questionnaire
from exointake import Answers, Decision, Questionnaire, RuleSet, ValidationError, screen
from exointake._conditions import In, IsTrue, compile_condition
from exointake.cli import main

DAY = dt.date(2026, 11, 25)


class TestHandBuiltAnswers:
    @pytest.mark.parametrize(
        ("item", "value"),
        [
            ("cancer_history", "yes"),
            ("cancer_history", None),
            ("drug_allergy", "true"),
            ("drug_allergy", 1),
        ],
    )
    def test_wrong_types_refused(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any], item: str, value: Any
    ) -> None:
        """Answers built by hand are validated before screening: bad values never pass."""
        values = questionnaire.answers(clear_answers, route="injection_face").values
        forged = Answers(questionnaire.ref, {**values, item: value})
        with pytest.raises(ValidationError, match=f"answers.{item}: expected"):
            screen(forged, "injection_face", on=DAY)

    def test_hand_built_valid_answers(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """Answers built by hand with valid values screen like validated ones."""
        valid = questionnaire.answers(clear_answers, route="injection_face")
        forged = Answers(questionnaire.ref, valid.values, route=valid.route)
        assert screen(forged, "injection_face", on=DAY) == screen(valid, "injection_face", on=DAY)

    def test_unknown_questionnaire_needs_the_form(self, questionnaire: Questionnaire) -> None:
        """Hand-built answers pinned to a questionnaire the package lacks are refused."""
        ref = exointake.questionnaire.QuestionnaireRef("exosome-intake", "99", "0" * 64)
        with pytest.raises(ValidationError, match="not validated by their questionnaire"):
            screen(Answers(ref, {"cancer_history": "none"}), "iv_drip")

    def test_type_strict_conditions(self) -> None:
        """Even unvalidated, a condition never decides on a value of the wrong type."""
        assert compile_condition(IsTrue("a"))({"a": "true"}, DAY) is None
        assert compile_condition(IsTrue("a"))({"a": 1}, DAY) is None
        assert compile_condition(In("a", ("past",)))({"a": None}, DAY) is None

    def test_future_birth_date(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """A birth date after the screening day is a typo: incomplete, not a minor.

        (Answers refuse a birth date after today; one after a past screening day is
        still possible.)"""
        with pytest.raises(ValidationError, match="birth_date: expected a date not in the future"):
            questionnaire.answers({**clear_answers, "birth_date": "2099-01-01"})
        answers = questionnaire.answers({**clear_answers, "birth_date": "2026-11-01"})
        result = screen(answers, "injection_face", on=dt.date(2026, 10, 1))
        assert result.decision is Decision.INCOMPLETE
        assert result.missing == ("birth_date",)

    def test_not_answers(self) -> None:
        """Passing a dict instead of Answers is a clear error."""
        with pytest.raises(ValidationError, match="expected Answers"):
            screen({"cancer_history": "none"}, "iv_drip")  # type: ignore[arg-type]

    def test_on_as_text(self, questionnaire: Questionnaire, clear_answers: dict[str, Any]) -> None:
        """The screening day may be given as text, era dates included; junk is refused."""
        answers = questionnaire.answers(clear_answers)
        assert screen(answers, "iv_drip", on="令和8年11月25日").screened_on == DAY
        with pytest.raises(ValidationError, match="on: expected a date"):
            screen(answers, "iv_drip", on="tomorrow")


class TestRuleFit:
    def rules(self, when: dict[str, Any], reads: list[str]) -> RuleSet:
        text = {"ja": "x", "en": "x"}
        return RuleSet.from_dict(
            {
                "id": "clinic",
                "version": "1",
                "questionnaire": "exosome-intake",
                "extends": {"id": "exosome-default", "version": "2"},
                "rules": [
                    {
                        "id": "cancer_history",
                        "decision": "contraindicated",
                        "when": when,
                        "reads": reads,
                        "patient_message": text,
                        "staff_message": text,
                        "source": "clinic",
                    }
                ],
            }
        )

    @pytest.mark.parametrize(
        ("when", "problem"),
        [
            (
                {"in": {"item": "cancer_history", "values": ["Past", "current"]}},
                "in.values: expected one of none|past|current for 'cancer_history', got 'Past'",
            ),
            (
                {"is_true": "cancer_history"},
                "is_true: 'cancer_history' is a choice item, not a boolean",
            ),
            (
                {"equals": {"item": "birth_date", "value": "1990-01-01"}},
                "equals.value: 'birth_date' is a date item; equals and in compare boolean, choice "
                "and integer answers (use age for dates)",
            ),
            (
                {"age": {"item": "drug_allergy", "op": "<", "value": 18}},
                "age.item: 'drug_allergy' is a boolean item, not a date",
            ),
        ],
    )
    def test_dead_rules_refused(
        self, questionnaire: Questionnaire, when: dict[str, Any], problem: str
    ) -> None:
        """A rule that could never match its item is refused before it silently never fires."""
        reads = sorted({v["item"] if isinstance(v, dict) else v for v in when.values()})
        rs = self.rules(when, reads)
        with pytest.raises(ValidationError) as info:
            rs.check_against(questionnaire)
        assert info.value.errors == (f"rules.cancer_history.when.{problem}",)
        answers = questionnaire.answers({"cancer_history": "past"}, partial=True)
        with pytest.raises(ValidationError):
            screen(answers, "iv_drip", rs)  # screen() checks bundled questionnaires itself


class TestOrdering:
    def test_decisions_order_by_severity(self) -> None:
        """max(), sorted() and < follow the decision scale, not the alphabet."""
        assert max(Decision.PHYSICIAN_REVIEW, Decision.CONTRAINDICATED) is Decision.CONTRAINDICATED
        assert Decision.CLEAR < Decision.CAUTION < Decision.PHYSICIAN_REVIEW
        assert sorted([Decision.INCOMPLETE, Decision.CLEAR, Decision.CAUTION]) == [
            Decision.CLEAR,
            Decision.CAUTION,
            Decision.INCOMPLETE,
        ]
        assert Decision.CLEAR == "clear"

    def test_values_hashable(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """Frozen values can be used in sets and as keys."""
        answers = questionnaire.answers(clear_answers)
        result = screen(answers, "iv_drip" if False else "injection_face", on=DAY)
        assert len({answers, answers}) == 1
        assert len({result, result}) == 1


class TestNoEcho:
    @pytest.mark.parametrize(
        "values",
        [
            {"山田花子 1985-03-02": True},
            {"cancer_history": "山田花子 乳がん手術2019"},
            {"cancer_history": "Patient Yamada Taro"},
        ],
    )
    def test_free_text_not_repeated(
        self, questionnaire: Questionnaire, values: dict[str, Any]
    ) -> None:
        """Names typed into keys or closed-vocabulary fields never appear in the error."""
        with pytest.raises(ValidationError) as info:
            questionnaire.answers(values, partial=True)
        message = str(info.value)
        assert "山田" not in message
        assert "Yamada" not in message

    def test_unknown_field_names_hidden(self) -> None:
        """Unknown field names that are not codes are not repeated, and non-string keys work."""
        with pytest.raises(ValidationError) as info:
            RuleSet.from_dict(
                {
                    "id": "x",
                    "version": "1",
                    "questionnaire": "q",
                    "rules": [],
                    "patient Yamada Taro": 1,
                    5: 1,
                }
            )
        assert "Yamada" not in str(info.value)
        assert info.value.errors == (
            "ruleset[5]: unknown field",
            "ruleset[<key not shown>]: unknown field",
        )

    def test_huge_number(self, questionnaire: Questionnaire) -> None:
        """A 5,000-digit number is refused without printing it (or crashing on it)."""
        with pytest.raises(ValidationError, match="a very large integer"):
            questionnaire.answers({"cancer_history": 10**5000}, partial=True)


class TestCliHostileFiles:
    @pytest.mark.parametrize(
        "content",
        ['{"cancer_history": ' + "9" * 5000 + "}", "[" * 100_000, b"\xff\xfe{"],
        ids=["huge-number", "deep-nesting", "not-utf8"],
    )
    def test_exit_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes
    ) -> None:
        """Absurd files exit 2 with a message, not a traceback."""
        path = tmp_path / "a.json"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        assert main(["screen", "--answers", str(path), "--route", "iv_drip"]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert str(path) in err

    def test_bad_on(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A bad --on exits 2, naming the option."""
        path = tmp_path / "a.json"
        path.write_text(json.dumps({"cancer_history": "none"}))
        assert (
            main(["screen", "--answers", str(path), "--route", "iv_drip", "--on", "令和0年1月1日"])
            == 2
        )
        assert "--on: expected" in capsys.readouterr().err

    def test_deep_conditions(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A rule set nesting conditions absurdly deep is refused with its path."""
        when: dict[str, Any] = {"is_true": "drug_allergy"}
        for _ in range(200):
            when = {"not": when}
        text = {"ja": "x", "en": "x"}
        rules = tmp_path / "r.json"
        rules.write_text(
            json.dumps(
                {
                    "id": "x",
                    "version": "1",
                    "questionnaire": "exosome-intake",
                    "rules": [
                        {
                            "id": "r",
                            "decision": "caution",
                            "when": when,
                            "reads": ["drug_allergy"],
                            "source": "clinic",
                            "patient_message": text,
                            "staff_message": text,
                        }
                    ],
                }
            )
        )
        answers = tmp_path / "a.json"
        answers.write_text("{}")
        assert (
            main(
                ["screen", "--answers", str(answers), "--route", "iv_drip", "--ruleset", str(rules)]
            )
            == 2
        )
        assert "conditions nest deeper than 32 levels" in capsys.readouterr().err


class TestBundledNames:
    @pytest.mark.parametrize("ident", ["../../../../etc", "exosome-intake/../x", "", None])
    def test_path_like_ids_refused(self, ident: Any) -> None:
        """Bundled-data ids are names, never paths."""
        with pytest.raises(ValidationError, match="expected a bundled name"):
            exointake.load_questionnaire(ident)

    def test_extends_cannot_escape(self) -> None:
        """A rule set cannot extend a file outside the package."""
        with pytest.raises(ValidationError, match="extends"):
            RuleSet.from_dict(
                {
                    "id": "x",
                    "version": "1",
                    "questionnaire": "exosome-intake",
                    "rules": [],
                    "extends": {"id": "../../tmp", "version": "1"},
                }
            )


class TestDefinitionEdges:
    def test_ordering_operator_needs_ordered_item(self) -> None:
        """enable_when with > on a boolean item is refused (it could never hold)."""
        item = {"link_id": "a", "type": "boolean", "text": {"ja": "a", "en": "a"}}
        later = {
            "link_id": "b",
            "type": "boolean",
            "text": {"ja": "b", "en": "b"},
            "enable_when": [{"question": "a", "operator": ">", "answer": True}],
        }
        with pytest.raises(ValidationError, match=r"operator: > needs an integer"):
            Questionnaire.from_dict(
                {"id": "t", "version": "1", "title": {"ja": "t", "en": "t"}, "items": [item, later]}
            )

    def test_long_enable_chains_are_linear(self) -> None:
        """Visibility is computed in one pass: a 60-item chain validates at once."""
        items: list[dict[str, Any]] = [
            {"link_id": "i0", "type": "boolean", "text": {"ja": "x", "en": "x"}},
            {"link_id": "i1", "type": "boolean", "text": {"ja": "x", "en": "x"}},
        ]
        for n in range(2, 60):
            items.append(
                {
                    "link_id": f"i{n}",
                    "type": "boolean",
                    "text": {"ja": "x", "en": "x"},
                    "enable_when": [
                        {"question": f"i{n - 1}", "operator": "exists", "answer": True},
                        {"question": f"i{n - 2}", "operator": "exists", "answer": True},
                    ],
                }
            )
        q = Questionnaire.from_dict(
            {"id": "t", "version": "1", "title": {"ja": "t", "en": "t"}, "items": items}
        )
        answers = q.answers({f"i{n}": True for n in range(60)})
        assert len(answers.values) == 60

    def test_validation_error_from_a_string(self) -> None:
        """ValidationError('x') holds one error, not one per character."""
        assert ValidationError("bad input").errors == ("bad input",)
