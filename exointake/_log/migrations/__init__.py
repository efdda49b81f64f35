"""Alembic migrations of the reaction log (run with ``exointake log migrate``)."""
