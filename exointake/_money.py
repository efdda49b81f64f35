"""The money of a treatment plan: reconciled totals and the 特定商取引法49条 caps.

Pure arithmetic on whole yen (tax-inclusive, as shown to the patient); no I/O,
no text, nothing of ours imported. The consent policy (``_consent``) turns the
problems found here into :class:`~exointake.ValidationError` messages.

Totals (MHLW informed-consent notice for cosmetic free-pay care: the cost, the
number and scope of sessions, explained before the procedure)::

    total = sessions x per-session price - discount + related goods

Cancellation after the cooling-off period (中途解約, 特定商取引法49条; the
amounts for 美容医療 are in the 施行令's table of specified continuous services)
may cost the patient at most:

* before the first session: ¥20,000;
* after it: the value of the sessions received + the lower of ¥50,000 or 20% of
  the remaining contract amount (契約残額).

The value of the sessions received is priced at the contract's own per-session
price (最判平成19年4月3日, NOVA: a settlement at any higher unit price is void);
with a course discount that is the discounted price, ``service amount x k / n``
rounded down. Caps are rounded down and fees the clinic would charge are rounded
up, so a borderline case is refused rather than accepted. The ¥ amounts of the
caps are data (the contract template), passed in as :class:`Caps`.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from fractions import Fraction

from attrs import frozen

__all__ = [
    "CapRow",
    "Caps",
    "Fee",
    "FeeKind",
    "FeeProblem",
    "Terms",
    "cap_schedule",
    "check_terms",
    "reconcile_total",
    "service_amount",
    "value_received",
]


class FeeKind(enum.StrEnum):
    """How a cancellation fee is stated in a clinic's terms."""

    NONE = "none"
    """No fee."""
    FIXED = "fixed"
    """A fixed amount in yen (``jpy``)."""
    PERCENT_OF_SESSION = "percent_of_session"
    """``percent`` of the contract's per-session price."""
    PERCENT_OF_REMAINING = "percent_of_remaining"
    """``percent`` of the remaining contract amount (契約残額)."""
    LEGAL_MAXIMUM = "legal_maximum"
    """Whatever the law allows at that point, never more (the 49条 cap itself)."""


@frozen
class Fee:
    """One cancellation fee of a clinic's terms."""

    kind: FeeKind = FeeKind.NONE
    jpy: int = 0
    percent: int = 0

    def charged(self, *, unit_jpy: int, remaining: Fraction, cap_jpy: int) -> int:
        """The fee the clinic would charge, rounded up (whole yen)."""
        if self.kind is FeeKind.FIXED:
            return self.jpy
        if self.kind is FeeKind.PERCENT_OF_SESSION:
            return math.ceil(Fraction(unit_jpy * self.percent, 100))
        if self.kind is FeeKind.PERCENT_OF_REMAINING:
            return math.ceil(remaining * Fraction(self.percent, 100))
        if self.kind is FeeKind.LEGAL_MAXIMUM:
            return cap_jpy
        return 0


@frozen
class Terms:
    """Structured cancellation terms (what the documents print and the caps check).

    ``same_day`` is charged when the patient cancels on the day of a session;
    a patient may end the contract on such a day, so it counts on top of the
    cancellation fee when the caps are checked.
    """

    before_first_session: Fee = Fee()
    after_first_session: Fee = Fee()
    same_day: Fee = Fee()


@frozen
class Caps:
    """The 49条 caps for 美容医療 (data: the contract template carries the figures)."""

    before_start_jpy: int = 20_000
    after_start_max_jpy: int = 50_000
    after_start_percent: int = 20


@frozen
class CapRow:
    """What cancelling costs at most after ``received`` sessions (0: before the first).

    ``max_claim_jpy`` = ``value_jpy`` + ``fee_cap_jpy``: the most the clinic may
    ask for in all (statutory late-payment interest aside).
    """

    received: int
    value_jpy: int
    remaining_jpy: int
    fee_cap_jpy: int
    max_claim_jpy: int


@frozen
class FeeProblem:
    """A fee of the terms that exceeds the cap at some point of the plan."""

    field: str
    """``before_first_session``, ``after_first_session`` or ``same_day``."""
    session: int
    """The session (1-based) on or before whose day cancelling exceeds the cap."""
    charged_jpy: int
    cap_jpy: int


def service_amount(sessions: int, per_session_jpy: int, discount_jpy: int = 0) -> int:
    """The contract amount for the service itself: sessions x price - discount."""
    return sessions * per_session_jpy - discount_jpy


def value_received(received: int, sessions: int, service_jpy: int) -> int:
    """The value of ``received`` sessions at the contract's own unit price (rounded down)."""
    return service_jpy * received // sessions


def _remaining(received: int, sessions: int, service_jpy: int) -> Fraction:
    """The remaining contract amount, exact (the caps round only once, at the end)."""
    return Fraction(service_jpy * (sessions - received), sessions)


def _fee_cap(received: int, remaining: Fraction, caps: Caps) -> int:
    if received == 0:
        return caps.before_start_jpy
    twenty = remaining * Fraction(caps.after_start_percent, 100)
    return min(caps.after_start_max_jpy, math.floor(twenty))


def cap_schedule(sessions: int, service_jpy: int, caps: Caps = Caps()) -> tuple[CapRow, ...]:
    """The 49条 caps at every point a patient can cancel: after 0 .. sessions-1 sessions."""
    rows = []
    for k in range(sessions):
        value = value_received(k, sessions, service_jpy)
        cap = _fee_cap(k, _remaining(k, sessions, service_jpy), caps)
        rows.append(CapRow(k, value, service_jpy - value, cap, value + cap))
    return tuple(rows)


def check_terms(
    terms: Terms,
    sessions: int,
    per_session_jpy: int,
    discount_jpy: int = 0,
    caps: Caps = Caps(),
) -> tuple[FeeProblem, ...]:
    """Every fee of ``terms`` that can exceed a cap, at the first session where it does.

    At each point (after ``k`` sessions received) the fee that applies (before or
    after the first session) plus the same-day fee must stay within the cap; a
    percentage of "a session" is taken of the undiscounted per-session price (the
    higher reading). A same-day fee of ``legal_maximum`` tops up to the cap and so
    never exceeds it. Each fee is named once, at the first session where it fails.
    """
    service_jpy = service_amount(sessions, per_session_jpy, discount_jpy)
    problems: dict[str, FeeProblem] = {}
    for row in cap_schedule(sessions, service_jpy, caps):
        name = "before_first_session" if row.received == 0 else "after_first_session"
        fee = terms.before_first_session if row.received == 0 else terms.after_first_session
        unit, cap = per_session_jpy, row.fee_cap_jpy
        remaining = _remaining(row.received, sessions, service_jpy)
        base = fee.charged(unit_jpy=unit, remaining=remaining, cap_jpy=cap)
        session = row.received + 1
        if base > cap:
            problems.setdefault(name, FeeProblem(name, session, base, cap))
            continue
        if terms.same_day.kind is FeeKind.LEGAL_MAXIMUM:
            continue
        total = base + terms.same_day.charged(unit_jpy=unit, remaining=remaining, cap_jpy=cap)
        if total > cap:
            problems.setdefault("same_day", FeeProblem("same_day", session, total, cap))
    return tuple(sorted(problems.values(), key=lambda p: (p.session, p.field)))


def reconcile_total(
    *,
    sessions: int,
    per_session_jpy: int,
    related_goods_jpy: Sequence[int] = (),
    discount_jpy: int = 0,
    total_jpy: int,
) -> int:
    """``total_jpy`` minus what the parts add up to (0 when the total reconciles)."""
    expected = service_amount(sessions, per_session_jpy, discount_jpy) + sum(related_goods_jpy)
    return total_jpy - expected
