"""A multi-clinic registry: de-identified exports (匿名加工情報) pooled in PostgreSQL.

A clinic turns its log into an export with :func:`export_registry`: three CSV files
(cases, administrations, reactions) and a ``manifest.json`` it may hand to a registry —
pseudonyms by HMAC-SHA256 under a one-off export key, ages in bands, dates as year-months
and intervals, the clinic as a prefecture code, no free text nor direct identifier, and a
release gate (k distinct patients and l-diversity per group; generalisation, then
suppression) whose figures the manifest reports. A registry (:func:`open_registry`,
PostgreSQL) imports the exports of many clinics and gives pooled rates, lot signals and
the pooled view the pooled monthly safety report reads (:class:`PooledData`, also read
straight from export folders: a clinic previewing what it would send;
:func:`exointake.report.pooled_safety_report` renders it).
Importing this module is cheap; the first use of a name loads what it needs (SQLAlchemy,
psycopg for the registry). The guide "Pool data in a registry" explains the law.

Example::

    from exointake import open_log, registry

    with open_log("sqlite:///clinic.db", create=False) as log:
        registry.export_registry(log, clinic_id="C013-0001", region="13").write("out")

    with registry.open_registry("postgresql+psycopg://registry@db/registry") as reg:
        reg.import_export("out")
        report = reg.signals()
"""

from __future__ import annotations

import typing

from . import _api

if typing.TYPE_CHECKING:  # what mypy reads; at run time these load on first use
    from ._pooled import (
        PooledAdministration,
        PooledCase,
        PooledData,
        PooledExport,
        PooledReaction,
    )
    from ._registry import (
        ImportedExport,
        ImportResult,
        PooledRate,
        Registry,
        open_registry,
    )
    from ._registry_export import (
        ExportKey,
        GateReport,
        RegistryExport,
        export_registry,
        generate_export_key,
        load_export_key,
    )

__all__ = [
    "ExportKey",
    "GateReport",
    "ImportResult",
    "ImportedExport",
    "PooledAdministration",
    "PooledCase",
    "PooledData",
    "PooledExport",
    "PooledRate",
    "PooledReaction",
    "Registry",
    "RegistryExport",
    "export_registry",
    "generate_export_key",
    "load_export_key",
    "open_registry",
]

_LAZY = {
    "ExportKey": "_registry_export",
    "GateReport": "_registry_export",
    "ImportResult": "_registry",
    "ImportedExport": "_registry",
    "PooledAdministration": "_pooled",
    "PooledCase": "_pooled",
    "PooledData": "_pooled",
    "PooledExport": "_pooled",
    "PooledRate": "_registry",
    "PooledReaction": "_pooled",
    "Registry": "_registry",
    "RegistryExport": "_registry_export",
    "export_registry": "_registry_export",
    "generate_export_key": "_registry_export",
    "load_export_key": "_registry_export",
    "open_registry": "_registry",
}

_api.publish(__name__, globals(), [name for name in __all__ if name not in _LAZY])

if not typing.TYPE_CHECKING:  # mypy would otherwise accept any attribute of the module
    __getattr__ = _api.lazy_getattr(__name__, globals(), _LAZY)
__dir__ = _api.lazy_dir(globals(), _LAZY)
