"""Extend the bundled rule set with a clinic rule, disable one, and screen with it.

Run: python examples/customise_ruleset.py   (reads examples/clinic-rules.json)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import exointake

# The clinic keeps its rules in a file next to its own configuration.
path = Path(__file__).resolve().parent / "clinic-rules.json"
clinic = exointake.RuleSet.from_file(path)
questionnaire = exointake.load_questionnaire()
clinic.check_against(questionnaire)  # every item the rules read exists, every value can occur
print(f"rule set {clinic.ref.id} v{clinic.ref.version}: {len(clinic.effective_rules)} rules")

answers = questionnaire.answers(
    {
        "birth_date": "1950-01-01",
        "cancer_history": "none",
        "drug_allergy": False,
        "food_allergy": False,
        "prior_exosome_reaction": False,
        "pregnant_or_breastfeeding": False,
        "fever_or_infection_today": False,
        "immunosuppressed_or_autoimmune": False,
        "anticoagulants": False,
        "bleeding_disorder": False,
        "keloid_tendency": True,  # disabled by this clinic
        "site_skin_problem": False,
    },
    route="injection_face",
)
day = dt.date(2026, 11, 25)
for ruleset in (exointake.load_ruleset(), clinic):
    result = exointake.screen(answers, "injection_face", ruleset, on=day)
    fired = [f"{f.rule_id} ({f.decision.value})" for f in result.findings]
    print(f"{ruleset.ref.id}: {result.decision.value}: {', '.join(fired) or 'no findings'}")
