"""The monthly safety report: what it shows, that it is reproducible from the log, and
that it reads like a document (every page renders, nothing under 8 point, no names)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import Counter
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import exointake
from exointake import JST, RenderError, ValidationError, report
from exointake import _safety_report as sr
from exointake._log._snapshot import snapshot
from exointake._render import _cid_covers
from exointake._report_charts import binomial_funnel_limit
from exointake._report_wording import load_report_wording
from exointake._safety_report import traced_tests
from exointake.cli import main
from exointake.signals import SignalSettings, evaluate

from .logutil import BYPASS, administration, pg_schema, reaction
from .reportutil import (
    AFTER_LOCK,
    HOT_LOT,
    MONTH,
    NAME,
    ROUTES,
    Clock,
    clinic,
    clock_of,
    font_sizes,
    needs_poppler,
    pdf_text,
    render_pages,
)

LANGS = ("ja", "en", "ja+en")
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
LOCK = dt.datetime(2026, 12, 1, tzinfo=JST)


@pytest.fixture(scope="module")
def log() -> Iterator[exointake.Log]:
    with clinic() as db:
        yield db


@pytest.fixture(scope="module")
def rendered(log: exointake.Log) -> dict[str, report.SafetyReport]:
    return {lang: report.safety_report(log, month=MONTH, language=lang) for lang in LANGS}


def _headings(lang: str) -> list[str]:
    wording = load_report_wording()
    keys = ("title", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "fig_funnel", "fig_llr")
    return [wording.text(k, exointake.Lang(lang)).replace(" ", "") for k in keys]


class TestSections:
    @pytest.mark.parametrize("lang", LANGS)
    def test_every_section_is_in_the_document(
        self, rendered: dict[str, report.SafetyReport], lang: str
    ) -> None:
        """Each of the seven sections (and the title, funnel and LLR figures) is printed
        in each language the report is made in."""
        text = pdf_text(rendered[lang].pdf)
        for one in lang.split("+"):
            missing = [h for h in _headings(one) if h not in text]
            assert missing == []

    def test_the_lock_is_printed(self, rendered: dict[str, report.SafetyReport]) -> None:
        """The data lock point, the log's position and head hash at it, and the document
        id are on the page (the head hash is what ``log verify`` prints)."""
        r = rendered["en"]
        text = pdf_text(r.pdf)
        assert r.lock_hash in text
        assert r.document_sha256 in text
        assert f"#{r.lock_seq:,}" in text
        assert "2026-12-01T00:00:00+09:00" in text

    def test_the_lock_is_the_last_entry_before_the_data_lock_point(
        self, log: exointake.Log, rendered: dict[str, report.SafetyReport]
    ) -> None:
        """Everything in the sample log was recorded in November: the lock is its head."""
        assert (rendered["ja"].lock_seq, rendered["ja"].lock_hash) == log.head()
        assert rendered["ja"].data_lock_point == LOCK

    def test_exposure_totals_match_the_rate_report(
        self, log: exointake.Log, rendered: dict[str, report.SafetyReport]
    ) -> None:
        """The interval and cumulative administrations printed are the log's own rate
        report's (same counts, another path)."""
        text = pdf_text(rendered["en"].pdf)
        interval = log.rates(since="2026-11-01", until="2026-11-30")
        cumulative = log.rates(until="2026-11-30")
        summary = f"{interval.administrations:,}administrationsintheinterval("
        assert summary + f"{cumulative.administrations:,}cumulative)" in text

    def test_the_lot_with_five_times_the_rate_signals(
        self, rendered: dict[str, report.SafetyReport]
    ) -> None:
        """The conclusions name the lot whose binomial MaxSPRT crossed its critical value."""
        text = pdf_text(rendered["en"].pdf)
        assert f"Lotswithasignalatthedatalockpoint:{HOT_LOT}" in text
        assert "SIGNAL2026-11-30" in text

    def test_the_tests_run_and_what_they_do_not_prove_are_stated(
        self, log: exointake.Log, rendered: dict[str, report.SafetyReport]
    ) -> None:
        """Beside table 5.1: how many tests ran, the false signals expected by chance
        (tests x alpha, nothing adjusted); in the conclusions: no signal is not safety,
        a signal is not proof."""
        snap = snapshot(log, since=NOVEMBER[0], until=NOVEMBER[1], lock_before=LOCK)
        rows = evaluate(snap.lot_series()).rows
        run = sum(1 for r in rows if r.status.value != "untestable")
        assert run > 0
        text = pdf_text(rendered["en"].pdf)
        assert f"thistableholds{run}tests,eachatalpha0.05." in text
        assert f"about{run * 0.05:.1f}falsesignals(tests×alpha)" in text
        assert "Nothingisadjustedformultiplicity." in text
        assert "Nosignaldoesnotmeanalotissafe" in text
        ja = pdf_text(rendered["ja"].pdf)
        assert f"{run}件の検定を" in ja
        assert "多重性の調整は行っていません" in ja
        assert "シグナルがないことは安全の証明ではなく" in ja

    def test_no_name_and_no_free_text_is_printed(
        self, rendered: dict[str, report.SafetyReport]
    ) -> None:
        """A name written in a reaction's note is stored in the log but never printed:
        the line listing shows opaque ids only."""
        for r in rendered.values():
            text = pdf_text(r.pdf)
            assert NAME not in text
            assert "気分不良" not in text
            assert "P-" in text  # the pseudonymous patient ids are

    def test_serious_and_anaphylaxis_cases_are_listed(
        self, log: exointake.Log, rendered: dict[str, report.SafetyReport]
    ) -> None:
        """Every serious or anaphylaxis-row reaction after a November administration has a
        row in the line listing, by its reaction id."""
        text = pdf_text(rendered["en"].pdf)
        adm_days = {
            e.root_id: e.record.administered_at.astimezone(JST).date()
            for e in log.entries()
            if e.kind == "administration"
        }
        cases = [
            e for e in log.serious_cases() if adm_days[e.record.administration_id] >= NOVEMBER[0]
        ]
        assert cases
        for case in cases:
            assert case.root_id[:16] + case.root_id[16:] in text


class TestDeterminism:
    @pytest.mark.parametrize("lang", LANGS)
    def test_the_same_log_gives_the_same_bytes(
        self, log: exointake.Log, rendered: dict[str, report.SafetyReport], lang: str
    ) -> None:
        """Rendering again gives the very same PDF."""
        again = report.safety_report(log, month=MONTH, language=lang)
        assert again.pdf == rendered[lang].pdf
        assert again.sha256 == rendered[lang].sha256

    def test_entries_recorded_after_the_lock_change_nothing(self) -> None:
        """A late administration dated in November, an amended lot and a new reaction,
        all recorded after the data lock point, leave November's report byte for byte as
        it was; December's cumulative figures count them."""
        with clinic(n=90) as log:
            before = report.safety_report(log, month=MONTH, language="en")
            first = next(e for e in log.entries() if e.kind == "administration")
            late = log.administer(
                administration(patient_id="P-LATE", administered_at="2026-11-29T10:00:00+09:00"),
                override=BYPASS,
            )
            log.amend(
                first.entry_id,
                attrs.evolve(
                    first.record,
                    product=attrs.evolve(first.record.product, lot="UC-2026-999"),
                ),
                reason="wrong lot typed",
                amended_by="NS-014",
                override=BYPASS,
            )
            log.record_reaction(
                reaction(late, "hypotension", "dyspnea", onset="2026-11-29T10:30:00+09:00")
            )
            after = report.safety_report(log, month=MONTH, language="en")
            assert after.pdf == before.pdf
            clock_of(log).now = dt.datetime(2027, 1, 2, tzinfo=JST)
            december = report.safety_report(log, month="2026-12", language="en")
            assert december.lock_seq == log.head()[0] > before.lock_seq
            assert "0administrationsintheinterval(91cumulative)" in pdf_text(december.pdf)

    def test_the_document_id_follows_language_and_settings(self, log: exointake.Log) -> None:
        """Another language or other signal settings make another document id."""
        ja = report.safety_report(log, month=MONTH, language="ja")
        strict = report.safety_report(
            log, month=MONTH, language="ja", settings=SignalSettings(alpha=0.01)
        )
        en = report.safety_report(log, month=MONTH, language="en")
        assert len({ja.document_sha256, strict.document_sha256, en.document_sha256}) == 3


class TestLooks:
    @needs_poppler
    @pytest.mark.parametrize("lang", LANGS)
    def test_every_page_renders(
        self, rendered: dict[str, report.SafetyReport], lang: str, tmp_path: Path
    ) -> None:
        """pdftoppm draws every page without a complaint (a smoke test of the whole file)."""
        pngs = render_pages(rendered[lang].pdf, tmp_path)
        assert len(pngs) == rendered[lang].page_count >= 4
        assert all(p.stat().st_size > 1000 for p in pngs)

    @pytest.mark.parametrize("lang", LANGS)
    def test_nothing_is_smaller_than_8_point(
        self, rendered: dict[str, report.SafetyReport], lang: str
    ) -> None:
        """Every font size set anywhere (text, tables, charts, footers) is at least 8 pt."""
        sizes = font_sizes(rendered[lang].pdf)
        assert sizes
        assert min(sizes) >= 8.0

    def test_every_wording_text_can_be_shown_by_the_builtin_fonts(self) -> None:
        """The bundled wording uses only characters the built-in Japanese fonts have."""
        wording = load_report_wording()
        bad = {
            (key, ch)
            for key, text in wording.texts.items()
            for value in (text.ja, text.en)
            for ch in value
            if not _cid_covers(ch)
        }
        assert bad == set()

    def test_a_character_the_font_lacks_is_an_error_naming_its_source(self) -> None:
        """A maker's name with an emoji is a RenderError that says it came from the log's
        product.maker, never a blank box."""
        clock = Clock()
        with exointake.open_log("sqlite://", clock=clock) as log:
            adm = administration(administered_at="2026-11-10T10:00:00+09:00")
            product = attrs.evolve(adm.product, maker="Bio \U0001f600 K.K.")
            log.administer(attrs.evolve(adm, product=product), override=BYPASS)
            clock.now = AFTER_LOCK
            with pytest.raises(RenderError, match=r"log: product\.maker.*U\+1F600"):
                report.safety_report(log, month=MONTH)

    def test_an_empty_month_still_makes_a_report(self, tmp_path: Path) -> None:
        """A log with nothing in the month gives a report that says so in every section."""
        with exointake.open_log("sqlite://", clock=Clock(AFTER_LOCK)) as log:
            r = report.safety_report(log, month=MONTH, language="en")
        text = pdf_text(r.pdf)
        assert r.lock_seq == 0
        assert "Noadministrationintheinterval." in text
        assert "Nosuchcaseintheinterval." in text
        assert "Nolotundersurveillance." in text


class TestUntestable:
    def test_a_lot_given_alone_is_not_reported_as_without_signal(self) -> None:
        """Nothing could be tested: the conclusions say so, and point to an expected rate,
        instead of a bare "no lot has a signal"."""
        given = dt.datetime(2026, 11, 10, 10, tzinfo=JST)
        clock = Clock(given + dt.timedelta(hours=2))
        with exointake.open_log("sqlite://", clock=clock) as log:
            adm = attrs.evolve(administration(lot="LOT-SOLO"), administered_at=given)
            (adm_id,) = log.administer_many([adm], override=BYPASS)
            onset = (given + dt.timedelta(minutes=30)).isoformat()
            log.record_reaction(reaction(adm_id, "redness", onset=onset))
            clock.now = AFTER_LOCK
            en = pdf_text(report.safety_report(log, month=MONTH, language="en").pdf)
            ja = pdf_text(report.safety_report(log, month=MONTH, language="ja").pdf)
        assert "Notestcouldberunatthedatalockpoint" in en
        assert "Nosignaldoesnotmean" in en
        assert "Multipletesting" not in en  # no test ran: nothing to multiply
        assert "4tests(1lot(s))couldnotberun" in en
        assert "expectedrateperkindofreaction(expected_per_1000)" in en
        assert "実施できた検定はありません" in ja
        assert "4件の検定（1ロット）は比較相手がなく" in ja


class TestFunnelCounts:
    def test_the_funnel_counts_administrations_with_a_reaction(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Three reactions after one administration: the funnel's binomial limits are for a
        proportion, so the lot counts one administration with a reaction, never 3 of 2."""
        seen: list[Any] = []

        def spy(points: Any, **kwargs: Any) -> Any:
            seen.append((list(points), kwargs["pooled"]))
            return real(points, **kwargs)

        real = sr.funnel_plot
        monkeypatch.setattr(sr, "funnel_plot", spy)
        given = dt.datetime(2026, 11, 10, 10, tzinfo=JST)
        clock = Clock(given + dt.timedelta(hours=2))
        with exointake.open_log("sqlite://", clock=clock) as log:
            adms = [
                attrs.evolve(administration(lot="LOT-F"), administered_at=given),
                attrs.evolve(administration(lot="LOT-F"), administered_at=given),
            ]
            first, _ = log.administer_many(adms, override=BYPASS)
            onset = (given + dt.timedelta(minutes=30)).isoformat()
            for symptom in ("redness", "fever", "rash"):
                log.record_reaction(reaction(first, symptom, onset=onset))
            clock.now = AFTER_LOCK
            report.safety_report(log, month=MONTH, language="en")
        ((points, pooled),) = seen
        assert [(p.label, p.administrations, p.reactions) for p in points] == [("LOT-F", 2, 1)]
        assert pooled == 0.5


class TestArguments:
    @pytest.mark.parametrize(
        ("month", "message"),
        [
            ("2026-13", "month: expected a real month"),
            ("2026/11", "month: expected a month (YYYY-MM), got string"),
            (202611, "month: expected a month (YYYY-MM), got number"),
            (dt.datetime(2026, 11, 1, tzinfo=JST), "month: expected a month (YYYY-MM) or a date"),
            ("2026-12", "month: the data lock point 2027-01-01T00:00:00+09:00 is still to come"),
        ],
    )
    def test_a_bad_or_unfinished_month_is_refused(
        self, log: exointake.Log, month: object, message: str
    ) -> None:
        """The month is ``YYYY-MM`` (or a date in it), and over by the log's clock."""
        with pytest.raises(ValidationError) as info:
            report.safety_report(log, month=month)  # type: ignore[arg-type]
        assert message in str(info.value)

    def test_a_date_names_its_month(self, log: exointake.Log) -> None:
        """Any date of the month gives the month's report."""
        r = report.safety_report(log, month=dt.date(2026, 11, 17), language="en")
        assert r.month == MONTH

    def test_an_unknown_language_is_refused(self, log: exointake.Log) -> None:
        with pytest.raises(ValidationError, match="language: expected one of ja, en, ja\\+en"):
            report.safety_report(log, month=MONTH, language="fr")

    def test_settings_must_be_signal_settings(self, log: exointake.Log) -> None:
        with pytest.raises(ValidationError, match="settings: expected SignalSettings"):
            report.safety_report(log, month=MONTH, settings={"alpha": 0.01})  # type: ignore[arg-type]

    def test_repr_shows_ids_only(self, rendered: dict[str, report.SafetyReport]) -> None:
        assert repr(rendered["ja"]).startswith("SafetyReport(month='2026-11', pages=")


def _brute_force(log: exointake.Log, lock_seq: int) -> tuple[Counter[tuple[str, str, str]], int]:
    """Administrations per (route, lot, in November) and reactions, current at the lock,
    recounted from the entries one by one."""
    current: dict[str, exointake.log.LogEntry] = {}
    for entry in log.entries():
        if entry.seq <= lock_seq:
            current[entry.root_id] = entry
    adms = {r: e for r, e in current.items() if e.kind == "administration"}
    exposure: Counter[tuple[str, str, str]] = Counter()
    for e in adms.values():
        day = e.record.administered_at.astimezone(JST).date()
        if day <= NOVEMBER[1]:
            span = "interval" if day >= NOVEMBER[0] else "before"
            exposure[(e.record.route.value, e.record.product.lot, span)] += 1
    reactions = sum(
        1
        for e in current.values()
        if e.kind == "reaction"
        and e.record.administration_id in adms
        and adms[e.record.administration_id].record.administered_at.astimezone(JST).date()
        <= NOVEMBER[1]
    )
    return exposure, reactions


_OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("administer"),
            st.integers(1, 40),
            st.sampled_from(("A", "B")),
            st.sampled_from(ROUTES),
        ),
        st.tuples(
            st.just("amend"),
            st.integers(0, 50),
            st.sampled_from(("A", "B", "C")),
            st.integers(1, 40),
        ),
        st.tuples(st.just("react"), st.integers(0, 50)),
        st.tuples(
            st.just("lock"),
        ),
    ),
    max_size=25,
)


class TestSnapshot:
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ops=_OPS)
    def test_the_snapshot_is_the_log_recounted_at_the_lock(
        self, ops: list[tuple[object, ...]]
    ) -> None:
        """Whatever is appended or amended before and after the data lock point, the
        snapshot's exposure and reactions equal a recount of the entries up to the lock
        (the kept counts corrected back to the lock agree with the chain itself)."""
        clock = Clock()
        with exointake.open_log("sqlite://", clock=clock) as log:
            adms: list[str] = []
            for op in ops:
                if op[0] == "administer":
                    _, day, lot, route = op
                    at = dt.datetime(2026, 10, 15, 10, tzinfo=JST) + dt.timedelta(days=int(day))  # type: ignore[arg-type]
                    if at > clock.now:
                        continue
                    adms.append(
                        log.administer(
                            administration(
                                administered_at=at.isoformat(), lot=f"L-{lot}", route=route
                            ),
                            override=BYPASS,
                        )
                    )
                elif op[0] == "amend" and adms:
                    _, i, lot, day = op
                    entry = log.get(adms[int(i) % len(adms)]).current  # type: ignore[call-overload]
                    at = dt.datetime(2026, 10, 15, 10, tzinfo=JST) + dt.timedelta(days=int(day))  # type: ignore[arg-type]
                    if at > clock.now:
                        continue
                    record = attrs.evolve(
                        entry.record,
                        administered_at=at,
                        product=attrs.evolve(entry.record.product, lot=f"L-{lot}"),
                    )
                    log.amend(
                        entry.entry_id, record, reason="fix", amended_by="NS-1", override=BYPASS
                    )
                elif op[0] == "react" and adms:
                    adm = log.get(adms[int(op[1]) % len(adms)]).current  # type: ignore[call-overload]
                    log.record_reaction(
                        reaction(adm.root_id, "rash", onset=adm.record.administered_at)
                    )
                elif op[0] == "lock":
                    clock.now = AFTER_LOCK
            clock.now = max(clock.now, AFTER_LOCK)
            snap = snapshot(log, since=NOVEMBER[0], until=NOVEMBER[1], lock_before=LOCK)
            exposure, reactions = _brute_force(log, snap.lock_seq)
            got: Counter[tuple[str, str, str]] = Counter()
            for e in snap.exposure:
                got[(e.route, e.lot, "interval")] += e.interval
                got[(e.route, e.lot, "before")] += e.cumulative - e.interval
            assert +got == +exposure
            assert len(snap.reactions) == reactions
            assert snap.lot_series().strata == tuple(sorted(snap.strata))

    def test_the_series_at_the_head_is_the_logs(self, log: exointake.Log) -> None:
        """With nothing after the lock, the snapshot's series is what ``check_signals``
        reads from the log itself."""
        snap = snapshot(log, since=NOVEMBER[0], until=NOVEMBER[1], lock_before=LOCK)
        assert snap.lot_series() == log.lot_series()


class TestTracedTests:
    def test_a_lots_tests_are_those_of_the_whole_series(self, log: exointake.Log) -> None:
        """Evaluated on the series cut down to a few lots' strata, those lots' tests are
        exactly the whole series' (status, cases, LLR, crossing), now with each look."""
        series = log.lot_series()
        settings = SignalSettings(expected_per_1000={"any": 20.0})
        whole = {(r.lot, r.method, r.outcome): r for r in evaluate(series, settings).rows}
        lots = {HOT_LOT, "UC-2026-000"}
        outcomes = set(settings.outcomes)
        traced = traced_tests(series, settings, lots=lots, outcomes=outcomes)
        assert {k[0] for k in traced} == lots
        assert any(r.status.value == "signal" for r in traced.values())
        for key, row in traced.items():
            assert row.trajectory
            assert attrs.evolve(row, trajectory=()) == whole[key]
            assert row.trajectory[-1].llr == pytest.approx(row.llr)


class TestFunnelLimits:
    @staticmethod
    def exact(n: int, p: float, q: float) -> float:
        """Spiegelhalter's interpolated quantile / n, from exact binomial sums (at least 0:
        at r = 0 the interpolation would reach below zero, which no rate can)."""
        pf = Fraction(p)
        pmf = [math.comb(n, k) * pf**k * (1 - pf) ** (n - k) for k in range(n + 1)]
        cdf = Fraction(0)
        for r, mass in enumerate(pmf):
            if cdf + mass >= Fraction(q):
                alpha = (cdf + mass - Fraction(q)) / mass
                return max(0.0, float((r - alpha) / n))
            cdf += mass
        return 1.0

    @settings(max_examples=60, deadline=None)
    @given(
        n=st.integers(1, 120),
        p=st.floats(0.005, 0.6),
        q=st.sampled_from((0.001, 0.025, 0.5, 0.975, 0.999)),
    )
    def test_limits_are_the_interpolated_binomial_quantiles(
        self, n: int, p: float, q: float
    ) -> None:
        """The limit equals the quantile computed from exact binomial sums (Fractions)."""
        assert binomial_funnel_limit(n, p, q) == pytest.approx(self.exact(n, p, q), abs=1e-9)

    @settings(max_examples=60, deadline=None)
    @given(n=st.integers(1, 5000), p=st.floats(0.001, 0.5))
    def test_limits_are_ordered_around_the_pooled_rate(self, n: int, p: float) -> None:
        """99.8% limits lie outside the 95% limits, which lie around the pooled rate."""
        lo998, lo95, hi95, hi998 = (
            binomial_funnel_limit(n, p, q) for q in (0.001, 0.025, 0.975, 0.999)
        )
        assert 0.0 <= lo998 <= lo95 <= hi95 <= hi998 <= 1.0
        assert lo95 <= p + 1e-12
        assert hi95 >= p - 1.0 / n


class TestCommandLine:
    def test_the_command_writes_the_report(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``exointake report safety`` writes the PDF and prints its hash and the lock."""
        db = tmp_path / "clinic.db"
        clinic(f"sqlite:///{db}", n=60).close()
        out = tmp_path / "report.pdf"
        code = main(
            [
                "report",
                "safety",
                "--db",
                str(db),
                "--month",
                MONTH,
                "--out",
                str(out),
                "--lang",
                "en",
            ]
        )
        printed = capsys.readouterr().out
        assert code == 0
        assert out.read_bytes().startswith(b"%PDF")
        assert printed.startswith(f"{hashlib.sha256(out.read_bytes()).hexdigest()}  {out}\n")
        assert "data lock point 2026-12-01T00:00:00+09:00" in printed

    def test_the_demo_writes_the_months_report(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``exointake demo`` ends with the sample month's safety report, made from the
        demo's log at its data lock point (the head ``log verify`` printed)."""
        assert main(["demo", "--dir", str(tmp_path), "--lang", "en"]) == 0
        out = capsys.readouterr().out
        step = out.split("== 6. Monthly safety report ==")[1]
        assert f"{tmp_path / 'safety-report-2026-11.pdf'}" in step
        head = out.split("verify ok=True, head ")[1].split()[0]
        assert f"head {head}" in step
        text = pdf_text((tmp_path / "safety-report-2026-11.pdf").read_bytes())
        assert "UC-DEMO-001" in text

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--month", "2026-13"], "month: expected a real month"),
            (["--db", "missing.db"], "no database at"),
            (["--out", "clinic.db"], "--out: "),
            (["--out", "no/such/folder/r.pdf"], "its folder does not exist"),
            (["--out", "existing.pdf"], "exists; pass --force to replace it"),
        ],
    )
    def test_bad_input_exits_2(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        args: list[str],
        message: str,
    ) -> None:
        """A bad month, a missing database, the database as output or a missing folder:
        exit 2 with the reason, and the database is left as it was."""
        monkeypatch.chdir(tmp_path)
        clinic("sqlite:///clinic.db", n=30).close()
        (tmp_path / "existing.pdf").write_bytes(b"keep me")
        before = (tmp_path / "clinic.db").read_bytes()
        base = {"--db": "clinic.db", "--month": MONTH, "--out": "r.pdf"}
        base.update(dict(zip(args[::2], args[1::2], strict=True)))
        argv = ["report", "safety", *[x for kv in base.items() for x in kv]]
        assert main(argv) == 2
        assert message in capsys.readouterr().err
        assert (tmp_path / "clinic.db").read_bytes() == before
        assert (tmp_path / "existing.pdf").read_bytes() == b"keep me"
        assert not (tmp_path / "r.pdf").exists()

    def test_force_replaces_an_earlier_report(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An existing output file is replaced with ``--force`` (and only then)."""
        db = tmp_path / "clinic.db"
        clinic(f"sqlite:///{db}", n=30).close()
        out = tmp_path / "report.pdf"
        out.write_bytes(b"an older report")
        argv = ["report", "safety", "--db", str(db), "--month", MONTH, "--out", str(out)]
        assert main(argv) == 2
        assert main([*argv, "--force"]) == 0
        assert out.read_bytes().startswith(b"%PDF")
        capsys.readouterr()


@pytest.mark.postgres
class TestPostgres:
    def test_the_report_on_postgresql(self, pg_url: str) -> None:
        """On PostgreSQL the snapshot recounts the chain and the bytes are deterministic."""
        with pg_schema(pg_url) as url, clinic(url, n=120) as log:
            first = report.safety_report(log, month=MONTH, language="ja+en")
            assert report.safety_report(log, month=MONTH, language="ja+en").pdf == first.pdf
            snap = snapshot(log, since=NOVEMBER[0], until=NOVEMBER[1], lock_before=LOCK)
            exposure, reactions = _brute_force(log, snap.lock_seq)
            assert sum(e.cumulative for e in snap.exposure) == sum(exposure.values())
            assert len(snap.reactions) == reactions
            assert snap.lot_series() == log.lot_series()
            assert HOT_LOT in pdf_text(first.pdf)
