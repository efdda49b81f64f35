"""The registry's tables: imported exports and the cases, administrations and reactions
of each clinic's current export, every table keyed first by ``clinic_id`` (the
distribution column a sharding extension such as Citus would use).

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Rows loaded by COPY take their clinic from the transaction's setting (SET LOCAL), so
# the CSV lines load unchanged and no second pass fills the column.
_CLINIC_DEFAULT = sa.text("current_setting('exointake.registry_clinic_id')")

_ROUTE_CHECK = "route IN ('iv_drip', 'injection_face', 'injection_scalp')"


def _clinic() -> sa.Column[str]:
    return sa.Column("clinic_id", sa.Text, nullable=False, server_default=_CLINIC_DEFAULT)


def upgrade() -> None:
    """Create ``registry_exports``, the three data tables and ``registry_strata``."""
    op.create_table(
        "registry_exports",
        sa.Column("clinic_id", sa.Text, nullable=False),
        sa.Column("manifest_sha256", sa.Text, nullable=False),
        sa.Column("head_seq", sa.BigInteger, nullable=False),
        sa.Column("head_hash", sa.Text, nullable=False),
        sa.Column("region", sa.Text, nullable=False),
        sa.Column("manifest", postgresql.JSONB, nullable=False),
        sa.Column("imported_at", sa.Text, nullable=False),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", "manifest_sha256"),
    )
    op.create_table(
        "registry_cases",
        _clinic(),
        sa.Column("case_key", sa.Text, nullable=False),
        sa.Column("age_band", sa.Text, nullable=False),
        sa.Column("region", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("route", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", "case_key"),
        sa.CheckConstraint(
            r"period ~ '^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])$'", name="ck_registry_cases_period"
        ),
        sa.CheckConstraint(_ROUTE_CHECK, name="ck_registry_cases_route"),
    )
    op.create_table(
        "registry_administrations",
        _clinic(),
        sa.Column("case_key", sa.Text, nullable=False),
        sa.Column("origin", sa.Text),
        sa.Column("sourcing", sa.Text),
        sa.Column("maker", sa.Text),
        sa.Column("lot", sa.Text),
        sa.Column("route", sa.Text, nullable=False),
        sa.Column("site", sa.Text),
        sa.Column("volume_ml", sa.Numeric),
        sa.PrimaryKeyConstraint("clinic_id", "case_key"),
        sa.CheckConstraint(_ROUTE_CHECK, name="ck_registry_administrations_route"),
    )
    op.create_table(
        "registry_reactions",
        _clinic(),
        sa.Column("reaction_key", sa.Text, nullable=False),
        sa.Column("case_key", sa.Text, nullable=False),
        sa.Column("minutes_to_onset", sa.Integer),
        sa.Column("symptoms", sa.Text),
        sa.Column("category", sa.Text),
        sa.Column("event_kind", sa.Text),
        sa.Column("ctcae_term", sa.Text),
        sa.Column("ctcae_meddra_llt", sa.Text),
        sa.Column("ctcae_grade", sa.SmallInteger),
        sa.Column("brighton_level", sa.SmallInteger),
        sa.Column("serious", sa.Boolean),
        sa.Column("seriousness_criteria", sa.Text),
        sa.Column("outcome", sa.Text),
        sa.Column("causality", sa.Text),
        sa.PrimaryKeyConstraint("clinic_id", "reaction_key"),
    )
    op.create_table(
        "registry_strata",
        sa.Column("clinic_id", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("route", sa.Text, nullable=False),
        sa.Column("lot", sa.Text, nullable=False),
        sa.Column("administrations", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", "period", "route", "lot"),
    )


def downgrade() -> None:
    """Drop the registry's tables."""
    for table in (
        "registry_strata",
        "registry_reactions",
        "registry_administrations",
        "registry_cases",
        "registry_exports",
    ):
        op.drop_table(table)
