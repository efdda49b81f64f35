"""``exointake report safety``: the monthly safety report of a log, as a PDF."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from .. import ValidationError
from ..consent import ConsentLanguage
from ._log import DEFAULT_DB
from ._util import add_force, add_group, open_db, outputs, sqlite_file

if TYPE_CHECKING:
    from .. import Log, Outputs
    from ..registry import PooledData
    from ..report import SafetyReport

__all__ = ["open_registry_data", "register", "write_report"]

_EXPORT_FILES = ("manifest.json", "cases.csv", "administrations.csv", "reactions.csv")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report`` and its sub-command ``safety``."""
    rsub = add_group(
        sub,
        "report",
        help="reports made from the log: the monthly safety report (PDF)",
        description="Reports made from the reaction log.",
        metavar="REPORT",
    )
    p = rsub.add_parser(
        "safety",
        help="the monthly safety report of one month (PDF)",
        description="Render the monthly safety report of a month: a clinic-level mirror of "
        "a periodic safety report (ICH E2C(R2) PBRER / E2F DSUR) read from the log as it "
        "stood at the month's data lock point (the end of the month, JST): exposure, "
        "tabulations, the line listing of serious and anaphylaxis cases, lot signals, "
        "charts and the physician's signature field. The same log gives the same bytes. "
        "Prints the PDF's SHA-256, the data lock point and the log's head hash at it. "
        "With --registry (or --registry-dir), the pooled report of a registry's clinics: "
        "the same sections over every clinic's de-identified export. "
        "Exit 2 on bad input (a month not over yet, a missing database).",
    )
    p.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help="database URL (sqlite:///clinic.db, postgresql+psycopg://…) or SQLite file "
        f"path (default: {DEFAULT_DB}); with --registry, the registry's PostgreSQL URL",
    )
    pooled = p.add_mutually_exclusive_group()
    pooled.add_argument(
        "--registry",
        action="store_true",
        help="the pooled report of the registry at --db (every clinic's current export)",
    )
    pooled.add_argument(
        "--registry-dir",
        nargs="+",
        metavar="DIR",
        default=None,
        help="the pooled report of these registry export directories (exointake export "
        "registry --out DIR), pooled in memory without a registry: a clinic previews what "
        "it would send; the same exports give the same PDF as --registry",
    )
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="the month to report")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
    p.add_argument(
        "--lang",
        choices=[lang.value for lang in ConsentLanguage],
        default="ja",
        help="language(s) of the report (default: ja)",
    )
    p.add_argument(
        "--font",
        metavar="FILE.ttf",
        default=None,
        help="embed this TrueType font instead of the built-in CID fonts (e.g. IPAex Mincho)",
    )
    add_force(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.registry or args.registry_dir:
        return _run_pooled(args)
    db = args.db or DEFAULT_DB
    files = outputs(args, args.font, sqlite_file(db))
    out = files.claim(args.out, flag="--out")  # refused before any work
    with open_db(db, write=False) as log:
        write_report(
            log, month=args.month, out=out, files=files, language=args.lang, font=args.font
        )
    return 0


def write_report(
    log: Log,
    *,
    month: str,
    out: Path,
    files: Outputs,
    flag: str = "--out",
    language: str = "ja",
    font: str | None = None,
) -> SafetyReport:
    """Render ``month``'s safety report of ``log``, write it to ``out`` through ``files``
    and say what it is made from (what ``exointake demo`` also runs)."""
    from ..report import safety_report

    report = safety_report(log, month=month, language=language, font=font)
    files.write(out, report.pdf, flag=flag)
    print(f"{report.sha256}  {out}")
    print(
        f"  month {report.month}, {report.page_count} pages; data lock point "
        f"{report.data_lock_point.isoformat()}; log entry #{report.lock_seq}, "
        f"head {report.lock_hash}"
    )
    return report


def open_registry_data(url: str) -> PooledData:
    """The pooled exports of the registry at ``url``, as ``--registry`` reads them:
    every clinic's current export, read with SQL (:meth:`Registry.pooled_data`)."""
    from ..registry import open_registry

    with open_registry(url) as reg:
        return reg.pooled_data()


def _run_pooled(args: argparse.Namespace) -> int:
    from ..registry import PooledData
    from ..report import pooled_safety_report

    folders = [Path(d) for d in args.registry_dir or ()]
    reads = [folder / name for folder in folders for name in _EXPORT_FILES]
    files = outputs(args, args.font, *reads)
    out = files.claim(args.out, flag="--out")  # refused before any work
    if args.registry:
        if args.db is None:
            raise ValidationError(
                ["--db: give the registry's URL with --registry"], what="arguments"
            )
        data = open_registry_data(args.db)
    else:
        for folder in folders:
            if not folder.is_dir():
                raise ValidationError(
                    [f"--registry-dir: {folder} is not a directory"], what="arguments"
                )
        data = PooledData.from_export_dirs(folders)
    report = pooled_safety_report(data, month=args.month, language=args.lang, font=args.font)
    files.write(out, report.pdf, flag="--out")
    print(f"{report.sha256}  {out}")
    print(
        f"  month {report.month}, {report.page_count} pages, pooled; "
        f"{report.lock_seq} export(s), registry state {report.lock_hash}"
    )
    return 0
