"""A multi-clinic registry of de-identified exports (匿名加工情報), pooled in PostgreSQL.

Importing this module is cheap; the first use of a name loads what it needs (SQLAlchemy,
psycopg for the registry).

Example::

    from exointake.registry import open_registry

    with open_registry("postgresql+psycopg://registry@db/registry") as reg:
        reg.import_export("exports/clinic-a")
        report = reg.signals()
"""

from __future__ import annotations

import typing

from . import _api

# --- builder B: the registry (import, rates, pooled signals) -------------------------
if typing.TYPE_CHECKING:  # what mypy reads; at run time these load on first use
    from ._registry import (
        ImportedExport,
        ImportResult,
        PooledRate,
        Registry,
        open_registry,
    )

# --- end builder B --------------------------------------------------------------------

__all__ = [
    # builder B
    "ImportResult",
    "ImportedExport",
    "PooledRate",
    "Registry",
    "open_registry",
]

_LAZY = {
    # builder B
    "ImportResult": "_registry",
    "ImportedExport": "_registry",
    "PooledRate": "_registry",
    "Registry": "_registry",
    "open_registry": "_registry",
}

_api.publish(__name__, globals(), [name for name in __all__ if name not in _LAZY])

if not typing.TYPE_CHECKING:  # mypy would otherwise accept any attribute of the module
    __getattr__ = _api.lazy_getattr(__name__, globals(), _LAZY)
__dir__ = _api.lazy_dir(globals(), _LAZY)
