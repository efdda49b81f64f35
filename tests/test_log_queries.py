"""Staff queries in pages: patient history, serious cases, open follow-ups, administrations
by period, physician, lot and override, and lot recall with normalised lot numbers.

Every page query is keyset-paged on the chain position of each entry's current version;
the property at the end checks that paging returns every entry exactly once, in order,
against an oracle computed from the raw chain in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import exointake
from exointake import FollowUp, Log, ScreeningRecord, ValidationError, open_log
from exointake.log import EntryKind, LogEntry, Page
from exointake.records import ConsentWithdrawal, PhysicianReview, ReviewDecision

from .logutil import BYPASS, administration, consent, pg_schema, reaction

JST = dt.timezone(dt.timedelta(hours=9))
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=JST)
TEMPLATES = {"exosome-consent": "c0ffee00" * 8}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'clinic.db'}"
        return
    with pg_schema(request.getfixturevalue("pg_url")) as url:
        yield url


def _open(url: str) -> Log:
    return open_log(url, clock=lambda: NOW, current_consent_templates=TEMPLATES)


@pytest.fixture
def log(db_url: str) -> Iterator[Log]:
    with _open(db_url) as opened:
        yield opened


def follow_up(reaction_id: str, status: str, hour: int = 12) -> FollowUp:
    return FollowUp.from_dict(
        {
            "reaction_id": reaction_id,
            "status": status,
            "recorded_by": "NS-1",
            "on": f"2026-11-25T{hour:02d}:00:00+09:00",
        }
    )


def all_pages(fetch: Callable[..., Page], limit: int, **kwargs: Any) -> list[list[LogEntry]]:
    """Every page of a query, following next_cursor."""
    pages = []
    after = None
    while True:
        page = fetch(limit=limit, after=after, **kwargs)
        pages.append(list(page))
        if page.next_cursor is None:
            return pages
        after = page.next_cursor


def ids(entries: Any) -> list[str]:
    return [e.entry_id for e in entries]


# ---------------------------------------------------------------------------- history


def _whole_chain(log: Log, patient: str = "P-000123") -> dict[str, str]:
    """Screening → review → consent → administration → reaction → follow-up → withdrawal."""
    answers = exointake.load_questionnaire("exosome-intake", "2").answers(
        {
            "birth_date": "1985-06-15",
            "cancer_history": "none",
            "drug_allergy": False,
            "food_allergy": False,
            "prior_exosome_systemic_reaction": False,
            "prior_exosome_local_reaction": False,
            "anaphylaxis_history": False,
            "component_or_biologic_allergy": False,
            "bronchial_asthma": True,
            "pregnant_or_breastfeeding": False,
            "fever_or_infection_today": False,
            "immunosuppressed_or_autoimmune": False,
            "anticoagulants": False,
            "bleeding_disorder": False,
            "keloid_tendency": False,
            "site_skin_problem": False,
            "current_medications": "なし",
        }
    )
    result = exointake.screen(answers, "iv_drip", on=NOW.date())
    log.record_screening(ScreeningRecord.from_result(result, patient_id=patient, answers=answers))
    review = PhysicianReview(
        review_id=f"RV-{patient}",
        patient_id=patient,
        screening_result_ids=(result.result_id,),
        findings=tuple(f.rule_id for f in result.findings),
        decision=ReviewDecision.PROCEED,
        reviewed_by="DR-007",
        reviewed_at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=JST),
        reason="喘息は安定（テスト）",
    )
    log.record_review(review)
    cid = f"C-{patient}"
    log.record_consent(
        consent(
            consent_id=cid,
            patient_id=patient,
            routes=["iv_drip"],
            screening_result_ids=[result.result_id],
            review_ids=[review.review_id],
        )
    )
    adm = administration(patient_id=patient, consent_id=cid, screening_result_id=result.result_id)
    adm_id = log.administer(adm)
    rx = log.record_reaction(reaction(adm_id, "redness"))
    fu = log.follow_up(follow_up(rx, "open"))
    wd = log.withdraw_consent(
        ConsentWithdrawal(
            consent_id=cid,
            patient_id=patient,
            withdrawn_at=dt.datetime(2026, 11, 25, 11, 0, tzinfo=JST),
            recorded_by="NS-014",
        )
    )
    return {"administration": adm_id, "reaction": rx, "follow_up": fu, "withdrawal": wd}


class TestHistory:
    def test_covers_every_kind_in_the_order_recorded(self, log: Log) -> None:
        """A patient's history holds screenings, reviews, consents, administrations,
        reactions, follow-ups and withdrawals, in chain order, and nobody else's."""
        mine = _whole_chain(log)
        _whole_chain(log, "P-OTHER")
        page = log.history_page("P-000123")
        assert [e.kind for e in page] == [
            EntryKind.SCREENING,
            EntryKind.REVIEW,
            EntryKind.CONSENT,
            EntryKind.ADMINISTRATION,
            EntryKind.REACTION,
            EntryKind.FOLLOW_UP,
            EntryKind.WITHDRAWAL,
        ]
        assert page.next_cursor is None
        assert [e.seq for e in page] == sorted(e.seq for e in page)
        assert mine["withdrawal"] == page.entries[-1].entry_id
        assert ids(page) == ids(log.history("P-000123"))  # the list form agrees

    def test_pages_follow_each_other(self, log: Log) -> None:
        """limit/after walk the history in pages; the last page has no cursor."""
        _whole_chain(log)
        pages = all_pages(log.history_page, 3, patient_id="P-000123")
        assert [len(p) for p in pages] == [3, 3, 1]
        assert [e for p in pages for e in ids(p)] == ids(log.history_page("P-000123"))

    def test_an_amended_entry_shows_its_current_version(self, log: Log) -> None:
        """History holds current versions: an amended administration once, corrected."""
        first = log.administer(administration(), override=BYPASS)
        fixed = log.amend(
            first,
            administration(site="right forearm"),
            reason="typo",
            amended_by="DR-1",
            override=BYPASS,
        )
        assert ids(log.history_page("P-000123")) == [fixed]


# ---------------------------------------------------------------------------- serious, follow-ups


class TestSeriousAndFollowUps:
    def test_serious_cases_page(self, log: Log) -> None:
        """Only reactions graded anaphylaxis or serious, oldest first, in pages."""
        adm = log.administer(administration(), override=BYPASS)
        serious = [log.record_reaction(reaction(adm)) for _ in range(3)]
        log.record_reaction(reaction(adm, "redness"))
        pages = all_pages(log.serious_cases_page, 2)
        assert [ids(p) for p in pages] == [serious[:2], serious[2:]]
        assert ids(log.serious_cases()) == serious

    def test_open_follow_ups_page(self, log: Log) -> None:
        """Each reaction's latest follow-up when it is open; a later closing one ends it."""
        adm = log.administer(administration(), override=BYPASS)
        r1, r2, r3 = (log.record_reaction(reaction(adm, "redness")) for _ in range(3))
        f1 = log.follow_up(follow_up(r1, "open"))
        log.follow_up(follow_up(r2, "open"))
        log.follow_up(follow_up(r2, "closed", 13))
        f3 = log.follow_up(follow_up(r3, "open"))
        assert [ids(p) for p in all_pages(log.open_follow_ups_page, 1)] == [[f1], [f3]]
        assert ids(log.open_follow_ups()) == [f1, f3]


# ---------------------------------------------------------------------------- administrations


class TestAdministrations:
    def test_by_period_in_japan_time(self, log: Log) -> None:
        """since/until are JST days: 00:30 JST on the 25th is the 25th, though UTC says 24th."""
        early = log.administer(
            administration(administered_at="2026-11-25T00:30:00+09:00"), override=BYPASS
        )
        before = log.administer(
            administration(administered_at="2026-11-24T23:30:00+09:00"), override=BYPASS
        )
        assert ids(log.administrations_page(since="2026-11-25")) == [early]
        assert ids(log.administrations_page(until="令和8年11月24日")) == [before]
        assert ids(log.administrations_page(since=dt.date(2026, 11, 24))) == [early, before]

    def test_by_physician_lot_and_override(self, log: Log) -> None:
        """physician= is who administered; lot= matches as recall does; overridden= keeps the
        administrations let past the gate."""
        a = log.administer(administration(physician_id="DR-1", lot="UC-1"), override=BYPASS)
        b = log.administer(administration(physician_id="DR-2", lot="uc-1"), override=BYPASS)
        c = log.administer(administration(physician_id="DR-1", lot="UC-2"), override=BYPASS)
        assert ids(log.administrations_page(physician="DR-1")) == [a, c]
        assert ids(log.administrations_page(lot="ＵＣ－１")) == [a, b]
        assert ids(log.administrations_page(physician="DR-1", lot="UC-1")) == [a]
        assert ids(log.administrations_page(overridden=True)) == [a, b, c]
        assert ids(log.administrations_page(lot="UC-3")) == []

    def test_overridden_leaves_out_what_passed_the_gate(self, log: Log) -> None:
        """An administration whose chain held carries no override and is not listed."""
        chain = _whole_chain(log)
        forced = log.administer(administration(patient_id="P-X"), override=BYPASS)
        page = log.administrations_page(overridden=True)
        assert ids(page) == [forced]
        assert page.entries[0].override is not None
        assert chain["administration"] in ids(log.administrations_page())

    def test_pages_of_administrations(self, log: Log) -> None:
        """Five administrations in pages of two: 2, 2, 1, in chain order."""
        made = log.administer_many([administration() for _ in range(5)], override=BYPASS)
        pages = all_pages(log.administrations_page, 2)
        assert [ids(p) for p in pages] == [made[:2], made[2:4], made[4:]]

    def test_page_to_dict(self, log: Log) -> None:
        """A page's JSON form holds the entries and the next cursor."""
        made = log.administer_many([administration() for _ in range(2)], override=BYPASS)
        data = log.administrations_page(limit=1).to_dict()
        assert [e["entry_id"] for e in data["entries"]] == made[:1]
        assert data["next_cursor"] == str(log.get(made[0]).current.seq)


class TestArguments:
    @pytest.mark.parametrize("limit", [0, -1, 1001, True, "5", 2.0, None])
    def test_limit_is_checked_up_front(self, log: Log, limit: object) -> None:
        """limit must be a whole number from 1 to 1,000 (named in the error)."""
        for query in (
            lambda: log.history_page("P-1", limit=limit),  # type: ignore[arg-type]
            lambda: log.serious_cases_page(limit=limit),  # type: ignore[arg-type]
            lambda: log.open_follow_ups_page(limit=limit),  # type: ignore[arg-type]
            lambda: log.administrations_page(limit=limit),  # type: ignore[arg-type]
        ):
            with pytest.raises(ValidationError, match="limit: expected a whole number from 1"):
                query()

    def test_the_bounds_are_accepted(self, log: Log) -> None:
        """limit 1 and 1,000 are fine."""
        assert log.serious_cases_page(limit=1).entries == ()
        assert log.serious_cases_page(limit=1000).next_cursor is None

    @pytest.mark.parametrize("after", ["abc", "-1", "1.5", "", 5, "01", "9" * 19])
    def test_a_bad_cursor_is_refused(self, log: Log, after: object) -> None:
        """after must be a cursor a page returned."""
        with pytest.raises(ValidationError, match="after: expected a cursor"):
            log.administrations_page(after=after)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"since": "2026-11-26", "until": "2026-11-25"}, "since: expected a day on or before"),
            ({"since": "yesterday"}, "since: expected a date"),
            ({"physician": ""}, "physician: expected a non-empty id"),
            ({"physician": "x" * 65}, "physician: expected at most 64"),
            ({"lot": "   "}, "lot: expected a lot number"),
            ({"lot": 5}, "lot: expected a text"),
            ({"overridden": "yes"}, "overridden: expected True or False"),
        ],
    )
    def test_filters_are_checked(self, log: Log, kwargs: dict[str, Any], message: str) -> None:
        """Every filter names itself when it is wrong."""
        with pytest.raises(ValidationError, match=message):
            log.administrations_page(**kwargs)

    def test_history_needs_a_patient(self, log: Log) -> None:
        """An empty patient id is refused, not read as everyone."""
        with pytest.raises(ValidationError, match="patient_id: expected a non-empty id"):
            log.history_page("")


# ---------------------------------------------------------------------------- recall


class TestRecallLots:
    def test_case_spaces_and_width_are_normalised_and_said(self, log: Log) -> None:
        """' ｕｃ－２０２６－１１８' finds UC-2026-118 and says it ignored width, spaces, case."""
        adm = log.administer(administration(), override=BYPASS)
        recall = log.recall(" ｕｃ－２０２６－１１８")
        assert ids(recall.administrations) == [adm]
        assert recall.matched_lots == ("UC-2026-118",)
        assert recall.normalised == ("width", "spaces", "case")
        data = recall.to_dict()
        assert (data["lot"], data["matched_lots"], data["normalised"]) == (
            " ｕｃ－２０２６－１１８",
            ["UC-2026-118"],
            ["width", "spaces", "case"],
        )

    def test_an_exact_lot_normalises_nothing(self, log: Log) -> None:
        """A lot typed as stored matches with nothing normalised."""
        log.administer(administration(), override=BYPASS)
        recall = log.recall("UC-2026-118")
        assert (recall.matched_lots, recall.normalised) == (("UC-2026-118",), ())

    def test_every_stored_spelling_is_recalled(self, log: Log) -> None:
        """Two spellings of one lot are one lot for a recall: both, and their reactions."""
        a = log.administer(administration(lot="UC-1"), override=BYPASS)
        b = log.administer(administration(lot="uc-1"), override=BYPASS)
        log.administer(administration(lot="UC-11"), override=BYPASS)
        rb = log.record_reaction(reaction(b, "redness"))
        recall = log.recall("UC-1")
        assert ids(recall.administrations) == [a, b]
        assert ids(recall.reactions) == [rb]
        assert recall.matched_lots == ("UC-1", "uc-1")
        assert recall.normalised == ("case",)

    def test_an_unknown_lot_recalls_nothing(self, log: Log) -> None:
        """No match: an empty recall, no stored lot named."""
        log.administer(administration(), override=BYPASS)
        recall = log.recall("NOPE")
        assert (recall.administrations, recall.matched_lots) == ((), ())

    def test_a_lot_amended_away_is_not_recalled(self, log: Log) -> None:
        """Matching reads the lots of current administrations only."""
        first = log.administer(administration(lot="UC-OLD"), override=BYPASS)
        log.amend(
            first, administration(lot="UC-NEW"), reason="x", amended_by="DR-1", override=BYPASS
        )
        assert log.recall("uc-old").matched_lots == ()
        assert log.recall("uc-new").matched_lots == ("UC-NEW",)


# ---------------------------------------------------------------------------- the property


@attrs.frozen
class Op:
    what: str  # adm | react | fu | amend_adm | amend_react
    a: int
    b: int


ops = st.lists(
    st.builds(
        Op,
        st.sampled_from(["adm", "adm", "react", "react", "fu", "amend_adm", "amend_react"]),
        st.integers(0, 30),
        st.integers(0, 30),
    ),
    max_size=30,
)

PATIENTS = ("P-A", "P-B", "P-C")
LOTS = ("LOT-1", "lot-1", "LOT-2")
PHYSICIANS = ("DR-1", "DR-2")


def play(log: Log, plan: list[Op]) -> None:
    """Run a plan of appends and amendments (inapplicable steps are skipped). An amended
    administration keeps its patient, so each reaction stays with the patient it was
    recorded for."""
    adms: list[str] = []
    reactions: list[str] = []
    for op in plan:
        if op.what == "adm" or (op.what == "amend_adm" and adms):
            target = None if op.what == "adm" else log.get(adms[op.a % len(adms)]).current
            adm = administration(
                patient_id=PATIENTS[op.a % 3] if target is None else target.record.patient_id,
                lot=LOTS[op.b % 3],
                physician_id=PHYSICIANS[op.b % 2],
                administered_at=f"2026-11-{20 + op.b % 5}T10:00:00+09:00",
            )
            if target is None:
                adms.append(log.administer(adm, override=BYPASS))
            else:
                log.amend(target.entry_id, adm, reason="fix", amended_by="DR-1", override=BYPASS)
        elif op.what == "react" and adms:
            symptoms = ("hypotension", "dyspnea") if op.b % 3 == 0 else ("redness",)
            reactions.append(log.record_reaction(reaction(adms[op.a % len(adms)], *symptoms)))
        elif op.what == "amend_react" and reactions:
            current = log.get(reactions[op.a % len(reactions)]).current
            symptoms = ("hypotension", "dyspnea") if op.b % 2 else ("swelling",)
            fixed = reaction(current.record.administration_id, *symptoms)
            log.amend(current.entry_id, fixed, reason="fix", amended_by="DR-1")
        elif op.what == "fu" and reactions:
            log.follow_up(
                follow_up(reactions[op.a % len(reactions)], "open" if op.b % 2 else "closed")
            )


def current_entries(log: Log) -> list[LogEntry]:
    """The oracle's input: the current version of every entry, read from the raw chain."""
    latest: dict[str, LogEntry] = {}
    for entry in log.entries():
        latest[entry.root_id] = entry
    return sorted(latest.values(), key=lambda e: e.seq)


def expected(log: Log, query: str) -> list[str]:
    """What a query must return, computed in Python from the chain alone."""
    now = current_entries(log)
    if query == "history":
        return ids(
            e
            for e in now
            if getattr(e.record, "patient_id", None) == "P-A"
            or (
                e.kind in (EntryKind.REACTION, EntryKind.FOLLOW_UP) and _patient_of(e, now) == "P-A"
            )
        )
    if query == "serious":
        return ids(
            e
            for e in now
            if e.kind is EntryKind.REACTION
            and e.grade is not None
            and (e.grade["category"] == "anaphylaxis" or e.grade["serious"])
        )
    if query == "follow_ups":
        last: dict[str, LogEntry] = {}
        for e in now:
            if e.kind is EntryKind.FOLLOW_UP:
                last[_root_of(e.record.reaction_id, log)] = e
        return ids(
            sorted(
                (e for e in last.values() if e.record.status.value == "open"), key=lambda e: e.seq
            )
        )
    adms = [e for e in now if e.kind is EntryKind.ADMINISTRATION]
    if query == "lot":
        return ids(e for e in adms if e.record.product.lot.casefold() == "lot-1")
    if query == "physician":
        return ids(e for e in adms if e.record.physician_id == "DR-1")
    assert query == "period"
    return ids(
        e
        for e in adms
        if "2026-11-21"
        <= e.record.administered_at.astimezone(JST).date().isoformat()
        <= "2026-11-23"
    )


def _root_of(entry_id: str, log: Log) -> str:
    return log.get(entry_id).entry_id


def _patient_of(e: LogEntry, now: list[LogEntry]) -> str | None:
    if e.kind is EntryKind.FOLLOW_UP:
        reaction_root = _root_of_entry(e.record.reaction_id, now)
        e = next(x for x in now if x.root_id == reaction_root)
    adm_root = _root_of_entry(e.record.administration_id, now)
    return next(x.record.patient_id for x in now if x.root_id == adm_root)


def _root_of_entry(entry_id: str, now: list[LogEntry]) -> str:
    for x in now:
        if x.entry_id == entry_id or x.root_id == entry_id:
            return x.root_id
    raise AssertionError(entry_id)


QUERIES: dict[str, Callable[[Log], Callable[..., Page]]] = {
    "history": lambda log: lambda **kw: log.history_page("P-A", **kw),
    "serious": lambda log: log.serious_cases_page,
    "follow_ups": lambda log: log.open_follow_ups_page,
    "lot": lambda log: lambda **kw: log.administrations_page(lot=" LOT-1", **kw),
    "physician": lambda log: lambda **kw: log.administrations_page(physician="DR-1", **kw),
    "period": lambda log: (
        lambda **kw: log.administrations_page(since="2026-11-21", until="2026-11-23", **kw)
    ),
}


def check_paging(log: Log, limit: int) -> None:
    for name, make in QUERIES.items():
        pages = all_pages(make(log), limit)
        got = [e.entry_id for page in pages for e in page]
        assert got == expected(log, name), name  # every entry once, in chain order
        assert all(len(p) == limit for p in pages[:-1]), name  # full pages until the last
        assert len(pages[-1]) <= limit
        assert len(set(got)) == len(got)


class TestPagingProperty:
    @settings(max_examples=60, deadline=None)
    @given(plan=ops, limit=st.integers(1, 7))
    def test_pages_return_every_entry_once_in_order_sqlite(
        self, plan: list[Op], limit: int
    ) -> None:
        """Whatever was appended and amended, walking a query page by page returns what an
        independent oracle over the raw chain says, each entry once, in chain order."""
        with _open("sqlite:///:memory:") as log:
            play(log, plan)
            check_paging(log, limit)

    @pytest.mark.postgres
    @settings(max_examples=12, deadline=None)
    @given(plan=ops, limit=st.integers(1, 7))
    def test_pages_return_every_entry_once_in_order_postgresql(
        self, pg_url: str, plan: list[Op], limit: int
    ) -> None:
        """The same on PostgreSQL."""
        with pg_schema(pg_url) as url, _open(url) as log:
            play(log, plan)
            check_paging(log, limit)
