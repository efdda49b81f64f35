"""The log's migrations produce exactly the models' schema, and old logs migrate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from exointake._log._core import migrate_log, open_log
from exointake._log._store import Base, create_engine_for, head_revision, migrate

from .logutil import administration, pg_schema, reaction


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'clinic.db'}"
        return
    with pg_schema(request.getfixturevalue("pg_url")) as url:
        yield url


def _differences(url: str) -> list[object]:
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


class TestSchema:
    def test_migrations_give_exactly_the_models_schema(self, db_url: str) -> None:
        """Running every migration yields the tables, columns, types and indexes of the models."""
        migrate_log(db_url)
        assert _differences(db_url) == []

    def test_drift_is_detected(self, db_url: str) -> None:
        """The comparison is not vacuous: an index missing from the database is reported."""
        migrate_log(db_url)
        engine = create_engine_for(db_url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP INDEX ix_log_entries_serious"))
        engine.dispose()
        diffs = _differences(db_url)
        assert any("ix_log_entries_serious" in repr(d) for d in diffs)


class TestSeriousIndex:
    def test_log_at_0002_migrates_and_keeps_its_serious_cases(self, db_url: str) -> None:
        """A log made before the serious-cases index migrates to it; the query finds the same."""
        engine = create_engine_for(db_url)
        migrate(engine, "0002")
        engine.dispose()
        with pytest.raises(Exception, match="exointake log migrate"):
            open_log(db_url)
        assert migrate_log(db_url) == ("0002", head_revision())
        with open_log(db_url) as log:
            ids = log.administer_many([administration(), administration(), administration()])
            log.record_reaction(reaction(ids[0], "rash"))
            serious = log.record_reaction(reaction(ids[1], "hypotension", "dyspnea"))
            assert [e.root_id for e in log.serious_cases()] == [serious]
            assert log.verify().ok
