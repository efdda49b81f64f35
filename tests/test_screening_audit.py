"""Auditing screening results from outside: what screen() produces passes, forgeries do not."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import exointake
from exointake import Decision, ScreeningResult, strategies
from exointake._screening_audit import screening_problems

from .conftest import EXAMPLES

QUESTIONNAIRE = exointake.load_questionnaire()
DAY = dt.date(2026, 11, 25)


def example_screening() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "consent-request.json").read_text("utf-8"))
    return copy.deepcopy(data["screening"])


CONTRAINDICATED = {
    "rule_id": "cancer_history",
    "decision": "contraindicated",
    "patient_message": {"ja": "が", "en": "c"},
    "staff_message": {"ja": "が", "en": "c"},
    "source": "article",
    "answers": {"cancer_history": "current"},
    "missing": [],
    "requirements": [],
}


class TestWhatScreenProduces:
    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(data=st.data())
    def test_every_real_result_passes(self, data: st.DataObject) -> None:
        """Any result of screen() on the bundled versions holds together and names them."""
        route = data.draw(strategies.routes())
        raw = data.draw(
            strategies.answer_dicts(QUESTIONNAIRE, route=route)
            | strategies.partial_answer_dicts(QUESTIONNAIRE, route=route)
        )
        answers = QUESTIONNAIRE.answers(raw, route=route, partial=True)
        result = exointake.screen(answers, route, on=DAY)
        again = ScreeningResult.from_dict(json.loads(result.to_json()))
        assert screening_problems(again, result_id=result.result_id) == []

    def test_example_request_screening_passes(self) -> None:
        """The example consent request's screening is consistent and names known versions."""
        assert screening_problems(ScreeningResult.from_dict(example_screening())) == []

    def test_clinic_rule_set_must_be_given(self) -> None:
        """A result made with a clinic rule set is known only when that rule set is given."""
        rules = exointake.RuleSet.from_json((EXAMPLES / "clinic-rules.json").read_text("utf-8"))
        raw = json.loads((EXAMPLES / "answers" / "clear.json").read_text("utf-8"))
        answers = QUESTIONNAIRE.answers(raw, route="injection_face")
        result = exointake.screen(answers, "injection_face", rules, on=DAY)
        assert screening_problems(result, rulesets=[rules]) == []
        problems = screening_problems(result)
        assert problems == [
            "screening.ruleset: not a bundled rule set nor one given (pass the clinic's rule set)"
        ]

    def test_clinic_questionnaire_must_be_given(self) -> None:
        """A result on a clinic's variant is known only when that questionnaire is given."""
        variant = exointake.Questionnaire.from_file(EXAMPLES / "clinic-questionnaire.json")
        raw = json.loads((EXAMPLES / "answers" / "clear.json").read_text("utf-8"))
        answers = variant.answers(raw, route="injection_face", partial=True)
        result = exointake.screen(answers, "injection_face", on=DAY, questionnaire=variant)
        assert screening_problems(result, questionnaires=[variant]) == []
        assert screening_problems(result) == [
            "screening.questionnaire: not a bundled questionnaire nor one given "
            "(pass the clinic's questionnaire)"
        ]


def forged(**changes: Any) -> ScreeningResult:
    data = example_screening()
    data.update(changes)
    return ScreeningResult.from_dict(data)


class TestForgeries:
    @pytest.mark.parametrize(
        ("changes", "problem"),
        [
            ({"decision": "clear"}, "screening.decision: expected physician_review"),
            (
                {"decision": "clear", "findings": [CONTRAINDICATED]},
                "screening.decision: expected contraindicated",
            ),
            (
                {"decision": "clear", "findings": [], "missing": ["cancer_history"]},
                "screening.missing: a clear screening has nothing missing",
            ),
            (
                {"decision": "contraindicated", "findings": []},
                "screening.decision: expected clear",
            ),
            (
                {"questionnaire": {"id": "exosome-intake", "version": "1", "sha256": "not-a-hash"}},
                "screening.questionnaire.sha256: is not the hash of questionnaire",
            ),
            (
                {"questionnaire": {"id": "exosome-intake", "version": "1", "sha256": "0" * 64}},
                "screening.questionnaire.sha256",
            ),
            (
                {"questionnaire": {"id": "exosome-intake", "version": "77", "sha256": "0" * 64}},
                "screening.questionnaire: not a bundled questionnaire nor one given",
            ),
            (
                {"ruleset": {"id": "exosome-default", "version": "1", "sha256": "0" * 64}},
                "screening.ruleset.sha256: is not the hash of rule set exosome-default v1",
            ),
            (
                {"ruleset": {"id": "made-up", "version": "1", "sha256": "0" * 64}},
                "screening.ruleset: not a bundled rule set",
            ),
        ],
    )
    def test_named(self, changes: dict[str, Any], problem: str) -> None:
        """Each forgery is named by the field that gives it away."""
        problems = screening_problems(forged(**changes))
        assert any(p.startswith(problem) for p in problems), problems

    def test_finding_shapes(self) -> None:
        """Incomplete findings name what is missing; decided ones do not."""
        undecided = CONTRAINDICATED | {"decision": "incomplete"}
        decided_with_gaps = CONTRAINDICATED | {"missing": ["cancer_history"]}
        problems = screening_problems(
            forged(
                decision="incomplete",
                findings=[decided_with_gaps, undecided],
                missing=["cancer_history"],
            )
        )
        assert (
            "screening.decision: expected contraindicated, the worst of its findings and "
            "missing items, got incomplete" in problems
        )
        assert "screening.findings[0].missing: only an incomplete finding has missing items" in (
            problems
        )
        assert "screening.findings[1].missing: an incomplete finding names what is missing" in (
            problems
        )

    def test_result_id(self) -> None:
        """A result referred to by id must hash to it."""
        result = forged()
        assert screening_problems(result, result_id=result.result_id) == []
        assert screening_problems(result, result_id="f" * 64) == [
            "screening.result_id: is not the SHA-256 of the screening's content"
        ]

    def test_messages_hold_no_answers(self) -> None:
        """Problems name paths and ids, never an answer value."""
        problems = screening_problems(
            forged(decision="clear", findings=[CONTRAINDICATED | {"answers": {"x": "山田"}}])
        )
        assert problems
        assert not any("山田" in p or "current" in p for p in problems)

    @pytest.mark.parametrize("decision", list(Decision))
    def test_decision_alone_never_passes_when_wrong(self, decision: Decision) -> None:
        """Only the decision the findings imply passes."""
        problems = screening_problems(forged(decision=decision.value))
        assert (problems == []) is (decision is Decision.PHYSICIAN_REVIEW)
