"""Screening: the bundled rules of domain contract §4, routes, fail-safety, rule sets."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

import exointake
from exointake import Decision, Questionnaire, Route, RuleSet, ValidationError, screen
from exointake._screening import load_screening_wording

DAY = dt.date(2026, 11, 25)


def screened(
    q: Questionnaire, values: dict[str, Any], route: str, rules: RuleSet | None = None
) -> exointake.ScreeningResult:
    if route == "iv_drip":
        values = {k: v for k, v in values.items() if k != "site_skin_problem"}
    return screen(q.answers(values, route=route, partial=True), route, rules, on=DAY)


class TestBundledRules:
    def test_clear(self, questionnaire: Questionnaire, clear_answers: dict[str, Any]) -> None:
        """An adult with no risk factor is clear for every route."""
        for route in Route:
            result = screened(questionnaire, clear_answers, route.value)
            assert result.decision is Decision.CLEAR
            assert result.findings == ()
            assert result.may_proceed

    @pytest.mark.parametrize(
        ("change", "rule", "decision", "source"),
        [
            ({"cancer_history": "current"}, "cancer_history", "contraindicated", "article"),
            ({"cancer_history": "past"}, "cancer_history", "contraindicated", "article"),
            (
                {"drug_allergy": True, "drug_allergy_details": "x"},
                "drug_allergy",
                "physician_review",
                "article",
            ),
            (
                {"food_allergy": True, "food_allergy_details": "x"},
                "food_allergy",
                "physician_review",
                "article",
            ),
            (
                {"prior_exosome_systemic_reaction": True},
                "prior_exosome_systemic_reaction",
                "contraindicated",
                "practice",
            ),
            (
                {"prior_exosome_local_reaction": True},
                "prior_exosome_local_reaction",
                "caution",
                "practice",
            ),
            (
                {"anaphylaxis_history": True},
                "anaphylaxis_history",
                "physician_review",
                "practice",
            ),
            (
                {"component_or_biologic_allergy": True},
                "component_or_biologic_allergy",
                "physician_review",
                "practice",
            ),
            (
                {"bronchial_asthma": True},
                "bronchial_asthma",
                "physician_review",
                "practice",
            ),
            (
                {"pregnant_or_breastfeeding": True},
                "pregnant_or_breastfeeding",
                "contraindicated",
                "practice",
            ),
            (
                {"fever_or_infection_today": True},
                "fever_or_infection_today",
                "postpone",
                "practice",
            ),
            (
                {"immunosuppressed_or_autoimmune": True},
                "immunosuppressed_or_autoimmune",
                "physician_review",
                "practice",
            ),
        ],
    )
    def test_every_route_rules(
        self,
        questionnaire: Questionnaire,
        clear_answers: dict[str, Any],
        change: dict[str, Any],
        rule: str,
        decision: str,
        source: str,
    ) -> None:
        """Each §4 rule that applies to every route fires with its decision and source."""
        for route in Route:
            result = screened(questionnaire, {**clear_answers, **change}, route.value)
            assert result.decision.value == decision
            (finding,) = result.findings
            assert finding.rule_id == rule
            assert finding.source.value == source
            assert set(finding.answers) <= set(change)

    @pytest.mark.parametrize(
        ("item", "decision"),
        [
            ("site_skin_problem", "physician_review"),
            ("bleeding_disorder", "physician_review"),
            ("anticoagulants", "caution"),
            ("keloid_tendency", "caution"),
        ],
    )
    def test_local_route_rules(
        self,
        questionnaire: Questionnaire,
        clear_answers: dict[str, Any],
        item: str,
        decision: str,
    ) -> None:
        """Site, bleeding and keloid rules apply to injections only, not to the drip."""
        changed = {**clear_answers, item: True}
        for route in (Route.INJECTION_FACE, Route.INJECTION_SCALP):
            assert screened(questionnaire, changed, route.value).decision.value == decision
        if item != "site_skin_problem":
            assert screened(questionnaire, changed, "iv_drip").decision is Decision.CLEAR

    def test_minor_needs_guardian(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """Under 18 on the screening day gives caution and requires guardian consent."""
        result = screened(questionnaire, {**clear_answers, "birth_date": "2008-11-26"}, "iv_drip")
        assert result.decision is Decision.CAUTION
        assert result.requirements == ("guardian_consent",)
        birthday = screened(questionnaire, {**clear_answers, "birth_date": "2008-11-25"}, "iv_drip")
        assert birthday.decision is Decision.CLEAR

    def test_worst_decision_wins(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """The overall decision is the worst finding; findings are listed worst first."""
        values = {
            **clear_answers,
            "keloid_tendency": True,
            "drug_allergy": True,
            "drug_allergy_details": "x",
            "pregnant_or_breastfeeding": True,
        }
        result = screened(questionnaire, values, "injection_face")
        assert result.decision is Decision.CONTRAINDICATED
        assert [f.decision for f in result.findings] == [
            Decision.CONTRAINDICATED,
            Decision.PHYSICIAN_REVIEW,
            Decision.CAUTION,
        ]


class TestFailSafe:
    def test_missing_answer_is_incomplete(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """A missing answer a rule needs gives incomplete and names the item."""
        del clear_answers["pregnant_or_breastfeeding"]
        result = screened(questionnaire, clear_answers, "iv_drip")
        assert result.decision is Decision.INCOMPLETE
        assert result.missing == ("pregnant_or_breastfeeding",)
        assert not result.may_proceed
        (finding,) = result.findings
        assert finding.missing == ("pregnant_or_breastfeeding",)
        assert "pregnant_or_breastfeeding" in finding.staff_message.en

    def test_unknown_answer_is_incomplete(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """'Don't know' about an allergy is not 'no known allergies'."""
        result = screened(questionnaire, {**clear_answers, "drug_allergy": "unknown"}, "iv_drip")
        assert result.decision is Decision.INCOMPLETE
        assert result.findings[0].answers["drug_allergy"] is exointake.UNKNOWN

    def test_empty_answers(self, questionnaire: Questionnaire) -> None:
        """No answers at all is incomplete for every route, with every read item missing."""
        for route in Route:
            result = screened(questionnaire, {}, route.value)
            assert result.decision is Decision.INCOMPLETE
            assert "birth_date" in result.missing
            assert "cancer_history" in result.missing

    def test_contraindication_outranks_missing(self, questionnaire: Questionnaire) -> None:
        """A contraindication already found stays the headline over missing answers."""
        result = screened(questionnaire, {"cancer_history": "current"}, "iv_drip")
        assert result.decision is Decision.CONTRAINDICATED
        assert result.missing

    def test_route_must_match_answers(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """Answers given for one route cannot be screened for another."""
        answers = questionnaire.answers(clear_answers, route="injection_face")
        with pytest.raises(ValidationError, match="answers were given for injection_face"):
            screen(answers, "injection_scalp")

    def test_route_defaults_to_the_answers_route(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """Without a route, answers are screened for the route they were given for."""
        answers = questionnaire.answers(clear_answers, route="injection_face")
        assert screen(answers).route is Route.INJECTION_FACE
        assert screen(answers) == screen(answers, "injection_face")
        unrouted = questionnaire.answers(clear_answers)
        with pytest.raises(ValidationError, match="route: required"):
            screen(unrouted)


class TestResult:
    def test_versions_recorded(
        self, questionnaire: Questionnaire, ruleset: RuleSet, clear_answers: dict[str, Any]
    ) -> None:
        """The result records the questionnaire and rule-set versions and the day."""
        result = screened(questionnaire, clear_answers, "iv_drip")
        assert result.questionnaire == questionnaire.ref
        assert result.ruleset == ruleset.ref
        assert result.screened_on == DAY

    def test_round_trip_and_id(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """A result survives JSON; its id is the hash of its canonical JSON."""
        values = {**clear_answers, "birth_date": "2010-01-01", "drug_allergy": "unknown"}
        result = screened(questionnaire, values, "injection_scalp")
        again = exointake.ScreeningResult.from_dict(json.loads(result.to_json()))
        assert again == result
        assert again.result_id == result.result_id
        other = screened(questionnaire, clear_answers, "injection_scalp")
        assert other.result_id != result.result_id

    def test_repr_hides_birth_date(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """Neither a result's nor a finding's repr shows answer values."""
        result = screened(questionnaire, {**clear_answers, "birth_date": "2010-02-03"}, "iv_drip")
        assert "2010" not in repr(result)
        assert "2010" not in repr(result.findings)


class TestRuleSets:
    def clinic(self, **extra: Any) -> dict[str, Any]:
        return {
            "id": "clinic-a",
            "version": "3",
            "questionnaire": "exosome-intake",
            "extends": {"id": "exosome-default", "version": "2"},
            "rules": [],
            **extra,
        }

    def rule(
        self, rule_id: str, decision: str, when: dict[str, Any], reads: list[str]
    ) -> dict[str, Any]:
        text = {"ja": "x", "en": "x"}
        return {
            "id": rule_id,
            "decision": decision,
            "when": when,
            "reads": reads,
            "patient_message": text,
            "staff_message": text,
            "source": "clinic",
        }

    def test_extend_override_disable(
        self, questionnaire: Questionnaire, ruleset: RuleSet, clear_answers: dict[str, Any]
    ) -> None:
        """A clinic can tighten a rule, drop one and add its own without editing the package."""
        rs = RuleSet.from_dict(
            self.clinic(
                rules=[
                    self.rule(
                        "keloid_tendency",
                        "contraindicated",
                        {"is_true": "keloid_tendency"},
                        ["keloid_tendency"],
                    ),
                    self.rule(
                        "over_70",
                        "physician_review",
                        {"age": {"item": "birth_date", "op": ">=", "value": 70}},
                        ["birth_date"],
                    ),
                ],
                disable=["anticoagulants"],
            )
        )
        rs.check_against(questionnaire)
        ids = [r.id for r in rs.effective_rules]
        assert "anticoagulants" not in ids
        assert ids[-1] == "over_70"
        assert len(ids) == len(ruleset.effective_rules)  # one disabled, one added
        result = screened(
            questionnaire,
            {
                **clear_answers,
                "keloid_tendency": True,
                "anticoagulants": True,
                "birth_date": "1950-01-01",
            },
            "injection_face",
            rs,
        )
        assert result.decision is Decision.CONTRAINDICATED
        assert {f.rule_id for f in result.findings} == {"keloid_tendency", "over_70"}
        assert result.ruleset.id == "clinic-a"
        assert result.ruleset.sha256 != ruleset.ref.sha256

    def test_no_rule_for_the_route_refused(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """A rule set whose rules all apply to other routes cannot screen for this one."""
        rule = {**self.rule("r", "caution", {"is_true": "keloid_tendency"}, ["keloid_tendency"])}
        rs = RuleSet.from_dict(
            {
                "id": "face-only",
                "version": "1",
                "questionnaire": "exosome-intake",
                "rules": [{**rule, "routes": ["injection_face"]}],
            }
        )
        assert screened(questionnaire, clear_answers, "injection_face", rs).decision is (
            Decision.CLEAR
        )
        with pytest.raises(ValidationError, match=r"no rule for route iv_drip"):
            screened(questionnaire, clear_answers, "iv_drip", rs)

    def test_condition_language(
        self, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """all/any/not combine in three-valued logic."""
        when = {
            "all": [
                {"is_true": "anticoagulants"},
                {"not": {"equals": {"item": "cancer_history", "value": "none"}}},
            ]
        }
        rs = RuleSet.from_dict(
            {
                "id": "t",
                "version": "1",
                "questionnaire": "exosome-intake",
                "rules": [self.rule("r", "caution", when, ["anticoagulants", "cancer_history"])],
            }
        )

        def decide(**change: Any) -> Decision:
            return screened(questionnaire, {**clear_answers, **change}, "iv_drip", rs).decision

        assert decide() is Decision.CLEAR  # false and anything -> false
        assert decide(anticoagulants=True) is Decision.CLEAR
        assert decide(anticoagulants=True, cancer_history="past") is Decision.CAUTION
        assert decide(anticoagulants=True, cancer_history="unknown") is Decision.INCOMPLETE
        assert decide(anticoagulants=False, cancer_history="unknown") is Decision.CLEAR

    def test_bad_rule_set_lists_every_problem(self) -> None:
        """Rule-set errors name their paths: bad condition, wrong reads, bad decision, disable."""
        data = self.clinic(
            rules=[
                self.rule("a", "clear", {"is_true": "drug_allergy"}, ["drug_allergy"]),
                self.rule("b", "caution", {"is_true": "drug_allergy"}, ["food_allergy"]),
                self.rule("c", "caution", {"maybe": "x"}, ["x"]),
                self.rule(
                    "d",
                    "caution",
                    {"age": {"item": "birth_date", "op": "=<", "value": 1}},
                    ["birth_date"],
                ),
            ],
            disable=["nope"],
        )
        with pytest.raises(ValidationError) as info:
            RuleSet.from_dict(data)
        errors = info.value.errors
        assert (
            "ruleset.rules[2].when: unknown condition 'maybe'; expected one of "
            "is_true|equals|in|age|all|any|not" in errors
        )
        assert "ruleset.rules[3].when.age.op: expected one of <|<=|>|>=, got '=<'" in errors
        with pytest.raises(ValidationError) as info:
            RuleSet.from_dict({**data, "rules": data["rules"][:2]})
        assert set(info.value.errors) == {
            "ruleset.rules[0].decision: expected caution|physician_review|postpone|"
            "contraindicated (a rule cannot decide clear)",
            "ruleset.rules[1].reads: expected exactly the items the condition reads (drug_allergy)",
            "ruleset.disable[0]: no rule 'nope' in the base rule set",
        }

    def test_rules_must_fit_questionnaire(self, questionnaire: Questionnaire) -> None:
        """A rule reading an item the questionnaire lacks, or free text, is refused."""
        rs = RuleSet.from_dict(
            {
                "id": "t",
                "version": "1",
                "questionnaire": "exosome-intake",
                "rules": [
                    self.rule("r", "caution", {"is_true": "smoker"}, ["smoker"]),
                    self.rule(
                        "s",
                        "caution",
                        {"equals": {"item": "current_medications", "value": "none"}},
                        ["current_medications"],
                    ),
                ],
            }
        )
        with pytest.raises(ValidationError) as info:
            rs.check_against(questionnaire)
        assert info.value.errors == (
            "rules.r.reads: no item 'smoker' in exosome-intake v2",
            "rules.s.reads: 'current_medications' is free text; rules read only structured answers",
        )

    def test_round_trip(self, ruleset: RuleSet) -> None:
        """A rule set survives to_dict/from_dict with the same hash."""
        again = RuleSet.from_dict(ruleset.to_dict())
        assert again == ruleset
        assert again.ref == ruleset.ref


class TestTextAndFiles:
    def test_from_file_reads_a_path_string_or_path(self, tmp_path: Any) -> None:
        """from_file reads a file given as a path string or a Path; from_json reads text."""
        rs = exointake.load_ruleset()
        q = exointake.load_questionnaire()
        (tmp_path / "rules.json").write_text(json.dumps(rs.to_dict()), encoding="utf-8")
        (tmp_path / "q.json").write_text(json.dumps(q.to_dict()), encoding="utf-8")
        for path in (tmp_path / "rules.json", str(tmp_path / "rules.json")):
            assert RuleSet.from_file(path) == rs
        for path in (tmp_path / "q.json", str(tmp_path / "q.json")):
            assert Questionnaire.from_file(path) == q
        assert RuleSet.from_json(json.dumps(rs.to_dict())) == rs

    def test_missing_file_names_the_file(self, tmp_path: Any) -> None:
        """A file that cannot be read is an error naming the file, not a JSON error."""
        with pytest.raises(ValidationError, match=r"nope\.json: cannot read"):
            RuleSet.from_file(tmp_path / "nope.json")

    def test_from_json_refuses_a_path(self, tmp_path: Any) -> None:
        """from_json takes text only: a Path is refused with a pointer to from_file."""
        with pytest.raises(ValidationError, match="text: expected JSON text"):
            Questionnaire.from_json(tmp_path / "q.json")  # type: ignore[arg-type]


class TestConstructorsStore:
    def test_extends_needs_its_base(self) -> None:
        """RuleSet() never loads package data: an extending rule set is given its base."""
        data = {
            "id": "clinic",
            "version": "1",
            "questionnaire": "exosome-intake",
            "rules": [],
            "extends": {"id": "exosome-default", "version": "1"},
            "disable": ["drug_allergy"],
        }
        resolved = RuleSet.from_dict(data)
        assert resolved.base is exointake.load_ruleset("exosome-default", "1")
        plain = RuleSet.from_dict({**data, "extends": None, "disable": []})
        with pytest.raises(ValidationError, match="extends: the base rule set is not given"):
            RuleSet(plain.id, plain.version, plain.questionnaire, (), extends=resolved.extends)
        again = RuleSet(
            plain.id,
            plain.version,
            plain.questionnaire,
            (),
            extends=resolved.extends,
            disable=("drug_allergy",),
            base=resolved.base,
        )
        assert again == resolved
        assert again.effective_rules == resolved.effective_rules


class TestWordingIsData:
    def test_undecided_wording_comes_from_the_data_file(self) -> None:
        """An undecided finding's sentences are the bundled screening wording, filled in."""
        q = exointake.load_questionnaire()
        result = screen(q.answers({}, partial=True), "iv_drip", on=dt.date(2026, 1, 1))
        finding = result.findings[0]
        wording = load_screening_wording()
        items = ", ".join(finding.missing)
        assert finding.patient_message.en == wording.undecided_patient.en.format(items=items)
        assert finding.staff_message.ja.startswith(
            wording.undecided_staff.ja.split("{items}")[0] + items
        )
