"""The registry export's format: its files, their columns, the manifest's name and version.

The one place the exporter (:mod:`exointake._registry_export`), the registry
(:mod:`exointake._registry_store`) and the pooled report (:mod:`exointake._pooled`) take the
format from. Version 2 (the first released): no patient pseudonym and no days since a lot's
first use (see the guide "Pool data in a registry" for why).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = [
    "CLINIC_ID_PATTERN",
    "FILES",
    "FILE_COLUMNS",
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
]

FORMAT: Final = "exointake-registry-export"
FORMAT_VERSION: Final = 1
MANIFEST: Final = "manifest.json"
CLINIC_ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
"""A clinic's id in a registry: not secret, given by the registry (never the key's)."""

FILE_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "cases.csv": ("case_key", "age_band", "region", "period", "route"),
    "administrations.csv": (
        "case_key",
        "origin",
        "sourcing",
        "maker",
        "lot",
        "route",
        "site",
        "volume_ml",
    ),
    "reactions.csv": (
        "reaction_key",
        "case_key",
        "minutes_to_onset",
        "symptoms",
        "category",
        "event_kind",
        "ctcae_term",
        "ctcae_meddra_llt",
        "ctcae_grade",
        "brighton_level",
        "serious",
        "seriousness_criteria",
        "outcome",
        "causality",
    ),
}
"""Each CSV file's columns, in order."""
FILES: Final = (*FILE_COLUMNS, MANIFEST)
"""The four files of an export, and nothing else."""
