"""The intake is part of the record: the log keeps the answers with each screening, a
screening re-runs from the log to the same result, and the FHIR export of a visit carries
the Questionnaire and the QuestionnaireResponse."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

import exointake
from exointake import ScreeningRecord, fhir, open_log, strategies
from exointake.screening import rescreen

from .logutil import administration, consent

DAY = dt.date(2026, 11, 25)
JST = dt.timezone(dt.timedelta(hours=9))
NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=JST)
TEMPLATES = {"exosome-consent": "c0ffee00" * 8}
Q = exointake.load_questionnaire()
CLEAR = json.loads((Path(__file__).parent.parent / "examples/answers/clear.json").read_text())


class TestRescreen:
    @settings(
        max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(raw=strategies.answer_values(Q, route=exointake.Route.INJECTION_FACE))
    def test_a_logged_screening_reruns_to_the_same_result(
        self, tmp_path: Path, raw: dict[str, Any]
    ) -> None:
        """Whatever the answers, the screening read back from the log re-runs to the same id."""
        answers = Q.answers(raw, route="injection_face")
        result = exointake.screen(answers, "injection_face", on=DAY)
        with open_log(f"sqlite:///{tmp_path / f'r{abs(hash(result.result_id))}.db'}") as log:
            log.record_screening(
                ScreeningRecord.from_result(result, patient_id="P-1", answers=answers)
            )
            stored = next(
                e.record for e in log.history("P-1") if isinstance(e.record, ScreeningRecord)
            )
        again = rescreen(stored)
        assert again.result_id == result.result_id == stored.result_id

    def test_without_answers_it_cannot_rerun(self) -> None:
        """A screening recorded without its answers says so."""
        result = exointake.screen(
            Q.answers(CLEAR, route="injection_face"), "injection_face", on=DAY
        )
        with pytest.raises(exointake.ValidationError, match="without its answers"):
            rescreen(ScreeningRecord.from_result(result, patient_id="P-1"))

    def test_v1_results_rerun_with_v1(self) -> None:
        """A v1 screening re-runs on questionnaire and rule set v1."""
        q1 = exointake.load_questionnaire("exosome-intake", "1")
        raw = {k: v for k, v in CLEAR.items() if k in q1}
        raw["prior_exosome_reaction"] = False
        answers = q1.answers(raw)
        result = exointake.screen(answers, "iv_drip", on=DAY)
        assert result.ruleset.version == "1"
        record = ScreeningRecord.from_result(result, patient_id="P-1", answers=answers)
        assert rescreen(record).result_id == result.result_id


class TestFhirFromTheLog:
    def test_the_visit_bundle_carries_questionnaire_and_response(self, tmp_path: Path) -> None:
        """Screening with answers → consent → administration: the bundle holds Q and QR."""
        answers = Q.answers(CLEAR, route="injection_face")
        result = exointake.screen(answers, "injection_face", on=DAY)
        with open_log(
            tmp_path / "c.db", clock=lambda: NOW, current_consent_templates=TEMPLATES
        ) as log:
            log.record_screening(
                ScreeningRecord.from_result(result, patient_id="P-000123", answers=answers)
            )
            log.record_consent(
                attrs.evolve(
                    consent(),
                    routes=("injection_face",),
                    screening_result_ids=(result.result_id,),
                )
            )
            log.administer(
                administration(route="injection_face", screening_result_id=result.result_id)
            )
            (bundle,) = fhir.visit_bundles(log)
        by_type: dict[str, list[dict[str, Any]]] = {}
        for entry in bundle["entry"]:
            by_type.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
        (questionnaire,) = by_type["Questionnaire"]
        (response,) = by_type["QuestionnaireResponse"]
        assert response["questionnaire"] == f"{questionnaire['url']}|{questionnaire['version']}"
        assert questionnaire["version"] == "2"
        read_back = fhir.answers_from_questionnaire_response(response, Q)
        assert read_back.values == answers.values
        assert {"RiskAssessment", "MedicationAdministration", "Consent"} <= set(by_type)
