"""Alembic environment of the registry: runs on the connection exointake passes in, with
its own version table (``registry_alembic_version``), beside a log's if they share a
database."""

from __future__ import annotations

from alembic import context

from exointake._registry_store import METADATA, VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - exointake always passes one
    raise RuntimeError("run the registry's migrations through exointake.registry.open_registry")

# The tables' schema: what the migrations must produce (tests compare them).
context.configure(
    connection=connection,
    target_metadata=METADATA,
    version_table=VERSION_TABLE,
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
