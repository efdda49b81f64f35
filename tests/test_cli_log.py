"""``exointake log``: every sub-command, its output and its exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import exointake
from exointake._log._store import create_engine_for, head_revision, migrate
from exointake.cli import main

from .logutil import LOG_EXAMPLES, ROOT, example, raw

ADM = str(LOG_EXAMPLES / "administration.json")
CONSENT = str(LOG_EXAMPLES / "consent.json")


OVR = ("--override-by", "TEST-CLI", "--override-reason", "a CLI storage test, not of the gate")


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "clinic.db")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), "utf-8")
    return str(path)


def administer(capsys: pytest.CaptureFixture[str], db: str) -> str:
    code, out, _ = run(capsys, "log", "administer", "--input", ADM, "--db", db, *OVR)
    assert code == 0
    return out.split()[1]


class TestAppendCommands:
    def test_administer_then_reaction(
        self, capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
    ) -> None:
        """administer prints the new entry's id; reaction grades it and raises the alert."""
        adm_id = administer(capsys, db)
        rx = example("reaction")
        rx["administration_id"] = adm_id
        path = write(tmp_path, "r.json", rx)
        code, out, err = run(capsys, "log", "reaction", "--input", path, "--db", db, "--lang", "en")
        assert code == 0
        assert "category anaphylaxis, Brighton level 1" in out
        assert "ALERT" in err
        assert "adrenaline" not in out + err  # the free-text note is never printed

    def test_reaction_json(
        self, capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
    ) -> None:
        """reaction --json prints the stored entry with its grade."""
        adm_id = administer(capsys, db)
        rx = example("reaction")
        rx["administration_id"] = adm_id
        code, out, _ = run(
            capsys,
            "log",
            "reaction",
            "--json",
            "--input",
            write(tmp_path, "r.json", rx),
            "--db",
            db,
        )
        assert code == 0
        data = json.loads(out)
        assert data["grade"]["category"] == "anaphylaxis"
        assert data["record"]["administration_id"] == adm_id

    def test_consent_gate(
        self, capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
    ) -> None:
        """With --consent-templates, a missing or outdated consent exits 3 naming it; a current
        one passes that check (the rest of the chain is tested in test_gate)."""
        current = write(tmp_path, "t.json", {"exosome-consent": "c0ffee00" * 8})
        changed = write(tmp_path, "t2.json", {"exosome-consent": "e" * 64})
        args = ("log", "administer", "--input", ADM, "--db", db, "--consent-templates")
        code, _, err = run(capsys, *args, current)
        assert (code, "not recorded" in err) == (3, True)
        assert run(capsys, "log", "consent", "--input", CONSENT, "--db", db)[0] == 0
        code, _, err = run(capsys, *args, current)
        assert (code, "consent_template" in err, "screening_missing" in err) == (3, False, True)
        code, _, err = run(capsys, *args, changed)
        assert code == 3
        assert "consent again" in err

    def test_follow_up_and_show(
        self, capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
    ) -> None:
        """follow-up appends to a reaction; show prints the entry as JSON."""
        adm_id = administer(capsys, db)
        rx = example("reaction")
        rx["administration_id"] = adm_id
        _, out, _ = run(
            capsys, "log", "reaction", "--input", write(tmp_path, "r.json", rx), "--db", db
        )
        rid = out.split()[1]
        fu = {
            "reaction_id": rid,
            "status": "open",
            "recorded_by": "NS-1",
            "on": "2026-11-25T12:00:00+09:00",
            "due_on": "2026-11-26",
        }
        code, out, _ = run(
            capsys, "log", "follow-up", "--input", write(tmp_path, "f.json", fu), "--db", db
        )
        assert code == 0
        code, out, _ = run(capsys, "log", "show", rid, "--db", db)
        assert json.loads(out)["current"]["entry_id"] == rid


class TestQueryCommands:
    def test_verify_ok_then_broken(self, capsys: pytest.CaptureFixture[str], db: str) -> None:
        """verify exits 0 on an intact log and 1, naming the entry, after an edit in SQL."""
        adm_id = administer(capsys, db)
        administer(capsys, db)
        code, out, _ = run(capsys, "log", "verify", "--db", db, "--lang", "en")
        assert (code, out.startswith("ok: 2 entries")) == (0, True)
        code, out, _ = run(capsys, "log", "verify", "--db", db)
        assert (code, out.startswith("ok: 2 件")) == (0, True)
        raw(f"sqlite:///{db}", "UPDATE log_entries SET payload = payload || ' ' WHERE seq = 1")
        code, out, _ = run(capsys, "log", "verify", "--db", db)
        assert code == 1
        assert adm_id in out
        code, out, _ = run(capsys, "log", "verify", "--json", "--db", db)
        assert json.loads(out)["broken_entry_id"] == adm_id

    def test_recall(self, capsys: pytest.CaptureFixture[str], db: str) -> None:
        """recall lists the lot's administrations with patient ids."""
        adm_id = administer(capsys, db)
        code, out, _ = run(
            capsys, "log", "recall", "--lot", "UC-2026-118", "--db", db, "--lang", "en"
        )
        assert code == 0
        assert "1 administrations, 1 patients" in out
        assert adm_id in out
        assert "P-000123" in out
        code, out, _ = run(capsys, "log", "recall", "--lot", "UC-2026-118", "--json", "--db", db)
        assert json.loads(out)["patient_ids"] == ["P-000123"]

    def test_report(self, capsys: pytest.CaptureFixture[str], db: str) -> None:
        """report prints rates; --since takes ISO or Japanese-era dates; --json is stable."""
        administer(capsys, db)
        code, out, _ = run(capsys, "log", "report", "--db", db)
        assert code == 0
        assert "iv_drip" in out
        code, out, _ = run(
            capsys, "log", "report", "--since", "令和8年11月26日", "--json", "--db", db
        )
        assert json.loads(out)["administrations"] == 0
        code, out2, _ = run(capsys, "log", "report", "--since", "2026-11-26", "--json", "--db", db)
        assert out2 == out


class TestErrors:
    def test_bad_json_exits_2(
        self, capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
    ) -> None:
        """Invalid input exits 2 with the field path, and stores nothing."""
        data = example("administration")
        data["volume_ml"] = -5
        code, _, err = run(
            capsys,
            "log",
            "administer",
            "--input",
            write(tmp_path, "a.json", data),
            "--db",
            db,
            *OVR,
        )
        assert code == 2
        assert "administration.volume_ml: expected a volume in mL greater than 0" in err
        bad = tmp_path / "broken.json"
        bad.write_text("{", "utf-8")
        code, _, err = run(capsys, "log", "administer", "--input", str(bad), "--db", db, *OVR)
        assert (code, "not valid JSON" in err) == (2, True)

    def test_missing_database_for_a_query_exits_2(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Querying a database that does not exist is an error, not a new empty log;
        for `log verify` it is "could not verify" (4), told apart from "broken" (1)."""
        missing = tmp_path / "nope.db"
        for argv, expected in ((("recall", "--lot", "X"), 2), (("verify",), 4)):
            code, _, err = run(capsys, "log", *argv, "--db", str(missing))
            assert code == expected
            assert "no database" in err
            assert not missing.exists()

    def test_bad_date_exits_2(self, capsys: pytest.CaptureFixture[str], db: str) -> None:
        """An unreadable --since exits 2."""
        administer(capsys, db)
        code, _, err = run(capsys, "log", "report", "--since", "yesterday", "--db", db)
        assert (code, "--since" in err) == (2, True)

    def test_old_database_asks_for_migrate(
        self, capsys: pytest.CaptureFixture[str], db: str
    ) -> None:
        """An old database exits 2 pointing at `log migrate`, which then upgrades it."""
        engine = create_engine_for(db)
        migrate(engine, "0001")
        engine.dispose()
        code, _, err = run(capsys, "log", "administer", "--input", ADM, "--db", db, *OVR)
        assert code == 2
        assert "exointake log migrate" in err
        code, out, _ = run(capsys, "log", "migrate", "--db", db, "--lang", "en")
        assert (code, out.strip()) == (0, f"migrated from 0001 to revision {head_revision()}")
        assert run(capsys, "log", "administer", "--input", ADM, "--db", db, *OVR)[0] == 0

    def test_default_database_in_current_folder(self, tmp_path: Path) -> None:
        """Without --db the log is exointake.db in the current folder (real process)."""
        proc = subprocess.run(
            [sys.executable, "-m", "exointake", "log", "administer", "--input", ADM, *OVR],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / "exointake.db").exists()


class TestCheckpointCommands:
    """`log keygen`, `log checkpoint` and `log verify --checkpoint` and their exit codes."""

    @pytest.fixture
    def keys(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[str, str]:
        key, pub = str(tmp_path / "log.key"), str(tmp_path / "log.pub")
        assert run(capsys, "log", "keygen", "--key", key, "--public-key", pub)[0] == 0
        return key, pub

    def test_keys_are_never_replaced_without_force(
        self, capsys: pytest.CaptureFixture[str], keys: tuple[str, str]
    ) -> None:
        """A second keygen over the same files keeps the first key pair (exit 2)."""
        before = Path(keys[0]).read_bytes()
        code, _, err = run(capsys, "log", "keygen", "--key", keys[0], "--public-key", keys[1])
        assert code == 2
        assert "--key" in err
        assert "--force" in err
        assert Path(keys[0]).read_bytes() == before

    def test_checkpoint_then_verify(
        self, capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, keys: tuple[str, str]
    ) -> None:
        """A checkpoint is written once, verified as JSON, and never signs a broken log."""
        administer(capsys, db)
        cp = str(tmp_path / "cp-1.json")
        code, out, _ = run(capsys, "log", "checkpoint", "--db", db, "--key", keys[0], "--out", cp)
        assert code == 0
        assert "記録 #1" in out  # Japanese by default, like every log command
        again = run(capsys, "log", "checkpoint", "--db", db, "--key", keys[0], "--out", cp)
        assert again[0] == 2
        code, out, _ = run(
            capsys,
            "log",
            "verify",
            "--db",
            db,
            "--checkpoint",
            cp,
            "--public-key",
            keys[1],
            "--json",
        )
        assert code == 0
        assert json.loads(out)["checkpoints"] == 1
        raw(f"sqlite:///{db}", "UPDATE log_entries SET payload = replace(payload, 'DR', 'XX')")
        code, _, err = run(
            capsys, "log", "checkpoint", "--db", db, "--key", keys[0], "--out", cp + "2"
        )
        assert code == 1
        assert "no checkpoint signed" in err
        assert not Path(cp + "2").exists()

    def test_checkpoint_needs_the_public_key(
        self, capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, keys: tuple[str, str]
    ) -> None:
        """--checkpoint without --public-key, or with the private key file, is bad input."""
        administer(capsys, db)
        cp = str(tmp_path / "cp.json")
        run(capsys, "log", "checkpoint", "--db", db, "--key", keys[0], "--out", cp)
        code, _, err = run(capsys, "log", "verify", "--db", db, "--checkpoint", cp)
        assert (code, "--public-key" in err) == (2, True)
        code, _, err = run(
            capsys, "log", "verify", "--db", db, "--checkpoint", cp, "--public-key", keys[0]
        )
        assert (code, "public key" in err) == (2, True)

    def test_help_states_the_exit_codes(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit):
            main(["log", "verify", "--help"])
        out = " ".join(capsys.readouterr().out.split())
        assert "1 broken" in out
        assert "4 could not verify" in out


class TestExample:
    def test_log_reaction_example(self, tmp_path: Path) -> None:
        """examples/log_reaction.py runs, alerts on the anaphylaxis and catches the tampering."""
        proc = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "log_reaction.py")],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert "ALERT: reaction" in proc.stdout
        assert "ok=True" in proc.stdout
        assert "ok=False, first broken entry #4" in proc.stdout


class TestDemo:
    def test_demo_logs_and_verifies(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """The demo's log step: the gate refuses the contraindicated patient and a spoiled
        vial, an override lets the vial through, and the chain verifies."""
        code, out, _ = run(capsys, "demo", "--dir", str(tmp_path), "--lang", "en")
        assert code == 0
        step = out.split("== 4. Reaction log")[1]
        assert "P-0003: REFUSED by the gate: consent_missing, screening_decision" in step
        assert "second vial REFUSED by the gate: cold_chain" in step
        assert "OVERRIDE by DR-DEMO (bypassed cold_chain)" in step
        assert "graded infection (no article category), CTCAE Skin infection grade 2" in step
        assert "1 infection(s)" in step
        with exointake.open_log(tmp_path / "exointake.db") as log:
            assert log.verify().ok
            assert {c.consent_id for c in log.consents_needing_reconsent({})} == {
                "C-DEMO-0001",
                "C-DEMO-0002",
            }  # recorded, and outdated once templates change
