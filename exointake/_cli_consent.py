"""``exointake consent``: render a consent request to a PDF and print its SHA-256."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._cli_util import read_json_file
from ._consent import ConsentLanguage, ConsentRequest
from ._consent_record import record_rendered_consent
from ._errors import ValidationError
from ._render import RenderedConsent, render_consent, render_summary

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``consent``."""
    p = sub.add_parser(
        "consent",
        help="render a consent document (PDF) from a consent request",
        description="Render the consent document of a request (JSON, see "
        "schemas/consent-request.schema.json) and print the PDF's SHA-256. "
        "Exit 2 on bad input, 3 when the screening forbids it.",
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
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    data = read_json_file(args.request, what="consent request")
    request = ConsentRequest.from_dict(data)
    out = Path(args.out)
    if not out.parent.is_dir():
        raise ValidationError([f"--out: folder {out.parent} does not exist"], what="arguments")
    rendered = render_consent(request, font=args.font, language=args.lang)
    summary: RenderedConsent | None = None
    if args.summary is not None:
        summary = render_summary(request, font=args.font, language=args.lang)
    if args.db is not None:
        record_rendered_consent(
            args.db, rendered, rendered_by=args.rendered_by or request.physician.id
        )
    rendered.write(out)
    print(f"{rendered.sha256}  {out}")
    if summary is not None:
        summary.write(args.summary)
        print(f"{summary.sha256}  {args.summary}")
    return 0
