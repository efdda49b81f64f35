"""A multi-clinic registry: the de-identified export (匿名加工情報) of a clinic's log.

:func:`export_registry` turns a log into three CSV files (cases, administrations,
reactions) and a ``manifest.json`` that a clinic may hand to a registry: pseudonyms by
HMAC-SHA256 under the clinic's :class:`ExportKey`, ages in bands, dates as year-months and
intervals, the clinic as a prefecture code, no free text nor direct identifier, and a
release gate (k distinct patients, l distinct reaction terms per group; generalisation,
then suppression) whose figures the manifest reports. Importing this module is cheap; the
first use loads the log (SQLAlchemy).

Example::

    from exointake import open_log, registry

    key = registry.load_export_key("clinic.key")
    with open_log("sqlite:///clinic.db", create=False) as log:
        registry.export_registry(log, key, region="13").write("registry-2026-11")
"""

from __future__ import annotations

import typing

from . import _api

if typing.TYPE_CHECKING:  # what mypy reads; at run time these load on first use
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
    "RegistryExport",
    "export_registry",
    "generate_export_key",
    "load_export_key",
]

_LAZY = {
    "ExportKey": "_registry_export",
    "GateReport": "_registry_export",
    "RegistryExport": "_registry_export",
    "export_registry": "_registry_export",
    "generate_export_key": "_registry_export",
    "load_export_key": "_registry_export",
}

_api.publish(__name__, globals(), [name for name in __all__ if name not in _LAZY])

if not typing.TYPE_CHECKING:  # mypy would otherwise accept any attribute of the module
    __getattr__ = _api.lazy_getattr(__name__, globals(), _LAZY)
__dir__ = _api.lazy_dir(globals(), _LAZY)
