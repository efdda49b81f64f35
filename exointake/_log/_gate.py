"""The administration gate: what must hold before an administration enters the log.

Pure logic over what the log holds (read by the caller inside the transaction that will
append the administration, so nothing can change in between). Each failed check has a
stable code; messages name ids only, never free text or answers.

- ``consent_missing``: the consent id is not recorded in the log;
- ``consent_patient``: the consent is another patient's;
- ``consent_withdrawn``: the patient withdrew that consent;
- ``consent_template``: it was given on a template that is not in force;
- ``consent_route``: its plan does not cover the administration's route;
- ``screening_missing``: the screening id is not recorded in the log;
- ``screening_patient``: the screening is another patient's;
- ``screening_route``: the screening was for another route;
- ``screening_stale``: it is older than the clinic's maximum age (default: the same JST day);
- ``screening_decision``: contraindicated, incomplete or postpone without a recorded override
  review; physician_review without a recorded ``proceed`` review covering its findings; or a
  review that said postpone or refuse;
- ``cold_chain``: the cold-chain check failed;
- ``future_time``: the administration time is later than now plus the allowed clock skew.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

from attrs import field, frozen

from .._common import JST
from .._records import (
    Administration,
    ConsentRecord,
    PhysicianReview,
    ReviewDecision,
    ScreeningRecord,
)
from ._entries import EntryKind, entry_from_row
from ._store import Reader

__all__ = [
    "CODES",
    "ChainView",
    "GatePolicy",
    "gate_failures",
    "read_chain",
    "review_problems",
]

CODES: Final = (
    "consent_missing",
    "consent_patient",
    "consent_withdrawn",
    "consent_template",
    "consent_route",
    "screening_missing",
    "screening_patient",
    "screening_route",
    "screening_stale",
    "screening_decision",
    "cold_chain",
    "future_time",
)
"""Every check of the gate, in the order they are reported."""

_BLOCKING: Final = frozenset({"postpone", "incomplete", "contraindicated"})
_REVIEWED: Final = frozenset({"physician_review", *_BLOCKING})


@frozen
class GatePolicy:
    """A clinic's settings for the gate.

    ``current_consent_templates`` maps template id to the SHA-256 of the version in force;
    ``max_screening_age_days`` is how many JST days a screening may be older than the
    administration (0: the same day, since "fever today" is asked on the day);
    ``clock_skew`` is how far in the future an administration time may be.
    """

    current_consent_templates: Mapping[str, str] = field(factory=dict)
    max_screening_age_days: int = 0
    clock_skew: dt.timedelta = dt.timedelta(minutes=5)


@frozen
class ChainView:
    """What the log holds for one administration, read in the appending transaction."""

    consent: ConsentRecord | None
    consent_withdrawn: bool
    screening: ScreeningRecord | None
    reviews: tuple[PhysicianReview, ...] = ()
    """The recorded reviews naming the administration's screening, in log order."""


def read_chain(r: Reader, adm: Administration) -> ChainView:
    """What the log holds for ``adm`` (call it with the appending transaction's reader)."""
    consent_row = r.first_by_ref(EntryKind.CONSENT, adm.consent_id)
    withdrawn = r.first_by_ref(EntryKind.WITHDRAWAL, adm.consent_id) is not None
    sid = adm.screening_result_id
    screening_row = r.ref_for_patient(EntryKind.SCREENING, sid, adm.patient_id)
    if screening_row is None:  # recorded for someone else, perhaps: say so
        screening_row = r.first_by_ref(EntryKind.SCREENING, sid)
    reviews = tuple(
        review
        for row in r.current_for_patient_of_kind(EntryKind.REVIEW, adm.patient_id)
        if sid in (review := entry_from_row(row).record).screening_result_ids
    )
    return ChainView(
        consent=None if consent_row is None else entry_from_row(consent_row).record,
        consent_withdrawn=withdrawn,
        screening=None if screening_row is None else entry_from_row(screening_row).record,
        reviews=reviews,
    )


def gate_failures(
    adm: Administration, view: ChainView, policy: GatePolicy, now: dt.datetime
) -> list[tuple[str, str]]:
    """Every failed check as ``(code, message)``; empty when the administration may go in."""
    out: list[tuple[str, str]] = []
    out.extend(_consent_failures(adm, view, policy))
    out.extend(_screening_failures(adm, view, policy))
    if not adm.storage_check.cold_chain_ok:
        out.append(("cold_chain", f"the cold-chain check by {adm.storage_check.checked_by} failed"))
    if adm.administered_at > now + policy.clock_skew:
        out.append(
            (
                "future_time",
                f"administered_at {adm.administered_at.isoformat()} is in the future "
                f"(now {now.astimezone(dt.UTC).isoformat()})",
            )
        )
    return out


def _consent_failures(
    adm: Administration, view: ChainView, policy: GatePolicy
) -> list[tuple[str, str]]:
    cid = adm.consent_id
    consent = view.consent
    if consent is None:
        return [("consent_missing", f"consent {cid} is not recorded in this log")]
    out = []
    if consent.patient_id != adm.patient_id:
        out.append(
            (
                "consent_patient",
                f"consent {cid} belongs to patient {consent.patient_id}, not {adm.patient_id}",
            )
        )
    if view.consent_withdrawn:
        out.append(("consent_withdrawn", f"consent {cid} was withdrawn"))
    current = policy.current_consent_templates.get(consent.template_id)
    if current != consent.template_sha256:
        state = "is no longer in use" if current is None else "has changed since"
        out.append(
            (
                "consent_template",
                f"consent {cid} was given on template {consent.template_id} version "
                f"{consent.template_version} (sha256 {consent.template_sha256[:12]}…), which "
                f"{state}; the patient must consent again",
            )
        )
    if adm.route not in consent.routes:
        covered = "|".join(r.value for r in consent.routes) or "no route"
        out.append(
            (
                "consent_route",
                f"consent {cid} covers {covered}, not {adm.route.value}",
            )
        )
    return out


def _screening_failures(
    adm: Administration, view: ChainView, policy: GatePolicy
) -> list[tuple[str, str]]:
    sid = adm.screening_result_id
    short = sid[:12]
    rec = view.screening
    if rec is None:
        return [("screening_missing", f"screening {short}… is not recorded in this log")]
    out = []
    if rec.patient_id != adm.patient_id:
        out.append(
            (
                "screening_patient",
                f"screening {short}… is patient {rec.patient_id}'s, not {adm.patient_id}",
            )
        )
    route = str(rec.result.get("route", ""))
    if route != adm.route.value:
        out.append(
            ("screening_route", f"screening {short}… was for {route}, not {adm.route.value}")
        )
    screened_on = dt.date.fromisoformat(str(rec.result["screened_on"]))
    day = adm.administered_at.astimezone(JST).date()
    age = (day - screened_on).days
    if age > policy.max_screening_age_days or age < 0:
        limit = (
            "the same day"
            if policy.max_screening_age_days == 0
            else f"at most {policy.max_screening_age_days} days before"
        )
        out.append(
            (
                "screening_stale",
                f"screening {short}… is of {screened_on.isoformat()}, the administration of "
                f"{day.isoformat()} (expected {limit})",
            )
        )
    problem = _decision_problem(rec, view.reviews, adm.patient_id)
    if problem is not None:
        out.append(("screening_decision", f"screening {short}… {problem}"))
    return out


def _decision_problem(
    rec: ScreeningRecord, reviews: Sequence[PhysicianReview], patient_id: str
) -> str | None:
    decision = rec.decision
    mine = [r for r in reviews if r.patient_id == patient_id]
    latest = max(mine, key=lambda r: r.reviewed_at, default=None)
    if latest is not None and latest.decision is not ReviewDecision.PROCEED:
        return f"was reviewed by {latest.reviewed_by}: {latest.decision.value}"
    if decision not in _REVIEWED:
        return None
    if latest is None:
        need = "override review" if decision in _BLOCKING else "physician review"
        return f"is {decision} and has no recorded {need}"
    needed = set(_findings_needing_review(rec))
    missed = sorted(needed - set(latest.findings))
    if missed:
        return f"is {decision}; review {latest.review_id} does not cover {', '.join(missed)}"
    if decision in _BLOCKING and not latest.override:
        return f"is {decision}; review {latest.review_id} is not an override"
    return None


def _findings_needing_review(rec: ScreeningRecord) -> list[str]:
    findings: Sequence[Mapping[str, Any]] = rec.result.get("findings", ())
    return [str(f["rule_id"]) for f in findings if f.get("decision") in _REVIEWED]


def review_problems(
    review: PhysicianReview, screenings: Mapping[str, ScreeningRecord | None]
) -> list[str]:
    """Why the log refuses to record ``review`` (empty when it may be recorded).

    Args:
        review: the review to record.
        screenings: each of its ``screening_result_ids`` mapped to the record the log holds
            for it (None when not recorded).
    """
    errors: list[str] = []
    found: set[str] = set()
    decisions: set[str] = set()
    for n, sid in enumerate(review.screening_result_ids):
        rec = screenings.get(sid)
        path = f"review.screening_result_ids[{n}]"
        if rec is None:
            errors.append(f"{path}: screening {sid[:12]}… is not recorded in this log")
            continue
        if rec.patient_id != review.patient_id:
            errors.append(
                f"{path}: screening {sid[:12]}… is patient {rec.patient_id}'s, "
                f"not {review.patient_id}"
            )
        found.update(str(f["rule_id"]) for f in rec.result.get("findings", ()))
        decisions.add(rec.decision)
        screened_on = dt.date.fromisoformat(str(rec.result["screened_on"]))
        if review.reviewed_at.astimezone(JST).date() < screened_on:
            errors.append(
                f"review.reviewed_at: before screening {sid[:12]}… of {screened_on.isoformat()}"
            )
    if len(errors) == 0:
        unknown = sorted(set(review.findings) - found)
        if unknown:
            errors.append(
                f"review.findings: {', '.join(unknown)} not among the reviewed screenings' findings"
            )
        if review.override and not decisions & _BLOCKING:
            errors.append(
                "review.override: only a contraindicated, incomplete or postponed screening "
                "can be overridden"
            )
    return errors
