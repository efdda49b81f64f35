"""``exointake signal``: the status table, alerts on stderr, critical values, exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest

from exointake import open_log
from exointake.cli import main

from .logutil import BYPASS, administration, reaction


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> str:
    """Two lots given side by side on one day and route; six reactions, all to LOT-H. At
    z = 1 the CV is 3.46574, just above 5 log 2 (five cases of five do not signal: the
    test with them would exceed alpha); the sixth case (6 log 2 = 4.16) signals."""
    path = str(tmp_path / "clinic.db")
    base = administration()
    with open_log(path) as log:
        adms = [
            attrs.evolve(
                base,
                administered_at=base.administered_at + dt.timedelta(minutes=k),
                product=attrs.evolve(base.product, lot="LOT-H" if k % 2 else "LOT-N"),
            )
            for k in range(20)
        ]
        ids = log.administer_many(adms, override=BYPASS)
        for adm_id, adm in list(zip(ids, adms, strict=True))[1:12:2]:
            onset = (adm.administered_at + dt.timedelta(minutes=5)).isoformat()
            log.record_reaction(reaction(adm_id, "redness", onset=onset))
    return path


class TestCheck:
    def test_table_and_alert(self, capsys: pytest.CaptureFixture[str], db: str) -> None:
        """Exit 0 with the status table; the crossed signal is also an alert on stderr."""
        code, out, err = run(capsys, "signal", "check", "--db", db, "--lang", "en")
        assert code == 0
        assert out.startswith("2 lots, 8 tests, 1 signals")
        signal_lines = [line for line in out.splitlines() if "| SIGNAL |" in line]
        assert len(signal_lines) == 1
        assert signal_lines[0].startswith("LOT-H | any reaction | vs other lots | SIGNAL | 6/")
        assert err.startswith("ALERT: lot LOT-H crossed its signal for any reaction")

    def test_caveats(self, capsys: pytest.CaptureFixture[str], db: str) -> None:
        """The table says how many tests ran, the false signals that many tests bring by
        chance (tests x alpha, nothing adjusted), and what a result does not prove."""
        _, out, _ = run(capsys, "signal", "check", "--db", db, "--lang", "en")
        lines = out.splitlines()
        assert lines[2] == (
            "8 tests run at alpha 0.05 each, nothing adjusted for multiplicity: about 0.4 "
            "false signals are expected even if every lot is sound. No signal does not mean "
            "safe; a signal is not proof"
        )
        assert "could not be run" not in out

    def test_untestable_counted(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A lot never given beside another: its four tests are untestable, and the table
        says so and points to an expected rate instead of printing a bare "no signal"."""
        path = str(tmp_path / "alone.db")
        with open_log(path) as log:
            (adm_id,) = log.administer_many([administration(lot="LOT-SOLO")], override=BYPASS)
            log.record_reaction(reaction(adm_id, "redness"))
        _, out, _ = run(capsys, "signal", "check", "--db", path, "--lang", "en")
        assert (
            "4 tests (1 lots) could not be run: no other lot given the same day and route. "
            "Set an expected rate (--expected OUTCOME=RATE per 1,000)"
        ) in out
        assert "0 tests run at alpha 0.05 each" in out
        _, out, _ = run(capsys, "signal", "check", "--db", path)
        assert "検定不可 4 件（1 ロット）" in out
        _, out, _ = run(capsys, "signal", "check", "--db", path, "--expected", "any=50")
        assert "検定不可 4 件（1 ロット）" in out  # the binomial tests still cannot run

    def test_japanese_table(self, capsys: pytest.CaptureFixture[str], db: str) -> None:
        """The default language is Japanese."""
        code, out, err = run(capsys, "signal", "check", "--db", db, "--signals-only")
        assert code == 0
        assert "シグナル 1 件" in out.splitlines()[0]
        assert "LOT-H | 全反応 | 他ロット比較 | シグナル" in out
        assert err.startswith("警告: ロット LOT-H")

    def test_json(self, capsys: pytest.CaptureFixture[str], db: str) -> None:
        """--json prints the report; a Poisson test runs for --expected."""
        code, out, _ = run(capsys, "signal", "check", "--db", db, "--json", "--expected", "any=50")
        assert code == 0
        report = json.loads(out)
        assert {(s["lot"], s["method"]) for s in report["signals"]} == {
            ("LOT-H", "binomial"),
            ("LOT-H", "poisson"),
        }
        assert {d["method"] for d in report["designs"]} == {"binomial", "poisson"}
        assert len(report["rows"]) == 2 * 4 + 2

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--expected", "any"], "--expected[0]: expected OUTCOME=RATE"),
            (["--expected", "fever=3"], "expected_per_1000: unknown outcome 'fever'"),
            (["--outcome", "rash"], "outcomes[0]: expected one of"),
            (["--min-events", "0"], "min_events: expected a whole number"),
            (["--max-events", "3"], "max_events: no critical value"),
            (["--expected", "serious=0.1"], "expected_per_1000.serious: no critical value"),
        ],
    )
    def test_bad_options_exit_2(
        self, capsys: pytest.CaptureFixture[str], db: str, args: list[str], message: str
    ) -> None:
        """Bad input exits 2 naming the option, without a traceback."""
        code, _, err = run(capsys, "signal", "check", "--db", db, *args)
        assert code == 2
        assert message in err
        assert "Traceback" not in err

    def test_missing_database_exits_2(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A database that does not exist is not created by a check."""
        missing = tmp_path / "none.db"
        code, _, err = run(capsys, "signal", "check", "--db", str(missing))
        assert code == 2
        assert "no database" in err
        assert not missing.exists()


class TestCriticalValue:
    def test_poisson(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The issue's reference: T = 10, M = 4 -> 2.921561."""
        code, out, _ = run(
            capsys, "signal", "cv", "--model", "poisson", "--expected", "10", "--min-events", "4"
        )
        assert code == 0
        assert out.strip() == "CV 2.921561  attained alpha 0.05000000"

    def test_poisson_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        """JSON carries the CV, the attained alpha and the settings."""
        code, out, _ = run(
            capsys,
            "signal", "cv", "--model", "poisson", "--expected", "1", "--min-events", "1", "--json",
        )  # fmt: skip
        assert code == 0
        data = json.loads(out)
        assert data["cv"] == pytest.approx(2.853937, abs=1e-6)
        assert data["attained_alpha"] <= 0.05

    def test_binomial(self, capsys: pytest.CaptureFixture[str]) -> None:
        """CV.Binomial(N=20, z=1.1, M=3): CV and its attained alpha."""
        code, out, _ = run(
            capsys,
            "signal", "cv", "--model", "binomial", "--max-events", "20", "--z", "1.1",
            "--min-events", "3",
        )  # fmt: skip
        assert code == 0
        assert out.strip() == "CV 2.967750  attained alpha 0.04511308"

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--model", "poisson"], "--expected: the Poisson model needs"),
            (["--model", "binomial", "--z", "1"], "--max-events: the binomial model needs it"),
            (["--model", "poisson", "--expected", "1"], "min_events: no critical value"),
            (["--model", "poisson", "--expected", "5", "--alpha", "0.9"], "alpha: expected"),
        ],
    )
    def test_bad_input_exits_2(
        self, capsys: pytest.CaptureFixture[str], args: list[str], message: str
    ) -> None:
        """Missing or impossible settings exit 2 with the reason."""
        code, _, err = run(capsys, "signal", "cv", *args)
        assert code == 2
        assert message in err
