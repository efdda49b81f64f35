"""Helpers shared by the CLI commands: reading input files, printing output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ._errors import ValidationError

__all__ = ["print_json", "read_json_file"]


def read_json_file(path: str | Path, *, what: str) -> Any:
    """Parse a JSON file, or raise :class:`ValidationError` naming the file's problem."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ValidationError([f"{p}: cannot read ({exc.strerror})"], what=what) from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            [f"{p}: not valid JSON (line {exc.lineno}, column {exc.colno})"], what=what
        ) from None
    except UnicodeDecodeError:
        raise ValidationError([f"{p}: not UTF-8 text"], what=what) from None
    except (ValueError, RecursionError):  # e.g. a 5,000-digit number, or [[[[... 100,000 deep
        raise ValidationError(
            [f"{p}: JSON too large to read (numbers over 4,300 digits or nesting too deep)"],
            what=what,
        ) from None


def print_json(data: object) -> None:
    """Print JSON deterministically (sorted keys, UTF-8, two-space indent)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
