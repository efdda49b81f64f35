"""Plan money: totals reconcile, and cancellation terms never exceed the 49条 caps once accepted."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exointake._money import (
    Caps,
    Fee,
    FeeKind,
    Terms,
    cap_schedule,
    check_terms,
    reconcile_total,
    service_amount,
    value_received,
)

# ---------------------------------------------------------------- an independent oracle
# The statute's formula written out again with exact fractions, so the tests do not
# re-use the module's own arithmetic: before the first session at most 20,000 JPY;
# after it, the lower of 50,000 JPY or 20% of (contract amount - value received).


def oracle_fee_cap(k: int, sessions: int, service: int) -> Fraction:
    if k == 0:
        return Fraction(20_000)
    received = Fraction(service * k, sessions)
    return min(Fraction(50_000), (service - received) * Fraction(20, 100))


def oracle_charged(fee: Fee, *, unit: int, remaining: Fraction, cap: Fraction) -> Fraction:
    if fee.kind is FeeKind.FIXED:
        return Fraction(fee.jpy)
    if fee.kind is FeeKind.PERCENT_OF_SESSION:
        return Fraction(unit * fee.percent, 100)
    if fee.kind is FeeKind.PERCENT_OF_REMAINING:
        return remaining * Fraction(fee.percent, 100)
    if fee.kind is FeeKind.LEGAL_MAXIMUM:
        return cap
    return Fraction(0)


def oracle_worst(
    terms: Terms, k: int, sessions: int, price: int, discount: int, *, whole_yen: bool = False
) -> Fraction:
    """The most the terms can charge (fees only) when cancelling after k sessions.

    ``whole_yen``: each fee rounded up to whole yen, as a clinic would bill it.
    """
    up = math.ceil if whole_yen else (lambda x: x)
    service = sessions * price - discount
    cap = oracle_fee_cap(k, sessions, service)
    remaining = service - Fraction(service * k, sessions)
    fee = terms.before_first_session if k == 0 else terms.after_first_session
    same_day = Fraction(
        up(oracle_charged(terms.same_day, unit=price, remaining=remaining, cap=cap))
    )
    if fee.kind is FeeKind.LEGAL_MAXIMUM:
        # the legal maximum is what the same-day fee leaves of the cap
        return max(cap, same_day)
    base = Fraction(up(oracle_charged(fee, unit=price, remaining=remaining, cap=cap)))
    return base + same_day


# ---------------------------------------------------------------- strategies

fees = st.one_of(
    st.just(Fee()),
    st.builds(Fee, st.just(FeeKind.FIXED), st.integers(0, 120_000)),
    st.builds(Fee, st.just(FeeKind.PERCENT_OF_SESSION), st.just(0), st.integers(0, 100)),
    st.builds(Fee, st.just(FeeKind.PERCENT_OF_REMAINING), st.just(0), st.integers(0, 100)),
    st.just(Fee(FeeKind.LEGAL_MAXIMUM)),
)
terms_st = st.builds(Terms, fees, fees, fees)


@st.composite
def plans(draw: st.DrawFn) -> tuple[int, int, int]:
    """(sessions, per-session price, discount), prices as the article quotes them."""
    sessions = draw(st.integers(1, 12))
    price = draw(st.integers(1, 300_000))
    discount = draw(st.integers(0, sessions * price))
    return sessions, price, discount


class TestCaps:
    def test_example_plan(self) -> None:
        """4 x 88,000 JPY: 20,000 before; then 50,000, 35,200, 17,600 (20% of the remainder)."""
        rows = cap_schedule(4, 352_000)
        assert [r.fee_cap_jpy for r in rows] == [20_000, 50_000, 35_200, 17_600]
        assert [r.value_jpy for r in rows] == [0, 88_000, 176_000, 264_000]
        assert [r.max_claim_jpy for r in rows] == [20_000, 138_000, 211_200, 281_600]

    def test_discount_prices_sessions_at_the_contract_unit_price(self) -> None:
        """With a 32,000 JPY course discount a session is worth 80,000, not the list 88,000."""
        rows = cap_schedule(4, service_amount(4, 88_000, 32_000))
        assert [r.value_jpy for r in rows] == [0, 80_000, 160_000, 240_000]
        assert [r.fee_cap_jpy for r in rows] == [20_000, 48_000, 32_000, 16_000]

    def test_caps_are_data(self) -> None:
        """Other figures (a future amendment) change the caps without code changes."""
        rows = cap_schedule(2, 200_000, Caps(10_000, 30_000, 10))
        assert [r.fee_cap_jpy for r in rows] == [10_000, 10_000]

    @given(plans())
    def test_schedule_matches_the_statute(self, plan: tuple[int, int, int]) -> None:
        """Every row's cap is the statute's figure rounded down, never above it."""
        sessions, price, discount = plan
        service = service_amount(sessions, price, discount)
        rows = cap_schedule(sessions, service)
        assert [r.received for r in rows] == list(range(sessions))
        for row in rows:
            exact = oracle_fee_cap(row.received, sessions, service)
            assert row.fee_cap_jpy == math.floor(exact)
            assert row.value_jpy <= Fraction(service * row.received, sessions)
            assert row.max_claim_jpy == row.value_jpy + row.fee_cap_jpy
        assert value_received(sessions, sessions, service) == service

    @given(plans())
    def test_value_received_never_falls(self, plan: tuple[int, int, int]) -> None:
        """More sessions received are never worth less."""
        sessions, price, discount = plan
        service = service_amount(sessions, price, discount)
        values = [value_received(k, sessions, service) for k in range(sessions + 1)]
        assert values == sorted(values)


EXAMPLE_TERMS = [
    # (terms, problems as (field, session)) for 4 sessions x 88,000 JPY
    (Terms(same_day=Fee(FeeKind.PERCENT_OF_SESSION, percent=50)), [("same_day", 1)]),
    (Terms(before_first_session=Fee(FeeKind.FIXED, 20_000)), []),
    (Terms(before_first_session=Fee(FeeKind.FIXED, 20_001)), [("before_first_session", 1)]),
    (Terms(after_first_session=Fee(FeeKind.FIXED, 30_000)), [("after_first_session", 4)]),
    (Terms(after_first_session=Fee(FeeKind.FIXED, 17_600)), []),
    (
        Terms(after_first_session=Fee(FeeKind.PERCENT_OF_REMAINING, percent=20)),
        [("after_first_session", 2)],
    ),
    (
        # the legal maximum is the cap less the same-day fee: together never above the cap
        Terms(after_first_session=Fee(FeeKind.LEGAL_MAXIMUM), same_day=Fee(FeeKind.FIXED, 1)),
        [],
    ),
    (
        # 30,000 > the 20,000 cap before session 1 (and 26,400 + 30,000 > 50,000 after it)
        Terms(
            after_first_session=Fee(FeeKind.PERCENT_OF_REMAINING, percent=10),
            same_day=Fee(FeeKind.FIXED, 30_000),
        ),
        [("same_day", 1)],
    ),
    (
        Terms(before_first_session=Fee(FeeKind.LEGAL_MAXIMUM), same_day=Fee(FeeKind.FIXED, 20_001)),
        [("same_day", 1)],
    ),
    (
        Terms(Fee(FeeKind.LEGAL_MAXIMUM), Fee(FeeKind.LEGAL_MAXIMUM), Fee(FeeKind.LEGAL_MAXIMUM)),
        [],
    ),
    (
        Terms(
            after_first_session=Fee(FeeKind.PERCENT_OF_REMAINING, percent=10),
            same_day=Fee(FeeKind.FIXED, 5_000),
        ),
        [],
    ),
    (
        Terms(
            before_first_session=Fee(FeeKind.FIXED, 30_000),
            after_first_session=Fee(FeeKind.FIXED, 60_000),
        ),
        [("before_first_session", 1), ("after_first_session", 2)],
    ),
]


class TestCheckTerms:
    @pytest.mark.parametrize(("terms", "expected"), EXAMPLE_TERMS)
    def test_examples(self, terms: Terms, expected: list[tuple[str, int]]) -> None:
        """Each fee is named once, at the first session where it exceeds the cap."""
        found = [(p.field, p.session) for p in check_terms(terms, 4, 88_000)]
        assert found == expected

    def test_problem_carries_amounts(self) -> None:
        """The problem states what would be charged and the cap it exceeds."""
        (problem,) = check_terms(
            Terms(same_day=Fee(FeeKind.PERCENT_OF_SESSION, percent=50)), 4, 88_000
        )
        assert (problem.charged_jpy, problem.cap_jpy) == (44_000, 20_000)

    @given(terms_st, plans())
    def test_accepted_terms_never_exceed_a_cap(
        self, terms: Terms, plan: tuple[int, int, int]
    ) -> None:
        """Terms the check accepts stay within the statute's cap at every session."""
        sessions, price, discount = plan
        if check_terms(terms, sessions, price, discount):
            return
        for k in range(sessions):
            worst = oracle_worst(terms, k, sessions, price, discount)
            assert worst <= oracle_fee_cap(k, sessions, sessions * price - discount)

    @given(terms_st, plans())
    def test_refused_terms_do_exceed_a_rounded_cap(
        self, terms: Terms, plan: tuple[int, int, int]
    ) -> None:
        """A refusal is never spurious: at the session named, the charge tops the cap."""
        sessions, price, discount = plan
        service = sessions * price - discount
        for problem in check_terms(terms, sessions, price, discount):
            k = problem.session - 1
            cap = math.floor(oracle_fee_cap(k, sessions, service))
            assert problem.cap_jpy == cap
            assert problem.charged_jpy > cap
            billed = oracle_worst(terms, k, sessions, price, discount, whole_yen=True)
            assert billed >= problem.charged_jpy > cap


class TestTotals:
    @given(plans(), st.lists(st.integers(0, 100_000), max_size=4))
    def test_parts_reconcile(self, plan: tuple[int, int, int], goods: list[int]) -> None:
        """A total equal to sessions x price - discount + related goods reconciles to 0."""
        sessions, price, discount = plan
        total = sessions * price - discount + sum(goods)
        gap = reconcile_total(
            sessions=sessions,
            per_session_jpy=price,
            discount_jpy=discount,
            related_goods_jpy=goods,
            total_jpy=total,
        )
        assert gap == 0

    @given(plans(), st.integers(-(10**7), 10**7).filter(bool))
    def test_any_other_total_is_named_with_its_gap(
        self, plan: tuple[int, int, int], gap: int
    ) -> None:
        """Any other total is off by exactly the difference, never silently accepted."""
        sessions, price, discount = plan
        total = sessions * price - discount + gap
        found = reconcile_total(
            sessions=sessions, per_session_jpy=price, discount_jpy=discount, total_jpy=total
        )
        assert found == gap

    def test_issue_example(self) -> None:
        """total_jpy 1 for 4 x 88,000 JPY is 351,999 JPY short."""
        assert reconcile_total(sessions=4, per_session_jpy=88_000, total_jpy=1) == -351_999
