"""Recording a rendered consent in the log, so an audit can prove which document a patient saw.

Kept apart from rendering: ``_render`` knows nothing of storage, and the log
knows nothing of reportlab. The one function here maps a
:class:`~exointake._render.RenderedConsent` to the log's consent record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ._errors import ValidationError
from ._render import RenderedConsent

__all__ = ["consent_record_fields", "record_rendered_consent"]


def consent_record_fields(
    rendered: RenderedConsent, *, rendered_by: str, rendered_at: dt.datetime
) -> dict[str, Any]:
    """What the log stores about a rendered consent (opaque ids and hashes only)."""
    if rendered_at.tzinfo is None:
        raise ValidationError(["rendered_at: expected a date-time with a time zone"])
    return {
        "consent_id": rendered.consent_id,
        "patient_id": rendered.patient_id,
        "request_sha256": rendered.request_sha256,
        "pdf_sha256": rendered.sha256,
        "template_id": rendered.template.id,
        "template_version": rendered.template.version,
        "template_sha256": rendered.template.sha256,
        "rendered_at": rendered_at.astimezone(dt.UTC),
        "rendered_by": rendered_by,
    }


def record_rendered_consent(
    db: object,
    rendered: RenderedConsent,
    *,
    rendered_by: str,
    rendered_at: dt.datetime | None = None,
) -> None:
    """Record ``rendered`` in the log at ``db`` (a database URL or an open log)."""
    raise ValidationError(
        ["--db: recording consents needs the reaction log, which this build does not have yet"],
        what="arguments",
    )
