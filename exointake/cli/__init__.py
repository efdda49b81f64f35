"""The ``exointake`` command line.

Each command lives in a private module of this package (``exointake/cli/_*.py``) exposing
``register(subparsers)``; the parser it adds sets ``func`` to a handler
``(args) -> int``. Handlers use only the public API. Exit codes: 0 done,
2 bad input (with a message naming the field), 3 refused by a safety gate.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .._errors import ExointakeError, ScreeningRefused, ValidationError

__all__ = ["main"]

_COMMAND_MODULES = (
    "_consent",
    "_demo",
    "_export",
    "_grade",
    "_log",
    "_questionnaire",
    "_screen",
)

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every command registered."""
    parser = argparse.ArgumentParser(
        prog="exointake",
        description="Intake screening, consent PDFs and a tamper-evident reaction log "
        "for exosome therapy.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _COMMAND_MODULES:
        module = importlib.import_module(f"exointake.cli.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except ScreeningRefused as exc:
        print(f"exointake: refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except ValidationError as exc:
        print(f"exointake: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ExointakeError as exc:
        print(f"exointake: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # pragma: no cover - e.g. `exointake ... | head`
        return EXIT_OK
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
