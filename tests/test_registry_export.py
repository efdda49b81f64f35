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
from collections.abc import Iterator
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
    Clinic,
    Logged,
    big_clinic,
    brute_force,
    clinics,
    fill,
    pseudonym,
    read_csv,
    secrets_of,
)

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "registry-manifest.schema.json").read_text("utf-8"))
KEY = registry.ExportKey(bytes(range(32)))
OTHER_KEY = registry.ExportKey(bytes(range(1, 33)))
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
    with open_log(url) as log:
        logged = fill(log, clinic)
        export = registry.export_registry(log, key, region="13", k=k, l=l)
    return logged, export, url


def expected_minutes(adm_at: dt.datetime, onset: dt.datetime) -> str:
    return str(int((onset - adm_at).total_seconds() // 60))


class TestExportKey:
    def test_repr_shows_the_fingerprint_never_the_key(self) -> None:
        """Neither repr nor str of a key holds its bytes in any form."""
        key = registry.generate_export_key()
        shown = repr(key) + str(key)
        assert key.secret.hex() not in shown
        assert key.fingerprint in shown

    def test_fingerprint_and_clinic_id(self) -> None:
        """The fingerprint is sha256: of the 32 bytes; the clinic id its first 16 hex."""
        digest = hashlib.sha256(KEY.secret).hexdigest()
        assert KEY.fingerprint == "sha256:" + digest
        assert KEY.clinic_id == digest[:16]

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
    @PROPERTY
    @given(clinic=clinics(), k=st.sampled_from((5, 6)), l=st.sampled_from((2, 3)))
    def test_every_released_group_holds_k_patients_and_l_terms(
        self,
        tmp_path: Path,
        clinic: Clinic,
        k: int,
        l: int,  # noqa: E741 - the l of l-diversity
    ) -> None:
        """Read back from the CSV files, every group of equal quasi-identifiers holds at
        least k distinct patients and, with a reaction, l distinct terms; the manifest's
        counts add up to the log's."""
        logged, export, _ = logged_export(tmp_path, clinic, k=k, l=l)
        assert brute_force(export.files, k, l) == []
        gate = export.manifest["gate"]
        cases = read_csv(export.files["cases.csv"])
        reactions = read_csv(export.files["reactions.csv"])
        assert len(cases) + gate["suppressed"]["cases"] == len(logged.administrations)
        assert len(reactions) + gate["suppressed"]["reactions"] == len(logged.reactions)
        assert (gate["k"], gate["l"]) == (k, l)
        released_patients = {c["patient_key"] for c in cases}
        all_patients = {p.patient_id for p in clinic.patients}
        assert len(released_patients) + gate["suppressed"]["patients"] == len(all_patients)

    @PROPERTY
    @given(clinic=clinics())
    def test_no_direct_identifier_leaves(self, tmp_path: Path, clinic: Clinic) -> None:
        """No patient id, name, kana, phone, birth date, staff id, note or site text is in
        any output file's bytes."""
        _, export, _ = logged_export(tmp_path, clinic)
        assert set(export.files) == {*rx.FILE_COLUMNS, "manifest.json"}
        for name, data in export.files.items():
            leaked = [s.decode() for s in secrets_of(clinic) if s in data]
            assert leaked == [], name

    @PROPERTY
    @given(clinic=clinics())
    def test_intervals_and_pseudonyms_are_what_the_log_says(
        self, tmp_path: Path, clinic: Clinic
    ) -> None:
        """minutes_to_onset and days_from_lot_first_use equal the log's; every key is the
        spec's HMAC; ages and periods are the log's, banded."""
        logged, export, _ = logged_export(tmp_path, clinic)
        secret = KEY.secret
        by_case = {pseudonym(secret, "case", root): root for root in logged.administrations}
        by_reaction = {pseudonym(secret, "reaction", root): root for root in logged.reactions}
        first_day: dict[str, dt.date] = {}
        for _, at, lot in logged.administrations.values():
            norm = rx._nfkc(lot)
            day = at.astimezone(JST).date()
            first_day[norm] = min(first_day.get(norm, day), day)
        births = {p.patient_id: p.birth for p in clinic.patients}
        for row in read_csv(export.files["administrations.csv"]):
            patient, at, lot = logged.administrations[by_case[row["case_key"]]]
            day = at.astimezone(JST).date()
            assert row["lot"] == lot
            assert row["maker"] in ("Example Bio K.K.", "Other Cells")
            assert int(row["days_from_lot_first_use"]) == (day - first_day[row["lot"]]).days
        for row in read_csv(export.files["cases.csv"]):
            patient, at, _ = logged.administrations[by_case[row["case_key"]]]
            assert row["patient_key"] == pseudonym(secret, "patient", patient)
            day = at.astimezone(JST).date()
            assert row["period"] in (
                day.strftime("%Y-%m"),
                f"{day.year}-Q{(day.month - 1) // 3 + 1}",
            )
            birth = births[patient]
            if birth is None:
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
        """Exporting again gives byte-identical files; another key shares no pseudonym."""
        _, export, url = logged_export(tmp_path, clinic)
        with open_log(url, create=False) as log:
            again = registry.export_registry(log, KEY, region="13")
            other = registry.export_registry(log, OTHER_KEY, region="13")
        assert again.files == export.files

        def keys(files: dict[str, bytes] | Any) -> set[str]:
            out = set()
            for name in rx.FILE_COLUMNS:
                for row in read_csv(files[name]):
                    out |= {v for c, v in row.items() if c.endswith("_key")}
            return out

        assert keys(export.files).isdisjoint(keys(other.files))
        assert len(keys(export.files)) == len(keys(other.files))


@pytest.mark.postgres
class TestOnPostgres:
    @settings(PROPERTY, max_examples=5)
    @given(clinic=clinics())
    def test_the_properties_hold_on_postgresql(self, pg_url: str, clinic: Clinic) -> None:
        """On PostgreSQL too: k and l hold in the files, nothing identifying leaves, and
        the intervals are the log's (each example in its own schema)."""
        with pg_schema(pg_url) as url, open_log(url) as log:
            logged = fill(log, clinic)
            export = registry.export_registry(log, KEY, region="13")
        assert brute_force(export.files, 5, 2) == []
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
        with open_log(db_url) as log:
            logged = fill(log, clinic)
            export = registry.export_registry(log, KEY, region="27")
            head = log.head()
        assert brute_force(export.files, 5, 2) == []
        m = export.manifest
        assert [e.message for e in Draft202012Validator(SCHEMA).iter_errors(m)] == []
        assert m["source"]["head_seq"] == head[0]
        assert m["source"]["head_hash"] == head[1]
        assert m["key_fingerprint"] == KEY.fingerprint
        assert m["clinic_id"] == KEY.clinic_id
        assert KEY.secret.hex() not in export.files["manifest.json"].decode()
        gate = m["gate"]
        cases = read_csv(export.files["cases.csv"])
        assert len(cases) > len(logged.administrations) // 2
        assert gate["generalised"]["period_to_quarter"] > 0
        assert {c["region"] for c in cases} == {"27"}
        assert gate["groups"] == len({(c["age_band"], c["period"], c["route"]) for c in cases})
        assert gate["min_patients_in_group"] >= 5
        assert m["vocabulary_version"] == "2"
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
        with open_log(url) as log:
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
            before = registry.export_registry(log, KEY, region="13", k=5, l=2)
            reaction_entry = log.get(root).current
            amended = log.amend(
                root,
                attrs.evolve(reaction_entry.record, onset=onset + dt.timedelta(minutes=3)),
                reason="onset corrected",
                amended_by="NS-STAFF-552",
            )
            after = registry.export_registry(log, KEY, region="13")
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
                registry.export_registry(log, KEY, region="13")

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"k": 4}, "k: expected a whole number of at least 5"),
            ({"l": 1}, "l: expected a whole number of at least 2"),
            ({"k": True}, "k: expected"),
            ({"region": "48"}, "region: expected a JIS X 0401"),
            ({"region": 13}, "region: expected"),
            ({"region": "1"}, "region: expected"),
        ],
    )
    def test_bad_arguments_are_refused(
        self, tmp_path: Path, kwargs: dict[str, Any], match: str
    ) -> None:
        """k below 5, l below 2 and anything but a prefecture code are refused."""
        args: dict[str, Any] = {"region": "13", **kwargs}
        with open_log(f"sqlite:///{tmp_path / 'c.db'}") as log:
            log.administer(administration(), override=BYPASS)
            with pytest.raises(ValidationError, match=match):
                registry.export_registry(log, KEY, **args)

    def test_higher_k_and_l_release_no_more(self, tmp_path: Path) -> None:
        """Raising k or l never releases more cases."""
        url = f"sqlite:///{tmp_path / 'c.db'}"
        with open_log(url) as log:
            fill(log, big_clinic(80))
            base = registry.export_registry(log, KEY, region="13")
            strict = registry.export_registry(log, KEY, region="13", k=8, l=3)
        assert brute_force(strict.files, 8, 3) == []
        assert strict.gate.suppressed_cases >= base.gate.suppressed_cases

    def test_an_empty_log_is_refused(self, tmp_path: Path) -> None:
        with (
            open_log(f"sqlite:///{tmp_path / 'c.db'}") as log,
            pytest.raises(ValidationError, match="empty"),
        ):
            registry.export_registry(log, KEY, region="13")

    def test_a_lone_reaction_is_suppressed_with_its_case(self, tmp_path: Path) -> None:
        """One patient, one reaction: nothing leaves, the manifest counts it."""
        with open_log(f"sqlite:///{tmp_path / 'c.db'}") as log:
            adm = log.administer(administration(), override=BYPASS)
            log.record_reaction(reaction(adm))
            export = registry.export_registry(log, KEY, region="13")
        assert export.rows == {"cases.csv": 0, "administrations.csv": 0, "reactions.csv": 0}
        s = export.manifest["gate"]["suppressed"]
        assert s == {"cases": 1, "administrations": 1, "reactions": 1, "patients": 1}
        assert export.manifest["gate"]["min_patients_in_group"] is None


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
