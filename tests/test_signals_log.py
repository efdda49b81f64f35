"""Lot signals read from a log: a simulated clinic where one lot has five times the
reaction rate, alerts once per crossing, what the log gives surveillance (amendments
included), and a seeded null simulation of the false-alarm rate. SQLite and PostgreSQL.
(The statistics alone: ``test_signals.py``.)"""

from __future__ import annotations

import collections
import datetime as dt
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

from exointake import Log, Route, open_log
from exointake.log import Alert, LotSeries, ReactionEvent
from exointake.signals import (
    Method,
    MonitoredOutcome,
    SignalAlert,
    SignalSettings,
    SignalStatus,
    check_signals,
    evaluate,
)

from .logutil import BYPASS, administration, pg_schema, reaction

T0 = dt.datetime(2026, 4, 6, 0, 30, tzinfo=dt.UTC)
LOTS = ("LOT-A", "LOT-B", "LOT-C", "LOT-D")
HOT = "LOT-C"
ROUTES = (Route.IV_DRIP, Route.INJECTION_FACE)
SYMPTOMS: tuple[Sequence[Any], ...] = (
    ["redness"],
    [{"code": "urticaria", "extent": "generalized"}],
    ["swelling", "pain"],
    ["fever"],
    ["rash"],
)
SETTINGS = SignalSettings(expected_per_1000={"any": 30.0})


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'clinic.db'}"
        return
    base = request.getfixturevalue("pg_url")
    with pg_schema(base) as url:
        yield url


def simulate(
    log: Log,
    clock: Clock,
    *,
    seed: int,
    days: int,
    per_day: int,
    rates: dict[str, float],
    base_rate: float = 0.03,
    lots: Sequence[str] = LOTS,
) -> list[str]:
    """A clinic giving ``per_day`` administrations a day from ``lots`` (at random, by two
    routes), each followed by a reaction with its lot's rate, logged an hour after its
    onset. Returns the reaction entry ids."""
    rng = random.Random(seed)
    base = administration()
    out = []
    for d in range(days):
        start = T0 + dt.timedelta(days=d)
        adms = []
        for k in range(per_day):
            lot = rng.choice(lots)
            adms.append(
                attrs.evolve(
                    base,
                    administered_at=start + dt.timedelta(minutes=10 * k),
                    route=rng.choice(ROUTES),
                    product=attrs.evolve(base.product, lot=lot),
                )
            )
        clock.now = adms[-1].administered_at
        ids = log.administer_many(adms, override=BYPASS)
        for adm_id, adm in zip(ids, adms, strict=True):
            if rng.random() < rates.get(adm.product.lot, base_rate):
                onset = adm.administered_at + dt.timedelta(minutes=30)
                clock.now = onset + dt.timedelta(hours=1)
                symptoms = SYMPTOMS[len(out) % len(SYMPTOMS)]
                out.append(
                    log.record_reaction(reaction(adm_id, *symptoms, onset=onset.isoformat()))
                )
    return out


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def clinic_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, list[str]]]:
    """The simulated clinic (built once per backend): its URL and reaction ids."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('clinic') / 'clinic.db'}"
        yield url, _build(url)
        return
    with pg_schema(request.getfixturevalue("pg_url")) as url:
        yield url, _build(url)


def _build(url: str) -> list[str]:
    clock = Clock()
    with open_log(url, clock=clock) as log:
        return simulate(log, clock, seed=3, days=30, per_day=20, rates={HOT: 0.15})


@pytest.fixture
def clinic(clinic_db: tuple[str, list[str]]) -> Iterator[tuple[Log, list[str]]]:
    """A fresh Log object on the simulated clinic (no callbacks, no alerts sent yet)."""
    url, ids = clinic_db
    with open_log(url) as log:
        yield log, ids


class TestFiveFoldLot:
    def test_the_hot_lot_signals_and_no_other(self, clinic: tuple[Log, list[str]]) -> None:
        """One lot of four has five times the reaction rate: both tests of any reaction
        signal for it, and no test signals for another lot."""
        log, reaction_ids = clinic
        report = check_signals(log, SETTINGS, alert=False)
        crossed = {(r.method, r.outcome, r.lot) for r in report.signals}
        assert (Method.BINOMIAL, MonitoredOutcome.ANY, HOT) in crossed
        assert (Method.POISSON, MonitoredOutcome.ANY, HOT) in crossed
        assert {lot for _, _, lot in crossed} == {HOT}
        for row in report.signals:
            assert row.crossed_entry in reaction_ids
            assert log.get(row.crossed_entry).current.kind == "reaction"
            assert row.crossed_on is not None
            assert row.cases >= SETTINGS.min_events
            if row.method is Method.POISSON:
                assert row.cv is not None
                assert row.llr >= row.cv
            else:
                assert row.boundary is not None
                assert row.cases >= row.boundary
        assert report.head_seq == len(log)

    def test_rows_cover_every_lot_outcome_and_method(self, clinic: tuple[Log, list[str]]) -> None:
        """Four lots x four outcomes binomial tests, plus a Poisson test per lot for the
        outcome with an expected rate; each with its lot's exact rate."""
        log, _ = clinic
        report = check_signals(log, SETTINGS, alert=False)
        assert len(report.rows) == 4 * 4 + 4
        rates = log.rates()
        by_lot = {r.value: r.administrations for r in rates.rows if r.dimension == "lot"}
        for row in report.rows:
            assert row.administrations == by_lot[row.lot]
            assert row.rate.administrations == row.administrations
            assert row.rate.lower is not None
            assert row.rate.upper is not None
            assert row.rate.lower <= row.rate.per_1000 <= row.rate.upper  # type: ignore[operator]
            assert row.attained_alpha is not None
            assert row.attained_alpha <= SETTINGS.alpha
        any_rows = [r for r in report.rows if r.outcome is MonitoredOutcome.ANY]
        assert sum(r.reactions for r in any_rows if r.method is Method.BINOMIAL) == rates.reactions

    def test_trajectories_end_where_the_rows_stand(self, clinic: tuple[Log, list[str]]) -> None:
        """Asked for, each test lists its looks; the last one is the row's statistic."""
        log, _ = clinic
        report = check_signals(log, SETTINGS, alert=False, trajectories=True)
        for row in report.rows:
            if not row.trajectory:
                assert row.events == 0
                continue
            last = row.trajectory[-1]
            assert last.cases == row.cases
            assert len(row.trajectory) == row.events
            if row.status is SignalStatus.SIGNAL:
                assert last.entry_id == row.crossed_entry
            if row.method is Method.BINOMIAL:
                assert last.llr == pytest.approx(row.llr)
                assert last.expected == pytest.approx(row.expected)

    def test_the_report_is_deterministic_json(self, clinic: tuple[Log, list[str]]) -> None:
        """The same log gives the same report, as plain JSON data."""
        log, _ = clinic
        a = check_signals(log, SETTINGS, alert=False).to_dict()
        b = check_signals(log, SETTINGS, alert=False).to_dict()
        assert a == b
        assert a["signals"]
        assert a["rows"][0]["rate"]["method"] == "garwood"


class TestAlerts:
    def test_one_alert_per_crossing(
        self, clinic: tuple[Log, list[str]], clinic_db: tuple[str, list[str]]
    ) -> None:
        """Each crossed signal sends one SignalAlert through the log's callbacks; checking
        again sends none; another Log object (another process) alerts again."""
        log, _ = clinic
        got: list[Alert] = []
        log.on_alert(got.append)
        report = check_signals(log, SETTINGS)
        signal_alerts = [a for a in got if isinstance(a, SignalAlert)]
        assert len(signal_alerts) == len(report.signals) > 0
        assert {(a.method, a.outcome, a.lot, a.entry_id) for a in signal_alerts} == {
            (r.method.value, r.outcome.value, r.lot, r.crossed_entry) for r in report.signals
        }
        for a in signal_alerts:
            assert a.event_kind == "lot_signal"
            assert isinstance(a, Alert)
            assert log.get(a.administration_id).current.record.patient_id == a.patient_id
        check_signals(log, SETTINGS)
        assert len([a for a in got if isinstance(a, SignalAlert)]) == len(signal_alerts)
        with open_log(clinic_db[0]) as again:
            fresh: list[Alert] = []
            again.on_alert(fresh.append)
            check_signals(again, SETTINGS, alert=False)
            assert fresh == []
            check_signals(again, SETTINGS)
            assert len(fresh) == len(signal_alerts)

    def test_a_failing_callback_never_stops_the_check(self, clinic: tuple[Log, list[str]]) -> None:
        """A callback that raises is logged; the report is still returned."""
        log, _ = clinic

        def broken(_alert: Alert) -> None:
            raise RuntimeError("pager down")

        log.on_alert(broken)
        assert check_signals(log, SETTINGS).signals


class TestWhatTheLogGives:
    def test_amendments_move_reactions(self, db_url: str) -> None:
        """Surveillance reads current versions: an administration corrected to another
        lot takes its reactions along; a reaction re-graded keeps one row."""
        with open_log(db_url) as log:
            adm = administration(lot="LOT-A")
            adm_id = log.administer(adm, override=BYPASS)
            log.administer(attrs.evolve(adm, route=Route.INJECTION_FACE), override=BYPASS)
            onset = (adm.administered_at + dt.timedelta(minutes=5)).isoformat()
            r1 = log.record_reaction(reaction(adm_id, "fever", onset=onset))
            series = log.lot_series()
            assert [(e.lot, e.infection, e.category) for e in series.reactions] == [
                ("LOT-A", True, None)
            ]
            log.amend(
                adm_id,
                attrs.evolve(adm, product=attrs.evolve(adm.product, lot="LOT-B")),
                reason="wrong lot scanned",
                amended_by="NS-001",
                override=BYPASS,
            )
            log.amend(
                r1,
                reaction(adm_id, {"code": "urticaria", "extent": "generalized"}, onset=onset),
                reason="re-examined",
                amended_by="DR-001",
            )
            series = log.lot_series()
            assert [(e.lot, e.infection, e.category) for e in series.reactions] == [
                ("LOT-B", False, "allergy")
            ]
            assert sorted((lot, n) for _, _, lot, n in series.strata) == [
                ("LOT-A", 1),
                ("LOT-B", 1),
            ]
            assert series.head == log.head()

    @pytest.mark.parametrize("seed", range(3))
    def test_incremental_reads_equal_a_full_read(self, db_url: str, seed: int) -> None:
        """A Log object reads only the reactions appended since its last read; after any
        mix of appends and amendments (administrations moved to another lot, reactions
        re-graded) what it returns equals what a fresh Log object reads in full."""
        rng = random.Random(seed)
        base = administration()
        with open_log(db_url) as log:
            adms: list[tuple[str, Any]] = []
            reactions: list[tuple[str, str, str]] = []
            for step in range(40):
                op = rng.random()
                if op < 0.4 or not adms:
                    adm = attrs.evolve(
                        base,
                        administered_at=base.administered_at + dt.timedelta(minutes=step),
                        product=attrs.evolve(base.product, lot=rng.choice(LOTS)),
                    )
                    adms.append((log.administer(adm, override=BYPASS), adm))
                elif op < 0.75:
                    adm_id, adm = rng.choice(adms)
                    onset = (adm.administered_at + dt.timedelta(minutes=5)).isoformat()
                    symptoms = rng.choice(SYMPTOMS)
                    entry = log.record_reaction(reaction(adm_id, *symptoms, onset=onset))
                    reactions.append((entry, adm_id, onset))
                elif op < 0.87:
                    k = rng.randrange(len(adms))
                    adm_id, adm = adms[k]
                    moved = attrs.evolve(adm, product=attrs.evolve(adm.product, lot="LOT-Z"))
                    current = log.get(adm_id).current.entry_id
                    log.amend(current, moved, reason="lot", amended_by="NS-1", override=BYPASS)
                    adms[k] = (adm_id, moved)
                elif reactions:
                    k = rng.randrange(len(reactions))
                    entry, adm_id, onset = reactions[k]
                    current = log.get(entry).current.entry_id
                    record = reaction(adm_id, *rng.choice(SYMPTOMS), onset=onset)
                    reactions[k] = (
                        log.amend(current, record, reason="r", amended_by="DR-1"),
                        adm_id,
                        onset,
                    )
                if step % 3 == 0:
                    incremental = log.lot_series()
                    with open_log(db_url) as fresh:
                        assert incremental == fresh.lot_series()

    def test_a_lot_never_given_beside_another_is_untestable(self, db_url: str) -> None:
        """A lot always given alone on its days and routes has no comparison: the binomial
        test says so; the Poisson test against an expected rate still runs."""
        clock = Clock()
        with open_log(db_url, clock=clock) as log:
            simulate(log, clock, seed=1, days=3, per_day=10, rates={}, lots=["LOT-SOLO"])
            report = check_signals(log, SETTINGS, alert=False)
        binomial = [r for r in report.rows if r.method is Method.BINOMIAL]
        assert {r.status for r in binomial} == {SignalStatus.UNTESTABLE}
        assert all(r.reason for r in binomial)
        poisson = [r for r in report.rows if r.method is Method.POISSON]
        assert [r.status for r in poisson] == [SignalStatus.NO_SIGNAL]

    def test_an_empty_log(self, db_url: str) -> None:
        """No administration, no rows, no alert."""
        with open_log(db_url) as log:
            report = check_signals(log)
        assert report.rows == ()
        assert report.signals == ()
        assert report.head_seq == 0


def synthetic_clinic(
    rng: random.Random, *, days: int = 40, per_day: int = 25, rate: float = 0.03
) -> LotSeries:
    """A clinic's series without a database: four lots at random, two routes, one rate."""
    strata: collections.Counter[tuple[str, str, str]] = collections.Counter()
    reactions = []
    for d in range(days):
        day = (dt.date(2026, 1, 1) + dt.timedelta(days=d)).isoformat()
        for _ in range(per_day):
            lot = rng.choice(LOTS)
            route = rng.choice(ROUTES).value
            strata[(day, route, lot)] += 1
            if rng.random() < rate:
                n = len(reactions) + 1
                reactions.append(
                    ReactionEvent(
                        n,
                        f"E{n:06d}",
                        f"{day}T03:00:00.000000Z",
                        day,
                        route,
                        lot,
                        "allergy" if rng.random() < 0.4 else "local",
                        rng.random() < 0.05,
                        rng.random() < 0.1,
                    )
                )
    rows = tuple((d, r, lot, n) for (d, r, lot), n in sorted(strata.items()))
    return LotSeries((len(reactions), "0" * 64), rows, tuple(reactions))


class TestNullSimulation:
    def test_false_alarm_rate_stays_within_alpha(self) -> None:
        """When no lot differs, each test signals in at most alpha of 150 seeded clinics
        (4 lots each: 600 tests per method and outcome)."""
        rng = random.Random(20261125)
        alarms: collections.Counter[tuple[str, str]] = collections.Counter()
        tests: collections.Counter[tuple[str, str]] = collections.Counter()
        for _ in range(150):
            report = evaluate(synthetic_clinic(rng), SETTINGS)
            for row in report.rows:
                key = (row.method.value, row.outcome.value)
                tests[key] += row.status is not SignalStatus.UNTESTABLE
                alarms[key] += row.status is SignalStatus.SIGNAL
        for key in [("binomial", "any"), ("binomial", "allergy_or_worse"), ("poisson", "any")]:
            assert tests[key] == 600
            assert alarms[key] / tests[key] <= SETTINGS.alpha, key


def _day_of(log: Log, clock: Clock, lots: Sequence[str], start: int) -> list[str]:
    """Administrations of ``lots`` (one each, in order) on T0's day by drip; their ids."""
    base = administration()
    adms = [
        attrs.evolve(
            base,
            administered_at=T0 + dt.timedelta(minutes=5 * (start + k)),
            route=Route.IV_DRIP,
            product=attrs.evolve(base.product, lot=lot),
        )
        for k, lot in enumerate(lots)
    ]
    clock.now = T0 + dt.timedelta(hours=8)
    return log.administer_many(adms, override=BYPASS)


def test_appending_never_rewrites_a_crossed_signal(db_url: str) -> None:
    """The reviewer's repro, with one reaction per administration (the tests count
    administrations with a reaction, so 8 reactions after 2 B administrations would be 2
    draws): A=10 and B=10 given that day, 8 B administrations followed by a reaction: a
    signal. 28 more B administrations logged later that same day would, counted as they
    stand, make B 38 of 48 and take the signal back; each reaction's look keeps the counts
    of when it was logged, so the signal and its crossing entry stand."""
    clock = Clock()
    settings = SignalSettings(outcomes=["any"])
    with open_log(db_url, clock=clock) as log:
        _day_of(log, clock, ["LOT-A"] * 10, 0)
        b_ids = _day_of(log, clock, ["LOT-B"] * 10, 10)
        onset = (T0 + dt.timedelta(hours=2)).isoformat()
        for k in range(8):
            log.record_reaction(reaction(b_ids[k], "redness", onset=onset))
        log.record_reaction(reaction(b_ids[0], "fever", onset=onset))  # the same patient again
        before = check_signals(log, settings, alert=False)
        (row,) = [r for r in before.rows if r.lot == "LOT-B"]
        assert row.status is SignalStatus.SIGNAL
        assert row.expected == pytest.approx(row.events / 2)
        assert row.reactions == 8  # administrations with a reaction, not 9 records
        late = _day_of(log, clock, ["LOT-B"] * 28, 20)
        after = check_signals(log, settings, alert=False)
        (again,) = [r for r in after.rows if r.lot == "LOT-B"]
        assert again.status is SignalStatus.SIGNAL
        assert (again.crossed_entry, again.crossed_on) == (row.crossed_entry, row.crossed_on)
        assert (again.cases, again.expected, again.llr) == (row.cases, row.expected, row.llr)
        assert again.administrations == 38
        # A fresh Log object (no cache) reads the same: the positions are in the log.
        with open_log(db_url) as other:
            (fresh,) = [
                r for r in check_signals(other, settings, alert=False).rows if r.lot == "LOT-B"
            ]
        assert fresh == again
        # The counts as they stand now would have taken the signal back.
        series = log.lot_series()
        stale = evaluate(series._replace(given=()), settings).rows
        (now,) = [r for r in stale if r.lot == "LOT-B"]
        assert now.status is SignalStatus.NO_SIGNAL
        # A reaction logged after the late administrations is counted with them.
        log.record_reaction(reaction(late[0], "redness", onset=onset))
        seen = evaluate(log.lot_series(), SignalSettings(outcomes=["any"], min_events=20))
        (last,) = [r for r in seen.rows if r.lot == "LOT-B"]
        assert last.events == 9
        assert last.expected == pytest.approx(8 / 2 + 38 / 48)
