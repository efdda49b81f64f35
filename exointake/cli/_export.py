"""``exointake export fhir``: a reaction log's visits as FHIR R4 bundles.
``exointake export registry``: the de-identified registry export (匿名加工情報)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from .. import ValidationError, parse_date
from ._util import add_force, add_group, outputs, print_json, sqlite_file

__all__ = ["register"]

DUTIES = (
    "before sending: publish the data items and the method of provision (APPI Art. "
    "43(3), (4)) and tell the registry that the data is 匿名加工情報 (manifest.statement; "
    "also by e-mail or in writing); see the guide 'Pool data in a registry'"
)

OPTION_NAMES = {
    "clinic_id": "--clinic-id",
    "region": "--region",
    "k": "--k",
    "l": "--l",
    "settle_days": "--settle-days",
}
"""How the export's errors name its arguments: by these options (the library checks them)."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export`` and its ``fhir`` and ``registry`` sub-commands."""
    esub = add_group(
        sub,
        "export",
        help="export a reaction log to other formats",
        dest="export_format",
        metavar="FORMAT",
    )
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
    r = esub.add_parser(
        "registry",
        help="export the log de-identified (匿名加工情報) for a multi-clinic registry",
        description="Write cases.csv, administrations.csv, reactions.csv and manifest.json "
        "into --out: case and reaction pseudonyms under a one-off key made in memory and "
        "destroyed after the export (no patient key is written), ages in 5-year bands, "
        "year-months and minutes to onset instead of dates, the clinic as a prefecture code "
        "and its registry id, no free text and no direct identifier. Only months (Japan "
        "time) that ended at least --settle-days days (default 14) before the log's last "
        "entry leave, so entries recorded late within that period are in the month's first "
        "export. The release gate keeps only "
        "groups of at least --k distinct patients in which no reaction term, serious or "
        "fatal reaction is shown by more than 1/--l of the patients, generalising (month to "
        "quarter, wider age bands, any age) then suppressing the rest; cases of a quarter "
        "not yet over and settled are held for a later export; lots, makers and volumes "
        "shared by fewer than --k patients are left empty. The manifest reports what it did. "
        "The log is only read. "
        "--out must be missing or empty (with --force the four files are replaced); files "
        "are created with mode 0600, the folder 0700.",
    )
    r.add_argument("--db", required=True, metavar="URL", help="the log: SQLAlchemy URL or path")
    r.add_argument(
        "--clinic-id",
        required=True,
        metavar="ID",
        help="the clinic's id in the registry (given by the registry; not secret)",
    )
    r.add_argument(
        "--key-file",
        metavar="FILE",
        help="only to reproduce an export byte for byte: a key file (64 hex); destroy it "
        "after the export and never reuse it across exports. Without it a fresh key is made "
        "and discarded (the default; the PPC's Q&A 15-14 requires such parameters to be "
        "destroyed once the data is made)",
    )
    r.add_argument(
        "--region",
        required=True,
        metavar="NN",
        help="the clinic's prefecture: JIS X 0401 code 01-47 (13 = Tokyo)",
    )
    r.add_argument("--out", required=True, metavar="DIR", help="the folder to write")
    r.add_argument(
        "--k", type=_whole("--k"), default=5, metavar="N", help="distinct patients per group (>= 5)"
    )
    r.add_argument(
        "--l",
        type=_whole("--l"),
        default=2,
        metavar="N",
        help="at most 1/N of a group's patients may show one reaction term, serious or fatal "
        "(>= 2)",
    )
    r.add_argument(
        "--settle-days",
        type=_whole("--settle-days"),
        default=14,
        metavar="N",
        help="a month leaves once it ended N days before the log's last entry (0-366; default 14)",
    )
    r.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_force(r)
    r.set_defaults(func=_run_registry)


def _whole(flag: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.strip().isdigit():
            raise argparse.ArgumentTypeError(f"{flag}: expected a whole number, got {text!r}")
        return int(text)

    return parse


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


def _run_registry(args: argparse.Namespace) -> int:
    from .. import open_log
    from ..registry import export_registry, load_export_key

    db = sqlite_file(args.db)
    out = Path(args.out)
    if db is not None and not db.exists():  # read only: never leave an empty file behind
        raise ValidationError([f"--db: no database at {db}"], what="database")
    key = None if args.key_file is None else load_export_key(args.key_file, flag="--key-file")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not args.force)):
        # Checked before the log is read (the write checks again).
        why = "is not a folder" if not out.is_dir() else "is not empty; pass --force to replace"
        raise ValidationError([f"--out: {out} {why}"], what="arguments")
    with open_log(args.db, create=False) as log:
        export = export_registry(
            log,
            key,
            clinic_id=args.clinic_id,
            region=str(args.region).strip(),
            k=args.k,
            l=args.l,
            settle_days=args.settle_days,
            names=OPTION_NAMES,
        )
    del key  # a given key is not kept; the user destroys the file
    export.write(out, force=args.force, flag="--out")
    gate = export.manifest["gate"]
    source = export.manifest["source"]
    key_note = (
        "the one-off key was discarded"
        if args.key_file is None
        else f"destroy {args.key_file} now and never reuse it for another export"
    )
    summary = {
        "out": str(out),
        "files": sorted(export.files),
        "rows": dict(export.rows),
        "clinic_id": export.manifest["clinic_id"],
        "through": source["through"],
        "data_lock": source["data_lock"],
        "settle_days": source["settle_days"],
        "groups": gate["groups"],
        "generalised": gate["generalised"],
        "held": gate["held"],
        "suppressed": gate["suppressed"],
        "blanked": gate["blanked"],
        "key_fingerprint": export.manifest["key_fingerprint"],
        "key": key_note,
        "manifest_sha256": export.manifest_sha256,
        "before_sending": DUTIES,
    }
    if args.json:
        print_json(summary)
        return 0
    rows = export.rows
    g = gate["generalised"]
    s = gate["suppressed"]
    b = gate["blanked"]
    print(f"wrote {out}: {', '.join(sorted(export.files))}")
    print(
        f"clinic {export.manifest['clinic_id']}, months through {source['through']} "
        f"(data lock {source['data_lock']}; settled {source['settle_days']} days)"
    )
    print(
        f"rows: {rows['cases.csv']} cases, {rows['administrations.csv']} administrations, "
        f"{rows['reactions.csv']} reactions; {gate['groups']} groups "
        f"(k = {gate['k']}, l = {gate['l']})"
    )
    print(
        f"generalised: {g['period_to_quarter']} to quarter, {g['age_band_10']} to 10-year "
        f"bands, {g['age_band_20']} to 20-year bands, {g['age_any']} to any age; "
        f"held (quarter not over): {gate['held']['cases']} cases; suppressed: "
        f"{s['cases']} cases in {s['groups']} groups"
    )
    print(
        f"blanked (shared by < k patients): {b['lot']} lots, {b['maker']} makers, "
        f"{b['volume_ml']} volumes"
    )
    print(f"key fingerprint: {export.manifest['key_fingerprint']} ({key_note})")
    print(f"manifest sha256: {export.manifest_sha256}")
    print(DUTIES)
    return 0
