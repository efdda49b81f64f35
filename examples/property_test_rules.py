"""Property-test a clinic rule set: a missing answer a rule needs never yields clear.

Run: python examples/property_test_rules.py
In a project, put the @given function in tests/test_*.py and let pytest run it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings

import exointake
from exointake import Decision, strategies

q = exointake.load_questionnaire()
# The clinic's own rules (examples/customise_ruleset.py explains them).
clinic = exointake.RuleSet.from_file(Path(__file__).resolve().parent / "clinic-rules.json")
clinic.check_against(q)
READ = {i for r in clinic.effective_rules if r.applies_to(exointake.Route.IV_DRIP) for i in r.reads}


# The first text draw in a fresh folder builds Hypothesis' Unicode tables; not a slow strategy.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.partial_answer_dicts(q, route=exointake.Route.IV_DRIP))
def test_missing_answers_never_clear(raw: dict[str, object]) -> None:
    """An unanswered or "don't know" item that a rule reads never gives a decision below
    incomplete."""
    answers = q.answers(raw, route="iv_drip", partial=True)
    result = exointake.screen(answers, "iv_drip", clinic, on=dt.date(2026, 11, 25))
    if any(raw.get(item, "unknown") == "unknown" for item in READ):
        assert result.decision >= Decision.INCOMPLETE


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.answer_dicts(q, route=exointake.Route.IV_DRIP))
def test_decision_is_the_worst_finding(raw: dict[str, object]) -> None:
    """The decision is the worst finding, and clear exactly when nothing was found."""
    answers = q.answers(raw, route="iv_drip")
    result = exointake.screen(answers, "iv_drip", clinic, on=dt.date(2026, 11, 25))
    worst = max((f.decision for f in result.findings), default=Decision.CLEAR)
    assert result.decision == worst
    assert (result.decision is Decision.CLEAR) == (not result.findings)


if __name__ == "__main__":
    for test in (test_missing_answers_never_clear, test_decision_is_the_worst_finding):
        test()
        print(f"ok: {test.__name__} — {' '.join((test.__doc__ or '').split())}")
