"""The ``exointake`` command line.

Each command lives in a private module of this package (``exointake/cli/_*.py``) exposing
``register(subparsers)``; the parser it adds sets ``func`` to a handler
``(args) -> int``. Handlers use only the public API. Exit codes: 0 done, 1 the log
does not verify, 2 bad input (with a message naming the field or option) or a storage
failure, 3 refused by a safety gate, 4 the log could not be verified at all.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .. import ExointakeError, ScreeningRefused, ValidationError

__all__ = ["main"]

_COMMAND_MODULES = {  # command name -> the module that registers and runs it
    "consent": "_consent",
    "demo": "_demo",
    "export": "_export",
    "grade": "_grade",
    "log": "_log",
    "questionnaire": "_questionnaire",
    "registry": "_registry",
    "report": "_report",
    "screen": "_screen",
    "signal": "_signal",
}

EXIT_OK = 0
EXIT_BROKEN = 1
"""``log verify``/``log checkpoint``: the log does not verify (or extend a checkpoint)."""
EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3
EXIT_UNVERIFIABLE = 4
"""``log verify``/``log checkpoint``: the log could not be verified at all."""

EXIT_CODES = (
    "exit codes: 0 done; 1 the log does not verify (log verify, log checkpoint); "
    "2 bad input, an output that may not be written, or a database that cannot be used "
    "(the message names the field or option); 3 refused by a safety gate; "
    "4 the log could not be verified at all (no database there, not a log, unreadable)"
)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser, with every command registered, or only ``command`` when it
    names one (a run imports only its own command's module: ``exointake screen`` loads
    neither the log nor the renderer)."""
    parser = argparse.ArgumentParser(
        prog="exointake",
        description="Intake screening, consent PDFs and a tamper-evident reaction log "
        "for exosome therapy.",
        epilog=EXIT_CODES + ".",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    names = [command] if command in _COMMAND_MODULES else sorted(_COMMAND_MODULES)
    for name in names:
        module = importlib.import_module(f"exointake.cli.{_COMMAND_MODULES[name]}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv else None)
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
