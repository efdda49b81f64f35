"""Japanese era dates (和暦): render them for people, accept them from people.

Only the modern eras are known (明治 from 1868-01-25 in the Gregorian calendar
as the library counts it, through 令和). Dates before Meiji are refused.
"""

from __future__ import annotations

import datetime as dt
import re

from ._common import JST
from ._convert import Expected, check_date_window, describe_type, structure_date
from ._errors import ValidationError

__all__ = ["date_arg", "date_range", "format_wareki", "parse_date", "parse_date_value"]

# (kanji, latin initial, first day)
_ERAS: tuple[tuple[str, str, dt.date], ...] = (
    ("令和", "R", dt.date(2019, 5, 1)),
    ("平成", "H", dt.date(1989, 1, 8)),
    ("昭和", "S", dt.date(1926, 12, 25)),
    ("大正", "T", dt.date(1912, 7, 30)),
    ("明治", "M", dt.date(1868, 1, 25)),
)


def format_wareki(day: dt.date) -> str:
    """``date(2026, 11, 25)`` → ``令和8年11月25日``; the first year is ``元年``.

    An aware ``datetime`` is shown as its date in Japan.

    Raises:
        ValidationError: not a date, a naive datetime, or a date before Meiji.
    """
    if isinstance(day, dt.datetime):
        if day.tzinfo is None or day.utcoffset() is None:
            raise ValidationError(["date: expected a date or an aware datetime"], what="date")
        day = day.astimezone(JST).date()
    if not isinstance(day, dt.date):
        raise ValidationError([f"date: expected a date, got {describe_type(day)}"], what="date")
    for kanji, _, start in _ERAS:
        if day >= start:
            year = day.year - start.year + 1
            y = "元" if year == 1 else str(year)
            return f"{kanji}{y}年{day.month}月{day.day}日"
    raise ValidationError(["date: expected a date from the Meiji era (1868) on"], what="date")


def parse_date(value: object, name: str = "date") -> dt.date:
    """A date from ISO ``YYYY-MM-DD`` or a Japanese era form.

    Accepted era forms: ``令和8年11月25日``, ``平成元年1月8日``, ``R8.11.25``,
    ``S55-4-1`` (full-width digits too). The day must fall inside the era named.
    This is the one rule for every date argument of the API and the command line.

    Args:
        value: a :class:`datetime.date` (not a ``datetime``) or such a text.
        name: what the error message calls the value (an argument or option name).

    Raises:
        ValidationError: the text is not a date in one of those forms.
    """
    try:
        return parse_date_value(value)
    except Expected as exc:
        raise ValidationError(
            [f"{name}: {exc}"], what="date" if name == "date" else "argument"
        ) from None


# Digits are ASCII [0-9] (full-width ones are translated first): ``\d`` would also take
# Arabic-Indic, Devanagari... digits, which the ISO form refuses too.
_KANJI_RE = re.compile(
    r"(?P<era>令和|平成|昭和|大正|明治)\s*(?P<y>元|[0-9]{1,2})\s*年\s*"
    r"(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*日"
)
_LATIN_RE = re.compile(
    r"(?P<era>[RHSTMrhstm])\s*(?P<y>[0-9]{1,2})[./-](?P<m>[0-9]{1,2})[./-](?P<d>[0-9]{1,2})"
)
_ISO_SHAPE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def parse_date_value(value: object) -> dt.date:
    """:func:`parse_date` for hooks: raises :class:`Expected` (a safe message) instead."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # an argument's date; a record's dates are bounded by its fields
    if not isinstance(value, str):
        return structure_date(value)
    text = value.strip().translate(_FULLWIDTH)
    if not text:
        raise Expected("expected a date (YYYY-MM-DD or 和暦), got an empty string")
    if _ISO_SHAPE_RE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            # The value is not shown: it may be a birth date.
            raise Expected(
                "expected a real calendar date (YYYY-MM-DD), got a day that does not exist"
            ) from None
    match = _KANJI_RE.fullmatch(text) or _LATIN_RE.fullmatch(text)
    if match is None:
        return structure_date(text)
    era = match["era"].upper()
    index = next(i for i, (kanji, latin, _) in enumerate(_ERAS) if era in (kanji, latin))
    kanji, _, start = _ERAS[index]
    year = 1 if match["y"] == "元" else int(match["y"])
    try:
        day = dt.date(start.year + year - 1, int(match["m"]), int(match["d"]))
    except ValueError:
        raise Expected(
            "expected a real calendar date (和暦), got a day that does not exist"
        ) from None
    end = _ERAS[index - 1][2] if index > 0 else None
    if day < start or (end is not None and day >= end):
        raise Expected(f"expected a date inside the {kanji} era")
    return day


def date_arg(value: object, name: str) -> dt.date:
    """The one rule for every date argument of the API and the CLI.

    A date argument (``on=``, ``since=``, ``until=``, ``--on``, ...) takes a
    :class:`datetime.date` (not a ``datetime``), an ISO ``YYYY-MM-DD`` string or a
    Japanese era date (``令和8年11月25日``, ``R8.11.25``); anything else is a
    :class:`ValidationError` naming the argument, e.g.
    ``on: expected a date (YYYY-MM-DD), got string`` or, for ``2026-13-01``,
    ``on: expected a real calendar date (YYYY-MM-DD), got a day that does not exist``.
    Digits are ASCII or full-width; an empty string is refused, never read as "today".
    The day lies between 1900-01-01 and 2999-12-31, like every date a record holds (so
    what is computed from it can be read back).
    """
    day = parse_date(value, name)
    try:
        return check_date_window(day)
    except Expected as exc:
        raise ValidationError([f"{name}: {exc}"], what="argument") from None


def date_range(
    since: object | None, until: object | None, *, names: tuple[str, str] = ("since", "until")
) -> tuple[dt.date | None, dt.date | None]:
    """Both ends of a date range by :func:`date_arg`; ``since`` after ``until`` is refused."""
    start = None if since is None else date_arg(since, names[0])
    end = None if until is None else date_arg(until, names[1])
    if start is not None and end is not None and start > end:
        raise ValidationError(
            [
                f"{names[0]}: expected a day on or before {names[1]} ({end.isoformat()}), "
                f"got {start.isoformat()}"
            ],
            what="argument",
        )
    return start, end
