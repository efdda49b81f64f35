"""Grade four reactions the way a clinic would record them, and print what each means.

Run: python examples/grade_reaction.py
"""

from __future__ import annotations

import datetime as dt
import json

from exointake import Reaction, grade

REACTION_DAY = dt.date(2026, 11, 25)

cases = {
    # A face injection: redness and warmth at the site that settled without treatment.
    "site redness, settled": (
        {
            "symptoms": ["redness", "warmth"],
            "onset_minutes": 30,
            "interventions": [],
            "hospitalization": False,
            "outcome": "recovered",
            "life_threatening": False,
            "disability": False,
            "congenital_anomaly": False,
            "medically_important": False,
        },
        "injection_face",
    ),
    # During a drip: hives all over, blood pressure dropped, adrenaline given, recovering.
    "hives and hypotension during a drip": (
        {
            "symptoms": ["hypotension", {"code": "urticaria", "extent": "generalized"}],
            "onset_minutes": 10,
            "rapid_progression": True,
            "interventions": ["infusion_interrupted", "adrenaline_im", "iv"],
            "hospitalization": False,
            "outcome": "recovering",
            "life_threatening": False,
        },
        "iv_drip",
    ),
    # Vomiting and abdominal pain only: the article's anaphylaxis row, not a Brighton case.
    "vomiting and abdominal pain": (
        {"symptoms": ["vomiting", "abdominal_pain"], "onset_minutes": 20},
        "iv_drip",
    ),
    # Two days after a scalp injection: an infected, red, swollen site with a fever, oral
    # antibiotics. An event outside the article's table: no article category.
    "site infection with fever": (
        {
            "symptoms": ["cellulitis", "fever"],
            "temperature_c": 38.4,
            "interventions": ["oral"],
            "hospitalization": False,
            "outcome": "recovering",
            "life_threatening": False,
        },
        "injection_scalp",
    ),
}

for title, (data, route) in cases.items():
    reaction = Reaction.from_dict(data)
    g = grade(reaction, route=route, on=REACTION_DAY)
    print(f"== {title} ({route})")
    if g.category is None or g.frequency is None:
        print(f"   category: none - {g.event_kind.value} ({g.category_label.en})")
    else:
        print(f"   category: {g.category.value} ({g.frequency.en}; {g.frequency.ja})")
    print(f"   Brighton {g.brighton_version}: level {g.brighton_level} ({g.brighton_reason.value})")
    ctcae = g.ctcae.grade if g.ctcae.grade is not None else f"? record {', '.join(g.ctcae.missing)}"
    term = g.ctcae.term.value if g.ctcae.term is not None else f"undecided ({g.ctcae.reason})"
    print(f"   CTCAE v{g.ctcae.version}: {term}, grade {ctcae}")
    for other in g.ctcae_other:
        print(f"     also {other.term.value if other.term else '?'}, grade {other.grade}")
    criteria = ", ".join(c.value for c in g.seriousness_criteria) or "none"
    print(f"   serious: {g.serious} ({criteria})")
    for action in g.actions:
        due = f" by {action.due.isoformat()}" if action.due else ""
        print(f"   - {action.code.value}{due}: {action.text.en}")

# The grade is plain, deterministic JSON: store it next to the reaction.
last = grade(Reaction.from_dict(cases["vomiting and abdominal pain"][0]), route="iv_drip")
print(json.dumps(last.to_dict(), ensure_ascii=False, sort_keys=True)[:120] + "…")
