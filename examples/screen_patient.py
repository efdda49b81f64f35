"""Screen one patient's intake answers for a planned route.

Run: python examples/screen_patient.py
"""

from __future__ import annotations

import datetime as dt

import exointake

questionnaire = exointake.load_questionnaire()  # bundled exosome-intake, newest version

raw = {
    "birth_date": "平成2年3月3日",  # Japanese era dates are accepted where people type them
    "cancer_history": "none",
    "drug_allergy": True,
    "drug_allergy_details": "antibiotics: rash",
    "food_allergy": "unknown",  # "don't know" is not "no"
    "prior_exosome_systemic_reaction": False,
    "prior_exosome_local_reaction": False,
    "anaphylaxis_history": False,
    "component_or_biologic_allergy": False,
    "bronchial_asthma": False,
    "pregnant_or_breastfeeding": False,
    "fever_or_infection_today": False,
    "immunosuppressed_or_autoimmune": False,
    "anticoagulants": False,
    "bleeding_disorder": False,
    "keloid_tendency": False,
    "site_skin_problem": False,
}

answers = questionnaire.answers(raw, route="injection_face")  # validated and pinned
result = exointake.screen(answers, "injection_face", on=dt.date(2026, 11, 25))

print("decision:", result.decision.value)  # food allergy unknown -> incomplete
for finding in result.findings:
    print(f"  {finding.decision.value:<16} {finding.rule_id}: {finding.staff_message.en}")
print("missing or unknown:", ", ".join(result.missing) or "-")
print("result id:", result.result_id)
assert result.decision is exointake.Decision.INCOMPLETE
assert not result.may_proceed
