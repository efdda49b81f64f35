"""``exointake log``'s staff commands: screening, review, amend, history, serious,
follow-ups, administrations, on SQLite and PostgreSQL; ``--lang`` on every one; exit 2 on
bad input and 3 when the safety gate refuses."""

from __future__ import annotations

import argparse
import json
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exointake import ScreeningResult
from exointake.cli import build_parser, main
from exointake.grading import load_labels

from .conftest import EXAMPLES
from .logutil import example, pg_schema

REVIEW_ANSWERS = str(EXAMPLES / "answers" / "review.json")
PATIENT = "P-000123"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "clinic.db")
        return
    with pg_schema(request.getfixturevalue("pg_url")) as url:
        yield url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return str(path)


class Chain:
    """A patient's chain recorded through the command line, step by step."""

    def __init__(self, capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
        self.capsys, self.db, self.tmp = capsys, db, tmp_path
        self.templates = write(tmp_path, "t.json", {"exosome-consent": "c0ffee00" * 8})

    def log(self, *argv: str) -> tuple[int, str, str]:
        return run(self.capsys, "log", *argv, "--db", self.db)

    def json(self, *argv: str) -> Any:
        code, out, err = self.log(*argv, "--json")
        assert code == 0, err
        return json.loads(out)

    def screening(self) -> dict[str, Any]:
        return self.json(
            "screening",
            "--input",
            REVIEW_ANSWERS,
            "--route",
            "injection_face",
            "--patient",
            PATIENT,
            "--on",
            "2026-11-25",
        )

    def review(self, screening: dict[str, Any]) -> dict[str, Any]:
        data = {
            "review_id": "RV-1",
            "patient_id": PATIENT,
            "screening_result_ids": [screening["result_id"]],
            "findings": ["anticoagulants", "drug_allergy"],  # every answer the consent lists
            "decision": "proceed",
            "reviewed_by": "DR-007",
            "reviewed_at": "2026-11-25T09:10:00+09:00",
            "reason": "抗生物質の発疹のみ、問題なしと判断（テスト）",
        }
        return self.json("review", "--input", write(self.tmp, "review.json", data))

    def consent(self, screening: dict[str, Any], *, reviewed: bool = True) -> None:
        data = example("consent") | {
            "routes": ["injection_face"],
            "screening_result_ids": [screening["result_id"]],
            "review_ids": ["RV-1"] if reviewed else [],
        }
        assert self.log("consent", "--input", write(self.tmp, "c.json", data))[0] == 0

    def administration(self, screening: dict[str, Any], **changes: Any) -> str:
        data = example("administration") | {
            "route": "injection_face",
            "site": "cheek",
            "volume_ml": "2",
            "screening_result_id": screening["result_id"],
        }
        data.update(changes)
        return write(self.tmp, "adm.json", data)

    def administer(self, screening: dict[str, Any], *extra: str, **changes: Any) -> str:
        path = self.administration(screening, **changes)
        entry = self.json(
            "administer", "--input", path, "--consent-templates", self.templates, *extra
        )
        return str(entry["entry_id"])

    def reaction(self, adm_id: str, *symptoms: str) -> tuple[str, str]:
        data = example("reaction") | {"administration_id": adm_id}
        if symptoms:
            data["reaction"] = {"symptoms": list(symptoms), "onset_minutes": 30}
        code, out, err = self.log("reaction", "--input", write(self.tmp, "r.json", data), "--json")
        assert code == 0, err
        return str(json.loads(out)["entry_id"]), err

    def whole(self) -> dict[str, str]:
        screening = self.screening()
        self.review(screening)
        self.consent(screening)
        adm = self.administer(screening)
        rx, _ = self.reaction(adm)
        fu = {
            "reaction_id": rx,
            "status": "open",
            "recorded_by": "NS-1",
            "on": "2026-11-25T12:00:00+09:00",
            "due_on": "2026-11-26",
        }
        assert self.log("follow-up", "--input", write(self.tmp, "fu.json", fu))[0] == 0
        return {"screening": screening["result_id"], "administration": adm, "reaction": rx}


@pytest.fixture
def chain(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> Chain:
    return Chain(capsys, db, tmp_path)


class TestRecording:
    def test_screening_from_answers_is_kept_with_them(self, chain: Chain) -> None:
        """log screening screens the answers for the route and records result and answers."""
        record = chain.screening()
        assert (record["patient_id"], record["decision"]) == (PATIENT, "physician_review")
        assert record["answers"]["questionnaire"]["id"] == "exosome-intake"
        code, out, _ = chain.log(
            "screening",
            "--input",
            REVIEW_ANSWERS,
            "--route",
            "injection_face",
            "--patient",
            PATIENT,
            "--on",
            "2026-11-25",
        )
        assert code == 0
        assert record["result_id"] in out
        assert "医師の確認が必要" in out  # Japanese by default

    def test_screening_from_a_stored_result_or_record(
        self, chain: Chain, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A result printed by `exointake screen --json` or a whole record are stored as is."""
        code, out, _ = run(
            capsys,
            "screen",
            "--answers",
            REVIEW_ANSWERS,
            "--route",
            "injection_face",
            "--on",
            "2026-11-25",
            "--json",
        )
        assert code == 0
        result = write(tmp_path, "result.json", json.loads(out))
        record = chain.json("screening", "--input", result, "--patient", PATIENT)
        assert record["result_id"] == ScreeningResult.from_dict(json.loads(out)).result_id
        again = chain.json("screening", "--input", write(tmp_path, "rec.json", record))
        assert again == record

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (("--route", "injection_face"), "--patient: expected the patient's id"),
            (("--patient", PATIENT), "--route: expected the route"),
        ],
    )
    def test_screening_needs_patient_and_route(
        self, chain: Chain, argv: tuple[str, ...], message: str
    ) -> None:
        """Answers need --patient and --route: exit 2 naming the missing one."""
        code, _, err = chain.log("screening", "--input", REVIEW_ANSWERS, *argv)
        assert code == 2
        assert message in err

    def test_review_is_recorded_and_refused_when_wrong(self, chain: Chain, tmp_path: Path) -> None:
        """log review records a physician's review; one naming an unknown screening exits 2."""
        screening = chain.screening()
        review = chain.review(screening)
        assert review["review_id"] == "RV-1"
        code, out, _ = chain.log("review", "--input", str(tmp_path / "review.json"), "--lang", "en")
        assert (code, "physician review RV-1 recorded (DR-007): proceed" in out) == (0, True)
        bad = json.loads((tmp_path / "review.json").read_text()) | {
            "review_id": "RV-2",
            "screening_result_ids": ["f" * 64],
        }
        code, _, err = chain.log("review", "--input", write(tmp_path, "bad.json", bad))
        assert code == 2
        assert "is not recorded in this log" in err
        assert "抗生物質" not in err  # the reason is never printed

    def test_the_gate_refuses_with_exit_3(self, chain: Chain) -> None:
        """Without the review the administration is refused (3), with an override it lands."""
        screening = chain.screening()
        chain.consent(screening, reviewed=False)
        path = chain.administration(screening)
        code, _, err = chain.log(
            "administer", "--input", path, "--consent-templates", chain.templates
        )
        assert code == 3
        assert "screening_decision" in err
        code, out, _ = chain.log(
            "administer", "--input", path, "--consent-templates", chain.templates,
            "--override-by", "DR-007", "--override-reason", "テスト", "--lang", "en",
        )  # fmt: skip
        assert code == 0
        assert "OVERRIDE by DR-007: bypassed screening_decision" in out


class TestAmend:
    def test_an_administration_goes_through_the_gate_again(
        self, chain: Chain, tmp_path: Path
    ) -> None:
        """Amending an administration onto an unknown screening exits 3; with an override it
        is stored and says so."""
        steps = chain.whole()
        bad = chain.administration({"result_id": "e" * 64})
        argv = (
            "amend",
            steps["administration"],
            "--input",
            bad,
            "--reason",
            "typo",
            "--by",
            "DR-007",
            "--consent-templates",
            chain.templates,
        )
        code, _, err = chain.log(*argv)
        assert (code, "screening_missing" in err) == (3, True)
        entry = chain.json(*argv, "--override-by", "DR-007", "--override-reason", "テスト")
        assert entry["amendment"]["amends"] == steps["administration"]
        assert entry["override"]["bypassed"] == ["screening_missing"]

    def test_a_reaction_alerts_again_only_when_its_seriousness_changes(
        self, chain: Chain, tmp_path: Path
    ) -> None:
        """An amendment that keeps a reaction anaphylaxis prints no second ALERT; one that
        makes a mild reaction anaphylaxis does."""
        steps = chain.whole()
        same = example("reaction") | {"administration_id": steps["administration"]}
        argv = ("amend", steps["reaction"], "--input", write(tmp_path, "a.json", same))
        code, _, err = chain.log(*argv, "--reason", "typo", "--by", "DR-007")
        assert (code, "ALERT" in err) == (0, False)
        mild, _ = chain.reaction(steps["administration"], "redness")
        argv = ("amend", mild, "--input", write(tmp_path, "b.json", same))
        code, _, err = chain.log(*argv, "--reason", "worse", "--by", "DR-007")
        assert (code, "ALERT" in err) == (0, True)

    @pytest.mark.parametrize(
        ("target", "message"),
        [("nope", "no entry nope in this log"), ("consent", "cannot be amended")],
    )
    def test_bad_targets_exit_2(self, chain: Chain, target: str, message: str) -> None:
        """An unknown entry or a kind that cannot be amended exits 2."""
        chain.whole()
        if target == "consent":
            history = chain.json("history", "--patient", PATIENT)
            target = next(e["entry_id"] for e in history["entries"] if e["kind"] == "consent")
        argv = ("amend", target, "--input", REVIEW_ANSWERS, "--reason", "x", "--by", "DR-1")
        code, _, err = chain.log(*argv)
        assert (code, message in err) == (2, True)


class TestQueries:
    def test_history_in_both_languages(self, chain: Chain) -> None:
        """history lists the patient's screening, review, consent, administration, reaction
        and follow-up in order, in Japanese by default and in English on request."""
        steps = chain.whole()
        data = chain.json("history", "--patient", PATIENT)
        assert [e["kind"] for e in data["entries"]] == [
            "screening", "review", "consent", "administration", "reaction", "follow_up",
        ]  # fmt: skip
        assert data["next_cursor"] is None
        code, out, _ = chain.log("history", "--patient", PATIENT)
        assert code == 0
        for word in ("問診判定", "医師の確認", "同意", "投与", "副反応", "経過観察"):
            assert word in out
        code, out, _ = chain.log("history", "--patient", PATIENT, "--lang", "en")
        assert "screening" in out
        assert steps["administration"][:12] in out

    def test_pages_print_the_next_cursor(self, chain: Chain) -> None:
        """--limit cuts a page; the cursor printed fetches the next one."""
        chain.whole()
        code, out, _ = chain.log("history", "--patient", PATIENT, "--limit", "4", "--lang", "en")
        assert code == 0
        cursor = out.rsplit("--after ", 1)[1].strip()
        rest = chain.json("history", "--patient", PATIENT, "--after", cursor)
        assert [e["kind"] for e in rest["entries"]] == ["reaction", "follow_up"]

    def test_serious_follow_ups_and_administrations(self, chain: Chain) -> None:
        """serious, follow-ups --open and administrations list what the API pages return."""
        steps = chain.whole()
        serious = chain.json("serious")
        assert [e["entry_id"] for e in serious["entries"]] == [steps["reaction"]]
        open_ = chain.json("follow-ups", "--open")
        assert [e["record"]["reaction_id"] for e in open_["entries"]] == [steps["reaction"]]
        for argv in (
            (),
            ("--since", "令和8年11月25日", "--until", "2026-11-25"),
            ("--physician", "DR-007"),
            ("--lot", " uc-2026-118 "),
        ):
            page = chain.json("administrations", *argv)
            assert [e["entry_id"] for e in page["entries"]] == [steps["administration"]], argv
        for argv in (("--since", "2026-11-26"), ("--physician", "DR-999"), ("--overridden",)):
            assert chain.json("administrations", *argv)["entries"] == [], argv
        code, out, _ = chain.log("serious")
        assert (code, "アナフィラキシー" in out) == (0, True)

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (("serious", "--limit", "0"), "--limit: expected a whole number from 1 to 1,000"),
            (("serious", "--limit", "1001"), "--limit: expected a whole number from 1"),
            (("serious", "--after", "x"), "after: expected a cursor"),
            (("administrations", "--since", "2026-13-01"), "--since: expected a real calendar"),
            (
                ("administrations", "--since", "2026-11-26", "--until", "2026-11-25"),
                "--since: expected a day on or before --until",
            ),
            (("administrations", "--lot", "  "), "lot: expected a lot number"),
            (("history", "--patient", ""), "patient_id: expected a non-empty id"),
        ],
    )
    def test_bad_arguments_exit_2(self, chain: Chain, argv: tuple[str, ...], message: str) -> None:
        """Bad paging or filters exit 2 naming the option, before any query runs."""
        chain.whole()
        code, _, err = chain.log(*argv)
        assert code == 2
        assert message in err

    def test_recall_says_what_it_normalised(self, chain: Chain) -> None:
        """recall --lot matches whatever the case, spaces and width, and says so."""
        chain.whole()
        data = chain.json("recall", "--lot", " ｕｃ－２０２６－１１８")
        assert (data["matched_lots"], data["normalised"]) == (
            ["UC-2026-118"],
            ["width", "spaces", "case"],
        )
        code, out, _ = chain.log("recall", "--lot", "uc-2026-118 ", "--lang", "en")
        assert code == 0
        assert "matched stored lot(s) UC-2026-118, ignoring surrounding spaces, case" in out
        code, out, _ = chain.log("recall", "--lot", "uc-2026-118")
        assert "大文字・小文字を区別せず" in out

    def test_the_alert_line_in_japanese(self, chain: Chain) -> None:
        """The ALERT line keeps its token and says the rest in Japanese by default."""
        screening = chain.screening()
        chain.review(screening)
        chain.consent(screening)
        _, err = chain.reaction(chain.administer(screening))
        assert "exointake: ALERT: 副反応" in err
        assert "アナフィラキシー" in err


class TestLang:
    def test_every_log_command_takes_lang(self) -> None:
        """--lang ja|en is an option of every `log` sub-command, default ja."""
        parser = build_parser("log")
        log_parser = _subparsers(parser)["log"]
        commands = _subparsers(log_parser)
        assert {"history", "serious", "follow-ups", "administrations", "review", "amend",
                "screening", "verify", "recall", "report", "migrate"} <= set(commands)  # fmt: skip
        for name, sub in commands.items():
            lang = next((a for a in sub._actions if "--lang" in a.option_strings), None)
            assert lang is not None, name
            assert (lang.default, list(lang.choices or ())) == ("ja", ["ja", "en"]), name

    def test_the_words_have_both_languages_and_the_same_placeholders(self) -> None:
        """Every log.* label has a Japanese and an English text taking the same {fields}."""
        labels = load_labels()
        groups = {name: texts for name, texts in labels.groups.items() if name.startswith("log.")}
        assert "log.words" in groups
        for name, texts in groups.items():
            for key, text in texts.items():
                assert text.ja.strip(), (name, key)
                assert text.en.strip(), (name, key)
                assert _fields(text.ja) == _fields(text.en), (name, key)


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)
