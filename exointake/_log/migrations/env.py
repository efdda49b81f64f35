"""Alembic environment: runs on the connection exointake passes in (no alembic.ini)."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - exointake always passes one
    raise RuntimeError("run migrations through `exointake log migrate` or exointake's API")

context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
