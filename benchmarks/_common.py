"""Shared helpers for the benchmark scripts: timing and reporting.

Benchmarks print figures and ratios against a plain baseline measured in the
same run; they never fail on a wall-clock number.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable


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
