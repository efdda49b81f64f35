"""Helpers shared by the CLI commands: reading input files, printing output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import ValidationError, load_json

if TYPE_CHECKING:
    from .. import Log

__all__ = ["open_db", "print_json", "read_json_file"]


def open_db(db: str, *, write: bool) -> Log:
    """Open the log named by ``--db``. For reading, a missing SQLite file is bad input (it
    is not created); for writing, a brand-new database is created."""
    from .. import open_log
    from ..log import normalise_url

    url = normalise_url(db)
    if url.startswith("sqlite:///") and not write:
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:" and not Path(path).exists():
            raise ValidationError([f"--db: no database at {path}"], what="database")
    return open_log(db, create=write)


def read_json_file(path: str | Path, *, what: str) -> Any:
    """Parse a JSON file, or raise :class:`ValidationError` naming the file's problem."""
    return load_json(Path(path), where=str(path), what=what)


def print_json(data: object) -> None:
    """Print JSON deterministically (sorted keys, UTF-8, two-space indent)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
