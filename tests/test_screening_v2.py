"""Questionnaire exosome-intake v2 and rule set exosome-default v2 (domain §4, issue 10).

v2 asks separately about a prior systemic and a prior local-only reaction to an exosome or
conditioned-media product, adds anaphylaxis from any cause, allergy to product components or
human-derived biological products and bronchial asthma, and postpones (not contraindicates)
on a fever or infection today. v1 stays loadable and v1 answers stay pinned to v1.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings

import exointake
from exointake import Decision, VersionMismatchError, strategies

DAY = dt.date(2026, 11, 25)
V1_CLEAR: dict[str, Any] = {
    "birth_date": "1985-06-15",
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
}
V2_CLEAR: dict[str, Any] = {
    **{k: v for k, v in V1_CLEAR.items() if k != "prior_exosome_reaction"},
    "prior_exosome_systemic_reaction": False,
    "prior_exosome_local_reaction": False,
    "anaphylaxis_history": False,
    "component_or_biologic_allergy": False,
    "bronchial_asthma": False,
}


@pytest.fixture(scope="module")
def q2() -> exointake.Questionnaire:
    return exointake.load_questionnaire("exosome-intake", "2")


@pytest.fixture(scope="module")
def q1() -> exointake.Questionnaire:
    return exointake.load_questionnaire("exosome-intake", "1")


class TestDecisionScale:
    def test_postpone_sits_between_review_and_incomplete(self) -> None:
        """clear < caution < physician_review < postpone < incomplete < contraindicated."""
        assert [d.value for d in sorted(Decision)] == [
            "clear",
            "caution",
            "physician_review",
            "postpone",
            "incomplete",
            "contraindicated",
        ]

    @pytest.mark.parametrize(
        ("decision", "may_proceed"),
        [
            (Decision.CLEAR, True),
            (Decision.CAUTION, True),
            (Decision.PHYSICIAN_REVIEW, True),
            (Decision.POSTPONE, False),
            (Decision.INCOMPLETE, False),
            (Decision.CONTRAINDICATED, False),
        ],
    )
    def test_postponed_never_proceeds_today(
        self, q2: exointake.Questionnaire, decision: Decision, may_proceed: bool
    ) -> None:
        """Only clear, caution and physician_review may proceed (the latter after review)."""
        answers = {
            Decision.CLEAR: {},
            Decision.CAUTION: {"prior_exosome_local_reaction": True},
            Decision.PHYSICIAN_REVIEW: {"bronchial_asthma": True},
            Decision.POSTPONE: {"fever_or_infection_today": True},
            Decision.INCOMPLETE: {"anaphylaxis_history": "unknown"},
            Decision.CONTRAINDICATED: {"prior_exosome_systemic_reaction": True},
        }[decision]
        result = exointake.screen(q2.answers({**V2_CLEAR, **answers}), "iv_drip", on=DAY)
        assert result.decision is decision
        assert result.may_proceed is may_proceed


# Each new or changed v2 item, answered yes: (item, decision, routes it applies to).
V2_TABLE = [
    ("prior_exosome_systemic_reaction", Decision.CONTRAINDICATED, "all"),
    ("prior_exosome_local_reaction", Decision.CAUTION, "all"),
    ("anaphylaxis_history", Decision.PHYSICIAN_REVIEW, "all"),
    ("component_or_biologic_allergy", Decision.PHYSICIAN_REVIEW, "all"),
    ("bronchial_asthma", Decision.PHYSICIAN_REVIEW, "all"),
    ("fever_or_infection_today", Decision.POSTPONE, "all"),
]


class TestRuleSetV2:
    @pytest.mark.parametrize(("item", "decision", "_routes"), V2_TABLE)
    @pytest.mark.parametrize("route", ["iv_drip", "injection_face", "injection_scalp"])
    def test_each_new_item_gives_its_decision(
        self,
        q2: exointake.Questionnaire,
        item: str,
        decision: Decision,
        _routes: str,
        route: str,
    ) -> None:
        """A yes to one v2 item alone gives exactly that item's decision, on every route."""
        result = exointake.screen(q2.answers({**V2_CLEAR, item: True}), route, on=DAY)
        assert result.decision is decision
        assert [f.rule_id for f in result.findings] == [item]

    def test_every_rule_cites_a_listed_source(self) -> None:
        """Each v2 rule not taken from the article cites sources the rule set lists."""
        rs = exointake.load_ruleset("exosome-default", "2")
        listed = {s.id for s in rs.sources}
        for rule in rs.rules:
            assert set(rule.cites) <= listed, rule.id
        cited = {c for r in rs.rules for c in r.cites}
        assert cited == listed  # no source listed for nothing

    def test_v1_is_unchanged(self) -> None:
        """v1 still contraindicates a fever today (stored results stay reproducible)."""
        rs = exointake.load_ruleset("exosome-default", "1")
        fever = next(r for r in rs.rules if r.id == "fever_or_infection_today")
        assert fever.decision is Decision.CONTRAINDICATED


class TestPinning:
    def test_newest_is_the_default(self) -> None:
        """The API defaults to the newest questionnaire and rule set."""
        assert exointake.load_questionnaire().version == "2"
        assert exointake.load_ruleset().version == "2"

    def test_v1_answers_are_screened_with_v1_rules(self, q1: exointake.Questionnaire) -> None:
        """Answers given on v1 are screened with the rule set written for v1 by default."""
        result = exointake.screen(q1.answers(V1_CLEAR), "iv_drip", on=DAY)
        assert (result.ruleset.id, result.ruleset.version) == ("exosome-default", "1")
        assert result.decision is Decision.CLEAR

    def test_v1_answers_do_not_load_on_v2(
        self, q1: exointake.Questionnaire, q2: exointake.Questionnaire
    ) -> None:
        """A v1 answers document is refused by v2 (re-ask, or load v1)."""
        with pytest.raises(VersionMismatchError, match="v1"):
            q2.load_answers(q1.answers(V1_CLEAR).to_dict())

    def test_v2_rules_refuse_v1_answers(self, q1: exointake.Questionnaire) -> None:
        """The v2 rule set cannot be applied to v1 answers (it reads items v1 never asked)."""
        with pytest.raises(exointake.ValidationError):
            exointake.screen(
                q1.answers(V1_CLEAR),
                "iv_drip",
                exointake.load_ruleset("exosome-default", "2"),
                on=DAY,
            )

    @settings(max_examples=50, deadline=None)
    @given(
        raw=strategies.answer_values(
            exointake.load_questionnaire("exosome-intake", "2"), route=exointake.Route.IV_DRIP
        )
    )
    def test_a_systemic_reaction_is_never_below_contraindicated(self, raw: dict[str, Any]) -> None:
        """Whatever else is answered, a prior systemic reaction never screens below
        contraindicated, and a fever today never below postpone."""
        q2 = exointake.load_questionnaire("exosome-intake", "2")
        for item, floor in (
            ("prior_exosome_systemic_reaction", Decision.CONTRAINDICATED),
            ("fever_or_infection_today", Decision.POSTPONE),
        ):
            answers = q2.answers({**raw, item: True}, route="iv_drip")
            assert exointake.screen(answers, "iv_drip", on=DAY).decision >= floor
