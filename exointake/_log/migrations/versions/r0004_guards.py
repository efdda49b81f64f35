"""Database-level guards: entries can be appended, never updated or deleted; the head only advances.

Against accidents (a mistyped ``UPDATE``, a clean-up script, an ORM session gone wrong),
not against someone who can drop a trigger: signed checkpoints cover that case. On
SQLite, ``BEFORE UPDATE``/``BEFORE DELETE`` triggers raise ``ABORT``; on PostgreSQL,
row triggers raise an exception and a statement trigger refuses ``TRUNCATE``.
``log_head`` may only move forward (its ``seq`` grows, never shrinks) and never be
deleted. The count tables stay writable: they are derived data that ``verify`` re-checks.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ENTRIES = "log entries are append-only: UPDATE and DELETE are refused (exointake)"
_HEAD = "the log head only moves forward: it cannot be deleted or moved back (exointake)"

_SQLITE = (
    f"""CREATE TRIGGER IF NOT EXISTS exointake_entries_no_update BEFORE UPDATE ON log_entries
    BEGIN SELECT RAISE(ABORT, '{_ENTRIES}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS exointake_entries_no_delete BEFORE DELETE ON log_entries
    BEGIN SELECT RAISE(ABORT, '{_ENTRIES}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS exointake_head_no_delete BEFORE DELETE ON log_head
    BEGIN SELECT RAISE(ABORT, '{_HEAD}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS exointake_head_forward BEFORE UPDATE ON log_head
    WHEN NEW.seq < OLD.seq OR NEW.id <> OLD.id
    BEGIN SELECT RAISE(ABORT, '{_HEAD}'); END""",
)
_SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS exointake_entries_no_update",
    "DROP TRIGGER IF EXISTS exointake_entries_no_delete",
    "DROP TRIGGER IF EXISTS exointake_head_no_delete",
    "DROP TRIGGER IF EXISTS exointake_head_forward",
)

_POSTGRES = (
    f"""CREATE OR REPLACE FUNCTION exointake_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '{_ENTRIES}' USING ERRCODE = 'insufficient_privilege'; END $$""",
    f"""CREATE OR REPLACE FUNCTION exointake_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq OR NEW.id <> OLD.id THEN
        RAISE EXCEPTION '{_HEAD}' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$""",
    "DROP TRIGGER IF EXISTS exointake_entries_append_only ON log_entries",
    "DROP TRIGGER IF EXISTS exointake_entries_no_truncate ON log_entries",
    "DROP TRIGGER IF EXISTS exointake_head_forward ON log_head",
    "DROP TRIGGER IF EXISTS exointake_head_no_truncate ON log_head",
    """CREATE TRIGGER exointake_entries_append_only BEFORE UPDATE OR DELETE ON log_entries
    FOR EACH ROW EXECUTE FUNCTION exointake_refuse_change()""",
    """CREATE TRIGGER exointake_entries_no_truncate BEFORE TRUNCATE ON log_entries
    FOR EACH STATEMENT EXECUTE FUNCTION exointake_refuse_change()""",
    """CREATE TRIGGER exointake_head_forward BEFORE UPDATE OR DELETE ON log_head
    FOR EACH ROW EXECUTE FUNCTION exointake_head_forward()""",
    """CREATE TRIGGER exointake_head_no_truncate BEFORE TRUNCATE ON log_head
    FOR EACH STATEMENT EXECUTE FUNCTION exointake_refuse_change()""",
)
_POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS exointake_entries_append_only ON log_entries",
    "DROP TRIGGER IF EXISTS exointake_entries_no_truncate ON log_entries",
    "DROP TRIGGER IF EXISTS exointake_head_forward ON log_head",
    "DROP TRIGGER IF EXISTS exointake_head_no_truncate ON log_head",
    "DROP FUNCTION IF EXISTS exointake_refuse_change()",
    "DROP FUNCTION IF EXISTS exointake_head_forward()",
)


def _statements(create: bool) -> tuple[str, ...]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return _SQLITE if create else _SQLITE_DROP
    if dialect == "postgresql":
        return _POSTGRES if create else _POSTGRES_DROP
    return ()  # pragma: no cover - exointake supports SQLite and PostgreSQL only


def upgrade() -> None:
    """Install the triggers (idempotent: a database re-stamped to an older revision is fine)."""
    for sql in _statements(create=True):
        op.execute(sql)


def downgrade() -> None:
    """Remove the triggers."""
    for sql in _statements(create=False):
        op.execute(sql)
