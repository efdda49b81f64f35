"""Consent requests, templates, the cooling-off rule and the screening gate (content, no PDF)."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

import exointake
from exointake._blocks import CoolingOffBox
from exointake._common import Lang
from exointake._consent import (
    ConsentRequest,
    check_screening_gate,
    cooling_off_applies,
    needs_reconsent,
    suggest_cooling_off,
)
from exointake._consent_template import (
    ConsentTemplate,
    TemplateRef,
    load_contract_template,
    load_template,
    template_versions,
)
from exointake._contract_document import assemble_contract
from exointake._document import assemble
from exointake._render import FontSpec, check_glyphs
from exointake.strategies import consent_requests

from .conftest import ROOT
from .consent_helpers import example_data, request_with, sample_answers, screening_of

SCHEMA = json.loads((ROOT / "schemas" / "consent-request.schema.json").read_text("utf-8"))


class TestConsentRequest:
    def test_example_loads_and_round_trips(self) -> None:
        """The example request structures, and to_dict/from_dict is the identity."""
        request = ConsentRequest.from_dict(example_data())
        assert ConsentRequest.from_dict(request.to_dict()) == request
        assert request.sha256 == ConsentRequest.from_dict(request.to_dict()).sha256

    def test_example_matches_schema(self) -> None:
        """The example request is valid against the published JSON Schema."""
        jsonschema.Draft202012Validator.check_schema(SCHEMA)
        jsonschema.validate(example_data(), SCHEMA)

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(consent_requests())
    def test_generated_requests_match_schema(self, request: ConsentRequest) -> None:
        """Every request the strategies make unstructures to schema-valid JSON and back."""
        data = request.to_dict()
        jsonschema.validate(data, SCHEMA)
        assert ConsentRequest.from_dict(json.loads(json.dumps(data))) == request

    def test_repr_hides_personal_data(self) -> None:
        """repr shows opaque ids only: no name, kana, address or birth date."""
        request = ConsentRequest.from_dict(example_data())
        shown = repr(request) + repr(request.patient) + repr(request.clinic)
        for secret in ("山田", "やまだ", "1990", "渋谷", "高橋"):
            assert secret not in shown
        assert "P-0002" in shown

    def test_bad_input_names_every_field(self) -> None:
        """Wrong types and unknown codes are reported with their paths, all at once."""
        data = example_data()
        data["prices"]["per_session_jpy"] = "a lot"
        data["product"]["origin"] = "placenta"
        data["treatment"]["routes"] = []
        with pytest.raises(exointake.ValidationError) as info:
            ConsentRequest.from_dict(data)
        text = str(info.value)
        assert "request.prices.per_session_jpy: expected an integer" in text
        assert "request.product.origin: expected one of adipose|umbilical_cord|dental_pulp" in text

    def test_empty_routes_refused(self) -> None:
        """A treatment needs at least one route."""
        data = example_data()
        data["treatment"]["routes"] = []
        with pytest.raises(
            exointake.ValidationError, match=r"request\.treatment\.routes: expected at least one"
        ):
            ConsentRequest.from_dict(data)

    def test_minor_needs_guardian(self) -> None:
        """A patient under 18 on the document date needs a guardian."""
        with pytest.raises(exointake.ValidationError, match=r"patient\.guardian"):
            request_with(patient__birth_date="2010-01-01")

    def test_minor_with_guardian_is_accepted(self) -> None:
        """With a guardian, a minor's request is valid and flagged as a minor."""
        request = request_with(
            patient__birth_date="2010-01-01",
            patient__guardian={
                "name": "山田 一郎",
                "name_kana": "やまだ いちろう",
                "relationship": "父",
            },
        )
        assert request.is_minor

    def test_eighteenth_birthday_is_adult(self) -> None:
        """On the 18th birthday (document date in Japan) no guardian is needed."""
        request = request_with(patient__birth_date="2008-11-25")
        assert not request.is_minor

    def test_naive_document_time_refused(self) -> None:
        """The document time must carry a time zone (it becomes the PDF's date)."""
        with pytest.raises(exointake.ValidationError, match="document_at"):
            request_with(document_at="2026-11-25T10:30:00")

    def test_screening_route_must_be_treated(self) -> None:
        """A screening done for another route cannot back this treatment."""
        with pytest.raises(exointake.ValidationError, match=r"screening\.route"):
            request_with(treatment__routes=["iv_drip"])

    def test_control_characters_refused(self) -> None:
        """Text with control characters is bad input, named by its field."""
        with pytest.raises(exointake.ValidationError, match=r"clinic\.name: .*U\+0007"):
            request_with(clinic__name="さくら\x07")

    def test_multi_session_needs_interval(self) -> None:
        """A plan of several sessions must say how far apart they are."""
        with pytest.raises(exointake.ValidationError, match=r"request\.treatment\.plan\.interval"):
            request_with(
                treatment__plan={
                    "sessions": 3,
                    "start_date": "2026-12-01",
                    "cooling_off_covered": False,
                }
            )


class TestCoolingOff:
    @pytest.mark.parametrize(
        ("covered", "sessions", "total", "expected"),
        [
            (True, 4, 352_000, True),
            (True, 4, 50_001, True),
            (True, 4, 50_000, False),  # "more than" 50,000 yen
            (False, 4, 352_000, False),
            (True, 1, 352_000, False),  # a single session within a month
        ],
    )
    def test_rule(self, covered: bool, sessions: int, total: int, expected: bool) -> None:
        """Covered, more than a month (or several sessions), and more than ¥50,000."""
        plan = {
            "sessions": sessions,
            "start_date": "2026-12-01",
            "cooling_off_covered": covered,
        }
        if sessions > 1:
            plan |= {"interval": 2, "interval_unit": "week"}
        # the total reconciles: sessions x price, less a discount for the odd yen
        price = -(-total // sessions)
        prices = {"per_session_jpy": price, "total_jpy": total, "cancellation": {}}
        if price * sessions != total:
            prices["discount"] = {"amount_jpy": price * sessions - total, "reason": "端数"}
        request = request_with(treatment__plan=plan, prices=prices)
        assert cooling_off_applies(request) is expected

    def test_block_only_when_applies(self) -> None:
        """The assembled document has the red cooling-off box exactly when the rule applies."""
        template = load_template()
        for covered in (True, False):
            request = request_with(treatment__plan__cooling_off_covered=covered)
            doc = assemble(request, template, Lang.JA)
            boxes = [b for s in doc.sections for b in s.blocks if isinstance(b, CoolingOffBox)]
            assert bool(boxes) is covered

    @pytest.mark.parametrize(
        ("purpose", "expected"),
        [
            ("skin_activation", True),  # a 美肌 drip as much as a face injection
            ("blemish_removal", True),
            ("wrinkles_sagging", True),  # by use of a drug
            ("fat_reduction", True),
            ("hair_growth", False),  # thinning hair (scalp, AGA) is not listed
            ("hair_removal", False),  # listed, but by light or needle, not a drug
            ("teeth_whitening", False),  # listed, but by a whitening agent
            ("other", False),
        ],
    )
    def test_suggestion_from_purpose(self, purpose: str, expected: bool) -> None:
        """Coverage is suggested from the plan's declared purpose, never from the route."""
        assert suggest_cooling_off(purpose) is expected


class TestTemplates:
    def test_current_is_newest(self) -> None:
        """load_template() is the newest bundled version, with a stable content hash."""
        template = load_template()
        assert template.version == template_versions()[-1]
        assert template.sha256 == load_template(version=template.version).sha256
        assert len(template.sha256) == 64

    def test_hash_follows_content(self) -> None:
        """Changing one sentence changes the hash, so the change cannot go unnoticed."""
        data = load_template().to_dict()
        data["texts"]["choices_refuse"]["ja"] += "。"
        changed = ConsentTemplate.from_dict(data)
        assert changed.sha256 != load_template().sha256

    def test_missing_text_is_an_error(self) -> None:
        """A template without a required sentence is refused, naming the key."""
        data = load_template().to_dict()
        del data["texts"]["cooling_off_right"]
        with pytest.raises(exointake.ValidationError, match=r"texts\.cooling_off_right"):
            ConsentTemplate.from_dict(data)

    def test_unknown_version(self) -> None:
        """Asking for a version that is not bundled lists the bundled ones."""
        with pytest.raises(exointake.ValidationError, match="bundled: 1, 2"):
            load_template(version="99")

    def test_needs_reconsent(self) -> None:
        """A consent given on other template content needs re-consent; the same content does not."""
        current = load_template()
        assert not needs_reconsent(current.ref)
        assert needs_reconsent(TemplateRef(current.id, current.version, "0" * 64))
        assert needs_reconsent(TemplateRef(current.id, "0", "1" * 64), current)

    def test_every_template_text_is_renderable(self) -> None:
        """Every sentence of every bundled template can be shown by the built-in fonts."""
        request = ConsentRequest.from_dict(example_data())
        fonts = FontSpec.builtin()
        contract = load_contract_template()
        for version in template_versions():
            template = load_template(version=version)
            if version == "1":
                with pytest.raises(exointake.ValidationError, match="no longer be rendered"):
                    assemble(request, template, Lang.JA)
                continue
            for lang in Lang:
                check_glyphs(assemble(request, template, lang), fonts)
                for kind in ("summary", "contract"):
                    check_glyphs(assemble_contract(request, contract, lang, kind), fonts)

    def test_v1_stays_loadable_and_needs_reconsent(self) -> None:
        """v1 loads (stored consents stay pinned to it) and a consent on it needs re-consent."""
        v1 = load_template(version="1")
        assert v1.version == "1"
        assert needs_reconsent(v1.ref)


class TestScreeningGate:
    @pytest.mark.parametrize("answers", ["contraindicated.json"])
    def test_contraindicated_refused(self, answers: str) -> None:
        """A contraindicated screening refuses a consent document."""
        request = request_with(screening=screening_of(answers, "injection_face"))
        assert request.screening.decision is exointake.Decision.CONTRAINDICATED
        with pytest.raises(exointake.ScreeningRefused):
            check_screening_gate(request)

    def test_incomplete_refused(self) -> None:
        """An incomplete screening (missing answers) refuses a consent document."""
        data = sample_answers("clear.json")
        del data["cancer_history"]
        request = request_with(screening=screening_of(data, "injection_face"))
        assert request.screening.decision is exointake.Decision.INCOMPLETE
        with pytest.raises(exointake.ScreeningRefused):
            check_screening_gate(request)

    def test_override_lets_it_through(self) -> None:
        """A recorded physician override lets a contraindicated screening through."""
        request = request_with(
            screening=screening_of("contraindicated.json", "injection_face"),
            override={
                "physician_id": "D-017",
                "reason": "5年以上再発なし、主治医と協議済み",
                "at": "2026-11-24T18:00:00+09:00",
            },
        )
        check_screening_gate(request)
        doc = assemble(request, load_template(), Lang.JA)
        assert "override" in [s.key for s in doc.sections]

    def test_review_passes(self) -> None:
        """physician_review and caution screenings do not block the document."""
        check_screening_gate(ConsentRequest.from_dict(example_data()))


class TestContentRepr:
    def test_document_repr_hides_names(self) -> None:
        """The assembled content's repr names fields, never their text."""
        request = ConsentRequest.from_dict(example_data())
        shown = repr(assemble(request, load_template(), Lang.JA))
        assert "山田" not in shown
        assert "patient.name" in shown

    def test_opaque_ids_only(self) -> None:
        """A patient id that looks like a name is refused: ids are opaque."""
        with pytest.raises(
            exointake.ValidationError, match=r"request\.patient\.id: expected an opaque id"
        ):
            request_with(patient__id="山田花子")


class TestOneWayPerTask:
    def test_current_template_is_a_deprecated_alias(self) -> None:
        """current_template() warns and gives what load_template() gives."""
        with pytest.warns(
            DeprecationWarning, match=r"load_template.*0\.3\.0|0\.3\.0.*load_template"
        ):
            old = exointake.current_template()
        assert old is load_template()
