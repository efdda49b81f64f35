"""The hash-chained entry table and the chain head.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``log_entries`` and ``log_head`` (with the genesis head)."""
    op.create_table(
        "log_entries",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("entry_id", sa.String(32), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.Column("root_id", sa.String(32), nullable=False),
        sa.Column("amends", sa.String(32)),
        sa.Column("patient_id", sa.String(64)),
        sa.Column("administration_id", sa.String(32)),
        sa.Column("reaction_id", sa.String(32)),
        sa.Column("ref_id", sa.String(64)),
        sa.Column("lot", sa.String(64)),
        sa.Column("route", sa.String(32)),
        sa.Column("origin", sa.String(32)),
        sa.Column("day", sa.String(10)),
        sa.Column("category", sa.String(16)),
        sa.Column("serious", sa.Boolean),
        sa.Column("status", sa.String(16)),
        sa.Column("template_id", sa.String(64)),
        sa.Column("template_sha256", sa.String(64)),
    )
    op.create_index("ix_log_entries_root", "log_entries", ["root_id", "seq"])
    op.create_index("ix_log_entries_patient", "log_entries", ["patient_id", "kind"])
    op.create_index("ix_log_entries_lot", "log_entries", ["lot", "kind"])
    op.create_index("ix_log_entries_administration", "log_entries", ["administration_id"])
    op.create_index("ix_log_entries_reaction", "log_entries", ["reaction_id"])
    op.create_index("ix_log_entries_ref", "log_entries", ["ref_id"])
    head = op.create_table(
        "log_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "entry_hash": "0" * 64}])


def downgrade() -> None:
    """Drop the log (only for an empty database: the log is append-only)."""
    op.drop_table("log_head")
    op.drop_table("log_entries")
