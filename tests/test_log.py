"""The reaction log: records, storage on SQLite and PostgreSQL, the hash chain, queries,
alerts, the consent gate, migrations, concurrency and crash safety."""

from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
import sqlite3
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import exointake
from exointake import strategies
from exointake._convert import canonical_json
from exointake._errors import (
    LogIntegrityError,
    MigrationRequired,
    ScreeningRefused,
    ValidationError,
)
from exointake._log._canon import canonical_encoder
from exointake._log._core import (
    Alert,
    Amendment,
    EntryKind,
    Log,
    LogEntry,
    administration_columns,
    derive_columns,
    iter_entries,
    migrate_log,
    open_log,
)
from exointake._log._store import Writer, create_engine_for, head_revision, migrate
from exointake._questionnaire import Questionnaire
from exointake._reactions import ReactionRecord
from exointake._records import Administration, FollowUp, ScreeningRecord
from exointake._screening import ScreeningResult, screen

from .conftest import SCREENING_DAY
from .logutil import administration, consent, example, pg_schema, raw, reaction

T0 = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)
TEMPLATES = {"exosome-consent": "c0ffee00" * 8}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'clinic.db'}"
        return
    base = request.getfixturevalue("pg_url")
    with pg_schema(base) as url:
        yield url


@pytest.fixture
def log(db_url: str) -> Iterator[Log]:
    with open_log(db_url) as opened:
        yield opened


def _state(url: str) -> list[tuple[Any, ...]]:
    """Everything stored, to compare before and after a refused write."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            out = [
                tuple(r)
                for r in conn.execute(sa.text("SELECT * FROM log_entries ORDER BY seq")).all()
            ]
            out += [tuple(r) for r in conn.execute(sa.text("SELECT * FROM log_head")).all()]
            out += [
                tuple(r)
                for r in conn.execute(
                    sa.text("SELECT * FROM log_admin_counts ORDER BY day, route, origin, lot")
                ).all()
            ]
        return out
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------- records


class TestRecords:
    @settings(max_examples=60, deadline=None)
    @given(strategies.administrations())
    def test_administration_round_trips(self, adm: Administration) -> None:
        """An administration survives to_dict/from_dict unchanged."""
        assert Administration.from_dict(json.loads(json.dumps(adm.to_dict()))) == adm

    @settings(max_examples=60, deadline=None)
    @given(strategies.reaction_records())
    def test_reaction_record_round_trips(self, rec: ReactionRecord) -> None:
        """A reaction record survives to_dict/from_dict unchanged."""
        assert ReactionRecord.from_dict(json.loads(json.dumps(rec.to_dict()))) == rec

    @settings(max_examples=80, deadline=None)
    @given(strategies.administrations())
    def test_fast_encoder_writes_canonical_json(self, adm: Administration) -> None:
        """The hot path's encoder writes exactly the converter's canonical JSON."""
        assert canonical_encoder(Administration)(adm) == canonical_json(adm.to_dict()).decode()

    @settings(max_examples=80, deadline=None)
    @given(strategies.administrations())
    def test_fast_columns_match_what_verify_derives(self, adm: Administration) -> None:
        """Query columns taken from the value equal those verify re-derives from the JSON."""
        payload = json.loads('{"record":' + canonical_encoder(Administration)(adm) + "}")
        fast = administration_columns(adm, "e1")
        derived = derive_columns("administration", "e1", "e1", payload)
        assert {k: v for k, v in derived.items() if v is not None} == fast

    def test_times_are_stored_in_utc(self) -> None:
        """A JST administration time is normalised to the same instant in UTC."""
        adm = administration(administered_at="2026-11-25T10:00:00+09:00")
        assert adm.administered_at == T0
        assert adm.administered_at.tzinfo is dt.UTC

    def test_bad_input_names_every_field(self) -> None:
        """Invalid JSON gives one ValidationError listing each field path."""
        data = example("administration")
        data["patient_id"] = "山田 太郎"
        data["volume_ml"] = 0
        data["administered_at"] = "2026-11-25T10:00:00"
        data["product"] = dict(data["product"], origin="placenta")
        with pytest.raises(ValidationError) as info:
            Administration.from_dict(data)
        paths = {e.split(":")[0] for e in info.value.errors}
        assert paths == {
            "administration.patient_id",
            "administration.volume_ml",
            "administration.administered_at",
            "administration.product.origin",
        }
        assert "山田" not in str(info.value)

    def test_python_construction_is_checked_too(self) -> None:
        """Building a record in Python runs the same checks as JSON input."""
        adm = administration()
        with pytest.raises(ValidationError, match="patient_id"):
            attrs.evolve(adm, patient_id="Taro Yamada")

    def test_note_never_in_repr(self) -> None:
        """A reaction's free-text note is stored but never shown in repr."""
        rec = reaction("a1")
        assert rec.note is not None
        assert rec.note not in repr(rec)
        assert "note" not in repr(rec)


# ---------------------------------------------------------------------------- append/read


class TestAppend:
    def test_administration_reads_back(self, log: Log) -> None:
        """An appended administration reads back equal, with its chain position."""
        adm = administration()
        entry_id = log.administer(adm)
        view = log.get(entry_id)
        assert view.current.record == adm
        assert view.current.kind is EntryKind.ADMINISTRATION
        assert view.current.seq == 1
        assert not view.amended

    def test_reaction_is_graded_with_the_route(self, log: Log) -> None:
        """A reaction is stored with the grade computed for its administration's route."""
        adm_id = log.administer(administration(route="iv_drip"))
        rid = log.record_reaction(reaction(adm_id))
        entry = log.get(rid).current
        assert entry.grade is not None
        assert entry.grade["category"] == "anaphylaxis"
        assert entry.grade["ctcae"]["term"] == "Anaphylaxis"
        assert entry.grade["route"] == "iv_drip"

    def test_reaction_for_unknown_administration_is_refused(self, log: Log, db_url: str) -> None:
        """A reaction pointing at no administration is refused and nothing is stored."""
        log.administer(administration())
        before = _state(db_url)
        with pytest.raises(ValidationError, match="administration_id"):
            log.record_reaction(reaction("0" * 32))
        assert _state(db_url) == before

    def test_reaction_before_administration_is_refused(self, log: Log) -> None:
        """A reaction whose onset precedes the administration is refused."""
        adm_id = log.administer(administration())
        with pytest.raises(ValidationError, match="onset"):
            log.record_reaction(reaction(adm_id, onset="2026-11-24T10:00:00+09:00"))
        assert len(log) == 1

    def test_wrong_type_is_refused(self, log: Log) -> None:
        """Passing a dict where a record is expected raises ValidationError."""
        with pytest.raises(ValidationError, match="administration"):
            log.administer(example("administration"))  # type: ignore[arg-type]

    def test_amendment_keeps_history(self, log: Log) -> None:
        """A correction is a new entry; the read gives the current version and all versions."""
        first = administration(lot="WRONG-LOT")
        adm_id = log.administer(first)
        fixed = administration(lot="UC-2026-118")
        new_id = log.amend(adm_id, fixed, reason="lot misread", amended_by="DR-007")
        view = log.get(adm_id)
        assert view.current.record == fixed
        assert [e.record for e in view.history] == [first, fixed]
        assert view.current.amendment is not None
        assert view.current.amendment.amends == adm_id
        assert log.get(new_id) == view
        assert "lot misread" not in repr(view)

    def test_amendment_moves_recall_and_counts(self, log: Log) -> None:
        """After a lot is corrected, recall and rates follow the current version."""
        adm_id = log.administer(administration(lot="WRONG-LOT"))
        log.amend(adm_id, administration(lot="RIGHT-LOT"), reason="typo", amended_by="DR-007")
        assert log.recall("WRONG-LOT").administrations == ()
        assert len(log.recall("RIGHT-LOT").administrations) == 1
        lots = {r.value: r.administrations for r in log.rates().rows if r.dimension == "lot"}
        assert lots == {"RIGHT-LOT": 1}
        assert log.verify().ok

    def test_only_current_version_can_be_amended(self, log: Log) -> None:
        """Amending a superseded version is refused (no silent overwrite)."""
        adm_id = log.administer(administration())
        log.amend(adm_id, administration(site="right forearm"), reason="x", amended_by="DR-1")
        with pytest.raises(ValidationError, match="already amended"):
            log.amend(adm_id, administration(site="left hand"), reason="y", amended_by="DR-1")

    def test_amendment_must_keep_the_kind(self, log: Log) -> None:
        """An administration cannot be 'corrected' into a reaction."""
        adm_id = log.administer(administration())
        with pytest.raises(ValidationError, match="not a reaction"):
            log.amend(adm_id, reaction(adm_id), reason="x", amended_by="DR-1")

    def test_interrupted_write_leaves_the_log_unchanged(
        self, log: Log, db_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A failure after the rows are sent but before commit rolls everything back."""
        log.administer(administration())
        before = _state(db_url)
        original = Writer.flush

        def flush_then_crash(self: Writer) -> None:
            original(self)
            raise KeyboardInterrupt

        monkeypatch.setattr(Writer, "flush", flush_then_crash)
        with pytest.raises(KeyboardInterrupt):
            log.administer_many([administration(), administration()])
        monkeypatch.undo()
        assert _state(db_url) == before
        assert log.verify().ok

    def test_batch_is_all_or_nothing(self, log: Log, db_url: str) -> None:
        """One invalid record in a batch stores none of the batch."""
        before = _state(db_url)
        with pytest.raises(ValidationError, match=r"administrations\[1\]"):
            log.administer_many([administration(), "not a record"])  # type: ignore[list-item]
        assert _state(db_url) == before

    @settings(
        max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(adms=st.lists(strategies.administrations(), min_size=1, max_size=5))
    def test_any_administration_round_trips_through_the_database(
        self, log: Log, adms: list[Administration]
    ) -> None:
        """Whatever valid administrations go in come back out equal, and the chain verifies."""
        ids = log.administer_many(adms)
        assert [log.get(i).current.record for i in ids] == adms
        assert log.verify().ok


# ---------------------------------------------------------------------------- verify


class TestVerify:
    def _filled(self, log: Log) -> list[str]:
        ids = [log.administer(administration(patient_id=f"P-{n}")) for n in range(5)]
        ids.append(log.record_reaction(reaction(ids[0])))
        return ids

    def test_untouched_log_verifies(self, log: Log) -> None:
        """A log written only through the library verifies, entry count and head included."""
        ids = self._filled(log)
        report = log.verify()
        assert report.ok
        assert report.entries == len(ids) == report.head_seq
        report.raise_if_broken()

    def test_empty_log_verifies(self, log: Log) -> None:
        """A brand-new log verifies."""
        assert log.verify().ok

    def test_edited_payload_is_detected(self, log: Log, db_url: str) -> None:
        """Editing an entry's content in SQL is reported at that entry."""
        ids = self._filled(log)
        raw(
            db_url,
            "UPDATE log_entries SET payload = REPLACE(payload, 'P-2', 'P-9') WHERE entry_id = :i",
            i=ids[2],
        )
        report = log.verify()
        assert not report.ok
        assert report.broken_entry_id == ids[2]
        with pytest.raises(LogIntegrityError) as info:
            report.raise_if_broken()
        assert info.value.entry_id == ids[2]

    def test_edited_query_column_is_detected(self, log: Log, db_url: str) -> None:
        """Changing a query column (so recall would miss a patient) is detected."""
        ids = self._filled(log)
        raw(db_url, "UPDATE log_entries SET lot = 'OTHER' WHERE entry_id = :i", i=ids[1])
        report = log.verify()
        assert (report.ok, report.broken_entry_id) == (False, ids[1])
        assert "lot" in (report.problem or "")

    def test_rehashed_edit_is_detected_by_the_next_link(self, log: Log, db_url: str) -> None:
        """An edit whose hash was recomputed still breaks the next entry's link."""
        ids = self._filled(log)
        raw(
            db_url,
            "UPDATE log_entries SET entry_hash = :h WHERE entry_id = :i",
            h="f" * 64,
            i=ids[1],
        )
        report = log.verify()
        assert not report.ok
        assert report.broken_entry_id == ids[1]

    def test_deleted_entry_is_detected(self, log: Log, db_url: str) -> None:
        """Deleting an entry in the middle is reported at the entry after the gap."""
        ids = self._filled(log)
        raw(db_url, "DELETE FROM log_entries WHERE entry_id = :i", i=ids[2])
        report = log.verify()
        assert (report.ok, report.broken_entry_id) == (False, ids[3])

    def test_deleted_tail_is_detected(self, log: Log, db_url: str) -> None:
        """Deleting the last entry is detected through the chain head."""
        ids = self._filled(log)
        raw(db_url, "DELETE FROM log_entries WHERE entry_id = :i", i=ids[-1])
        report = log.verify()
        assert not report.ok
        assert "removed" in (report.problem or "")

    def test_reordering_is_detected(self, log: Log, db_url: str) -> None:
        """Swapping two entries' positions is reported at the first of them."""
        ids = self._filled(log)
        raw(db_url, "UPDATE log_entries SET seq = -1 WHERE seq = 2")
        raw(db_url, "UPDATE log_entries SET seq = 2 WHERE seq = 3")
        raw(db_url, "UPDATE log_entries SET seq = 3 WHERE seq = -1")
        report = log.verify()
        assert (report.ok, report.broken_entry_id) == (False, ids[2])

    def test_forged_entry_is_detected(self, log: Log, db_url: str) -> None:
        """A row inserted at the end without moving the head is reported."""
        self._filled(log)
        raw(
            db_url,
            "INSERT INTO log_entries (seq, entry_id, kind, recorded_at, payload, prev_hash,"
            " entry_hash, root_id) SELECT seq + 1, 'forged', kind, recorded_at, payload,"
            " entry_hash, entry_hash, 'forged' FROM log_entries WHERE seq = 6",
        )
        report = log.verify()
        assert (report.ok, report.broken_entry_id) == (False, "forged")

    def test_edited_counts_are_detected(self, log: Log, db_url: str) -> None:
        """Changing the counts behind the rate report is detected."""
        self._filled(log)
        raw(db_url, "UPDATE log_admin_counts SET n = n + 1")
        report = log.verify()
        assert not report.ok
        assert "counts" in (report.problem or "")
        raw(db_url, "DELETE FROM log_admin_counts")
        assert "missing" in (log.verify().problem or "")

    def test_edited_reaction_counts_are_detected(self, log: Log, db_url: str) -> None:
        """Changing the reaction counts behind the rate report is detected."""
        self._filled(log)
        raw(db_url, "UPDATE log_reaction_counts SET category = 'local'")
        report = log.verify()
        assert not report.ok
        assert "reaction counts" in (report.problem or "")

    def test_verify_pages_through_long_chains(self, log: Log) -> None:
        """Verification in small pages checks every entry across page boundaries."""
        log.administer_many([administration() for _ in range(25)])
        report = log.verify(batch=4)
        assert report.ok
        assert report.entries == 25


# ---------------------------------------------------------------------------- queries


class TestQueries:
    def test_reactions_for_patient(self, log: Log) -> None:
        """Only the patient's own reactions are returned, current versions only."""
        a = log.administer(administration(patient_id="P-A"))
        b = log.administer(administration(patient_id="P-B"))
        ra = log.record_reaction(reaction(a, "redness"))
        log.record_reaction(reaction(b, "redness"))
        fixed = log.amend(ra, reaction(a, "swelling"), reason="x", amended_by="NS-1")
        got = log.reactions_for_patient("P-A")
        assert [e.entry_id for e in got] == [fixed]
        assert [e.entry_id for e in log.administrations_for_patient("P-B")] == [b]

    def test_recall_finds_every_administration_and_reaction_of_a_lot(self, log: Log) -> None:
        """A lot recall lists the lot's administrations, patients and reactions only."""
        a1 = log.administer(administration(patient_id="P-1", lot="LOT-A"))
        a2 = log.administer(administration(patient_id="P-2", lot="LOT-A"))
        b1 = log.administer(administration(patient_id="P-3", lot="LOT-B"))
        r1 = log.record_reaction(reaction(a2, "rash"))
        log.record_reaction(reaction(b1, "rash"))
        recall = log.recall("LOT-A")
        assert {e.entry_id for e in recall.administrations} == {a1, a2}
        assert [e.entry_id for e in recall.reactions] == [r1]
        assert recall.patient_ids == ("P-1", "P-2")
        assert recall.to_dict()["lot"] == "LOT-A"

    def test_rates_per_thousand(self, log: Log) -> None:
        """Rates divide reactions by administrations per route, origin and lot."""
        ids = log.administer_many(
            [administration(route="iv_drip", lot="L1") for _ in range(4)]
            + [administration(route="injection_face", lot="L2", origin="adipose")]
        )
        log.record_reaction(reaction(ids[0], "redness"))
        log.record_reaction(reaction(ids[1], "hypotension", "urticaria"))
        report = log.rates()
        assert (report.administrations, report.reactions) == (5, 2)
        rows = {(r.dimension, r.value): r for r in report.rows}
        assert rows["route", "iv_drip"].per_1000 == 500.0
        assert rows["route", "iv_drip"].by_category["anaphylaxis"] == 1
        assert rows["route", "injection_face"].per_1000 == 0.0
        assert rows["lot", "L2"].administrations == 1
        assert rows["origin", "adipose"].reactions == 0
        assert report.by_category == {"local": 1, "allergy": 0, "anaphylaxis": 1}

    def test_infections_and_needle_events_have_their_own_columns(self, log: Log) -> None:
        """Infections and needle-related events count per 1,000 in their own columns, per
        lot too (contamination clusters by lot), and never in an article category."""
        ids = log.administer_many(
            [administration(route="injection_scalp", lot="L1") for _ in range(4)]
            + [administration(route="injection_scalp", lot="L2")]
        )
        log.record_reaction(reaction(ids[0], "cellulitis", "redness"))
        log.record_reaction(reaction(ids[1], "cellulitis"))
        log.record_reaction(reaction(ids[2], "syncope"))
        log.record_reaction(reaction(ids[4], "hypotension"))  # isolated hypotension
        report = log.rates()
        assert report.reactions == 4
        assert report.by_category == {"local": 0, "allergy": 0, "anaphylaxis": 0}
        assert report.by_event == {"infection": 2, "needle_related": 2, "other": 0}
        assert report.per_1000_by_event["infection"] == 400.0
        rows = {(r.dimension, r.value): r for r in report.rows}
        assert rows["lot", "L1"].by_event["infection"] == 2
        assert rows["lot", "L1"].per_1000_by_event["infection"] == 500.0
        assert rows["lot", "L2"].by_event == {"infection": 0, "needle_related": 1, "other": 0}
        assert report.to_dict()["rows"][0]["per_1000_by_event"]
        assert [e.root_id for e in log.recall("L1").infections] == [
            e.root_id for e in log.recall("L1").reactions[:2]
        ]
        assert len(log.recall("L1").to_dict()["infections"]) == 2
        assert log.recall("L2").infections == ()
        assert log.verify().ok

    def test_serious_infection_alerts(self, log: Log) -> None:
        """A serious infection raises an alert like anaphylaxis does, naming its kind and no
        article category."""
        seen: list[Any] = []
        log.on_alert(seen.append)
        adm = log.administer(administration(lot="L1"))
        severe = reaction(adm, "sepsis")
        log.record_reaction(severe)
        (alert,) = seen
        assert (alert.category, alert.serious, alert.event_kind) == (None, True, "infection")

    def test_regrade_is_a_logged_amendment(self, log: Log) -> None:
        """A stored grade stays as graded; re-grading appends an amendment with a reason."""
        adm = log.administer(administration(lot="L1"))
        rid = log.record_reaction(reaction(adm, "redness"))
        first = log.get(rid).current
        new_id = log.regrade(rid, reason="table revision r2", amended_by="DR-1")
        view = log.get(rid)
        assert view.history[0].grade == first.grade
        assert view.current.entry_id == new_id
        assert view.current.amendment is not None
        assert view.current.amendment.amended_by == "DR-1"
        assert view.current.record == first.record
        with pytest.raises(ValidationError, match="not a reaction"):
            log.regrade(adm, reason="x", amended_by="DR-1")
        assert log.verify().ok

    def test_rates_follow_amendments(self, log: Log) -> None:
        """Correcting a reaction's grade or its administration's lot moves its count."""
        adm = log.administer(administration(lot="L1"))
        rid = log.record_reaction(reaction(adm, "redness"))
        log.amend(rid, reaction(adm, "hypotension", "urticaria"), reason="x", amended_by="DR-1")
        log.amend(adm, administration(lot="L2"), reason="y", amended_by="DR-1")
        report = log.rates()
        rows = {(r.dimension, r.value): r for r in report.rows}
        assert report.by_category == {"local": 0, "allergy": 0, "anaphylaxis": 1}
        assert ("lot", "L1") not in rows
        assert rows["lot", "L2"].by_category["anaphylaxis"] == 1
        assert log.verify().ok

    def test_rates_over_a_period(self, log: Log) -> None:
        """A period selects administrations by JST date; their reactions follow them."""
        old = log.administer(administration(administered_at="2026-10-01T10:00:00+09:00"))
        log.administer(administration(administered_at="2026-11-25T00:30:00+09:00"))
        log.record_reaction(reaction(old, "redness", onset="2026-10-01T11:00:00+09:00"))
        report = log.rates(since=dt.date(2026, 11, 25))
        assert (report.administrations, report.reactions) == (1, 0)
        report = log.rates(until=dt.date(2026, 10, 31))
        assert (report.administrations, report.reactions) == (1, 1)

    def test_open_follow_ups_and_serious_cases(self, log: Log) -> None:
        """The latest follow-up decides if a reaction is open; serious cases are listed."""
        adm = log.administer(administration())
        serious = log.record_reaction(reaction(adm))
        mild = log.record_reaction(reaction(adm, "redness"))
        on = "2026-11-25T12:00:00Z"
        log.follow_up(
            FollowUp.from_dict(
                {
                    "reaction_id": serious,
                    "status": "open",
                    "recorded_by": "NS-1",
                    "on": on,
                    "due_on": "2026-11-26",
                }
            )
        )
        log.follow_up(
            FollowUp.from_dict(
                {"reaction_id": mild, "status": "open", "recorded_by": "NS-1", "on": on}
            )
        )
        log.follow_up(
            FollowUp.from_dict(
                {"reaction_id": mild, "status": "closed", "recorded_by": "NS-1", "on": on}
            )
        )
        assert [e.record.reaction_id for e in log.open_follow_ups()] == [serious]
        assert [e.entry_id for e in log.serious_cases()] == [serious]

    def test_entries_read_back_hold_the_logged_values(self, log: Log) -> None:
        """An entry read back holds the logged record, grade and amendment, whichever
        field is read first, and equals, reprs and unstructures like one built eagerly."""
        adm = log.administer(administration())
        first = log.record_reaction(reaction(adm, "redness"))
        fixed = reaction(adm, "hypotension", "dyspnea")
        log.amend(first, fixed, reason="typo", amended_by="DR-1")
        eager = _eager(log.serious_cases()[0])
        assert eager.record == fixed
        assert eager.amendment == Amendment(amends=first, amended_by="DR-1", reason="typo")
        assert eager.grade is not None
        assert eager.grade["category"] == "anaphylaxis"
        for read_first in ("record", "grade", "amendment", "repr", "to_dict", "eq"):
            [entry] = log.serious_cases()
            if read_first in ("record", "grade", "amendment"):
                getattr(entry, read_first)
            elif read_first == "repr":
                assert repr(entry) == repr(eager)
            elif read_first == "to_dict":
                assert entry.to_dict() == eager.to_dict()
            assert entry == eager
            assert (entry.record, entry.grade, entry.amendment) == (
                eager.record,
                eager.grade,
                eager.amendment,
            )
        [entry] = log.serious_cases()
        assert "_payload" not in entry.to_dict()
        assert attrs.evolve(entry, seq=99) == attrs.evolve(eager, seq=99)
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            entry.nope  # type: ignore[attr-defined]  # noqa: B018

    def test_any_version_id_links_to_the_entry(self, log: Log) -> None:
        """Records may point at any version of an entry; queries follow the original."""
        first = log.administer(administration(lot="LOT-X"))
        second = log.amend(
            first, administration(lot="LOT-X", site="cheek"), reason="x", amended_by="DR-1"
        )
        rid = log.record_reaction(reaction(second, "redness"))
        assert [e.entry_id for e in log.recall("LOT-X").reactions] == [rid]
        fixed = log.amend(rid, reaction(first, "swelling"), reason="y", amended_by="NS-1")
        log.follow_up(
            FollowUp.from_dict(
                {
                    "reaction_id": fixed,
                    "status": "open",
                    "recorded_by": "NS-1",
                    "on": "2026-11-25T12:00:00Z",
                }
            )
        )
        log.follow_up(
            FollowUp.from_dict(
                {
                    "reaction_id": rid,
                    "status": "closed",
                    "recorded_by": "NS-1",
                    "on": "2026-11-25T13:00:00Z",
                }
            )
        )
        assert log.open_follow_ups() == []
        assert log.rates().reactions == 1
        assert log.verify().ok

    def test_follow_up_needs_a_reaction(self, log: Log) -> None:
        """A follow-up pointing at an administration (not a reaction) is refused."""
        adm = log.administer(administration())
        with pytest.raises(ValidationError, match="reaction_id"):
            log.follow_up(
                FollowUp.from_dict(
                    {
                        "reaction_id": adm,
                        "status": "open",
                        "recorded_by": "NS-1",
                        "on": "2026-11-25T12:00:00Z",
                    }
                )
            )


# ---------------------------------------------------------------------------- alerts


class TestAlerts:
    def test_anaphylaxis_alerts_after_commit(self, log: Log) -> None:
        """An anaphylaxis reaction calls every callback once, after it is readable."""
        seen: list[tuple[Alert, int]] = []
        log.on_alert(lambda alert: seen.append((alert, len(log.reactions_for_patient("P-000123")))))
        adm = log.administer(administration())
        rid = log.record_reaction(reaction(adm))
        assert len(seen) == 1
        alert, visible = seen[0]
        assert visible == 1
        assert (alert.reaction_id, alert.category, alert.serious) == (rid, "anaphylaxis", True)

    def test_local_reaction_does_not_alert(self, log: Log) -> None:
        """A non-serious local reaction calls no callback."""
        seen: list[Alert] = []
        log.on_alert(seen.append)
        adm = log.administer(administration())
        log.record_reaction(reaction(adm, "redness"))
        assert seen == []

    def test_failing_callback_never_loses_the_entry(
        self, log: Log, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A callback that raises is logged with ids only; the entry and later callbacks stay."""
        seen: list[Alert] = []

        @log.on_alert
        def broken(alert: Alert) -> None:
            raise RuntimeError("secret patient detail")

        log.on_alert(seen.append)
        adm = log.administer(administration())
        with caplog.at_level(logging.ERROR, logger="exointake.log"):
            rid = log.record_reaction(reaction(adm))
        assert log.get(rid).current.entry_id == rid
        assert len(seen) == 1
        assert rid in caplog.text
        assert "secret" not in caplog.text
        assert "adrenaline" not in caplog.text


# ---------------------------------------------------------------------------- consent


class TestConsent:
    def test_recording_is_idempotent(self, log: Log) -> None:
        """Recording the same consent twice stores it once."""
        c = consent()
        assert log.record_consent(c) == c.consent_id
        assert log.record_consent(c) == c.consent_id
        assert len(log) == 1
        assert log.consent(c.consent_id) == c

    def test_conflicting_consent_id_is_refused(self, log: Log) -> None:
        """A different record under an existing consent id is refused."""
        log.record_consent(consent())
        with pytest.raises(ValidationError, match="consent_id"):
            log.record_consent(consent(pdf_sha256="1" * 64))

    def test_current_consent_allows_administration(self, log: Log) -> None:
        """An administration relying on a consent on the current template goes through."""
        log.record_consent(consent())
        log.administer(administration(), current_consent_templates=TEMPLATES)
        assert len(log) == 2

    def test_outdated_template_refuses_administration(self, log: Log, db_url: str) -> None:
        """A consent on an older template version refuses the next administration."""
        log.record_consent(consent())
        before = _state(db_url)
        with pytest.raises(ScreeningRefused, match="consent again"):
            log.administer(
                administration(), current_consent_templates={"exosome-consent": "e" * 64}
            )
        assert _state(db_url) == before

    def test_missing_or_foreign_consent_refuses(self, log: Log) -> None:
        """An unrecorded consent, or another patient's, refuses the administration."""
        with pytest.raises(ScreeningRefused, match="not recorded"):
            log.administer(administration(), current_consent_templates=TEMPLATES)
        log.record_consent(consent(patient_id="P-OTHER"))
        with pytest.raises(ScreeningRefused, match="belongs to patient"):
            log.administer(administration(), current_consent_templates=TEMPLATES)

    def test_consents_needing_reconsent(self, log: Log) -> None:
        """Each patient's latest consent on a changed (or retired) template is listed."""
        log.record_consent(consent(consent_id="C-1", patient_id="P-1"))
        log.record_consent(consent(consent_id="C-2", patient_id="P-2"))
        log.record_consent(
            consent(
                consent_id="C-3",
                patient_id="P-2",
                template_version="2",
                template_sha256="2" * 64,
                rendered_at="2026-11-26T09:00:00+09:00",
            )
        )
        current = {"exosome-consent": "2" * 64}
        assert [c.consent_id for c in log.consents_needing_reconsent(current)] == ["C-1"]
        assert [c.consent_id for c in log.consents_needing_reconsent({})] == ["C-1", "C-3"]

    def test_screening_is_recorded_once(
        self, log: Log, questionnaire: Questionnaire, clear_answers: dict[str, Any]
    ) -> None:
        """A real screening result is stored with its id and decision, once per patient."""
        result = screen(questionnaire.answers(clear_answers), "injection_face", on=SCREENING_DAY)
        rec = ScreeningRecord.from_result(result, patient_id="P-1")
        assert log.record_screening(rec) == result.result_id
        log.record_screening(rec)
        assert len(log) == 1
        stored = log.get(next(iter_entries(log)).entry_id).current.record
        assert ScreeningResult.from_dict(stored.result) == result
        assert stored.decision == result.decision.value

    def test_screening_record_must_match_its_id(self) -> None:
        """A screening record whose id is not its content's SHA-256 is refused."""
        with pytest.raises(ValidationError, match="result_id"):
            ScreeningRecord(patient_id="P-1", result_id="r1", decision="clear", result={})


# ---------------------------------------------------------------------------- migrations


class TestMigrations:
    def test_new_database_is_created(self, db_url: str) -> None:
        """Opening a brand-new empty database creates the log in it."""
        with open_log(db_url) as log:
            assert log.verify().ok

    def test_create_false_refuses_an_empty_database(self, db_url: str) -> None:
        """With create=False an empty database asks for a migration."""
        with pytest.raises(MigrationRequired, match="exointake log migrate"):
            open_log(db_url, create=False)

    def test_old_database_requires_migration(self, db_url: str) -> None:
        """A database at an older revision is refused, then migrated, keeping its entries."""
        engine = create_engine_for(db_url)
        migrate(engine, "0001")
        engine.dispose()
        with pytest.raises(MigrationRequired, match="exointake log migrate"):
            open_log(db_url)
        before, after = migrate_log(db_url)
        assert (before, after) == ("0001", head_revision())
        with open_log(db_url) as log:
            log.administer(administration())
            assert log.verify().ok

    def test_counts_are_backfilled_by_the_migration(self, db_url: str) -> None:
        """Upgrading fills the per-day counts from the administrations already logged."""
        with open_log(db_url) as log:
            log.administer_many([administration(), administration()])
        log_ids = []
        with open_log(db_url) as log:
            log_ids = log.administer_many([administration()])
            log.record_reaction(reaction(log_ids[0], "rash"))
        raw(db_url, "DROP TABLE log_admin_counts")
        raw(db_url, "DROP TABLE log_reaction_counts")
        raw(db_url, "DROP INDEX ix_log_entries_kind_day")
        raw(db_url, "DROP INDEX ix_log_entries_serious")
        raw(db_url, "UPDATE alembic_version SET version_num = '0001'")
        migrate_log(db_url)
        with open_log(db_url) as log:
            assert (log.rates().administrations, log.rates().reactions) == (3, 1)
            assert log.verify().ok

    def test_newer_database_is_refused(self, db_url: str) -> None:
        """A database migrated by a newer exointake is refused, not touched."""
        open_log(db_url).close()
        raw(db_url, "UPDATE alembic_version SET version_num = '9999'")
        with pytest.raises(MigrationRequired, match="newer"):
            open_log(db_url)

    def test_foreign_tables_are_not_touched(self, db_url: str) -> None:
        """Log tables without a migration record are refused, never altered."""
        raw(db_url, "CREATE TABLE log_entries (x INTEGER)")
        with pytest.raises(MigrationRequired, match="not made by"):
            open_log(db_url)


# ---------------------------------------------------------------------------- concurrency


def _writer(url: str, worker: int, n: int) -> None:
    with open_log(url) as log:
        for i in range(n):
            adm_id = log.administer(administration(patient_id=f"W{worker}-{i}"))
            if i % 5 == 0:
                log.record_reaction(reaction(adm_id, "redness"))


def _reporting_writer(url: str, worker: int, n: int, error_file: str) -> None:
    """``_writer``, leaving its traceback in ``error_file`` if it fails (for the test's message)."""
    try:
        _writer(url, worker, n)
    except BaseException:
        Path(error_file).write_text(traceback.format_exc())
        raise


def _batch_writer(url: str, ready: Any) -> None:
    with open_log(url) as log:
        batch = [administration(patient_id=f"K-{i}") for i in range(BATCH)]
        ready.set()
        while True:
            log.administer_many(batch)


BATCH = 2000


@pytest.mark.slow
class TestConcurrency:
    WORKERS = 4
    EACH = 15

    def test_processes_appending_at_once_keep_one_chain(self, db_url: str) -> None:
        """Several processes appending together lose nothing and leave one valid chain."""
        open_log(db_url).close()  # create the schema once, as a clinic would
        ctx = multiprocessing.get_context("spawn")
        procs = [
            ctx.Process(target=_writer, args=(db_url, w, self.EACH)) for w in range(self.WORKERS)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(120)
        assert [p.exitcode for p in procs] == [0] * self.WORKERS
        with open_log(db_url) as log:
            report = log.verify()
            assert report.ok, report
            reactions = self.WORKERS * len(range(0, self.EACH, 5))
            assert report.entries == self.WORKERS * self.EACH + reactions
            assert log.rates().administrations == self.WORKERS * self.EACH

    def test_processes_creating_a_new_database_at_once(self, db_url: str, tmp_path: Path) -> None:
        """Processes opening the same brand-new database together create it once."""
        ctx = multiprocessing.get_context("spawn")
        errors = [tmp_path / f"writer-{w}.err" for w in range(3)]
        procs = [
            ctx.Process(target=_reporting_writer, args=(db_url, w, 2, str(errors[w])))
            for w in range(3)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(180)
        reports = [e.read_text() for e in errors if e.exists()]
        assert [p.exitcode for p in procs] == [0] * 3, reports
        with open_log(db_url) as log:
            assert log.verify().ok

    def test_killed_writer_leaves_whole_batches_only(self, db_url: str) -> None:
        """A process killed mid-write leaves only whole batches and a valid chain."""
        open_log(db_url).close()
        ctx = multiprocessing.get_context("spawn")
        ready = ctx.Event()
        proc = ctx.Process(target=_batch_writer, args=(db_url, ready))
        proc.start()
        assert ready.wait(60)
        time.sleep(1.5)
        proc.kill()
        proc.join(30)
        with open_log(db_url) as log:
            report = log.verify()
            assert report.ok, report
            assert report.entries % BATCH == 0
            assert log.rates().administrations == report.entries


class TestForeignFiles:
    def test_foreign_sqlite_file_left_untouched(self, tmp_path: Path) -> None:
        """Another application's SQLite file, opened without create, is refused unchanged."""
        path = tmp_path / "other.db"
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE patients (id INTEGER)")
        conn.close()
        before = path.read_bytes()
        with pytest.raises(exointake.MigrationRequired):
            open_log(path, create=False)
        assert path.read_bytes() == before  # not even switched to WAL

    def test_missing_file_not_created_without_create(self, tmp_path: Path) -> None:
        """create=False on a missing file is an error and leaves no empty file behind."""
        path = tmp_path / "nope.db"
        with pytest.raises(exointake.MigrationRequired, match="no database at"):
            open_log(path, create=False)
        assert not path.exists()


def _eager(entry: LogEntry) -> LogEntry:
    """A copy of ``entry`` built through ``LogEntry``'s constructor, every field given."""
    return LogEntry(**{a.alias: getattr(entry, a.name) for a in attrs.fields(LogEntry) if a.init})
