"""Issue 15's adversarial review, one test per repro: nothing destroys the log or crashes.

Each test states the behaviour the review asked for. A repro not fixed yet is marked
``xfail(strict=True)`` with the reason, so the suite says honestly what still fails and
turns red the day a fix lands without its marker being removed.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import exointake
from exointake import ValidationError
from exointake._checkpoint import generate_signing_key, load_private_key, load_public_key
from exointake._consent import ConsentRequest
from exointake._log import _store
from exointake._log._core import open_log
from exointake._log._store import create_engine_for, entry_hash
from exointake._wareki import parse_date
from exointake.cli import main

from .consent_helpers import EXAMPLE_REQUEST, example_data, pdf_text, set_path
from .logutil import LOG_EXAMPLES, consent, drop_guards, example, pg_schema

ADM = LOG_EXAMPLES / "administration.json"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def todo(reason: str) -> pytest.MarkDecorator:
    """A repro of issue 15 that still fails: strict, so a fix must remove the marker."""
    return pytest.mark.xfail(strict=True, reason=f"issue 15, not fixed yet: {reason}")


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """Run the CLI in-process: an uncaught exception (a traceback) fails the test."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def new_log(path: Path, entries: int = 3) -> Path:
    """An SQLite log with a few consent records (entries that no gate can refuse)."""
    with open_log(path) as log:
        for n in range(entries):
            log.record_consent(consent(consent_id=f"CONSENT-T-{n:04d}"))
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in a folder and its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def tamper(url: str | Path, *statements: str) -> None:
    """Run SQL behind the library's back after removing its guards."""
    engine = sa.create_engine(url if isinstance(url, str) else f"sqlite:///{url}")
    try:
        with engine.begin() as conn:
            drop_guards(conn)
            for sql in statements:
                conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def rewrite_payload(url: str | Path, seq: int, payload: str) -> None:
    """Replace one entry's payload and re-hash the chain from it, head included.

    This is what someone with write access to the whole database can do: the chain
    inside the database then verifies, unless something outside it (a checkpoint)
    says otherwise.
    """
    engine = sa.create_engine(url if isinstance(url, str) else f"sqlite:///{url}")
    try:
        with engine.begin() as conn:
            drop_guards(conn)
            rows = conn.execute(
                sa.text(
                    "SELECT seq, entry_id, kind, recorded_at, payload FROM log_entries ORDER BY seq"
                )
            ).all()
            prev = "0" * 64
            for row in rows:
                body = payload if row.seq == seq else row.payload
                digest = entry_hash(
                    seq=row.seq,
                    entry_id=row.entry_id,
                    kind=row.kind,
                    recorded_at=row.recorded_at,
                    payload=body,
                    prev_hash=prev,
                )
                conn.execute(
                    sa.text(
                        "UPDATE log_entries SET payload = :p, prev_hash = :prev, "
                        "entry_hash = :h WHERE seq = :s"
                    ),
                    {"p": body, "prev": prev, "h": digest, "s": row.seq},
                )
                prev = digest
            conn.execute(
                sa.text("UPDATE log_head SET seq = :s, entry_hash = :h WHERE id = 1"),
                {"s": rows[-1].seq if rows else 0, "h": prev},
            )
    finally:
        engine.dispose()


@pytest.fixture
def log_db(tmp_path: Path) -> Path:
    return new_log(tmp_path / "clinic.db")


@pytest.fixture
def pg_log(pg_url: str) -> Iterator[str]:
    with pg_schema(pg_url) as url:
        with open_log(url) as log:
            for n in range(3):
                log.record_consent(consent(consent_id=f"CONSENT-T-{n:04d}"))
        yield url


# ============================================================================ data loss


class TestOutputPaths:
    """No command overwrites a file it did not create in the same run without --force."""

    def test_consent_out_never_replaces_a_database(
        self, capsys: pytest.CaptureFixture[str], log_db: Path
    ) -> None:
        """`consent --out clinic.db` refuses (exit 2), even with --force; the log is untouched."""
        before = snapshot(log_db.parent)
        for extra in ((), ("--force",)):
            code, _, err = run(
                capsys, "consent", "--request", EXAMPLE_REQUEST, "--out", log_db, *extra
            )
            assert code == 2
            assert "is a database" in err
        assert snapshot(log_db.parent) == before

    def test_export_out_never_replaces_its_own_database(
        self, capsys: pytest.CaptureFixture[str], log_db: Path
    ) -> None:
        """`export fhir --db c.db --out c.db` refuses and the log still verifies."""
        before = snapshot(log_db.parent)
        code, _, err = run(capsys, "export", "fhir", "--db", log_db, "--out", log_db, "--force")
        assert code == 2
        assert "--out" in err
        assert snapshot(log_db.parent) == before

    def test_out_never_replaces_the_request(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """`--out` equal to `--request` refuses, even with --force."""
        request = write_json(tmp_path / "request.json", example_data())
        before = request.read_bytes()
        code, _, err = run(capsys, "consent", "--request", request, "--out", request, "--force")
        assert code == 2
        assert "input" in err
        assert request.read_bytes() == before

    def test_summary_and_out_differ(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """`--summary` equal to `--out` refuses before anything is written."""
        out = tmp_path / "consent.pdf"
        code, stdout, err = run(
            capsys,
            "consent",
            "--request",
            EXAMPLE_REQUEST,
            "--out",
            out,
            "--summary",
            tmp_path / "." / "consent.pdf",
        )
        assert code == 2
        assert "--summary" in err
        assert stdout == ""
        assert not out.exists()

    def test_existing_out_needs_force(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """An existing file is kept without --force and replaced whole with it."""
        out = tmp_path / "consent.pdf"
        out.write_bytes(b"yesterday's consent")
        code, _, err = run(capsys, "consent", "--request", EXAMPLE_REQUEST, "--out", out)
        assert code == 2
        assert "--force" in err
        assert out.read_bytes() == b"yesterday's consent"
        code, _, _ = run(capsys, "consent", "--request", EXAMPLE_REQUEST, "--out", out, "--force")
        assert code == 0
        assert out.read_bytes().startswith(b"%PDF")

    def test_out_does_not_follow_symlinks(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A symlink at --out is refused; its target is never written through."""
        victim = tmp_path / "notes.txt"
        victim.write_text("keep me", "utf-8")
        link = tmp_path / "consent.pdf"
        link.symlink_to(victim)
        code, _, _ = run(capsys, "consent", "--request", EXAMPLE_REQUEST, "--out", link)
        assert code == 2
        code, _, _ = run(capsys, "consent", "--request", EXAMPLE_REQUEST, "--out", link, "--force")
        assert code == 0
        assert victim.read_text("utf-8") == "keep me"

    def test_demo_never_deletes_an_existing_log(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """`demo --dir clinic` over a folder holding a log leaves the log and its files whole."""
        folder = tmp_path / "clinic"
        folder.mkdir()
        new_log(folder / "exointake.db")
        (folder / "exointake.db-wal").write_bytes(b"")
        before = snapshot(folder)
        code, _, err = run(capsys, "demo", "--dir", folder)
        assert code == 2
        assert "exointake.db" in err
        assert snapshot(folder) == before

    @pytest.mark.parametrize(
        "where",
        ["folder", "missing/consent.pdf", "/proc/exointake-x"],
        ids=str,
    )
    def test_unwritable_out(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str
    ) -> None:
        """--out and --summary on a folder, a missing folder or /proc exit 2 naming the option."""
        (tmp_path / "folder").mkdir()
        target = Path(where) if where.startswith("/") else tmp_path / where
        for flag in ("--out", "--summary"):
            argv: list[str | Path] = ["consent", "--request", EXAMPLE_REQUEST]
            argv += (
                ["--out", target]
                if flag == "--out"
                else [
                    "--out",
                    tmp_path / "ok.pdf",
                    "--summary",
                    target,
                ]
            )
            code, _, err = run(capsys, *argv)
            assert code == 2
            assert flag in err
            (tmp_path / "ok.pdf").unlink(missing_ok=True)

    def test_consent_recorded_only_after_the_pdf_is_written(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """`consent --out <folder> --db log.db` refuses and records nothing."""
        db = new_log(tmp_path / "log.db", entries=0)
        (tmp_path / "folder").mkdir()
        code, _, _ = run(
            capsys,
            "consent",
            "--request",
            EXAMPLE_REQUEST,
            "--out",
            tmp_path / "folder",
            "--db",
            db,
        )
        assert code == 2
        with open_log(db) as log:
            assert len(log) == 0


class TestPrivacyOfFiles:
    """Files holding patient data are created with mode 0600."""

    def test_consent_pdf_and_export_are_0600(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, log_db: Path
    ) -> None:
        out, bundle = tmp_path / "c.pdf", tmp_path / "b.json"
        assert run(capsys, "consent", "--request", EXAMPLE_REQUEST, "--out", out)[0] == 0
        assert run(capsys, "export", "fhir", "--db", log_db, "--out", bundle)[0] == 0
        for path in (out, bundle):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name

    def test_sqlite_log_is_0600(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        db = tmp_path / "new.db"
        assert run(capsys, "log", "migrate", "--db", db)[0] == 0
        assert stat.S_IMODE(db.stat().st_mode) == 0o600


# ============================================================================ JSON


DUPLICATE_ANSWERS = """{"birth_date": "1990-03-03", "cancer_history": "current",
"cancer_history": "none", "drug_allergy": false}"""


class TestDuplicateKeys:
    """The one JSON loader refuses duplicate keys, naming the key (exit 2)."""

    def test_loader_refuses_duplicates(self) -> None:
        with pytest.raises(ValidationError, match="cancer_history"):
            exointake._convert.load_json(DUPLICATE_ANSWERS, where="$", what="answers")

    def test_screen(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        answers = write_text(tmp_path / "a.json", DUPLICATE_ANSWERS)
        code, out, err = run(capsys, "screen", "--answers", answers, "--route", "iv_drip")
        assert code == 2
        assert "cancer_history" in err
        assert "duplicate" in err
        assert out == ""

    def test_consent_request(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        text = EXAMPLE_REQUEST.read_text("utf-8").replace(
            '"consent_id": "C-2026-0001",', '"consent_id": "C-2026-0001", "consent_id": "C-X",'
        )
        request = write_text(tmp_path / "r.json", text)
        code, _, err = run(capsys, "consent", "--request", request, "--out", tmp_path / "c.pdf")
        assert code == 2
        assert "consent_id" in err
        assert not (tmp_path / "c.pdf").exists()

    def test_log_input(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        text = ADM.read_text("utf-8").replace(
            '"route": "iv_drip",', '"route": "injection_face", "route": "iv_drip",'
        )
        adm = write_text(tmp_path / "adm.json", text)
        db = tmp_path / "log.db"
        code, _, err = run(capsys, "log", "administer", "--input", adm, "--db", db)
        assert code == 2
        assert "route" in err
        if db.exists():
            with open_log(db) as log:
                assert len(log) == 0


# ============================================================================ PDF text


class TestPdfText:
    def test_full_width_space_kept(self) -> None:
        """`山田　花子` keeps its full-width space in the rendered document."""
        data = example_data()
        set_path(data, "patient.name", "山田　花子")
        rendered = exointake.render_consent(ConsentRequest.from_dict(data), language="ja")
        assert "山田　花子" in pdf_text(rendered.pdf)


# ============================================================================ forged screening


def request_with_screening(**changes: Any) -> dict[str, Any]:
    data = example_data()
    screening = data["screening"]
    for path, value in changes.items():
        set_path(screening, path, value)
    return data


class TestEmbeddedScreening:
    """The consent gate refuses a request whose own screening is inconsistent or unknown."""

    CONTRAINDICATED_FINDING = {  # noqa: RUF012 - test data
        "rule_id": "cancer_history",
        "decision": "contraindicated",
        "patient_message": {"ja": "がん", "en": "cancer"},
        "staff_message": {"ja": "がん", "en": "cancer"},
        "source": "article",
        "answers": {"cancer_history": "current"},
        "missing": [],
        "requirements": [],
    }

    def _refused(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, data: dict[str, Any]
    ) -> str:
        request = write_json(tmp_path / "r.json", data)
        code, _, err = run(capsys, "consent", "--request", request, "--out", tmp_path / "c.pdf")
        assert code in (2, 3)
        assert not (tmp_path / "c.pdf").exists()
        return err

    def test_decision_is_the_worst_finding(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        data = request_with_screening(decision="clear")
        data["screening"]["findings"] = [copy.deepcopy(self.CONTRAINDICATED_FINDING)]
        assert "screening.decision" in self._refused(capsys, tmp_path, data)

    def test_clear_has_nothing_missing(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        data = request_with_screening(decision="clear", missing=["cancer_history"])
        data["screening"]["findings"] = []
        assert "screening.missing" in self._refused(capsys, tmp_path, data)

    @pytest.mark.parametrize(
        "which",
        [
            "questionnaire",
            "ruleset",
        ],
    )
    @pytest.mark.parametrize("sha", ["not-a-hash", "0" * 64])
    def test_known_questionnaire_and_ruleset(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, which: str, sha: str
    ) -> None:
        data = request_with_screening(**{f"{which}.sha256": sha})
        assert f"screening.{which}" in self._refused(capsys, tmp_path, data)

    def test_example_request_still_renders(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A consistent screening with the bundled versions' hashes is accepted."""
        code, _, _ = run(
            capsys, "consent", "--request", EXAMPLE_REQUEST, "--out", tmp_path / "c.pdf"
        )
        assert code == 0


class TestEmptyRuleSets:
    """A screening with no applicable rule is not a screening."""

    def _ruleset(self, tmp_path: Path, rules: list[dict[str, Any]]) -> Path:
        data = json.loads((EXAMPLES / "clinic-rules.json").read_text("utf-8"))
        data.pop("extends", None)
        data.pop("disable", None)
        data["rules"] = rules
        return write_json(tmp_path / "rules.json", data)

    def test_no_rule_refused(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        answers = write_json(tmp_path / "a.json", {})
        rules = self._ruleset(tmp_path, [])
        code, out, err = run(
            capsys, "screen", "--answers", answers, "--route", "iv_drip", "--ruleset", rules
        )
        assert code == 2
        assert "no rule" in err
        assert "clear" not in out

    def test_all_rules_disabled_refused(self) -> None:
        base = exointake.load_ruleset().to_dict()
        data = {
            "id": "clinic-off",
            "version": "1",
            "questionnaire": "exosome-intake",
            "extends": {"id": base["id"], "version": base["version"]},
            "disable": [r["id"] for r in base["rules"]],
            "rules": [],
        }
        q = exointake.load_questionnaire()
        answers = q.answers({}, partial=True)

        def screened() -> exointake.ScreeningResult:
            return exointake.screen(answers, "iv_drip", exointake.RuleSet.from_dict(data))

        with pytest.raises(ValidationError, match="no rule"):
            screened()

    def test_required_items_must_be_answered(self, clear_answers: dict[str, Any]) -> None:
        """Missing required items make the result incomplete, listing them, whatever rules read."""
        q = exointake.load_questionnaire()
        partial = {k: v for k, v in clear_answers.items() if k != "keloid_tendency"}
        base = exointake.load_ruleset().to_dict()
        rules = exointake.RuleSet.from_dict(
            {
                "id": "clinic-one",
                "version": "1",
                "questionnaire": "exosome-intake",
                "rules": [r for r in base["rules"] if r["id"] == "cancer_history"],
                "sources": base["sources"],  # the rule cites them
            }
        )
        result = exointake.screen(
            q.answers(partial, route="injection_face", partial=True),
            "injection_face",
            rules,
            on=dt.date(2026, 11, 25),
        )
        assert result.decision is exointake.Decision.INCOMPLETE
        assert "keloid_tendency" in result.missing


# ============================================================================ verify


class TestVerifyNeverCrashes:
    """Every broken state is a VerifyReport with ok=False naming the problem (exit 1)."""

    def _broken(self, capsys: pytest.CaptureFixture[str], db: Path | str) -> str:
        with open_log(db, create=False) as log:
            report = log.verify()
        assert not report.ok
        assert report.problem
        code, _, _ = run(capsys, "log", "verify", "--db", db)
        assert code == 1
        return report.problem

    def test_head_row_deleted(self, capsys: pytest.CaptureFixture[str], log_db: Path) -> None:
        tamper(log_db, "DELETE FROM log_head")
        assert "head" in self._broken(capsys, log_db)

    @pytest.mark.parametrize("payload", ["null", "[]", "[1,2]", '"text"', "7"])
    def test_payload_not_an_object(
        self, capsys: pytest.CaptureFixture[str], log_db: Path, payload: str
    ) -> None:
        rewrite_payload(log_db, 2, payload)
        assert "payload" in self._broken(capsys, log_db)

    @pytest.mark.parametrize("table", ["log_admin_counts", "log_reaction_counts", "log_head"])
    def test_table_dropped(
        self, capsys: pytest.CaptureFixture[str], log_db: Path, table: str
    ) -> None:
        tamper(log_db, f"DROP TABLE {table}")
        assert table in self._broken(capsys, log_db)

    @pytest.mark.postgres
    def test_postgres(self, capsys: pytest.CaptureFixture[str], pg_log: str) -> None:
        tamper(pg_log, "DELETE FROM log_head")
        with open_log(pg_log, create=False) as log:
            assert not log.verify().ok
        rewrite_payload(pg_log, 2, "null")
        tamper(pg_log, "DROP TABLE log_admin_counts")
        with open_log(pg_log, create=False) as log:
            assert not log.verify().ok

    def test_could_not_verify_has_its_own_exit_code(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A file that is not a log cannot be verified: not 0, not 1 (broken), no traceback."""
        pdf = tmp_path / "consent.pdf"
        pdf.write_bytes(b"%PDF-1.4\n" + b"x" * 2000)
        code, _, err = run(capsys, "log", "verify", "--db", pdf)
        assert code not in (0, 1)
        assert "--db" in err or "db:" in err
        code, _, err = run(capsys, "log", "verify", "--db", tmp_path / "nothing.db")
        assert code not in (0, 1)


class TestCheckpoints:
    """Signed checkpoints detect a rewrite of the head, the tail or the whole chain."""

    def _keys(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[Path, Path]:
        key, pub = tmp_path / "log.key", tmp_path / "log.pub"
        code, _, _ = run(capsys, "log", "keygen", "--key", key, "--public-key", pub)
        assert code == 0
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        return key, pub

    def _checkpoint(
        self, capsys: pytest.CaptureFixture[str], db: Path | str, key: Path, out: Path
    ) -> None:
        code, _, _ = run(capsys, "log", "checkpoint", "--db", db, "--key", key, "--out", out)
        assert code == 0

    def _verify(
        self, capsys: pytest.CaptureFixture[str], db: Path | str, cp: Path, pub: Path
    ) -> tuple[int, str]:
        code, out, _ = run(
            capsys, "log", "verify", "--db", db, "--checkpoint", cp, "--public-key", pub
        )
        return code, out

    def test_tail_deleted_and_head_rewritten(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, log_db: Path
    ) -> None:
        key, pub = self._keys(capsys, tmp_path)
        cp = tmp_path / "cp.json"
        self._checkpoint(capsys, log_db, key, cp)
        assert self._verify(capsys, log_db, cp, pub)[0] == 0
        with open_log(log_db) as log:
            log.record_consent(consent(consent_id="CONSENT-T-LATER"))
        assert self._verify(capsys, log_db, cp, pub)[0] == 0  # the log grew: still extends
        tamper(
            log_db,
            "DELETE FROM log_entries WHERE seq >= 3",
            "UPDATE log_head SET seq = 2, entry_hash = "
            "(SELECT entry_hash FROM log_entries WHERE seq = 2) WHERE id = 1",
        )
        with open_log(log_db, create=False) as log:
            assert log.verify().ok  # the chain alone cannot tell
        code, out = self._verify(capsys, log_db, cp, pub)
        assert code == 1
        assert "checkpoint" in out

    def test_full_rewrite(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, log_db: Path
    ) -> None:
        key, pub = self._keys(capsys, tmp_path)
        cp = tmp_path / "cp.json"
        self._checkpoint(capsys, log_db, key, cp)
        original = sa.create_engine(f"sqlite:///{log_db}")
        with original.connect() as conn:
            payload = conn.exec_driver_sql("SELECT payload FROM log_entries WHERE seq=1").scalar()
        original.dispose()
        rewrite_payload(log_db, 1, str(payload).replace("DR-007", "DR-666"))
        with open_log(log_db, create=False) as log:
            assert log.verify().ok
        assert self._verify(capsys, log_db, cp, pub)[0] == 1

    def test_api(self, log_db: Path) -> None:
        private, public = generate_signing_key()
        with open_log(log_db) as log:
            cp = log.checkpoint(load_private_key(private))  # type: ignore[attr-defined]
            assert cp.seq == 3
            report = log.verify(checkpoints=[cp], public_key=load_public_key(public))  # type: ignore[call-arg]
            assert report.ok

    def test_forged_checkpoint_refused(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, log_db: Path
    ) -> None:
        key, pub = self._keys(capsys, tmp_path)
        cp = tmp_path / "cp.json"
        self._checkpoint(capsys, log_db, key, cp)
        data = json.loads(cp.read_text("utf-8"))
        data["seq"] = 2
        forged = write_json(tmp_path / "forged.json", data)
        code, _, err = run(
            capsys, "log", "verify", "--db", log_db, "--checkpoint", forged, "--public-key", pub
        )
        assert code not in (0, 1)
        assert "signature" in err


class TestDatabaseGuards:
    """Triggers refuse UPDATE and DELETE on entries (against accidents, not a superuser)."""

    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE log_entries SET payload = '{}' WHERE seq = 1",
            "DELETE FROM log_entries WHERE seq = 3",
        ],
    )
    def test_sqlite(self, log_db: Path, sql: str) -> None:
        engine = sa.create_engine(f"sqlite:///{log_db}")
        try:
            with pytest.raises(sa.exc.DatabaseError), engine.begin() as conn:
                conn.exec_driver_sql(sql)
        finally:
            engine.dispose()
        with open_log(log_db) as log:
            assert log.verify().ok

    @pytest.mark.postgres
    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE log_entries SET payload = '{}' WHERE seq = 1",
            "DELETE FROM log_entries WHERE seq = 3",
        ],
    )
    def test_postgres(self, pg_log: str, sql: str) -> None:
        engine = sa.create_engine(pg_log)
        try:
            with pytest.raises(sa.exc.DatabaseError), engine.begin() as conn:
                conn.exec_driver_sql(sql)
        finally:
            engine.dispose()
        with open_log(pg_log) as log:
            assert log.verify().ok


# ============================================================================ bad input


def adm_with(tmp_path: Path, **changes: Any) -> Path:
    data = example("administration")
    for path, value in changes.items():
        set_path(data, path.replace("__", "."), value)
    return write_json(tmp_path / "adm.json", data)


class TestCrashesOnBadInput:
    """Each is a clear error naming the field or path (exit 2), never a traceback."""

    @pytest.mark.parametrize("field", ["site", "product__concentration"])
    def test_lone_surrogate_in_administration(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, field: str
    ) -> None:
        adm = write_text(
            tmp_path / "adm.json",
            json.dumps(example("administration")).replace(
                json.dumps(example("administration")["site"])
                if field == "site"
                else json.dumps(example("administration")["product"]["concentration"]),
                '"x\\ud800y"',
            ),
        )
        db = tmp_path / "log.db"
        code, _, err = run(capsys, "log", "administer", "--input", adm, "--db", db)
        assert code == 2
        assert field.replace("__", ".") in err

    def test_lone_surrogate_in_note(self) -> None:
        data = example("reaction") | {"administration_id": "A" * 32, "note": "x\udfffy"}
        with pytest.raises(ValidationError, match="note"):
            exointake.ReactionRecord.from_dict(data)

    def test_lone_surrogate_in_reason(self) -> None:
        data = example_data()
        data["override"] = {
            "physician_id": "D-017",
            "reason": "x\udcff",
            "at": "2026-11-25T10:00:00+09:00",
        }
        with pytest.raises(ValidationError, match=r"override\.reason"):
            ConsentRequest.from_dict(data)

    @pytest.mark.parametrize(
        "when",
        [
            "9999-12-31T23:59:59-09:00",  # beyond datetime.max in UTC: refused already
            "9999-12-31T23:59:59+09:00",  # a representable UTC time, beyond any plausible one
        ],
    )
    def test_year_9999(self, capsys: pytest.CaptureFixture[str], tmp_path: Path, when: str) -> None:
        adm = adm_with(tmp_path, administered_at=when)
        code, _, err = run(capsys, "log", "administer", "--input", adm, "--db", tmp_path / "l.db")
        assert code == 2
        assert "administered_at" in err

    @pytest.mark.parametrize(
        "volume",
        [
            "1e999999999",
            "NaN",
            "Infinity",
            "-1",
            "0",
        ],
    )
    def test_volume_finite_positive(self, volume: str) -> None:
        data = example("administration") | {"volume_ml": volume}
        with pytest.raises(ValidationError, match="volume_ml"):
            exointake.Administration.from_dict(data)

    def test_foreign_file_as_db(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        pdf = tmp_path / "consent.pdf"
        pdf.write_bytes(b"%PDF-1.4\n" + b"x" * 2000)
        before = pdf.read_bytes()
        for argv in (
            ("log", "administer", "--input", ADM),
            ("log", "recall", "--lot", "X"),
            ("log", "migrate"),
        ):
            code, _, err = run(capsys, *argv, "--db", pdf)
            assert code == 2, argv
            assert "db" in err
        assert pdf.read_bytes() == before

    def test_migrate_newer_schema(self, capsys: pytest.CaptureFixture[str], log_db: Path) -> None:
        tamper(log_db, "UPDATE alembic_version SET version_num = 'r9999_future'")
        code, _, err = run(capsys, "log", "migrate", "--db", log_db)
        assert code == 2
        assert "newer" in err

    def test_migrate_foreign_log_entries(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        db = tmp_path / "other.db"
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE log_entries (id INTEGER PRIMARY KEY, line TEXT)")
        conn.commit()
        conn.close()
        before = db.read_bytes()
        code, _, err = run(capsys, "log", "migrate", "--db", db)
        assert code == 2
        assert "log_entries" in err
        assert db.read_bytes() == before

    @pytest.mark.postgres
    def test_migrate_missing_pg_database(
        self, capsys: pytest.CaptureFixture[str], pg_url: str
    ) -> None:
        url = sa.engine.make_url(pg_url).set(database="exointake_no_such_db")
        code, _, err = run(
            capsys, "log", "migrate", "--db", url.render_as_string(hide_password=False)
        )
        assert code == 2
        assert "db" in err

    @pytest.mark.postgres
    def test_read_only_database(self, capsys: pytest.CaptureFixture[str], pg_log: str) -> None:
        ro = f"{pg_log}%20-cdefault_transaction_read_only%3Don"
        code, _, err = run(
            capsys, "log", "consent", "--input", LOG_EXAMPLES / "consent.json", "--db", ro
        )
        assert code == 2
        assert "read-only" in err or "read only" in err

    def test_busy_database(
        self, capsys: pytest.CaptureFixture[str], log_db: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(_store, "BUSY_TIMEOUT_S", 0.2)
        holder = sqlite3.connect(log_db, timeout=0.1, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            code, _, err = run(
                capsys, "log", "consent", "--input", LOG_EXAMPLES / "consent.json", "--db", log_db
            )
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert code not in (0, 1)
        assert "busy" in err

    @pytest.mark.parametrize(
        "argv",
        [
            ("log", "administer", "--input", str(ADM)),
            ("log", "consent", "--input", str(LOG_EXAMPLES / "consent.json")),
            ("consent", "--request", str(EXAMPLE_REQUEST), "--out", "{tmp}/c.pdf"),
        ],
        ids=["administer", "log consent", "consent --db"],
    )
    def test_no_tables_added_to_a_foreign_database(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: tuple[str, ...]
    ) -> None:
        db = tmp_path / "patients.db"
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE patients (id TEXT PRIMARY KEY, name TEXT)")
        conn.commit()
        conn.close()
        before = db.read_bytes()
        code, _, err = run(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in argv], "--db", db)
        assert code == 2
        assert "migrate" in err
        assert db.read_bytes() == before

    def test_foreign_database_refused_by_the_api_without_create(self, tmp_path: Path) -> None:
        """open_log(create=False) already leaves a foreign database alone."""
        db = tmp_path / "patients.db"
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE patients (id TEXT)")
        conn.commit()
        conn.close()
        with pytest.raises(exointake.MigrationRequired):
            open_log(db, create=False)


class TestTextLimits:
    """Every text field has a maximum length, checked before layout."""

    @pytest.mark.parametrize(
        ("path", "size"),
        [
            ("patient.name", 2316),
            ("patient.name", 10_000_000),
            ("prices.cancellation_terms", 1_000_000),
            ("clinic.address", 100_000),
            ("product.maker", 100_000),
        ],
    )
    def test_refused_before_layout(self, path: str, size: int) -> None:
        data = example_data()
        set_path(data, path, "長" * size)
        with pytest.raises(ValidationError, match=path.replace(".", r"\.")):
            ConsentRequest.from_dict(data)

    def test_every_schema_string_has_a_max_length(self) -> None:
        """Every string in every schema is bounded (maxLength, an enum, a const or a pattern)."""
        unbounded: list[str] = []

        def walk(node: Any, where: str) -> None:
            if isinstance(node, dict):
                if node.get("type") == "string" and not (
                    {"maxLength", "enum", "const"} & set(node)
                ):
                    unbounded.append(where)
                for key, value in node.items():
                    walk(value, f"{where}/{key}")
            elif isinstance(node, list):
                for n, value in enumerate(node):
                    walk(value, f"{where}/{n}")

        for schema in sorted(SCHEMAS.glob("*.json")):
            walk(json.loads(schema.read_text("utf-8")), schema.name)
        assert unbounded == []


class TestImplausibleValues:
    """Implausible values are refused with the field named."""

    @pytest.mark.parametrize(
        ("path", "value"),
        [
            ("patient.birth_date", "1899-12-31"),
            ("treatment.plan.sessions", 1_000_000_000),
            ("prices.tax_rate_percent", 101),
            ("prices.per_session_jpy", 100_000_001),
            ("prices.total_jpy", 100_000_001),
        ],
    )
    def test_consent_request(self, path: str, value: Any) -> None:
        data = example_data()
        set_path(data, path, value)
        with pytest.raises(ValidationError, match=path.replace(".", r"\.")):
            ConsentRequest.from_dict(data)

    @pytest.mark.parametrize(
        ("path", "value"),
        [
            ("storage_check.days_at_room_temperature", -1),
            ("storage_check.temperature_c", "-273"),
        ],
    )
    def test_administration(self, path: str, value: Any) -> None:
        data = example("administration")
        set_path(data, path, value)
        with pytest.raises(ValidationError, match=path.replace(".", r"\.")):
            exointake.Administration.from_dict(data)

    def test_answers_birth_date_before_1900(self, clear_answers: dict[str, Any]) -> None:
        q = exointake.load_questionnaire()
        with pytest.raises(ValidationError, match=r"answers\.birth_date"):
            q.answers(clear_answers | {"birth_date": "1899-12-31"})

    def test_screen_on_empty(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(
            capsys,
            "screen",
            "--answers",
            EXAMPLES / "answers" / "clear.json",
            "--route",
            "injection_face",
            "--on",
            "",
        )
        assert code == 2
        assert "--on" in err

    def test_wareki_non_ascii_digits(self) -> None:
        assert parse_date("令和8年11月25日") == dt.date(2026, 11, 25)
        with pytest.raises(ValueError):  # noqa: PT011 - the converter's Expected is a ValueError
            parse_date("令和٨年١١月٢٥日")  # Arabic-Indic digits, refused in ISO dates


class TestPrivacyOfMessages:
    @pytest.mark.parametrize("value", ["1990-03-03", "Yamada"])
    def test_no_echo_of_dates_or_names(self, clear_answers: dict[str, Any], value: str) -> None:
        q = exointake.load_questionnaire()
        with pytest.raises(ValidationError) as info:
            q.answers(clear_answers | {"cancer_history": value})
        assert "answers.cancer_history" in str(info.value)
        assert value not in str(info.value)

    @pytest.mark.postgres
    def test_parameters_hidden(self, pg_url: str) -> None:
        for url in (pg_url, "sqlite:///:memory:"):
            engine = create_engine_for(url)
            try:
                assert engine.hide_parameters
            finally:
                engine.dispose()
