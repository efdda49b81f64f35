"""Administration and reaction counts per day, route, origin and lot, for fast rate reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``log_admin_counts`` and fill it from the current administrations."""
    op.create_table(
        "log_admin_counts",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("route", sa.String(32), primary_key=True),
        sa.Column("origin", sa.String(32), primary_key=True),
        sa.Column("lot", sa.String(64), primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "log_reaction_counts",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("route", sa.String(32), primary_key=True),
        sa.Column("origin", sa.String(32), primary_key=True),
        sa.Column("lot", sa.String(64), primary_key=True),
        sa.Column("category", sa.String(16), primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_log_entries_kind_day", "log_entries", ["kind", "day"])
    op.execute(
        "INSERT INTO log_admin_counts (day, route, origin, lot, n) "
        "SELECT e.day, e.route, e.origin, e.lot, COUNT(*) FROM log_entries e "
        "WHERE e.kind = 'administration' AND NOT EXISTS ("
        "  SELECT 1 FROM log_entries newer WHERE newer.root_id = e.root_id AND newer.seq > e.seq"
        ") GROUP BY e.day, e.route, e.origin, e.lot"
    )
    op.execute(
        "INSERT INTO log_reaction_counts (day, route, origin, lot, category, n) "
        "SELECT a.day, a.route, a.origin, a.lot, r.category, COUNT(*) "
        "FROM log_entries r JOIN log_entries a ON a.root_id = r.administration_id "
        "WHERE r.kind = 'reaction' AND a.kind = 'administration' "
        "AND NOT EXISTS (SELECT 1 FROM log_entries n1 WHERE n1.root_id = r.root_id "
        "AND n1.seq > r.seq) "
        "AND NOT EXISTS (SELECT 1 FROM log_entries n2 WHERE n2.root_id = a.root_id "
        "AND n2.seq > a.seq) "
        "GROUP BY a.day, a.route, a.origin, a.lot, r.category"
    )


def downgrade() -> None:
    """Drop the counts (they are derived data)."""
    op.drop_index("ix_log_entries_kind_day", table_name="log_entries")
    op.drop_table("log_reaction_counts")
    op.drop_table("log_admin_counts")
