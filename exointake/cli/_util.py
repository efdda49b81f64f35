"""Helpers shared by the CLI commands: reading input files, printing output, output files."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from .. import Lang, Outputs, ValidationError, load_json

if TYPE_CHECKING:
    from .. import Log

__all__ = [
    "SubParsers",
    "add_force",
    "add_group",
    "add_lang",
    "open_db",
    "outputs",
    "print_json",
    "read_json_file",
    "sqlite_file",
]

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What ``add_subparsers`` returns: where a command adds its sub-commands."""

FORCE_HELP = (
    "replace output files that already exist (never a database or an input of this "
    "command). New files are created with mode 0600 (owner only): they hold patient data"
)


def read_json_file(path: str | Path, *, what: str) -> Any:
    """Parse a JSON file, or raise :class:`ValidationError` naming the file's problem."""
    return load_json(Path(path), where=str(path), what=what)


def print_json(data: object) -> None:
    """Print JSON deterministically (sorted keys, UTF-8, two-space indent)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def add_force(parser: argparse.ArgumentParser) -> None:
    """Add ``--force`` to a command that writes files."""
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)


def add_group(
    sub: SubParsers,
    name: str,
    *,
    help: str,
    description: str | None = None,
    dest: str | None = None,
    metavar: str = "ACTION",
) -> SubParsers:
    """Add the command ``name`` whose sub-commands (one required, chosen as
    ``{name}_command`` unless ``dest`` says otherwise) are added to what it returns."""
    parser = sub.add_parser(name, help=help, description=description)
    return parser.add_subparsers(dest=dest or f"{name}_command", metavar=metavar, required=True)


def add_lang(
    parser: argparse.ArgumentParser, *, default: str = "ja", help: str | None = None
) -> None:
    """Add ``--lang`` (one of the languages a command can print)."""
    parser.add_argument("--lang", choices=[lang.value for lang in Lang], default=default, help=help)


def sqlite_file(db: str | None) -> Path | None:
    """The SQLite file behind a ``--db`` value, or None (PostgreSQL, in memory, none)."""
    if db is None:
        return None
    from ..log import normalise_url

    url = normalise_url(db)
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").partition("?")[0]
    return Path(path) if path and path != ":memory:" else None


def open_db(
    db: str, *, write: bool, current_consent_templates: Mapping[str, str] | None = None
) -> Log:
    """Open the log named by ``--db``. For reading, a missing SQLite file is bad input (it
    is not created); for writing, a brand-new database is created. The consent templates in
    force for the safety gate default to the newest bundled one."""
    from .. import open_log

    path = sqlite_file(db)
    if path is not None and not write and not path.exists():
        raise ValidationError([f"--db: no database at {path}"], what="database")
    return open_log(db, create=write, current_consent_templates=current_consent_templates)


def outputs(args: argparse.Namespace, *inputs: str | Path | None) -> Outputs:
    """The output files of one run (see :class:`exointake.Outputs`): ``--force`` from
    ``args``; ``inputs`` (the files the command reads) are never written over."""
    return Outputs(force=bool(getattr(args, "force", False)), inputs=inputs)
