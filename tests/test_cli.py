"""The command line: screen, questionnaire show, demo; exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import exointake
from exointake.cli import main

from .conftest import EXAMPLES, ROOT

ANSWERS = EXAMPLES / "answers"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class TestScreen:
    def test_json_output(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--json prints decision, findings, missing, questionnaire and rule set."""
        code, out, _ = run(
            capsys,
            "screen",
            "--answers",
            str(ANSWERS / "review.json"),
            "--route",
            "injection_scalp",
            "--json",
            "--on",
            "2026-11-25",
        )
        assert code == 0
        data = json.loads(out)
        assert {"decision", "findings", "missing", "questionnaire", "ruleset"} <= set(data)
        assert data["decision"] == "physician_review"
        assert [f["rule_id"] for f in data["findings"]] == ["drug_allergy", "anticoagulants"]
        assert data["questionnaire"]["id"] == "exosome-intake"
        assert data["ruleset"]["id"] == "exosome-default"

    @pytest.mark.parametrize(
        ("name", "route", "decision"),
        [
            ("clear", "injection_face", "clear"),
            ("review", "injection_scalp", "physician_review"),
            ("contraindicated", "iv_drip", "contraindicated"),
        ],
    )
    def test_exit_zero_whatever_the_decision(
        self, capsys: pytest.CaptureFixture[str], name: str, route: str, decision: str
    ) -> None:
        """Screening that ran exits 0, whether the patient is clear or not."""
        code, out, _ = run(
            capsys, "screen", "--answers", str(ANSWERS / f"{name}.json"), "--route", route, "--json"
        )
        assert code == 0
        assert json.loads(out)["decision"] == decision

    def test_text_output_in_japanese(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The readable output speaks Japanese by default."""
        code, out, _ = run(
            capsys,
            "screen",
            "--answers",
            str(ANSWERS / "contraindicated.json"),
            "--route",
            "iv_drip",
        )
        assert code == 0
        assert "判定: 施術不可" in out
        assert "cancer_history=past" in out

    def test_missing_answers_incomplete(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Missing answers are screened as incomplete, listing what is missing."""
        path = tmp_path / "a.json"
        path.write_text(json.dumps({"cancer_history": "none"}))
        code, out, _ = run(capsys, "screen", "--answers", str(path), "--route", "iv_drip", "--json")
        assert code == 0
        data = json.loads(out)
        assert data["decision"] == "incomplete"
        assert "pregnant_or_breastfeeding" in data["missing"]

    def test_required_unanswered_listed(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A required question no rule reads for the route, left unanswered, is named."""
        raw = json.loads((ANSWERS / "clear.json").read_text("utf-8"))
        for key in ("anticoagulants", "site_skin_problem"):  # read for injections only
            del raw[key]
        path = tmp_path / "a.json"
        path.write_text(json.dumps(raw))
        code, out, _ = run(
            capsys, "screen", "--answers", str(path), "--route", "iv_drip", "--lang", "en"
        )
        assert code == 0
        assert "[incomplete]" in out
        assert "required, unanswered: anticoagulants" in out

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("{not json", "not valid JSON (line 1, column 2)"),
            (
                '{"cancer_history": "yes"}',
                "answers.cancer_history: expected one of none|past|current or "
                "\"unknown\", got 'yes'",
            ),
            ("[1]", "answers: expected a JSON object"),
            ('{"site_skin_problem": true}', "answers.site_skin_problem: answered, but only shown"),
        ],
    )
    def test_bad_input_exit_2(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
    ) -> None:
        """Bad input exits 2 with a message naming the field, and no traceback."""
        path = tmp_path / "a.json"
        path.write_text(content)
        code, out, err = run(capsys, "screen", "--answers", str(path), "--route", "iv_drip")
        assert code == 2
        assert out == ""
        assert message in err
        assert "Traceback" not in err

    def test_missing_file(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A missing answers file is a clear error."""
        code, _, err = run(
            capsys, "screen", "--answers", str(tmp_path / "nope.json"), "--route", "iv_drip"
        )
        assert code == 2
        assert "cannot read (No such file or directory)" in err

    def test_pinned_document(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A pinned answers document on another version is refused, not re-read."""
        q = exointake.load_questionnaire()
        raw = json.loads((ANSWERS / "clear.json").read_text("utf-8"))
        doc: dict[str, Any] = q.answers(raw).to_dict()
        path = tmp_path / "pinned.json"
        path.write_text(json.dumps(doc))
        code, out, _ = run(
            capsys, "screen", "--answers", str(path), "--route", "injection_face", "--json"
        )
        assert code == 0
        assert json.loads(out)["decision"] == "clear"
        doc["questionnaire"]["sha256"] = "0" * 64
        path.write_text(json.dumps(doc))
        code, _, err = run(capsys, "screen", "--answers", str(path), "--route", "injection_face")
        assert code == 2
        assert "different text of exosome-intake v2" in err

    def test_custom_ruleset(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """--ruleset screens with a clinic's rule set and records its version."""
        rules = tmp_path / "rules.json"
        rules.write_text(
            json.dumps(
                {
                    "id": "clinic",
                    "version": "7",
                    "questionnaire": "exosome-intake",
                    "extends": {"id": "exosome-default", "version": "2"},
                    "rules": [],
                    "disable": ["drug_allergy", "anticoagulants"],
                }
            )
        )
        code, out, _ = run(
            capsys,
            "screen",
            "--answers",
            str(ANSWERS / "review.json"),
            "--route",
            "injection_face",
            "--ruleset",
            str(rules),
            "--json",
        )
        assert code == 0
        data = json.loads(out)
        assert data["decision"] == "clear"
        assert data["ruleset"]["id"] == "clinic"
        assert data["ruleset"]["version"] == "7"


class TestQuestionnaireShow:
    def test_text(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The questionnaire prints numbered items with their link ids."""
        code, out, _ = run(capsys, "questionnaire", "show", "--lang", "en")
        assert code == 0
        assert "Exosome therapy intake questionnaire" in out
        assert "<cancer_history: choice>" in out

    def test_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--json prints the questionnaire definition."""
        code, out, _ = run(capsys, "questionnaire", "show", "exosome-intake", "--json")
        assert code == 0
        assert json.loads(out)["id"] == "exosome-intake"

    def test_unknown(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown questionnaire id exits 2."""
        code, _, err = run(capsys, "questionnaire", "show", "nope")
        assert code == 2
        assert "no bundled 'nope'" in err


class TestDemo:
    def test_demo_runs(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """The demo screens three sample patients: clear, review and contraindicated."""
        code, out, _ = run(capsys, "demo", "--dir", str(tmp_path))
        assert code == 0
        assert "Decision: CLEAR" in out
        assert "Decision: PHYSICIAN REVIEW" in out
        assert "Decision: CONTRAINDICATED" in out

    def test_entry_point_module(self, tmp_path: Path) -> None:
        """``python -m exointake`` works as the installed command does."""
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "exointake",
                "screen",
                "--answers",
                str(ANSWERS / "clear.json"),
                "--route",
                "injection_face",
                "--json",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["decision"] == "clear"
