"""Records the clinic appends to the log, and their parts.

The core records (:class:`~exointake.Administration`, :class:`~exointake.ReactionRecord`,
:class:`~exointake.FollowUp`, ...) are re-exported here beside the product's origin and
sourcing, the cold-chain check, vital signs and causality. Importing this module does
not load the database layer.

>>> from exointake import records
>>> records.Origin("umbilical_cord") is records.Origin.UMBILICAL_CORD
True
"""

from __future__ import annotations

from . import _api
from ._reactions import (
    Causality,
    ReactionRecord,
    VitalSigns,
)
from ._records import (
    Administration,
    ConsentRecord,
    FollowUp,
    FollowUpStatus,
    Origin,
    Product,
    ScreeningRecord,
    Sourcing,
    StorageCheck,
)

__all__ = [
    "Administration",
    "Causality",
    "ConsentRecord",
    "FollowUp",
    "FollowUpStatus",
    "Origin",
    "Product",
    "ReactionRecord",
    "ScreeningRecord",
    "Sourcing",
    "StorageCheck",
    "VitalSigns",
]

_api.publish(__name__, globals(), __all__)
