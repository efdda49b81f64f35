"""FHIR export of the reaction log: administrations, adverse events, consents, visit bundles."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import exointake
import exointake.consent
from exointake import fhir, strategies
from exointake._errors import ValidationError
from exointake._grading import (
    Grade,
    grade,
)
from exointake._log import open_log
from exointake._reaction import Outcome
from exointake._reactions import Causality, ReactionRecord
from exointake._records import Administration, ConsentRecord, GateOverride, ScreeningRecord
from exointake.cli import main
from exointake.fhir._records import (
    to_adverse_event,
    to_consent,
    to_medication_administration,
    visit_bundles,
)

from .logutil import BYPASS

ROOT = Path(__file__).resolve().parent.parent
THO = "http://terminology.hl7.org/CodeSystem"
MEDDRA = f"{THO}/mdr"
BASE = fhir.CANONICAL_BASE
JST = dt.timezone(dt.timedelta(hours=9))


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "examples" / "log" / f"{name}.json").read_text())
    return data


ADMINISTRATION = Administration.from_dict(example("administration"))
CONSENT = ConsentRecord.from_dict(example("consent"))
REACTION = ReactionRecord.from_dict({**example("reaction"), "administration_id": "ADM-1"})


def extension(resource: dict[str, Any], name: str) -> list[dict[str, Any]]:
    url = f"{BASE}/StructureDefinition/{name}"
    return [e for e in resource.get("extension", []) if e["url"] == url]


def code_of(concept: dict[str, Any]) -> tuple[str, str]:
    (coding,) = concept["coding"]
    return coding["system"], coding["code"]


class TestMedicationAdministration:
    def test_example(self) -> None:
        """The example administration exports product, lot, route, site, dose and who."""
        resource = to_medication_administration(ADMINISTRATION, entry_id="ADM-1")
        fhir.validate(resource)
        (medication,) = resource["contained"]
        assert resource["medicationReference"] == {"reference": "#product"}
        assert medication["batch"] == {"lotNumber": "UC-2026-118"}
        assert medication["manufacturer"] == {"display": "Example Bio K.K."}
        assert [e["valueCode"] for e in extension(medication, "product-origin")] == [
            "umbilical_cord"
        ]
        dosage = resource["dosage"]
        assert dosage["dose"] == {
            "value": 100,
            "unit": "mL",
            "system": "http://unitsofmeasure.org",
            "code": "mL",
        }
        assert code_of(dosage["route"]) == (f"{BASE}/CodeSystem/route", "iv_drip")
        assert dosage["site"] == {"text": "left forearm"}
        assert resource["effectiveDateTime"] == "2026-11-25T01:00:00Z"
        assert resource["subject"]["identifier"]["value"] == "P-000123"
        assert resource["performer"][0]["actor"]["identifier"]["value"] == "DR-007"
        assert resource["identifier"][0]["value"] == "ADM-1"
        consent_ref, screening_ref = resource["supportingInformation"]
        assert consent_ref["type"] == "Consent"
        assert consent_ref["identifier"]["value"] == "CONSENT-2026-0042"
        assert screening_ref["type"] == "RiskAssessment"
        assert screening_ref["identifier"]["value"] == ADMINISTRATION.screening_result_id

    def test_an_override_is_carried(self) -> None:
        """An administration let past the gate says who allowed it, which checks were
        bypassed (extension) and why (note, authored by that physician); it validates."""
        override = GateOverride(
            by="DR-007", reason="メーカーが再認証（テスト）", bypassed=("cold_chain",)
        )
        resource = to_medication_administration(ADMINISTRATION, entry_id="ADM-1", override=override)
        fhir.validate(resource)
        (ext,) = extension(resource, "gate-override")
        parts = [(e["url"], e.get("valueCode") or e["valueReference"]) for e in ext["extension"]]
        author = {
            "type": "Practitioner",
            "identifier": {"system": f"{BASE}/sid/staff-id", "value": "DR-007"},
        }
        assert parts == [("by", author), ("bypassed", "cold_chain")]
        assert resource["note"] == [
            {"authorReference": author, "text": "メーカーが再認証（テスト）"}
        ]
        assert "statusReason" not in resource  # that element is for a dose not given
        plain = to_medication_administration(ADMINISTRATION, entry_id="ADM-1")
        assert (extension(plain, "gate-override"), "note" in plain) == ([], False)

    @settings(max_examples=60, deadline=None)
    @given(administration=strategies.administrations(), entry_id=strategies.log_ids())
    def test_any_administration(self, administration: Administration, entry_id: str) -> None:
        """Every valid administration exports to a valid resource carrying its lot and dose."""
        resource = to_medication_administration(administration, entry_id=entry_id)
        fhir.validate(resource)
        assert resource["contained"][0]["batch"]["lotNumber"] == administration.product.lot
        dose = resource["dosage"]["dose"]["value"]
        assert Decimal(str(dose)) == administration.volume_ml
        assert fhir.dumps(resource) == fhir.dumps(
            to_medication_administration(administration, entry_id=entry_id)
        )


def graded(record: ReactionRecord, route: str = "iv_drip") -> Grade:
    return grade(record.reaction, route=route)


class TestAdverseEvent:
    def test_example_anaphylaxis(self) -> None:
        """The example anaphylaxis exports as serious, severe, with its gradings and lot."""
        g = graded(REACTION)
        resource = to_adverse_event(
            REACTION,
            ADMINISTRATION,
            grade=g,
            entry_id="REA-1",
            recorded_at=dt.datetime(2026, 11, 25, 10, 20, tzinfo=JST),
        )
        fhir.validate(resource)
        assert resource["actuality"] == "actual"
        assert resource["event"]["coding"][0]["code"] == "anaphylaxis"
        assert code_of(resource["seriousness"]) == (f"{THO}/adverse-event-seriousness", "Serious")
        assert code_of(resource["severity"]) == (f"{THO}/adverse-event-severity", "severe")
        assert code_of(resource["outcome"]) == (f"{THO}/adverse-event-outcome", "resolved")
        assert resource["date"] == "2026-11-25T01:12:00Z"
        assert resource["recordedDate"] == "2026-11-25T01:20:00Z"
        (suspect,) = resource["suspectEntity"]
        assert suspect["instance"] == {"reference": "#product"}
        assert resource["contained"][0]["batch"]["lotNumber"] == "UC-2026-118"
        assert code_of(suspect["causality"][0]["assessment"]) == (
            f"{THO}/adverse-event-causality-assess",
            "Probably-Likely",
        )
        (ctcae,) = extension(resource, "ctcae")
        assert {
            e["url"]: next(v for k, v in e.items() if k != "url") for e in ctcae["extension"]
        } == {
            "term": "Anaphylaxis",
            "grade": g.ctcae.grade,
            "meddra": {"system": MEDDRA, "code": "10002218", "display": "Anaphylaxis"},
            "version": "5.0",
        }
        assert resource["event"]["coding"][1] == {
            "system": MEDDRA,
            "code": "10002218",
            "display": "Anaphylaxis",
        }
        assert suspect["causality"][0]["assessment"]["text"] == "Probable/Likely"
        (brighton,) = extension(resource, "brighton")
        assert brighton["extension"][0] == {"url": "level", "valueInteger": g.brighton_level}
        symptoms = [e["valueCoding"]["code"] for e in extension(resource, "symptom")]
        assert symptoms == ["hypotension", "urticaria"]

    def test_infection_outside_the_table(self) -> None:
        """A scalp cellulitis with fever exports as a valid AdverseEvent coded by its event
        kind (no article row) and the MedDRA codes CTCAE v5.0 lists for Skin infection and
        Fever, both graded."""
        record = attrs.evolve(
            REACTION,
            reaction=exointake.Reaction.from_dict(
                {
                    "symptoms": ["cellulitis", "fever"],
                    "temperature_c": 38.6,
                    "interventions": ["iv"],
                    "hospitalization": True,
                    "outcome": "recovering",
                    "life_threatening": False,
                }
            ),
        )
        g = graded(record, route="injection_scalp")
        resource = to_adverse_event(record, ADMINISTRATION, grade=g, entry_id="REA-2")
        fhir.validate(resource)
        first, *meddra = resource["event"]["coding"]
        assert (first["system"], first["code"]) == (f"{BASE}/CodeSystem/event-kind", "infection")
        assert meddra == [
            {"system": MEDDRA, "code": "10040872", "display": "Skin infection"},
            {"system": MEDDRA, "code": "10016558", "display": "Fever"},
        ]
        assert extension(resource, "severity-category") == []
        grades = [
            {e["url"]: next(v for k, v in e.items() if k != "url") for e in x["extension"]}
            for x in extension(resource, "ctcae")
        ]
        assert [(x["term"], x["grade"]) for x in grades] == [("Skin infection", 3), ("Fever", 1)]
        assert code_of(resource["seriousness"])[1] == "Serious"

    @pytest.mark.parametrize(
        ("outcome", "code"),
        [
            (Outcome.RECOVERED, "resolved"),
            (Outcome.RECOVERING, "recovering"),
            (Outcome.NOT_RECOVERED, "ongoing"),
            (Outcome.RECOVERED_WITH_SEQUELAE, "resolvedWithSequelae"),
            (Outcome.FATAL, "fatal"),
            (Outcome.UNKNOWN, "unknown"),
        ],
    )
    def test_outcomes(self, outcome: Outcome, code: str) -> None:
        """Each recorded outcome maps to its FHIR adverse-event-outcome code."""
        record = attrs.evolve(REACTION, reaction=attrs.evolve(REACTION.reaction, outcome=outcome))
        resource = to_adverse_event(record, ADMINISTRATION, grade=graded(record))
        assert code_of(resource["outcome"])[1] == code

    @pytest.mark.parametrize(
        ("causality", "code"),
        [
            (Causality.CERTAIN, "Certain"),
            (Causality.PROBABLE, "Probably-Likely"),
            (Causality.POSSIBLE, "Possible"),
            (Causality.UNLIKELY, "Unlikely"),
            (Causality.CONDITIONAL, "Conditional-Classified"),
            (Causality.UNASSESSABLE, "Unassessable-Unclassifiable"),
        ],
    )
    def test_causality(self, causality: Causality, code: str) -> None:
        """Each WHO-UMC category maps to its R4 causality-assessment code."""
        record = attrs.evolve(REACTION, causality=causality)
        resource = to_adverse_event(record, ADMINISTRATION, grade=graded(record))
        assert code_of(resource["suspectEntity"][0]["causality"][0]["assessment"])[1] == code

    def test_undecided_seriousness_is_not_called_non_serious(self) -> None:
        """A local reaction with hospitalization not recorded is not exported as non-serious."""
        local = ReactionRecord.from_dict(
            {
                **example("reaction"),
                "administration_id": "ADM-1",
                "reaction": {"symptoms": ["redness", "swelling"]},
            }
        )
        g = graded(local, "injection_face")
        assert not g.serious
        resource = to_adverse_event(local, ADMINISTRATION, grade=g)
        if g.seriousness_unknown:
            assert "seriousness" not in resource
            assert {e["valueCode"] for e in extension(resource, "seriousness-undetermined")} == {
                c.value for c in g.seriousness_unknown
            }
        else:
            assert code_of(resource["seriousness"])[1] == "Non-serious"
        fhir.validate(resource)

    def test_decided_non_serious(self) -> None:
        """A local reaction with every E2A question answered no is non-serious."""
        local = ReactionRecord.from_dict(
            {
                **example("reaction"),
                "administration_id": "ADM-1",
                "reaction": {
                    "symptoms": ["redness"],
                    "hospitalization": False,
                    "outcome": "recovered",
                    "interventions": [],
                },
            }
        )
        g = graded(local, "injection_face")
        resource = to_adverse_event(local, ADMINISTRATION, grade=g)
        if not g.seriousness_unknown:
            assert code_of(resource["seriousness"])[1] == "Non-serious"
        if g.ctcae.grade is None:
            assert "severity" not in resource
        else:
            assert code_of(resource["severity"])[1] == "mild"

    @settings(max_examples=80, deadline=None)
    @given(
        record=strategies.reaction_records(),
        administration=strategies.administrations(),
    )
    def test_any_reaction(self, record: ReactionRecord, administration: Administration) -> None:
        """Every graded reaction exports to a valid AdverseEvent that keeps its gradings."""
        g = grade(record.reaction, route=administration.route)
        resource = to_adverse_event(record, administration, grade=g, entry_id="R-1")
        fhir.validate(resource)
        first = resource["event"]["coding"][0]["code"]
        assert first == (g.event_kind.value if g.category is None else g.category.value)
        (kind,) = extension(resource, "event-kind")
        assert kind["valueCoding"]["code"] == g.event_kind.value
        assert len(extension(resource, "severity-category")) == (g.category is not None)
        criteria = [e["valueCoding"]["code"] for e in extension(resource, "seriousness-criterion")]
        assert len(criteria) == len(g.seriousness_criteria)
        if g.serious:
            assert code_of(resource["seriousness"])[1] == "Serious"
        elif "seriousness" in resource:
            assert not g.seriousness_unknown
            assert code_of(resource["seriousness"])[1] == "Non-serious"
        severity = resource.get("severity")
        if g.ctcae.grade is None:
            assert severity is None
        else:
            expected = {1: "mild", 2: "moderate"}.get(g.ctcae.grade, "severe")
            assert code_of(severity)[1] == expected
        (brighton,) = extension(resource, "brighton")
        assert brighton["extension"][0]["valueInteger"] == g.brighton_level
        # Graded without a route, the CTCAE term may be undecided: still a valid resource.
        no_route = grade(record.reaction)
        resource = to_adverse_event(record, administration, grade=no_route)
        fhir.validate(resource)
        ctcae, *others = extension(resource, "ctcae")
        terms = [e["valueString"] for e in ctcae["extension"] if e["url"] == "term"]
        assert terms == ([] if no_route.ctcae.term is None else [no_route.ctcae.term.value])
        assert len(others) == len(no_route.ctcae_other)

    def test_grades_when_not_given(self) -> None:
        """Without a stored grade, the reaction is graded for the administration's route."""
        given_grade = to_adverse_event(REACTION, ADMINISTRATION, grade=graded(REACTION))
        assert to_adverse_event(REACTION, ADMINISTRATION) == given_grade


class TestConsent:
    def test_example(self) -> None:
        """A consent exports with patient, date, treatment scope and the PDF's SHA-256."""
        resource = to_consent(CONSENT)
        fhir.validate(resource)
        assert resource["status"] == "active"
        assert code_of(resource["scope"]) == (f"{THO}/consentscope", "treatment")
        assert resource["patient"]["identifier"]["value"] == "P-000123"
        assert resource["dateTime"] == "2026-11-25T00:30:00Z"
        attachment = resource["sourceAttachment"]
        assert attachment["contentType"] == "application/pdf"
        assert [e["valueString"] for e in extension(attachment, "sha256")] == [CONSENT.pdf_sha256]
        assert "hash" not in attachment  # R4's hash is SHA-1: only set from the bytes
        assert resource["policy"] == [{"uri": f"{BASE}/ConsentTemplate/exosome-consent|1"}]

    def test_with_pdf_bytes(self) -> None:
        """Given the PDF, the attachment also carries its size and R4's SHA-1 hash."""
        pdf = b"%PDF-1.7 example consent"
        record = attrs.evolve(CONSENT, pdf_sha256=hashlib.sha256(pdf).hexdigest())
        attachment = to_consent(record, pdf=pdf)["sourceAttachment"]
        assert attachment["size"] == len(pdf)
        assert base64.b64decode(attachment["hash"]) == hashlib.sha1(pdf).digest()
        assert "data" not in attachment

    def test_other_pdf_refused(self) -> None:
        """A PDF that is not the recorded document is refused."""
        with pytest.raises(ValidationError, match="pdf"):
            to_consent(CONSENT, pdf=b"%PDF-1.7 another document")


class TestRenderedConsent:
    def test_a_rendered_pdf_exports_with_its_hashes(self) -> None:
        """A consent rendered and recorded exports with the PDF's SHA-256, size and SHA-1."""
        q = exointake.load_questionnaire()
        raw = json.loads((ROOT / "examples" / "answers" / "review.json").read_text("utf-8"))
        result = exointake.screen(
            q.answers(raw, route="injection_face"), "injection_face", on=dt.date(2026, 11, 20)
        )
        data = json.loads((ROOT / "examples" / "consent-request.json").read_text("utf-8"))
        request = exointake.ConsentRequest.from_dict({**data, "screening": result.to_dict()})
        rendered = exointake.render_consent(request)
        record = exointake.consent.consent_record(
            rendered, rendered_by="N-007", rendered_at=dt.datetime(2026, 11, 20, 1, tzinfo=dt.UTC)
        )
        resource = to_consent(record, pdf=rendered.pdf)
        fhir.validate(resource)
        attachment = resource["sourceAttachment"]
        assert [e["valueString"] for e in extension(attachment, "sha256")] == [rendered.sha256]
        assert attachment["size"] == len(rendered.pdf)
        assert base64.b64decode(attachment["hash"]) == hashlib.sha1(rendered.pdf).digest()
        assert resource["patient"]["identifier"]["value"] == rendered.patient_id


def build_log(tmp_path: Path) -> tuple[str, dict[str, str]]:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    ids: dict[str, str] = {}
    with open_log(url) as log:
        log.record_consent(CONSENT)
        other = attrs.evolve(CONSENT, consent_id="CONSENT-2", patient_id="P-2")
        log.record_consent(other)
        q = exointake.load_questionnaire()
        answers = q.answers({"cancer_history": "none"}, route="iv_drip", partial=True)
        result = exointake.screen(answers, "iv_drip", on=dt.date(2026, 11, 25))
        log.record_screening(ScreeningRecord.from_result(result, patient_id="P-000123"))
        adm = {**example("administration"), "screening_result_id": result.result_id}
        ids["a1"] = log.administer(Administration.from_dict(adm), override=BYPASS)
        ids["a2"] = log.administer(
            Administration.from_dict({**adm, "administered_at": "2026-11-25T15:00:00+09:00"}),
            override=BYPASS,
        )
        ids["a3"] = log.administer(  # 23:30 UTC on the 25th is the 26th in Japan
            Administration.from_dict(
                {
                    **adm,
                    "patient_id": "P-2",
                    "consent_id": "CONSENT-2",
                    "administered_at": "2026-11-25T23:30:00Z",
                }
            ),
            override=BYPASS,
        )
        ids["r1"] = log.record_reaction(
            ReactionRecord.from_dict({**example("reaction"), "administration_id": ids["a1"]})
        )
        log.amend(
            ids["a2"],
            Administration.from_dict(
                {**adm, "administered_at": "2026-11-25T15:00:00+09:00", "volume_ml": "50"}
            ),
            reason="volume corrected",
            amended_by="DR-007",
            override=BYPASS,
        )
    return url, ids


class TestVisitBundles:
    def test_one_bundle_per_patient_day(self, tmp_path: Path) -> None:
        """A visit is a patient's administrations on one Japanese day, consents and reactions."""
        url, ids = build_log(tmp_path)
        with open_log(url, create=False) as log:
            bundles = visit_bundles(log)
        for bundle in bundles:
            fhir.validate(bundle)
        kinds = [[e["resource"]["resourceType"] for e in b["entry"]] for b in bundles]
        assert kinds == [
            [
                "Consent",
                "RiskAssessment",
                "MedicationAdministration",
                "MedicationAdministration",
                "AdverseEvent",
            ],
            ["Consent", "MedicationAdministration"],  # P-2's screening was not recorded
        ]
        first = [e["resource"] for e in bundles[0]["entry"]]
        assert first[1]["subject"]["identifier"]["value"] == "P-000123"
        screening_ref = first[2]["supportingInformation"][1]["identifier"]
        assert screening_ref == first[1]["identifier"][0]  # the MA points at that assessment
        assert [r["id"] for r in first[2:4]] == [ids["a1"], ids["a2"]]
        assert first[3]["dosage"]["dose"]["value"] == 50  # the amended version
        assert first[4]["id"] == ids["r1"]
        assert bundles[1]["entry"][0]["resource"]["patient"]["identifier"]["value"] == "P-2"
        # the log's sample administrations went past the gate: each carries its override
        for resource in (e["resource"] for b in bundles for e in b["entry"]):
            if resource["resourceType"] == "MedicationAdministration":
                (ext,) = extension(resource, "gate-override")
                assert ext["extension"][0]["valueReference"]["identifier"]["value"] == BYPASS.by
                assert resource["note"][0]["text"] == BYPASS.reason

    def test_filters_and_determinism(self, tmp_path: Path) -> None:
        """--patient and --since select visits; the same log gives the same JSON."""
        url, _ = build_log(tmp_path)
        with open_log(url, create=False) as log:
            everything = visit_bundles(log)
            assert [fhir.dumps(b) for b in everything] == [
                fhir.dumps(b) for b in visit_bundles(log)
            ]
            assert len(visit_bundles(log, patient_id="P-2")) == 1
            assert len(visit_bundles(log, since=dt.date(2026, 11, 26))) == 1
            assert visit_bundles(log, patient_id="nobody") == []


def references(resource: dict[str, Any], name: str) -> list[str]:
    return [e["valueReference"]["identifier"]["value"] for e in extension(resource, name)]


class TestVisitBundleProperties:
    @settings(max_examples=25, deadline=None)
    @given(
        data=st.data(),
        administrations=st.lists(
            strategies.administrations(patient_ids=st.sampled_from(["P-1", "P-2"])),
            min_size=1,
            max_size=5,
        ),
    )
    def test_every_record_in_exactly_its_visit(
        self, data: st.DataObject, administrations: list[Administration]
    ) -> None:
        """Each administration is in one visit bundle (its patient and Japanese day), each
        reaction next to the administration it followed, and every bundle validates."""
        expected_reactions: dict[str, str] = {}
        with open_log("sqlite:///:memory:") as log:
            ids = [log.administer(a, override=BYPASS) for a in administrations]
            for adm_id, adm in zip(ids, administrations, strict=True):
                if data.draw(st.booleans()):
                    minutes = data.draw(st.integers(0, 3 * 24 * 60))
                    record = data.draw(
                        strategies.reaction_records(
                            st.just(adm_id),
                            onset=st.just(adm.administered_at + dt.timedelta(minutes=minutes)),
                        )
                    )
                    expected_reactions[log.record_reaction(record)] = adm_id
            bundles = visit_bundles(log)
        seen_administrations: list[str] = []
        seen_reactions: dict[str, str] = {}
        for bundle in bundles:
            fhir.validate(bundle)
            resources = [e["resource"] for e in bundle["entry"]]
            here = {
                r["id"]: r for r in resources if r["resourceType"] == "MedicationAdministration"
            }
            assert here
            visits = {
                (
                    r["subject"]["identifier"]["value"],
                    dt.datetime.fromisoformat(r["effectiveDateTime"]).astimezone(JST).date(),
                )
                for r in here.values()
            }
            assert len(visits) == 1  # one patient, one Japanese day
            seen_administrations.extend(here)
            for r in resources:
                if r["resourceType"] == "AdverseEvent":
                    (adm_id,) = references(r, "administration")
                    assert adm_id in here  # in the same bundle as its administration
                    seen_reactions[r["id"]] = adm_id
        assert sorted(seen_administrations) == sorted(ids)
        assert seen_reactions == expected_reactions


class TestCli:
    def test_export(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """exointake export fhir writes one collection Bundle holding the visit bundles."""
        url, _ = build_log(tmp_path)
        out = tmp_path / "bundle.json"
        assert main(["export", "fhir", "--db", url, "--out", str(out)]) == 0
        assert "2 visit(s)" in capsys.readouterr().out
        bundle = json.loads(out.read_text(encoding="utf-8"))
        fhir.validate(bundle)
        assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Bundle", "Bundle"]
        assert (
            main(
                [
                    "export",
                    "fhir",
                    "--db",
                    url,
                    "--patient",
                    "P-2",
                    "--since",
                    "令和8年11月26日",
                    "--out",
                    str(out),
                    "--force",  # the first export's file: replaced only when asked
                ]
            )
            == 0
        )
        assert "1 visit(s)" in capsys.readouterr().out

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--since", "yesterday"], "--since"),
            (["--out", "/nonexistent-dir/b.json"], "--out"),
        ],
    )
    def test_bad_arguments(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
    ) -> None:
        """Bad arguments exit 2 with a message naming the option."""
        url, _ = build_log(tmp_path)
        argv = ["export", "fhir", "--db", url, "--out", str(tmp_path / "b.json"), *args]
        assert main(argv) == 2
        assert message in capsys.readouterr().err

    def test_missing_database(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A database that does not exist exits 2 naming --db, and creates no file at all."""
        db = tmp_path / "none.db"
        assert main(["export", "fhir", "--db", str(db), "--out", str(tmp_path / "b.json")]) == 2
        assert "--db: no database" in capsys.readouterr().err
        assert not (tmp_path / "b.json").exists()
        assert not db.exists()

    def test_database_without_log(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A database that holds no log exits 2, and no table is created in it."""
        db = tmp_path / "other.db"
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE clinic_notes (x)")
        assert main(["export", "fhir", "--db", str(db), "--out", str(tmp_path / "b.json")]) == 2
        assert "log" in capsys.readouterr().err
        with sqlite3.connect(db) as conn:
            tables = conn.execute("SELECT name FROM sqlite_master").fetchall()
        assert tables == [("clinic_notes",)]
