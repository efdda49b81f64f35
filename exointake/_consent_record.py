"""Recording a rendered consent in the log, so an audit can prove which document a patient saw.

Kept apart from rendering: ``_render`` knows nothing of storage and the log
knows nothing of reportlab. The functions here map a
:class:`~exointake._render.RenderedConsent` to the log's
:class:`~exointake._records.ConsentRecord` and ask the log which consents
predate the templates in force. The functions that take a log are deprecated
aliases of :meth:`exointake.Log.record_consent` and
:meth:`exointake.Log.consents_needing_reconsent`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import warnings

from ._consent_template import (
    ConsentTemplate,
    current_templates,
)
from ._errors import ValidationError
from ._log._core import Log, open_log
from ._records import ConsentRecord
from ._render import RenderedConsent

__all__ = ["consent_record", "consents_needing_reconsent", "record_rendered_consent"]


def consent_record(
    rendered: RenderedConsent,
    *,
    rendered_by: str,
    rendered_at: dt.datetime,
    signed_pdf: bytes | None = None,
) -> ConsentRecord:
    """The log's record of a rendered consent: opaque ids and hashes only.

    ``signed_pdf``: the same document after PAdES signing (:func:`~exointake.sign_consent`);
    its hash is recorded next to the unsigned one. A signature is an incremental
    update, so a "signed" file that does not begin with the rendered bytes is refused.
    """
    signed_sha256 = None
    if signed_pdf is not None:
        if not signed_pdf.startswith(rendered.pdf) or len(signed_pdf) == len(rendered.pdf):
            raise ValidationError(
                [
                    "signed_pdf: not a signed copy of this rendered document (an incremental "
                    "update of its bytes)"
                ],
                what="consent record",
            )
        signed_sha256 = hashlib.sha256(signed_pdf).hexdigest()
    return ConsentRecord(
        consent_id=rendered.consent_id,
        patient_id=rendered.patient_id,
        request_sha256=rendered.request_sha256,
        pdf_sha256=rendered.sha256,
        template_id=rendered.template.id,
        template_version=rendered.template.version,
        template_sha256=rendered.template.sha256,
        rendered_at=rendered_at,
        rendered_by=rendered_by,
        signed_pdf_sha256=signed_sha256,
    )


def record_rendered_consent(
    log: Log | str | os.PathLike[str],
    rendered: RenderedConsent,
    *,
    rendered_by: str,
    rendered_at: dt.datetime | None = None,
) -> ConsentRecord:
    """Deprecated (removed in exointake 0.3.0): use ``log.record_consent(rendered, ...)``.

    Records ``rendered`` in ``log`` (an open log, a database URL or an SQLite path) and
    returns the record written.
    """
    warnings.warn(
        "record_rendered_consent() is deprecated and will be removed in exointake 0.3.0; use "
        "log.record_consent(rendered, rendered_by=...)",
        DeprecationWarning,
        stacklevel=2,
    )
    record = consent_record(
        rendered,
        rendered_by=rendered_by,
        rendered_at=rendered_at if rendered_at is not None else dt.datetime.now(dt.UTC),
    )
    if isinstance(log, Log):
        log.record_consent(record)
        return record
    with open_log(log) as opened:
        opened.record_consent(record)
    return record


def consents_needing_reconsent(log: Log, *templates: ConsentTemplate) -> list[ConsentRecord]:
    """Deprecated (removed in exointake 0.3.0): use
    ``log.consents_needing_reconsent(current_templates(*templates))``."""
    warnings.warn(
        "exointake.consents_needing_reconsent(log, *templates) is deprecated and will be "
        "removed in exointake 0.3.0; use "
        "log.consents_needing_reconsent(current_templates(*templates))",
        DeprecationWarning,
        stacklevel=2,
    )
    return log.consents_needing_reconsent(current_templates(*templates))
