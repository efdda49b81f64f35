"""Shared helpers for the benchmark scripts: timing, reporting and a simulated clinic's log.

Benchmarks print figures and ratios against a plain baseline measured in the
same run; they never fail on a wall-clock number.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Final, TypeVar

from exointake import Log, Route
from exointake.records import (
    Administration,
    GateOverride,
    Origin,
    Product,
    Sourcing,
    StorageCheck,
)

T = TypeVar("T")


def parse_args(description: str) -> argparse.Namespace:
    """``--short`` for CI (few repetitions), otherwise the full measurement."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--short", action="store_true", help="quick run for CI")
    return parser.parse_args()


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``fn``, in seconds (least disturbed by noise)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def median_of(fn: Callable[[], object], repeat: int) -> float:
    """The median of ``repeat`` runs of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(
    name: str, ours: float, baseline: float, *, target: float, lower_is_better: bool = True
) -> None:
    """Print one comparison: our time, the baseline's, the ratio and the target."""
    ratio = ours / baseline if lower_is_better else baseline / ours
    verdict = "meets" if ratio <= target else "MISSES"
    print(
        f"{name}: ours {ours * 1e3:.2f} ms, baseline {baseline * 1e3:.2f} ms, "
        f"ratio {ratio:.2f}x (target <= {target}x: {verdict})"
    )


def log_size_args(description: str, *, keep_help: str) -> tuple[argparse.Namespace, int]:
    """The options of a benchmark on a simulated log: ``--short`` (20,000
    administrations, CI), ``--n`` any size (default 1,000,000) and ``--keep DIR``; returns
    the options and the size."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--short", action="store_true", help="20,000 administrations (CI)")
    parser.add_argument("--n", type=int, default=None, help="administrations (default 1,000,000)")
    parser.add_argument("--keep", type=Path, default=None, help=keep_help)
    args = parser.parse_args()
    return args, args.n or (20_000 if args.short else 1_000_000)


def measure(fn: Callable[[], T]) -> tuple[float, float, T]:
    """One run of ``fn`` after a garbage collection: (wall seconds, this process's CPU
    seconds, its result). On a shared machine the wall clock includes waiting for a core
    (and for the disk); the CPU time is what the work itself costs."""
    gc.collect()
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t, time.process_time() - c, out


# ---------------------------------------------------------------- a simulated clinic's log


class Clock:
    """The log's clock: entries are recorded when the simulated clinic would log them."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def products(lots: int) -> list[Product]:
    """``lots`` products ``LOT-00000``…, of every origin, seven makers and both sourcings."""
    origins = list(Origin)
    return [
        Product(
            origin=origins[k % len(origins)],
            maker=f"Maker {k % 7}",
            sourcing=Sourcing.DOMESTIC if k % 3 else Sourcing.IMPORTED,
            concentration="1.0e10 particles/mL",
            lot=f"LOT-{k:05d}",
        )
        for k in range(lots)
    ]


def administration(
    i: int, n: int, rng: random.Random, product: Product, *, start: dt.datetime
) -> Administration:
    """The ``i``-th of ``n`` administrations spread over a year from ``start``: to one of
    ``n // 10`` patients, by a random route and physician (``rng`` drawn in that order)."""
    minute = i * (365 * 24 * 60) // n
    return Administration(
        patient_id=f"P-{rng.randrange(max(1, n // 10)):07d}",
        administered_at=start + dt.timedelta(minutes=minute),
        route=_ROUTES[rng.randrange(len(_ROUTES))],
        site="face",
        volume_ml=Decimal("5"),
        product=product,
        storage_check=_STORAGE,
        physician_id=f"DR-{rng.randrange(20):03d}",
        screening_result_id=f"S-{i:08d}",
        consent_id=f"C-{i:08d}",
    )


_ROUTES: Final = list(Route)
_STORAGE: Final = StorageCheck(cold_chain_ok=True, checked_by="NS-001")


def _no_gate(
    self: Log, r: object, adm: object, override: GateOverride | None, **_: object
) -> GateOverride | None:
    return override


@contextmanager
def gate_skipped() -> Iterator[None]:
    """Skip the log's safety gate while a benchmark builds its log (its chain look-ups
    would be most of the time, and ``bench_log.py`` measures them): every administration
    carries the recorded override, as a gated one would."""
    gate = Log._gate
    Log._gate = _no_gate  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        Log._gate = gate  # type: ignore[method-assign]
