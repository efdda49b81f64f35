"""What the monthly safety report says: its headings, labels and notes in Japanese and
English, from the versioned data file ``data/reports/monthly-safety/<version>.json``.

Code holds no report wording; labels of the table's rows, event kinds, seriousness
criteria and outcome fields come from the severity table in force.
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import frozen

from ._bundled import load
from ._common import Lang, Text
from ._convert import structure
from ._errors import ValidationError

__all__ = ["REPORT_ID", "ReportSource", "ReportWording", "load_report_wording"]

REPORT_ID = "monthly-safety"
"""The bundled report wording's id (``data/reports/<id>/``)."""


@frozen
class ReportSource:
    """A document the report's structure or methods follow."""

    id: str
    title: str
    url: str | None = None


@frozen
class ReportWording:
    """The report's texts by key, each in Japanese and English."""

    id: str
    version: str
    note: str
    sources: tuple[ReportSource, ...]
    texts: Mapping[str, Text]

    @classmethod
    def from_dict(cls, data: object) -> ReportWording:
        """The wording from its plain data (the bundled file's JSON)."""
        return structure(data, cls, path="report_wording", what="report wording")

    def text(self, key: str, lang: Lang, **values: object) -> str:
        """The text ``key`` in ``lang``, with ``{name}`` fields filled from ``values``."""
        try:
            text = self.texts[key].get(lang)
        except KeyError:
            raise ValidationError(
                [f"texts.{key}: missing from report wording {self.id} v{self.version}"],
                what="report wording",
            ) from None
        return text.format(**values) if values else text


def load_report_wording(version: str | None = None) -> ReportWording:
    """The bundled report wording at ``version`` (the newest if None)."""
    return load("reports", REPORT_ID, version, ReportWording.from_dict, what="report wording")
