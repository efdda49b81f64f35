"""Grading speed: ``grade()`` against a hand-written article-category lookup.

The log grades every reaction it stores, so grading must stay cheap next to a
database write. Two comparisons, on the same generated reactions:

* ``grade()`` (category, Brighton, CTCAE, E2A, actions) against a plain-dict
  baseline computing only the article category with the escalation rule: the
  ratio is the price of the full grading;
* the end-to-end path a log append takes — JSON text → ``Reaction.from_dict`` →
  ``grade`` → canonical JSON of the grade — against ``json.loads`` + ``json.dumps``
  of the same text (the cost of just moving the bytes).

Targets (100x and 200x) keep grading far below the cost of the database write
that follows it (a committed single-row SQLite transaction is in the milliseconds).
Figures only; never a pass/fail on time.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of, parse_args, report

from exointake._convert import canonical_json
from exointake._grading import Category, Reaction, grade, load_vocabulary

VOCAB = load_vocabulary()
ROWS = {d.code: d.row for d in VOCAB.symptoms}
ROW_GENERALIZED = {d.code: d.row_generalized for d in VOCAB.symptoms if d.row_generalized}
SKIN = {d.code for d in VOCAB.symptoms if d.skin}
DEFAULT_EXTENT = {d.code: d.default_extent for d in VOCAB.symptoms if d.skin}
CARDIO_RESP = {d.code for d in VOCAB.symptoms if d.system in ("cardiovascular", "respiratory")}
RANK = {Category.LOCAL: 0, Category.ALLERGY: 1, Category.ANAPHYLAXIS: 2}


def sample(rng: random.Random) -> dict[str, object]:
    """A realistic mix: mostly site reactions, some allergic, a few anaphylactic pictures."""
    roll = rng.random()
    if roll < 0.7:
        pool = ["redness", "swelling", "pain", "bruising", "warmth", "itch_site"]
    elif roll < 0.95:
        pool = ["rash", "itch_skin", "urticaria", "redness", "sneezing_rhinorrhea", "nausea"]
    else:
        pool = ["urticaria", "hypotension", "wheeze", "dyspnea", "vomiting", "tachycardia"]
    codes = rng.sample(pool, rng.randint(1, 3))
    symptoms: list[object] = [
        {"code": c, "extent": rng.choice(["localized", "generalized", "unknown"])}
        if c in SKIN and rng.random() < 0.5
        else c
        for c in codes
    ]
    data: dict[str, object] = {"symptoms": symptoms, "onset_minutes": rng.randint(0, 240)}
    if rng.random() < 0.6:
        data.update(interventions=[], hospitalization=False, outcome="recovered")
    return data


def hand_category(data: dict[str, object]) -> str:
    """The article category with the escalation rule, from plain dicts."""
    best = 0
    skin_allergy = cardio_resp = False
    for s in data["symptoms"]:  # type: ignore[attr-defined]
        if isinstance(s, str):
            code, extent = s, DEFAULT_EXTENT.get(s)
        else:
            code, extent = s["code"], s.get("extent") or DEFAULT_EXTENT.get(s["code"])
        row = ROWS[code]
        if code in ROW_GENERALIZED and extent != "localized":
            row = ROW_GENERALIZED[code]
        best = max(best, RANK[row])
        skin_allergy |= code in SKIN and row is Category.ALLERGY
        cardio_resp |= code in CARDIO_RESP
    if skin_allergy and cardio_resp:
        best = 2
    return ("local", "allergy", "anaphylaxis")[best]


def main() -> None:
    args = parse_args(__doc__ or "")
    n, repeat = (500, 3) if args.short else (5000, 5)
    rng = random.Random(20261125)
    dicts = [sample(rng) for _ in range(n)]
    texts = [json.dumps(d) for d in dicts]
    reactions = [Reaction.from_dict(d) for d in dicts]
    for d, r in zip(dicts, reactions, strict=True):  # same answer before timing
        assert grade(r).category.value == hand_category(d)

    ours = best_of(lambda: [grade(r) for r in reactions], repeat)
    base = best_of(lambda: [hand_category(d) for d in dicts], repeat)
    print(f"{n} reactions; grade(): {ours / n * 1e6:.1f} µs each, {n / ours:,.0f}/s")
    report("grade() vs category-only dict lookup", ours, base, target=100)

    def end_to_end() -> None:
        for t in texts:
            canonical_json(grade(Reaction.from_dict(json.loads(t))).to_dict())

    def move_bytes() -> None:
        for t in texts:
            json.dumps(json.loads(t), sort_keys=True, separators=(",", ":"))

    ours = best_of(end_to_end, repeat)
    base = best_of(move_bytes, repeat)
    print(
        f"JSON -> Reaction -> grade -> canonical JSON: {ours / n * 1e6:.1f} µs each, "
        f"{n / ours:,.0f}/s"
    )
    report("end to end vs json.loads + json.dumps", ours, base, target=200)


if __name__ == "__main__":
    main()
