"""``exointake log``: append to, query and verify the reaction log.

Every sub-command takes ``--db URL`` (an SQLAlchemy URL or an SQLite file path; default
``exointake.db`` in the current folder). Exit codes: 0 done, 1 the log does not verify
(or does not extend a signed checkpoint), 2 bad input (or a database that needs
``exointake log migrate``, or that cannot be used), 3 refused by the consent gate, 4 the
log could not be verified at all (``verify`` and ``checkpoint``: no database there, not a
log, unreadable).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .. import (
    JST,
    Administration,
    AdministrationRefused,
    ConsentRecord,
    Decision,
    ExointakeError,
    FollowUp,
    MigrationRequired,
    Product,
    Reaction,
    ReactionRecord,
    Route,
    ScreeningRecord,
    ScreeningResult,
    StorageError,
    ValidationError,
    parse_date,
)
from ..consent import current_templates
from ..records import (
    Causality,
    GateOverride,
    Origin,
    PhysicianReview,
    ReviewDecision,
    Sourcing,
    StorageCheck,
)
from . import EXIT_BROKEN, EXIT_OK, EXIT_UNVERIFIABLE
from ._util import add_force, open_db, outputs, print_json, read_json_file, sqlite_file

if TYPE_CHECKING:
    from .. import Log
    from ..log import LogEntry, RateReport

__all__ = ["DEFAULT_DB", "demo_log", "register"]

DEFAULT_DB = "exointake.db"
_SHA256 = re.compile("[0-9a-f]{64}")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``log`` and its sub-commands."""
    parser = sub.add_parser(
        "log",
        help="the reaction log: administer, reaction, verify, recall, report, migrate",
        description="Append administrations and reactions to a tamper-evident log, "
        "query it and verify its hash chain.",
    )
    lsub = parser.add_subparsers(dest="log_command", metavar="ACTION", required=True)

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        p = lsub.add_parser(name, help=help_, description=help_)
        p.add_argument(
            "--db",
            default=DEFAULT_DB,
            metavar="URL",
            help="database URL (sqlite:///clinic.db, postgresql+psycopg://…) or SQLite "
            f"file path (default: {DEFAULT_DB})",
        )
        return p

    p = add("administer", "append an administration read from a JSON file")
    p.add_argument("--input", required=True, metavar="FILE.json")
    p.add_argument(
        "--consent-templates",
        metavar="FILE.json",
        help='{"template_id": "sha256", …} of the consent templates in force; refuse '
        "(exit 3) when the administration's consent was given on another one",
    )
    p.add_argument(
        "--override-by",
        metavar="ID",
        help="who lets the administration past the safety gate (recorded with it); the only "
        "way past when its screening, review or consent chain is incomplete (else exit 3)",
    )
    p.add_argument(
        "--override-reason",
        metavar="TEXT",
        help="why (required with --override-by; stored, never printed)",
    )
    p.set_defaults(func=_administer)

    p = add("reaction", "grade and append a reaction read from a JSON file")
    p.add_argument("--input", required=True, metavar="FILE.json")
    p.add_argument("--json", action="store_true", help="print the stored entry as JSON")
    p.set_defaults(func=_reaction)

    p = add("follow-up", "append a follow-up of a reaction read from a JSON file")
    p.add_argument("--input", required=True, metavar="FILE.json")
    p.set_defaults(func=_follow_up)

    p = add("consent", "record a rendered consent (hashes, template) read from a JSON file")
    p.add_argument("--input", required=True, metavar="FILE.json")
    p.set_defaults(func=_consent)

    p = add("show", "print an entry's current version and its history as JSON")
    p.add_argument("entry_id")
    p.set_defaults(func=_show)

    p = add(
        "verify",
        "walk the whole hash chain, and prove the log still extends each signed checkpoint "
        "given. Exit 0 verified, 1 broken (the first broken entry or checkpoint is named), "
        "2 bad input (a checkpoint or key file; a checkpoint whose signature does not "
        "verify), 4 could not verify (no database there, not a log, unreadable)",
    )
    p.add_argument(
        "--checkpoint",
        action="append",
        metavar="FILE.json",
        help="a checkpoint signed by `log checkpoint` (repeat for several)",
    )
    p.add_argument(
        "--public-key",
        metavar="FILE.pem",
        help="the public key the checkpoints were signed with (required with --checkpoint)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_verify)

    _register_checkpoints(lsub, add)

    p = add("recall", "every administration and reaction of a lot")
    p.add_argument("--lot", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_recall)

    p = add("report", "reactions per 1,000 administrations by route, origin and lot")
    p.add_argument("--since", metavar="DATE", help="first administration date (JST), inclusive")
    p.add_argument("--until", metavar="DATE", help="last administration date (JST), inclusive")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_report)

    p = add("migrate", "create the log's tables or upgrade them to this exointake's schema")
    p.set_defaults(func=_migrate)


def _register_checkpoints(
    lsub: argparse._SubParsersAction[argparse.ArgumentParser],
    add: Callable[[str, str], argparse.ArgumentParser],
) -> None:
    """Add ``log checkpoint`` and ``log keygen``."""
    p = add(
        "checkpoint",
        "verify the log, then sign its head (position, hash, time) with the clinic's private "
        "key into a small file to keep outside the database; `log verify --checkpoint` "
        "later proves the log still extends it. Exit codes as for verify",
    )
    p.add_argument("--key", required=True, metavar="FILE.pem", help="the private key")
    p.add_argument("--out", required=True, metavar="FILE.json", help="the checkpoint file")
    add_force(p)
    p.set_defaults(func=_checkpoint)

    p = lsub.add_parser(
        "keygen",
        help="make the Ed25519 key pair that signs checkpoints",
        description="Make an Ed25519 key pair for signed checkpoints. Keep the private key "
        "(mode 0600) off the database server; give the public key to whoever verifies.",
    )
    p.add_argument(
        "--key", required=True, metavar="FILE.pem", help="where to write the private key"
    )
    p.add_argument(
        "--public-key", required=True, metavar="FILE.pem", help="where to write the public key"
    )
    add_force(p)
    p.set_defaults(func=_keygen)


# ---------------------------------------------------------------------------- helpers


def _open(args: argparse.Namespace, *, write: bool) -> Log:
    return open_db(args.db, write=write)


def _could_not_verify(exc: ExointakeError) -> int:
    print(f"exointake: could not verify: {type(exc).__name__}: {exc}", file=sys.stderr)
    return EXIT_UNVERIFIABLE


def _open_to_verify(args: argparse.Namespace) -> Log | int:
    """The log to verify, or the exit code of one that cannot be opened (4)."""
    try:
        return _open(args, write=False)
    except (StorageError, MigrationRequired, ValidationError) as exc:
        return _could_not_verify(exc)


def _templates(path: str | None) -> Mapping[str, str] | None:
    if path is None:
        return None
    data = read_json_file(path, what="consent templates")
    if not isinstance(data, dict):
        raise ValidationError(
            ["consent_templates: expected an object {template_id: sha256}"],
            what="consent templates",
        )
    errors = [
        f"consent_templates.{key}: expected a SHA-256 (64 lowercase hex digits)"
        for key, value in data.items()
        if not (isinstance(value, str) and _SHA256.fullmatch(value))
    ]
    if errors:
        raise ValidationError(errors, what="consent templates")
    return dict(data)


def _summary(entry: LogEntry) -> str:
    return f"{entry.kind.value} {entry.entry_id} (#{entry.seq}, sha256 {entry.entry_hash[:16]}…)"


# ---------------------------------------------------------------------------- commands


def _administer(args: argparse.Namespace) -> int:
    adm = Administration.from_dict(read_json_file(args.input, what="administration"))
    templates = _templates(args.consent_templates)
    override = None
    if args.override_by is not None or args.override_reason is not None:
        if args.override_by is None or not args.override_reason:
            raise ValidationError(
                ["--override-by and --override-reason: give both (who, and why)"],
                what="override",
            )
        override = GateOverride(by=args.override_by, reason=args.override_reason)
    with _open(args, write=True) as log:
        entry_id = log.administer(adm, override=override, current_consent_templates=templates)
        entry = log.get(entry_id).current
        print(_summary(entry))
        if entry.override is not None:
            bypassed = ", ".join(entry.override.bypassed) or "nothing"
            print(f"  OVERRIDE by {entry.override.by}: bypassed {bypassed}")
    return 0


def _reaction(args: argparse.Namespace) -> int:
    rec = ReactionRecord.from_dict(read_json_file(args.input, what="reaction"))
    with _open(args, write=True) as log:
        entry_id = log.record_reaction(rec)
        entry = log.get(entry_id).current
    grade = entry.grade or {}
    if args.json:
        print_json(entry.to_dict())
    else:
        print(_summary(entry))
        ctcae = grade.get("ctcae") or {}
        print(
            f"  category {grade.get('category') or 'none'}, "
            f"Brighton level {grade.get('brighton_level')}, "
            f"CTCAE {ctcae.get('term')} grade {ctcae.get('grade')}, "
            f"serious {'yes' if grade.get('serious') else 'no'}, "
            f"event {grade.get('event_kind', 'table_reaction')}"
        )
        print(f"  causality (WHO-UMC): {rec.causality.label}")
    if grade.get("category") == "anaphylaxis" or grade.get("serious"):
        what = grade.get("category") or grade.get("event_kind", "table_reaction")
        print(
            f"exointake: ALERT: reaction {entry_id} is {what}"
            f"{' and serious' if grade.get('serious') else ''}; the physician must review it now",
            file=sys.stderr,
        )
    return 0


def _follow_up(args: argparse.Namespace) -> int:
    fu = FollowUp.from_dict(read_json_file(args.input, what="follow-up"))
    with _open(args, write=True) as log:
        entry_id = log.follow_up(fu)
        print(_summary(log.get(entry_id).current))
    return 0


def _consent(args: argparse.Namespace) -> int:
    rec = ConsentRecord.from_dict(read_json_file(args.input, what="consent record"))
    with _open(args, write=True) as log:
        print(f"consent {log.record_consent(rec)} recorded")
    return 0


def _show(args: argparse.Namespace) -> int:
    with _open(args, write=False) as log:
        try:
            view = log.get(args.entry_id)
        except KeyError:
            raise ValidationError(
                [f"entry_id: no entry {args.entry_id} in this log"], what="arguments"
            ) from None
    print_json({"current": view.current.to_dict(), "history": [e.to_dict() for e in view.history]})
    return 0


def _verify(args: argparse.Namespace) -> int:
    from ..log import Checkpoint, load_public_key

    if args.checkpoint and args.public_key is None:
        raise ValidationError(
            [
                "--public-key: required with --checkpoint (the key you keep, not one sent "
                "with the checkpoints)"
            ],
            what="arguments",
        )
    public_key = None if args.public_key is None else load_public_key(Path(args.public_key))
    checkpoints = [Checkpoint.from_json(Path(path)) for path in args.checkpoint or ()]
    if public_key is not None:  # a forged or altered checkpoint is bad input (2)
        for cp in checkpoints:
            cp.check_signature(public_key)
    log = _open_to_verify(args)
    if isinstance(log, int):
        return log
    with log:
        try:
            report = log.verify(checkpoints=checkpoints, public_key=public_key)
        except StorageError as exc:
            return _could_not_verify(exc)
    if args.json:
        print_json(report.to_dict())
    elif report.ok:
        extends = f"; extends {report.checkpoints} checkpoint(s)" if report.checkpoints else ""
        print(
            f"ok: {report.entries} entries, chain head #{report.head_seq} "
            f"sha256 {report.head_hash}{extends}"
        )
    else:
        where = f"entry {report.broken_entry_id} (#{report.broken_seq})"
        if report.broken_entry_id is None:
            where = "the chain head"
        print(f"BROKEN at {where}: {report.problem}")
        print(f"  {report.entries} entries verified before it")
    return EXIT_OK if report.ok else EXIT_BROKEN


def _checkpoint(args: argparse.Namespace) -> int:
    from .. import LogIntegrityError
    from ..log import load_private_key

    files = outputs(args, args.key, sqlite_file(args.db))
    out = files.claim(args.out, flag="--out")
    key = load_private_key(Path(args.key))
    log = _open_to_verify(args)
    if isinstance(log, int):
        return log
    with log:
        try:
            checkpoint = log.checkpoint(key)
        except StorageError as exc:
            return _could_not_verify(exc)
        except LogIntegrityError as exc:
            print(f"BROKEN: {exc}; no checkpoint signed", file=sys.stderr)
            return EXIT_BROKEN
    files.write(out, checkpoint.to_json(), flag="--out")
    print(
        f"checkpoint of entry #{checkpoint.seq} sha256 {checkpoint.entry_hash} signed at "
        f"{checkpoint.signed_at}: {out}"
    )
    return EXIT_OK


def _keygen(args: argparse.Namespace) -> int:
    from ..log import generate_signing_key

    files = outputs(args)
    key = files.claim(args.key, flag="--key")
    public = files.claim(args.public_key, flag="--public-key")
    private_pem, public_pem = generate_signing_key()
    try:
        files.write(key, private_pem, flag="--key")
        files.write(public, public_pem, flag="--public-key", mode=0o644)
    except BaseException:
        files.undo()
        raise
    print(f"private key (keep it off the database server): {key}")
    print(f"public key (for whoever verifies): {public}")
    return EXIT_OK


def _recall(args: argparse.Namespace) -> int:
    with _open(args, write=False) as log:
        recall = log.recall(args.lot)
    if args.json:
        print_json(recall.to_dict())
        return 0
    print(
        f"lot {recall.lot}: {len(recall.administrations)} administrations, "
        f"{len(recall.patient_ids)} patients, {len(recall.reactions)} reactions, "
        f"{len(recall.infections)} infections"
    )
    for e in recall.administrations:
        adm = e.record
        print(
            f"  {e.entry_id}  {adm.administered_at.astimezone(JST).isoformat()}  "
            f"patient {adm.patient_id}  "
            f"{adm.route.value}"
        )
    for e in recall.reactions:
        grade = e.grade or {}
        print(
            f"  reaction {e.entry_id} after {e.record.administration_id}: "
            f"{grade.get('category') or 'no category'}, "
            f"{grade.get('event_kind', 'table_reaction')}"
            f"{' serious' if grade.get('serious') else ''}"
        )
    return 0


def _report(args: argparse.Namespace) -> int:
    since = None if args.since is None else parse_date(args.since, "--since")
    until = None if args.until is None else parse_date(args.until, "--until")
    if since is not None and until is not None and since > until:
        raise ValidationError(
            [f"--since: expected a day on or before --until ({until.isoformat()})"],
            what="options",
        )
    with _open(args, write=False) as log:
        report = log.rates(since=since, until=until)
    if args.json:
        print_json(report.to_dict())
    else:
        print(render_report(report))
    return 0


def render_report(report: RateReport) -> str:
    """The rate report as a text table."""
    lines = [
        f"reaction rates per 1,000 administrations, {_period(report)}",
        f"total: {report.administrations} administrations, {report.reactions} reactions, "
        f"{_fmt(report.per_1000)} per 1,000",
        "",
        f"{'dimension':<10} {'value':<24} {'adm.':>9} {'react.':>7} {'/1000':>8} "
        f"{'local':>7} {'allergy':>8} {'anaph.':>7} {'infect.':>8} {'needle':>7}",
    ]
    for row in report.rows:
        rates = row.per_1000_by_category
        events = row.per_1000_by_event
        lines.append(
            f"{row.dimension:<10} {row.value:<24} {row.administrations:>9} {row.reactions:>7} "
            f"{_fmt(row.per_1000):>8} {_fmt(rates.get('local')):>7} "
            f"{_fmt(rates.get('allergy')):>8} {_fmt(rates.get('anaphylaxis')):>7} "
            f"{_fmt(events.get('infection')):>8} {_fmt(events.get('needle_related')):>7}"
        )
    return "\n".join(lines)


def _period(report: RateReport) -> str:
    """Which administrations the report counts, saying no more than the bounds asked for.

    Without ``--until`` every administration on or after ``--since`` counts, including
    any dated later than today, so the label never claims an end such as "now".
    """
    since, until = report.since, report.until
    if since is None and until is None:
        return "all administrations"
    if until is None:
        return f"administrations on or after {since} (JST)"
    if since is None:
        return f"administrations on or before {until} (JST)"
    return f"administrations {since} .. {until} (JST)"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _migrate(args: argparse.Namespace) -> int:
    from .. import migrate_log

    before, after = migrate_log(args.db)
    if before == after:
        print(f"already at revision {after}")
    else:
        print(f"migrated from {before or 'an empty database'} to revision {after}")
    return 0


def demo_log(
    log: Log,
    screened: Iterable[tuple[str, str, ScreeningResult]],
    *,
    on: dt.date,
    consents: Mapping[str, str],
) -> None:
    """``exointake demo``'s log step: record screenings, administer, log a reaction, verify.

    ``consents`` maps patient id to the consent id recorded for them. A physician_review
    finding gets a recorded review; every administration goes through the log's safety
    gate, which refuses the patient whose screening does not allow treatment; a second
    vial whose cold chain failed is refused, then let through with a recorded override.
    """
    when = dt.datetime.combine(on, dt.time(10, 0), tzinfo=JST)
    templates = current_templates()
    log.on_alert(
        lambda a: print(
            f"  ALERT (callback): reaction {a.reaction_id[:12]}… is "
            f"{a.category or a.event_kind}{' and serious' if a.serious else ''}"
        )
    )
    given: list[tuple[str, Administration]] = []
    for n, (patient_id, _birth, result) in enumerate(screened, 1):
        log.record_screening(ScreeningRecord.from_result(result, patient_id=patient_id))
        if result.decision is Decision.PHYSICIAN_REVIEW:
            log.record_review(
                PhysicianReview(
                    review_id=f"RV-{patient_id}",
                    patient_id=patient_id,
                    screening_result_ids=(result.result_id,),
                    findings=tuple(f.rule_id for f in result.findings),
                    decision=ReviewDecision.PROCEED,
                    reviewed_by="DR-DEMO",
                    reviewed_at=when,
                    reason="demo: the physician checked the answers with the patient",
                )
            )
            print(f"patient {patient_id}: physician review recorded (proceed)")
        adm = Administration(
            patient_id=patient_id,
            administered_at=when + dt.timedelta(minutes=30 * n),
            route=result.route,
            site="left forearm" if result.route is Route.IV_DRIP else "face",
            volume_ml=Decimal("100") if result.route is Route.IV_DRIP else Decimal("2"),
            product=Product(
                origin=Origin.UMBILICAL_CORD,
                maker="Example Bio K.K.",
                sourcing=Sourcing.DOMESTIC,
                concentration="1.0e10 particles/mL",
                lot="UC-DEMO-001",
            ),
            storage_check=StorageCheck(cold_chain_ok=True, checked_by="NS-DEMO"),
            physician_id="DR-DEMO",
            screening_result_id=result.result_id,
            consent_id=consents.get(patient_id, f"C-NONE-{patient_id}"),
        )
        try:
            adm_id = log.administer(adm, current_consent_templates=templates)
        except AdministrationRefused as refused:
            print(f"patient {patient_id}: REFUSED by the gate: {', '.join(refused.failures)}")
            continue
        given.append((adm_id, adm))
        print(f"patient {patient_id}: administration {adm_id[:12]}… ({adm.route.value})")
    if given:
        # A second vial whose cold-chain check failed: refused, then let through by the
        # physician with a recorded override (stored with the entry, shown in reports).
        _, base_adm = given[0]
        spoiled = attrs.evolve(
            base_adm,
            administered_at=base_adm.administered_at + dt.timedelta(minutes=5),
            storage_check=StorageCheck(cold_chain_ok=False, checked_by="NS-DEMO"),
        )
        try:
            log.administer(spoiled, current_consent_templates=templates)
        except AdministrationRefused as refused:
            print(
                f"patient {spoiled.patient_id}: second vial REFUSED by the gate: "
                f"{', '.join(refused.failures)}"
            )
        override = GateOverride(by="DR-DEMO", reason="demo: the maker re-certified the vial")
        entry = log.get(
            log.administer(spoiled, current_consent_templates=templates, override=override)
        ).current
        assert entry.override is not None
        print(
            f"patient {spoiled.patient_id}: second vial administered with an OVERRIDE by "
            f"{entry.override.by} (bypassed {', '.join(entry.override.bypassed)})"
        )
    if given:
        adm_id, adm = given[0]
        entry, grade = _demo_reaction(
            log,
            adm_id,
            adm,
            after=dt.timedelta(minutes=20),
            causality=Causality.PROBABLE,
            data={
                "symptoms": ["redness", "swelling"],
                "onset_minutes": 20,
                "interventions": [],
                "hospitalization": False,
                "outcome": "recovered",
                "rapid_progression": False,
                "life_threatening": False,
                "prolonged": False,
                "disability": False,
                "congenital_anomaly": False,
                "medically_important": False,
            },
        )
        print(
            f"patient {adm.patient_id}: reaction {entry.entry_id[:12]}… graded "
            f"{grade.get('category')}, CTCAE {grade['ctcae']['term']} "
            f"grade {grade['ctcae']['grade']}"
        )
        # A site infection two days later: an event outside the article's table.
        adm_id, adm = given[-1]
        entry, grade = _demo_reaction(
            log,
            adm_id,
            adm,
            after=dt.timedelta(days=2),
            causality=Causality.POSSIBLE,
            data={
                "symptoms": ["cellulitis", "fever"],
                "temperature_c": "38.4",
                "onset_minutes": 2 * 24 * 60,
                "interventions": ["oral"],
                "hospitalization": False,
                "outcome": "recovering",
                "life_threatening": False,
                "disability": False,
                "congenital_anomaly": False,
                "medically_important": False,
            },
        )
        print(
            f"patient {adm.patient_id}: reaction {entry.entry_id[:12]}… graded "
            f"{grade.get('event_kind')} (no article category), CTCAE {grade['ctcae']['term']} "
            f"grade {grade['ctcae']['grade']}; causality {Causality.POSSIBLE.label}"
        )
    recall = log.recall("UC-DEMO-001")
    print(
        f"recall of lot UC-DEMO-001: patients {', '.join(recall.patient_ids) or 'none'}, "
        f"{len(recall.infections)} infection(s)"
    )
    report = log.verify()
    print(f"log: {report.entries} entries, verify ok={report.ok}, head {report.head_hash}")


def _demo_reaction(
    log: Log,
    adm_id: str,
    adm: Administration,
    *,
    after: dt.timedelta,
    causality: Causality,
    data: Mapping[str, object],
) -> tuple[LogEntry, Mapping[str, Any]]:
    """Record the demo's reaction ``data`` ``after`` the administration; its entry and grade."""
    record = ReactionRecord(
        administration_id=adm_id,
        onset=adm.administered_at + after,
        reaction=Reaction.from_dict(data),
        causality=causality,
        reporter="NS-DEMO",
    )
    entry = log.get(log.record_reaction(record)).current
    return entry, entry.grade or {}
