"""The registry end to end: three clinics' logs → de-identified exports → a PostgreSQL
registry, on the real database.

The scenario of the issue: a contaminated lot (``HOT-1``) is sold to three clinics and
shows up as two reactions in each. No clinic's own lot surveillance can signal on two
cases (the binomial MaxSPRT needs at least four events), but the registry, comparing the
lot with the other lots each clinic used in the same month by the same route and summing
over the clinics, does. The round trip is exact: the registry's rates per lot equal the
clinics' own logs' rates over the exported months.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from exointake import Log, Route, open_log
from exointake.registry import export_registry, generate_export_key, open_registry
from exointake.signals import Method, MonitoredOutcome, SignalStatus, check_signals

from .logutil import BYPASS, administration, pg_schema, reaction

pytestmark = pytest.mark.postgres

HOT = "HOT-1"
START = dt.date(2026, 9, 1)
DAYS = 91  # September to November 2026
PATIENTS = 40  # per clinic
LAST_MONTH = "2026-11"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def _clinic(log: Log, clock: Clock, number: int) -> None:
    """A clinic giving six administrations a day (HOT-1 and two lots of its own, by two
    routes) to 40 patients in turn; HOT-1 is followed by a reaction twice (days 20 and
    60), the clinic's own lots once in clinic 1 only. A last entry in December closes
    November."""
    base = administration()
    lots = (HOT, f"C{number}-A", f"C{number}-B")
    turn = 0
    hot_reactions = {20, 60}
    for d in range(DAYS):
        day = dt.datetime.combine(START + dt.timedelta(days=d), dt.time(1), tzinfo=dt.UTC)
        adms = []
        for k in range(6):
            route = (Route.IV_DRIP, Route.INJECTION_FACE)[k % 2]
            adms.append(
                attrs.evolve(
                    base,
                    patient_id=f"P{number}-{(2 * turn + k % 2) % PATIENTS:03d}",
                    administered_at=day + dt.timedelta(minutes=10 * k),
                    route=route,
                    product=attrs.evolve(base.product, lot=lots[k // 2]),
                )
            )
            turn += k % 2
        clock.now = adms[-1].administered_at
        ids = log.administer_many(adms, override=BYPASS)
        react = []
        if d in hot_reactions:
            react.append(ids[0])  # HOT-1 by drip
        if number == 1 and d == 40:
            react.append(ids[2])  # the clinic's own lot A
        for adm_id in react:
            onset = clock.now + dt.timedelta(minutes=30)
            clock.now = onset + dt.timedelta(hours=1)
            log.record_reaction(reaction(adm_id, "redness", "swelling", onset=onset.isoformat()))
    # December: one more administration, recorded after November's settling period (14 days
    # by default), so that November leaves when the export is made.
    clock.now = dt.datetime(2026, 12, 16, 1, tzinfo=dt.UTC)
    log.administer_many(
        [
            attrs.evolve(
                base,
                patient_id=f"P{number}-000",
                administered_at=clock.now,
                product=attrs.evolve(base.product, lot=lots[1]),
            )
        ],
        override=BYPASS,
    )


@pytest.fixture(scope="module")
def clinics(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Three clinics' SQLite logs (built once)."""
    urls = []
    for number in (1, 2, 3):
        url = f"sqlite:///{tmp_path_factory.mktemp(f'clinic{number}') / 'clinic.db'}"
        clock = Clock()
        with open_log(url, clock=clock) as log:
            _clinic(log, clock, number)
        urls.append(url)
    return urls


@pytest.fixture
def registry_url(pg_url: str) -> Iterator[str]:
    with pg_schema(pg_url) as url:
        yield url


def _export(url: str, number: int, out: Path) -> dict[str, object]:
    with open_log(url, create=False) as log:
        export = export_registry(
            log, generate_export_key(), clinic_id=f"C13-{number:04d}", region="13"
        )
    export.write(out)
    manifest: dict[str, object] = json.loads((out / "manifest.json").read_text("utf-8"))
    return manifest


def test_the_registry_signals_a_lot_no_clinic_can(
    clinics: list[str], registry_url: str, tmp_path: Path
) -> None:
    for url in clinics:
        with open_log(url, create=False) as log:
            own = check_signals(log, alert=False)
        hot = [r for r in own.rows if r.lot == HOT and r.outcome is MonitoredOutcome.ANY]
        assert hot
        assert all(r.status is not SignalStatus.SIGNAL for r in hot)
        assert all(r.reactions == 2 for r in hot)
    with open_registry(registry_url) as reg:
        for number, url in enumerate(clinics, 1):
            manifest = _export(url, number, tmp_path / f"c{number}")
            source = manifest["source"]
            assert isinstance(source, dict)
            assert source["through"] == LAST_MONTH
            reg.import_export(tmp_path / f"c{number}")
        pooled = reg.signals()
    signalled = {(r.lot, r.outcome) for r in pooled.rows if r.status is SignalStatus.SIGNAL}
    assert (HOT, MonitoredOutcome.ANY) in signalled
    assert {lot for lot, _ in signalled} == {HOT}
    row = next(
        r
        for r in pooled.rows
        if r.lot == HOT and r.outcome is MonitoredOutcome.ANY and r.method is Method.BINOMIAL
    )
    assert row.cases == 6


def test_round_trip_rates_equal_the_clinics_logs(
    clinics: list[str], registry_url: str, tmp_path: Path
) -> None:
    """Log → export → import: per lot, the registry counts the administrations and the
    reactions the clinics' logs count over the exported months (nothing was suppressed,
    held or blanked in this scenario, which the manifests confirm)."""
    administrations: Counter[str] = Counter()
    reactions: Counter[str] = Counter()
    with open_registry(registry_url) as reg:
        for number, url in enumerate(clinics, 1):
            manifest = _export(url, number, tmp_path / f"c{number}")
            gate = manifest["gate"]
            assert isinstance(gate, dict)
            assert gate["suppressed"]["cases"] == 0
            assert gate["held"]["cases"] == 0
            assert all(n == 0 for n in gate["blanked"].values())
            reg.import_export(tmp_path / f"c{number}")
            with open_log(url, create=False) as log:
                rates = log.rates(since="2026-09-01", until="2026-11-30")
            for r in rates.rows:
                if r.dimension == "lot":
                    administrations[r.value] += r.administrations
                    reactions[r.value] += r.reactions
        pooled = reg.rates(by=("lot",))
    assert {r.group["lot"]: r.administrations for r in pooled} == dict(administrations)
    assert {r.group["lot"]: r.reactions.events for r in pooled} == dict(reactions)
    assert sum(administrations.values()) == 3 * DAYS * 6
