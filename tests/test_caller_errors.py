"""Errors a caller can act on: every bad argument is a ValidationError naming it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import exointake
from exointake import Administration, ConsentRequest, ReactionRecord, ValidationError, fhir

from .consent_helpers import example_data
from .logutil import BYPASS, administration, reaction


def problems(info: pytest.ExceptionInfo[ValidationError]) -> tuple[str, ...]:
    return info.value.errors


class TestRenderTakesARequestOrItsData:
    @pytest.mark.parametrize("render", [exointake.render_consent, exointake.render_summary])
    def test_a_mapping_is_structured_as_a_request(self, render: object) -> None:
        """A request's plain data renders the same bytes as the request built from it."""
        data = example_data()
        assert callable(render)
        assert render(data).sha256 == render(ConsentRequest.from_dict(data)).sha256

    @pytest.mark.parametrize("render", [exointake.render_consent, exointake.render_summary])
    def test_bad_request_data_lists_its_problems_by_path(self, render: object) -> None:
        """A mapping missing a field is a ValidationError with the request's path."""
        data = example_data()
        del data["patient"]
        assert callable(render)
        with pytest.raises(ValidationError) as info:
            render(data)
        assert problems(info) == ("request.patient: required field missing",)

    @pytest.mark.parametrize("render", [exointake.render_consent, exointake.render_summary])
    @pytest.mark.parametrize("bad", [None, [1, 2], "consent-request.json", 3])
    def test_anything_else_names_the_request_argument(self, render: object, bad: object) -> None:
        """Neither a request nor a mapping: a ValidationError, not an AttributeError."""
        assert callable(render)
        with pytest.raises(ValidationError) as info:
            render(bad)
        (message,) = problems(info)
        assert message.startswith("request: expected a ConsentRequest or a mapping")


class TestRenderLanguage:
    @pytest.mark.parametrize("render", [exointake.render_consent, exointake.render_summary])
    @pytest.mark.parametrize("language", ["fr", "JA", "", 1, None.__class__])
    def test_an_unknown_language_names_the_argument_and_the_choices(
        self, render: object, language: object
    ) -> None:
        """``language="fr"`` is a ValidationError listing ja|en|ja+en, not a raw ValueError."""
        assert callable(render)
        with pytest.raises(ValidationError) as info:
            render(ConsentRequest.from_dict(example_data()), language=language)
        (message,) = problems(info)
        assert message.startswith("language: expected one of ja, en, ja+en")

    def test_a_known_language_is_taken_as_a_string(self) -> None:
        """``language="en"`` overrides the request's language."""
        request = ConsentRequest.from_dict(example_data())
        assert request.language.value != "en"
        en = exointake.render_consent(request, language="en")
        assert en.sha256 != exointake.render_consent(request).sha256


class TestRecordsBuiltInPythonRefuseAMissingPart:
    @pytest.mark.parametrize("name", ["product", "storage_check"])
    @pytest.mark.parametrize("bad", [None, {"lot": "L1"}, "L1"])
    def test_an_administration_needs_its_product_and_storage_check(
        self, name: str, bad: object
    ) -> None:
        """``Administration(product=None, ...)`` is refused when made, naming the field."""
        fields = attrs.asdict(administration(), recurse=False)
        fields[name] = bad
        with pytest.raises(ValidationError) as info:
            Administration(**fields)
        (message,) = problems(info)
        assert message.startswith(f"{name}: expected a")

    def test_a_refused_administration_never_reaches_the_log(self, tmp_path: Path) -> None:
        """The log is never asked to store a record without a product (it raised AttributeError)."""
        fields: dict[str, Any] = attrs.asdict(administration(), recurse=False)
        with exointake.open_log(tmp_path / "clinic.db") as log:
            with pytest.raises(ValidationError, match="product: expected a Product, got null"):
                log.administer(Administration(**{**fields, "product": None}))
            assert log.verify().entries == 0

    def test_a_reaction_record_needs_its_reaction(self) -> None:
        """``ReactionRecord(reaction=None, ...)`` is refused; ``vital_signs=None`` is allowed."""
        fields = attrs.asdict(reaction("A1"), recurse=False)
        assert ReactionRecord(**{**fields, "vital_signs": None}).vital_signs is None
        with pytest.raises(ValidationError, match=r"reaction: expected a Reaction, got null"):
            ReactionRecord(**{**fields, "reaction": None})
        with pytest.raises(ValidationError, match=r"vital_signs: expected a VitalSigns or null"):
            ReactionRecord(**{**fields, "vital_signs": {"spo2_percent": 90}})

    def test_records_from_data_still_round_trip(self) -> None:
        """The new checks change nothing for records read from data."""
        a = administration()
        assert Administration.from_dict(a.to_dict()) == a
        r = reaction("A1")
        assert ReactionRecord.from_dict(r.to_dict()) == r


# ---------------------------------------------------------------------------- dates

DateCall = Callable[[object], object]


@pytest.fixture(scope="module")
def log_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[exointake.Log]:
    with exointake.open_log(tmp_path_factory.mktemp("log") / "clinic.db") as log:
        yield log


def date_calls(log: exointake.Log, answers: exointake.Answers) -> dict[str, DateCall]:
    """Every date argument of the API, as a call taking the date's value."""
    patient = ConsentRequest.from_dict(example_data()).patient
    reaction = {"symptoms": ["urticaria"], "onset_minutes": 10}
    return {
        "grade(on=)": lambda v: exointake.grade(reaction, on=v),
        "screen(on=)": lambda v: exointake.screen(answers, on=v),
        "Patient.age_on(day)": patient.age_on,  # type: ignore[dict-item]
        "log.rates(since=)": lambda v: log.rates(since=v),  # type: ignore[arg-type]
        "log.rates(until=)": lambda v: log.rates(until=v),  # type: ignore[arg-type]
        "fhir.visit_bundles(since=)": lambda v: list(fhir.visit_bundles(log, since=v)),  # type: ignore[arg-type]
    }


DATE_CALLS = [
    "grade(on=)",
    "screen(on=)",
    "Patient.age_on(day)",
    "log.rates(since=)",
    "log.rates(until=)",
    "fhir.visit_bundles(since=)",
]


class TestOneRuleForEveryDateArgument:
    @pytest.fixture
    def calls(
        self, log_file: exointake.Log, questionnaire: exointake.Questionnaire, clear_answers: Any
    ) -> dict[str, DateCall]:
        return date_calls(log_file, questionnaire.answers(clear_answers, route="injection_face"))

    @pytest.mark.parametrize("call", DATE_CALLS)
    @pytest.mark.parametrize(
        "value", [dt.date(2026, 11, 1), "2026-11-01", "令和8年11月1日", "R8.11.1"]
    )
    def test_a_date_iso_or_wareki_is_taken(
        self, calls: dict[str, DateCall], call: str, value: object
    ) -> None:
        """Each date argument takes a date, ``YYYY-MM-DD`` or 和暦, and they agree."""
        assert calls[call](value) == calls[call](dt.date(2026, 11, 1))

    @pytest.mark.parametrize("call", DATE_CALLS)
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("2026-13-01", "expected a real calendar date"),
            ("令和8年2月30日", "expected a real calendar date"),
            ("", "got an empty string"),
            ("next week", "expected a date"),
            (20261101, "expected a date"),
            (dt.datetime(2026, 11, 1, tzinfo=dt.UTC), "expected a date"),
        ],
    )
    def test_anything_else_names_the_argument(
        self, calls: dict[str, DateCall], call: str, value: object, expected: str
    ) -> None:
        """A value that is no date is a ValidationError naming the argument."""
        name = call.split("(")[1].rstrip(")=")
        with pytest.raises(ValidationError) as info:
            calls[call](value)
        (message,) = problems(info)
        assert message.startswith(f"{name}: ")
        assert expected in message


class TestBirthDatesCannotBeInTheFuture:
    def test_answers_refuse_a_birth_date_after_today(
        self, questionnaire: exointake.Questionnaire
    ) -> None:
        """A birth date after today (JST) is refused in answers, ISO or 和暦."""
        for value in ("2030-01-01", "令和12年1月1日"):
            with pytest.raises(ValidationError) as info:
                questionnaire.answers({"birth_date": value}, partial=True)
            assert problems(info) == ("answers.birth_date: expected a date not in the future",)
        today = exointake.parse_date(dt.datetime.now(exointake.JST).date().isoformat())
        assert questionnaire.answers({"birth_date": today.isoformat()}, partial=True)

    def test_a_consent_request_refuses_a_future_birth_date_and_takes_wareki(self) -> None:
        """patient.birth_date is refused after today even on a future document; 和暦 is taken."""
        data = example_data()
        data["patient"]["birth_date"] = "昭和55年4月1日"
        assert ConsentRequest.from_dict(data).patient.birth_date == dt.date(1980, 4, 1)
        data["document_at"] = "2030-06-01T10:00:00+09:00"
        data["patient"]["birth_date"] = "2030-01-01"
        with pytest.raises(ValidationError) as info:
            ConsentRequest.from_dict(data)
        assert "request.patient.birth_date: expected a date not in the future" in problems(info)

    def test_an_impossible_day_is_named_as_such(self) -> None:
        """A record's date field with an impossible day says so, not "got string"."""
        data = administration().to_dict()
        follow = {
            "reaction_id": "R1",
            "status": "open",
            "recorded_by": "N1",
            "on": data["administered_at"],
            "due_on": "2026-02-30",
        }
        with pytest.raises(ValidationError) as info:
            exointake.FollowUp.from_dict(follow)
        (message,) = problems(info)
        assert message.startswith("follow_up.due_on: expected a real calendar date")
        follow["due_on"] = "２０２６-１２-０１"  # full-width digits are not ISO
        with pytest.raises(ValidationError, match=r"due_on: expected a date \(YYYY-MM-DD\)"):
            exointake.FollowUp.from_dict(follow)


class TestMessagesReadAsEnglish:
    def test_an_amendment_of_the_wrong_kind_names_both_kinds(self, tmp_path: Path) -> None:
        """Amending an administration with a reaction says "is an administration"."""
        with exointake.open_log(tmp_path / "clinic.db") as log:
            entry = log.administer(administration(), override=BYPASS)
            with pytest.raises(ValidationError) as info:
                log.amend(entry, reaction(entry), reason="typo", amended_by="N1")
        (message,) = problems(info)
        assert message == f"record: entry {entry} is an administration, not a reaction"


class TestTopLevelHeadersNameTheRecord:
    """One header format, ``<record>.<path>: ...``: the top level is the record's name,
    never ``$``."""

    def test_answers_document_not_an_object(self) -> None:
        form = exointake.load_questionnaire("exosome-intake")
        with pytest.raises(ValidationError) as info:
            form.load_answers([])  # type: ignore[arg-type]
        assert problems(info) == ("answers: expected an object, got list",)

    def test_answers_document_unknown_fields(self) -> None:
        form = exointake.load_questionnaire("exosome-intake")
        with pytest.raises(ValidationError) as info:
            form.load_answers({"questionnaire": {}, "answers": {}, "foo": 1, "bar": 2})
        assert problems(info) == ("answers.bar: unknown field", "answers.foo: unknown field")

    def test_answers_document_unknown_free_text_key_is_not_shown(self) -> None:
        form = exointake.load_questionnaire("exosome-intake")
        with pytest.raises(ValidationError) as info:
            form.load_answers({"questionnaire": {}, "answers": {}, "山田 花子": 1})
        assert problems(info) == ("answers.<key not shown>: unknown field",)

    def test_grade_from_dict_not_an_object(self) -> None:
        with pytest.raises(ValidationError) as info:
            exointake.Grade.from_dict([])
        assert problems(info) == ("grade: expected an object, got list",)

    def test_grade_from_dict_unknown_field(self) -> None:
        data = exointake.grade({"symptoms": ["redness"]}, route="injection_face").to_dict()
        data["extra"] = 1
        with pytest.raises(ValidationError) as info:
            exointake.Grade.from_dict(data)
        assert problems(info) == ("grade.extra: unknown field",)

    def test_screening_result_from_bad_json(self) -> None:
        from exointake._screening import result_from_json  # noqa: PLC0415 - private helper

        with pytest.raises(ValidationError) as info:
            result_from_json("[")
        assert problems(info) == ("screening: not valid JSON (line 1, column 2)",)
        with pytest.raises(ValidationError) as info:
            result_from_json("[]")
        assert problems(info) == ("screening: expected an object, got list",)

    @pytest.mark.parametrize(
        ("load", "record"),
        [
            (exointake.RuleSet.from_json, "ruleset"),
            (exointake.Questionnaire.from_json, "questionnaire"),
        ],
    )
    def test_from_json_names_the_record(self, load: Callable[[str], object], record: str) -> None:
        with pytest.raises(ValidationError) as info:
            load("{")
        assert problems(info) == (f"{record}: not valid JSON (line 1, column 2)",)
        with pytest.raises(ValidationError) as info:
            load("[]")
        assert problems(info) == (f"{record}: expected an object, got list",)

    def test_load_json_names_what_it_reads(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationError) as info:
            exointake.load_json("{", what="answers")
        assert problems(info) == ("answers: not valid JSON (line 1, column 2)",)
        bad = tmp_path / "visit.json"
        bad.write_text("{", "utf-8")
        with pytest.raises(ValidationError) as info:
            exointake.load_json(bad)
        assert problems(info) == ("visit.json: not valid JSON (line 1, column 2)",)
