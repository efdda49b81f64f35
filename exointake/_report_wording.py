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

__all__ = [
    "POOLED_REPORT_ID",
    "REPORT_ID",
    "ReportSource",
    "ReportWording",
    "load_pooled_wording",
    "load_report_wording",
]

REPORT_ID = "monthly-safety"
"""The bundled report wording's id (``data/reports/<id>/``)."""
POOLED_REPORT_ID = "monthly-safety-pooled"
"""The pooled report's wording: only the keys that differ from :data:`REPORT_ID`'s."""


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
    base: str | None = None
    """The version of the clinic report's wording a pooled wording lies over (None: this
    is the clinic report's own)."""

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


def load_pooled_wording(version: str | None = None, *, base: str | None = None) -> ReportWording:
    """The pooled report's wording: the clinic report's wording at ``base`` (the newest if
    None) with the keys of the pooled wording at ``version`` (the newest if None) over it.

    Its id and version are the pooled file's; :attr:`ReportWording.base` says which clinic
    wording lies under it, so that a new version of either changes the document id.
    """
    under = load_report_wording(base)
    pooled = load(
        "reports", POOLED_REPORT_ID, version, ReportWording.from_dict, what="report wording"
    )
    return ReportWording(
        id=pooled.id,
        version=pooled.version,
        note=pooled.note,
        sources=(*under.sources, *pooled.sources),
        texts={**under.texts, **pooled.texts},
        base=under.version,
    )
