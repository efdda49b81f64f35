"""``exointake export registry``: the summary, the files, exit-2 errors naming the option,
and nothing written (nor any database created) when refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from exointake import open_log, registry
from exointake._registry_format import FILES
from exointake.cli import main

from .logutil import BYPASS, administration
from .registryutil import big_clinic, brute_force, fill, patient_of, read_csv, secrets_of

CLINIC = big_clinic(60, seed=11)
KEY = registry.ExportKey(bytes(range(32)))
NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The clinic's log, and each case key (under KEY) -> its patient."""
    path = tmp_path_factory.mktemp("clinic") / "clinic.db"
    with open_log(path, clock=lambda: NOW) as log:
        logged = fill(log, CLINIC)
    return path, patient_of(logged, KEY.secret)


@pytest.fixture
def clinic_db(filled: tuple[Path, dict[str, str]]) -> Path:
    return filled[0]


@pytest.fixture
def patients(filled: tuple[Path, dict[str, str]]) -> dict[str, str]:
    return filled[1]


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return KEY.write(tmp_path / "clinic.key")


def args(db: Path, key: Path | None, out: Path, *extra: str) -> list[str]:
    key_args = [] if key is None else ["--key-file", str(key)]
    return [
        "export", "registry", "--db", str(db), *key_args, "--clinic-id", "C013-0001",
        "--region", "13", "--out", str(out), *extra,
    ]  # fmt: skip


class TestExportRegistry:
    def test_writes_the_four_files_and_a_summary(
        self,
        capsys: pytest.CaptureFixture[str],
        clinic_db: Path,
        key_file: Path,
        tmp_path: Path,
        patients: dict[str, str],
    ) -> None:
        """Exit 0; the folder holds the four files (0600, folder 0700), the gate holds, no
        identifier leaves, and the summary names rows, groups and the key's fingerprint
        (never the key) and says to destroy the key file."""
        out = tmp_path / "export"
        code, stdout, err = run(capsys, *args(clinic_db, key_file, out))
        assert code == 0, err
        assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
        assert stat.S_IMODE(os.stat(out).st_mode) == 0o700
        files = {p.name: p.read_bytes() for p in out.iterdir()}
        assert brute_force(files, 5, 2, patients) == []
        for data in files.values():
            assert [s for s in secrets_of(CLINIC) if s in data] == []
        key = registry.load_export_key(key_file)
        assert f"key fingerprint: {key.fingerprint}" in stdout
        assert "destroy" in stdout
        assert "never reuse" in stdout
        assert "through 2026-10" in stdout
        assert json.loads(files["manifest.json"])["clinic_id"] == "C013-0001"
        assert key.secret.hex() not in stdout + err
        assert "cases" in stdout
        assert "groups" in stdout
        assert "suppressed" in stdout

    def test_json_summary_and_determinism(
        self, capsys: pytest.CaptureFixture[str], clinic_db: Path, key_file: Path, tmp_path: Path
    ) -> None:
        """--json prints the summary as JSON; a second run gives the same bytes."""
        code, stdout, _ = run(capsys, *args(clinic_db, key_file, tmp_path / "a", "--json"))
        assert code == 0
        summary = json.loads(stdout)
        assert summary["rows"]["cases.csv"] > 0
        assert run(capsys, *args(clinic_db, key_file, tmp_path / "b"))[0] == 0
        for name in FILES:
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        manifest = (tmp_path / "a" / "manifest.json").read_bytes()
        assert summary["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()
        assert summary["settle_days"] == json.loads(manifest)["source"]["settle_days"] == 14
        code, stdout, _ = run(
            capsys, *args(clinic_db, key_file, tmp_path / "c", "--json", "--settle-days", "0")
        )
        assert code == 0
        assert json.loads(stdout)["settle_days"] == 0

    def test_without_a_key_file_a_fresh_key_is_used_and_discarded(
        self, capsys: pytest.CaptureFixture[str], clinic_db: Path, tmp_path: Path
    ) -> None:
        """Without --key-file two exports release the same rows under pseudonyms they do
        not share; the summary says the key was discarded."""
        code, stdout, err = run(capsys, *args(clinic_db, None, tmp_path / "a", "--json"))
        assert code == 0, err
        summary = json.loads(stdout)
        assert "discarded" in summary["key"]
        assert run(capsys, *args(clinic_db, None, tmp_path / "b"))[0] == 0
        a, b = (read_csv((tmp_path / x / "cases.csv").read_bytes()) for x in "ab")
        assert len(a) == len(b) > 0
        assert {r["case_key"] for r in a}.isdisjoint(r["case_key"] for r in b)

    def test_a_full_folder_needs_force(
        self, capsys: pytest.CaptureFixture[str], clinic_db: Path, key_file: Path, tmp_path: Path
    ) -> None:
        out = tmp_path / "x"
        assert run(capsys, *args(clinic_db, key_file, out))[0] == 0
        code, _, err = run(capsys, *args(clinic_db, key_file, out))
        assert code == 2
        assert "--out" in err
        assert "--force" in err
        assert run(capsys, *args(clinic_db, key_file, out, "--force"))[0] == 0

    @pytest.mark.parametrize(
        ("extra", "match"),
        [
            (["--k", "4"], "--k"),
            (["--l", "1"], "--l"),
            (["--settle-days", "367"], "--settle-days"),
            (["--region", "48"], "--region"),
            (["--region", "tokyo"], "--region"),
            (["--clinic-id", "bad/id"], "--clinic-id"),
            (["--clinic-id", "x" * 33], "--clinic-id"),
        ],
    )
    def test_bad_options_exit_2_naming_them_and_write_nothing(
        self,
        capsys: pytest.CaptureFixture[str],
        clinic_db: Path,
        key_file: Path,
        tmp_path: Path,
        extra: list[str],
        match: str,
    ) -> None:
        out = tmp_path / "out"
        code, _, err = run(capsys, *args(clinic_db, key_file, out), *extra)
        assert code == 2
        assert match in err
        assert not out.exists()

    def test_a_bad_key_file_exits_2_without_showing_it(
        self, capsys: pytest.CaptureFixture[str], clinic_db: Path, tmp_path: Path
    ) -> None:
        key = tmp_path / "bad.key"
        key.write_text("deadbeef" * 7 + "\n")
        code, stdout, err = run(capsys, *args(clinic_db, key, tmp_path / "out"))
        assert code == 2
        assert "--key-file" in err
        assert "64" in err
        assert "deadbeef" not in stdout + err
        assert not (tmp_path / "out").exists()
        code, _, err = run(capsys, *args(clinic_db, tmp_path / "missing.key", tmp_path / "out"))
        assert code == 2
        assert "--key-file" in err

    def test_never_creates_a_database(
        self, capsys: pytest.CaptureFixture[str], key_file: Path, tmp_path: Path
    ) -> None:
        db = tmp_path / "none.db"
        code, _, err = run(capsys, *args(db, key_file, tmp_path / "out"))
        assert code == 2
        assert "--db" in err
        assert not db.exists()
        assert not (tmp_path / "out").exists()

    def test_the_log_is_only_read(
        self, capsys: pytest.CaptureFixture[str], key_file: Path, tmp_path: Path
    ) -> None:
        """The log's head is the same before and after an export."""
        db = tmp_path / "c.db"
        # Recorded when November (the sample's month) has settled: no wall clock.
        with open_log(db, clock=lambda: dt.datetime(2026, 12, 16, tzinfo=dt.UTC)) as log:
            log.administer(administration(), override=BYPASS)
            head = log.head()
        assert run(capsys, *args(db, key_file, tmp_path / "out"))[0] == 0
        with open_log(db, create=False) as log:
            assert log.head() == head
