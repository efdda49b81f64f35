"""Every script in examples/ runs and exits 0 (they are documentation that must stay true)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLES, ROOT
from .logutil import pg_schema

SCRIPTS = sorted(EXAMPLES.glob("*.py"))
REGISTRY_URL = "EXOINTAKE_REGISTRY_URL"
"""An example that reads this runs its registry part on a fresh PostgreSQL schema."""
EXPECTED = {
    "pool_data_in_a_registry.py": "registry: UC-2609-HOT any binomial: SIGNAL",
}
"""What an example must print (its point), beyond running to completion."""


def test_there_are_examples() -> None:
    """The examples folder is not empty (a glob matching nothing would test nothing)."""
    assert SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_example_runs(script: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The example runs to completion in a fresh folder (and prints its point)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if REGISTRY_URL in script.read_text("utf-8"):
        with pg_schema(request.getfixturevalue("pg_url")) as url:
            proc = _run(script, tmp_path, {**env, REGISTRY_URL: url})
    else:
        proc = _run(script, tmp_path, env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip()
    assert EXPECTED.get(script.name, "") in proc.stdout


def _run(script: Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
