"""Render a consent document for a screened patient, record it, and check re-consent.

Run: python examples/render_consent.py [OUT_DIR]

Writes consent.pdf (and summary.pdf and contract.pdf, the 概要書面 and 契約書面,
because the example plan is covered by 特定商取引法) and a reaction log clinic.db
into OUT_DIR (default: the current folder), and prints the hashes an audit would
compare.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from exointake import (
    ConsentRequest,
    Decision,
    ScreeningRefused,
    load_questionnaire,
    load_template,
    open_log,
    render_consent,
    render_contract,
    render_summary,
    screen,
)
from exointake.consent import ConsentTemplate, current_templates

HERE = Path(__file__).resolve().parent
out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path()
out.mkdir(parents=True, exist_ok=True)

# 1. Screen the patient (the consent document relies on this result).
questionnaire = load_questionnaire()
raw = json.loads((HERE / "answers" / "review.json").read_text("utf-8"))
answers = questionnaire.answers(raw, route="injection_face")
result = screen(answers, "injection_face", on=dt.date(2026, 11, 20))
print(f"screening: {result.decision.value} ({result.result_id[:12]}…)")

# 2. The consent request: clinic, patient, plan, product, prices, and that screening.
data = json.loads((HERE / "consent-request.json").read_text("utf-8"))
data["screening"] = result.to_dict()
request = ConsentRequest.from_dict(data)
print(f"request:   {request!r}")  # no names or birth dates in a repr

# 3. Render: the same request always gives the same bytes.
rendered = render_consent(request)  # ja+en, as the request says
rendered.write(out / "consent.pdf", force=True)  # force: replace an earlier run's file
assert render_consent(request).pdf == rendered.pdf
print(f"consent:   {rendered.page_count} pages, sha256 {rendered.sha256}")
summary = render_summary(request, language="ja")  # before the contract
summary.write(out / "summary.pdf", force=True)
print(f"summary:   {summary.page_count} pages, sha256 {summary.sha256}")
contract = render_contract(request, language="ja")  # when the contract is made
contract.write(out / "contract.pdf", force=True)
print(f"contract:  {contract.page_count} pages, sha256 {contract.sha256}")

# 4. Record which document the patient saw.
with open_log(out / "clinic.db") as log:
    consent_id = log.record_consent(rendered, rendered_by="N-007")
    record = log.consent(consent_id)
    assert record is not None
    print(f"recorded:  consent {record.consent_id} on template v{record.template_version}")

    # 5. The template changes: the consent given on the old text needs re-consent.
    revised = load_template().to_dict()
    revised["version"] = "4"
    revised["texts"]["choices_refuse"]["ja"] += "（改訂）"
    in_force = current_templates(ConsentTemplate.from_dict(revised))
    outdated = log.consents_needing_reconsent(in_force)
    print(f"re-consent needed after a template change: {[c.consent_id for c in outdated]}")

# 6. A contraindicated screening is refused unless a physician override is recorded.
blocked = json.loads((HERE / "answers" / "contraindicated.json").read_text("utf-8"))
bad_answers = questionnaire.answers(blocked, route="injection_face", partial=True)
bad = screen(bad_answers, "injection_face", on=dt.date(2026, 11, 20))
assert bad.decision is Decision.CONTRAINDICATED
try:
    render_consent(ConsentRequest.from_dict({**data, "screening": bad.to_dict()}))
except ScreeningRefused as exc:
    print(f"refused:   {exc}")
