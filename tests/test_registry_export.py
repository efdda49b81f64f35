"""The de-identified registry export (issue 14): what leaves the clinic, the release gate,
determinism and key separation, the files and the manifest. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import exointake
from exointake import ValidationError, open_log, registry
from exointake import _registry_export as rx
from exointake._registry_gate import GateRun

from .logutil import BYPASS, administration, pg_schema, reaction
from .registryutil import (
    JST,
    LOTS,
    MAKERS,
    T0,
    Clinic,
    Logged,
    Patient,
    Visit,
    big_clinic,
    blanking_problems,
    brute_force,
    clinics,
    fill,
    patient_of,
    pseudonym,
    read_csv,
    secrets_of,
)

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "registry-manifest.schema.json").read_text("utf-8"))
KEY = registry.ExportKey(bytes(range(32)))
OTHER_KEY = registry.ExportKey(bytes(range(1, 33)))
CLINIC = "C013-0001"
NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
"""The tests' clock: November 2026 is the open month, October the last complete one."""
PROPERTY = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'clinic.db'}"
        return
    base = request.getfixturevalue("pg_url")
    with pg_schema(base) as url:
        yield url


_COUNTER = iter(range(10**9))


def logged_export(
    tmp_path: Path,
    clinic: Clinic,
    *,
    k: int = 5,
    l: int = 2,  # noqa: E741 - the l of l-diversity
    key: Any = KEY,
) -> tuple[Logged, registry.RegistryExport, str]:
    url = f"sqlite:///{tmp_path / f'c{next(_COUNTER)}.db'}"
    with open_log(url, clock=lambda: NOW) as log:
        logged = fill(log, clinic)
        export = registry.export_registry(log, key, clinic_id=CLINIC, region="13", k=k, l=l)
    return logged, export, url


def logged_values(logged: Logged, key: bytes = KEY.secret) -> dict[str, dict[str, str]]:
    """case key -> the product values as logged and normalised (lot, maker, volume)."""
    out = {}
    for root, (_patient, _at, lot) in logged.administrations.items():
        maker = next(m for lt, m in zip(LOTS, MAKERS, strict=True) if lt == lot)
        out[pseudonym(key, "case", root)] = {
            "lot": rx._nfkc(lot),
            "maker": rx._nfkc(maker),
            "volume_ml": "2.5",
        }
    return out


def expected_minutes(adm_at: dt.datetime, onset: dt.datetime) -> str:
    return str(int((onset - adm_at).total_seconds() // 60))


class TestExportKey:
    def test_repr_shows_the_fingerprint_never_the_key(self) -> None:
        """Neither repr nor str of a key holds its bytes in any form."""
        key = registry.generate_export_key()
        shown = repr(key) + str(key)
        assert key.secret.hex() not in shown
        assert key.fingerprint in shown

    def test_fingerprint_and_no_clinic_id(self) -> None:
        """The fingerprint is sha256: of the 32 bytes; the clinic id no longer comes from
        the key (it is the registry's, given with the export)."""
        digest = hashlib.sha256(KEY.secret).hexdigest()
        assert KEY.fingerprint == "sha256:" + digest
        assert not hasattr(KEY, "clinic_id")

    def test_file_round_trip_mode_and_no_overwrite(self, tmp_path: Path) -> None:
        """A written key file is 64 hex + newline, mode 0600, read back equal; never
        replaced without force."""
        key = registry.generate_export_key()
        path = key.write(tmp_path / "clinic.key")
        assert path.read_text("ascii") == key.secret.hex() + "\n"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert registry.load_export_key(path) == key
        with pytest.raises(ValidationError, match="exists"):
            registry.generate_export_key().write(path)

    @pytest.mark.parametrize(
        "content",
        ["", "abc\n", "0" * 63 + "\n", "0" * 65, "g" * 64, "A" * 64, "00" * 32 + " extra", "\xff"],
    )
    def test_anything_else_is_refused_naming_the_option(self, tmp_path: Path, content: str) -> None:
        """Fewer or more than 64 lowercase hex characters: refused, naming the option and
        never echoing the content."""
        path = tmp_path / "bad.key"
        path.write_bytes(content.encode("latin-1"))
        with pytest.raises(ValidationError, match="--key-file") as info:
            registry.load_export_key(path, flag="--key-file")
        if content.strip():
            assert content.strip() not in str(info.value)

    def test_surrounding_whitespace_is_ignored(self, tmp_path: Path) -> None:
        path = tmp_path / "k.key"
        path.write_text("\n  " + KEY.secret.hex() + "  \n\n", "ascii")
        assert registry.load_export_key(path) == KEY


class TestReleaseGateProperties:
    def test_every_released_group_holds_k_patients_and_l_diversity(self, tmp_path: Path) -> None:
        """Read back from the CSV files, every group of equal quasi-identifiers holds at
        least k distinct patients and no sensitive value (term, serious, fatal) shown by
        more than 1/l of them; lots, makers and volumes are written exactly when k released
        patients share them; the manifest's counts add up to the log's. At least half the
        generated clinics of ten patients or more release something (in practice all do),
        and some example releases a reaction: the check is not vacuous."""
        shares: list[float] = []
        reacted_released: list[int] = []

        @settings(PROPERTY, max_examples=25)
        @given(clinic=clinics(), k=st.sampled_from((5, 6)), l=st.sampled_from((2, 3)))
        def run(clinic: Clinic, k: int, l: int) -> None:  # noqa: E741
            logged, export, _ = logged_export(tmp_path, clinic, k=k, l=l)
            patients = patient_of(logged, KEY.secret)
            assert brute_force(export.files, k, l, patients) == []
            assert blanking_problems(export.files, k, patients, logged_values(logged)) == []
            gate = export.manifest["gate"]
            cases = read_csv(export.files["cases.csv"])
            assert gate["held"] == {"cases": 0}  # January to May: every quarter is over
            assert len(cases) + gate["suppressed"]["cases"] == len(logged.administrations)
            assert (gate["suppressed"]["cases"] == 0) == (gate["suppressed"]["groups"] == 0)
            assert (gate["k"], gate["l"]) == (k, l)
            share = gate["max_share_in_group"]
            assert share is None or share <= 1 / l
            reacted = {r["case_key"] for r in read_csv(export.files["reactions.csv"])}
            assert reacted <= {c["case_key"] for c in cases}
            if len(clinic.patients) >= 10:
                shares.append(len(cases) / len(logged.administrations))
            reacted_released.append(len(reacted))

        run()
        assert shares, "no example had ten patients"
        assert sum(1 for x in shares if x > 0) >= len(shares) / 2, shares
        assert any(reacted_released), "no example released a reaction"

    @PROPERTY
    @given(clinic=clinics())
    def test_no_direct_identifier_leaves(self, tmp_path: Path, clinic: Clinic) -> None:
        """No patient id, name, kana, phone, birth date, staff id, note or site text is in
        any output file's bytes."""
        _, export, _ = logged_export(tmp_path, clinic)
        assert set(export.files) == {*rx.FILE_COLUMNS, "manifest.json"}
        patient_keys = [
            pseudonym(KEY.secret, "patient", p.patient_id).encode() for p in clinic.patients
        ]
        for name, data in export.files.items():
            leaked = [s.decode() for s in secrets_of(clinic) if s in data]
            assert leaked == [], name
            assert not any(pk in data for pk in patient_keys), name
            assert KEY.secret.hex().encode() not in data
            assert b"patient_key" not in data
            assert b"days_from_lot_first_use" not in data

    @PROPERTY
    @given(clinic=clinics())
    def test_intervals_and_pseudonyms_are_what_the_log_says(
        self, tmp_path: Path, clinic: Clinic
    ) -> None:
        """minutes_to_onset equals the log's; every key is the spec's HMAC; ages and
        periods are the log's, banded; lots and makers the log's or empty."""
        logged, export, _ = logged_export(tmp_path, clinic)
        secret = KEY.secret
        by_case = {pseudonym(secret, "case", root): root for root in logged.administrations}
        by_reaction = {pseudonym(secret, "reaction", root): root for root in logged.reactions}
        births = {p.patient_id: p.birth for p in clinic.patients}
        for row in read_csv(export.files["administrations.csv"]):
            _patient, _at, lot = logged.administrations[by_case[row["case_key"]]]
            assert row["lot"] in (lot, "")
            assert row["maker"] in ("Example Bio K.K.", "Other Cells", "")
            assert row["volume_ml"] in ("2.5", "")
        for row in read_csv(export.files["cases.csv"]):
            patient, at, _ = logged.administrations[by_case[row["case_key"]]]
            day = at.astimezone(JST).date()
            assert row["period"] in (
                day.strftime("%Y-%m"),
                f"{day.year}-Q{(day.month - 1) // 3 + 1}",
            )
            birth = births[patient]
            if row["age_band"] == "any":
                pass
            elif birth is None:
                assert row["age_band"] == "unknown"
            else:
                age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
                low, _, high = row["age_band"].partition("-")
                assert int(low.rstrip("+")) <= age
                assert not high or age <= int(high)
        for row in read_csv(export.files["reactions.csv"]):
            adm_root, onset = logged.reactions[by_reaction[row["reaction_key"]]]
            assert by_case[row["case_key"]] == adm_root
            at = logged.administrations[adm_root][1]
            assert row["minutes_to_onset"] == expected_minutes(at, onset)

    @PROPERTY
    @given(clinic=clinics())
    def test_same_log_and_key_give_the_same_bytes_and_keys_share_nothing(
        self, tmp_path: Path, clinic: Clinic
    ) -> None:
        """Exporting again under the same key gives byte-identical files; another key, or
        two exports without a key (a fresh one each), share no pseudonym; the result never
        holds the key."""
        _, export, url = logged_export(tmp_path, clinic)
        with open_log(url, create=False) as log:
            again = registry.export_registry(log, KEY, clinic_id=CLINIC, region="13")
            other = registry.export_registry(log, OTHER_KEY, clinic_id=CLINIC, region="13")
            fresh = [registry.export_registry(log, clinic_id=CLINIC, region="13") for _ in "ab"]
        assert again.files == export.files
        assert fresh[0].manifest["key_fingerprint"] != fresh[1].manifest["key_fingerprint"]
        assert fresh[0].rows == export.rows
        for made in fresh:
            assert not any(isinstance(v, registry.ExportKey) for v in attrs.astuple(made))
            assert "secret" not in repr(made)

        def keys(files: dict[str, bytes] | Any) -> set[str]:
            out = set()
            for name in rx.FILE_COLUMNS:
                for row in read_csv(files[name]):
                    out |= {v for c, v in row.items() if c.endswith("_key")}
            return out

        assert keys(export.files).isdisjoint(keys(other.files))
        assert len(keys(export.files)) == len(keys(other.files))
        assert keys(fresh[0].files).isdisjoint(keys(fresh[1].files))
        assert keys(fresh[0].files).isdisjoint(keys(export.files))


@pytest.mark.postgres
class TestOnPostgres:
    @settings(PROPERTY, max_examples=5)
    @given(clinic=clinics())
    def test_the_properties_hold_on_postgresql(self, pg_url: str, clinic: Clinic) -> None:
        """On PostgreSQL too: k and l hold in the files, nothing identifying leaves, and
        the intervals are the log's (each example in its own schema)."""
        with pg_schema(pg_url) as url, open_log(url, clock=lambda: NOW) as log:
            logged = fill(log, clinic)
            export = registry.export_registry(log, KEY, clinic_id=CLINIC, region="13")
        assert brute_force(export.files, 5, 2, patient_of(logged, KEY.secret)) == []
        for data in export.files.values():
            assert [x for x in secrets_of(clinic) if x in data] == []
        by_reaction = {pseudonym(KEY.secret, "reaction", r): r for r in logged.reactions}
        for row in read_csv(export.files["reactions.csv"]):
            adm_root, onset = logged.reactions[by_reaction[row["reaction_key"]]]
            at = logged.administrations[adm_root][1]
            assert row["minutes_to_onset"] == expected_minutes(at, onset)


class TestFilesAndManifest:
    def test_a_larger_clinic(self, db_url: str) -> None:
        """A clinic of 150 patients: most cases released, some generalised, a few
        suppressed; files, manifest and schema agree; the gate figures are the brute
        force's (SQLite and PostgreSQL)."""
        clinic = big_clinic()
        with open_log(db_url, clock=lambda: NOW) as log:
            logged = fill(log, clinic)
            export = registry.export_registry(log, KEY, clinic_id="C027-0001", region="27")
            head = log.head()
        patients = patient_of(logged, KEY.secret)
        assert brute_force(export.files, 5, 2, patients) == []
        assert blanking_problems(export.files, 5, patients, logged_values(logged)) == []
        m = export.manifest
        assert [e.message for e in Draft202012Validator(SCHEMA).iter_errors(m)] == []
        assert m["source"]["head_seq"] == head[0]
        assert m["source"]["head_hash"] == head[1]
        assert m["source"]["through"] == "2026-10"
        assert m["source"]["data_lock"] == "2026-10-31T15:00:00Z"
        assert m["key_fingerprint"] == KEY.fingerprint
        assert m["clinic_id"] == "C027-0001"
        assert set(m["gate"]) == {
            "k", "l", "quasi_identifiers", "sensitive_values", "groups",
            "min_patients_in_group", "max_share_in_group", "generalised", "held",
            "suppressed", "blanked",
        }  # fmt: skip
        assert KEY.secret.hex() not in export.files["manifest.json"].decode()
        gate = m["gate"]
        cases = read_csv(export.files["cases.csv"])
        assert len(cases) > len(logged.administrations) // 2
        assert gate["generalised"]["period_to_quarter"] > 0
        assert {c["region"] for c in cases} == {"27"}
        assert gate["groups"] == len({(c["age_band"], c["period"], c["route"]) for c in cases})
        assert gate["min_patients_in_group"] >= 5
        assert m["vocabulary_version"] == "3"
        manifest_bytes = export.files["manifest.json"]
        assert (
            manifest_bytes
            == (json.dumps(m, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()
        )
        assert export.manifest_sha256 == hashlib.sha256(manifest_bytes).hexdigest()
        for name, columns in rx.FILE_COLUMNS.items():
            data = export.files[name]
            info = m["files"][name]
            assert info["sha256"] == hashlib.sha256(data).hexdigest()
            assert info["columns"] == list(columns)
            lines = data.decode().split("\n")
            assert lines[0] == ",".join(columns)
            assert lines[-1] == ""
            assert info["rows"] == len(lines) - 2
            assert b"\r" not in data
            assert not data.startswith(b"\xef\xbb\xbf")
            rows = read_csv(data)
            first = [(r[columns[0]], r[columns[1]]) for r in rows]
            assert first == sorted(first)
        assert [i["column"] for i in m["items"]["cases.csv"]] == list(rx.FILE_COLUMNS["cases.csv"])
        reactions = read_csv(export.files["reactions.csv"])
        assert {r["serious"] for r in reactions} <= {"true", "false", ""}
        assert all(
            ";" not in r["symptoms"] or r["symptoms"].split(";") == sorted(r["symptoms"].split(";"))
            for r in reactions
        )
        adms = read_csv(export.files["administrations.csv"])
        assert {a["site"] for a in adms} <= {"vein", "face", "scalp"}
        if db_url.startswith("postgresql"):
            self._copy_loads(db_url, export)

    @staticmethod
    def _copy_loads(url: str, export: registry.RegistryExport) -> None:
        """PostgreSQL's COPY (FORMAT csv, HEADER true) loads each file unchanged."""
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                dbapi = conn.connection.dbapi_connection
                assert dbapi is not None
                cur = dbapi.cursor()
                for name, columns in rx.FILE_COLUMNS.items():
                    table = "x_" + name.removesuffix(".csv")
                    cur.execute(
                        f"CREATE TEMP TABLE {table} ({', '.join(c + ' text' for c in columns)})"
                    )
                    with cur.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER true)") as copy:  # type: ignore[attr-defined]
                        copy.write(export.files[name])
                    cur.execute(f"SELECT count(*) FROM {table}")
                    assert cur.fetchone()[0] == export.manifest["files"][name]["rows"]
                    if name == "reactions.csv":
                        cur.execute(f"SELECT count(*) FROM {table} WHERE brighton_level IS NULL")
                        empty = sum(r["brighton_level"] == "" for r in read_csv(export.files[name]))
                        assert cur.fetchone()[0] == empty
        finally:
            engine.dispose()

    def test_amended_entries_are_exported_as_they_stand(self, tmp_path: Path) -> None:
        """An amended administration and reaction leave in their current version only."""
        clinic = big_clinic(40, seed=5)
        url = f"sqlite:///{tmp_path / 'a.db'}"
        with open_log(url, clock=lambda: NOW) as log:
            logged = fill(log, clinic)
            root = next(iter(logged.reactions))
            adm_root, onset = logged.reactions[root]
            _patient, at, _ = logged.administrations[adm_root]
            new_at = at - dt.timedelta(minutes=7)
            log.amend(
                adm_root,
                attrs.evolve(log.get(adm_root).current.record, administered_at=new_at),
                reason="time corrected",
                amended_by="NS-STAFF-552",
                override=BYPASS,
            )
            before = registry.export_registry(log, KEY, clinic_id=CLINIC, region="13", k=5, l=2)
            reaction_entry = log.get(root).current
            amended = log.amend(
                root,
                attrs.evolve(reaction_entry.record, onset=onset + dt.timedelta(minutes=3)),
                reason="onset corrected",
                amended_by="NS-STAFF-552",
            )
            after = registry.export_registry(log, KEY, clinic_id=CLINIC, region="13")
        assert amended != root
        cases = read_csv(before.files["cases.csv"])
        assert len(cases) + before.gate.suppressed_cases == len(logged.administrations)
        key = pseudonym(KEY.secret, "reaction", root)
        rows = [r for r in read_csv(after.files["reactions.csv"]) if r["reaction_key"] == key]
        assert len(read_csv(after.files["reactions.csv"])) == len(
            read_csv(before.files["reactions.csv"])
        )
        assert len(rows) == 1  # one row, in its current version
        assert rows[0]["minutes_to_onset"] == expected_minutes(
            new_at, onset + dt.timedelta(minutes=3)
        )
        case = pseudonym(KEY.secret, "case", adm_root)
        for row in read_csv(before.files["reactions.csv"]):
            if row["case_key"] == case:
                assert row["minutes_to_onset"] == expected_minutes(new_at, onset)

    def test_write_creates_the_folder_and_refuses_a_full_one(self, tmp_path: Path) -> None:
        """The folder is created 0700, files 0600; a non-empty folder needs force, which
        replaces the four files and leaves anything else alone."""
        _, export, _ = logged_export(tmp_path, big_clinic(30))
        out = tmp_path / "out"
        export.write(out)
        assert stat.S_IMODE(os.stat(out).st_mode) == 0o700
        assert sorted(p.name for p in out.iterdir()) == sorted(rx.FILES)
        for p in out.iterdir():
            assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
            assert p.read_bytes() == export.files[p.name]
        with pytest.raises(ValidationError, match="not empty"):
            export.write(out)
        (out / "README").write_text("mine")
        export.write(out, force=True)
        assert (out / "README").read_text() == "mine"
        with pytest.raises(ValidationError, match="folder does not exist"):
            export.write(tmp_path / "missing" / "out")
        (tmp_path / "file").write_text("x")
        with pytest.raises(ValidationError, match="not a folder"):
            export.write(tmp_path / "file")

    def test_a_failed_recheck_writes_nothing(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Had the gate let a small group through, the recheck refuses the whole export."""
        url = f"sqlite:///{tmp_path / 'c.db'}"
        with open_log(url) as log:
            fill(log, big_clinic(30))
            monkeypatch.setattr(
                rx, "run_gate", lambda columns, patients, terms, **_: GateRun([0] * len(patients))
            )
            with pytest.raises(ValidationError, match="distinct patients"):
                registry.export_registry(log, KEY, clinic_id=CLINIC, region="13")

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"k": 4}, "k: expected a whole number of at least 5"),
            ({"l": 1}, "l: expected a whole number of at least 2"),
            ({"k": True}, "k: expected"),
            ({"region": "48"}, "region: expected a JIS X 0401"),
            ({"region": 13}, "region: expected"),
            ({"region": "1"}, "region: expected"),
            ({"clinic_id": ""}, "clinic_id: expected"),
            ({"clinic_id": "-x"}, "clinic_id: expected"),
            ({"clinic_id": "x" * 33}, "clinic_id: expected"),
            ({"clinic_id": None}, "clinic_id: expected"),
            ({"settle_days": -1}, "settle_days: expected a whole number of days from 0 to 366"),
            ({"settle_days": 367}, "settle_days: expected a whole number of days from 0 to 366"),
            ({"settle_days": True}, "settle_days: expected"),
            ({"settle_days": 14.0}, "settle_days: expected"),
            ({"settle_days": "14"}, "settle_days: expected"),
        ],
    )
    def test_bad_arguments_are_refused(
        self, tmp_path: Path, kwargs: dict[str, Any], match: str
    ) -> None:
        """k below 5, l below 2, a settling period outside 0-366 whole days, anything but
        a prefecture code or a clinic id are refused."""
        args: dict[str, Any] = {"region": "13", "clinic_id": CLINIC, **kwargs}
        with open_log(f"sqlite:///{tmp_path / 'c.db'}") as log:
            log.administer(administration(), override=BYPASS)
            with pytest.raises(ValidationError, match=match):
                registry.export_registry(log, KEY, **args)
            with pytest.raises(ValidationError, match="key: expected an ExportKey"):
                registry.export_registry(log, "00" * 32, clinic_id=CLINIC, region="13")  # type: ignore[arg-type]

    def test_higher_k_and_l_release_no_more(self, tmp_path: Path) -> None:
        """Raising k or l never releases more cases."""
        url = f"sqlite:///{tmp_path / 'c.db'}"
        with open_log(url, clock=lambda: NOW) as log:
            logged = fill(log, big_clinic(80))
            base = registry.export_registry(log, KEY, clinic_id=CLINIC, region="13")
            strict = registry.export_registry(log, KEY, clinic_id=CLINIC, region="13", k=8, l=3)
        assert brute_force(strict.files, 8, 3, patient_of(logged, KEY.secret)) == []
        assert strict.gate.suppressed_cases >= base.gate.suppressed_cases

    def test_an_empty_log_is_refused(self, tmp_path: Path) -> None:
        with (
            open_log(f"sqlite:///{tmp_path / 'c.db'}") as log,
            pytest.raises(ValidationError, match="empty"),
        ):
            registry.export_registry(log, KEY, clinic_id=CLINIC, region="13")

    def test_a_lone_reaction_is_suppressed_with_its_case(self, tmp_path: Path) -> None:
        """One patient, one reaction: nothing leaves, the manifest counts it."""
        adm_record = administration()
        later = adm_record.administered_at + dt.timedelta(days=62)
        with open_log(f"sqlite:///{tmp_path / 'c.db'}", clock=lambda: later) as log:
            adm = log.administer(adm_record, override=BYPASS)
            log.record_reaction(reaction(adm))
            export = registry.export_registry(log, KEY, clinic_id=CLINIC, region="13")
        assert export.rows == {"cases.csv": 0, "administrations.csv": 0, "reactions.csv": 0}
        s = export.manifest["gate"]["suppressed"]
        assert s == {"cases": 1, "groups": 1}
        assert export.manifest["gate"]["min_patients_in_group"] is None


def made_clinic(
    *people: tuple[dt.date | None, Sequence[tuple[dt.date, int, int | None]]],
) -> Clinic:
    """A clinic from (birth, [(JST day, lot, reaction or None), ...]) per patient, all
    by drip at 10:00."""
    return Clinic(
        tuple(
            Patient(
                patient_id=f"PT-{i:04d}-ZQ",
                name=f"鈴木{i:03d}一郎",
                kana=f"スズキ{i:03d}イチロウ",
                phone=f"070-{i:04d}-1357",
                birth=birth,
                visits=tuple(
                    Visit(
                        day=(day - T0.date()).days,
                        minute=60,
                        route=0,
                        lot=lot,
                        reaction=r,
                        onset_seconds=1800,
                    )
                    for day, lot, r in visits
                ),
            )
            for i, (birth, visits) in enumerate(people)
        )
    )


def export_of(tmp_path: Path, clinic: Clinic) -> tuple[Logged, registry.RegistryExport]:
    with open_log(f"sqlite:///{tmp_path / f'm{next(_COUNTER)}.db'}", clock=lambda: NOW) as log:
        logged = fill(log, clinic)
        export = registry.export_registry(log, KEY, clinic_id=CLINIC, region="13")
    assert brute_force(export.files, 5, 2, patient_of(logged, KEY.secret)) == []
    return logged, export


class TestPeriodsLadderAndBlanking:
    def test_only_complete_months_leave_and_open_quarters_are_held(self, tmp_path: Path) -> None:
        """With the head in November: November is not exported at all; October cases the
        gate widens to the (open) fourth quarter are held, not released nor suppressed;
        the same pattern in August leaves as 2026-Q3."""
        aug, oct_, nov = dt.date(2026, 8, 10), dt.date(2026, 10, 12), dt.date(2026, 11, 2)
        thirties = [dt.date(1994, 1, 3)] * 3 + [dt.date(1991, 1, 3)] * 3  # 30-34 and 35-39
        clinic = made_clinic(
            *[(b, [(aug, 0, None), (oct_, 0, None), (nov, 0, None)]) for b in thirties]
        )
        _, export = export_of(tmp_path, clinic)
        cases = read_csv(export.files["cases.csv"])
        gate = export.manifest["gate"]
        assert {(c["period"], c["age_band"]) for c in cases} == {("2026-Q3", "30-39")}
        assert len(cases) == 6
        assert gate["held"] == {"cases": 6}
        assert gate["suppressed"] == {"cases": 0, "groups": 0}
        assert gate["generalised"]["age_band_10"] == 6
        assert export.manifest["source"]["through"] == "2026-10"

    def test_a_log_with_only_the_open_month_is_refused(self, tmp_path: Path) -> None:
        clinic = made_clinic(*[(dt.date(1990, 1, 1), [(dt.date(2026, 11, 3), 0, None)])] * 6)
        with open_log(f"sqlite:///{tmp_path / 'o.db'}", clock=lambda: NOW) as log:
            fill(log, clinic)
            with pytest.raises(ValidationError, match="no administration of a complete month"):
                registry.export_registry(log, clinic_id=CLINIC, region="13")
        assert not any(tmp_path.glob("*.csv"))

    def test_the_top_of_the_ladder_is_any_age(self, tmp_path: Path) -> None:
        """Five patients of far-apart ages (one unknown) leave only as age any."""
        births = [dt.date(y, 2, 1) for y in (2000, 1980, 1960, 1940)] + [None]
        _, export = export_of(
            tmp_path, made_clinic(*[(b, [(dt.date(2026, 2, 9), 0, None)]) for b in births])
        )
        cases = read_csv(export.files["cases.csv"])
        assert {(c["age_band"], c["period"]) for c in cases} == {("any", "2026-Q1")}
        assert export.manifest["gate"]["generalised"]["age_any"] == 5

    @pytest.mark.parametrize(("reacting", "released"), [(3, 6), (4, 0)])
    def test_frequency_l_diversity_over_patients(
        self, tmp_path: Path, reacting: int, released: int
    ) -> None:
        """Six patients in one group: three showing one term is 1/2 (passes with l = 2),
        four is more than half (suppressed, whatever the others show)."""
        birth = dt.date(1990, 1, 1)
        day = dt.date(2026, 3, 9)
        people = [(birth, [(day, 0, 0 if i < reacting else None)]) for i in range(6)]
        _, export = export_of(tmp_path, made_clinic(*people))
        assert export.rows["cases.csv"] == released
        share = export.manifest["gate"]["max_share_in_group"]
        assert share == (0.5 if released else None)

    def test_the_recheck_refuses_a_group_below_l(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Had the gate let through a group where four of six patients show one term, the
        brute-force recheck refuses the whole export."""
        birth, day = dt.date(1990, 1, 1), dt.date(2026, 3, 9)
        people = [(birth, [(day, 0, 0 if i < 4 else None)]) for i in range(6)]
        monkeypatch.setattr(
            rx, "run_gate", lambda columns, patients, terms, **_: GateRun([0] * len(patients))
        )
        with pytest.raises(ValidationError, match="4 of 6 patients show one sensitive value"):
            export_of(tmp_path, made_clinic(*people))

    def test_the_recheck_refuses_rows_of_unreleased_cases(self) -> None:
        """An administration or a reaction whose case is not in cases.csv would escape
        every bound: the recheck refuses the files."""
        cases = (
            ",".join(rx.FILE_COLUMNS["cases.csv"])
            + "\n"
            + "".join(f"c{i},20-24,13,2026-03,iv_drip\n" for i in range(5))
        )
        admin_head = ",".join(rx.FILE_COLUMNS["administrations.csv"]) + "\n"
        admins = admin_head + "".join(f"c{i},,,,,iv_drip,vein,\n" for i in range(5))
        reactions = ",".join(rx.FILE_COLUMNS["reactions.csv"]) + "\n"
        patients = {f"c{i}": f"P{i}" for i in range(5)}
        ok = {"cases.csv": cases.encode(), "administrations.csv": admins.encode()}
        assert rx._recheck({**ok, "reactions.csv": reactions.encode()}, patients, 5, 2)[0] == 1
        stray = reactions + "r1,c9," + "," * 11 + "\n"
        with pytest.raises(ValidationError, match="a reaction of a case not released"):
            rx._recheck({**ok, "reactions.csv": stray.encode()}, patients, 5, 2)
        extra = admins + "c9,,,,,iv_drip,vein,\n"
        files = {**ok, "administrations.csv": extra.encode(), "reactions.csv": reactions.encode()}
        with pytest.raises(ValidationError, match="case keys differ"):
            rx._recheck(files, patients, 5, 2)

    def test_rare_lots_are_blanked_and_shared_ones_stay(self, tmp_path: Path) -> None:
        """A lot given to 6 patients is written; one given to 2 is left empty; the maker
        both spell alike (after NFKC) is shared by all 8 and stays."""
        birth, day = dt.date(1990, 1, 1), dt.date(2026, 3, 9)
        people = [(birth, [(day, 0 if i < 6 else 1, None)]) for i in range(8)]
        _, export = export_of(tmp_path, made_clinic(*people))
        rows = read_csv(export.files["administrations.csv"])
        assert sorted(r["lot"] for r in rows) == [""] * 2 + [LOTS[0]] * 6
        assert {r["maker"] for r in rows} == {MAKERS[0]}
        assert {r["volume_ml"] for r in rows} == {"2.5"}
        assert export.manifest["gate"]["blanked"] == {"lot": 2, "maker": 0, "volume_ml": 0}
        assert LOTS[1].encode() not in b"".join(export.files.values())


class TestPublicSurface:
    def test_names_show_their_public_path(self) -> None:
        assert registry.export_registry.__module__ == "exointake.registry"
        assert registry.ExportKey.__module__ == "exointake.registry"
        assert "registry" in exointake._TOPIC_MODULES


class TestManifestSchema:
    @staticmethod
    def _strings(
        node: Any, schema: dict[str, Any], path: tuple[Any, ...]
    ) -> Iterator[tuple[tuple[Any, ...], int]]:
        """(path, maxLength) of every string of the manifest whose schema bounds it."""
        if isinstance(node, str) and "maxLength" in schema:
            yield path, schema["maxLength"]
        for branch in schema.get("oneOf", ()):
            if branch.get("type") == "string" and isinstance(node, str):
                yield path, branch["maxLength"]
        if isinstance(node, dict):
            props = schema.get("properties", {})
            for key, value in node.items():
                if key in props:
                    yield from TestManifestSchema._strings(value, props[key], (*path, key))
        elif isinstance(node, list) and isinstance(schema.get("items"), dict):
            for n, value in enumerate(node):
                yield from TestManifestSchema._strings(value, schema["items"], (*path, n))

    def test_the_sample_manifest_carries_the_current_texts(self) -> None:
        """examples/registry/manifest.json (what the schema page shows) says what an
        export says today: the same profile, statement, items and method."""
        sample = json.loads((ROOT / "examples" / "registry" / "manifest.json").read_text())
        texts = rx.export_texts()
        for key in ("profile", "statement", "items", "method"):
            assert sample[key] == texts[key], key

    def test_broken_manifests_are_refused(self) -> None:
        """Every bounded text one character past its maxLength, every required key
        dropped, an unknown key added: each refused by the schema."""
        manifest = json.loads((ROOT / "examples" / "registry" / "manifest.json").read_text())
        validator = Draft202012Validator(SCHEMA)
        assert list(validator.iter_errors(manifest)) == []
        sites = list(self._strings(manifest, SCHEMA, ()))
        assert len(sites) > 50
        for path, limit in sites:
            broken = json.loads(json.dumps(manifest))
            node = broken
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = "x" * (limit + 1)
            assert not validator.is_valid(broken), path
        for key in SCHEMA["required"]:
            broken = {k: v for k, v in manifest.items() if k != key}
            assert not validator.is_valid(broken), key
        assert not validator.is_valid({**manifest, "exported_at": "2026-11-30"})


class TestCsvFields:
    @settings(max_examples=200, deadline=None)
    @given(
        row=st.lists(
            st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12)),
            min_size=2,
            max_size=6,
        )
    )
    def test_fields_are_what_csv_writes(self, row: list[Any]) -> None:
        """A row joined from csv_field reads back to the same texts, and is the row
        csv.writer (QUOTE_MINIMAL) writes — except that a carriage return is quoted too
        (csv.writer with a "\\n" line end leaves it bare, which COPY would not read)."""
        texts = [rx._text(v) for v in row]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(texts)
        joined = ",".join(rx.csv_field(v) for v in row) + "\n"
        if not any("\r" in t for t in texts):
            assert joined == buffer.getvalue()
        assert next(csv.reader(io.StringIO(joined, newline=""))) == texts


def _settled_patient(number: int, day: int, symptom: int | None = None) -> Patient:
    """A patient aged 36 (band 35-39) with one drip ``day`` days after T0 (and a reaction:
    index into SYMPTOMS)."""
    visit = Visit(day, 0, 0, 0, symptom, 600)
    birth = dt.date(1990, 1, 3)
    return Patient(f"PT-{number:04d}-ZQ", f"n{number}", f"k{number}", f"p{number}", birth, (visit,))


OCTOBER_11, NOVEMBER_10, NOVEMBER_30, DECEMBER_16 = 279, 309, 329, 345
"""Days after T0 (2026-01-05)."""


def _periods(export: registry.RegistryExport) -> list[str]:
    return sorted(row["period"] for row in read_csv(export.files["cases.csv"]))


class TestSettlingPeriod:
    """A month leaves once it ended ``settle_days`` (default 14) before the log's head entry,
    so entries recorded late within that period are in its first export (SDC review M1)."""

    def test_a_month_ten_days_over_leaves_only_with_a_shorter_settling_period(
        self, tmp_path: Path
    ) -> None:
        """November ended (2026-11-30T15:00Z) 10 days before the head: held with the
        default, released with 7 days or exactly 10, held with 11; through and data_lock
        follow, the manifest records the period."""
        assert (T0 + dt.timedelta(days=OCTOBER_11)).date() == dt.date(2026, 10, 11)
        head = dt.datetime(2026, 12, 10, 15, 0, tzinfo=dt.UTC)
        clinic = Clinic(
            tuple(_settled_patient(i, OCTOBER_11) for i in range(6))
            + tuple(_settled_patient(10 + i, NOVEMBER_10) for i in range(6))
        )
        with open_log(f"sqlite:///{tmp_path / 'c.db'}", clock=lambda: head) as log:
            fill(log, clinic)
            exports = {
                days: registry.export_registry(
                    log,
                    KEY,
                    clinic_id=CLINIC,
                    region="13",
                    **({} if days is None else {"settle_days": days}),
                )
                for days in (None, 7, 10, 11)
            }
        october = {"through": "2026-10", "data_lock": "2026-10-31T15:00:00Z"}
        november = {"through": "2026-11", "data_lock": "2026-11-30T15:00:00Z"}
        for days, through, periods in [
            (None, october, ["2026-10"] * 6),
            (7, november, ["2026-10"] * 6 + ["2026-11"] * 6),
            (10, november, ["2026-10"] * 6 + ["2026-11"] * 6),
            (11, october, ["2026-10"] * 6),
        ]:
            export = exports[days]
            source = export.manifest["source"]
            assert {name: source[name] for name in through} == through, days
            assert source["settle_days"] == (14 if days is None else days)
            assert _periods(export) == periods, days
            assert export.gate.held_cases == 0

    def test_a_late_entry_is_in_the_months_first_export(self, tmp_path: Path) -> None:
        """The SDC reviewer's reproduction: six patients on 2026-11-10; an export just after
        November ends releases nothing of November; a seventh drip on 2026-11-30 with a
        reaction, entered on Dec 1, changes nothing; once November has settled, one export
        releases all seven and the reaction, and no earlier one showed November."""
        url = f"sqlite:///{tmp_path / 'c.db'}"
        october = tuple(_settled_patient(i, OCTOBER_11) for i in range(6))  # so exports run
        exports, reactions_logged = [], []
        for at, patients in [
            (
                dt.datetime(2026, 11, 30, 15, 0, 1, tzinfo=dt.UTC),  # Dec 1 00:00:01 JST
                october + tuple(_settled_patient(10 + i, NOVEMBER_10) for i in range(6)),
            ),
            (
                dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC),
                (_settled_patient(99, NOVEMBER_30, 3),),
            ),
            (dt.datetime(2026, 12, 16, 1, 0, tzinfo=dt.UTC), (_settled_patient(100, DECEMBER_16),)),
        ]:
            with open_log(url, clock=lambda at=at: at) as log:
                reactions_logged.append(len(fill(log, Clinic(patients)).reactions))
                exports.append(registry.export_registry(log, KEY, clinic_id=CLINIC, region="13"))
        first, late, settled = exports
        assert reactions_logged == [0, 1, 0]  # the latecomer's reaction is in the log
        for export in (first, late):
            assert export.manifest["source"]["through"] == "2026-10"
            assert "2026-11" not in _periods(export)
            assert export.rows["reactions.csv"] == 0
        # The late entry made no difference between the two exports' data files.
        for name in ("cases.csv", "administrations.csv", "reactions.csv"):
            assert first.files[name] == late.files[name], name
        assert settled.manifest["source"]["through"] == "2026-11"
        assert _periods(settled) == ["2026-10"] * 6 + ["2026-11"] * 7
        reactions = read_csv(settled.files["reactions.csv"])
        assert len(reactions) == 1
        november_keys = {
            row["case_key"]
            for row in read_csv(settled.files["cases.csv"])
            if row["period"] == "2026-11"
        }
        assert reactions[0]["case_key"] in november_keys

    def test_the_lock_and_the_quarters_follow_the_settling_period(self) -> None:
        """The lock moves back by the settling period (no clock: from the head's time), and
        a quarter counts as over only once its last month has settled."""
        assert rx.complete_through("2026-10-10T00:00:00Z", 14) == (
            "2026-08",
            "2026-08-31T15:00:00Z",
        )
        assert rx.complete_through("2026-10-10T00:00:00Z", 0) == ("2026-09", "2026-09-30T15:00:00Z")
        assert not rx._quarter_over("2026-07-20", "2026-08")
        assert rx._quarter_over("2026-07-20", "2026-09")
