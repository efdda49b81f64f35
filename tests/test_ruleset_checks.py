"""RuleSet.check_against refuses conditions that could never hold for the questionnaire.

A rule whose condition cannot match the item it reads would never fire, and a
contraindication that never fires is the one failure screening must not have.
"""

from __future__ import annotations

from typing import Any

import pytest

import exointake
from exointake import RuleSet, ValidationError

QUESTIONNAIRE = exointake.load_questionnaire()


def ruleset_with(when: dict[str, Any], reads: list[str]) -> RuleSet:
    """The bundled rule set with its first rule's condition replaced."""
    data = exointake.load_ruleset().to_dict()
    data["rules"][0] = {**data["rules"][0], "when": when, "reads": reads}
    return RuleSet.from_dict(data)


class TestCheckAgainst:
    def test_bundled_ruleset_fits_the_bundled_questionnaire(self) -> None:
        """The bundled rule set passes the check against the bundled questionnaire."""
        exointake.load_ruleset().check_against(QUESTIONNAIRE)

    @pytest.mark.parametrize(
        ("when", "reads", "expected"),
        [
            (
                {"in": {"item": "cancer_history", "values": ["past", "currnet"]}},
                ["cancer_history"],
                "rules.cancer_history.when.in.values: expected one of none|past|current",
            ),
            (
                {"equals": {"item": "drug_allergy", "value": "yes"}},
                ["drug_allergy"],
                "rules.cancer_history.when.equals.value: expected a boolean",
            ),
            (
                {"any": [{"is_true": "drug_allergy"}, {"not": {"is_true": "cancer_history"}}]},
                ["cancer_history", "drug_allergy"],
                "rules.cancer_history.when.any[1].not.is_true: 'cancer_history' is a choice item",
            ),
            (
                {"age": {"item": "drug_allergy", "op": "<", "value": 18}},
                ["drug_allergy"],
                "rules.cancer_history.when.age.item: 'drug_allergy' is a boolean item",
            ),
            (
                {"equals": {"item": "birth_date", "value": "2000-01-01"}},
                ["birth_date"],
                "rules.cancer_history.when.equals.value: 'birth_date' is a date item",
            ),
        ],
        ids=["choice typo", "boolean as string", "is_true on choice", "age on boolean", "date"],
    )
    def test_a_condition_that_can_never_hold_is_refused(
        self, when: dict[str, Any], reads: list[str], expected: str
    ) -> None:
        """A value that is not a valid answer, or a test that does not fit the item, is refused."""
        rules = ruleset_with(when, reads)
        with pytest.raises(ValidationError) as info:
            rules.check_against(QUESTIONNAIRE)
        assert any(e.startswith(expected) for e in info.value.errors), info.value.errors


class TestConditionErrorPaths:
    @pytest.mark.parametrize(
        ("when", "expected"),
        [
            ({"all": [{"is_true": 5}]}, "ruleset.rules[0].when.all[0].is_true: expected"),
            ({"equals": {"item": "x", "value": 1.5}}, "ruleset.rules[0].when.equals.value: "),
            ({"not": {"zzz": 1}}, "ruleset.rules[0].when.not: unknown condition 'zzz'"),
        ],
    )
    def test_a_mistake_inside_a_condition_has_one_path(
        self, when: dict[str, Any], expected: str
    ) -> None:
        """A mistake deep inside a condition is reported under one dotted path from the root."""
        data = exointake.load_ruleset().to_dict()
        data["rules"][0]["when"] = when
        with pytest.raises(ValidationError) as info:
            RuleSet.from_dict(data)
        assert [e for e in info.value.errors if e.startswith(expected)], info.value.errors
