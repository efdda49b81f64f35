"""Consent rendering speed: render_consent against a hand-written platypus document.

The baseline is a plain reportlab platypus document written by hand with the
*same* text and tables as the example consent (taken from the assembled
content): paragraphs, label/value tables, the severity table, the cooling-off
box, the built-in CID fonts, A4. What it skips is what the library adds: the
screening gate, glyph checks, escaping, page totals ("n / N") and footers,
signature fields, metadata and the fixed document ID. Target: within 1.5x.

Also renders a batch of consents on every core (processes) and reports
consents per second.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parse_args, report
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from exointake import Lang
from exointake._consent import (
    Bullets,
    ConsentDocument,
    ConsentRequest,
    CoolingOffBox,
    Heading,
    KeyValues,
    Para,
    SignatureBlock,
    TableBlock,
    assemble,
    load_template,
)
from exointake._render import render_consent

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "consent-request.json"
DATA = json.loads(EXAMPLE.read_text("utf-8"))


def hand_written(doc: ConsentDocument) -> bytes:
    """The same content, laid out with plain platypus calls and nothing else."""
    for name in ("HeiseiMin-W3", "HeiseiKakuGo-W5"):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(name))
    body = ParagraphStyle("b", fontName="HeiseiMin-W3", fontSize=9.5, leading=14, wordWrap="CJK")
    cell = ParagraphStyle("c", parent=body, fontSize=8.5, leading=12)
    head = ParagraphStyle("h", parent=body, fontName="HeiseiKakuGo-W5", fontSize=12, leading=16)
    red = ParagraphStyle("r", parent=body, textColor=colors.red)
    width = A4[0] - 36 * mm
    grid = TableStyle(
        [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    )

    def text(runs: tuple[object, ...]) -> str:
        return escape("".join(r.text for r in runs))  # type: ignore[attr-defined]

    story: list[object] = [Paragraph(escape(doc.title), head)]
    rows = [[Paragraph(escape(k), cell), Paragraph(text(v), cell)] for k, v in doc.header_lines]
    story.append(Table(rows, colWidths=[width * 0.3, width * 0.7], style=grid))
    for section in doc.sections:
        story.append(Paragraph(escape(section.title), head))
        for block in section.blocks:
            if isinstance(block, Heading):
                story.append(Paragraph(escape(block.text), head))
            elif isinstance(block, Para):
                story.append(Paragraph(text(block.runs), body))
            elif isinstance(block, Bullets):
                story += [Paragraph(text(item), body) for item in block.items]
            elif isinstance(block, KeyValues):
                rows = [
                    [Paragraph(escape(k), cell), Paragraph(text(v), cell)] for k, v in block.rows
                ]
                story.append(Table(rows, colWidths=[width * 0.3, width * 0.7], style=grid))
            elif isinstance(block, TableBlock):
                rows = [[Paragraph(escape(h), cell) for h in block.header]]
                rows += [[Paragraph(text(c), cell) for c in row] for row in block.rows]
                story.append(Table(rows, colWidths=[width * w for w in block.widths], style=grid))
            elif isinstance(block, CoolingOffBox):
                rows = [[Paragraph(text(p), red)] for p in block.paras]
                box = TableStyle([("BOX", (0, 0), (-1, -1), 2, colors.red)])
                story.append(Table(rows, colWidths=[width], style=box))
            elif isinstance(block, SignatureBlock):
                for party in block.parties:
                    rows = [
                        [Paragraph(escape(party.statement), cell), ""],
                        [Paragraph(escape(party.label), cell), Paragraph(text(party.name), cell)],
                        ["", ""],
                        [
                            Paragraph(escape(party.date_label), cell),
                            Paragraph(escape(party.date_hint), cell),
                        ],
                    ]
                    story.append(Table(rows, colWidths=[width * 0.3, width * 0.7], style=grid))
            story.append(Spacer(1, 2 * mm))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, invariant=1).build(story)  # type: ignore[arg-type]
    return out.getvalue()


def interleaved(
    ours: Callable[[], object], base: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Medians of ``repeat`` alternating runs of each (fair under background load)."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        for fn, times in ((ours, a), (base, b)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def _render_batch(ids: list[int]) -> int:
    """Render one consent per id (worker process); returns how many were rendered."""
    for n in ids:
        data = dict(DATA, consent_id=f"C-BENCH-{n:06d}")
        render_consent(ConsentRequest.from_dict(data))
    return len(ids)


def main() -> None:
    args = parse_args(__doc__ or "")
    repeat = 5 if args.short else 30
    batch = 40 if args.short else 1000
    request = ConsentRequest.from_dict(DATA)
    template = load_template(request.template_id, request.template_version)
    for language in ("ja", "ja+en"):
        docs = [assemble(request, template, lang) for lang in _langs(language)]
        render_consent(request, language=language)  # warm caches: fonts, templates
        hand_written(docs[0])
        ours, base = interleaved(
            lambda lang=language: render_consent(request, language=lang),
            lambda ds=docs: [hand_written(d) for d in ds],
            repeat,
        )
        report(f"render example ({language}) vs hand-written platypus", ours, base, target=1.5)

    workers = os.cpu_count() or 1
    chunks = [list(range(i, batch, workers)) for i in range(workers)]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        done = sum(pool.map(_render_batch, chunks))
    elapsed = time.perf_counter() - start
    print(
        f"batch: {done} consents on {workers} processes in {elapsed:.2f} s "
        f"= {done / elapsed:.1f} consents/s (process start-up included)"
    )
    start = time.perf_counter()
    one = _render_batch(list(range(max(1, batch // 10))))
    single = one / (time.perf_counter() - start)
    print(f"single process: {single:.1f} consents/s; batch speed-up {done / elapsed / single:.2f}x")


def _langs(language: str) -> tuple[Lang, ...]:
    return (Lang.JA, Lang.EN) if language == "ja+en" else (Lang(language),)


if __name__ == "__main__":
    main()
