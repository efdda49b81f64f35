"""``exointake demo``: the main job end to end on the embedded default.

Loads the bundled questionnaire and rule set and screens three sample
patients (one clear, one needing review, one contraindicated), renders their consents,
logs what was given and the reactions, prints the lots' signal table and writes the
month's safety report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from importlib import resources
from pathlib import Path

from .. import (
    JST,
    Lang,
    Route,
    ValidationError,
    load_questionnaire,
    load_ruleset,
    parse_date,
    screen,
)
from ._consent import demo_consents
from ._log import demo_log
from ._questionnaire import render_text
from ._report import write_report
from ._screen import render_result
from ._signal import render_table
from ._util import add_force, add_lang, outputs

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo``."""
    p = sub.add_parser("demo", help="run the main job on sample patients")
    add_lang(
        p,
        default="en",
        help="language of the console output (the documents are Japanese, one also ja+en)",
    )
    p.add_argument(
        "--dir",
        default="exointake-demo",
        help="folder for the demo's database and PDFs (default: ./exointake-demo); a log "
        "already there is never replaced: give another folder to run the demo again",
    )
    add_force(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from .. import open_log
    from ..signals import check_signals

    lang = Lang(args.lang)
    folder = Path(args.dir)
    sample = json.loads(
        (resources.files("exointake") / "data" / "demo" / "patients.json").read_text("utf-8")
    )
    db = folder / "exointake.db"
    for suffix in ("", "-wal", "-shm", "-journal"):  # never a log, not even with --force
        if os.path.lexists(f"{db}{suffix}"):
            raise ValidationError(
                [
                    f"--dir: {db}{suffix} exists (a log of an earlier run?); it is never "
                    "replaced: give another --dir"
                ],
                what="arguments",
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(
            [f"--dir: {folder} cannot be made ({exc.strerror})"], what="arguments"
        ) from None
    files = outputs(args)
    on = parse_date(sample["screened_on"])
    for patient in sample["patients"]:  # every document the demo may write, before any work
        for name in ("consent", "summary", "contract"):
            files.claim(folder / f"{name}-{patient['patient_id']}.pdf", flag="--dir")
    safety = files.claim(folder / f"safety-report-{on:%Y-%m}.pdf", flag="--dir")
    q = load_questionnaire()
    rules = load_ruleset()
    rules.check_against(q)
    print("== 1. Questionnaire ==")
    print(render_text(q, lang).splitlines()[0])
    print(
        f"   {len(q.items)} items; rule set {rules.id} v{rules.version}, "
        f"{len(rules.effective_rules)} rules\n"
    )
    # The demo replays the sample day: its entries are recorded late in that month (JST),
    # and the clock moves past the month's end before its safety report (step 6).
    month_end = (on.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    now = [dt.datetime.combine(month_end, dt.time(), tzinfo=JST) - dt.timedelta(hours=1)]
    with open_log(db, clock=lambda: now[0]) as log:
        print("== 2. Screening ==")
        screened = []
        for patient in sample["patients"]:
            route = Route(patient["route"])
            answers = q.answers(patient["answers"], route=route)
            result = screen(answers, route, rules, on=on)
            print(
                f"patient {patient['patient_id']} ({route.value}) result {result.result_id[:12]}…"
            )
            print(render_result(result, lang))
            print()
            birth = parse_date(patient["answers"]["birth_date"]).isoformat()
            screened.append((patient["patient_id"], birth, result))
        print("== 3. Consent ==")
        handed = dt.datetime.combine(on, dt.time(9, 30), tzinfo=JST)
        # Documents for a clinic in Japan are Japanese, whatever the console language; the
        # second sample patient gets the bilingual version a foreign patient would.
        consents = demo_consents(
            folder,
            screened,
            files=files,
            language="ja",
            bilingual=[patient_id for patient_id, _, _ in screened[1:2]],
            log=log,
            rendered_at=handed,
        )
        print()
        print(f"== 4. Reaction log ({db}) ==")
        demo_log(log, screened, on=on, consents=consents)
        print()
        print("== 5. Lot signals ==")
        print(render_table(check_signals(log), lang))
        print()
        print("== 6. Monthly safety report ==")
        now[0] += dt.timedelta(hours=2)
        write_report(log, month=f"{on:%Y-%m}", out=safety, files=files, flag="--dir")
        print()
    return 0
