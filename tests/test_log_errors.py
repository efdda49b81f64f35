"""Errors a caller of the log can act on: storage failures, unknown ids, bad arguments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

import exointake
from exointake import fhir
from exointake._errors import EntryNotFound, ExointakeError, StorageError, ValidationError
from exointake._log._core import Log, open_log

from .logutil import administration, pg_schema


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Log]:
    if request.param == "sqlite":
        with open_log(f"sqlite:///{tmp_path / 'clinic.db'}") as opened:
            yield opened
        return
    with pg_schema(request.getfixturevalue("pg_url")) as url, open_log(url) as opened:
        yield opened


class TestStorageError:
    def test_is_an_exointake_error_not_a_value_error(self) -> None:
        """A storage failure is not bad input: handlers mapping ValueError to 400 skip it."""
        assert issubclass(StorageError, ExointakeError)
        assert not issubclass(StorageError, ValueError)
        assert exointake.StorageError is StorageError

    @pytest.mark.postgres
    def test_wrong_database_name(self, pg_url: str) -> None:
        """A PostgreSQL database that does not exist is a StorageError, cause chained."""
        base = pg_url.rsplit("/", 1)[0]
        with pytest.raises(StorageError, match="cannot open the database") as info:
            open_log(f"{base}/no_such_database_exointake")
        assert info.value.__cause__ is not None
        assert "no_such_database" not in str(info.value)  # no connection parameters

    def test_database_down(self) -> None:
        """A server that does not answer is a StorageError, not a ValidationError."""
        with pytest.raises(StorageError) as info:
            open_log("postgresql+psycopg://nobody@127.0.0.1:1/clinic?connect_timeout=2")
        assert not isinstance(info.value, ValueError)
        assert info.value.__cause__ is not None

    def test_unopenable_file(self, tmp_path: Path) -> None:
        """A log "file" that is a folder cannot be opened or written: a StorageError."""
        folder = tmp_path / "clinic.db"
        folder.mkdir()
        with pytest.raises(StorageError, match="cannot open the database") as info:
            open_log(folder)
        assert info.value.__cause__ is not None

    def test_missing_folder(self, tmp_path: Path) -> None:
        """A log file in a folder that does not exist cannot be opened: a StorageError."""
        with pytest.raises(StorageError, match="cannot open the database"):
            open_log(tmp_path / "no" / "such" / "clinic.db")

    def test_bad_url_is_still_bad_input(self) -> None:
        """A malformed URL is the caller's mistake: a ValidationError naming ``db``."""
        with pytest.raises(ValidationError, match="db:"):
            open_log("notadriver+x://")


class TestGet:
    def test_unknown_id(self, log: Log) -> None:
        """get() of an unknown id raises EntryNotFound (a KeyError) naming the id."""
        with pytest.raises(EntryNotFound, match="entry_id: no entry nope in this log") as info:
            log.get("nope")
        assert isinstance(info.value, KeyError)
        assert info.value.entry_id == "nope"


class TestDates:
    def test_rates_take_iso_and_wareki(self, log: Log) -> None:
        """rates(since=...) takes ISO text and 和暦 like every date argument."""
        log.administer(administration())  # 2026-11-25 JST
        assert log.rates(since="2026-11-25").administrations == 1
        assert log.rates(since="令和8年11月26日").administrations == 0
        assert log.rates(until=dt.date(2026, 11, 24)).administrations == 0
        assert log.rates(since="2026-11-01").since == dt.date(2026, 11, 1)

    def test_rates_refuse_since_after_until(self, log: Log) -> None:
        """A period that ends before it starts is refused, not silently empty."""
        with pytest.raises(ValidationError, match="since: expected a day on or before until"):
            log.rates(since="2026-12-01", until="2026-11-01")

    def test_rates_refuse_what_is_not_a_date(self, log: Log) -> None:
        """Anything but a date is a ValidationError naming the argument."""
        with pytest.raises(ValidationError, match="until:"):
            log.rates(until=20261101)  # type: ignore[arg-type]

    def test_visit_bundles_since_text(self, log: Log) -> None:
        """fhir.visit_bundles(since=...) takes ISO text and 和暦 too."""
        log.administer(administration())
        assert len(fhir.visit_bundles(log, since="2026-11-25")) == 1
        assert fhir.visit_bundles(log, since="R8.11.26") == []
        with pytest.raises(ValidationError, match="since:"):
            fhir.visit_bundles(log, since="yesterday")


class TestVerifyArguments:
    @pytest.mark.parametrize("batch", [0, -5, True, 2.5, "10"])
    def test_bad_batch_is_refused(self, log: Log, batch: object) -> None:
        """verify(batch=...) takes a positive integer; anything else is refused up front."""
        log.administer(administration())
        with pytest.raises(ValidationError, match="batch: expected a positive integer"):
            log.verify(batch=batch)  # type: ignore[arg-type]

    def test_batch_of_one_verifies(self, log: Log) -> None:
        """The smallest page still walks the whole chain."""
        log.administer_many([administration(), administration()])
        assert log.verify(batch=1).ok
