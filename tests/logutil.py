"""Helpers for the reaction-log tests: sample records and per-test databases."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from exointake._reactions import ReactionRecord
from exointake._records import Administration, ConsentRecord

ROOT = Path(__file__).resolve().parent.parent
LOG_EXAMPLES = ROOT / "examples" / "log"


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((LOG_EXAMPLES / f"{name}.json").read_text("utf-8"))
    return data


def administration(**changes: Any) -> Administration:
    data = example("administration")
    product = dict(data["product"])
    if "lot" in changes:
        product["lot"] = changes.pop("lot")
    if "origin" in changes:
        product["origin"] = changes.pop("origin")
    data["product"] = product
    data.update(changes)
    return Administration.from_dict(data)


def reaction(administration_id: str, *symptoms: Any, **changes: Any) -> ReactionRecord:
    data = example("reaction")
    data["administration_id"] = administration_id
    if symptoms:
        data["reaction"] = {"symptoms": list(symptoms), "onset_minutes": 30}
    data.update(changes)
    return ReactionRecord.from_dict(data)


def consent(**changes: Any) -> ConsentRecord:
    data = example("consent")
    data.update(changes)
    return ConsentRecord.from_dict(data)


@contextmanager
def pg_schema(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema for one test; yields a URL whose search_path is it."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    engine = sa.create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}options=-csearch_path%3D{name}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        engine.dispose()


def drop_guards(conn: sa.Connection) -> None:
    """Remove the log's triggers, as someone with full write access to the database can."""
    if conn.dialect.name == "sqlite":
        names = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        for (name,) in list(names):
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    elif conn.dialect.name == "postgresql":
        tables = set(sa.inspect(conn).get_table_names())
        for table in ("log_entries", "log_head"):
            if table in tables:
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")


def raw(url: str, sql: str, **params: Any) -> None:
    """Run SQL on the database behind the library's back (to simulate tampering).

    The log's guards (triggers refusing UPDATE and DELETE) are dropped first: they stop
    accidents, not someone who owns the database.
    """
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            drop_guards(conn)
            conn.execute(sa.text(sql), params)
    finally:
        engine.dispose()
