"""The README's Python examples and shell commands run as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_python_examples_run(tmp_path: Path) -> None:
    """Every ```python block, run in order in one namespace from a fresh folder, succeeds."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    code = "\n".join(blocks("python"))
    assert "import exointake" in code
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "anaphylaxis 1 Anaphylaxis True" in proc.stdout
    assert (tmp_path / "consent.pdf").read_bytes().startswith(b"%PDF")


def test_exactly_two_setup_commands() -> None:
    """The set-up section has exactly two commands: the demo and the tests."""
    setup = README.split("## Set up")[1].split("##")[0]
    commands = [b.strip() for b in re.findall(r"```sh\n(.*?)```", setup, flags=re.S)]
    assert commands == [
        "pip install -e . && exointake demo",
        "pip install -e '.[dev]' && pytest -n auto",
    ]


@pytest.mark.parametrize(
    "line",
    [
        line
        for block in blocks("sh")
        for line in block.splitlines()
        if line.startswith("exointake ") and "--db" not in line and "fhir" not in line
    ],
)
def test_shell_commands_run(line: str, tmp_path: Path) -> None:
    """Each shell command of the README (those without a database) exits 0."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    argv = [sys.executable, "-m", "exointake", *shlex.split(line)[1:]]
    proc = subprocess.run(
        argv,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
