"""The ``exointake grade`` command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from exointake.cli import main

ROOT = Path(__file__).resolve().parent.parent
ISSUE_EXAMPLE = {
    "symptoms": ["hypotension", {"code": "urticaria", "extent": "generalized"}],
    "onset_minutes": 10,
    "rapid_progression": True,
}


def write(tmp_path: Path, data: object, name: str = "reaction.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["grade", *argv])
    out, err = capsys.readouterr()
    return code, out, err


class TestGradeCommand:
    def test_json_output(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--json prints category, Brighton level, CTCAE term and grade, seriousness, actions."""
        code, out, _ = run(capsys, "--input", str(write(tmp_path, ISSUE_EXAMPLE)), "--json")
        assert code == 0
        data: dict[str, Any] = json.loads(out)
        assert data["category"] == "anaphylaxis"
        assert data["brighton_level"] == 1
        assert data["ctcae"]["term"] == "Anaphylaxis"
        assert data["ctcae"]["grade"] is None
        assert data["serious"] is True
        assert data["seriousness_criteria"] == ["medically_important"]
        assert data["actions"][0]["code"] == "physician_review"

    def test_route_from_file_or_flag(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A drip, named in the file or by --route, grades as an Infusion related reaction."""
        body = {
            "symptoms": ["rash"],
            "interventions": ["oral"],
            "hospitalization": False,
            "outcome": "recovered",
            "life_threatening": False,
            "prolonged": False,
        }
        for argv, data in (
            ((), {**body, "route": "iv_drip"}),
            (("--route", "iv_drip"), body),
        ):
            code, out, _ = run(capsys, "--input", str(write(tmp_path, data)), "--json", *argv)
            assert code == 0
            assert json.loads(out)["ctcae"] == {
                "term": "Infusion related reaction",
                "grade": 2,
                "reason": None,
                "missing": [],
                "version": "5.0",
                "criterion": "Therapy or infusion interruption indicated but responds promptly "
                "to symptomatic treatment (e.g., antihistamines, NSAIDS, narcotics, IV fluids); "
                "prophylactic medications indicated for <=24 hrs",
                "meddra_llt": "10051792",
            }

    def test_unrecorded_life_threat_is_named(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Life-threatening left out of the file leaves the grade open and says what to record."""
        data = {
            "symptoms": ["hypotension", {"code": "urticaria", "extent": "generalized"}],
            "interventions": ["parenteral_adrenaline", "iv"],
            "outcome": "recovered",
            "route": "iv_drip",
        }
        code, out, _ = run(capsys, "--input", str(write(tmp_path, data)), "--json")
        assert code == 0
        result = json.loads(out)
        assert result["ctcae"]["grade"] is None
        assert result["ctcae"]["missing"] == ["life_threatening"]
        assert "life_threatening" in result["seriousness_unknown"]
        code, en, _ = run(capsys, "--input", str(write(tmp_path, data)), "--lang", "en")
        assert "life-threatening or not" in en

    def test_seriousness_not_yet_decided_is_not_no(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With criteria still open and none met, the text says 'not decided', never 'no'."""
        path = str(write(tmp_path, {"symptoms": ["rash"], "route": "injection_face"}))
        _, en, _ = run(capsys, "--input", path, "--lang", "en")
        assert "Serious (ICH E2A): not decided" in en
        _, ja, _ = run(capsys, "--input", path)
        assert "重篤性 (ICH E2A): 未確定" in ja

    def test_text_output_in_both_languages(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The default output is readable text, Japanese by default, English with --lang en."""
        path = str(write(tmp_path, ISSUE_EXAMPLE))
        code, ja, _ = run(capsys, "--input", path)
        assert code == 0
        assert "アナフィラキシー反応" in ja
        assert "極めて稀" in ja
        assert "レベル 1" in ja
        code, en, _ = run(capsys, "--input", path, "--lang", "en", "--on", "2026-11-25")
        assert code == 0
        assert "extremely rare" in en
        assert "level 1" in en
        assert "by 2026-11-25" in en

    def test_on_takes_era_dates(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--on reads a Japanese era date like `screen --on` does."""
        path = str(write(tmp_path, ISSUE_EXAMPLE))
        code, out, _ = run(capsys, "--input", path, "--json", "--on", "令和8年11月25日")
        assert code == 0
        dues = [a["due"] for a in json.loads(out)["actions"] if a["due"] is not None]
        assert dues
        assert min(dues) == "2026-11-25"

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (
                {"symptoms": ["redness", "foo"]},
                "reaction.symptoms[1].code: unknown symptom code 'foo'",
            ),
            ({"symptoms": ["pain"], "route": "oral"}, "reaction.route: expected one of iv_drip|"),
            (["pain"], "reaction: expected a Reaction or an object, got list"),
            ({"onset_minutes": 3}, "symptoms: required field missing"),
        ],
    )
    def test_bad_input_exits_2(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        data: object,
        message: str,
    ) -> None:
        """Bad input exits with 2 and a message naming the field, without a traceback."""
        code, out, err = run(capsys, "--input", str(write(tmp_path, data)))
        assert code == 2
        assert out == ""
        assert message in err
        assert "Traceback" not in err

    def test_unreadable_and_conflicting_input(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A missing file, broken JSON, a route given twice or a bad date exit with 2."""
        broken = tmp_path / "broken.json"
        broken.write_text("{", encoding="utf-8")
        both = write(tmp_path, {"symptoms": ["pain"], "route": "injection_face"})
        ok = write(tmp_path, {"symptoms": ["pain"]}, "ok.json")
        cases = [
            (("--input", str(tmp_path / "missing.json")), "cannot read"),
            (("--input", str(broken)), "not valid JSON"),
            (
                ("--input", str(both), "--route", "iv_drip"),
                "reaction.route: expected 'iv_drip' (the route argument), got 'injection_face'",
            ),
            (("--input", str(ok), "--on", "tomorrow"), "--on: expected a date"),
            (("--input", str(ok), "--on", "令和0年1月1日"), "--on: expected"),
            (("--input", str(ok), "--on", "2026-02-30"), "--on: expected"),
            (("--input", str(ok), "--persistence-days", "-1"), "--persistence-days"),
        ]
        for argv, message in cases:
            code, _, err = run(capsys, *argv)
            assert code == 2, argv
            assert message in err

    def test_runs_as_a_program(self, tmp_path: Path) -> None:
        """``python -m exointake grade`` works as a separate process."""
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "exointake",
                "grade",
                "--input",
                str(write(tmp_path, ISSUE_EXAMPLE)),
                "--json",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["brighton_level"] == 1
