"""Recording rendered consents in the log, and re-consent when a template changes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import exointake
from exointake._consent import ConsentRequest
from exointake._consent_record import (
    consent_record,
    consents_needing_reconsent,
    record_rendered_consent,
)
from exointake._consent_render import render_consent
from exointake._consent_template import (
    ConsentTemplate,
    current_templates,
    load_template,
)
from exointake._log import Log, open_log
from exointake._records import Administration
from exointake._render import RenderedConsent
from exointake.cli import main

from .consent_helpers import EXAMPLE_REQUEST, example_data
from .logutil import BYPASS

WHEN = dt.datetime(2026, 11, 25, 1, 45, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def rendered() -> RenderedConsent:
    return render_consent(ConsentRequest.from_dict(example_data()))


@pytest.fixture
def log() -> Log:
    return open_log("sqlite:///:memory:")


def _changed_template() -> ConsentTemplate:
    data = load_template().to_dict()
    data["version"] = "2"
    data["texts"]["choices_refuse"]["ja"] += "（改訂）"
    return ConsentTemplate.from_dict(data)


def _administration(consent_id: str, patient_id: str = "P-0002") -> Administration:
    return Administration.from_dict(
        {
            "patient_id": patient_id,
            "administered_at": "2026-12-01T10:00:00+09:00",
            "route": "injection_face",
            "site": "face",
            "volume_ml": "2.0",
            "product": {
                "origin": "umbilical_cord",
                "maker": "Example Biolabs",
                "sourcing": "imported",
                "concentration": "1.0e10 particles/mL",
                "lot": "L-2026-11",
            },
            "storage_check": {"cold_chain_ok": True, "checked_by": "N-007", "temperature_c": "4"},
            "physician_id": "D-017",
            "screening_result_id": "a" * 64,
            "consent_id": consent_id,
        }
    )


class TestRecord:
    def test_record_carries_hashes_and_template(self, rendered: RenderedConsent) -> None:
        """The record holds the request and PDF hashes and the template id, version and hash."""
        record = consent_record(rendered, rendered_by="N-007", rendered_at=WHEN)
        assert record.pdf_sha256 == rendered.sha256
        assert record.request_sha256 == rendered.request_sha256
        assert (record.template_id, record.template_version, record.template_sha256) == (
            rendered.template.id,
            rendered.template.version,
            rendered.template.sha256,
        )
        assert record.patient_id == "P-0002"

    def test_recorded_in_log(self, rendered: RenderedConsent, log: Log) -> None:
        """A recorded consent can be read back by its id, and recording twice is harmless."""
        consent_id = log.record_consent(rendered, rendered_by="N-007", rendered_at=WHEN)
        record = consent_record(rendered, rendered_by="N-007", rendered_at=WHEN)
        assert consent_id == rendered.consent_id
        assert log.consent(consent_id) == record
        log.record_consent(rendered, rendered_by="N-007", rendered_at=WHEN)
        assert log.consent(consent_id) == record
        assert len(log) == 1

    def test_other_document_same_id_refused(self, rendered: RenderedConsent, log: Log) -> None:
        """Another document under an already recorded consent id is refused."""
        log.record_consent(rendered, rendered_by="N-007", rendered_at=WHEN)
        other = render_consent(ConsentRequest.from_dict(example_data()), language="en")
        with pytest.raises(exointake.ValidationError, match="consent_id"):
            log.record_consent(other, rendered_by="N-007", rendered_at=WHEN)

    def test_rendered_consent_needs_who_rendered_it(
        self, rendered: RenderedConsent, log: Log
    ) -> None:
        """A rendered consent without ``rendered_by`` is refused, naming the argument."""
        with pytest.raises(exointake.ValidationError, match="rendered_by"):
            log.record_consent(rendered)
        assert len(log) == 0

    def test_record_takes_no_rendering_arguments(self, rendered: RenderedConsent, log: Log) -> None:
        """A ConsentRecord already says who rendered it: ``rendered_by`` with one is refused."""
        record = consent_record(rendered, rendered_by="N-007", rendered_at=WHEN)
        with pytest.raises(exointake.ValidationError, match="rendered_by"):
            log.record_consent(record, rendered_by="N-008")

    def test_other_values_are_refused(self, log: Log) -> None:
        """Anything but a consent record or a rendered consent is a ValidationError."""
        with pytest.raises(exointake.ValidationError, match="consent: expected RenderedConsent"):
            log.record_consent({"consent_id": "C-1"}, rendered_by="N-007")  # type: ignore[arg-type]


class TestReconsent:
    def test_current_template_needs_nothing(self, rendered: RenderedConsent, log: Log) -> None:
        """A consent on the template in force needs no re-consent."""
        log.record_consent(rendered, rendered_by="N-007", rendered_at=WHEN)
        assert log.consents_needing_reconsent() == []

    def test_changed_template_needs_reconsent(self, rendered: RenderedConsent, log: Log) -> None:
        """After the template changes, the consent given on the old one is reported."""
        log.record_consent(rendered, rendered_by="N-007", rendered_at=WHEN)
        outdated = log.consents_needing_reconsent(current_templates(_changed_template()))
        assert [c.consent_id for c in outdated] == [rendered.consent_id]

    def test_administration_refused_until_reconsent(
        self, rendered: RenderedConsent, log: Log
    ) -> None:
        """The log's administration path refuses a consent given on a superseded template."""
        log.record_consent(rendered, rendered_by="N-007", rendered_at=WHEN)
        adm = _administration(rendered.consent_id)
        log.administer(adm, current_consent_templates=current_templates(), override=BYPASS)
        with pytest.raises(exointake.ScreeningRefused, match="consent again"):
            log.administer(
                adm,
                current_consent_templates=current_templates(_changed_template()),
            )


class TestDeprecated:
    def test_record_rendered_consent_warns_and_still_records(
        self, rendered: RenderedConsent, log: Log, tmp_path: Path
    ) -> None:
        """record_rendered_consent (removed in exointake 0.3.0) warns, then records as before."""
        with pytest.warns(DeprecationWarning, match="log.record_consent"):
            record = record_rendered_consent(log, rendered, rendered_by="N-007", rendered_at=WHEN)
        assert log.consent(rendered.consent_id) == record
        url = f"sqlite:///{tmp_path / 'clinic.db'}"
        with pytest.warns(DeprecationWarning, match="removed in exointake 0.3.0"):
            record_rendered_consent(url, rendered, rendered_by="N-007", rendered_at=WHEN)
        with open_log(url) as opened:
            assert opened.consent(rendered.consent_id) == record

    def test_consents_needing_reconsent_function_warns(
        self, rendered: RenderedConsent, log: Log
    ) -> None:
        """consents_needing_reconsent (removed in exointake 0.3.0) warns, same list."""
        log.record_consent(rendered, rendered_by="N-007", rendered_at=WHEN)
        with pytest.warns(DeprecationWarning, match="removed in exointake 0.3.0"):
            outdated = consents_needing_reconsent(log, _changed_template())
        assert outdated == log.consents_needing_reconsent(current_templates(_changed_template()))
        assert [c.consent_id for c in outdated] == [rendered.consent_id]


class TestCommandLine:
    def test_db_records(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """``exointake consent --db`` records the consent it wrote, with the printed hash."""
        db = tmp_path / "clinic.db"
        out_pdf = tmp_path / "consent.pdf"
        code = main(
            [
                "consent",
                "--request",
                str(EXAMPLE_REQUEST),
                "--out",
                str(out_pdf),
                "--db",
                f"sqlite:///{db}",
            ]
        )
        printed = capsys.readouterr().out.split()[0]
        assert code == 0
        with open_log(f"sqlite:///{db}") as log:
            record = log.consent(json.loads(EXAMPLE_REQUEST.read_text("utf-8"))["consent_id"])
        assert record is not None
        assert record.pdf_sha256 == printed
        assert record.rendered_by == "D-017"
