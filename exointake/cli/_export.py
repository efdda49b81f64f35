"""``exointake export fhir``: a reaction log's visits as FHIR R4 bundles."""

from __future__ import annotations

import argparse

from .. import ValidationError, parse_date
from ._util import add_force, outputs, sqlite_file

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export`` and its ``fhir`` sub-command."""
    parser = sub.add_parser("export", help="export a reaction log to other formats")
    esub = parser.add_subparsers(dest="export_format", metavar="FORMAT", required=True)
    p = esub.add_parser(
        "fhir",
        help="export visits as HL7 FHIR R4 bundles",
        description="Write one FHIR Bundle per visit (a patient's administrations on one "
        "day, Japan time, with the consents and screenings they relied on and the reactions "
        "that followed), collected in one Bundle of type collection. Patients are named by "
        "their ids only. The file is created with mode 0600; an existing one is replaced "
        "only with --force, the log never.",
    )
    p.add_argument("--db", required=True, metavar="URL", help="the log: SQLAlchemy URL or path")
    p.add_argument("--patient", metavar="ID", help="only this patient's visits")
    p.add_argument("--since", metavar="DATE", help="only visits on or after this day")
    p.add_argument("--out", required=True, metavar="FILE.json", help="where to write the bundle")
    p.add_argument("--pretty", action="store_true", help="indent the JSON for people")
    add_force(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from .. import open_log
    from ..fhir import dumps, to_bundle, visit_bundles

    since = None if args.since is None else parse_date(args.since, "--since")
    db = sqlite_file(args.db)
    files = outputs(args, db)
    out = files.claim(args.out, flag="--out")
    if db is not None and not db.exists():  # read only: never leave an empty file behind
        raise ValidationError([f"--db: no database at {db}"], what="database")
    with open_log(args.db, create=False) as log:
        bundles = visit_bundles(log, patient_id=args.patient, since=since)
    stamps = [b["timestamp"] for b in bundles if "timestamp" in b]
    collection = to_bundle(bundles)
    if stamps:
        collection["timestamp"] = max(stamps)
    text = dumps(collection, indent=2 if args.pretty else None)
    files.write(out, text.encode("utf-8"), flag="--out")
    resources = sum(len(b["entry"]) for b in bundles)
    print(f"wrote {out}: {len(bundles)} visit(s), {resources} resource(s)")
    return 0
