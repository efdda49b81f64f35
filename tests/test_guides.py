"""The example scripts behind the guides run as written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

EXAMPLES = ["define_a_questionnaire.py"]


class TestExamples:
    @pytest.mark.parametrize("name", EXAMPLES)
    def test_example_runs(self, name: str) -> None:
        """Each example script exits 0 and prints something, run from the project root."""
        done = subprocess.run(
            [sys.executable, str(ROOT / "examples" / name)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip()
