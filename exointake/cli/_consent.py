"""``exointake consent``: render a consent request (and its 概要書面 / 契約書面) to PDFs."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .. import (
    ConsentRequest,
    Questionnaire,
    Route,
    RuleSet,
    ScreeningRefused,
    ScreeningResult,
)
from ..consent import ConsentLanguage, cooling_off_applies, suggest_cooling_off
from ._util import add_force, outputs, read_json_file, sqlite_file

if TYPE_CHECKING:
    from .. import Log, Outputs, RenderedConsent

__all__ = ["demo_consents", "register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``consent``."""
    p = sub.add_parser(
        "consent",
        help="render a consent document (PDF) from a consent request",
        description="Render the consent document of a request (JSON, see "
        "schemas/consent-request.schema.json) and print the PDF's SHA-256; for a plan "
        "covered by 特定商取引法 also the summary document (概要書面, due before the "
        "contract) and the contract document (契約書面, due at the contract). "
        "Exit 2 on bad input (the message names the field; cancellation fees above the "
        "49条 caps name the fee and the session) or an output that may not be written, "
        "3 when the screening forbids it. Outputs are written whole (a temporary file "
        "renamed) with mode 0600; an existing file is replaced only with --force, a "
        "database or an input never. With --db the consent is recorded after its PDFs "
        "are written; if recording fails, the new PDFs are removed.",
    )
    p.add_argument("--request", required=True, metavar="FILE.json", help="the consent request")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
    p.add_argument(
        "--lang",
        choices=[lang.value for lang in ConsentLanguage],
        default=None,
        help="language(s) of the document (default: the request's)",
    )
    p.add_argument(
        "--font",
        metavar="FILE.ttf",
        default=None,
        help="embed this TrueType font instead of the built-in CID fonts (e.g. IPAex Mincho)",
    )
    p.add_argument(
        "--summary",
        metavar="FILE.pdf",
        default=None,
        help="also write the summary document (概要書面) for a plan covered by 特定商取引法",
    )
    p.add_argument(
        "--contract",
        metavar="FILE.pdf",
        default=None,
        help="also write the contract document (契約書面) for a plan covered by 特定商取引法",
    )
    p.add_argument(
        "--ruleset",
        metavar="FILE.json",
        default=None,
        help="the rule set the screening used, when it is not a bundled one",
    )
    p.add_argument(
        "--questionnaire",
        metavar="FILE.json",
        default=None,
        help="the clinic's questionnaire the screening's answers were given on, when it is "
        "not a bundled one (e.g. a variant)",
    )
    p.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="record the rendered consent in this log database (SQLAlchemy URL)",
    )
    p.add_argument(
        "--rendered-by",
        metavar="STAFF_ID",
        default=None,
        help="who rendered it, for the log record (default: the request's physician id)",
    )
    add_force(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from .. import open_log, render_consent, render_contract, render_summary

    files = outputs(
        args, args.request, args.ruleset, args.questionnaire, args.font, sqlite_file(args.db)
    )
    targets = {  # checked (and refused) before any work
        f"--{option}": files.claim(getattr(args, option), flag=f"--{option}")
        for option in ("out", "summary", "contract")
        if getattr(args, option) is not None
    }
    data = read_json_file(args.request, what="consent request")
    request = ConsentRequest.from_dict(data)
    ruleset = RuleSet.from_file(Path(args.ruleset)) if args.ruleset is not None else None
    questionnaire = (
        Questionnaire.from_file(Path(args.questionnaire)) if args.questionnaire else None
    )
    rendered = render_consent(
        request, font=args.font, language=args.lang, ruleset=ruleset, questionnaire=questionnaire
    )
    documents: dict[str, RenderedConsent] = {"--out": rendered}
    if args.summary is not None:
        documents["--summary"] = render_summary(request, font=args.font, language=args.lang)
    if args.contract is not None:
        documents["--contract"] = render_contract(request, font=args.font, language=args.lang)
    with contextlib.ExitStack() as stack:
        # Opened before writing: a database that cannot take the record fails first.
        log = None if args.db is None else stack.enter_context(open_log(args.db))
        try:
            # Write first, record second: a consent is never recorded for a PDF that
            # was not written, and a failed record leaves no new PDF behind.
            for flag, document in documents.items():
                files.write(targets[flag], document.pdf, flag=flag)
            if log is not None:
                log.record_consent(rendered, rendered_by=args.rendered_by or request.physician.id)
        except BaseException:
            files.undo()
            raise
    for flag, document in documents.items():
        print(f"{document.sha256}  {targets[flag]}")
    return 0


_DEMO_SITES = {
    Route.INJECTION_FACE: "顔全体",
    Route.INJECTION_SCALP: "頭頂部",
    Route.IV_DRIP: "前腕の静脈（点滴）",
}
_DEMO_PURPOSES = {
    Route.INJECTION_FACE: "skin_activation",
    Route.INJECTION_SCALP: "hair_growth",
    Route.IV_DRIP: "skin_activation",
}


def demo_consents(
    folder: Path,
    screened: Iterable[tuple[str, str, ScreeningResult]],
    *,
    files: Outputs,
    language: str = "ja",
    bilingual: Iterable[str] = (),
    log: Log | None = None,
    rendered_at: dt.datetime | None = None,
) -> dict[str, str]:
    """``exointake demo``'s consent step: one PDF per patient the screening allows.

    For a plan covered by 特定商取引法 it also writes the 概要書面
    (``summary-<patient_id>.pdf``) and the 契約書面 (``contract-<patient_id>.pdf``).

    Args:
        folder: where to write ``consent-<patient_id>.pdf``.
        files: the run's outputs (:class:`~exointake.Outputs`): nothing existing is
            replaced without ``--force``.
        screened: ``(patient_id, birth_date ISO, screening result)`` per sample patient.
        language: ``ja``, ``en`` or ``ja+en``.
        bilingual: patients whose documents are rendered in ``ja+en`` instead.
        log: when given, each rendered consent is recorded in it.
        rendered_at: the time recorded with each consent (default: now).

    Returns ``patient_id → consent id`` for the patients who got a document, and prints
    each document's path and SHA-256 (or why there is none).
    """
    from .. import render_consent, render_contract, render_summary

    base = json.loads(
        (resources.files("exointake") / "data" / "demo" / "consent-request.json").read_text("utf-8")
    )
    out: dict[str, str] = {}
    for n, (patient_id, birth_date, result) in enumerate(screened, 1):
        data = json.loads(json.dumps(base))
        data["consent_id"] = f"C-DEMO-{n:04d}"
        data["patient"] |= {"id": patient_id, "birth_date": birth_date}
        data["language"] = "ja+en" if patient_id in set(bilingual) else language
        data["treatment"]["routes"] = [result.route.value]
        data["treatment"]["site"] = _DEMO_SITES[result.route]
        purpose = _DEMO_PURPOSES[result.route]
        data["treatment"]["purpose"] = purpose
        data["treatment"]["plan"]["cooling_off_covered"] = suggest_cooling_off(purpose)
        data["contract"]["contract_id"] = f"K-DEMO-{n:04d}"
        data["screening"] = result.to_dict()
        request = ConsentRequest.from_dict(data)
        try:
            rendered = render_consent(request)
        except ScreeningRefused:
            print(f"patient {patient_id}: no consent document, screening {result.decision.value}")
            continue
        path = files.write(folder / f"consent-{patient_id}.pdf", rendered.pdf, flag="--dir")
        out[patient_id] = request.consent_id
        print(f"patient {patient_id}: {path} sha256 {rendered.sha256} ({request.language.value})")
        if cooling_off_applies(request):
            for render, name in ((render_summary, "summary"), (render_contract, "contract")):
                document = render(request)
                doc_path = files.write(
                    folder / f"{name}-{patient_id}.pdf", document.pdf, flag="--dir"
                )
                print(f"  {name}: {doc_path} sha256 {document.sha256}")
        if log is not None:
            consent_id = log.record_consent(
                rendered, rendered_by="DR-DEMO", rendered_at=rendered_at
            )
            print(f"  recorded in the log as consent {consent_id}")
    return out
