"""Lot signals: sequential tests of each lot's reactions, exact rates, alerts.

Two tests per lot and monitored outcome, each a maximized sequential probability ratio
test (MaxSPRT; Kulldorff et al., Sequential Analysis 30:58–78, 2011) as the R package
*Sequential* computes it (see :mod:`exointake._signals_math` for the algorithms):

* **binomial** — the lot against the other lots, no baseline needed. Reactions are
  compared within strata of the administration's JST day and route: a reaction from a
  stratum where lot L and other lots were both given is a *case* when it followed lot L,
  with null probability ``n_L / (n_L + n_other)`` of that stratum. The matching ratio
  ``z = n_other / n_L`` so changes as administrations accrue; the boundary in cases is
  recomputed at every reaction with *Sequential*'s alpha spending (``Analyze.Binomial``,
  Wald type, planned at ``design_z``), exactly. Strata make the conditional test exact
  (within a day and route, which lot a reaction followed is a draw of
  ``n_L / (n_L + n_other)`` when lots do not differ), counted as the stratum stood when
  the reaction was logged (the administrations logged before it) and keep route and season from
  posing as a lot effect; a lot never given on a day and route beside another lot has no
  comparison, and this test says so (``untestable``).
* **poisson** — the lot against an expected rate, where one is configured
  (:attr:`SignalSettings.expected_per_1000`): the continuous Poisson MaxSPRT
  (``CV.Poisson``) with the lot's expected count ``rate * administrations / 1000``
  growing with each administration, up to ``rate * lot_size / 1000``.

Each test counts administrations followed by at least one reaction of its outcome (the
first such reaction is the one examined), not reaction records. Reactions are examined in
the order they were logged, each with the counts as they stood
when it was logged, so appending entries never rewrites a look: a signal, once crossed,
stands, with the JST day and the entry of the reaction at which it was crossed. Only a
correction (an amended administration or reaction) can change a past look. Everything is
recomputed from the log on each call (the same log gives the same report), reading a few
thousand count rows and one row per reaction.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import functools
import itertools
import math
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from attrs import field, frozen

from . import _signals_math as sm
from ._common import JST
from ._convert import unstructure
from ._errors import ValidationError

if TYPE_CHECKING:
    from ._log._core import Log
    from ._log._queries import LotSeries, ReactionEvent

__all__ = [
    "CriticalValue",
    "LotStatus",
    "Method",
    "MonitoredOutcome",
    "Rate",
    "SignalReport",
    "SignalSettings",
    "SignalStatus",
    "TrajectoryPoint",
    "binomial_cv",
    "binomial_llr",
    "check_signals",
    "count_rate",
    "evaluate",
    "poisson_cv",
    "poisson_llr",
    "proportion_rate",
]


class MonitoredOutcome(enum.StrEnum):
    """Which reactions a test counts (each outcome is tested on its own)."""

    ANY = "any"
    """Every logged reaction."""
    ALLERGY_OR_WORSE = "allergy_or_worse"
    """Reactions in the article's ``allergy`` or ``anaphylaxis`` row."""
    SERIOUS = "serious"
    """Reactions meeting an ICH E2A seriousness criterion."""
    INFECTION = "infection"
    """Reactions graded as infections (fever, site infection, sepsis): the way a
    contaminated lot shows."""


class Method(enum.StrEnum):
    """Which sequential test."""

    BINOMIAL = "binomial"
    """Conditional (binomial) MaxSPRT: the lot against the other lots."""
    POISSON = "poisson"
    """Poisson MaxSPRT: the lot against a configured expected rate."""


class SignalStatus(enum.StrEnum):
    """Where a lot's test stands."""

    NO_SIGNAL = "no_signal"
    """Under surveillance, below its critical value."""
    SIGNAL = "signal"
    """The critical value was reached (see ``crossed_on`` and ``crossed_entry``)."""
    ENDED = "ended"
    """The surveillance length was reached without a signal."""
    UNTESTABLE = "untestable"
    """No test is possible (see ``reason``): no comparison, or no expected rate."""


DEFAULT_OUTCOMES: Final = tuple(MonitoredOutcome)
DEFAULT_MIN_EVENTS: Final = 4
"""Kulldorff & Silva (2015, arXiv:1503.01978; REVSTAT 15:373–394, 2017) recommend
requiring at least 4 events before a Poisson MaxSPRT may signal: at the same alpha the
power rises and the expected time to signal falls (the critical value drops)."""


def _err(path: str, message: str) -> ValidationError:
    return ValidationError([f"{path}: {message}"], what="signal settings")


def _whole(value: object, path: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _err(path, f"expected a whole number, {minimum} or more, got {value!r}")
    return value


def _number(value: object, path: str, *, low: float, high: float, low_open: bool = True) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        v = float(value)  # type: ignore[arg-type]
        ok = (v > low if low_open else v >= low) and v <= high
    if not ok:
        bound = "above" if low_open else "at least"
        raise _err(path, f"expected a number {bound} {low:g} and at most {high:g}, got {value!r}")
    return float(value)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- values


@frozen
class CriticalValue:
    """A MaxSPRT critical value (log-likelihood-ratio scale) and the alpha it attains.

    A test signals when its log-likelihood ratio is **greater than or equal to** ``cv``
    (and at least ``min_events`` cases were seen). Compare ``attained_alpha`` with
    *Sequential*'s output rather than the last digits of ``cv``: discrete tests do not
    reach alpha exactly, so several CVs give the same test.
    """

    method: Method
    cv: float
    attained_alpha: float
    """The exact type I error of the test over the whole surveillance (at most ``alpha``)."""
    alpha: float
    min_events: int
    surveillance: float
    """Poisson: the expected number of events at the end (``SampleSize``); binomial: the
    maximum number of events, cases and controls (``N``)."""
    z: float | None = None
    """Binomial: the matching ratio (a case has null probability ``1 / (1 + z)``)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the unstructured form)."""
        return unstructure(self)  # type: ignore[no-any-return]


def _cv_args(min_events: object, alpha: object) -> tuple[int, float]:
    m = _whole(min_events, "min_events", 1)
    a = _number(alpha, "alpha", low=0.0, high=0.5)
    return m, a


def poisson_cv(
    expected: float, *, min_events: int = DEFAULT_MIN_EVENTS, alpha: float = 0.05
) -> CriticalValue:
    """The critical value of the continuous Poisson MaxSPRT, computed exactly.

    The same test as *Sequential*'s ``CV.Poisson(SampleSize=expected, D=0,
    M=min_events, alpha=alpha)``: e.g. ``poisson_cv(10, min_events=4).cv`` is 2.921561.
    Cached.

    Args:
        expected: the surveillance length, in events expected under the null by its end.
        min_events: the fewest events that may signal (default 4, Kulldorff & Silva).
        alpha: the type I error to spend (above 0, at most 0.5).

    Raises:
        ValidationError: a bad argument, or no critical value exists (the chance of
            ``min_events`` events by the end is already below alpha).

    >>> from exointake.signals import poisson_cv
    >>> round(poisson_cv(1, min_events=1).cv, 6)
    2.853937
    """
    m, a = _cv_args(min_events, alpha)
    t = _number(expected, "expected", low=0.0, high=1000.0)
    try:
        res = sm.poisson_cv(t, m, a)
    except ValueError as exc:
        raise _err("min_events", str(exc)) from None
    return CriticalValue(
        method=Method.POISSON,
        cv=res.cv,
        attained_alpha=res.attained_alpha,
        alpha=a,
        min_events=m,
        surveillance=t,
    )


def binomial_cv(
    max_events: int, *, z: float, min_events: int = DEFAULT_MIN_EVENTS, alpha: float = 0.05
) -> CriticalValue:
    """The critical value of the continuous binomial MaxSPRT, computed exactly.

    *Sequential*'s ``CV.Binomial(N=max_events, z=z, M=min_events, alpha=alpha)``: the
    test counts cases among events, a case having null probability ``1 / (1 + z)``. The
    LLR takes finitely many values, so the CV is *Sequential*'s (the largest attainable
    LLR whose test exceeds alpha, rounded up to 5 decimals) and ``attained_alpha`` is the
    exact type I error of ``LLR >= cv``, at most alpha. Cached.

    Raises:
        ValidationError: a bad argument, or no critical value fits these settings.

    >>> from exointake.signals import binomial_cv
    >>> binomial_cv(20, z=1.1, min_events=3).attained_alpha <= 0.05
    True
    """
    m, a = _cv_args(min_events, alpha)
    n = _whole(max_events, "max_events", 1)
    if n > 2000:
        raise _err("max_events", f"expected at most 2000 events, got {n}")
    zz = _number(z, "z", low=0.0, high=1e6)
    try:
        res = sm.binomial_cv(n, zz, m, a)
    except ValueError as exc:
        raise _err("max_events", str(exc)) from None
    return CriticalValue(
        method=Method.BINOMIAL,
        cv=res.cv,
        attained_alpha=res.attained_alpha,
        alpha=a,
        min_events=m,
        surveillance=float(n),
        z=zz,
    )


def poisson_llr(observed: int, expected: float) -> float:
    """The Poisson MaxSPRT log-likelihood ratio of ``observed`` events where ``expected``
    were expected: ``(u - c) + c log(c / u)`` when ``c > u``, else 0.

    >>> from exointake.signals import poisson_llr
    >>> poisson_llr(3, 3.0)
    0.0
    """
    return sm.poisson_llr(observed, expected)


def binomial_llr(cases: int, events: int, z: float) -> float:
    """The binomial MaxSPRT log-likelihood ratio of ``cases`` among ``events`` with
    matching ratio ``z`` (0 unless the cases exceed ``events / (1 + z)``).

    >>> from exointake.signals import binomial_llr
    >>> binomial_llr(1, 2, 1.0)
    0.0
    """
    return sm.binomial_llr(cases, events, z)


@frozen
class Rate:
    """Events per 1,000 administrations with an exact interval.

    ``method`` is ``clopper_pearson`` (a proportion: at most one event per
    administration) or ``garwood`` (a Poisson count). With no events the lower bound is
    0 and ``upper`` is the **one-sided** exact bound at ``confidence`` (``one_sided``):
    a zero count has no lower tail to split alpha with. ``None`` without
    administrations.
    """

    events: int
    administrations: int
    per_1000: float | None
    lower: float | None
    upper: float | None
    method: str
    confidence: float
    one_sided: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the unstructured form)."""
        return unstructure(self)  # type: ignore[no-any-return]


def _rate_args(
    events: object, administrations: object, confidence: object
) -> tuple[int, int, float]:
    e = _whole(events, "events", 0)
    n = _whole(administrations, "administrations", 0)
    c = _number(confidence, "confidence", low=0.0, high=0.9999)
    return e, n, c


def proportion_rate(events: int, administrations: int, *, confidence: float = 0.95) -> Rate:
    """Per-1,000 rate of a proportion with its exact Clopper–Pearson interval.

    >>> from exointake.signals import proportion_rate
    >>> r = proportion_rate(0, 1000)
    >>> (r.lower, round(r.upper, 3), r.one_sided)
    (0.0, 2.991, True)
    """
    e, n, c = _rate_args(events, administrations, confidence)
    if e > n:
        raise _err("events", f"expected at most the {n} administrations, got {e}")
    if n == 0:
        return Rate(e, n, None, None, None, "clopper_pearson", c, e == 0)
    lo, hi = sm.clopper_pearson(e, n, c)
    return Rate(e, n, 1000 * e / n, 1000 * lo, 1000 * hi, "clopper_pearson", c, e == 0)


def count_rate(events: int, administrations: int, *, confidence: float = 0.95) -> Rate:
    """Per-1,000 rate of a Poisson count with its exact Garwood interval.

    >>> from exointake.signals import count_rate
    >>> r = count_rate(0, 1000)
    >>> (r.lower, round(r.upper, 3), r.one_sided)
    (0.0, 2.996, True)
    """
    e, n, c = _rate_args(events, administrations, confidence)
    if n == 0:
        return Rate(e, n, None, None, None, "garwood", c, e == 0)
    lo, hi = sm.garwood(e, c)
    return Rate(e, n, 1000 * e / n, 1000 * lo / n, 1000 * hi / n, "garwood", c, e == 0)


# ---------------------------------------------------------------------------- settings


def _alpha(value: object) -> float:
    return _number(value, "alpha", low=0.0, high=0.5)


def _min_events(value: object) -> int:
    return _whole(value, "min_events", 1)


def _max_events(value: object) -> int:
    n = _whole(value, "max_events", 1)
    if n > 2000:
        raise _err("max_events", f"expected at most 2000 events, got {n}")
    return n


def _design_z(value: object) -> float:
    return _number(value, "design_z", low=0.0, high=1e6)


def _lot_size(value: object) -> int:
    return _whole(value, "lot_size", 1)


def _confidence(value: object) -> float:
    return _number(value, "confidence", low=0.0, high=0.9999)


def _outcomes(value: object) -> tuple[MonitoredOutcome, ...]:
    if isinstance(value, str | MonitoredOutcome) or not isinstance(value, Iterable):
        raise _err("outcomes", "expected a list of outcomes")
    out = []
    for i, v in enumerate(value):
        try:
            out.append(MonitoredOutcome(v))
        except ValueError:
            names = ", ".join(o.value for o in MonitoredOutcome)
            raise _err(f"outcomes[{i}]", f"expected one of {names}, got {v!r}") from None
    if not out:
        raise _err("outcomes", "expected at least one outcome")
    return tuple(dict.fromkeys(out))


def _rates(value: object) -> Mapping[MonitoredOutcome, float]:
    if not isinstance(value, Mapping):
        raise _err("expected_per_1000", "expected a mapping of outcome to rate per 1,000")
    out: dict[MonitoredOutcome, float] = {}
    for k, v in value.items():
        try:
            key = MonitoredOutcome(k)
        except ValueError:
            raise _err("expected_per_1000", f"unknown outcome {k!r}") from None
        out[key] = _number(v, f"expected_per_1000.{key.value}", low=0.0, high=1000.0)
    return dict(sorted(out.items()))


@frozen(kw_only=True)
class SignalSettings:
    """What lot surveillance tests, and how strictly.

    Every field is documented with its default; the defaults suit a clinic with a few
    hundred to a few thousand administrations per lot.
    """

    alpha: float = field(default=0.05, converter=_alpha)
    """The type I error each test spends over its surveillance (one-sided)."""
    min_events: int = field(default=DEFAULT_MIN_EVENTS, converter=_min_events)
    """The fewest cases that may signal (Kulldorff & Silva recommend 4)."""
    outcomes: tuple[MonitoredOutcome, ...] = field(default=DEFAULT_OUTCOMES, converter=_outcomes)
    """The outcomes monitored, each with its own tests."""
    max_events: int = field(default=100, converter=_max_events)
    """Binomial surveillance length: the reactions (cases and controls) in a lot's
    comparison after which its test ends."""
    design_z: float = field(default=1.0, converter=_design_z)
    """The matching ratio the binomial alpha spending is planned for (1: the lot against
    as many administrations of other lots)."""
    expected_per_1000: Mapping[MonitoredOutcome, float] = field(factory=dict, converter=_rates)
    """Expected reactions per 1,000 administrations, per outcome: a Poisson test runs for
    each outcome given here (a clinic's or registry's baseline)."""
    lot_size: int = field(default=1000, converter=_lot_size)
    """Poisson surveillance length: administrations of a lot after which its test ends."""
    confidence: float = field(default=0.95, converter=_confidence)
    """The confidence of the exact rate intervals."""

    def __attrs_post_init__(self) -> None:
        self.binomial_design()  # refuse settings without a critical value now
        for outcome in self.expected_per_1000:
            self.poisson_design(outcome)

    def binomial_design(self) -> CriticalValue:
        """The binomial test's design: its critical value at ``design_z``."""
        return binomial_cv(
            self.max_events, z=self.design_z, min_events=self.min_events, alpha=self.alpha
        )

    def poisson_design(self, outcome: MonitoredOutcome) -> CriticalValue:
        """The Poisson test's critical value for ``outcome`` (which needs an expected rate)."""
        rate = self.expected_per_1000[outcome]
        length = rate * self.lot_size / 1000
        try:
            return poisson_cv(length, min_events=self.min_events, alpha=self.alpha)
        except ValidationError:
            raise _err(
                f"expected_per_1000.{outcome.value}",
                f"no critical value: {rate:g} per 1,000 over a lot of {self.lot_size} "
                f"administrations expects {length:g} events, too few for "
                f"{self.min_events} to be a signal at alpha {self.alpha:g}; raise lot_size "
                "or lower min_events",
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the unstructured form)."""
        return unstructure(self)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- report


@frozen
class TrajectoryPoint:
    """A lot's test after one reaction of its comparison (in logging order)."""

    entry_id: str
    recorded_on: dt.date
    """The JST day the reaction was logged."""
    cases: int
    expected: float
    llr: float
    boundary: int | None
    """Binomial: the fewest cases that signal at this look (``None`` for Poisson, whose
    boundary is ``llr >= cv``)."""


@frozen
class LotStatus:
    """One lot's test for one outcome: where it stands, and where it was crossed.

    ``cases`` among ``events`` examined, ``expected`` of them under the null, the
    log-likelihood ratio ``llr`` now, and the test's ``cv``. Binomial tests decide in the
    scale of cases, as *Sequential*'s ``Analyze.Binomial`` does: a signal when
    ``cases >= boundary`` at a look, where the boundary is recomputed for the matching
    ratios seen; ``cv`` is then the design's critical value (``llr >= cv`` is the same
    test while the matching ratio stays at ``design_z``). A test stops at its signal:
    the numbers of a crossed test are those at the crossing. ``rate`` is the lot's
    reactions of this outcome per 1,000 of its administrations, with its exact
    (Garwood) interval.
    """

    method: Method
    outcome: MonitoredOutcome
    lot: str
    status: SignalStatus
    administrations: int
    reactions: int
    """The lot's administrations followed by at least one reaction of this outcome (all of
    them, examined or not): several reactions after one administration count once."""
    events: int
    """Reactions the test examined (binomial: the lot's and its comparison's)."""
    cases: int
    expected: float
    llr: float
    cv: float | None
    attained_alpha: float | None
    """The design's exact type I error over the whole surveillance (at most alpha)."""
    alpha_spent: float | None
    """Binomial: the exact alpha the boundaries have spent so far."""
    boundary: int | None
    crossed_on: dt.date | None
    crossed_entry: str | None
    reason: str | None
    rate: Rate
    trajectory: tuple[TrajectoryPoint, ...] = ()
    """Each look, when asked for (``check_signals(..., trajectories=True)``)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the unstructured form)."""
        return unstructure(self)  # type: ignore[no-any-return]


def _signals_of(rows: tuple[LotStatus, ...]) -> tuple[LotStatus, ...]:
    return tuple(r for r in rows if r.status is SignalStatus.SIGNAL)


@frozen
class SignalReport:
    """Every lot's tests, as of the log's head. ``signals`` (derived) lists the crossed."""

    head_seq: int
    head_hash: str
    settings: SignalSettings
    designs: tuple[CriticalValue, ...]
    """The binomial design and each configured Poisson test's critical value."""
    rows: tuple[LotStatus, ...]
    """Sorted by lot, outcome (in the settings' order) and method."""
    signals: tuple[LotStatus, ...] = field(init=False, metadata={"derived": True})

    @signals.default
    def _signals(self) -> tuple[LotStatus, ...]:
        return _signals_of(self.rows)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the unstructured form)."""
        return unstructure(self)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- computing


_FLAGS: Final[Mapping[MonitoredOutcome, Callable[[ReactionEvent], bool]]] = {
    MonitoredOutcome.ANY: lambda e: True,
    MonitoredOutcome.ALLERGY_OR_WORSE: lambda e: e.category in ("allergy", "anaphylaxis"),
    MonitoredOutcome.SERIOUS: lambda e: e.serious,
    MonitoredOutcome.INFECTION: lambda e: e.infection,
}

_JST_DAYS: dict[str, dt.date] = {}


def _recorded_on(recorded_at: str) -> dt.date:
    """The JST day of a stored ``recorded_at`` (cached by its UTC hour)."""
    key = recorded_at[:13]
    day = _JST_DAYS.get(key)
    if day is None:
        at = dt.datetime.fromisoformat(recorded_at.replace("Z", "+00:00"))
        day = at.astimezone(JST).date()
        if len(_JST_DAYS) < 100_000:
            _JST_DAYS[key] = day
    return day


class _Exposure:
    """Administrations per stratum and per lot, read from the log's counts."""

    def __init__(
        self,
        strata: Sequence[tuple[str, str, str, int]],
        given: Sequence[tuple[str, str, str, tuple[int, ...]]] = (),
    ) -> None:
        by_stratum: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        lot_days: dict[str, tuple[list[str], list[int]]] = {}
        self.lot_total: dict[str, int] = defaultdict(int)
        for day, route, lot, n in strata:  # sorted by day
            by_stratum[(day, route)][lot] = n
            self.lot_total[lot] += n
            days, cumulative = lot_days.setdefault(lot, ([], []))
            if days and days[-1] == day:
                cumulative[-1] += n
            else:
                days.append(day)
                cumulative.append((cumulative[-1] if cumulative else 0) + n)
        self.lot_days = lot_days
        # For each stratum where several lots were given: each lot's null probability.
        self.shares: dict[tuple[str, str], tuple[tuple[str, float], ...]] = {}
        for key, by_lot in by_stratum.items():
            if len(by_lot) > 1:
                total = sum(by_lot.values())
                self.shares[key] = tuple((lot, n / total) for lot, n in by_lot.items())
        self.shared = {lot for shares in self.shares.values() for lot, _ in shares}
        # Where the log says when each administration was logged: each stratum's lots with
        # those positions, to count them as they stood at each reaction.
        self.logged = bool(given)
        by_day: dict[tuple[str, str], list[tuple[str, tuple[int, ...]]]] = defaultdict(list)
        for day, route, lot, seqs in given:
            by_day[(day, route)].append((lot, seqs))
        self.given = {key: tuple(lots) for key, lots in by_day.items() if len(lots) > 1}

    def shares_at(self, day: str, route: str, seq: int) -> tuple[tuple[str, float], ...] | None:
        """Each lot's null probability in a stratum as it stood when the entry at ``seq``
        was logged (the administrations logged up to it), or None without a comparison
        then. A series without positions: as the stratum stands now."""
        if not self.logged:
            return self.shares.get((day, route))
        here = self.given.get((day, route))
        if here is None:
            return None
        counts = [(lot, bisect.bisect_right(seqs, seq)) for lot, seqs in here]
        counts = [(lot, n) for lot, n in counts if n]
        if len(counts) < 2:
            return None
        total = sum(n for _, n in counts)
        return tuple((lot, n / total) for lot, n in counts)

    def cumulative(self, lot: str, through: str) -> int:
        """The lot's administrations on JST days up to ``through`` (ISO text), inclusive."""
        days, cumulative = self.lot_days.get(lot, ((), ()))
        k = bisect.bisect_right(days, through)
        return cumulative[k - 1] if k else 0


def _count_rate(events: int, administrations: int, settings: SignalSettings) -> Rate:
    """:func:`count_rate` for values already checked."""
    c = settings.confidence
    if administrations == 0:
        return Rate(events, 0, None, None, None, "garwood", c, events == 0)
    lo, hi = sm.garwood(events, c)
    f = 1000 / administrations
    return Rate(events, administrations, events * f, lo * f, hi * f, "garwood", c, events == 0)


def _binomial_rows(
    *,
    outcome: MonitoredOutcome,
    events: Sequence[ReactionEvent],
    exposure: _Exposure,
    settings: SignalSettings,
    design: CriticalValue,
    reactions_of: Mapping[str, int],
    trajectories: bool,
) -> list[LotStatus]:
    # Each reaction joins the comparison of every lot given in its stratum beside another
    # (until that lot's surveillance length is reached).
    draws: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    seen: dict[str, list[ReactionEvent]] = defaultdict(list)
    limit = settings.max_events
    for e in events:
        # The stratum as it stood when the reaction was logged: later entries (a late
        # administration, a lot opened later that day) never rewrite this look.
        here = exposure.shares_at(e.day, e.route, e.seq)
        if here is None:
            continue
        for lot, p in here:
            lot_draws = draws[lot]
            if len(lot_draws) < limit:
                lot_draws.append((p, lot == e.lot))
                seen[lot].append(e)
    rows = []
    for lot in sorted(exposure.lot_total):
        run, expected, llr = _binomial_test(
            tuple(draws.get(lot, ())),
            settings.max_events,
            settings.design_z,
            settings.min_events,
            settings.alpha,
            ends=_look_ends(seen.get(lot, ())),
        )
        examined = seen.get(lot, [])[: run.looks]
        cases = run.cases
        crossed = examined[run.signal_look - 1] if run.signal_look is not None else None
        if crossed is not None:
            status = SignalStatus.SIGNAL
        elif lot not in exposure.shared:
            status = SignalStatus.UNTESTABLE
        elif run.looks >= settings.max_events:
            status = SignalStatus.ENDED
        else:
            status = SignalStatus.NO_SIGNAL
        boundary = None if run.looks == 0 else int(run.boundary)
        rows.append(
            LotStatus(
                method=Method.BINOMIAL,
                outcome=outcome,
                lot=lot,
                status=status,
                administrations=exposure.lot_total[lot],
                reactions=reactions_of.get(lot, 0),
                events=run.looks,
                cases=cases,
                expected=expected,
                llr=llr,
                cv=design.cv,
                attained_alpha=design.attained_alpha,
                alpha_spent=run.spent,
                boundary=boundary,
                crossed_on=None if crossed is None else _recorded_on(crossed.recorded_at),
                crossed_entry=None if crossed is None else crossed.entry_id,
                reason=(
                    "never given on a day and route beside another lot: no comparison"
                    if status is SignalStatus.UNTESTABLE
                    else None
                ),
                rate=_count_rate(reactions_of.get(lot, 0), exposure.lot_total[lot], settings),
                trajectory=(
                    _binomial_path(
                        draws[lot][: run.looks], examined, settings, _look_ends(examined)
                    )
                    if trajectories and examined
                    else ()
                ),
            )
        )
    return rows


def _look_ends(events: Sequence[ReactionEvent]) -> tuple[bool, ...] | None:
    """Which events close a look: those whose log position (``seq``) the next event
    does not share. In a log every entry has its own position (one look per event, None);
    a registry's series gives the reactions of one period one position, so they are
    tested together, whatever their order among themselves."""
    seqs = [e.seq for e in events]
    if len(set(seqs)) == len(seqs):
        return None
    return (*(a != b for a, b in itertools.pairwise(seqs)), True)


@functools.lru_cache(maxsize=8192)
def _binomial_test(
    events: tuple[tuple[float, bool], ...],
    max_events: int,
    design_z: float,
    min_events: int,
    alpha: float,
    *,
    ends: tuple[bool, ...] | None = None,
) -> tuple[sm.SpendingRun, float, float]:
    """One lot's binomial test: its run, expected cases and LLR over the events examined.

    A pure function of the lot's events (and of which of them close a look), cached:
    after an append only the tests whose events changed (the lots given that day by that
    route) are computed again.
    """
    spending = sm.binomial_design(max_events, design_z, min_events, alpha).spending
    run = sm.run_spending(events, spending, min_events, ends=ends)
    examined = events[: run.looks]
    acc: dict[float, list[int]] = {}
    for p, is_case in examined:
        row = acc.setdefault(p, [0, 0])
        row[0] += is_case
        row[1] += 1
    llr = sm.stratified_llr((c, n, p) for p, (c, n) in acc.items())
    return run, math.fsum(p for p, _ in examined), llr


def _binomial_path(
    draws: Sequence[tuple[float, bool]],
    examined: Sequence[ReactionEvent],
    settings: SignalSettings,
    ends: Sequence[bool] | None = None,
) -> tuple[TrajectoryPoint, ...]:
    spending = sm.binomial_design(
        settings.max_events, settings.design_z, settings.min_events, settings.alpha
    ).spending
    looks: list[tuple[int, int]] = []
    sm.run_spending(
        draws,
        spending,
        settings.min_events,
        on_look=lambda _look, cases, boundary: looks.append((cases, boundary)),
        ends=ends,
    )
    points = []
    strata: dict[float, list[int]] = {}
    expected = 0.0
    for (p, is_case), e, (cases, boundary) in zip(draws, examined, looks, strict=True):
        row = strata.setdefault(p, [0, 0])
        row[0] += is_case
        row[1] += 1
        expected += p
        points.append(
            TrajectoryPoint(
                entry_id=e.entry_id,
                recorded_on=_recorded_on(e.recorded_at),
                cases=cases,
                expected=expected,
                llr=sm.stratified_llr((c, n, q) for q, (c, n) in strata.items()),
                boundary=boundary,
            )
        )
    return tuple(points)


def _poisson_rows(
    *,
    outcome: MonitoredOutcome,
    events: Sequence[ReactionEvent],
    exposure: _Exposure,
    settings: SignalSettings,
    design: CriticalValue,
    reactions_of: Mapping[str, int],
    trajectories: bool,
) -> list[LotStatus]:
    rate = settings.expected_per_1000[outcome] / 1000
    length = design.surveillance
    by_lot: dict[str, list[ReactionEvent]] = defaultdict(list)
    for e in events:
        by_lot[e.lot].append(e)
    rows = []
    for lot in sorted(exposure.lot_total):
        cases = 0
        crossed: ReactionEvent | None = None
        ended = False
        points = []
        for e in by_lot.get(lot, ()):
            on = _recorded_on(e.recorded_at)
            # The lot's expected count when the reaction was logged: its administrations
            # through that JST day (conservative: the whole day counts).
            mu = rate * exposure.cumulative(lot, on.isoformat())
            if mu > length:
                ended = True
                break
            cases += 1
            llr = sm.poisson_llr(cases, mu)
            if trajectories:
                points.append(TrajectoryPoint(e.entry_id, on, cases, mu, llr, None))
            if cases >= settings.min_events and llr >= design.cv:
                crossed = e
                break
        administrations = exposure.lot_total[lot]
        expected_now = rate * administrations
        if crossed is None and expected_now >= length:
            ended = True
        expected = min(expected_now, length)
        if crossed is not None:
            status = SignalStatus.SIGNAL
            expected = rate * exposure.cumulative(
                lot, _recorded_on(crossed.recorded_at).isoformat()
            )
        elif ended:
            status = SignalStatus.ENDED
        else:
            status = SignalStatus.NO_SIGNAL
        rows.append(
            LotStatus(
                method=Method.POISSON,
                outcome=outcome,
                lot=lot,
                status=status,
                administrations=administrations,
                reactions=reactions_of.get(lot, 0),
                events=cases,
                cases=cases,
                expected=expected,
                llr=sm.poisson_llr(cases, expected),
                cv=design.cv,
                attained_alpha=design.attained_alpha,
                alpha_spent=None,
                boundary=None,
                crossed_on=None if crossed is None else _recorded_on(crossed.recorded_at),
                crossed_entry=None if crossed is None else crossed.entry_id,
                reason=None,
                rate=_count_rate(reactions_of.get(lot, 0), administrations, settings),
                trajectory=tuple(points),
            )
        )
    return rows


def _first_per_administration(
    reactions: Iterable[ReactionEvent], flag: Callable[[ReactionEvent], bool]
) -> list[ReactionEvent]:
    """The first reaction of an outcome after each administration (in logging order): the
    tests count administrations with at least one reaction of it, not reaction records
    (two reactions after one administration are one draw, not two). A reaction without
    its administration's id counts on its own."""
    seen: set[str] = set()
    out = []
    for e in reactions:
        if not flag(e):
            continue
        adm = e.administration_id
        if adm:
            if adm in seen:
                continue
            seen.add(adm)
        out.append(e)
    return out


def evaluate(
    series: LotSeries, settings: SignalSettings | None = None, *, trajectories: bool = False
) -> SignalReport:
    """The signal report of a :class:`~exointake.log.LotSeries` already read (no alerts).

    What :func:`check_signals` computes after ``log.lot_series()``; also for a series
    built elsewhere (a registry pooling clinics, a simulation).
    """
    if not isinstance(series, tuple) or len(series) != 4:
        raise ValidationError(
            [f"series: expected a LotSeries, got {type(series).__name__}"], what="argument"
        )
    if settings is not None and not isinstance(settings, SignalSettings):
        raise ValidationError(
            [f"settings: expected SignalSettings, got {type(settings).__name__}"],
            what="argument",
        )
    settings = settings or SignalSettings()
    exposure = _Exposure(series.strata, series.given)
    binomial = settings.binomial_design()
    designs = [binomial]
    rows: list[LotStatus] = []
    for outcome in settings.outcomes:
        events = _first_per_administration(series.reactions, _FLAGS[outcome])
        reactions_of: dict[str, int] = defaultdict(int)
        for e in events:
            reactions_of[e.lot] += 1
        rows += _binomial_rows(
            outcome=outcome,
            events=events,
            exposure=exposure,
            settings=settings,
            design=binomial,
            reactions_of=reactions_of,
            trajectories=trajectories,
        )
        if outcome in settings.expected_per_1000:
            design = settings.poisson_design(outcome)
            designs.append(design)
            rows += _poisson_rows(
                outcome=outcome,
                events=events,
                exposure=exposure,
                settings=settings,
                design=design,
                reactions_of=reactions_of,
                trajectories=trajectories,
            )
    order = {o: i for i, o in enumerate(settings.outcomes)}
    rows.sort(key=lambda r: (r.lot, order[r.outcome], r.method.value))
    return SignalReport(
        head_seq=series.head[0],
        head_hash=series.head[1],
        settings=settings,
        designs=tuple(designs),
        rows=tuple(rows),
    )


_ALERTED: dict[int, set[tuple[str, str, str, str]]] = {}
"""The crossings alerted, per live ``Log`` object (by id; dropped when it is collected)."""


def check_signals(
    log: Log,
    settings: SignalSettings | None = None,
    *,
    alert: bool = True,
    trajectories: bool = False,
) -> SignalReport:
    """Every lot's signal status, read from ``log``; alerts for new crossings.

    Runs the binomial test (the lot against the other lots) for every monitored outcome,
    and the Poisson test for each outcome with an expected rate (see
    :class:`SignalSettings`). For each crossed signal not yet alerted by this ``Log``
    object, sends a :class:`SignalAlert` to the log's alert callbacks
    (:meth:`~exointake.Log.on_alert`) — once per crossing: a crossing is the method,
    outcome, lot and the entry at which it was crossed, the same for the same log. The
    memory of what was sent lives as long as the ``Log`` object: another process (or a
    restart) alerts again for a standing signal, never fewer times than once.

    Args:
        log: an open log.
        settings: what to test (default: :class:`SignalSettings()`).
        alert: send alerts (False: only report).
        trajectories: also give each look of every test (for charts; slower).

    Example::

        report = check_signals(log, SignalSettings(expected_per_1000={"any": 20}))
        for row in report.signals:
            print(row.lot, row.outcome, row.crossed_on)
    """
    if settings is not None and not isinstance(settings, SignalSettings):
        raise ValidationError(
            [f"settings: expected SignalSettings, got {type(settings).__name__}"],
            what="argument",
        )
    report = evaluate(log.lot_series(), settings, trajectories=trajectories)
    if alert and report.signals:
        _send_alerts(log, report)
    return report


def _send_alerts(log: Log, report: SignalReport) -> None:
    from ._signals_alert import signal_alert  # noqa: PLC0415 - loads the log's writes

    sent = _ALERTED.get(id(log))
    if sent is None:
        sent = _ALERTED[id(log)] = set()
        weakref.finalize(log, _ALERTED.pop, id(log), None)
    for row in report.signals:
        assert row.crossed_entry is not None
        key = (row.method.value, row.outcome.value, row.lot, row.crossed_entry)
        if key in sent:
            continue
        sent.add(key)
        log.notify(signal_alert(log, row))
