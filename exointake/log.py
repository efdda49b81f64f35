"""The reaction log: entries, reports and verification.

The core (:func:`~exointake.open_log`, :class:`~exointake.Log`,
:func:`~exointake.migrate_log`, :class:`~exointake.VerifyReport`) is re-exported here
beside the entries, recall and rate reports, alerts and signed checkpoints of the log's
head (:class:`Checkpoint`, keys by :func:`generate_signing_key`; they need the
``checkpoints`` extra). Importing this module loads SQLAlchemy when a log name is used.

>>> from exointake import log
>>> with log.open_log("sqlite://") as db:
...     len(db)
0
"""

from __future__ import annotations

import typing

from . import _api
from ._checkpoint import (
    Checkpoint,
    generate_signing_key,
    load_private_key,
    load_public_key,
)

if typing.TYPE_CHECKING:  # what mypy reads; at run time these load on first use
    from ._log._core import (
        Log,
        migrate_log,
        open_log,
    )
    from ._log._entries import (
        Amendment,
        EntryKind,
        EntryView,
        LogEntry,
    )
    from ._log._queries import (
        LotSeries,
        Page,
        RateReport,
        RateRow,
        ReactionEvent,
        Recall,
    )
    from ._log._store import (
        normalise_url,
    )
    from ._log._verify import (
        VerifyReport,
    )
    from ._log._writes import (
        Alert,
    )

__all__ = [
    "Alert",
    "Amendment",
    "Checkpoint",
    "EntryKind",
    "EntryView",
    "Log",
    "LogEntry",
    "LotSeries",
    "Page",
    "RateReport",
    "RateRow",
    "ReactionEvent",
    "Recall",
    "VerifyReport",
    "generate_signing_key",
    "load_private_key",
    "load_public_key",
    "migrate_log",
    "normalise_url",
    "open_log",
]

_LAZY = {
    "Log": "_log._core",
    "migrate_log": "_log._core",
    "open_log": "_log._core",
    "Amendment": "_log._entries",
    "EntryKind": "_log._entries",
    "EntryView": "_log._entries",
    "LogEntry": "_log._entries",
    "LotSeries": "_log._queries",
    "Page": "_log._queries",
    "RateReport": "_log._queries",
    "RateRow": "_log._queries",
    "ReactionEvent": "_log._queries",
    "Recall": "_log._queries",
    "normalise_url": "_log._store",
    "VerifyReport": "_log._verify",
    "Alert": "_log._writes",
}

_api.publish(__name__, globals(), [name for name in __all__ if name not in _LAZY])

if not typing.TYPE_CHECKING:  # mypy would otherwise accept any attribute of the module
    __getattr__ = _api.lazy_getattr(__name__, globals(), _LAZY)
__dir__ = _api.lazy_dir(globals(), _LAZY)
