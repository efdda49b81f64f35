"""The exact statistics behind lot signals: MaxSPRT log-likelihood ratios and critical
values, the alpha-spending boundary for a varying matching ratio, and exact intervals.

Pure arithmetic on floats and ints (``math`` only, no numpy or scipy), so ``import
exointake.signals`` stays light and every number can be re-derived by hand. The
algorithms follow the R package *Sequential* (Silva & Kulldorff, CRAN, version 4.5.1),
read from its source: ``CV.Poisson`` (continuous Poisson MaxSPRT, no delayed start),
``CV.Binomial`` (continuous binomial MaxSPRT) and the Wald-type alpha spending of
``AnalyzeSetUp.Binomial`` / ``Analyze.Binomial`` (a varying matching ratio z).

Conventions (the same as *Sequential*'s):

* a test signals when the log-likelihood ratio is **greater than or equal to** the
  critical value (``LLR >= CV``), and never before ``min_events`` cases;
* the Poisson critical value is the root of alpha(CV) = alpha, which is continuous in the
  CV: we return the root's upper bracket (to 1e-10), so the attained alpha is at most
  alpha;
* the binomial LLR takes finitely many values, so alpha is not attained exactly: the CV is
  *Sequential*'s — the largest attainable LLR whose test would exceed alpha, rounded up to
  the next 1e-5 — and the attained alpha (at most alpha) is reported next to it.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Final, NamedTuple

__all__ = [
    "BinomialDesign",
    "CVResult",
    "SpendingRun",
    "binomial_cv",
    "binomial_design",
    "binomial_llr",
    "binomial_sf",
    "clopper_pearson",
    "garwood",
    "poisson_cdf",
    "poisson_cv",
    "poisson_llr",
    "poisson_sf",
    "run_spending",
    "stratified_llr",
]

_TINY: Final = 1e-300
_KERNEL_CUTOFF: Final = 1e-20
"""Poisson probabilities below this fraction of the largest are left out of a transition
(their total is below 1e-19: far under the 1e-10 the critical values are solved to)."""
SPENDING_SLACK: Final = 1e-9
"""Relative slack when comparing an alpha spent with its budget (float sums of ~1e-16
each); so a spent alpha is at most ``budget * (1 + 1e-9)``."""


class CVResult(NamedTuple):
    """A critical value and the type I error it attains: ``(cv, attained_alpha)``."""

    #: The critical value on the log-likelihood-ratio scale.
    cv: float
    #: The exact probability of a signal under the null hypothesis.
    attained_alpha: float


# ---------------------------------------------------------------------------- LLRs


def poisson_llr(observed: int, expected: float) -> float:
    """The Poisson MaxSPRT log-likelihood ratio: ``(u - c) + c log(c / u)`` when the
    observed count ``c`` exceeds the expected ``u``, else 0 (one-sided, upper)."""
    if observed <= expected:
        return 0.0
    if expected <= 0:
        return math.inf
    return (expected - observed) + observed * math.log(observed / expected)


def binomial_llr(cases: int, events: int, z: float) -> float:
    """The binomial MaxSPRT log-likelihood ratio of ``cases`` among ``events`` when a case
    has probability ``1 / (1 + z)`` under the null (``z``: the matching ratio), as
    *Sequential*'s ``LLR``: 0 unless ``z * cases / (events - cases) > 1``."""
    if events <= 0 or cases <= 0:
        return 0.0
    if cases >= events:
        return events * math.log1p(z)
    controls = events - cases
    if z * cases <= controls:
        return 0.0
    return (
        cases * math.log(cases / events)
        + controls * math.log(controls / events)
        + cases * math.log1p(z)
        - controls * math.log(z / (1 + z))
    )


def stratified_llr(strata: Iterable[tuple[int, int, float]]) -> float:
    """The binomial log-likelihood ratio when each stratum has its own null probability.

    ``strata`` holds ``(cases, events, p)``: ``cases`` among ``events`` each a case with
    probability ``p`` under the null, ``R p / (R p + 1 - p)`` under the alternative. The
    ratio is maximised over the relative risk ``R >= 1`` (Analyze.Binomial's ``LLRcum``);
    it is 0 when the cases do not exceed their expectation, and equals
    :func:`binomial_llr` when every stratum has the same ``p = 1 / (1 + z)``.
    """
    rows = [(c, n, p) for c, n, p in strata if n > 0 and 0 < p < 1]
    cases = sum(c for c, _, _ in rows)
    expected = sum(n * p for _, n, p in rows)
    if cases <= expected or cases == 0:
        return 0.0
    if all(c == n for c, n, _ in rows):  # every event a case: R -> infinity
        return -sum(n * math.log(p) for _, n, p in rows)

    def loglik(r: float) -> float:  # in log R; concave
        return cases * r - sum(n * math.log1p(math.expm1(r) * p) for _, n, p in rows)

    def derivatives(r: float) -> tuple[float, float]:
        e = math.exp(r)
        d1 = float(cases)
        d2 = 0.0
        for _, n, p in rows:
            share = p * e / (1 + (e - 1) * p)
            d1 -= n * share
            d2 -= n * share * (1 - share)
        return d1, d2

    # Newton's method on the (decreasing) score, kept inside a bracket [lo, hi].
    lo, hi = 0.0, 1.0
    while derivatives(hi)[0] > 0:
        lo, hi = hi, hi * 2
    r = (lo + hi) / 2
    for _ in range(100):
        d1, d2 = derivatives(r)
        if d1 > 0:
            lo = r
        else:
            hi = r
        step = -d1 / d2 if d2 < 0 else 0.0
        nxt = r + step
        if not lo < nxt < hi:
            nxt = (lo + hi) / 2
        if abs(nxt - r) < 1e-13 * max(1.0, abs(r)):
            r = nxt
            break
        r = nxt
    return max(0.0, loglik(r))


# ---------------------------------------------------------------------------- distributions


def _poisson_pmf(mu: float, upto: int | None = None) -> list[float]:
    """Poisson probabilities of 0, 1, 2, ... up to ``upto`` (or until negligible)."""
    if mu <= 0:
        return [1.0]
    out = [math.exp(-mu)] if mu < 700 else [0.0]
    if out[0] == 0.0:  # start at the mode, in logs, and walk both ways
        return _poisson_pmf_log(mu, upto)
    j = 0
    while True:
        j += 1
        if upto is not None and j > upto:
            break
        v = out[-1] * mu / j
        if upto is None and j > mu and v < _KERNEL_CUTOFF * max(out[-1], out[0], _TINY):
            break
        out.append(v)
    return out


def _poisson_pmf_log(mu: float, upto: int | None) -> list[float]:
    last = upto if upto is not None else int(mu + 40 * math.sqrt(mu) + 40)
    return [math.exp(k * math.log(mu) - mu - math.lgamma(k + 1)) for k in range(last + 1)]


def _tails(pmf: Sequence[float]) -> list[float]:
    """``sf[m] = sum(pmf[m:])`` for m = 0..len(pmf) (``sf[len] = 0``)."""
    sf = [0.0] * (len(pmf) + 1)
    acc = 0.0
    for m in range(len(pmf) - 1, -1, -1):
        acc += pmf[m]
        sf[m] = acc
    return sf


def poisson_sf(k: int, mu: float) -> float:
    """P(X >= k) for X ~ Poisson(mu), exact (regularised lower incomplete gamma)."""
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    return _gamma_p(k, mu)


def poisson_cdf(k: int, mu: float) -> float:
    """P(X <= k) for X ~ Poisson(mu), exact (regularised upper incomplete gamma)."""
    if k < 0:
        return 0.0
    if mu <= 0:
        return 1.0
    return _gamma_q(k + 1, mu)


def binomial_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), exact (regularised incomplete beta)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    return _beta_i(k, n - k + 1, p)


def _binomial_cdf(k: int, n: int, p: float) -> float:
    return 1.0 - binomial_sf(k + 1, n, p) if k < n else 1.0


def _gamma_p(a: float, x: float) -> float:
    """Regularised lower incomplete gamma P(a, x) (series or continued fraction)."""
    if x < a + 1:
        return _gamma_series(a, x)
    return 1.0 - _gamma_cf(a, x)


def _gamma_q(a: float, x: float) -> float:
    if x < a + 1:
        return 1.0 - _gamma_series(a, x)
    return _gamma_cf(a, x)


def _gamma_series(a: float, x: float) -> float:
    term = total = 1.0 / a
    ap = a
    for _ in range(100_000):
        ap += 1
        term *= x / ap
        total += term
        if abs(term) < abs(total) * 1e-17:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gamma_cf(a: float, x: float) -> float:
    # Lentz's method for the continued fraction of Q(a, x).
    b = x + 1 - a
    c = 1 / _TINY
    d = 1 / b
    h = d
    for i in range(1, 100_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def _beta_i(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _beta_cf(a, b, x) / a
    return 1.0 - front * _beta_cf(b, a, 1 - x) / b


def _beta_cf(a: float, b: float, x: float) -> float:
    qab, qap, qam = a + b, a + 1, a - 1
    c = 1.0
    d = 1 - qab * x / qap
    d = _TINY if abs(d) < _TINY else d
    d = 1 / d
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    return h


# ---------------------------------------------------------------------------- Poisson CV


def _time_to_reject(cases: int, cv: float) -> float:
    """The expected count ``u < cases`` at which ``poisson_llr(cases, u) == cv``.

    With ``y = u / cases``: ``y - 1 - log y = cv / cases``; solved for ``t = -log y`` by
    Newton's method on the convex, increasing ``exp(-t) + t - 1 - a`` (from the right, so it
    converges monotonically). *Sequential* uses the Lambert W function for the same root.
    """
    a = cv / cases
    t = 1.0 + a
    for _ in range(100):
        f = math.exp(-t) + t - 1 - a
        step = f / (1 - math.exp(-t))
        t -= step
        if abs(step) < 1e-15 * max(1.0, t):
            break
    return cases * math.exp(-t)


def _poisson_alpha(cv: float, length: float, min_events: int) -> float:
    """P(the continuous Poisson MaxSPRT with critical value ``cv`` signals by ``length``).

    The i-th event signals when it comes at an expected count at most ``mu[i]`` (where
    ``poisson_llr(i, mu[i]) == cv``; ``mu`` increases with i), and i >= ``min_events``.
    So the chain is followed at the times mu[M], mu[M+1], ... < ``length``: at mu[i]
    without a signal there are at most i - 1 events, and between mu[i-1] and mu[i] the
    test signals exactly when the count reaches i — CV.Poisson's Markov chain.
    """
    mus: list[float] = [0.0]  # mus[i] for i >= 1
    i = 0
    while True:
        i += 1
        mus.append(_time_to_reject(i, cv))
        if mus[i] >= length:
            break
    imax = i  # the first i whose threshold time is at or past the end
    if imax <= min_events:
        return poisson_sf(min_events, length)
    first = mus[min_events]
    pmf = _poisson_pmf(first, upto=min_events - 1)
    probs = pmf[:min_events]  # counts 0 .. M-1 at time mu[M]
    alpha = poisson_sf(min_events, first)
    prev = first
    for i in range(min_events + 1, imax + 1):
        end = mus[i] if i < imax else length
        kernel = _poisson_pmf(end - prev)
        sf = _tails(kernel)
        width = len(kernel)
        keep = i if i < imax else 0  # states carried on (counts 0 .. i-1)
        new = [0.0] * keep
        for k, pk in enumerate(probs):
            if pk == 0.0:
                continue
            need = i - k  # more events that reach i
            alpha += pk * (sf[need] if need < len(sf) else 0.0)
            top = min(width, keep - k)
            for j in range(top):
                new[k + j] += pk * kernel[j]
        probs = new
        prev = end
    return alpha


@functools.lru_cache(maxsize=512)
def poisson_cv(length: float, min_events: int = 1, alpha: float = 0.05) -> CVResult:
    """The critical value of the continuous Poisson MaxSPRT (*Sequential*'s ``CV.Poisson``
    with ``SampleSize=length``, ``D=0``, ``M=min_events``, one-sided upper), computed
    exactly from Poisson probabilities, and the alpha it attains.

    Raises ValueError (with the reason) when no critical value reaches alpha: the chance of
    ``min_events`` events by ``length`` is already below alpha.
    """
    _check_alpha(alpha)
    if not length > 0:
        raise ValueError("the surveillance length (expected events) must be above 0")
    if poisson_sf(min_events, length) < alpha:
        raise ValueError(
            f"no critical value: with an expected {length:g} events, {min_events} or more "
            f"occur with probability {poisson_sf(min_events, length):.3g} < alpha; "
            "lengthen the surveillance or lower the minimum number of events"
        )
    lo, hi = 0.0, 2.0
    while _poisson_alpha(hi, length, min_events) > alpha:
        lo, hi = hi, hi * 2
    a_lo = _poisson_alpha(lo, length, min_events)
    a_hi = _poisson_alpha(hi, length, min_events)
    # Illinois-modified regula falsi on alpha(cv) - alpha, keeping a bracket whose upper
    # end attains at most alpha.
    side = 0
    for _ in range(200):
        if hi - lo < 1e-10:
            break
        if a_lo - a_hi > 0:
            mid = hi - (a_hi - alpha) * (hi - lo) / (a_hi - a_lo)
            if not lo < mid < hi:
                mid = (lo + hi) / 2
        else:
            mid = (lo + hi) / 2
        a_mid = _poisson_alpha(mid, length, min_events)
        if a_mid > alpha:
            lo, a_lo = mid, a_mid
            if side == -1:
                a_hi = alpha + (a_hi - alpha) / 2
            side = -1
        else:
            hi, a_hi = mid, a_mid
            if side == 1:
                a_lo = alpha + (a_lo - alpha) / 2
            side = 1
        if a_mid == alpha:
            break
    return CVResult(hi, _poisson_alpha(hi, length, min_events))


# ---------------------------------------------------------------------------- binomial CV


def _absorbing(cv: float, max_events: int, z: float, min_events: int) -> list[int]:
    """For n = 1..N the fewest cases among n events that signal (``n + 1``: none)."""
    out = [0]
    c = 0
    for n in range(1, max_events + 1):
        # The threshold never decreases with n: start from the previous one.
        c = max(c, min_events)
        while c <= n and binomial_llr(c, n, z) < cv:
            c += 1
        out.append(c if n >= min_events else n + 1)
    return out


def _binomial_run(
    absorb: Sequence[int], p: float, stop_above: float | None = None
) -> tuple[float, list[float]]:
    """The type I error of the thresholds ``absorb`` and the alpha spent at each event."""
    probs = [1.0]
    spent = [0.0]
    total = 0.0
    q = 1 - p
    for n in range(1, len(absorb)):
        new = [x * q for x in probs]
        new.append(0.0)
        for s, x in enumerate(probs):
            new[s + 1] += x * p
        b = absorb[n]
        here = sum(new[b:]) if b < len(new) else 0.0
        total += here
        spent.append(here)
        probs = new[:b]
        if stop_above is not None and total > stop_above:
            break
    return total, spent


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha <= 0.5:
        raise ValueError("alpha must be above 0 and at most 0.5")


def _binomial_alpha(
    cv: float,
    max_events: int,
    z: float,
    min_events: int,
    *,
    stop: float | None = None,
    looks: frozenset[int] | None = None,
) -> float:
    """The type I error of ``LLR >= cv`` (looking at every event, or at ``looks`` only:
    *Sequential*'s group-sequential variant, which its documented examples use)."""
    absorb = _absorbing(cv, max_events, z, min_events)
    if looks is not None:
        absorb = [a if n in looks else n + 1 for n, a in enumerate(absorb)]
    return _binomial_run(absorb, 1 / (1 + z), stop)[0]


def _search_cv(
    omega: Sequence[float], error: Callable[[float, float | None], float], alpha: float
) -> float:
    """*Sequential*'s bisection over the attainable LLR values ``omega`` (sorted): the CV
    is the next 5-decimal value above the largest one whose test errs above alpha."""
    lo, hi = -1, len(omega) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if error(omega[mid], alpha) > alpha:
            lo = mid
        else:
            hi = mid
    below = omega[lo] if lo >= 0 else 0.0
    return round(math.floor(below * 1e5 + 1e-9) / 1e5 + 1e-5, 5)


class BinomialDesign(NamedTuple):
    """A binomial MaxSPRT design: ``(cv, attained_alpha, cumulative alpha spent by event)``."""

    #: The critical value on the log-likelihood-ratio scale (*Sequential*'s digits).
    cv: float
    #: The exact type I error of ``LLR >= cv`` over the surveillance.
    attained_alpha: float
    #: ``spending[n]``: the alpha the design has spent by the n-th event (n = 0..N).
    spending: tuple[float, ...]


@functools.lru_cache(maxsize=256)
def binomial_design(
    max_events: int, z: float, min_events: int = 1, alpha: float = 0.05
) -> BinomialDesign:
    """The continuous binomial MaxSPRT of *Sequential*'s ``CV.Binomial`` (``N=max_events``,
    ``z``, ``M=min_events``), with its alpha spending by event (``AnalyzeSetUp.Binomial``'s
    Wald type), computed exactly.

    Raises ValueError with *Sequential*'s reasons when no critical value fits.
    """
    _check_alpha(alpha)
    if max_events < 1 or min_events < 1:
        raise ValueError("the surveillance length and the minimum events must be at least 1")
    if not z > 0:
        raise ValueError("the matching ratio z must be above 0")
    p = 1 / (1 + z)
    if binomial_sf(min_events, max_events, p) < alpha:
        raise ValueError(
            f"no critical value: {min_events} or more cases among {max_events} events occur "
            "with probability below alpha; lower the minimum number of events or lengthen "
            "the surveillance"
        )
    if p**max_events > alpha:
        raise ValueError(
            f"no critical value: even {max_events} cases out of {max_events} events happen "
            "with probability above alpha; lengthen the surveillance"
        )
    values = (binomial_llr(c, n, z) for n in range(1, max_events + 1) for c in range(1, n + 1))
    omega = sorted({v for v in values if v > 0})
    cv = _search_cv(
        omega, lambda cv, stop: _binomial_alpha(cv, max_events, z, min_events, stop=stop), alpha
    )
    total, spent = _binomial_run(_absorbing(cv, max_events, z, min_events), p)
    return BinomialDesign(cv, total, tuple(itertools.accumulate(spent)))


def binomial_cv(max_events: int, z: float, min_events: int = 1, alpha: float = 0.05) -> CVResult:
    """The critical value and attained alpha of *Sequential*'s ``CV.Binomial``."""
    design = binomial_design(max_events, z, min_events, alpha)
    return CVResult(design.cv, design.attained_alpha)


# ---------------------------------------------------------------------------- varying z


class SpendingRun(NamedTuple):
    """The outcome of :func:`run_spending`: ``(looks, cases, spent, boundary, signal_look)``."""

    #: How many events were examined (at most the surveillance length).
    looks: int
    #: Cases among the examined events.
    cases: int
    #: The exact alpha spent by the boundaries so far.
    spent: float
    #: The fewest cases that signal at the last look (above the looks: none can;
    #: ``inf`` before the first look).
    boundary: float
    #: The look (1-based) at which the cases reached the boundary, or None.
    signal_look: int | None


def run_spending(
    events: Iterable[tuple[float, bool]],
    spending: Sequence[float],
    min_events: int,
    on_look: Callable[[int, int, int], object] | None = None,
    ends: Sequence[bool] | None = None,
) -> SpendingRun:
    """Follow a binomial MaxSPRT whose null case probability changes with every event.

    ``events`` are ``(p, is_case)`` in the order they were observed; ``spending[n]`` the
    alpha allowed by the n-th event (a :class:`BinomialDesign`'s). At each look the
    boundary is the fewest cases (at least ``min_events``) whose exact probability under
    the null — given the probabilities so far and no earlier signal — fits in the alpha
    still unspent, as *Sequential*'s ``Analyze.Binomial`` computes its critical values in
    the scale of cases. With a constant ``p`` this is exactly the flat-CV test of the
    design. Stops at the first signal or after ``len(spending) - 1`` events.
    ``on_look(look, cases, boundary)`` is called after each event, when given.

    ``ends[i]`` (when given) says whether event ``i`` closes a look: events observed
    together (a registry knows only the month of each) are one look, tested after the
    last of them, so their order among themselves cannot change the result. Inside a
    look no alpha is spent and the boundary is out of reach (``looks + 1``). The last
    event examined always closes a look.
    """
    probs = [1.0]
    spent = 0.0
    cases = 0
    looks = 0
    boundary = math.inf
    last = len(spending) - 1
    for i, (p, is_case) in enumerate(events):
        if looks >= last:
            break
        looks += 1
        q = 1 - p
        new = [x * q for x in probs]
        new.append(0.0)
        if p:
            for s, x in enumerate(probs):
                new[s + 1] += x * p
        if ends is not None and not ends[i] and looks < last:
            probs = new  # inside a look: nothing spent, nothing tested
            cases += bool(is_case)
            if on_look is not None:
                on_look(looks, cases, len(new))
            continue
        budget = (spending[looks] - spent) * (1 + SPENDING_SLACK)
        tail = 0.0
        c = len(new)
        while c - 1 >= min_events and tail + new[c - 1] <= budget:
            c -= 1
            tail += new[c]
        spent += tail
        boundary = c  # may be looks + 1: no count of cases signals at this look
        probs = new[:c]
        cases += bool(is_case)
        if on_look is not None:
            on_look(looks, cases, c)
        if cases >= c:
            return SpendingRun(looks, cases, spent, float(c), looks)
    return SpendingRun(looks, cases, spent, float(boundary), None)


# ---------------------------------------------------------------------------- intervals


def _bisect(fn: Callable[[float], float], lo: float, hi: float, target: float) -> float:
    """The root of the increasing ``fn(x) = target`` in ``[lo, hi]``, to 1e-13 relative."""
    for _ in range(200):
        mid = (lo + hi) / 2
        if hi - lo <= 1e-13 * hi or mid in (lo, hi):
            break
        if fn(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@functools.lru_cache(maxsize=4096)
def clopper_pearson(events: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper–Pearson) interval of a proportion ``events / trials``.

    Two-sided at ``confidence``; with no events the lower bound is 0 and the upper bound
    is the **one-sided** exact bound ``1 - (1 - confidence) ** (1 / trials)`` (about
    3 / trials at 95%, the "rule of three").
    """
    if trials <= 0:
        raise ValueError("trials must be at least 1")
    if not 0 <= events <= trials:
        raise ValueError("events must be between 0 and trials")
    tail = (1 - confidence) / 2
    if events == 0:
        return 0.0, 1 - (1 - confidence) ** (1 / trials)
    lower = _bisect(lambda p: binomial_sf(events, trials, p), 0.0, 1.0, tail)
    if events == trials:
        return lower, 1.0
    # P(X <= events) decreases in p: solve on its complement, which increases.
    upper = _bisect(lambda p: 1 - _binomial_cdf(events, trials, p), 0.0, 1.0, 1 - tail)
    return lower, upper


@functools.lru_cache(maxsize=4096)
def garwood(events: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Garwood) interval of a Poisson mean from ``events`` counted.

    Two-sided at ``confidence``; with no events the lower bound is 0 and the upper bound
    is the **one-sided** exact bound ``-log(1 - confidence)`` (2.996 at 95%).
    """
    if events < 0:
        raise ValueError("events must be 0 or more")
    tail = (1 - confidence) / 2
    if events == 0:
        return 0.0, -math.log(1 - confidence)
    hi = events + 20 * math.sqrt(events) + 20
    lower = _bisect(lambda mu: poisson_sf(events, mu), 0.0, hi, tail)
    upper = _bisect(lambda mu: 1 - poisson_cdf(events, mu), 0.0, hi, 1 - tail)
    return lower, upper
