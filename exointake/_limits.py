"""Bounds on what a clinic types: text lengths suited to each use, only valid Unicode,
and plausible numbers and dates.

Every text field of every input belongs to one kind below, stated once here and shown
in the JSON Schemas as ``maxLength``. They are checked while the input is read, before
anything is stored or laid out, so a megabyte pasted into a name is a clear error
naming the field — never a render that runs for minutes or a table cell reportlab
cannot fit on a page.

==========  ======  =====================================================================
kind        max     used for
==========  ======  =====================================================================
``id``          64  opaque ids: patient, staff, consent, lot, rule and item ids; versions,
                    codes, content hashes
``name``       100  a person's name or its kana (the longest Japanese names are ~30)
``label``      200  short values: clinic, product, maker, site, concentration, storage,
                    phone numbers, an emergency contact
``address``    300  a postal address
``message``    500  a rule's message to the patient or to staff (one table cell)
``text``     2,000  free text: cancellation terms, override reasons, notes, questions,
                    sources; a URL
==========  ======  =====================================================================

Besides the length, text must be valid Unicode that can be written as UTF-8: a lone
surrogate (``"\\ud800"``, which JSON's ``\\u`` escapes can produce) is refused, as are
control characters other than tab and newline.

Numbers and dates must be plausible (the bounds at the end of this module): a birth
date in 1899, 10⁹ sessions or a price of ¥10¹⁰ is a typo, and left alone it would
overflow a calendar or a table later, far from where it was typed.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Final, Literal, TypeAlias

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MAX_DAYS_AT_ROOM_TEMPERATURE",
    "MAX_INTERVAL",
    "MAX_LENGTH",
    "MAX_NUMBER_TEXT",
    "MAX_PRICE_JPY",
    "MAX_QUANTITY",
    "MAX_READS",
    "MAX_SESSIONS",
    "MAX_TAX_RATE_PERCENT",
    "MAX_VOLUME_ML",
    "STORAGE_TEMPERATURE_C",
    "TextKind",
    "text_problem",
]

TextKind: TypeAlias = Literal["id", "name", "label", "address", "message", "text"]

MAX_LENGTH: Final[dict[TextKind, int]] = {
    "id": 64,
    "name": 100,
    "label": 200,
    "address": 300,
    "message": 500,
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
        found = sorted({f"U+{ord(c):04X}" for c in _CONTROL.findall(value)})
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        return f"expected text without control characters (other than tab and newline), got {shown}"
    return None


# ---------------------------------------------------------------------------- values

EARLIEST_DATE: Final = dt.date(1900, 1, 1)
LATEST_DATE: Final = dt.date(2999, 12, 31)
"""Every date and date-time a record holds lies in these years (far from the calendar's
ends, so a plan's sessions, a JST date or a follow-up window never overflow)."""
EARLIEST_BIRTH_DATE: Final = EARLIEST_DATE
"""A birth date is on or after 1900-01-01 (and not after today in Japan)."""
MAX_SESSIONS: Final = 100
"""Sessions in one plan."""
MAX_INTERVAL: Final = {"day": 365, "week": 52, "month": 12}
"""The longest interval between sessions, by unit: one year."""
MAX_PRICE_JPY: Final = 100_000_000
"""Any amount in JPY: a price, a total, a discount, a fee, a related good's unit price."""
MAX_QUANTITY: Final = 1_000
"""Units of one related good."""
MAX_TAX_RATE_PERCENT: Final = 100
MAX_VOLUME_ML: Final = Decimal(1000)
"""An administered volume is more than 0 and at most 1,000 mL, to 0.001 mL."""
STORAGE_TEMPERATURE_C: Final = (Decimal(-100), Decimal(100))
"""A storage temperature read before use (a −80 °C freezer to a hot room)."""
MAX_DAYS_AT_ROOM_TEMPERATURE: Final = 3650
MAX_READS: Final = 20
"""Items one screening rule reads (its undecided message lists them)."""
MAX_NUMBER_TEXT: Final = 40
"""Characters of a number given as text (``"1.5"``): enough for any real measurement."""
