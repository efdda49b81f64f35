"""The alert a crossed lot signal sends through the log's alert callbacks.

Kept apart from :mod:`exointake._signals` because it builds on the log's
:class:`~exointake.log.Alert` (which loads SQLAlchemy): computing critical values and
rates stays light.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from attrs import field, frozen

from ._log._writes import Alert

if TYPE_CHECKING:
    from ._log._core import Log
    from ._signals import LotStatus

__all__ = ["SignalAlert", "signal_alert"]


@frozen
class SignalAlert(Alert):
    """Sent to alert callbacks when a lot's signal is crossed (once per crossing).

    An :class:`~exointake.log.Alert` whose reaction fields are those of the reaction at
    which the signal was crossed, with ``event_kind`` ``"lot_signal"``, and the test's
    method, outcome, lot, statistic and critical value. Ids, codes and numbers only.
    """

    method: str = field(kw_only=True)
    outcome: str = field(kw_only=True)
    lot: str = field(kw_only=True)
    llr: float = field(kw_only=True)
    cv: float | None = field(kw_only=True)
    cases: int = field(kw_only=True)
    expected: float = field(kw_only=True)
    crossed_on: dt.date = field(kw_only=True)


def signal_alert(log: Log, row: LotStatus) -> SignalAlert:
    """The alert for a crossed signal, with the crossing reaction's ids and grade."""
    assert row.crossed_entry is not None
    assert row.crossed_on is not None
    reaction = log.get(row.crossed_entry)
    entry = reaction.current
    grade = entry.grade or {}
    adm_id = entry.record.administration_id
    patient_id = log.get(adm_id).current.record.patient_id
    return SignalAlert(
        entry_id=row.crossed_entry,
        reaction_id=reaction.entry_id,
        administration_id=adm_id,
        patient_id=patient_id,
        category=grade.get("category"),
        serious=bool(grade.get("serious")),
        brighton_level=grade.get("brighton_level"),
        event_kind="lot_signal",
        method=row.method.value,
        outcome=row.outcome.value,
        lot=row.lot,
        llr=row.llr,
        cv=row.cv,
        cases=row.cases,
        expected=row.expected,
        crossed_on=row.crossed_on,
    )
