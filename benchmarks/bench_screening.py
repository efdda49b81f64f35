"""Screening speed: the data-driven engine against hand-written Python.

The baseline is a hand-written function implementing the bundled rule set
with plain ``if`` statements and returning the *same* ScreeningResult (checked
equal for every sample before timing). Target: the engine within 2x.
Also reports end-to-end screenings per second from JSON text to result JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of, parse_args, report

import exointake
from exointake import UNKNOWN, Decision, Finding, Route, ScreeningResult

DAY = dt.date(2026, 11, 25)
Q = exointake.load_questionnaire("exosome-intake", "1")  # the hand screen below is v1
RS = exointake.load_ruleset("exosome-default", "1")
RULES = {r.id: r for r in RS.effective_rules}
RANK = {d: n for n, d in enumerate(Decision)}
LOCAL = (Route.INJECTION_FACE, Route.INJECTION_SCALP)
REQUIRED_ALWAYS = (
    "birth_date",
    "cancer_history",
    "drug_allergy",
    "food_allergy",
    "prior_exosome_reaction",
    "pregnant_or_breastfeeding",
    "fever_or_infection_today",
    "immunosuppressed_or_autoimmune",
    "anticoagulants",
    "bleeding_disorder",
    "keloid_tendency",
)
"""v1's required questions shown for every route whatever the answers."""


def sample_answers(rng: random.Random, route: Route) -> dict[str, object]:
    """Realistic raw answers: mostly 'no', some 'yes', a few 'unknown' or missing."""
    raw: dict[str, object] = {}
    for item in Q.items:
        if item.routes and route not in item.routes:
            continue
        roll = rng.random()
        if item.link_id == "birth_date":
            raw["birth_date"] = dt.date(
                rng.randint(1940, 2012), rng.randint(1, 12), rng.randint(1, 28)
            ).isoformat()
        elif item.link_id == "cancer_history":
            raw["cancer_history"] = "none" if roll < 0.9 else rng.choice(["past", "current"])
        elif item.type.value == "boolean":
            if roll < 0.03:
                continue  # missing
            if roll < 0.06 and item.allow_unknown:
                raw[item.link_id] = "unknown"
            else:
                raw[item.link_id] = roll > 0.85
        elif item.link_id.endswith("_details") and raw.get(item.link_id[:-8]) is True:
            raw[item.link_id] = "details"
    return raw


def hand_screen(answers: exointake.Answers, route: Route, on: dt.date) -> ScreeningResult:
    """The bundled rules written out by hand, building the same result object."""
    v = answers.values
    fired: list[Finding] = []
    pending: list[Finding] = []
    missing: set[str] = set()
    requirements: list[str] = []

    def fire(rule_id: str, item: str) -> None:
        r = RULES[rule_id]
        fired.append(
            Finding(
                rule_id,
                r.decision,
                r.patient_message,
                r.staff_message,
                r.source,
                {item: v[item]},
                (),
                r.requirements,
            )
        )
        requirements.extend(x for x in r.requirements if x not in requirements)

    def pend(rule_id: str, item: str) -> None:
        r = RULES[rule_id]
        missing.add(item)
        undecided = exointake._screening._undecided  # same wording as the engine
        pending.append(
            Finding(
                rule_id,
                Decision.INCOMPLETE,
                undecided(r.patient_message, (item,), patient=True),
                undecided(r.staff_message, (item,), patient=False),
                r.source,
                {item: v[item]} if item in v else {},
                (item,),
            )
        )

    x = v.get("cancer_history", UNKNOWN)
    if x is UNKNOWN:
        pend("cancer_history", "cancer_history")
    elif x in ("past", "current"):
        fire("cancer_history", "cancer_history")
    for rule_id in (
        "prior_exosome_reaction",
        "pregnant_or_breastfeeding",
        "fever_or_infection_today",
        "drug_allergy",
        "food_allergy",
        "immunosuppressed_or_autoimmune",
    ):
        x = v.get(rule_id, UNKNOWN)
        if x is UNKNOWN:
            pend(rule_id, rule_id)
        elif x is True:
            fire(rule_id, rule_id)
    born = v.get("birth_date", UNKNOWN)
    if not isinstance(born, dt.date):
        pend("minor", "birth_date")
    elif on.year - born.year - ((on.month, on.day) < (born.month, born.day)) < 18:
        fire("minor", "birth_date")
    if route in LOCAL:
        for rule_id in (
            "site_skin_problem",
            "bleeding_disorder",
            "anticoagulants",
            "keloid_tendency",
        ):
            x = v.get(rule_id, UNKNOWN)
            if x is UNKNOWN:
                pend(rule_id, rule_id)
            elif x is True:
                fire(rule_id, rule_id)
    # Required questions (every one in v1) shown for the route and left unanswered.
    for item in REQUIRED_ALWAYS:
        if item not in v:
            missing.add(item)
    if route in LOCAL and "site_skin_problem" not in v:
        missing.add("site_skin_problem")
    for parent in ("drug_allergy", "food_allergy"):
        if v.get(parent) is True and f"{parent}_details" not in v:
            missing.add(f"{parent}_details")
    worst = Decision.INCOMPLETE if missing else Decision.CLEAR
    for f in (*fired, *pending):
        if RANK[f.decision] > RANK[worst]:
            worst = f.decision
    fired.sort(key=lambda f: -RANK[f.decision])
    return ScreeningResult(
        worst,
        route,
        (*fired, *pending),
        tuple(sorted(missing)),
        tuple(requirements),
        answers.questionnaire,
        RS.ref,
        on,
    )


def main() -> None:
    args = parse_args(__doc__ or "")
    n = 2_000 if args.short else 20_000
    repeat = 3 if args.short else 7
    rng = random.Random(20261125)
    cases = []
    for i in range(n):
        route = list(Route)[i % 3]
        raw = sample_answers(rng, route)
        cases.append((Q.answers(raw, route=route, partial=True), route, json.dumps(raw)))
    for answers, route, _ in cases:  # same result objects, or the comparison is void
        assert exointake.screen(answers, route, RS, on=DAY) == hand_screen(answers, route, DAY)

    screen = exointake.screen
    engine = best_of(lambda: [screen(a, r, RS, on=DAY) for a, r, _ in cases], repeat)
    hand = best_of(lambda: [hand_screen(a, r, DAY) for a, r, _ in cases], repeat)
    print(f"screening {n} answer sets (bundled questionnaire, {len(RS.effective_rules)} rules)")
    report("engine vs hand-written", engine, hand, target=2.0)
    print(f"  engine {n / engine:,.0f} screenings/s, hand-written {n / hand:,.0f}/s")

    def end_to_end() -> None:
        for _, route, text in cases:
            answers = Q.answers(json.loads(text), route=route, partial=True)
            json.dumps(screen(answers, route, RS, on=DAY).to_dict())

    e2e = best_of(end_to_end, max(1, repeat // 2))
    print(
        f"end to end (JSON answers -> validated -> screened -> JSON): {n / e2e:,.0f} screenings/s"
    )


if __name__ == "__main__":
    main()
