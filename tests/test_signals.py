"""Lot signals, the statistics: critical values against the R package *Sequential*, the
log-likelihood ratios, the alpha-spending boundary for a varying matching ratio, and the
exact rate intervals. (The log-reading half: ``test_signals_log.py``.)"""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from exointake import ValidationError, signals
from exointake import _signals_math as sm

# CV.Poisson (alpha 0.05, continuous, D=0): the two values of the issue, and entries of
# the table of precomputed CVs in Sequential 4.5.1's R/CV.Poisson.R (TableCV.PoissonM),
# which the package returns as is for these arguments.
POISSON_REFERENCE = [
    (1, 1, 2.853937),
    (10, 4, 2.921561),
    (1.5, 2, 2.57638960908667),
    (10, 1, 3.46795158033368),
    (20, 4, 3.17637032177521),
    (100, 4, 3.63650814981748),
    (5, 6, 2.26759506082247),
    (50, 10, 3.11755331874543),
]


class TestPoissonCriticalValues:
    @pytest.mark.parametrize(("expected", "min_events", "cv"), POISSON_REFERENCE)
    def test_reproduces_sequential(self, expected: float, min_events: int, cv: float) -> None:
        """CV.Poisson's values are reproduced to 1e-6 on the LLR scale (the issue asks 1e-4)."""
        result = signals.poisson_cv(expected, min_events=min_events)
        assert result.cv == pytest.approx(cv, abs=1e-6)
        assert result.attained_alpha == pytest.approx(0.05, abs=1e-8)
        assert result.attained_alpha <= 0.05

    def test_no_solution_is_refused_with_the_reason(self) -> None:
        """Four events by an expected one happen with probability 0.019 < alpha: no CV."""
        with pytest.raises(ValidationError, match="min_events: no critical value"):
            signals.poisson_cv(1, min_events=4)

    @pytest.mark.parametrize(
        ("kwargs", "path"),
        [
            ({"expected": 0}, "expected"),
            ({"expected": math.nan}, "expected"),
            ({"expected": 5, "min_events": 0}, "min_events"),
            ({"expected": 5, "alpha": 0.6}, "alpha"),
            ({"expected": 5, "min_events": True}, "min_events"),
        ],
    )
    def test_bad_arguments_name_the_field(self, kwargs: dict[str, float], path: str) -> None:
        """A bad argument is a ValidationError naming it, not a traceback from the math."""
        with pytest.raises(ValidationError, match=f"{path}: expected"):
            signals.poisson_cv(**kwargs)  # type: ignore[arg-type]

    @settings(max_examples=25, deadline=None)
    @given(
        expected=st.floats(min_value=0.5, max_value=30),
        min_events=st.integers(min_value=1, max_value=6),
        alpha=st.sampled_from([0.01, 0.05, 0.1]),
    )
    def test_attained_alpha_never_exceeds_alpha_and_the_cv_is_tight(
        self, expected: float, min_events: int, alpha: float
    ) -> None:
        """For every CV returned, the exact alpha is at most alpha, and a CV 1e-6 lower
        would exceed it (the CV is the root, not merely a safe value)."""
        assume(sm.poisson_sf(min_events, expected) > alpha * 1.0001)
        result = signals.poisson_cv(expected, min_events=min_events, alpha=alpha)
        assert result.attained_alpha <= alpha
        assert sm._poisson_alpha(result.cv, expected, min_events) <= alpha
        assert sm._poisson_alpha(result.cv - 1e-6, expected, min_events) > alpha


class TestBinomialCriticalValues:
    def test_reproduces_sequentials_documented_examples(self) -> None:
        """CV.Binomial's manual: N=25, z=7/2, M=1, groups of 5 -> CV 1.9852 with alpha
        0.04775995; groups 10, 10, 15, 15 of N=50 -> 1.99202. The same search and chain
        run looking only at those events."""
        for n, looks, cv, alpha in [
            (25, {5, 10, 15, 20, 25}, 1.9852, 0.04775995),
            (50, {10, 20, 35, 50}, 1.99202, None),
        ]:
            values = {sm.binomial_llr(c, k, 3.5) for k in range(1, n + 1) for c in range(1, k + 1)}
            omega = sorted(v for v in values if v > 0)
            found = sm._search_cv(
                omega,
                lambda c, stop, n=n, looks=looks: sm._binomial_alpha(
                    c, n, 3.5, 1, stop=stop, looks=frozenset(looks)
                ),
                0.05,
            )
            assert found == pytest.approx(cv, abs=1e-9)
            if alpha is not None:
                attained = sm._binomial_alpha(found, n, 3.5, 1, looks=frozenset(looks))
                assert attained == pytest.approx(alpha, abs=1e-8)

    def test_continuous_design(self) -> None:
        """The continuous test of the manual's first example (N=20, z=1.1, M=3): the CV
        is the next 5-decimal value above an attainable LLR, with alpha at most 0.05."""
        result = signals.binomial_cv(20, z=1.1, min_events=3)
        assert result.cv == 2.96775
        assert 0.045 < result.attained_alpha <= 0.05
        attainable = {sm.binomial_llr(c, n, 1.1) for n in range(1, 21) for c in range(1, n + 1)}
        below = max(v for v in attainable if v < result.cv)
        assert result.cv - below < 1e-5

    def test_no_solution_is_refused(self) -> None:
        """Five events cannot reach alpha 0.05 with z = 1 (all five cases: 1/32 > ...)."""
        with pytest.raises(ValidationError, match="max_events: no critical value"):
            signals.binomial_cv(3, z=1.0, min_events=1)

    @settings(max_examples=25, deadline=None)
    @given(
        n=st.integers(min_value=5, max_value=60),
        z=st.floats(min_value=0.2, max_value=6),
        min_events=st.integers(min_value=1, max_value=5),
        alpha=st.sampled_from([0.01, 0.05, 0.1]),
    )
    def test_attained_alpha_never_exceeds_alpha(
        self, n: int, z: float, min_events: int, alpha: float
    ) -> None:
        """The exact alpha of every CV returned is at most alpha; lowering the CV to the
        attainable LLR just below it would exceed alpha (the test is the largest that fits)."""
        try:
            result = signals.binomial_cv(n, z=z, min_events=min_events, alpha=alpha)
        except ValidationError:
            assume(False)
            raise
        assert result.attained_alpha <= alpha
        assert sm._binomial_alpha(result.cv, n, z, min_events) == result.attained_alpha
        values = {sm.binomial_llr(c, k, z) for k in range(1, n + 1) for c in range(1, k + 1)}
        lower = [v for v in values if 0 < v < result.cv]
        if lower:
            assert sm._binomial_alpha(max(lower), n, z, min_events) > alpha


class TestLogLikelihoodRatios:
    @given(observed=st.integers(0, 200), expected=st.floats(0.01, 300))
    def test_poisson_llr_is_zero_unless_observed_exceeds_expected(
        self, observed: int, expected: float
    ) -> None:
        """No excess, no evidence: the one-sided LLR is 0 when observed <= expected."""
        llr = signals.poisson_llr(observed, expected)
        if observed <= expected:
            assert llr == 0
        else:
            assert llr > 0

    @given(observed=st.integers(0, 200), expected=st.floats(0.01, 300))
    def test_more_cases_never_lower_the_poisson_llr(self, observed: int, expected: float) -> None:
        """One more event never lowers the statistic."""
        assert signals.poisson_llr(observed + 1, expected) >= signals.poisson_llr(
            observed, expected
        )

    @given(events=st.integers(1, 200), data=st.data(), z=st.floats(0.05, 50))
    def test_binomial_llr_zero_and_monotone(
        self, events: int, data: st.DataObject, z: float
    ) -> None:
        """The binomial LLR is 0 while cases <= events / (1 + z), and one more case (in
        place of a control) never lowers it."""
        cases = data.draw(st.integers(0, events))
        llr = signals.binomial_llr(cases, events, z)
        if cases * (1 + z) <= events:
            assert llr == 0
        if cases < events:
            assert signals.binomial_llr(cases + 1, events, z) >= llr

    @given(
        strata=st.lists(
            st.tuples(st.integers(0, 30), st.integers(1, 30), st.floats(0.02, 0.98)),
            min_size=1,
            max_size=6,
        ),
        pick=st.integers(0, 5),
    )
    def test_stratified_llr(self, strata: list[tuple[int, int, float]], pick: int) -> None:
        """The stratified LLR is 0 without an excess of cases, grows when a control of any
        stratum becomes a case, and equals the binomial LLR when the strata share p."""
        rows = [(min(c, n), n, p) for c, n, p in strata]
        llr = sm.stratified_llr(rows)
        cases = sum(c for c, _, _ in rows)
        if cases <= sum(n * p for _, n, p in rows):
            assert llr == 0
        i = pick % len(rows)
        c, n, p = rows[i]
        if c < n:
            more = [*rows[:i], (c + 1, n, p), *rows[i + 1 :]]
            assert sm.stratified_llr(more) >= llr - 1e-9
        p0 = rows[0][2]
        same = [(c, n, p0) for c, n, _ in rows]
        total_c, total_n = sum(c for c, _, _ in same), sum(n for _, n, _ in same)
        flat = sm.binomial_llr(total_c, total_n, (1 - p0) / p0)
        assert sm.stratified_llr(same) == pytest.approx(flat, rel=1e-7, abs=1e-9)


class TestVaryingMatchingRatio:
    @settings(max_examples=40, deadline=None)
    @given(draws=st.lists(st.booleans(), max_size=60), z=st.sampled_from([0.5, 1.0, 3.0]))
    def test_a_constant_ratio_is_the_flat_cv_test(self, draws: list[bool], z: float) -> None:
        """With the null probability fixed at 1 / (1 + z), the alpha-spending boundary
        signals exactly when the flat-CV MaxSPRT does: at the first event where
        LLR >= CV with at least M cases."""
        design = sm.binomial_design(60, z, 4)
        p = 1 / (1 + z)
        run = sm.run_spending([(p, d) for d in draws], design.spending, 4)
        expected_look = None
        for k in range(1, len(draws) + 1):
            cases = sum(draws[:k])
            if cases >= 4 and sm.binomial_llr(cases, k, z) >= design.cv:
                expected_look = k
                break
        assert run.signal_look == expected_look

    @pytest.mark.parametrize("seed", range(4))
    def test_exact_alpha_by_enumeration(self, seed: int) -> None:
        """Over every sequence of 12 cases and controls with varying null probabilities,
        the probability of a signal is exactly the alpha the boundaries spent, and at most
        the design's spending by event 12."""
        rng = random.Random(seed)
        ps = [rng.choice([0.2, 0.3, 0.5, 0.6]) for _ in range(12)]
        design = sm.binomial_design(12, 1.0, 2, 0.1)
        total = 0.0
        for path in itertools.product([False, True], repeat=12):
            prob = math.prod(p if x else 1 - p for p, x in zip(ps, path, strict=True))
            if sm.run_spending(list(zip(ps, path, strict=True)), design.spending, 2).signal_look:
                total += prob
        quiet = sm.run_spending([(p, False) for p in ps], design.spending, 2)
        assert total == pytest.approx(quiet.spent, abs=1e-12)
        assert total <= design.spending[12] * (1 + sm.SPENDING_SLACK)


class TestGroupedLooks:
    """Events observed together (a registry knows only their month) are one look."""

    @settings(max_examples=60, deadline=None)
    @given(
        groups=st.lists(
            st.lists(
                st.tuples(st.sampled_from([0.2, 1 / 3, 0.5]), st.booleans()),
                min_size=1,
                max_size=8,
            ),
            min_size=1,
            max_size=5,
        ),
        seed=st.integers(0, 2**16),
    )
    def test_order_inside_a_look_never_changes_the_result(
        self, groups: list[list[tuple[float, bool]]], seed: int
    ) -> None:
        design = sm.binomial_design(40, 1.0, 4)
        assume(sum(map(len, groups)) <= 40)  # a look cut short by the surveillance length
        shuffled = [random.Random(seed + i).sample(g, len(g)) for i, g in enumerate(groups)]

        def run(gs: list[list[tuple[float, bool]]]) -> sm.SpendingRun:
            events = [e for g in gs for e in g]
            ends = [i == len(g) - 1 for g in gs for i in range(len(g))]
            return sm.run_spending(events, design.spending, 4, ends=ends)

        a, b = run(groups), run(shuffled)
        assert (a.signal_look, a.cases, a.looks) == (b.signal_look, b.cases, b.looks)
        assert a.spent == pytest.approx(b.spent, rel=1e-12, abs=1e-15)

    @settings(max_examples=40, deadline=None)
    @given(draws=st.lists(st.tuples(st.sampled_from([0.25, 0.5]), st.booleans()), max_size=50))
    def test_every_event_closing_a_look_is_the_event_by_event_test(
        self, draws: list[tuple[float, bool]]
    ) -> None:
        design = sm.binomial_design(50, 1.0, 4)
        assert sm.run_spending(draws, design.spending, 4, ends=[True] * len(draws)) == (
            sm.run_spending(draws, design.spending, 4)
        )

    def test_a_signal_falls_only_at_the_end_of_a_look(self) -> None:
        """Eight cases in a row cross event by event at the 6th; grouped as one look of
        eight, the test looks once, after the eighth."""
        design = sm.binomial_design(40, 1.0, 4)
        draws = [(0.2, True)] * 8
        assert sm.run_spending(draws, design.spending, 4).signal_look == 6
        grouped = sm.run_spending(draws, design.spending, 4, ends=[False] * 7 + [True])
        assert grouped.signal_look == 8

    @pytest.mark.parametrize("seed", range(3))
    def test_exact_alpha_by_enumeration_with_grouped_looks(self, seed: int) -> None:
        """Looking only at the ends of groups spends no more alpha than the design."""
        rng = random.Random(seed)
        ps = [rng.choice([0.2, 0.3, 0.5, 0.6]) for _ in range(12)]
        ends = [rng.random() < 0.4 for _ in range(11)] + [True]
        design = sm.binomial_design(12, 1.0, 2, 0.1)
        total = 0.0
        for path in itertools.product([False, True], repeat=12):
            prob = math.prod(p if x else 1 - p for p, x in zip(ps, path, strict=True))
            events = list(zip(ps, path, strict=True))
            if sm.run_spending(events, design.spending, 2, ends=ends).signal_look:
                total += prob
        quiet = sm.run_spending([(p, False) for p in ps], design.spending, 2, ends=ends)
        assert total == pytest.approx(quiet.spent, abs=1e-12)
        assert total <= design.spending[12] * (1 + sm.SPENDING_SLACK)


class TestExactIntervals:
    @pytest.mark.parametrize(
        ("events", "lower", "upper"),
        # Garwood (1936) exact limits for a Poisson count, as tabulated (e.g. the chi-square
        # quantiles / 2): 1 -> 0.0253, 5.5716; 5 -> 1.6235, 11.6683; 10 -> 4.7954, 18.3904.
        [(1, 0.0253, 5.5716), (5, 1.6235, 11.6683), (10, 4.7954, 18.3904)],
    )
    def test_garwood_reference(self, events: int, lower: float, upper: float) -> None:
        """Garwood's interval matches the published limits to 4 decimals."""
        lo, hi = sm.garwood(events)
        assert lo == pytest.approx(lower, abs=1e-4)
        assert hi == pytest.approx(upper, abs=1e-4)

    def test_zero_events_use_the_one_sided_bound(self) -> None:
        """With no events the upper bound is one-sided: -ln(0.05) = 2.996 events, and
        1 - 0.05 ** (1/n) for a proportion (0.2589 for n = 10)."""
        assert sm.garwood(0) == (0.0, pytest.approx(2.995732, abs=1e-6))
        assert sm.clopper_pearson(0, 10) == (0.0, pytest.approx(0.258866, abs=1e-6))
        rate = signals.proportion_rate(0, 10)
        assert rate.one_sided
        assert rate.upper == pytest.approx(258.866, abs=1e-3)

    def test_clopper_pearson_reference(self) -> None:
        """1 of 10: (0.00253, 0.44502), the exact binomial limits."""
        lo, hi = sm.clopper_pearson(1, 10)
        assert lo == pytest.approx(0.0025285, abs=1e-6)
        assert hi == pytest.approx(0.4450161, abs=1e-6)

    @given(x=st.integers(1, 60), n=st.integers(1, 400))
    def test_bounds_solve_their_defining_equations(self, x: int, n: int) -> None:
        """The limits are where the exact tails equal 2.5%: P(X >= x | lower) and
        P(X <= x | upper), for binomial and Poisson alike."""
        assume(x <= n)
        lo, hi = sm.clopper_pearson(x, n)
        assert sm.binomial_sf(x, n, lo) == pytest.approx(0.025, rel=1e-6)
        if x < n:
            assert 1 - sm.binomial_sf(x + 1, n, hi) == pytest.approx(0.025, rel=1e-6)
        lo, hi = sm.garwood(x)
        assert sm.poisson_sf(x, lo) == pytest.approx(0.025, rel=1e-6)
        assert sm.poisson_cdf(x, hi) == pytest.approx(0.025, rel=1e-6)

    @given(x=st.integers(0, 60), n=st.integers(1, 500), k=st.integers(2, 5))
    def test_intervals_contain_the_estimate_and_widen_as_n_shrinks(
        self, x: int, n: int, k: int
    ) -> None:
        """Each interval contains its point estimate, and the same rate seen over k times
        fewer administrations has a wider interval (proportions and counts alike)."""
        assume(x <= n)
        for rate_fn in (signals.proportion_rate, signals.count_rate):
            small = rate_fn(x, n)
            large = rate_fn(k * x, k * n)
            for r in (small, large):
                assert r.lower is not None
                assert r.upper is not None
                assert r.per_1000 is not None
                assert r.lower <= r.per_1000 <= r.upper
            assert small.upper - small.lower > large.upper - large.lower  # type: ignore[operator]

    def test_distribution_functions_agree_with_direct_sums(self) -> None:
        """The incomplete gamma and beta functions give the sums of the probabilities."""
        for mu in (0.3, 4.0, 37.5):
            for k in (0, 1, 3, 40):
                direct = sum(
                    math.exp(-mu + j * math.log(mu) - math.lgamma(j + 1)) for j in range(k + 1)
                )
                assert sm.poisson_cdf(k, mu) == pytest.approx(direct, rel=1e-12, abs=1e-300)
        for n, p in ((10, 0.3), (57, 0.02), (200, 0.6)):
            for k in (1, 3, n // 2, n):
                direct = sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))
                assert sm.binomial_sf(k, n, p) == pytest.approx(direct, rel=1e-10, abs=1e-300)

    def test_no_administrations_no_rate(self) -> None:
        """Without administrations the rate and its bounds are None."""
        rate = signals.count_rate(0, 0)
        assert (rate.per_1000, rate.lower, rate.upper) == (None, None, None)

    def test_more_events_than_administrations_is_no_proportion(self) -> None:
        """A proportion cannot have more events than administrations."""
        with pytest.raises(ValidationError, match="events: expected at most"):
            signals.proportion_rate(3, 2)


class TestSettings:
    def test_defaults(self) -> None:
        """Alpha 0.05, 4 events minimum, all four outcomes, 100 events of surveillance."""
        s = signals.SignalSettings()
        assert (s.alpha, s.min_events, s.max_events) == (0.05, 4, 100)
        assert s.outcomes == tuple(signals.MonitoredOutcome)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"alpha": 0}, "alpha: expected a number above 0"),
            ({"outcomes": ["any", "fever"]}, "outcomes[1]: expected one of"),
            ({"outcomes": []}, "outcomes: expected at least one"),
            ({"expected_per_1000": {"any": -1}}, "expected_per_1000.any: expected a number"),
            (
                {"expected_per_1000": {"serious": 0.1}},
                "expected_per_1000.serious: no critical value",
            ),
            ({"max_events": 3}, "max_events: no critical value"),
        ],
    )
    def test_refused_settings_name_the_field(self, kwargs: dict[str, object], message: str) -> None:
        """Settings without a critical value, or malformed, are refused when made."""
        with pytest.raises(ValidationError) as info:
            signals.SignalSettings(**kwargs)  # type: ignore[arg-type]
        assert message in str(info.value)

    def test_to_dict_is_plain_json(self) -> None:
        """Settings and critical values unstructure to plain JSON values."""
        s = signals.SignalSettings(expected_per_1000={"infection": 2.0}, lot_size=3000)
        assert s.to_dict()["expected_per_1000"] == {"infection": 2.0}
        assert signals.poisson_cv(10).to_dict()["method"] == "poisson"
