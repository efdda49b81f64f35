"""Every date option of the command line follows the one date rule (``_wareki.date_arg``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import exointake
from exointake._wareki import date_arg
from exointake.cli import main

from .conftest import EXAMPLES
from .logutil import example

ANSWERS = str(EXAMPLES / "answers" / "clear.json")
REACTION = str(EXAMPLES / "reaction.json")
ARABIC_INDIC_WAREKI = "令和\u0668年\u0661\u0661月\u0662\u0665日"  # 令和٨年١١月٢٥日
ARABIC_INDIC_ISO = "\u0662\u0660\u0662\u0666-\u0660\u0661-\u0660\u0661"  # ٢٠٢٦-٠١-٠١


OVR = ("--override-by", "TEST-CLI", "--override-reason", "a CLI storage test, not of the gate")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A log holding the example administration (2026-11-25) and one dated 2030-01-10."""
    path = str(tmp_path / "clinic.db")
    for when in ("2026-11-25T10:00:00+09:00", "2030-01-10T10:00:00+09:00"):
        data = example("administration")
        data["administered_at"] = when
        adm = tmp_path / "adm.json"
        adm.write_text(json.dumps(data), "utf-8")
        code, _, err = run(capsys, "log", "administer", "--input", str(adm), "--db", path, *OVR)
        assert code == 0, err
    return path


def commands(db: str, value: str) -> dict[str, tuple[str, ...]]:
    """Every CLI option that takes a date, given ``value``."""
    screen = ("screen", "--answers", ANSWERS, "--route", "injection_face", "--json")
    return {
        "screen --on": (*screen, "--on", value),
        "grade --on": ("grade", "--input", REACTION, "--on", value),
        "log report --since": ("log", "report", "--db", db, "--since", value),
        "log report --until": ("log", "report", "--db", db, "--until", value),
        "export fhir --since": (
            "export",
            "fhir",
            "--db",
            db,
            "--out",
            str(Path(db).with_name("out.json")),
            "--since",
            value,
        ),
    }


OPTIONS = list(commands("x", "v"))


class TestEveryDateOption:
    @pytest.mark.parametrize("option", OPTIONS)
    def test_impossible_day_is_named_as_such(
        self, capsys: pytest.CaptureFixture[str], db: str, option: str
    ) -> None:
        """2026-13-01 is refused as "not a real calendar date", not as "got string"."""
        code, _, err = run(capsys, *commands(db, "2026-13-01")[option])
        flag = option.rsplit(maxsplit=1)[-1]
        assert code == 2
        assert f"{flag}: expected a real calendar date (YYYY-MM-DD)" in err
        assert "got string" not in err

    @pytest.mark.parametrize("option", OPTIONS)
    def test_empty_string_is_an_error(
        self, capsys: pytest.CaptureFixture[str], db: str, option: str
    ) -> None:
        """An empty date is refused (never read as "today" or "no bound")."""
        code, _, err = run(capsys, *commands(db, "")[option])
        assert code == 2
        assert (
            f"{option.rsplit(maxsplit=1)[-1]}: expected a date (YYYY-MM-DD or 和暦), got an empty"
            in err
        )

    @pytest.mark.parametrize("option", OPTIONS)
    @pytest.mark.parametrize("value", [ARABIC_INDIC_WAREKI, ARABIC_INDIC_ISO, "R\u0668.1.1"])
    def test_digits_other_than_ascii_or_full_width_are_refused(
        self, capsys: pytest.CaptureFixture[str], db: str, option: str, value: str
    ) -> None:
        """Arabic-Indic digits are refused in era dates as in ISO dates."""
        code, _, err = run(capsys, *commands(db, value)[option])
        assert code == 2
        assert f"{option.rsplit(maxsplit=1)[-1]}: expected a date" in err

    @pytest.mark.parametrize("option", OPTIONS)
    def test_full_width_era_date_is_read(
        self, capsys: pytest.CaptureFixture[str], db: str, option: str
    ) -> None:
        """A full-width era date is a date for every option."""
        code, _, err = run(capsys, *commands(db, "令和８年１１月２５日")[option])
        assert code == 0, err


class TestReportPeriod:
    def test_open_end_does_not_claim_now(self, capsys: pytest.CaptureFixture[str], db: str) -> None:
        """Without --until the label says "on or after", since a 2030 administration counts."""
        code, out, _ = run(
            capsys, "log", "report", "--db", db, "--since", "2026-11-01", "--lang", "en"
        )
        assert code == 0
        assert "now" not in out
        assert "administrations on or after 2026-11-01 (JST)" in out
        assert "total: 2 administrations" in out

    def test_labels_say_what_is_counted(self, capsys: pytest.CaptureFixture[str], db: str) -> None:
        """No bound: all administrations; --until alone: on or before; both: the range."""
        en = ("--lang", "en")
        _, out, _ = run(capsys, "log", "report", "--db", db, *en)
        assert "per 1,000 administrations, all administrations\n" in out
        _, out, _ = run(capsys, "log", "report", "--db", db, "--until", "2026-12-31", *en)
        assert "administrations on or before 2026-12-31 (JST)" in out
        assert "total: 1 administrations" in out
        _, out, _ = run(
            capsys, "log", "report", "--db", db, "--since", "R8.11.1", "--until", "2026-11-30", *en
        )
        assert "administrations 2026-11-01 .. 2026-11-30 (JST)" in out
        _, out, _ = run(capsys, "log", "report", "--db", db, "--since", "R8.11.1")
        assert "2026-11-01 以降の投与（日本時間）" in out  # Japanese by default

    def test_since_after_until_is_refused(
        self, capsys: pytest.CaptureFixture[str], db: str
    ) -> None:
        """A range that ends before it starts exits 2 instead of silently counting nothing."""
        code, _, err = run(
            capsys, "log", "report", "--db", db, "--since", "2026-12-01", "--until", "2026-11-01"
        )
        assert code == 2
        assert "--since: expected a day on or before --until (2026-11-01)" in err


class TestSameRuleInTheLibrary:
    @pytest.mark.parametrize("value", [ARABIC_INDIC_WAREKI, ARABIC_INDIC_ISO])
    def test_answers_refuse_other_digits(self, value: str) -> None:
        """A date answer with Arabic-Indic digits is refused, era form or ISO alike."""
        q = exointake.load_questionnaire()
        with pytest.raises(exointake.ValidationError, match=r"answers\.birth_date: expected"):
            q.answers({"birth_date": value}, partial=True)

    def test_date_arg_names_an_impossible_day(self) -> None:
        """date_arg says the day does not exist, without repeating it (it may be a birth date)."""
        with pytest.raises(exointake.ValidationError) as info:
            date_arg("2026-02-30", "on")
        assert info.value.errors == (
            "on: expected a real calendar date (YYYY-MM-DD), got a day that does not exist",
        )
