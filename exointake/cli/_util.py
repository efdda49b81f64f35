"""Helpers shared by the CLI commands: reading input files, printing output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .. import load_json

__all__ = ["print_json", "read_json_file"]


def read_json_file(path: str | Path, *, what: str) -> Any:
    """Parse a JSON file, or raise :class:`ValidationError` naming the file's problem."""
    return load_json(Path(path), where=str(path), what=what)


def print_json(data: object) -> None:
    """Print JSON deterministically (sorted keys, UTF-8, two-space indent)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
