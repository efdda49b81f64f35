"""FHIR export speed: QuestionnaireResponse out and back, against exointake's own JSON.

The baseline is the pinned answers document exointake stores natively
(``Answers.to_dict()`` → JSON text, and ``Questionnaire.load_answers`` back), measured
in the same run on the same answers. A FHIR response carries more (item texts,
codings, extensions), so it is expected to cost more; the target is within 5x of the
native document each way. Also: visit bundles per second, and graded reactions to
AdverseEvent JSON against the log's own JSON of the same record and grade.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from _common import best_of, parse_args, report

import exointake
from exointake import Administration, ReactionRecord, fhir, open_log
from exointake._log._core import iter_entries
from exointake.records import GateOverride

# The benchmark measures the export, not the safety gate: a recorded override passes it.
BENCH_OVERRIDE = GateOverride(by="BENCH", reason="a benchmark of the export, not of the gate")

Q = exointake.load_questionnaire("exosome-intake", "1")


def sample_answers(rng: random.Random, route: exointake.Route) -> dict[str, object]:
    """A plausible answer set: mostly "no", some "yes" and "don't know", some free text."""
    answers: dict[str, object] = {}
    for item in Q.items:  # in order, answering only what is shown
        shown = Q.answers(answers, route=route, partial=True).values
        if not Q.is_enabled(item, shown, route):
            continue
        if item.type is exointake.questionnaire.ItemType.DATE:
            answers[item.link_id] = f"{rng.randint(1940, 2008)}-0{rng.randint(1, 9)}-15"
        elif item.type is exointake.questionnaire.ItemType.CHOICE:
            answers[item.link_id] = rng.choice(["none", "none", "none", "past"])
        elif item.type is exointake.questionnaire.ItemType.BOOLEAN:
            answers[item.link_id] = rng.choice([False, False, False, True])
        else:
            answers[item.link_id] = rng.choice(["なし", "ロキソプロフェン", "ペニシリンで発疹"])
        if item.allow_unknown and rng.random() < 0.1:
            answers[item.link_id] = "unknown"
    return answers


def main() -> None:
    args = parse_args(__doc__ or "")
    n = 300 if args.short else 3_000
    repeat = 3 if args.short else 7
    rng = random.Random(20261125)
    routes = list(exointake.Route)
    cases = []
    for i in range(n):
        route = routes[i % 3]
        cases.append(Q.answers(sample_answers(rng, route), route=route, partial=True))
    responses = [fhir.to_questionnaire_response(a, Q) for a in cases]
    texts = [fhir.dumps(r) for r in responses]
    documents = [json.dumps(a.to_dict(), ensure_ascii=False) for a in cases]
    for answers, text in zip(cases, texts, strict=True):  # same answers back, or void
        assert fhir.answers_from_questionnaire_response(json.loads(text), Q) == answers

    print(f"{n} answer sets to the bundled questionnaire (mixed routes, some unknown)")
    ours = best_of(
        lambda: [fhir.dumps(fhir.to_questionnaire_response(a, Q)) for a in cases], repeat
    )
    base = best_of(lambda: [json.dumps(a.to_dict(), ensure_ascii=False) for a in cases], repeat)
    report("export: FHIR response JSON vs native answers JSON", ours, base, target=5.0)

    read = fhir.answers_from_questionnaire_response
    ours = best_of(lambda: [read(json.loads(t), Q) for t in texts], repeat)
    base = best_of(lambda: [Q.load_answers(json.loads(d)) for d in documents], repeat)
    report("read back: FHIR response vs native answers document", ours, base, target=5.0)

    size_fhir = sum(len(t.encode()) for t in texts) / n
    size_native = sum(len(d.encode()) for d in documents) / n
    print(f"  size per answer set: FHIR {size_fhir:,.0f} bytes, native {size_native:,.0f} bytes")

    questionnaire = fhir.to_questionnaire(Q)
    bundles = best_of(
        lambda: [fhir.dumps(fhir.to_bundle([questionnaire, r])) for r in responses],
        max(1, repeat // 2),
    )
    print(f"  visit bundles (Questionnaire + response, JSON text): {n / bundles:,.0f}/s")

    adm = Administration.from_dict(_example("administration"))
    reaction = _example("reaction")
    records = []
    for i in range(n):
        symptoms = rng.sample(["redness", "swelling", "rash", "urticaria", "hypotension"], 2)
        record = ReactionRecord.from_dict(
            {**reaction, "administration_id": f"A{i}", "reaction": {"symptoms": symptoms}}
        )
        records.append((record, exointake.grade(record.reaction, route=adm.route)))
    ours = best_of(
        lambda: [fhir.dumps(fhir.to_adverse_event(r, adm, grade=g)) for r, g in records], repeat
    )
    base = best_of(
        lambda: [
            json.dumps({"record": r.to_dict(), "grade": g.to_dict()}, ensure_ascii=False)
            for r, g in records
        ],
        repeat,
    )
    report("adverse events: FHIR JSON vs the log's record+grade JSON", ours, base, target=5.0)

    # A whole log to visit bundles, against reading the same entries as the log's own JSON.
    base_adm = _example("administration")
    with open_log("sqlite:///:memory:") as log:
        adms = [
            Administration.from_dict(
                {
                    **base_adm,
                    "patient_id": f"P-{i % (n // 3 + 1)}",
                    "administered_at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00+09:00",
                }
            )
            for i in range(n)
        ]
        ids = log.administer_many(adms, override=BENCH_OVERRIDE)
        for adm_id in ids[::10]:
            log.record_reaction(
                ReactionRecord.from_dict(
                    {**reaction, "administration_id": adm_id, "onset": "2026-12-31T10:00:00+09:00"}
                )
            )
        ours = best_of(lambda: [fhir.dumps(b) for b in fhir.visit_bundles(log)], repeat)
        base = best_of(lambda: [json.dumps(e.to_dict()) for e in iter_entries(log)], repeat)
        visits = len(fhir.visit_bundles(log))
    print(f"log of {n} administrations, {len(ids[::10])} reactions -> {visits} visit bundles")
    report("visit bundles vs reading the log as its own JSON", ours, base, target=5.0)


def _example(name: str) -> dict[str, object]:
    path = Path(__file__).resolve().parent.parent / "examples" / "log" / f"{name}.json"
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


if __name__ == "__main__":
    main()
