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

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

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
    if len(members) < k or len(set(map(patients.__getitem__, members))) < k:
        return False
    hits = [t for t in map(terms.get, members) if t]
    if not hits:
        return True  # no reaction in the group: nothing sensitive to diversify
    values: set[str] = set().union(*hits)
    if len(hits) < len(members):
        values.add(NO_REACTION)
    return len(values) >= l


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
    active: list[int] | None = None  # None: every case (level 0)
    for level, schemes in enumerate(ladder):
        if active is not None and not active:
            break
        coded: list[Sequence[object]] = []
        for name, values in columns.items():
            raw = values if active is None else [values[i] for i in active]
            scheme = schemes.get(name)
            if scheme is None:
                coded.append(raw)
                continue
            table = {v: code(name, scheme, v) for v in set(raw)}
            coded.append(list(map(table.__getitem__, raw)))
        groups: dict[tuple[object, ...], list[int]] = {}
        for i, key in zip(
            range(n) if active is None else active, zip(*coded, strict=True), strict=True
        ):
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
    rows: Iterable[tuple[object, str, object]],
    terms: Mapping[Any, frozenset[str]],
    *,
    k: int,
    l: int,  # noqa: E741 - the l of l-diversity
) -> tuple[int, int | None, int | None, list[str]]:
    """Check released rows by brute force: every group of equal quasi-identifiers.

    Args:
        rows: ``(quasi-identifiers, patient, case)`` of each released case (the
            quasi-identifiers as one comparable value: a tuple, or their text).
        terms: case -> the sensitive values of its reactions (cases without one absent).

    Returns ``(groups, fewest distinct patients in a group, fewest distinct sensitive
    values in a group holding a reaction, problems)``; the figures are None when there is
    no such group, ``problems`` empty when every group passes.
    """
    groups: dict[object, tuple[set[str], set[str], list[bool]]] = {}
    for key, patient, case in rows:
        group = groups.get(key)
        if group is None:
            group = groups[key] = (set(), set(), [False])
        group[0].add(patient)
        t = terms.get(case)
        if t:
            group[1].update(t)
        else:
            group[2][0] = True
    min_patients: int | None = None
    min_terms: int | None = None
    problems: list[str] = []
    for group_patients, values, without in groups.values():
        distinct = len(group_patients)
        min_patients = distinct if min_patients is None else min(min_patients, distinct)
        if distinct < k:
            problems.append(f"gate: a released group holds {distinct} distinct patients (k = {k})")
        if values:
            n_values = len(values) + (without[0] and NO_REACTION not in values)
            min_terms = n_values if min_terms is None else min(min_terms, n_values)
            if n_values < l:
                problems.append(
                    f"gate: a released group holds {n_values} distinct reaction terms (l = {l})"
                )
    return len(groups), min_patients, min_terms, problems
