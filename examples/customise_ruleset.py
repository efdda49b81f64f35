"""Extend the bundled rule set with a clinic rule, disable one, and screen with it.

Run: python examples/customise_ruleset.py   (writes clinic-rules.json in the current folder)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import exointake

text = {"ja": "70歳以上は医師が確認します。", "en": "Aged 70 or over: physician review."}
clinic_rules = {
    "id": "clinic-shibuya",
    "version": "2",
    "questionnaire": "exosome-intake",
    "extends": {"id": "exosome-default", "version": "1"},
    "rules": [
        {
            "id": "over_70",
            "decision": "physician_review",
            "when": {"age": {"item": "birth_date", "op": ">=", "value": 70}},
            "reads": ["birth_date"],
            "patient_message": text,
            "staff_message": text,
            "source": "clinic",
        }
    ],
    "disable": ["keloid_tendency"],
}

# The clinic keeps its rules in a file next to its own configuration.
path = Path("clinic-rules.json")
path.write_text(json.dumps(clinic_rules, ensure_ascii=False, indent=2), encoding="utf-8")
clinic = exointake.RuleSet.from_json(path)
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
