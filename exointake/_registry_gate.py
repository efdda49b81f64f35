"""The release gate of the registry export: k-anonymity and l-diversity by local recoding.

A case (one administration) is described by its quasi-identifiers (age band, region,
period, route; more columns, a ``sex`` say, are data: :data:`LADDER` names only the
columns it generalises, the others are kept as they are) and by its sensitive values: the
CTCAE term of each of its reactions (``unclassified`` when the term is empty), ``serious``
when one of them is serious and ``fatal`` when one of them had a fatal outcome.

A group is the set of cases with equal quasi-identifiers. It passes when it holds at least
``k`` **distinct patients** (five visits of one person are one person) and meets
*frequency l-diversity over patients*: with P distinct patients in the group, for every
sensitive value v the patients showing v number at most P / l. The absence of a reaction is
not bounded: a group in which nobody reacted discloses nothing sensitive about anyone.
With l = 2 this also implies two distinct values over the group's patients.

The cases of failing groups climb :data:`LADDER` (local recoding: the cases of passing
groups stay as they are): 5-year band and month, then quarter, then 10-year bands, then
20-year bands, then any age (``unknown`` merges into it); the cases still failing at the
top are suppressed. At each level the groups are formed again among the cases at that
level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

__all__ = [
    "ANY_AGE",
    "FATAL",
    "LADDER",
    "SERIOUS",
    "UNCLASSIFIED",
    "GateRun",
    "check_release",
    "code",
    "diversity_problem",
    "patients_per_value",
    "run_gate",
    "sensitive_values",
]

UNCLASSIFIED: Final = "unclassified"
"""The sensitive value of a reaction without a CTCAE term."""
SERIOUS: Final = "serious"
"""The sensitive value of a case with a serious reaction."""
FATAL: Final = "fatal"
"""The sensitive value of a case with a reaction of fatal outcome."""

LADDER: Final[tuple[Mapping[str, str], ...]] = (
    {"age_band": "5y", "period": "month"},
    {"age_band": "5y", "period": "quarter"},
    {"age_band": "10y", "period": "quarter"},
    {"age_band": "20y", "period": "quarter"},
    {"age_band": "any", "period": "quarter"},
)
"""The generalisation levels: column -> scheme; columns not named are kept as they are."""

UNKNOWN_AGE: Final = "unknown"
ANY_AGE: Final = "any"
"""The age band of the ladder's top level (``unknown`` merges into it)."""


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
        if scheme == ANY_AGE:
            return ANY_AGE
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
    values: Mapping[int, frozenset[str]],
    k: int,
    l: int,  # noqa: E741 - the l of l-diversity
) -> bool:
    if len(members) < k:
        return False
    group_patients = set(map(patients.__getitem__, members))
    if len(group_patients) < k:
        return False
    return not diversity_problem(
        ((patients[i], values.get(i)) for i in members), len(group_patients), l
    )


def patients_per_value(
    cases: Iterable[tuple[object, frozenset[str] | None]],
) -> dict[str, set[object]]:
    """Sensitive value -> the distinct patients showing it, from ``(patient, values)``."""
    showing: dict[str, set[object]] = {}
    for patient, vs in cases:
        if vs:
            for v in vs:
                showing.setdefault(v, set()).add(patient)
    return showing


def diversity_problem(
    cases: Iterable[tuple[object, frozenset[str] | None]],
    n_patients: int,
    l: int,  # noqa: E741 - the l of l-diversity
) -> bool:
    """Whether some sensitive value is shown by more than ``n_patients / l`` patients."""
    return any(len(shown) * l > n_patients for shown in patients_per_value(cases).values())


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
        terms: case index -> its sensitive values (cases without a reaction absent; see
            :func:`sensitive_values`).
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


def sensitive_values(term: object, serious: object, outcome: object) -> set[str]:
    """The sensitive values of one reaction: its CTCAE term (``unclassified`` when
    empty), ``serious`` when serious, ``fatal`` when its outcome is fatal."""
    values = {term if isinstance(term, str) and term else UNCLASSIFIED}
    if serious is True or serious == "true":
        values.add(SERIOUS)
    if outcome == FATAL:
        values.add(FATAL)
    return values


def check_release(
    rows: Iterable[tuple[object, object, object]],
    values: Mapping[Any, frozenset[str]],
    *,
    k: int,
    l: int,  # noqa: E741 - the l of l-diversity
) -> tuple[int, int | None, float | None, list[str]]:
    """Check released rows by brute force: every group of equal quasi-identifiers.

    Args:
        rows: ``(quasi-identifiers, patient, case)`` of each released case (the
            quasi-identifiers as one comparable value: a tuple, or their text).
        values: case -> the sensitive values of its reactions (cases without one absent).

    Returns ``(groups, fewest distinct patients in a group, largest share of a group's
    patients showing one sensitive value, problems)``; the figures are None when there is
    no such group, ``problems`` empty when every group passes.
    """
    groups: dict[object, tuple[set[object], dict[str, set[object]]]] = {}
    for key, patient, case in rows:
        group = groups.get(key)
        if group is None:
            group = groups[key] = (set(), {})
        group[0].add(patient)
        shown = values.get(case)
        if shown:
            for v in shown:
                group[1].setdefault(v, set()).add(patient)
    min_patients: int | None = None
    max_share: float | None = None
    problems: list[str] = []
    for group_patients, showing in groups.values():
        distinct = len(group_patients)
        min_patients = distinct if min_patients is None else min(min_patients, distinct)
        if distinct < k:
            problems.append(f"gate: a released group holds {distinct} distinct patients (k = {k})")
        if showing:
            most = max(len(shown) for shown in showing.values())
            share = most / distinct
            max_share = share if max_share is None else max(max_share, share)
            if most * l > distinct:
                problems.append(
                    f"gate: in a released group {most} of {distinct} patients show one "
                    f"sensitive value (at most 1/l, l = {l})"
                )
    return len(groups), min_patients, max_share, problems
