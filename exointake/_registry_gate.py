"""The release gate of the registry export: k-anonymity and l-diversity by local recoding.

A case (one administration) is described by its quasi-identifiers (age band, region,
period, route; more columns, a ``sex`` say, are data: :data:`LADDER` names only the
columns it generalises, the others are kept as they are) and by its sensitive values (the
CTCAE term of each of its reactions, or ``none`` without a reaction).

A group is the set of cases with equal quasi-identifiers. It passes when it holds at least
``k`` **distinct patients** (five visits of one person are one person) and, if at least
one of its cases had a reaction, at least ``l`` distinct sensitive values. A group without
any reaction passes the l test: the absence of a reaction is the common value, and a group
in which everybody had none discloses nothing sensitive about anyone.

The cases of failing groups climb :data:`LADDER` (local recoding: the cases of passing
groups stay as they are): 5-year band and month, then quarter, then 10-year bands, then
20-year bands; the cases still failing at the top are suppressed. At each level the groups
are formed again among the cases at that level.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final

__all__ = [
    "LADDER",
    "NO_REACTION",
    "GateRun",
    "check_release",
    "code",
    "run_gate",
]

NO_REACTION: Final = "none"
"""The sensitive value of a case without a reaction."""

LADDER: Final[tuple[Mapping[str, str], ...]] = (
    {"age_band": "5y", "period": "month"},
    {"age_band": "5y", "period": "quarter"},
    {"age_band": "10y", "period": "quarter"},
    {"age_band": "20y", "period": "quarter"},
)
"""The generalisation levels: column -> scheme; columns not named are kept as they are."""

UNKNOWN_AGE: Final = "unknown"


def _age_5(age: int) -> str:
    if age >= 90:
        return "90+"
    low = age // 5 * 5
    return f"{low}-{low + 4}"


def _age_10(age: int) -> str:
    if age >= 90:
        return "90+"
    low = age // 10 * 10
    return f"{low}-{low + 9}"


def _age_20(age: int) -> str:
    if age >= 80:
        return "80+"
    low = age // 20 * 20
    return f"{low}-{low + 19}"


def _month(day: str) -> str:
    return day[:7]


def _quarter(day: str) -> str:
    return f"{day[:4]}-Q{(int(day[5:7]) - 1) // 3 + 1}"


_AGES: Final[Mapping[str, Callable[[int], str]]] = {"5y": _age_5, "10y": _age_10, "20y": _age_20}
_PERIODS: Final[Mapping[str, Callable[[str], str]]] = {"month": _month, "quarter": _quarter}


def code(column: str, scheme: str | None, raw: object) -> str:
    """The released text of ``raw`` (an age in years or None, a JST day ``YYYY-MM-DD``, a
    kept value) for ``column`` under ``scheme`` (None: kept as it is)."""
    if scheme is None:
        return str(raw)
    if column == "age_band":
        return UNKNOWN_AGE if raw is None else _AGES[scheme](int(str(raw)))
    if column == "period":
        return _PERIODS[scheme](str(raw))
    raise ValueError(f"no generalisation scheme {scheme!r} for {column!r}")


class GateRun:
    """The outcome of :func:`run_gate`: each case's level (None: suppressed)."""

    __slots__ = ("levels",)

    def __init__(self, levels: list[int | None]) -> None:
        self.levels = levels


def _passes(
    members: Sequence[int],
    patients: Sequence[object],
    terms: Mapping[int, frozenset[str]],
    k: int,
    l: int,  # noqa: E741 - the l of l-diversity
) -> bool:
    if len(members) < k or len({patients[i] for i in members}) < k:
        return False
    values: set[str] = set()
    reacted = False
    for i in members:
        t = terms.get(i)
        if t:
            reacted = True
            values |= t
        else:
            values.add(NO_REACTION)
    return not reacted or len(values) >= l


def run_gate(
    columns: Mapping[str, Sequence[object]],
    patients: Sequence[object],
    terms: Mapping[int, frozenset[str]],
    *,
    k: int,
    l: int,  # noqa: E741 - the l of l-diversity
    ladder: Sequence[Mapping[str, str]] = LADDER,
) -> GateRun:
    """Assign each case the lowest level of ``ladder`` at which its group passes.

    Args:
        columns: quasi-identifier -> the raw value of each case (ages for ``age_band``,
            JST days for ``period``), all the same length.
        patients: each case's patient (any hashable).
        terms: case index -> its sensitive values (cases without a reaction absent).
        k, l: the thresholds.
        ladder: the levels (see :data:`LADDER`).
    """
    n = len(patients)
    levels: list[int | None] = [None] * n
    active = list(range(n))
    names = list(columns)
    for level, schemes in enumerate(ladder):
        if not active:
            break
        coded: list[list[str]] = []
        for name in names:
            raw = columns[name]
            scheme = schemes.get(name)
            cache: dict[object, str] = {}
            out = []
            for i in active:
                v = raw[i]
                c = cache.get(v)
                if c is None:
                    c = cache[v] = code(name, scheme, v)
                out.append(c)
            coded.append(out)
        groups: dict[tuple[str, ...], list[int]] = {}
        for i, key in zip(active, zip(*coded, strict=True), strict=True):
            members = groups.get(key)
            if members is None:
                groups[key] = [i]
            else:
                members.append(i)
        failing: list[int] = []
        for members in groups.values():
            if _passes(members, patients, terms, k, l):
                for i in members:
                    levels[i] = level
            else:
                failing += members
        active = sorted(failing)
    return GateRun(levels)


def check_release(
    keys: Sequence[tuple[str, ...]],
    patients: Sequence[str],
    terms: Mapping[int, frozenset[str]],
    *,
    k: int,
    l: int,  # noqa: E741 - the l of l-diversity
) -> tuple[int, int | None, int | None, list[str]]:
    """Check released rows by brute force: every group of equal ``keys``.

    Returns ``(groups, fewest distinct patients in a group, fewest distinct sensitive
    values in a group holding a reaction, problems)``; the figures are None when there is
    no such group, ``problems`` empty when every group passes.
    """
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    min_patients: int | None = None
    min_terms: int | None = None
    problems: list[str] = []
    for members in groups.values():
        distinct = len({patients[i] for i in members})
        min_patients = distinct if min_patients is None else min(min_patients, distinct)
        if distinct < k:
            problems.append(f"gate: a released group holds {distinct} distinct patients (k = {k})")
        values: set[str] = set()
        reacted = False
        for i in members:
            t = terms.get(i)
            if t:
                reacted = True
                values |= t
            else:
                values.add(NO_REACTION)
        if reacted:
            min_terms = len(values) if min_terms is None else min(min_terms, len(values))
            if len(values) < l:
                problems.append(
                    f"gate: a released group holds {len(values)} distinct reaction terms (l = {l})"
                )
    return len(groups), min_patients, min_terms, problems
