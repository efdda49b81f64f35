"""Bounds on text a clinic types: lengths suited to each use, and only valid Unicode.

Every text field of every input belongs to one kind below, stated once here and shown
in the JSON Schemas as ``maxLength``. They are checked while the input is read, before
anything is stored or laid out, so a megabyte pasted into a name is a clear error
naming the field — never a render that runs for minutes or a table cell reportlab
cannot fit on a page.

==========  ======  =====================================================================
kind        max     used for
==========  ======  =====================================================================
``id``          64  opaque ids: patient, staff, consent, lot, rule and item ids
``name``       100  a person's name or its kana (the longest Japanese names are ~30)
``label``      200  short values: clinic, product, maker, site, concentration, storage,
                    phone numbers, an emergency contact
``address``    300  a postal address
``text``     2,000  free text: cancellation terms, override reasons, notes, details
==========  ======  =====================================================================

Besides the length, text must be valid Unicode that can be written as UTF-8: a lone
surrogate (``"\\ud800"``, which JSON's ``\\u`` escapes can produce) is refused, as are
control characters other than tab and newline.
"""

from __future__ import annotations

import re
from typing import Final, Literal, TypeAlias

__all__ = ["MAX_LENGTH", "TextKind", "text_problem"]

TextKind: TypeAlias = Literal["id", "name", "label", "address", "text"]

MAX_LENGTH: Final[dict[TextKind, int]] = {
    "id": 64,
    "name": 100,
    "label": 200,
    "address": 300,
    "text": 2000,
}
"""The maximum number of characters (code points) of each kind of text."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def text_problem(value: str, kind: TextKind) -> str | None:
    """Why ``value`` is not acceptable text of ``kind``, or None.

    The message never repeats the value: it says what was expected and, for a length,
    how long the text was.

    Example::

        >>> text_problem("山田　花子", "name") is None
        True
        >>> text_problem("x" * 101, "name")
        'expected at most 100 characters, got 101'
    """
    limit = MAX_LENGTH[kind]
    if len(value) > limit:
        return f"expected at most {limit:,} characters, got {len(value):,}"
    if _SURROGATE.search(value):
        return "expected valid Unicode text (it holds a lone surrogate)"
    if _CONTROL.search(value):
        return "expected text without control characters (other than tab and newline)"
    return None
