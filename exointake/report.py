"""Reports made from the log: the monthly safety report, for a clinic or pooled.

:func:`safety_report` renders a clinic-level periodic safety report (after ICH E2C(R2)
PBRER and E2F DSUR) for one month as a PDF, read from the log as it stood at the month's
data lock point: exposure, summary tabulations, a line listing of serious and
anaphylaxis-row cases, the lot signals of :mod:`exointake.signals`, charts, and the
physician's signature field. :func:`pooled_safety_report` renders the same sections from
a registry's pooled exports (:class:`exointake.registry.PooledData`: several clinics'
de-identified rows).
Importing this module is cheap; the first use loads the log (SQLAlchemy) and the renderer
(reportlab).

Example::

    from exointake import open_log, report

    with open_log("sqlite:///clinic.db") as log:
        report.safety_report(log, month="2026-11", language="ja+en").write("2026-11.pdf")
"""

from __future__ import annotations

import typing

from . import _api

if typing.TYPE_CHECKING:  # what mypy reads; at run time these load on first use
    from ._pooled_report import pooled_safety_report
    from ._safety_report import (
        SafetyReport,
        safety_report,
    )

__all__ = [
    "SafetyReport",
    "pooled_safety_report",
    "safety_report",
]

_LAZY = {
    "SafetyReport": "_safety_report",
    "pooled_safety_report": "_pooled_report",
    "safety_report": "_safety_report",
}

_api.publish(__name__, globals(), [name for name in __all__ if name not in _LAZY])

if not typing.TYPE_CHECKING:  # mypy would otherwise accept any attribute of the module
    __getattr__ = _api.lazy_getattr(__name__, globals(), _LAZY)
__dir__ = _api.lazy_dir(globals(), _LAZY)
