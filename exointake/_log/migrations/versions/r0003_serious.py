"""A partial index of the reactions graded anaphylaxis or serious, for ``serious_cases``.

Without it the query reads every reaction row (and its payload) to keep a few percent.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SERIOUS_WHERE = "kind = 'reaction' AND (category = 'anaphylaxis' OR serious = true)"


def upgrade() -> None:
    """Create ``ix_log_entries_serious`` (partial, on ``seq``)."""
    op.create_index(
        "ix_log_entries_serious",
        "log_entries",
        ["seq"],
        sqlite_where=sa.text(SERIOUS_WHERE),
        postgresql_where=sa.text(SERIOUS_WHERE),
    )


def downgrade() -> None:
    """Drop ``ix_log_entries_serious``."""
    op.drop_index("ix_log_entries_serious", table_name="log_entries")
