"""``exointake log``: append to, query and verify the reaction log.

Every sub-command takes ``--db URL`` (an SQLAlchemy URL or an SQLite file path; default
``exointake.db`` in the current folder) and ``--lang ja|en`` (default ``ja``, as every
staff command: the words are the ``log.*`` groups of the bundled labels, see
:func:`exointake.grading.load_labels`). The staff queries (``history``, ``serious``,
``follow-ups``, ``administrations``) print one page (``--limit``, default 100) and the
``--after`` cursor of the next. Exit codes: 0 done, 1 the log does not verify (or does not
extend a signed checkpoint), 2 bad input (or a database that needs ``exointake log
migrate``, or that cannot be used), 3 refused by the safety gate, 4 the log could not be
verified at all (``verify`` and ``checkpoint``: no database there, not a log, unreadable).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import unicodedata
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
    Lang,
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
from ..grading import Labels, load_labels
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
from ._screen import decision_label, screen_file
from ._util import (
    add_force,
    add_group,
    add_lang,
    open_db,
    outputs,
    print_json,
    read_json_file,
    sqlite_file,
)

if TYPE_CHECKING:
    from .. import Log
    from ..log import Alert, LogEntry, Page, RateReport, Recall, VerifyReport

__all__ = ["DEFAULT_DB", "demo_log", "register"]

DEFAULT_DB = "exointake.db"
_SHA256 = re.compile("[0-9a-f]{64}")
_PAGE_MAX = 1000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``log`` and its sub-commands."""
    lsub = add_group(
        sub,
        "log",
        help="the reaction log: administer, reaction, review, screening, amend, history, "
        "serious, follow-ups, administrations, verify, recall, report, migrate",
        description="Append administrations and reactions to a tamper-evident log, "
        "query it and verify its hash chain.",
    )
    _register_appends(lsub)
    _register_queries(lsub)


def _add(
    lsub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_: str,
    *,
    json_: bool = True,
) -> argparse.ArgumentParser:
    """A ``log`` sub-command with the options every one takes."""
    p = lsub.add_parser(name, help=help_, description=help_)
    p.add_argument(
        "--db",
        default=DEFAULT_DB,
        metavar="URL",
        help="database URL (sqlite:///clinic.db, postgresql+psycopg://…) or SQLite "
        f"file path (default: {DEFAULT_DB})",
    )
    _lang_option(p)
    if json_:
        p.add_argument("--json", action="store_true", help="print the result as JSON")
    return p


def _lang_option(p: argparse.ArgumentParser) -> None:
    add_lang(p, help="language of the output for staff (default: ja)")


def _paged(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--limit",
        type=int,
        default=100,
        metavar="N",
        help=f"at most N entries (1 to {_PAGE_MAX:,}; default 100)",
    )
    p.add_argument(
        "--after", metavar="CURSOR", help="the cursor a previous page printed (next page)"
    )


def _override_options(p: argparse.ArgumentParser) -> None:
    """The options of a command that goes through the safety gate."""
    p.add_argument(
        "--consent-templates",
        metavar="FILE.json",
        help='{"template_id": "sha256", …} of the consent templates in force (default: the '
        "newest bundled template); refuse (exit 3) when the administration's consent was "
        "given on another one",
    )
    p.add_argument(
        "--override-by",
        metavar="ID",
        help="who lets the administration past the safety gate (recorded with it); the "
        "only way past when its screening, review or consent chain is incomplete "
        "(else exit 3)",
    )
    p.add_argument(
        "--override-reason",
        metavar="TEXT",
        help="why (required with --override-by; stored, never printed)",
    )


def _register_appends(lsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = _add(lsub, "administer", "append an administration read from a JSON file")
    p.add_argument("--input", required=True, metavar="FILE.json")
    _override_options(p)
    p.set_defaults(func=_administer)

    p = _add(lsub, "reaction", "grade and append a reaction read from a JSON file")
    p.add_argument("--input", required=True, metavar="FILE.json")
    p.set_defaults(func=_reaction)

    p = _add(lsub, "follow-up", "append a follow-up of a reaction read from a JSON file")
    p.add_argument("--input", required=True, metavar="FILE.json")
    p.set_defaults(func=_follow_up)

    p = _add(lsub, "consent", "record a rendered consent (hashes, template) read from a JSON file")
    p.add_argument("--input", required=True, metavar="FILE.json")
    p.set_defaults(func=_consent)

    p = _add(
        lsub,
        "screening",
        "record a screening: answers screened now for --route, a stored result "
        "(exointake screen --json) or a screening record, read from a JSON file",
    )
    p.add_argument("--input", required=True, metavar="FILE.json")
    p.add_argument("--patient", metavar="ID", help="the patient (unless the file is a record)")
    p.add_argument(
        "--route", choices=[r.value for r in Route], help="the route (for answers: required)"
    )
    p.add_argument("--questionnaire", metavar="FILE.json", help="as for exointake screen")
    p.add_argument("--ruleset", metavar="FILE.json", help="as for exointake screen")
    p.add_argument("--on", metavar="DATE", help="screening day (default: today in Japan)")
    p.set_defaults(func=_screening)

    p = _add(lsub, "review", "record a physician's review of screenings read from a JSON file")
    p.add_argument("--input", required=True, metavar="FILE.json")
    p.set_defaults(func=_review)

    p = _add(
        lsub,
        "amend",
        "correct an administration, reaction or follow-up: append a new version read from "
        "a JSON file (an administration goes through the safety gate again)",
    )
    p.add_argument("entry_id", metavar="ENTRY", help="the current version's entry id")
    p.add_argument("--input", required=True, metavar="FILE.json")
    p.add_argument("--reason", required=True, help="why (stored, never printed)")
    p.add_argument("--by", required=True, metavar="ID", help="who corrects it")
    _override_options(p)
    p.set_defaults(func=_amend)


def _register_queries(lsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = _add(lsub, "show", "print an entry's current version and its history as JSON", json_=False)
    p.add_argument("entry_id")
    p.set_defaults(func=_show)

    p = _add(
        lsub,
        "history",
        "everything recorded for a patient, in the order it was recorded: screenings, "
        "reviews, consents, withdrawals, administrations, reactions, follow-ups",
    )
    p.add_argument("--patient", required=True, metavar="ID")
    _paged(p)
    p.set_defaults(func=_history)

    p = _add(lsub, "serious", "reactions graded anaphylaxis or serious, oldest first")
    _paged(p)
    p.set_defaults(func=_serious)

    p = _add(lsub, "follow-ups", "follow-ups: each reaction's latest one while it is still open")
    p.add_argument("--open", action="store_true", required=True, help="the open ones (required)")
    _paged(p)
    p.set_defaults(func=_follow_ups)

    p = _add(
        lsub,
        "administrations",
        "administrations in the order they were recorded, by period, physician and lot",
    )
    p.add_argument("--since", metavar="DATE", help="first administration date (JST), inclusive")
    p.add_argument("--until", metavar="DATE", help="last administration date (JST), inclusive")
    p.add_argument("--physician", metavar="ID", help="who administered (physician_id)")
    p.add_argument("--lot", help="a lot number (matched as recall matches it)")
    p.add_argument(
        "--overridden",
        action="store_true",
        help="only those let past the safety gate by a recorded override",
    )
    _paged(p)
    p.set_defaults(func=_administrations)

    p = _add(
        lsub,
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
    p.set_defaults(func=_verify)

    _register_checkpoints(lsub)

    p = _add(
        lsub,
        "recall",
        "every administration and reaction of a lot (case, surrounding spaces and "
        "full-width characters ignored)",
    )
    p.add_argument("--lot", required=True)
    p.set_defaults(func=_recall)

    p = _add(lsub, "report", "reactions per 1,000 administrations by route, origin and lot")
    p.add_argument("--since", metavar="DATE", help="first administration date (JST), inclusive")
    p.add_argument("--until", metavar="DATE", help="last administration date (JST), inclusive")
    p.set_defaults(func=_report)

    p = _add(
        lsub,
        "migrate",
        "create the log's tables or upgrade them to this exointake's schema",
        json_=False,
    )
    p.set_defaults(func=_migrate)


def _register_checkpoints(lsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``log checkpoint`` and ``log keygen``."""
    p = _add(
        lsub,
        "checkpoint",
        "verify the log, then sign its head (position, hash, time) with the clinic's private "
        "key into a small file to keep outside the database; `log verify --checkpoint` "
        "later proves the log still extends it. Exit codes as for verify",
        json_=False,
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
    _lang_option(p)
    add_force(p)
    p.set_defaults(func=_keygen)


# ---------------------------------------------------------------------------- helpers


class _Words:
    """The ``log.*`` groups of the bundled labels, in the language asked for."""

    def __init__(self, lang: str) -> None:
        self.lang = Lang(lang)
        self.labels: Labels = load_labels()

    def __call__(self, key: str, /, **values: object) -> str:
        """The sentence ``key`` of ``log.words`` with ``values`` filled in."""
        text = self.labels.text("log.words", key, self.lang)
        return text.format(**values) if values else text

    def label(self, group: str, code: object) -> str:
        """The label of a code in ``log.<group>``, or the code itself when there is none
        (a value added after this version of the labels)."""
        texts = self.labels.groups.get(f"log.{group}", {})
        return texts[str(code)].get(self.lang) if str(code) in texts else str(code)

    def kind(self, kind: str) -> str:
        """An entry kind's label (``EntryKind`` is a ``str`` enum: its value)."""
        return self.label("kinds", str(kind))

    def event(self, grade: Mapping[str, Any]) -> str:
        """A grade's category label as it was graded (the row's, or the event kind's when
        there is no row), else its code."""
        label = grade.get("category_label")
        if isinstance(label, Mapping) and label.get(self.lang.value):
            return str(label[self.lang.value])
        return str(grade.get("category") or grade.get("event_kind", "table_reaction"))


def _open(args: argparse.Namespace, *, write: bool) -> Log:
    """The log at ``--db`` (see :func:`open_db`), with the gate's consent templates from
    ``--consent-templates`` where the command takes it."""
    templates = _templates(getattr(args, "consent_templates", None))
    return open_db(args.db, write=write, current_consent_templates=templates)


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


def _override(args: argparse.Namespace) -> GateOverride | None:
    if args.override_by is None and args.override_reason is None:
        return None
    if args.override_by is None or not args.override_reason:
        raise ValidationError(
            ["--override-by and --override-reason: give both (who, and why)"],
            what="override",
        )
    return GateOverride(by=args.override_by, reason=args.override_reason)


def _page_args(args: argparse.Namespace) -> dict[str, Any]:
    if not 1 <= args.limit <= _PAGE_MAX:
        raise ValidationError(
            [f"--limit: expected a whole number from 1 to {_PAGE_MAX:,}, got {args.limit}"],
            what="options",
        )
    return {"limit": args.limit, "after": args.after}


def _date_options(args: argparse.Namespace) -> tuple[dt.date | None, dt.date | None]:
    since = None if args.since is None else parse_date(args.since, "--since")
    until = None if args.until is None else parse_date(args.until, "--until")
    if since is not None and until is not None and since > until:
        raise ValidationError(
            [f"--since: expected a day on or before --until ({until.isoformat()})"],
            what="options",
        )
    return since, until


def _summary(entry: LogEntry, w: _Words) -> str:
    return w(
        "summary",
        kind=w.kind(entry.kind),
        entry_id=entry.entry_id,
        seq=entry.seq,
        hash=entry.entry_hash[:16],
    )


def _override_line(entry: LogEntry, w: _Words) -> str | None:
    o = entry.override
    if o is None:
        return None
    return w("override", by=o.by, bypassed=", ".join(o.bypassed) or w("nothing"))


def _print_entry(entry: LogEntry, w: _Words) -> None:
    print(_summary(entry, w))
    line = _override_line(entry, w)
    if line is not None:
        print("  " + line)


def _jst(moment: dt.datetime) -> str:
    return moment.astimezone(JST).strftime("%Y-%m-%d %H:%M")


def _when(entry: LogEntry) -> str:
    """When the recorded event happened (JST), else when it was recorded."""
    rec = entry.record
    for name in ("administered_at", "onset", "on", "reviewed_at", "rendered_at", "withdrawn_at"):
        moment = getattr(rec, name, None)
        if isinstance(moment, dt.datetime):
            return _jst(moment)
    if isinstance(rec, ScreeningRecord):
        return f"{rec.result.get('screened_on', '')}      "
    return _jst(entry.recorded_at)


def _details(entry: LogEntry, w: _Words) -> str:
    rec = entry.record
    kind = entry.kind
    if kind == "administration":
        text = w(
            "line.administration",
            patient=rec.patient_id,
            route=rec.route.value,
            lot=rec.product.lot,
            physician=rec.physician_id,
        )
    elif kind == "reaction":
        grade = entry.grade or {}
        text = w(
            "line.reaction",
            administration=rec.administration_id[:12],
            event=w.event(grade),
            serious=w("serious_mark") if grade.get("serious") else "",
        )
    elif kind == "follow_up":
        text = w(
            "line.follow_up",
            reaction=rec.reaction_id[:12],
            status=w.label("follow_up_status", rec.status.value),
            due="" if rec.due_on is None else w("due", day=rec.due_on.isoformat()),
        )
    elif kind == "screening":
        text = w(
            "line.screening",
            result=rec.result_id[:12],
            route=rec.result.get("route", ""),
            decision=decision_label(Decision(rec.decision), w.lang),
        )
    elif kind == "review":
        text = w(
            "line.review",
            review=rec.review_id,
            by=rec.reviewed_by,
            decision=w.label("review_decisions", rec.decision.value),
            override=w("review_override") if rec.override else "",
        )
    elif kind == "consent":
        text = w(
            "line.consent",
            consent=rec.consent_id,
            template=f"{rec.template_id} v{rec.template_version}",
            routes="|".join(r.value for r in rec.routes) or "-",
        )
    else:
        text = w("line.withdrawal", consent=rec.consent_id, by=rec.recorded_by)
    if entry.amendment is not None:
        text += " " + w("amended")
    line = _override_line(entry, w)
    if line is not None:
        text += f" [{line}]"
    return text


def render_page(page: Page, w: _Words, *, heading: str) -> str:
    """A page of entries as a text table, with the cursor of the next page."""
    lines = [heading]
    for e in page:
        lines.append(
            f"  #{e.seq:<7} {_when(e)}  {_ljust(w.kind(e.kind), 14)} {e.root_id[:12]}  "
            f"{_details(e, w)}"
        )
    if not page.entries:
        lines.append("  " + w("none_found"))
    if page.next_cursor is not None:
        lines.append(w("more", cursor=page.next_cursor))
    return "\n".join(lines)


def _print_page(args: argparse.Namespace, page: Page, heading: str) -> int:
    if args.json:
        print_json(page.to_dict())
    else:
        print(render_page(page, _Words(args.lang), heading=heading))
    return 0


# ---------------------------------------------------------------------------- appends


def _administer(args: argparse.Namespace) -> int:
    adm = Administration.from_dict(read_json_file(args.input, what="administration"))
    override = _override(args)
    with _open(args, write=True) as log:
        entry_id = log.administer(adm, override=override)
        entry = log.get(entry_id).current
    if args.json:
        print_json(entry.to_dict())
    else:
        _print_entry(entry, _Words(args.lang))
    return 0


def _reaction(args: argparse.Namespace) -> int:
    rec = ReactionRecord.from_dict(read_json_file(args.input, what="reaction"))
    w = _Words(args.lang)
    with _open(args, write=True) as log:
        log.on_alert(_alert_printer(log, w))
        entry_id = log.record_reaction(rec)
        entry = log.get(entry_id).current
    grade = entry.grade or {}
    if args.json:
        print_json(entry.to_dict())
        return 0
    print(_summary(entry, w))
    ctcae = grade.get("ctcae") or {}
    print(
        "  "
        + w(
            "reaction.grade",
            category=w.event(grade),
            level=grade.get("brighton_level"),
            term=ctcae.get("term"),
            ctcae_grade=ctcae.get("grade"),
            serious=w("yes") if grade.get("serious") else w("no"),
        )
    )
    print("  " + w("reaction.causality", label=w.label("causality", rec.causality.value)))
    return 0


def _alert_printer(log: Log, w: _Words) -> Callable[[Alert], None]:
    """An alert callback printing the ALERT line on stderr (the log decides when to alert:
    a new serious reaction, or an amendment that changed its seriousness or category)."""

    def show(alert: Alert) -> None:
        print(
            w(
                "alert",
                entry_id=alert.entry_id,
                event=w.event(log.get(alert.entry_id).current.grade or {}),
                serious=w("alert_serious") if alert.serious else "",
            ),
            file=sys.stderr,
        )

    return show


def _follow_up(args: argparse.Namespace) -> int:
    fu = FollowUp.from_dict(read_json_file(args.input, what="follow-up"))
    with _open(args, write=True) as log:
        entry = log.get(log.follow_up(fu)).current
    if args.json:
        print_json(entry.to_dict())
    else:
        _print_entry(entry, _Words(args.lang))
    return 0


def _consent(args: argparse.Namespace) -> int:
    rec = ConsentRecord.from_dict(read_json_file(args.input, what="consent record"))
    with _open(args, write=True) as log:
        consent_id = log.record_consent(rec)
    if args.json:
        print_json({"consent_id": consent_id})
    else:
        print(_Words(args.lang)("consent_recorded", consent_id=consent_id))
    return 0


def _screening_record(args: argparse.Namespace) -> ScreeningRecord:
    """The record to store: the file as a record, a stored result, or answers screened now."""
    data = read_json_file(args.input, what="screening")
    if isinstance(data, Mapping) and "result" in data and "result_id" in data:
        if args.patient is not None or args.route is not None:
            raise ValidationError(
                ["--patient, --route: the file is a screening record, which names both"],
                what="options",
            )
        return ScreeningRecord.from_dict(data)
    if args.patient is None:
        raise ValidationError(["--patient: expected the patient's id"], what="options")
    if isinstance(data, Mapping) and "findings" in data and "decision" in data:
        result = ScreeningResult.from_dict(data)
        if args.route is not None and result.route.value != args.route:
            raise ValidationError(
                [f"--route: the result is for {result.route.value}, not {args.route}"],
                what="options",
            )
        return ScreeningRecord.from_result(result, patient_id=args.patient)
    if args.route is None:
        raise ValidationError(
            ["--route: expected the route the answers are screened for"], what="options"
        )
    answers, result = screen_file(
        args.input,
        Route(args.route),
        questionnaire=args.questionnaire,
        ruleset=args.ruleset,
        on=args.on,
    )
    return ScreeningRecord.from_result(result, patient_id=args.patient, answers=answers)


def _screening(args: argparse.Namespace) -> int:
    record = _screening_record(args)
    with _open(args, write=True) as log:
        log.record_screening(record)
    if args.json:
        print_json(record.to_dict())
        return 0
    w = _Words(args.lang)
    print(
        w(
            "screening_recorded",
            result_id=record.result_id,
            patient=record.patient_id,
            route=record.result.get("route", ""),
            decision=decision_label(Decision(record.decision), w.lang),
        )
    )
    return 0


def _review(args: argparse.Namespace) -> int:
    review = PhysicianReview.from_dict(read_json_file(args.input, what="review"))
    with _open(args, write=True) as log:
        log.record_review(review)
    if args.json:
        print_json(review.to_dict())
        return 0
    w = _Words(args.lang)
    print(
        w(
            "review_recorded",
            review_id=review.review_id,
            by=review.reviewed_by,
            decision=w.label("review_decisions", review.decision.value),
            override=w("review_override") if review.override else "",
        )
    )
    return 0


_AMENDABLE: Mapping[str, Any] = {  # EntryKind values (the log module loads SQLAlchemy)
    "administration": Administration,
    "reaction": ReactionRecord,
    "follow_up": FollowUp,
}


def _amend(args: argparse.Namespace) -> int:
    data = read_json_file(args.input, what="amendment")
    override = _override(args)
    w = _Words(args.lang)
    with _open(args, write=True) as log:
        try:
            kind = log.get(args.entry_id).current.kind
        except KeyError:
            raise ValidationError(
                [f"entry_id: no entry {args.entry_id} in this log"], what="arguments"
            ) from None
        cls = _AMENDABLE.get(kind)
        if cls is None:
            raise ValidationError(
                [f"entry_id: a {kind.value} entry cannot be amended"], what="arguments"
            )
        if override is not None and kind != "administration":
            raise ValidationError(
                ["--override-by: only an administration goes through the safety gate"],
                what="options",
            )
        record = cls.from_dict(data)
        log.on_alert(_alert_printer(log, w))
        new_id = log.amend(
            args.entry_id, record, reason=args.reason, amended_by=args.by, override=override
        )
        entry = log.get(new_id).current
    if args.json:
        print_json(entry.to_dict())
    else:
        _print_entry(entry, w)
    return 0


# ---------------------------------------------------------------------------- queries


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


def _history(args: argparse.Namespace) -> int:
    paging = _page_args(args)
    with _open(args, write=False) as log:
        page = log.history_page(args.patient, **paging)
    w = _Words(args.lang)
    return _print_page(args, page, w("heading.history", patient=args.patient))


def _serious(args: argparse.Namespace) -> int:
    paging = _page_args(args)
    with _open(args, write=False) as log:
        page = log.serious_cases_page(**paging)
    return _print_page(args, page, _Words(args.lang)("heading.serious"))


def _follow_ups(args: argparse.Namespace) -> int:
    paging = _page_args(args)
    with _open(args, write=False) as log:
        page = log.open_follow_ups_page(**paging)
    return _print_page(args, page, _Words(args.lang)("heading.follow_ups"))


def _administrations(args: argparse.Namespace) -> int:
    paging = _page_args(args)
    since, until = _date_options(args)
    with _open(args, write=False) as log:
        page = log.administrations_page(
            since=since,
            until=until,
            physician=args.physician,
            lot=args.lot,
            overridden=args.overridden,
            **paging,
        )
    w = _Words(args.lang)
    filters = [
        w(key, value=value)
        for key, value in (
            ("filter.since", since),
            ("filter.until", until),
            ("filter.physician", args.physician),
            ("filter.lot", args.lot),
        )
        if value is not None
    ]
    if args.overridden:
        filters.append(w("filter.overridden"))
    heading = w("heading.administrations", filters="; ".join(filters) or w("filter.all"))
    return _print_page(args, page, heading)


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
    else:
        print(render_verify(report, _Words(args.lang)))
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
        _Words(args.lang)(
            "checkpoint.signed",
            seq=checkpoint.seq,
            hash=checkpoint.entry_hash,
            at=checkpoint.signed_at,
            out=out,
        )
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
    w = _Words(args.lang)
    print(w("keygen.private", path=key))
    print(w("keygen.public", path=public))
    return EXIT_OK


def render_verify(report: VerifyReport, w: _Words) -> str:
    """The verify report as text: ``ok: …`` or ``BROKEN …`` (the same tokens in every
    language, for scripts), then the details."""
    if report.ok:
        ok = w("verify.ok", entries=report.entries, seq=report.head_seq, hash=report.head_hash)
        if report.checkpoints:
            ok += w("verify.extends", checkpoints=report.checkpoints)
        return ok
    where = (
        w("verify.head")
        if report.broken_entry_id is None
        else w("verify.entry", entry_id=report.broken_entry_id, seq=report.broken_seq)
    )
    return "\n".join(
        [
            w("verify.broken", where=where, problem=report.problem),
            "  " + w("verify.before", entries=report.entries),
        ]
    )


def _recall(args: argparse.Namespace) -> int:
    with _open(args, write=False) as log:
        recall = log.recall(args.lot)
    if args.json:
        print_json(recall.to_dict())
    else:
        print(render_recall(recall, _Words(args.lang)))
    return 0


def render_recall(recall: Recall, w: _Words) -> str:
    """A lot recall as text, saying which stored lots matched and what was normalised."""
    lines = [
        w(
            "recall.heading",
            lot=f'"{recall.lot}"' if recall.normalised else recall.lot,
            administrations=len(recall.administrations),
            patients=len(recall.patient_ids),
            reactions=len(recall.reactions),
            infections=len(recall.infections),
        )
    ]
    if recall.normalised:
        lines.append(
            "  "
            + w(
                "recall.normalised",
                lots=", ".join(recall.matched_lots),
                ignored=w("list_sep").join(w.label("normalised", n) for n in recall.normalised),
            )
        )
    elif not recall.matched_lots:
        lines.append("  " + w("recall.no_match"))
    if len(recall.matched_lots) > 1 and not recall.normalised:
        lines.append("  " + w("recall.matched", lots=", ".join(recall.matched_lots)))
    for e in recall.administrations:
        adm = e.record
        lines.append(
            "  "
            + w(
                "recall.administration",
                entry_id=e.entry_id,
                at=adm.administered_at.astimezone(JST).isoformat(),
                patient=adm.patient_id,
                route=adm.route.value,
                lot=adm.product.lot,
            )
        )
        line = _override_line(e, w)
        if line is not None:
            lines.append("    " + line)
    for e in recall.reactions:
        grade = e.grade or {}
        lines.append(
            "  "
            + w(
                "recall.reaction",
                entry_id=e.entry_id,
                administration_id=e.record.administration_id,
                event=w.event(grade),
                serious=w("serious_mark") if grade.get("serious") else "",
            )
        )
    return "\n".join(lines)


def _report(args: argparse.Namespace) -> int:
    since, until = _date_options(args)
    with _open(args, write=False) as log:
        report = log.rates(since=since, until=until)
        overridden = None
        if not args.json:
            overridden = log.administrations_page(
                since=since, until=until, overridden=True, limit=_PAGE_MAX
            )
    if args.json:
        print_json(report.to_dict())
    else:
        print(render_report(report, _Words(args.lang), overridden=overridden))
    return 0


def render_report(report: RateReport, w: _Words, *, overridden: Page | None = None) -> str:
    """The rate report as a text table; with ``overridden`` (a page of the period's
    administrations let past the safety gate), a line saying how many there were."""
    lines = [
        w("report.heading", period=_period(report, w)),
        w(
            "report.total",
            administrations=report.administrations,
            reactions=report.reactions,
            rate=_fmt(report.per_1000),
        ),
    ]
    if overridden is not None and overridden.entries:
        count = f"{len(overridden):,}" + ("+" if overridden.next_cursor is not None else "")
        lines.append(w("report.overridden", count=count))
    lines.append("")
    header = [w.label("report_columns", c) for c in _REPORT_COLUMNS]
    lines.append(_row(header))
    for row in report.rows:
        rates = row.per_1000_by_category
        events = row.per_1000_by_event
        lines.append(
            _row(
                [
                    w.label("report_dimensions", row.dimension),
                    row.value,
                    str(row.administrations),
                    str(row.reactions),
                    _fmt(row.per_1000),
                    _fmt(rates.get("local")),
                    _fmt(rates.get("allergy")),
                    _fmt(rates.get("anaphylaxis")),
                    _fmt(events.get("infection")),
                    _fmt(events.get("needle_related")),
                ]
            )
        )
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns a text takes in a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _rjust(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


def _row(cells: list[str]) -> str:
    """One line of the report table: cells padded to their column, numbers to the right."""
    return " ".join(
        _ljust(cell, width) if n < 2 else _rjust(cell, width)
        for n, (cell, width) in enumerate(zip(cells, _REPORT_WIDTHS, strict=True))
    )


_REPORT_WIDTHS = (10, 24, 9, 7, 8, 7, 10, 8, 8, 7)
_REPORT_COLUMNS = (
    "dimension",
    "value",
    "administrations",
    "reactions",
    "per_1000",
    "local",
    "allergy",
    "anaphylaxis",
    "infection",
    "needle",
)


def _period(report: RateReport, w: _Words) -> str:
    """Which administrations the report counts, saying no more than the bounds asked for.

    Without ``--until`` every administration on or after ``--since`` counts, including
    any dated later than today, so the label never claims an end such as "now".
    """
    since, until = report.since, report.until
    if since is None and until is None:
        return w("period.all")
    if until is None:
        return w("period.since", since=since)
    if since is None:
        return w("period.until", until=until)
    return w("period.between", since=since, until=until)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _migrate(args: argparse.Namespace) -> int:
    from .. import migrate_log

    before, after = migrate_log(args.db)
    w = _Words(args.lang)
    if before == after:
        print(w("migrate.current", revision=after))
    else:
        print(w("migrate.done", before=before or w("migrate.empty"), revision=after))
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
