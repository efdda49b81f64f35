"""Lot signals: is a lot producing more reactions than the others, while there is still
time to stop using it?

:func:`check_signals` runs, for every lot and monitored outcome (any reaction,
allergy-or-worse, serious, infection), the conditional binomial MaxSPRT of the lot against
the other lots given on the same days by the same routes, and — where an expected rate is
configured — the Poisson MaxSPRT against that rate; it reports each test's statistic,
critical value, attained alpha and status, with the day and entry at which a signal was
crossed, and sends a :class:`SignalAlert` through the log's alert callbacks once per
crossing. :func:`poisson_cv` and :func:`binomial_cv` compute the critical values exactly,
as the R package *Sequential* does (``CV.Poisson``, ``CV.Binomial``);
:func:`proportion_rate` and :func:`count_rate` give per-1,000 rates with exact
(Clopper–Pearson, Garwood) intervals. :func:`evaluate` runs the same tests on a
:class:`~exointake.log.LotSeries` already read (no alerts). Methods and sources: the
guide "Detect lot signals".

Critical values and rates need no database; :func:`check_signals` reads a
:class:`~exointake.Log` (and :class:`SignalAlert` loads the log's SQLAlchemy on first use).

>>> from exointake import signals
>>> round(signals.poisson_cv(10, min_events=4).cv, 6)
2.921561
>>> r = signals.count_rate(0, 500)
>>> (r.per_1000, r.one_sided)
(0.0, True)
"""

from __future__ import annotations

import typing

from . import _api
from ._signals import (
    CriticalValue,
    LotStatus,
    Method,
    MonitoredOutcome,
    Rate,
    SignalReport,
    SignalSettings,
    SignalStatus,
    TrajectoryPoint,
    binomial_cv,
    binomial_llr,
    check_signals,
    count_rate,
    evaluate,
    poisson_cv,
    poisson_llr,
    proportion_rate,
)

if typing.TYPE_CHECKING:  # what mypy reads; at run time it loads on first use
    from ._signals_alert import SignalAlert

__all__ = [
    "CriticalValue",
    "LotStatus",
    "Method",
    "MonitoredOutcome",
    "Rate",
    "SignalAlert",
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

_LAZY = {"SignalAlert": "_signals_alert"}

_api.publish(__name__, globals(), [name for name in __all__ if name not in _LAZY])

if not typing.TYPE_CHECKING:  # mypy would otherwise accept any attribute of the module
    __getattr__ = _api.lazy_getattr(__name__, globals(), _LAZY)
__dir__ = _api.lazy_dir(globals(), _LAZY)
