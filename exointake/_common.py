"""Small value types shared by every part of exointake."""

from __future__ import annotations

import datetime as dt
import enum

from attrs import frozen

__all__ = ["JST", "Lang", "Route", "Text", "today_jst"]

JST = dt.timezone(dt.timedelta(hours=9), "JST")
"""Japan Standard Time: what people read. Storage is always UTC."""


def today_jst() -> dt.date:
    """Today's date in Japan."""
    return dt.datetime.now(JST).date()


class Lang(enum.StrEnum):
    """A language for patient-facing text."""

    JA = "ja"
    EN = "en"


class Route(enum.StrEnum):
    """How the product is given (domain contract §1)."""

    IV_DRIP = "iv_drip"
    INJECTION_FACE = "injection_face"
    INJECTION_SCALP = "injection_scalp"

    @property
    def is_local(self) -> bool:
        """True for injections into a site (face, scalp), False for the systemic drip."""
        return self is not Route.IV_DRIP


@frozen
class Text:
    """A text in Japanese and English."""

    ja: str
    en: str

    def get(self, lang: Lang | str) -> str:
        """The text in ``lang`` (``"ja"`` or ``"en"``)."""
        return self.ja if Lang(lang) is Lang.JA else self.en
