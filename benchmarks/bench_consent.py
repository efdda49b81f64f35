"""Consent rendering speed: render_consent against a hand-written platypus document.

The baseline is a plain reportlab platypus document written by hand with the
*same* text and tables as the example consent (taken from the assembled
content): paragraphs, label/value tables, the severity table, the cooling-off
box, the built-in CID fonts, A4. What it skips is what the library adds: the
screening gate, glyph checks, escaping, page totals ("n / N") and footers,
signature fields, metadata and the fixed document ID. Target: within 1.5x.

Then a batch of consents on 2 processes against the same batch on 1 process,
measured the same way in the same run: a ``ProcessPoolExecutor`` started for the
batch (start-up included) whose initializer warms each worker once (imports,
fonts, template), the batch handed out in small chunks so that a worker slowed
by other load does not hold up the end. Rounds alternate 1 and 2 workers;
medians. Target: >= 1.6x for 200 consents on 2 cores. The same harness runs a
plain CPU loop first: the speed-up the machine itself gives 2 processes right
now (other programs share the cores), and the speed-up the workers' CPU times
give (the busiest worker's CPU time is the wall time it would take with a core
to itself), so a low figure can be told apart from a slow renderer.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
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

from exointake import ConsentRequest, Lang, load_template
from exointake._blocks import (
    Bullets,
    ConsentDocument,
    CoolingOffBox,
    Heading,
    KeyValues,
    Para,
    SignatureBlock,
    TableBlock,
)
from exointake._consent_render import render_consent
from exointake._document import assemble

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


def _warm() -> None:
    """Pool initializer: what every render needs (imports, fonts, template) once per worker."""
    render_consent(ConsentRequest.from_dict(DATA))


def _render_chunk(ids: list[int]) -> tuple[int, float]:
    """Render one consent per id (in a worker process); returns the worker's process id
    and the CPU time it has used so far (start-up and warm-up included)."""
    for n in ids:
        data = dict(DATA, consent_id=f"C-BENCH-{n:06d}")
        render_consent(ConsentRequest.from_dict(data))
    return os.getpid(), time.process_time()


def _spin(n: int) -> tuple[int, float]:
    """A plain CPU-bound loop: what the machine gives processes, without exointake."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return os.getpid(), time.process_time()


def _pool_run(
    fn: Callable[[Any], tuple[int, float]],
    tasks: list[Any],
    workers: int,
    initializer: Callable[[], None] | None,
) -> tuple[float, float]:
    """Wall time of ``tasks`` on a new pool, and the CPU time of its busiest worker
    (seconds): the wall time it would take if each worker had a core to itself."""
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, initializer=initializer) as pool:
        done = list(pool.map(fn, tasks))
    wall = time.perf_counter() - start
    cpu: dict[int, float] = {}
    for pid, used in done:
        cpu[pid] = max(cpu.get(pid, 0.0), used)
    return wall, max(cpu.values())


def speed_up(
    fn: Callable[[Any], tuple[int, float]],
    tasks: list[Any],
    rounds: int,
    initializer: Callable[[], None] | None = None,
) -> tuple[float, float, float, list[float]]:
    """Median wall time on 1 and on 2 workers (rounds alternate), the median speed-up
    the workers' CPU times give (free cores), and each round's measured speed-up."""
    one: list[float] = []
    two: list[float] = []
    free: list[float] = []
    for _ in range(rounds):
        wall_one, cpu_one = _pool_run(fn, tasks, 1, initializer)
        wall_two, cpu_two = _pool_run(fn, tasks, 2, initializer)
        one.append(wall_one)
        two.append(wall_two)
        free.append(cpu_one / cpu_two)
    ratios = [a / b for a, b in zip(one, two, strict=True)]
    return statistics.median(one), statistics.median(two), statistics.median(free), ratios


def main() -> None:
    args = parse_args(__doc__ or "")
    repeat = 5 if args.short else 30
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

    batch, rounds, chunk = (40, 1, 2) if args.short else (200, 3, 4)
    load = os.getloadavg()[0]
    print(
        f"batch: {batch} consents, 1 vs 2 worker processes ({multiprocessing.get_start_method()}, "
        f"start-up included, chunks of {chunk}), {rounds} round(s), median; "
        f"{os.cpu_count()} CPUs, load average {load:.2f} before"
    )
    spins = [2_000_000] * (8 if args.short else 16)
    one, two, free, ratios = speed_up(_spin, spins, rounds)
    print(
        f"  machine now: a plain CPU loop gets {one / two:.2f}x from 2 processes "
        f"(rounds {', '.join(f'{r:.2f}x' for r in ratios)}; {free:.2f}x by CPU time)"
    )
    chunks = [list(range(i, min(i + chunk, batch))) for i in range(0, batch, chunk)]
    one, two, free, ratios = speed_up(_render_chunk, chunks, rounds, _warm)
    print(
        f"  consents: 1 process {batch / one:.1f}/s ({one:.2f} s), 2 processes "
        f"{batch / two:.1f}/s ({two:.2f} s): speed-up {one / two:.2f}x (target >= 1.6x; "
        f"rounds {', '.join(f'{r:.2f}x' for r in ratios)}); on free cores, from the "
        f"workers' CPU time: {free:.2f}x; load average {os.getloadavg()[0]:.2f} after"
    )


def _langs(language: str) -> tuple[Lang, ...]:
    return (Lang.JA, Lang.EN) if language == "ja+en" else (Lang(language),)


if __name__ == "__main__":
    main()
