"""Eager argument checks for the strategies (hypothesis' api-style: bad arguments
raise :class:`hypothesis.errors.InvalidArgument` when the strategy is built, not
at the first draw)."""

from __future__ import annotations

from typing import Any

from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .._common import Route

__all__ = [
    "check_bool",
    "check_instance",
    "check_route",
    "check_size_range",
    "check_strategy",
]


def _got(value: object) -> str:
    return f"{value!r} (type={type(value).__name__})"


def check_instance(value: object, kind: type, name: str, *, optional: bool = False) -> None:
    """``value`` is a ``kind`` (or ``None`` when ``optional``)."""
    if optional and value is None:
        return
    if not isinstance(value, kind):
        extra = " or None" if optional else ""
        raise InvalidArgument(f"{name}: expected a {kind.__name__}{extra}, got {_got(value)}")


def check_strategy(value: object, name: str) -> None:
    """``value`` is a hypothesis strategy or ``None``."""
    if value is not None and not isinstance(value, SearchStrategy):
        raise InvalidArgument(f"{name}: expected a SearchStrategy or None, got {_got(value)}")


def check_bool(value: object, name: str, *, optional: bool = False) -> None:
    """``value`` is ``True`` or ``False`` (or ``None`` when ``optional``)."""
    if optional and value is None:
        return
    if not isinstance(value, bool):
        extra = " or None" if optional else ""
        raise InvalidArgument(f"{name}: expected True or False{extra}, got {_got(value)}")


def check_route(value: object, name: str = "route") -> Route | None:
    """A :class:`Route`, its value (``"iv_drip"``) or ``None``; the route itself is returned."""
    if value is None or isinstance(value, Route):
        return value
    if isinstance(value, str) and value in {r.value for r in Route}:
        return Route(value)
    choices = "|".join(r.value for r in Route)
    raise InvalidArgument(f"{name}: expected a Route ({choices}) or None, got {_got(value)}")


def check_size_range(low: Any, high: Any, names: tuple[str, str], *, minimum: int = 0) -> None:
    """Two integer bounds with ``minimum <= low <= high``."""
    for value, name in zip((low, high), names, strict=True):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgument(f"{name}: expected an integer, got {_got(value)}")
    if low < minimum:
        raise InvalidArgument(f"{names[0]}: expected {minimum} or more, got {low!r}")
    if high < low:
        raise InvalidArgument(f"{names[1]}: expected {names[0]}={low!r} or more, got {high!r}")
