"""The benchmarks stay runnable: each one imports and parses its options.

CI runs every benchmark in ``--short`` mode after the tests; this catches a benchmark
broken by a refactor (a moved private name, say) in the test run itself, in seconds.
Nothing here is timed.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT

BENCHMARKS = sorted((ROOT / "benchmarks").glob("bench_*.py"))


@pytest.mark.parametrize("bench", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_imports_and_parses_its_options(bench: object) -> None:
    """``python benchmarks/bench_X.py --help`` exits 0 and prints its usage."""
    proc = subprocess.run(
        [sys.executable, str(bench), "--help"],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "--short" in proc.stdout


def test_there_are_benchmarks() -> None:
    """The glob finds the benchmark scripts (an empty list would make the test above vacuous)."""
    assert len(BENCHMARKS) >= 5
