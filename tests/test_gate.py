"""The administration gate: screening → review → consent → administration, enforced by the log.

Every administration (``administer``, ``administer_many``, ``amend``) is checked against what
the log itself holds, in the transaction that appends it; a recorded ``GateOverride`` naming
who allowed it is the only way past, and it stays visible on the entry.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import exointake
from exointake import (
    Administration,
    AdministrationRefused,
    ConsentRecord,
    Decision,
    Log,
    ScreeningRecord,
    ScreeningResult,
    ValidationError,
    open_log,
)
from exointake.records import ConsentWithdrawal, GateOverride, PhysicianReview, ReviewDecision

from .logutil import administration, consent, pg_schema

JST = dt.timezone(dt.timedelta(hours=9))
DAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 10, 30, tzinfo=JST)
TEMPLATES = {"exosome-consent": "c0ffee00" * 8}
PATIENT = "P-000123"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'clinic.db'}"
        return
    with pg_schema(request.getfixturevalue("pg_url")) as url:
        yield url


def _open(url: str, **options: Any) -> Log:
    return open_log(url, clock=lambda: NOW, current_consent_templates=TEMPLATES, **options)


@pytest.fixture
def log(db_url: str) -> Iterator[Log]:
    with _open(db_url) as opened:
        yield opened


# ---------------------------------------------------------------------------- building a chain


def answers(**changes: object) -> exointake.Answers:
    """v2 answers of an adult with no risk factor, with ``changes`` applied."""
    q = exointake.load_questionnaire("exosome-intake", "2")
    raw: dict[str, object] = {
        "birth_date": "1985-06-15",
        "cancer_history": "none",
        "drug_allergy": False,
        "food_allergy": False,
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
        "current_medications": "なし",
    }
    raw.update(changes)
    missing = [k for k, v in changes.items() if v is None]
    for k in missing:
        del raw[k]
    return q.answers(raw, partial=bool(missing))


# Answers giving each decision (v2 rules).
DECISION_ANSWERS: dict[Decision, dict[str, object]] = {
    Decision.CLEAR: {},
    Decision.CAUTION: {"prior_exosome_local_reaction": True},
    Decision.PHYSICIAN_REVIEW: {"bronchial_asthma": True},
    Decision.POSTPONE: {"fever_or_infection_today": True},
    Decision.INCOMPLETE: {"cancer_history": None},
    Decision.CONTRAINDICATED: {"prior_exosome_systemic_reaction": True},
}


def screening(
    route: str = "iv_drip", decision: Decision = Decision.CLEAR, on: dt.date = DAY
) -> ScreeningResult:
    result = exointake.screen(answers(**DECISION_ANSWERS[decision]), route, on=on)
    assert result.decision is decision
    return result


def record(log: Log, result: ScreeningResult, patient: str = PATIENT) -> str:
    return log.record_screening(ScreeningRecord.from_result(result, patient_id=patient))


def chain_consent(*results: ScreeningResult, **changes: Any) -> ConsentRecord:
    """A consent relying on ``results`` and covering their routes."""
    base = consent()
    fields: dict[str, Any] = {
        "routes": tuple(r.route for r in results),
        "screening_result_ids": tuple(r.result_id for r in results),
    }
    fields.update(changes)
    return attrs.evolve(base, **fields)


def review(
    result: ScreeningResult,
    decision: ReviewDecision = ReviewDecision.PROCEED,
    *,
    override: bool = False,
    at: dt.datetime = dt.datetime(2026, 11, 25, 9, 0, tzinfo=JST),
    review_id: str = "RV-1",
    patient: str = PATIENT,
) -> PhysicianReview:
    return PhysicianReview(
        review_id=review_id,
        patient_id=patient,
        screening_result_ids=(result.result_id,),
        findings=tuple(f.rule_id for f in result.findings),
        decision=decision,
        reviewed_by="DR-007",
        reviewed_at=at,
        override=override,
        reason="患者と相談のうえ判断（テスト）",
    )


def valid_chain(log: Log, route: str = "iv_drip") -> Administration:
    """Record a clear screening and a consent for it; the administration relying on them."""
    result = screening(route)
    record(log, result)
    log.record_consent(chain_consent(result))
    return administration(route=route, screening_result_id=result.result_id)


OVERRIDE = GateOverride(by="DR-007", reason="救急対応のため医師が判断（テスト）")


# ---------------------------------------------------------------------------- the table


def _no_consent(log: Log) -> Administration:
    result = screening()
    record(log, result)
    return administration(screening_result_id=result.result_id)


def _foreign_consent(log: Log) -> Administration:
    result = screening()
    record(log, result)
    log.record_consent(chain_consent(result, patient_id="P-OTHER"))
    return administration(screening_result_id=result.result_id)


def _consent_other_route(log: Log) -> Administration:
    face = screening("injection_face")
    drip = screening("iv_drip")
    record(log, face)
    record(log, drip)
    log.record_consent(chain_consent(face))
    return administration(route="iv_drip", screening_result_id=drip.result_id)


def _old_template(log: Log) -> Administration:
    result = screening()
    record(log, result)
    log.record_consent(chain_consent(result, template_sha256="e" * 64))
    return administration(screening_result_id=result.result_id)


def _withdrawn(log: Log) -> Administration:
    adm = valid_chain(log)
    log.withdraw_consent(
        ConsentWithdrawal(
            consent_id=adm.consent_id,
            patient_id=PATIENT,
            withdrawn_at=dt.datetime(2026, 11, 25, 9, 45, tzinfo=JST),
            recorded_by="NS-014",
        )
    )
    return adm


def _no_screening(log: Log) -> Administration:
    result = screening()
    log.record_consent(chain_consent(result))
    return administration(screening_result_id=result.result_id)


def _foreign_screening(log: Log) -> Administration:
    result = screening()
    record(log, result, patient="P-OTHER")
    log.record_consent(chain_consent(result))
    return administration(screening_result_id=result.result_id)


def _screening_other_route(log: Log) -> Administration:
    face = screening("injection_face")
    record(log, face)
    log.record_consent(attrs.evolve(chain_consent(face), routes=("injection_face", "iv_drip")))
    return administration(route="iv_drip", screening_result_id=face.result_id)


def _stale(log: Log) -> Administration:
    result = screening(on=DAY - dt.timedelta(days=1))
    record(log, result)
    log.record_consent(chain_consent(result))
    return administration(screening_result_id=result.result_id)


def _decided(decision: Decision) -> Callable[[Log], Administration]:
    def build(log: Log) -> Administration:
        result = screening(decision=decision)
        record(log, result)
        log.record_consent(chain_consent(result))
        return administration(screening_result_id=result.result_id)

    build.__name__ = f"_{decision.value}"
    return build


def _review_refused(log: Log) -> Administration:
    result = screening(decision=Decision.PHYSICIAN_REVIEW)
    record(log, result)
    log.record_review(review(result, ReviewDecision.REFUSE))
    log.record_consent(chain_consent(result))
    return administration(screening_result_id=result.result_id)


def _review_not_override(log: Log) -> Administration:
    result = screening(decision=Decision.CONTRAINDICATED)
    record(log, result)
    log.record_review(review(result, ReviewDecision.PROCEED))  # proceed, but no override
    log.record_consent(chain_consent(result, review_ids=("RV-1",)))
    return administration(screening_result_id=result.result_id)


def _review_partial(log: Log) -> Administration:
    result = screening(decision=Decision.PHYSICIAN_REVIEW)
    record(log, result)
    log.record_review(attrs.evolve(review(result), findings=()))  # checked nothing
    log.record_consent(chain_consent(result))  # it cannot claim the review
    return administration(screening_result_id=result.result_id)


def _cold_chain(log: Log) -> Administration:
    adm = valid_chain(log)
    return attrs.evolve(adm, storage_check=attrs.evolve(adm.storage_check, cold_chain_ok=False))


def _future(log: Log) -> Administration:
    adm = valid_chain(log)
    return attrs.evolve(adm, administered_at=NOW + dt.timedelta(hours=1))


REFUSALS: list[tuple[Callable[[Log], Administration], str]] = [
    (_no_consent, "consent_missing"),
    (_foreign_consent, "consent_patient"),
    (_consent_other_route, "consent_route"),
    (_old_template, "consent_template"),
    (_withdrawn, "consent_withdrawn"),
    (_no_screening, "screening_missing"),
    (_foreign_screening, "screening_patient"),
    (_screening_other_route, "screening_route"),
    (_stale, "screening_stale"),
    (_decided(Decision.CONTRAINDICATED), "screening_decision"),
    (_decided(Decision.INCOMPLETE), "screening_decision"),
    (_decided(Decision.POSTPONE), "screening_decision"),
    (_decided(Decision.PHYSICIAN_REVIEW), "screening_decision"),
    (_review_refused, "screening_decision"),
    (_review_not_override, "screening_decision"),
    (_review_partial, "screening_decision"),
    (_cold_chain, "cold_chain"),
    (_future, "future_time"),
]


class TestGate:
    def test_a_complete_chain_goes_through(self, log: Log) -> None:
        """A clear screening of the patient, for the route, today, with a consent covering it."""
        adm = valid_chain(log)
        entry_id = log.administer(adm)
        assert log.get(entry_id).current.override is None

    @pytest.mark.parametrize(("build", "code"), REFUSALS, ids=[b.__name__ for b, _ in REFUSALS])
    def test_each_broken_link_is_refused(
        self, log: Log, build: Callable[[Log], Administration], code: str
    ) -> None:
        """Each broken link refuses the administration, names its check, and writes nothing."""
        adm = build(log)
        before = (len(log), log.head())
        with pytest.raises(AdministrationRefused) as info:
            log.administer(adm)
        assert code in info.value.failures
        assert isinstance(info.value, exointake.ScreeningRefused)
        assert (len(log), log.head()) == before

    @pytest.mark.parametrize(("build", "code"), REFUSALS, ids=[b.__name__ for b, _ in REFUSALS])
    def test_a_recorded_override_lets_it_through(
        self, log: Log, build: Callable[[Log], Administration], code: str
    ) -> None:
        """An explicit override goes through and the entry says who allowed which checks."""
        entry_id = log.administer(build(log), override=OVERRIDE)
        entry = log.get(entry_id).current
        assert entry.override is not None
        assert entry.override.by == "DR-007"
        assert code in entry.override.bypassed
        assert "救急" not in repr(entry)

    def test_an_override_that_bypasses_nothing_says_so(self, log: Log) -> None:
        """An override on a complete chain is recorded with nothing bypassed."""
        entry_id = log.administer(valid_chain(log), override=OVERRIDE)
        override = log.get(entry_id).current.override
        assert override is not None
        assert override.bypassed == ()

    def test_a_reviewed_finding_proceeds(self, log: Log) -> None:
        """physician_review with a recorded ``proceed`` review goes through."""
        result = screening(decision=Decision.PHYSICIAN_REVIEW)
        record(log, result)
        log.record_review(review(result))
        log.record_consent(chain_consent(result, review_ids=("RV-1",)))
        log.administer(administration(screening_result_id=result.result_id))

    @pytest.mark.parametrize(
        "decision", [Decision.CONTRAINDICATED, Decision.INCOMPLETE, Decision.POSTPONE]
    )
    def test_an_override_review_proceeds(self, log: Log, decision: Decision) -> None:
        """A recorded override review lets a blocking screening through."""
        result = screening(decision=decision)
        record(log, result)
        log.record_review(review(result, override=True))
        log.record_consent(chain_consent(result, review_ids=("RV-1",)))
        log.administer(administration(screening_result_id=result.result_id))

    def test_a_clinic_may_accept_older_screenings(self, db_url: str) -> None:
        """``max_screening_age_days`` widens the same-day default."""
        with _open(db_url, max_screening_age_days=7) as log:
            log.administer(_stale(log))

    def test_failures_name_ids_never_free_text(self, log: Log) -> None:
        """The refusal names ids and checks, not the review's or override's reasons."""
        result = screening(decision=Decision.PHYSICIAN_REVIEW)
        record(log, result)
        log.record_review(review(result, ReviewDecision.REFUSE))
        log.record_consent(chain_consent(result))
        with pytest.raises(AdministrationRefused) as info:
            log.administer(administration(screening_result_id=result.result_id))
        assert "相談" not in str(info.value)
        assert result.result_id[:12] in str(info.value)


class TestBatchAndAmend:
    def test_batch_is_gated_all_or_nothing(self, log: Log) -> None:
        """One broken administration in a batch refuses the whole batch, naming its index."""
        good = valid_chain(log)
        bad = attrs.evolve(good, consent_id="C-MISSING")
        before = len(log)
        with pytest.raises(AdministrationRefused, match=r"administrations\[1\]"):
            log.administer_many([good, bad])
        assert len(log) == before
        assert len(log.administer_many([good, bad], override=OVERRIDE)) == 2

    def test_amend_reruns_the_gate(self, log: Log) -> None:
        """Moving an administration to another patient is refused by the gate."""
        entry_id = log.administer(valid_chain(log))
        with pytest.raises(AdministrationRefused):
            log.amend(
                entry_id,
                attrs.evolve(administration(), patient_id="P-OTHER"),
                reason="typo",
                amended_by="NS-014",
            )

    def test_amend_with_override_is_recorded(self, log: Log) -> None:
        """An amendment past the gate carries its override like an administration does."""
        adm = valid_chain(log)
        entry_id = log.administer(adm)
        new_id = log.amend(
            entry_id,
            attrs.evolve(adm, volume_ml=adm.volume_ml + 1, consent_id="C-MISSING"),
            reason="correction",
            amended_by="NS-014",
            override=OVERRIDE,
        )
        assert log.get(new_id).current.override is not None


class TestReviews:
    def test_review_of_an_unknown_screening_is_refused(self, log: Log) -> None:
        """A review must name screenings recorded in the log for the same patient."""
        with pytest.raises(ValidationError, match="screening_result_ids"):
            log.record_review(review(screening(decision=Decision.PHYSICIAN_REVIEW)))

    def test_override_on_a_clear_screening_is_refused(self, log: Log) -> None:
        """An override is only for contraindicated, incomplete or postponed screenings."""
        result = screening(decision=Decision.CAUTION)
        record(log, result)
        with pytest.raises(ValidationError, match="override"):
            log.record_review(review(result, override=True))

    def test_review_before_the_screening_is_refused(self, log: Log) -> None:
        """A review dated before its screening's day is refused."""
        result = screening(decision=Decision.PHYSICIAN_REVIEW)
        record(log, result)
        with pytest.raises(ValidationError, match="reviewed_at"):
            log.record_review(review(result, at=dt.datetime(2026, 11, 24, 9, 0, tzinfo=JST)))

    def test_review_after_the_consent_document_is_refused(self, log: Log) -> None:
        """A consent may not rely on a review made after the document was rendered."""
        result = screening(decision=Decision.PHYSICIAN_REVIEW)
        record(log, result)
        log.record_review(review(result, at=dt.datetime(2026, 11, 25, 9, 50, tzinfo=JST)))
        with pytest.raises(ValidationError, match="review"):
            log.record_consent(chain_consent(result, review_ids=("RV-1",)))

    def test_reason_stays_out_of_repr(self) -> None:
        """The free-text reason never appears in a review's or override's repr."""
        r = review(screening(decision=Decision.PHYSICIAN_REVIEW))
        assert "相談" not in repr(r)
        assert "救急" not in repr(OVERRIDE)

    def test_review_round_trips(self) -> None:
        """A review survives its JSON form."""
        r = review(screening(decision=Decision.PHYSICIAN_REVIEW))
        assert PhysicianReview.from_dict(r.to_dict()) == r


# ---------------------------------------------------------------------------- property


@attrs.frozen
class World:
    """One patient's chain, each link possibly broken (drawn by hypothesis)."""

    decision: Decision
    screening_recorded: bool
    screening_patient_ok: bool
    screening_route_ok: bool
    screening_age_days: int
    review: ReviewDecision | None
    review_override: bool
    consent: str  # none | ok | foreign | other_route | old_template | withdrawn
    cold_chain_ok: bool
    minutes_ahead: int

    def should_pass(self) -> bool:
        """The oracle: domain §4 and issue 10, written independently of the gate."""
        if not (self.screening_recorded and self.screening_patient_ok and self.screening_route_ok):
            return False
        if self.screening_age_days > 0 or self.consent != "ok" or not self.cold_chain_ok:
            return False
        if self.minutes_ahead > 5:
            return False
        recorded = self.review_recordable()
        if recorded and self.review is not ReviewDecision.PROCEED:
            return False  # the physician said not today, or never
        reviewed = recorded and self.review is ReviewDecision.PROCEED
        if self.decision in (Decision.CLEAR, Decision.CAUTION):
            return True
        if self.decision is Decision.PHYSICIAN_REVIEW:
            return reviewed
        return reviewed and self.review_override

    def review_recordable(self) -> bool:
        """Whether the log accepts the drawn review at all."""
        if self.review is None or not self.screening_recorded or not self.screening_patient_ok:
            return False
        blocking = (Decision.POSTPONE, Decision.INCOMPLETE, Decision.CONTRAINDICATED)
        return not self.review_override or self.decision in blocking


# For each link: the values that keep it whole, and the values that may break it.
_LINKS: dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]] = {
    "decision": (
        st.sampled_from([Decision.CLEAR, Decision.CAUTION]),
        st.sampled_from(list(Decision)),
    ),
    "screening_recorded": (st.just(True), st.booleans()),
    "screening_patient_ok": (st.just(True), st.booleans()),
    "screening_route_ok": (st.just(True), st.booleans()),
    "screening_age_days": (st.just(0), st.sampled_from([0, 1, 3])),
    "review": (st.none(), st.none() | st.sampled_from(list(ReviewDecision))),
    "review_override": (st.just(False), st.booleans()),
    "consent": (
        st.just("ok"),
        st.sampled_from(["none", "ok", "foreign", "other_route", "old_template", "withdrawn"]),
    ),
    "cold_chain_ok": (st.just(True), st.booleans()),
    "minutes_ahead": (st.sampled_from([-60, 0, 4]), st.sampled_from([-60, 0, 4, 30])),
}


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """Chains with a few links (often none, often one) drawn freely, the rest whole, so
    that every single broken link is tried alone as well as together with others."""
    free = draw(st.sets(st.sampled_from(sorted(_LINKS)), max_size=3))
    return World(**{k: draw(_LINKS[k][k in free]) for k in _LINKS})


def build_world(log: Log, w: World) -> Administration:
    """Record ``w``'s chain in ``log``; return the administration that relies on it."""
    route = "iv_drip" if w.screening_route_ok else "injection_face"
    result = screening(route, w.decision, on=DAY - dt.timedelta(days=w.screening_age_days))
    if w.screening_recorded:
        record(log, result, PATIENT if w.screening_patient_ok else "P-OTHER")
    review_ids: tuple[str, ...] = ()
    if w.review is not None:
        try:
            log.record_review(review(result, w.review, override=w.review_override))
            review_ids = ("RV-1",)
        except ValidationError:
            assert not w.review_recordable()
        else:
            assert w.review_recordable()
    if w.consent != "none":
        c = chain_consent(result, review_ids=review_ids, routes=("iv_drip",))
        if w.consent == "foreign":
            c = attrs.evolve(c, patient_id="P-OTHER", review_ids=())
        elif w.consent == "other_route":
            c = attrs.evolve(c, routes=("injection_scalp",))
        elif w.consent == "old_template":
            c = attrs.evolve(c, template_sha256="e" * 64)
        log.record_consent(c)
        if w.consent == "withdrawn":
            log.withdraw_consent(
                ConsentWithdrawal(
                    consent_id=c.consent_id,
                    patient_id=c.patient_id,
                    withdrawn_at=NOW - dt.timedelta(minutes=10),
                    recorded_by="NS-014",
                )
            )
    adm = administration(
        route="iv_drip",
        screening_result_id=result.result_id,
        administered_at=(NOW + dt.timedelta(minutes=w.minutes_ahead)).isoformat(),
    )
    return attrs.evolve(
        adm, storage_check=attrs.evolve(adm.storage_check, cold_chain_ok=w.cold_chain_ok)
    )


class TestProperty:
    @settings(max_examples=150, deadline=None)
    @given(world=worlds(), with_override=st.booleans())
    def test_no_unchained_administration_lands_without_a_named_override(
        self, world: World, with_override: bool
    ) -> None:
        """Whatever is broken, an administration lands exactly when its chain holds, or when a
        recorded override names who let it through (and then the entry says so)."""
        with _open("sqlite:///:memory:") as log:  # a fresh log for each example
            adm = build_world(log, world)
            try:
                log.administer(adm, override=OVERRIDE if with_override else None)
            except AdministrationRefused:
                assert not with_override
                assert not world.should_pass()
            else:
                assert with_override or world.should_pass()
            entries = log.administrations_for_patient(PATIENT)
            assert len(entries) == (1 if with_override or world.should_pass() else 0)
            for entry in entries:
                if not world.should_pass():
                    assert entry.override is not None
                    assert entry.override.by == "DR-007"
                    assert entry.override.bypassed  # names what it let through
                elif entry.override is not None:
                    assert entry.override.bypassed == ()


# ---------------------------------------------------------------------------- concurrency


def _administer_until_refused(url: str, adm_json: dict[str, Any], out: str, ready: Any) -> None:
    adm = Administration.from_dict(adm_json)
    landed = 0
    deadline = time.monotonic() + 60
    with _open(url) as log:
        while time.monotonic() < deadline:
            try:
                log.administer(adm)
            except AdministrationRefused:
                break
            landed += 1
            ready.set()
    Path(out).write_text(str(landed))


def _withdraw(url: str, consent_id: str, ready: Any) -> None:
    assert ready.wait(60)
    time.sleep(0.3)  # let the writers race the withdrawal
    with _open(url) as log:
        log.withdraw_consent(
            ConsentWithdrawal(
                consent_id=consent_id,
                patient_id=PATIENT,
                withdrawn_at=dt.datetime(2026, 11, 25, 10, 0, tzinfo=JST),
                recorded_by="NS-014",
            )
        )


@pytest.mark.slow
class TestConcurrency:
    def test_a_withdrawal_by_another_process_is_never_slipped_past(
        self, db_url: str, tmp_path: Path
    ) -> None:
        """Writers administering while another process withdraws the consent: no administration
        is appended after the withdrawal (the gate reads in the appending transaction)."""
        with _open(db_url) as log:
            adm = valid_chain(log)
        ctx = multiprocessing.get_context("spawn")
        ready = ctx.Event()
        outs = [tmp_path / f"w{i}.out" for i in range(3)]
        writers = [
            ctx.Process(
                target=_administer_until_refused, args=(db_url, adm.to_dict(), str(o), ready)
            )
            for o in outs
        ]
        for p in writers:
            p.start()
        withdrawer = ctx.Process(target=_withdraw, args=(db_url, adm.consent_id, ready))
        withdrawer.start()
        for p in [*writers, withdrawer]:
            p.join(120)
        assert [p.exitcode for p in [*writers, withdrawer]] == [0] * 4
        with _open(db_url) as log:
            assert log.verify().ok
            entries = list(log.entries())
            withdrawal = [e.seq for e in entries if e.kind.value == "withdrawal"]
            assert len(withdrawal) == 1
            after = [
                e.seq for e in entries if e.kind.value == "administration" and e.seq > withdrawal[0]
            ]
            assert after == []
            assert sum(int(o.read_text()) for o in outs) == len(
                [e for e in entries if e.kind.value == "administration"]
            )


# ---------------------------------------------------------------- what a consent may claim


class TestConsentClaims:
    """A consent relying on reviews says the physician checked every answer it lists; the
    log records it only when recorded reviews cover each of them."""

    def test_reviews_must_cover_every_listed_answer(self, log: Log) -> None:
        """A review covering one of two findings: a consent relying on it is refused, naming
        the finding, and nothing is stored; covering both, it is recorded."""
        result = exointake.screen(
            answers(bronchial_asthma=True, prior_exosome_local_reaction=True), "iv_drip", on=DAY
        )
        rules = sorted(f.rule_id for f in result.findings)
        assert len(rules) == 2
        record(log, result)
        log.record_review(attrs.evolve(review(result), findings=(rules[0],)))
        before = len(log)
        with pytest.raises(ValidationError, match=f"behind {rules[1]}.*no review it relies on"):
            log.record_consent(chain_consent(result, review_ids=("RV-1",)))
        assert len(log) == before
        log.record_review(attrs.evolve(review(result), review_id="RV-2", findings=(rules[1],)))
        log.record_consent(chain_consent(result, review_ids=("RV-1", "RV-2")))
        assert log.consent(consent().consent_id) is not None

    def test_its_screenings_must_be_recorded(self, log: Log) -> None:
        """A consent relying on a review names a screening the log does not hold: refused."""
        reviewed = screening(decision=Decision.PHYSICIAN_REVIEW)
        other = screening("injection_face")
        record(log, reviewed)
        log.record_review(review(reviewed))
        with pytest.raises(ValidationError, match=r"screening_result_ids\[1\].*not recorded"):
            log.record_consent(chain_consent(reviewed, other, review_ids=("RV-1",)))

    def test_without_reviews_nothing_is_claimed(self, log: Log) -> None:
        """A consent relying on no review is recorded whatever its screenings found (its
        document does not say the physician checked them; the gate still asks for one)."""
        result = screening(decision=Decision.PHYSICIAN_REVIEW)
        record(log, result)
        log.record_consent(chain_consent(result))
        with pytest.raises(AdministrationRefused, match="no recorded physician review"):
            log.administer(administration(screening_result_id=result.result_id))
