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
    """The 49条 cap on the cancellation fee at that point (the caps table's 解約手数料の上限),
    less any same-day fee charged the same day; never a same-day fee."""


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

    ``before_first_session`` and ``after_first_session`` are charged when the
    patient ends the contract (中途解約, 特定商取引法49条1項). ``same_day`` is charged
    when the patient cancels a booked session on its day while the contract
    continues; it is limited to the clinic's average loss (消費者契約法9条1項1号), so
    it is a yen figure or a percentage of one session, never ``legal_maximum``. A
    patient may end the contract on such a day: the two together stay within the
    cap (:meth:`charged_on_ending`).
    """

    before_first_session: Fee = Fee()
    after_first_session: Fee = Fee()
    same_day: Fee = Fee()

    def charged_on_ending(
        self, received: int, *, unit_jpy: int, remaining: Fraction, cap_jpy: int
    ) -> tuple[int, int]:
        """(cancellation fee, same-day fee) charged when the contract is ended on a session
        day after ``received`` sessions; a ``legal_maximum`` fee is what the same-day fee
        leaves of the cap."""
        fee = self.before_first_session if received == 0 else self.after_first_session
        same_day = self.same_day.charged(unit_jpy=unit_jpy, remaining=remaining, cap_jpy=cap_jpy)
        if fee.kind is FeeKind.LEGAL_MAXIMUM:
            return max(0, cap_jpy - same_day), same_day
        return fee.charged(unit_jpy=unit_jpy, remaining=remaining, cap_jpy=cap_jpy), same_day


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

    At each point (after ``k`` sessions received) the cancellation fee that applies
    (before or after the first session) must stay within the cap, and so must that
    fee plus the same-day fee (the contract ended on a session day): whatever the
    patient pays on ending the contract, beyond the value of the sessions received,
    is at most the cap. A percentage of "a session" is taken of the undiscounted
    per-session price (the higher reading). Each fee is named once, at the first
    session where it fails.
    """
    service_jpy = service_amount(sessions, per_session_jpy, discount_jpy)
    problems: dict[str, FeeProblem] = {}
    for row in cap_schedule(sessions, service_jpy, caps):
        name = "before_first_session" if row.received == 0 else "after_first_session"
        cap, session = row.fee_cap_jpy, row.received + 1
        remaining = _remaining(row.received, sessions, service_jpy)
        base, same_day = terms.charged_on_ending(
            row.received, unit_jpy=per_session_jpy, remaining=remaining, cap_jpy=cap
        )
        if base > cap:
            problems.setdefault(name, FeeProblem(name, session, base, cap))
        elif base + same_day > cap:
            problems.setdefault("same_day", FeeProblem("same_day", session, base + same_day, cap))
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
