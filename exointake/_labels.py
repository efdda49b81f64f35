"""Staff-facing labels of exointake's reports (ja/en), versioned data.

The plain-text grade of ``exointake grade`` and the displays of the FHIR export name
decisions, routes, organ systems and Brighton reasons in words a clinic reads. Those
words are data (``exointake/data/labels/<version>.json``), loaded by the one bundled-data
loader, so a wording fix is a data change with a version, never a code change.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from attrs import frozen

from . import _bundled
from ._common import Lang, Text
from ._errors import ValidationError

__all__ = ["Labels", "load_labels"]


@frozen
class Labels:
    """Groups of ja/en labels by key (e.g. group ``grade.brighton_reasons``).

    An enum's labels are keyed by its values, so ``labels.of("fhir.routes", Route.IV_DRIP)``.
    """

    version: str
    source: str
    groups: Mapping[str, Mapping[str, Text]]

    def of(self, group: str, key: str | enum.Enum) -> Text:
        """The label of ``key`` (an enum member or a string key) in ``group``."""
        name = key.value if isinstance(key, enum.Enum) else key
        try:
            return self.groups[group][name]
        except KeyError:
            raise ValidationError(
                [f"labels.groups.{group}.{name}: no such label (version {self.version})"],
                what="labels",
            ) from None

    def text(self, group: str, key: str | enum.Enum, lang: Lang | str) -> str:
        """The label of ``key`` in ``group`` in ``lang`` (``"ja"`` or ``"en"``)."""
        return self.of(group, key).get(lang)


def load_labels(version: str | None = None) -> Labels:
    """The bundled report labels; the newest unless ``version`` is given."""
    return _bundled.load_single("labels", version, Labels, path="labels", what="labels")
