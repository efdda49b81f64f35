"""Alembic environment: runs on the connection exointake passes in (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from exointake._log._store import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - exointake always passes one
    raise RuntimeError("run migrations through `exointake log migrate` or exointake's API")

# The models' schema: what the migrations must produce (tests compare them).
context.configure(
    connection=connection, target_metadata=Base.metadata, transaction_per_migration=False
)
with context.begin_transaction():
    context.run_migrations()
