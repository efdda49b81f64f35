"""Small value types shared by every part of exointake."""

from __future__ import annotations

import datetime as dt
import enum

from attrs import field, frozen

from ._convert import Expected, checks, safe_repr, text_check, to_enum
from ._errors import ValidationError

__all__ = ["JST", "Lang", "Route", "Text", "parse_route", "today_jst"]

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


_TEXT = checks(text_check("text", blank=True))


@frozen
class Text:
    """A text in Japanese and English: each at most 2,000 characters of valid text when
    read from data (``exointake._limits``)."""

    ja: str = field(metadata=_TEXT)
    en: str = field(metadata=_TEXT)

    def get(self, lang: Lang | str) -> str:
        """The text in ``lang`` (``"ja"`` or ``"en"``)."""
        if lang == Lang.JA:
            return self.ja
        if lang == Lang.EN:
            return self.en
        raise ValidationError([f"lang: expected ja or en, got {safe_repr(lang)}"], what="language")


def parse_route(route: Route | str | None, *, what: str = "route") -> Route | None:
    """A :class:`Route` from its value, ``None`` kept; anything else is a ValidationError."""
    if route is None:
        return None
    try:
        return to_enum(Route, route)
    except Expected as exc:
        raise ValidationError([f"route: {exc}"], what=what) from None
