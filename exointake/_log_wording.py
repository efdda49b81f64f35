"""The staff-facing wording of the reaction log's commands and reports (ja/en).

Versioned data (``data/log_wording/<version>.json``), loaded through :mod:`._bundled`
like every bundled text: the command line prints ALERT lines, recall, report, verify and
history tables in the language the staff asked for (``--lang``), and the words stay out
of the code.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from attrs import frozen

from . import _bundled
from ._common import Lang, Text
from ._convert import structure
from ._errors import ValidationError

__all__ = ["LogWording", "load_log_wording"]


@frozen
class LogWording:
    """The log's staff-facing texts by key, each in Japanese and English.

    ``get(key, lang, **values)`` fills ``{placeholders}``; both languages of a key take the
    same placeholders (a bundled file that breaks this is refused when loaded).
    """

    version: str
    source: str
    texts: Mapping[str, Text]

    def __attrs_post_init__(self) -> None:
        problems = [
            f"texts.{key}: ja and en take different placeholders"
            for key, text in self.texts.items()
            if _fields(text.ja) != _fields(text.en)
        ]
        if problems:
            raise ValidationError(problems, what="log wording")

    def get(self, key: str, lang: Lang | str, /, **values: object) -> str:
        """The text ``key`` in ``lang`` with ``values`` filled in.

        Raises :class:`KeyError` for an unknown key (a bug in the caller, not bad input).
        """
        text = self.texts[key].get(lang)
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        """True when the wording has a text under ``key``."""
        return key in self.texts


def _fields(text: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def load_log_wording(version: str | None = None) -> LogWording:
    """The bundled log wording; the newest unless ``version`` is given.

    >>> from exointake.log import load_log_wording
    >>> load_log_wording().get("kind.reaction", "ja")
    '副反応'
    """
    return _bundled.load(
        "log_wording",
        None,
        version,
        lambda data: structure(data, LogWording, path="log_wording", what="log wording"),
        what="log wording",
        version_arg="version",
    )
