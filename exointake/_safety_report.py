"""The monthly safety report: a clinic-level mirror of a periodic safety report.

:func:`safety_report` reads the log as it stood at the month's data lock point (the end
of the month in Japan: :mod:`exointake._log._snapshot`), the signal status of every lot at
that point (:mod:`exointake.signals`), and lays out seven sections after ICH E2C(R2)
(PBRER) and E2F (DSUR): data lock point, exposure, summary tabulations, line listing,
signals and lot actions, figures, conclusions with the physician's signature field.

The sections read a :class:`ReportSource`: :class:`ClinicSource` (the log at the lock)
here, the registry's pooled exports in :mod:`exointake._pooled_report`; a source supplies
the figures and the few parts that differ (section 1's lock rows, product labels, the line
listing's rows, the PDF's subject).

The bytes are a function of the log up to the lock: reportlab's invariant mode, the PDF
dates set to the data lock point, and the PDF ``/ID`` taken from the document id (a hash
of the lock's head hash, the month, the languages, the font and the versions of the
wording and the layout). Every text is at least 8 point; a character the font cannot
show is a :class:`~exointake.RenderError` naming where it came from.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Protocol

import attrs
from attrs import frozen
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ._common import JST, Lang, Text
from ._consent import ConsentLanguage
from ._convert import canonical_json, describe_type, sha256_hex
from ._errors import ValidationError
from ._log._core import Log
from ._log._entries import LogEntry
from ._log._queries import LotSeries
from ._log._snapshot import ExposureCount, ReactionFact, Snapshot, snapshot
from ._render import (
    MIN_FONT_SIZE,
    DocumentStyles,
    FontSpec,
    SignatureField,
    check_text,
    document_styles,
    font_spec,
    numbered_canvas,
    paragraph,
    pin_identity,
    plain_markup,
)
from ._report_charts import (
    FunnelPoint,
    LlrPanel,
    Pen,
    Whisker,
    forest_plot,
    funnel_plot,
    llr_panel,
)
from ._report_wording import ReportWording, load_report_wording
from ._signals import (
    CriticalValue,
    LotStatus,
    Method,
    MonitoredOutcome,
    SignalReport,
    SignalSettings,
    SignalStatus,
    count_rate,
    evaluate,
)
from ._vocabulary import SeverityTable, load_severity_table
from ._wareki import format_wareki

__all__ = [
    "REPORT_RENDERER_VERSION",
    "ClinicSource",
    "Content",
    "Fact",
    "ReportArgs",
    "ReportSource",
    "SafetyReport",
    "Words",
    "build_pdf",
    "count_text",
    "parse_language",
    "parse_month",
    "render_report",
    "safety_report",
]

REPORT_RENDERER_VERSION: Final = "1"
"""Bumped when the report's layout changes, so its document id changes with it."""

_WIDTH, _HEIGHT = A4
_MARGIN: Final = 15 * mm
_TEXT_WIDTH: Final = _WIDTH - 2 * _MARGIN
_FS: Final = MIN_FONT_SIZE
_LOTS_PER_CHART: Final = 40
_MONTH_RE: Final = re.compile(r"([0-9]{4})-([0-9]{2})")
_CATEGORIES: Final = ("local", "allergy", "anaphylaxis")
_KINDS: Final = ("table_reaction", "infection", "needle_related", "other")
_ROUTES: Final = ("iv_drip", "injection_face", "injection_scalp")
_HEAD_BG: Final = colors.Color(0.88, 0.9, 0.95)
_LINE: Final = colors.Color(0.5, 0.5, 0.5)
_KEEP_ROWS: Final = 15
"""A table of at most this many rows is never split across pages."""
_KEEP_PANEL_ROWS: Final = 3
"""A grid of at most this many rows of LLR charts is never split across pages."""
_NONE: Final = "-"
"""Shown where there is no value (a rate without administrations): a character every
Japanese font has (the em dash is not in JIS X 0208)."""


@frozen(repr=False)
class SafetyReport:
    """A rendered monthly safety report and what identifies it."""

    pdf: bytes
    sha256: str
    """SHA-256 of :attr:`pdf`."""
    page_count: int
    month: str
    """The reporting month, ``YYYY-MM``."""
    data_lock_point: dt.datetime
    """The end of the month in Japan: entries recorded from then on are not included."""
    lock_seq: int
    """The last entry of the log recorded before the data lock point (0: none)."""
    lock_hash: str
    """That entry's hash: the log's head at the lock."""
    document_sha256: str
    """The document id printed in every footer (what the report was made from)."""

    def __repr__(self) -> str:
        return (
            f"SafetyReport(month={self.month!r}, pages={self.page_count}, "
            f"lock_seq={self.lock_seq}, sha256={self.sha256[:12]}…)"
        )

    def write(self, path: str | Path) -> Path:
        """Write the PDF to ``path``."""
        p = Path(path)
        p.write_bytes(self.pdf)
        return p


# ============================================================================ arguments


def parse_month(value: object) -> tuple[dt.date, dt.date]:
    """First and last day of the month ``value`` names (``YYYY-MM`` or a date in it)."""
    if isinstance(value, dt.datetime):
        raise ValidationError(
            ["month: expected a month (YYYY-MM) or a date, got a datetime"], what="argument"
        )
    if isinstance(value, dt.date):
        first = value.replace(day=1)
    elif isinstance(value, str) and (m := _MONTH_RE.fullmatch(value.strip())):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12 or year < 1:
            raise ValidationError(
                ["month: expected a real month (YYYY-MM, month 01-12)"], what="argument"
            )
        first = dt.date(year, month, 1)
    else:
        raise ValidationError(
            [f"month: expected a month (YYYY-MM), got {describe_type(value)}"], what="argument"
        )
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def parse_language(value: object) -> ConsentLanguage:
    try:
        return ConsentLanguage(value)  # type: ignore[arg-type]  # a wrong type is refused here
    except ValueError:
        choices = ", ".join(lang.value for lang in ConsentLanguage)
        raise ValidationError(
            [f"language: expected one of {choices}, got {str(value)[:16]!r}"], what="argument"
        ) from None


# ============================================================================ words


class Words:
    """The report's texts in its language(s), each checked against the font once."""

    def __init__(self, wording: ReportWording, langs: tuple[Lang, ...], fonts: FontSpec) -> None:
        self.wording = wording
        self.langs = langs
        self.fonts = fonts
        self._checked: set[str] = set()

    def check(self, text: str, where: str) -> str:
        if text not in self._checked:
            check_text(text, where, self.fonts)
            self._checked.add(text)
        return text

    def one(self, key: str, lang: Lang, **values: object) -> str:
        """The text ``key`` in ``lang``."""
        return self.check(self.wording.text(key, lang, **values), f"report wording {key}")

    def each(self, key: str, **values: object) -> list[str]:
        """The text ``key`` in each language of the report."""
        return [self.one(key, lang, **values) for lang in self.langs]

    def label(self, key: str, sep: str = " / ", **values: object) -> str:
        """The text ``key`` in every language of the report, joined by ``sep`` (once when
        the languages say the same, e.g. ``G3``)."""
        return sep.join(dict.fromkeys(self.each(key, **values)))

    def head(self, key: str, **values: object) -> str:
        """A table header: one line per language."""
        return self.label(key, "\n", **values)

    def pick(self, text: Text, where: str, sep: str = " / ") -> str:
        """A text given in both languages (e.g. a severity table label), joined as
        :meth:`label` joins."""
        return sep.join(self.check(text.get(lang), where) for lang in self.langs)


# ============================================================================ sources


class Fact(Protocol):
    """One reaction as the tabulations, charts and line listing count it."""

    @property
    def reaction_id(self) -> str: ...
    @property
    def administration_id(self) -> str: ...
    @property
    def route(self) -> str: ...
    @property
    def lot(self) -> str: ...
    @property
    def category(self) -> str | None: ...
    @property
    def serious(self) -> bool: ...
    @property
    def event_kind(self) -> str: ...
    @property
    def brighton_level(self) -> int | None: ...
    @property
    def ctcae_term(self) -> str | None: ...
    @property
    def ctcae_grade(self) -> int | None: ...
    @property
    def in_interval(self) -> bool: ...
    @property
    def listed(self) -> bool: ...


class ReportSource(Protocol):
    """What a report is made of: the clinic's log at the lock, or a registry's pooled
    exports. The sections are the same; a source supplies the figures and the few parts
    that differ (what the data lock is, how a product and a case are shown)."""

    @property
    def since(self) -> dt.date: ...
    @property
    def until(self) -> dt.date: ...
    @property
    def data_lock_point(self) -> dt.datetime: ...
    @property
    def exposure(self) -> Sequence[ExposureCount]: ...
    @property
    def reactions(self) -> Sequence[Fact]: ...
    @property
    def lot_products(self) -> Mapping[str, tuple[str, ...]]:
        """Each lot's product: a key :meth:`product_label` shows."""
        ...

    def product_label(self, key: tuple[str, ...], c: Content) -> str:
        """A product's label in table 2.1."""
        ...

    def lock_rows(self, c: Content) -> list[tuple[str, str]]:
        """Section 1's rows between the data lock point and the document id."""
        ...

    def after_lock(self, c: Content) -> list[Flowable]:
        """What section 1 shows after its table."""
        ...

    def case_rows(self, c: Content, facts: Mapping[str, Fact]) -> list[list[str | Flowable]]:
        """The line listing's rows for the listed interval reactions ``facts`` (by
        reaction id)."""
        ...

    def pdf_info(self, month: str, doc_id: str) -> tuple[str, str]:
        """The PDF's subject and keywords."""
        ...


class ClinicSource:
    """The clinic's log as it stood at the data lock point (:class:`Snapshot`)."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.since = snap.since
        self.until = snap.until
        self.data_lock_point = snap.data_lock_point
        self.exposure = snap.exposure
        self.reactions = snap.reactions
        self.lot_products = {
            lot: (p.maker, p.origin, p.concentration, p.sourcing)
            for lot, p in snap.products.items()
        }

    def product_label(self, key: tuple[str, ...], c: Content) -> str:
        maker, origin, concentration, sourcing = key
        return " · ".join(
            [
                c.log_text(maker, "product.maker"),
                c.w.label(f"origin_{origin}"),
                c.log_text(concentration, "product.concentration"),
                c.w.label(f"sourcing_{sourcing}"),
            ]
        )

    def lock_rows(self, c: Content) -> list[tuple[str, str]]:
        s, w = self.snap, c.w
        entry = (
            w.label("lock_entry_value", "\n", seq=f"#{s.lock_seq:,}")
            if s.lock_seq
            else w.label("lock_entry_none", "\n")
        )
        return [
            (w.label("lock_entry", "\n"), entry),
            (w.label("lock_hash", "\n"), s.lock_hash),
        ]

    def after_lock(self, c: Content) -> list[Flowable]:
        return [Spacer(1, 2 * mm), *c.paras("s1_note", c.note)]

    def case_rows(self, c: Content, facts: Mapping[str, Fact]) -> list[list[str | Flowable]]:
        cases = [e for e in self.snap.cases if e.root_id in facts]
        by_id = {f.reaction_id: f for f in self.snap.reactions}
        return [self.case_row(c, e, by_id[e.root_id]) for e in cases]

    def case_row(self, c: Content, entry: LogEntry, fact: ReactionFact) -> list[str | Flowable]:
        w = c.w
        nl = "\n"
        record = entry.record
        grade: Mapping[str, Any] = entry.grade or {}
        onset = record.onset.astimezone(JST)
        labels = c.table.criterion_labels
        criteria = [
            w.pick(labels[k], "severity table", nl)
            for k in grade.get("seriousness_criteria", ())
            if k in labels
        ]
        open_n = len(grade.get("seriousness_unknown", ()))
        if open_n:
            criteria.append(w.label("criteria_open", nl, n=open_n))
        outcome = w.label(f"outcome_{record.reaction.outcome.value}", nl)
        causality = w.label(f"causality_{record.causality.value}", nl)
        cells = [
            f"{entry.root_id[:16]}{nl}{entry.root_id[16:]}{nl}"
            + c.log_text(fact.patient_id, "patient id"),
            f"{fact.administration_day.isoformat()}{nl}{onset:%Y-%m-%d %H:%M}",
            *c.case_event_cells(fact),
            nl.join(criteria) or w.label("criteria_none", nl),
            f"{outcome}{nl}{causality}",
        ]
        return [paragraph(plain_markup(cell), c.cell) for cell in cells]

    def pdf_info(self, month: str, doc_id: str) -> tuple[str, str]:
        return (
            f"monthly safety report {month}; lock seq {self.snap.lock_seq}",
            f"lock_hash={self.snap.lock_hash}; document_sha256={doc_id}",
        )


# ============================================================================ the report


def safety_report(
    log: Log,
    *,
    month: str | dt.date,
    language: ConsentLanguage | str = "ja",
    font: FontSpec | str | Path | None = None,
    settings: SignalSettings | None = None,
) -> SafetyReport:
    """Render the monthly safety report of ``month`` from ``log`` as a PDF.

    The report covers administrations dated in the month (JST) and every reaction that
    followed them, with cumulative figures up to the month's end; it reads only the
    entries recorded before the data lock point (the end of the month in Japan), so the
    same log gives the same bytes however much it has grown since.

    Args:
        log: the reaction log.
        month: ``YYYY-MM`` (or any date in the month). The month must be over by the
            log's clock.
        language: ``ja``, ``en`` or ``ja+en``.
        font: ``None`` for reportlab's built-in Japanese CID fonts, a TrueType file to
            embed, or a :class:`~exointake.consent.FontSpec`.
        settings: what lot surveillance tests (default:
            :class:`~exointake.signals.SignalSettings()`), as
            :func:`~exointake.signals.check_signals` takes them.

    Raises:
        ValidationError: ``month`` is not a month or is not over yet, or ``language``
            is not one of ``ja``, ``en``, ``ja+en``.
        RenderError: the font cannot show a character (the message says where it is).
        StorageError: the log cannot be read.

    Example::

        report = safety_report(log, month="2026-11", language="ja+en")
        report.write("safety-2026-11.pdf")
    """
    args = ReportArgs.parse(month, language, font, settings)
    lock_before = dt.datetime.combine(args.until + dt.timedelta(days=1), dt.time(), tzinfo=JST)
    snap = snapshot(log, since=args.since, until=args.until, lock_before=lock_before, name="month")
    # Every lot's tests as they stood at the lock (no alerts: a report only reads).
    return render_report(
        ClinicSource(snap),
        args,
        series=snap.lot_series(),
        wording=load_report_wording(),
        identity={"lock_seq": snap.lock_seq, "lock_hash": snap.lock_hash},
        data_lock_point=lock_before,
        lock_seq=snap.lock_seq,
        lock_hash=snap.lock_hash,
    )


@frozen
class ReportArgs:
    """A report's arguments, checked: the month's first and last day, the languages,
    the font and what the lot tests run."""

    since: dt.date
    until: dt.date
    lang: ConsentLanguage
    fonts: FontSpec
    settings: SignalSettings

    @classmethod
    def parse(
        cls,
        month: object,
        language: object,
        font: FontSpec | str | Path | None,
        settings: object,
    ) -> ReportArgs:
        """The arguments as :func:`safety_report` takes them (a ValidationError names
        the bad one)."""
        since, until = parse_month(month)
        lang = parse_language(language)
        if settings is not None and not isinstance(settings, SignalSettings):
            raise ValidationError(
                [f"settings: expected SignalSettings, got {describe_type(settings)}"],
                what="argument",
            )
        fonts = font_spec(font)
        return cls(since, until, lang, fonts, settings or SignalSettings())


def render_report(
    source: ReportSource,
    args: ReportArgs,
    *,
    series: LotSeries,
    wording: ReportWording,
    identity: Mapping[str, object],
    data_lock_point: dt.datetime,
    lock_seq: int,
    lock_hash: str,
) -> SafetyReport:
    """The report of ``source``: the lot tests run on ``series``, the PDF built and its
    document id, the SHA-256 of what decides its bytes (``identity``: the source's state,
    beside the wording, renderer, tables, month, languages, font and settings)."""
    signals = evaluate(series, args.settings)
    table = load_severity_table()
    doc_id = sha256_hex(
        canonical_json(
            {
                "report": wording.id,
                "wording": wording.version,
                "renderer": REPORT_RENDERER_VERSION,
                "severity_table": table.version,
                "month": f"{args.since:%Y-%m}",
                **identity,
                "languages": [one.value for one in args.lang.langs],
                "font": args.fonts.name,
                "signal_settings": args.settings.to_dict(),
            }
        )
    )
    content = Content(
        source,
        series=series,
        signals=signals,
        words=Words(wording, args.lang.langs, args.fonts),
        table=table,
        fonts=args.fonts,
        doc_id=doc_id,
    )
    pdf, pages = build_pdf(content, args.lang.langs)
    return SafetyReport(
        pdf=pdf,
        sha256=sha256_hex(pdf),
        page_count=pages,
        month=f"{args.since:%Y-%m}",
        data_lock_point=data_lock_point,
        lock_seq=lock_seq,
        lock_hash=lock_hash,
        document_sha256=doc_id,
    )


# ============================================================================ content


def _per_1000(n: int, d: int) -> str:
    return _NONE if d == 0 else f"{n * 1000 / d:.2f}"


def count_text(n: int) -> str:
    """A count as the report prints it (``1,234``)."""
    return f"{n:,}"


_count = count_text


@frozen
class Totals:
    interval: int
    cumulative: int


class Content:
    """Everything the report shows, built from its source as flowables."""

    def __init__(
        self,
        source: ReportSource,
        *,
        series: LotSeries,
        signals: SignalReport,
        words: Words,
        table: SeverityTable,
        fonts: FontSpec,
        doc_id: str,
    ) -> None:
        self.source = source
        self.series = series
        self.signals = signals
        self.w = words
        self.table = table
        self.fonts = fonts
        self.doc_id = doc_id
        self.st: DocumentStyles = document_styles(fonts, words.langs[0])
        self.cell = ParagraphStyle(
            "report-cell", parent=self.st.cell, fontSize=_FS, leading=_FS + 2.5
        )
        self.cell_head = ParagraphStyle("report-cell-head", parent=self.cell, fontName=fonts.bold)
        self.note = ParagraphStyle(
            "report-note",
            parent=self.st.body,
            fontSize=_FS,
            leading=_FS + 3,
            textColor=colors.Color(0.3, 0.3, 0.3),
        )
        # notes that introduce what follows stay on its page
        self.intro = ParagraphStyle("report-intro", parent=self.note, keepWithNext=1)
        self.h2_free = ParagraphStyle("report-h2-free", parent=self.st.h2, keepWithNext=0)
        self.pen = Pen(fonts, words.check)
        self.exposure_total = Totals(
            sum(e.interval for e in source.exposure), sum(e.cumulative for e in source.exposure)
        )
        self.interval_reactions: list[Fact] = [f for f in source.reactions if f.in_interval]

    # -- text helpers -----------------------------------------------------------------

    def para(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return paragraph(plain_markup(text), style or self.st.body)

    def paras(
        self, key: str, style: ParagraphStyle | None = None, **values: object
    ) -> list[Flowable]:
        return [self.para(text, style) for text in self.w.each(key, **values)]

    def heading(self, key: str, refs: str) -> list[Flowable]:
        title = "<br/>".join(plain_markup(t) for t in self.w.each(key))
        w = self.w
        mirrors = " / ".join(w.one("mirrors", lang, refs=w.one(refs, lang)) for lang in w.langs)
        return [
            # room for the heading, its notes and the start of what follows (a long
            # table after them may still break before its own first rows: see block())
            CondPageBreak(80 * mm),
            paragraph(title, self.st.h1),
            paragraph(plain_markup(mirrors), self.intro),
        ]

    def sub(self, key: str, *, keep: bool = True, **values: object) -> Paragraph:
        """A sub-heading, kept with what follows unless ``keep`` is false."""
        text = "<br/>".join(plain_markup(t) for t in self.w.each(key, **values))
        return paragraph(text, self.st.h2 if keep else self.h2_free)

    def block(self, key: str, body: Flowable, *, long: bool) -> list[Flowable]:
        """A titled table or figure: kept on one page when short; when ``long``, started
        wherever its title and first rows fit and split across pages (a table repeats its
        header) instead of leaving most of a page blank."""
        if not long:
            return [KeepTogether([self.sub(key), body]), Spacer(1, 2 * mm)]
        return [
            CondPageBreak(45 * mm),
            self.sub(key, keep=False),
            body,
            Spacer(1, 2 * mm),
        ]

    def route(self, route: str, sep: str = " / ") -> str:
        return self.w.label(f"route_{route}", sep)

    def category(self, category: str | None, sep: str = " / ") -> str:
        if category is None:
            return self.w.label("no_category", sep)
        return self.w.pick(self.table.row(category).label, "severity table", sep)

    def kind(self, kind: str, sep: str = " / ") -> str:
        event = self.table.event(kind) if kind != "table_reaction" else None
        if event is None:
            return self.w.label("kind_table_reaction" if kind == "table_reaction" else "none", sep)
        return self.w.pick(event.label, "severity table", sep)

    def lot_text(self, lot: str) -> str:
        """A lot as the report prints it; an empty one (a registry export leaves a lot
        shared by fewer than k patients empty) says so."""
        return self.log_text(lot, "lot") if lot else self.w.label("lot_blanked")

    def log_text(self, text: str, where: str) -> str:
        """Text that comes from the log (lots, makers, ids): checked against the font."""
        return self.w.check(text, f"log: {where}")

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str | Flowable]],
        widths: Sequence[float],
        *,
        numeric_from: int = 1,
        total_row: bool = False,
        label_span: Sequence[int] = (),
    ) -> Table:
        """A table with a header row; ``label_span``: rows (0 = the first after the
        header) whose label runs over the first two columns."""
        data: list[list[Any]] = [[paragraph(plain_markup(h), self.cell_head) for h in header]]
        data += [list(r) for r in rows]
        table = Table(
            data,
            colWidths=[_TEXT_WIDTH * w for w in widths],
            repeatRows=1,
            hAlign="LEFT",
        )
        style = [
            ("FONT", (0, 1), (-1, -1), self.fonts.body, _FS, _FS + 2.5),
            ("GRID", (0, 0), (-1, -1), 0.4, _LINE),
            ("BACKGROUND", (0, 0), (-1, 0), _HEAD_BG),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if total_row:
            style += [
                ("FONT", (0, -1), (-1, -1), self.fonts.bold, _FS, _FS + 2.5),
                ("LINEABOVE", (0, -1), (-1, -1), 1.0, _LINE),
            ]
        style += [("SPAN", (0, i + 1), (1, i + 1)) for i in label_span]
        table.setStyle(TableStyle(style))
        return table

    # -- 1. data lock point ------------------------------------------------------------

    def section_1(self) -> list[Flowable]:
        s = self.source
        w = self.w
        since, until = s.since, s.until
        iso = Lang.EN if Lang.EN in w.langs else Lang.JA
        interval = [w.one("range", iso, a=since.isoformat(), b=until.isoformat())]
        if Lang.JA in w.langs:
            interval.append(w.one("range", Lang.JA, a=format_wareki(since), b=format_wareki(until)))
        dlp = s.data_lock_point
        dlp_text = f"{dlp.isoformat()} ({until.isoformat()} 24:00 JST)"
        if Lang.JA in w.langs:
            dlp_text += f"\n{format_wareki(until)} 24:00"
        rows = [
            (w.label("interval", "\n"), "\n".join(interval)),
            (w.label("data_lock_point", "\n"), dlp_text),
            *s.lock_rows(self),
            (w.label("document_id", "\n"), self.doc_id),
            (
                w.label("made_with", "\n"),
                w.label(
                    "made_with_value",
                    "\n",
                    wording=w.wording.version,
                    renderer=REPORT_RENDERER_VERSION,
                    table=self.table.version,
                    base=w.wording.base,
                ),
            ),
        ]
        data = [
            [paragraph(plain_markup(k), self.cell_head), paragraph(plain_markup(v), self.cell)]
            for k, v in rows
        ]
        kv = Table(data, colWidths=[_TEXT_WIDTH * 0.3, _TEXT_WIDTH * 0.7], hAlign="LEFT")
        kv.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, _LINE),
                    ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.94, 0.95, 0.97)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return [*self.heading("s1", "s1_refs"), kv, *s.after_lock(self)]

    # -- 2. exposure --------------------------------------------------------------------

    def products(self) -> list[tuple[tuple[str, ...], str]]:
        """Each product (e.g. maker, origin, concentration, sourcing) with its short key."""
        keys = sorted(set(self.source.lot_products.values()))
        return [(k, f"P{i}") for i, k in enumerate(keys, 1)]

    def product_label(self, key: tuple[str, ...]) -> str:
        return self.source.product_label(key, self)

    def section_2(self) -> list[Flowable]:
        w = self.w
        s = self.source
        out: list[Flowable] = [*self.heading("s2", "s2_refs"), *self.paras("s2_note", self.intro)]
        products = self.products()
        short = dict(products)
        by_product: dict[str, list[int]] = {}
        lots_of: dict[str, set[str]] = {}
        product_of_lot: dict[str, str] = {}
        for lot, p in s.lot_products.items():
            product_of_lot[lot] = short[p]
        for e in s.exposure:
            key = product_of_lot.get(e.lot, _NONE)
            row = by_product.setdefault(key, [0, 0])
            row[0] += e.interval
            row[1] += e.cumulative
            lots_of.setdefault(key, set()).add(e.lot)
        head = [w.head("product"), w.head("lots"), w.head("n_interval"), w.head("n_cumulative")]
        given = [(key, code) for key, code in products if by_product.get(code, [0, 0])[0]]
        rows: list[list[str | Flowable]] = [
            [
                paragraph(plain_markup(f"{code}  {self.product_label(key)}"), self.cell),
                _count(len(lots_of.get(code, ()))),
                _count(by_product[code][0]),
                _count(by_product[code][1]),
            ]
            for key, code in given
        ]
        idle = [code for _, code in products if code not in dict(given).values()]
        if idle:
            rows.append(
                [
                    paragraph(plain_markup(w.label("other_products", n=len(idle))), self.cell),
                    _count(sum(len(lots_of.get(code, ())) for code in idle)),
                    "0",
                    _count(sum(by_product.get(code, [0, 0])[1] for code in idle)),
                ]
            )
        rows.append(
            [
                w.label("total"),
                _count(len({e.lot for e in s.exposure})),
                _count(self.exposure_total.interval),
                _count(self.exposure_total.cumulative),
            ]
        )
        out += self.block(
            "by_product",
            self.grid(head, rows, [0.55, 0.13, 0.16, 0.16], total_row=True),
            long=len(rows) > _KEEP_ROWS,
        )
        # by route
        by_route = {r: [0, 0] for r in _ROUTES}
        for e in s.exposure:
            row = by_route.setdefault(e.route, [0, 0])
            row[0] += e.interval
            row[1] += e.cumulative
        rows = [[self.route(r), _count(n[0]), _count(n[1])] for r, n in by_route.items()]
        rows.append(
            [
                w.label("total"),
                _count(self.exposure_total.interval),
                _count(self.exposure_total.cumulative),
            ]
        )
        out += self.block(
            "by_route",
            self.grid(
                [w.head("route"), w.head("n_interval"), w.head("n_cumulative")],
                rows,
                [0.5, 0.25, 0.25],
                total_row=True,
            ),
            long=len(rows) > _KEEP_ROWS,
        )
        # by lot and route: the lots given in the interval
        lots: dict[str, dict[str, ExposureCount]] = {}
        for e in s.exposure:
            lots.setdefault(e.lot, {})[e.route] = e
        active = sorted(lot for lot, by in lots.items() if any(e.interval for e in by.values()))
        head = [
            w.head("lot"),
            w.head("product_code"),
            *(w.head(f"route_{r}") for r in _ROUTES),
            w.head("n_interval"),
            w.head("n_cumulative"),
        ]
        if not active:
            return [*out, self.sub("by_lot"), *self.paras("no_administrations")]
        rows = []
        for lot in active:
            by = lots[lot]
            rows.append(
                [
                    paragraph(plain_markup(self.lot_text(lot)), self.cell),
                    product_of_lot.get(lot, _NONE),
                    *(_count(by[r].interval) if r in by else "0" for r in _ROUTES),
                    _count(sum(e.interval for e in by.values())),
                    _count(sum(e.cumulative for e in by.values())),
                ]
            )
        others = sorted(set(lots) - set(active))
        if others:
            rows.append(
                [
                    paragraph(plain_markup(w.label("other_lots", n=len(others))), self.cell),
                    "",
                    *("0" for _ in _ROUTES),
                    "0",
                    _count(sum(e.cumulative for lot in others for e in lots[lot].values())),
                ]
            )
        rows.append(
            [
                w.label("total"),
                "",
                *(_count(by_route.get(r, [0, 0])[0]) for r in _ROUTES),
                _count(self.exposure_total.interval),
                _count(self.exposure_total.cumulative),
            ]
        )
        widths = [0.18, 0.1, 0.145, 0.145, 0.145, 0.14, 0.145]
        spans = range(len(active), len(rows))  # "other lots" and the total
        table = self.grid(head, rows, widths, numeric_from=2, total_row=True, label_span=spans)
        return out + self.block("by_lot", table, long=len(rows) > _KEEP_ROWS)

    # -- 3. tabulations ---------------------------------------------------------------

    def tabulate(
        self, title: str, head: str, key_of: Any, keys: Sequence[Any], label_of: Any
    ) -> list[Flowable]:
        interval = Counter(key_of(f) for f in self.interval_reactions)
        cumulative = Counter(key_of(f) for f in self.source.reactions)
        extra = sorted(set(cumulative) - set(keys), key=str)
        t = self.exposure_total
        rows: list[list[str | Flowable]] = []
        for k in [*keys, *extra]:
            rows.append(
                [
                    paragraph(plain_markup(label_of(k)), self.cell),
                    _count(interval[k]),
                    _per_1000(interval[k], t.interval),
                    _count(cumulative[k]),
                    _per_1000(cumulative[k], t.cumulative),
                ]
            )
        n_i, n_c = len(self.interval_reactions), len(self.source.reactions)
        rows.append(
            [
                self.w.label("total"),
                _count(n_i),
                _per_1000(n_i, t.interval),
                _count(n_c),
                _per_1000(n_c, t.cumulative),
            ]
        )
        w = self.w
        header = [
            w.head(head),
            w.head("n_interval") + "\n" + w.label("n"),
            w.head("n_interval") + "\n" + w.label("per_1000"),
            w.head("n_cumulative") + "\n" + w.label("n"),
            w.head("n_cumulative") + "\n" + w.label("per_1000"),
        ]
        grid = self.grid(header, rows, [0.44, 0.14, 0.14, 0.14, 0.14], total_row=True)
        return self.block(title, grid, long=len(rows) > _KEEP_ROWS)

    def section_3(self) -> list[Flowable]:
        out: list[Flowable] = [*self.heading("s3", "s3_refs"), *self.paras("s3_note", self.intro)]
        out += self.tabulate(
            "by_category", "row", lambda f: f.category, [*_CATEGORIES, None], self.category
        )
        out += self.tabulate("by_event_kind", "kind", lambda f: f.event_kind, _KINDS, self.kind)
        out += self.tabulate(
            "by_seriousness",
            "seriousness",
            lambda f: f.serious,
            [True, False],
            lambda k: self.w.label("serious" if k else "not_serious"),
        )
        out += self.tabulate(
            "by_brighton",
            "level",
            lambda f: f.brighton_level,
            [1, 2, 3, 4, 5],
            lambda k: self.w.label("brighton_none" if k is None else f"brighton_{k}"),
        )
        out += self.ctcae_table()
        return out

    def ctcae_table(self) -> list[Flowable]:
        w = self.w
        grades = (1, 2, 3, 4, 5, None)
        interval: Counter[tuple[str | None, int | None]] = Counter(
            (f.ctcae_term, f.ctcae_grade) for f in self.interval_reactions
        )
        cumulative: Counter[str | None] = Counter(f.ctcae_term for f in self.source.reactions)
        terms = sorted(
            {t for t, _ in interval} | set(cumulative), key=lambda t: (t is None, t or "")
        )
        rows: list[list[str | Flowable]] = []
        for term in terms:
            label = self.log_text(term, "grade.ctcae.term") if term else w.label("no_term")
            rows.append(
                [
                    paragraph(plain_markup(label), self.cell),
                    *(_count(interval[(term, g)]) for g in grades),
                    _count(sum(interval[(term, g)] for g in grades)),
                    _count(cumulative[term]),
                ]
            )
        rows.append(
            [
                w.label("total"),
                *(_count(sum(interval[(t, g)] for t in terms)) for g in grades),
                _count(len(self.interval_reactions)),
                _count(len(self.source.reactions)),
            ]
        )
        header = [
            w.head("term"),
            *(w.label("grade_n", grade=g) if g else w.head("not_graded") for g in grades),
            w.head("interval_total"),
            w.head("cumulative_total"),
        ]
        widths = [0.3, 0.07, 0.07, 0.07, 0.07, 0.07, 0.11, 0.12, 0.12]
        return self.block(
            "by_ctcae", self.grid(header, rows, widths, total_row=True), long=len(rows) > _KEEP_ROWS
        )

    # -- 4. line listing ------------------------------------------------------------------

    def section_4(self) -> list[Flowable]:
        w = self.w
        out: list[Flowable] = [*self.heading("s4", "s4_refs"), *self.paras("s4_note", self.intro)]
        facts = {f.reaction_id: f for f in self.interval_reactions if f.listed}
        rows = self.source.case_rows(self, facts)
        if not rows:
            return [*out, *self.paras("no_cases")]
        header = [
            w.head("case"),
            w.head("dates"),
            w.head("lot_route"),
            w.head("event"),
            w.head("ctcae_brighton"),
            w.head("criteria"),
            w.head("outcome_causality"),
        ]
        widths = [0.16, 0.14, 0.13, 0.16, 0.14, 0.15, 0.12]
        # no title of its own: the section's heading and note introduce it
        return [*out, self.grid(header, rows, widths, numeric_from=len(widths))]

    def case_event_cells(self, fact: Fact) -> list[str]:
        """The line listing's lot/route, event and CTCAE/Brighton cells of a reaction."""
        w = self.w
        nl = "\n"
        term = self.log_text(fact.ctcae_term, "grade.ctcae.term") if fact.ctcae_term else None
        ctcae = term or w.label("no_term", nl)
        ctcae += f" G{fact.ctcae_grade}" if fact.ctcae_grade else f"{nl}{w.label('not_graded', nl)}"
        if fact.brighton_level:
            ctcae += f"{nl}Brighton {fact.brighton_level}"
        event = self.category(fact.category, nl)
        if fact.event_kind != "table_reaction" or fact.category is None:
            event += nl + self.kind(fact.event_kind, nl)
        return [f"{self.lot_text(fact.lot)}{nl}{self.route(fact.route, nl)}", event, ctcae]

    # -- 5. signals and lot actions ---------------------------------------------------------

    def section_5(self) -> list[Flowable]:
        out: list[Flowable] = [*self.heading("s5", "s5_refs"), self.sub("signals")]
        out += self.paras("signals_note", self.note)
        out += [self.para(self.design(d), self.note) for d in self.signals.designs]
        out += self.paras("signals_plain", self.note)
        lots = self.signal_lots()
        if not lots:
            out += self.paras("no_signals")
        else:
            hidden = len({r.lot for r in self.signals.rows}) - len(lots)
            if hidden:
                out += self.paras("signals_shown", self.note, n=hidden)
            # started wherever its header and first lots fit; split, its header repeated
            out += [CondPageBreak(45 * mm), self.signal_table(lots)]
            if any(r.status is SignalStatus.UNTESTABLE for r in self.signals.rows if r.lot in lots):
                out += [Spacer(1, 1 * mm), *self.paras("untestable_note", self.note)]
            run = self.tests_run
            if run:  # what that many tests bring by chance
                alpha = self.signals.settings.alpha
                out += [Spacer(1, 1 * mm)]
                out += self.paras(
                    "multiplicity_note",
                    self.note,
                    run=run,
                    alpha=f"{alpha:g}",
                    false=f"{run * alpha:.1f}",
                )
        out += [Spacer(1, 2 * mm), self.sub("lot_actions"), *self.paras("no_lot_actions")]
        return out

    def design(self, design: CriticalValue) -> str:
        w = self.w
        values = {
            "cv": f"{design.cv:.5g}",
            "attained": f"{design.attained_alpha:.4g}",
            "alpha": f"{design.alpha:g}",
            "min": design.min_events,
            "length": f"{design.surveillance:g}",
        }
        if design.method is Method.BINOMIAL:
            return w.label("design_binomial", "\n", z=f"{design.z:g}", **values)
        settings = self.signals.settings
        outcome = next(
            o for o in settings.expected_per_1000 if settings.poisson_design(o) == design
        )
        return "\n".join(
            w.one(
                "design_poisson",
                lang,
                outcome=w.one(f"monitored_{outcome.value}", lang),
                rate=f"{settings.expected_per_1000[outcome]:g}",
                **values,
            )
            for lang in w.langs
        )

    def signal_lots(self) -> list[str]:
        """The lots the signal table shows: given in the interval, or with a signal."""
        active = set(self.active_lots())
        return sorted(
            {r.lot for r in self.signals.rows if r.lot in active or r.status is SignalStatus.SIGNAL}
        )

    def status(self, row: LotStatus, sep: str = " / ") -> str:
        if row.status is SignalStatus.SIGNAL:
            day = row.crossed_on.isoformat() if row.crossed_on is not None else ""
            return self.w.label("status_signal", sep, day=day)
        return self.w.label(f"status_{row.status.value}", sep)

    def signal_table(self, lots: Sequence[str]) -> Table:
        w = self.w
        outcomes = self.signals.settings.outcomes
        by_key = {(r.lot, r.method, r.outcome): r for r in self.signals.rows}
        methods = [m for m in Method if any(k[1] is m for k in by_key)]
        rows: list[list[str | Flowable]] = []
        flagged: list[tuple[int, int]] = []
        for lot in lots:
            for method in methods:
                cells: list[str | Flowable] = [
                    paragraph(plain_markup(self.log_text(lot, "lot")), self.cell),
                    w.label(f"method_{method.value}", "\n"),
                ]
                for outcome in outcomes:
                    row = by_key.get((lot, method, outcome))
                    if row is None:
                        cells.append(_NONE)
                        continue
                    if row.status is SignalStatus.SIGNAL:
                        flagged.append((len(cells), len(rows) + 1))
                    cells.append(self.signal_cell(row))
                rows.append(cells)
        header = [
            w.head("lot"),
            w.head("method"),
            *(w.head(f"monitored_{o.value}") for o in outcomes),
        ]
        share = 0.72 / len(outcomes)
        table = self.grid(header, rows, [0.16, 0.12, *([share] * len(outcomes))], numeric_from=99)
        red = colors.Color(0.8, 0.1, 0.1)
        table.setStyle(TableStyle([("TEXTCOLOR", cell, cell, red) for cell in flagged]))
        return table

    def signal_cell(self, row: LotStatus) -> str:
        w = self.w
        lines = [self.status(row, "\n")]
        if row.status is not SignalStatus.UNTESTABLE:
            cv = _NONE if row.cv is None else f"{row.cv:.3f}"
            lines.append(w.one("llr_cv", w.langs[0], llr=f"{row.llr:.3f}", cv=cv))
            lines.append(
                w.label("cases_expected", "\n", cases=row.cases, expected=f"{row.expected:.2f}")
            )
        return "\n".join(lines)

    # -- 6. figures -------------------------------------------------------------------------

    def whisker(
        self, label: str, reactions: int, administrations: int, flagged: bool = False
    ) -> Whisker:
        rate = count_rate(reactions, administrations)
        if rate.per_1000 is None or rate.lower is None or rate.upper is None:
            return Whisker(label, None, 0.0, 0.0, "0 / 0", flagged)
        note = (
            f"{reactions:,} / {administrations:,}   {rate.per_1000:.2f}  "
            f"({rate.lower:.2f}-{rate.upper:.2f})"
        )
        return Whisker(label, rate.per_1000, rate.lower, rate.upper, note, flagged)

    def section_6(self) -> list[Flowable]:
        w = self.w
        s = self.source
        out: list[Flowable] = [*self.heading("s6", "s6_refs")]
        t = self.exposure_total
        pooled = 1000 * len(s.reactions) / t.cumulative if t.cumulative else None
        pooled_label = w.label("pooled", rate=f"{pooled:.2f}" if pooled is not None else _NONE)
        # by route
        admins_by_route = Counter[str]()
        for e in s.exposure:
            admins_by_route[e.route] += e.cumulative
        reactions_by_route = Counter(f.route for f in s.reactions)
        route_rows = [
            self.whisker(self.route(r), reactions_by_route[r], admins_by_route[r]) for r in _ROUTES
        ]
        chart = forest_plot(
            route_rows,
            width=_TEXT_WIDTH,
            pen=self.pen,
            axis_label=w.label("axis_rate"),
            pooled=pooled,
            pooled_label=pooled_label,
        )
        out += [
            KeepTogether([self.sub("fig_route"), chart]),
            *self.paras("fig_interval_note", self.note),
        ]
        # by lot: the lots given in the interval
        lots = self.active_lots()
        admins_by_lot = Counter[str]()
        for e in s.exposure:
            admins_by_lot[e.lot] += e.cumulative
        reactions_by_lot = Counter(f.lot for f in s.reactions)
        signalled = {r.lot for r in self.signals.signals}
        lot_rows = [
            self.whisker(
                self.log_text(lot, "lot"),
                reactions_by_lot[lot],
                admins_by_lot[lot],
                flagged=lot in signalled,
            )
            for lot in lots
        ]
        out.append(Spacer(1, 3 * mm))
        if not lot_rows:
            out += [self.sub("fig_lot"), *self.paras("no_lots_to_chart")]
        parts = max(1, -(-len(lot_rows) // _LOTS_PER_CHART))
        for part in range(parts):
            chunk = lot_rows[part * _LOTS_PER_CHART : (part + 1) * _LOTS_PER_CHART]
            if not chunk:
                break
            title = (
                self.sub("fig_lot")
                if part == 0
                else self.sub("fig_lot_part", part=part + 1, parts=parts)
            )
            chart = forest_plot(
                chunk,
                width=_TEXT_WIDTH,
                pen=self.pen,
                axis_label=w.label("axis_rate"),
                pooled=pooled,
                pooled_label=pooled_label,
            )
            out.append(KeepTogether([title, chart]))
        # funnel
        out.append(Spacer(1, 3 * mm))
        # A binomial funnel needs a proportion: administrations followed by at least one
        # reaction (at most one per administration), not reaction records.
        with_reaction = {(f.lot, f.administration_id) for f in s.reactions}
        hit_by_lot = Counter(lot for lot, _ in with_reaction)
        points = [FunnelPoint(lot, admins_by_lot[lot], hit_by_lot[lot]) for lot in lots]
        if points:
            share = len(with_reaction) / t.cumulative if t.cumulative else 0.0
            funnel, _outside = funnel_plot(
                points,
                pooled=share,
                width=_TEXT_WIDTH,
                height=95 * mm,
                pen=self.pen,
                x_label=w.label("axis_administrations"),
                y_label=w.label("axis_with_reaction"),
                pooled_label=w.label("pooled", rate=f"{1000 * share:.2f}"),
                level_labels=(w.label("limits_95"), w.label("limits_998")),
            )
            out += [
                KeepTogether([self.sub("fig_funnel"), funnel]),
                *self.paras("fig_funnel_note", self.note),
            ]
        else:
            out += [self.sub("fig_funnel"), *self.paras("no_lots_to_chart")]
        # LLR per lot under surveillance
        out.append(Spacer(1, 3 * mm))
        panels = self.llr_panels()
        if not panels:
            out += [self.sub("fig_llr"), *self.paras("no_signals")]
        else:
            long = len(panels) > 3 * _KEEP_PANEL_ROWS
            out += self.block("fig_llr", self.llr_grid(panels), long=long)
            out += self.paras("fig_llr_note", self.note)
        return out

    def charted(self) -> list[LotStatus]:
        """The tests the LLR figure shows, for the lots under surveillance this month (given
        in the interval): each one's first outcome (binomial) while it has no signal, and
        every test of theirs with a signal."""
        first = self.signals.settings.outcomes[0]
        shown = set(self.active_lots())
        return [
            row
            for row in self.signals.rows
            if row.lot in shown
            and row.cv is not None
            and (
                row.status is SignalStatus.SIGNAL
                or (
                    row.status is SignalStatus.NO_SIGNAL
                    and row.outcome is first
                    and row.method is Method.BINOMIAL
                )
            )
        ]

    def llr_panels(self) -> list[LlrPanel]:
        """One panel per charted test, with its trajectory."""
        w = self.w
        lang = w.langs[0]
        charted = self.charted()
        traced = traced_tests(
            self.series,
            self.signals.settings,
            lots={row.lot for row in charted},
            outcomes={row.outcome for row in charted},
        )
        panels = []
        for row in charted:
            path = traced[(row.lot, row.method, row.outcome)].trajectory
            if not path or row.cv is None:
                continue
            title = w.one(
                "llr_title",
                lang,
                lot=self.log_text(row.lot, "lot"),
                outcome=w.one(f"monitored_{row.outcome.value}", lang),
                method=w.one(f"method_{row.method.value}", lang),
            )
            crossed = next(
                (i for i, p in enumerate(path, 1) if p.entry_id == row.crossed_entry), None
            )
            panels.append(
                LlrPanel(
                    title=title,
                    x=tuple(float(i) for i in range(1, len(path) + 1)),
                    llr=tuple(p.llr for p in path),
                    cv=row.cv,
                    signal=row.status is SignalStatus.SIGNAL,
                    crossed_at=crossed,
                )
            )
        return panels

    def llr_grid(self, panels: Sequence[LlrPanel]) -> Table:
        w = self.w
        cols = 3
        cell_w = _TEXT_WIDTH / cols
        drawings: list[Drawing] = [
            llr_panel(
                p,
                width=cell_w - 4,
                height=42 * mm,
                pen=self.pen,
                x_label=w.label("axis_events"),
                y_label=w.label("axis_llr"),
            )
            for p in panels
        ]
        rows = [drawings[i : i + cols] for i in range(0, len(drawings), cols)]
        rows[-1] += [""] * (cols - len(rows[-1]))
        table = Table(rows, colWidths=[cell_w] * cols, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
            )
        )
        return table

    def active_lots(self) -> list[str]:
        return sorted({e.lot for e in self.source.exposure if e.interval})

    # -- 7. conclusions ------------------------------------------------------------------------

    def section_7(self) -> list[Flowable]:
        w = self.w
        t = self.exposure_total
        listed = sum(1 for f in self.interval_reactions if f.listed)
        n = len(self.interval_reactions)
        bullets = [
            *w.each(
                "summary_exposure",
                n=_count(t.interval),
                cumulative=_count(t.cumulative),
                lots=_count(len(self.active_lots())),
            ),
            *w.each(
                "summary_reactions",
                n=_count(n),
                rate=_per_1000(n, t.interval),
                listed=_count(listed),
            ),
            *self.signal_summary(),
        ]
        out: list[Flowable] = [*self.heading("s7", "s7_refs")]
        bullet = ParagraphStyle(
            "report-bullet",
            parent=self.st.body,
            leftIndent=10,
            bulletIndent=0,
            bulletFontName=self.fonts.body,
        )
        mark = "-" if w.langs == (Lang.EN,) else "・"
        out += [paragraph(plain_markup(b), bullet, bulletText=mark) for b in bullets]
        box = Table(
            [[paragraph(plain_markup(w.label("assessment", "\n")), self.cell)], [""]],
            colWidths=[_TEXT_WIDTH],
            rowHeights=[None, 45 * mm],
            hAlign="LEFT",
        )
        box.setStyle(
            TableStyle([("BOX", (0, 0), (-1, -1), 0.6, _LINE), ("VALIGN", (0, 0), (-1, -1), "TOP")])
        )
        signature = Table(
            [
                [paragraph(plain_markup(w.label("signature_statement", "\n")), self.cell), ""],
                [paragraph(plain_markup(w.label("physician_name", "\n")), self.cell_head), ""],
                [
                    paragraph(plain_markup(w.label("signature", "\n")), self.cell_head),
                    SignatureField("sig_physician", 100 * mm, 14 * mm),
                ],
                [
                    paragraph(plain_markup(w.label("date", "\n")), self.cell_head),
                    paragraph(plain_markup(w.label("date_hint", "\n")), self.cell),
                ],
            ],
            colWidths=[_TEXT_WIDTH * 0.3, _TEXT_WIDTH * 0.7],
            hAlign="LEFT",
        )
        signature.setStyle(
            TableStyle(
                [
                    ("SPAN", (0, 0), (1, 0)),
                    ("BOX", (0, 0), (-1, -1), 0.6, _LINE),
                    ("LINEBELOW", (1, 1), (1, 1), 0.4, _LINE),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        out += [Spacer(1, 3 * mm), KeepTogether([box, Spacer(1, 4 * mm), signature])]
        return out

    @property
    def tests_run(self) -> int:
        """The tests computed (every row but the untestable ones)."""
        return sum(1 for r in self.signals.rows if r.status is not SignalStatus.UNTESTABLE)

    def signal_summary(self) -> list[str]:
        w = self.w
        lots = sorted({r.lot for r in self.signals.signals})
        if lots:
            out = w.each("summary_signals", lots=", ".join(self.log_text(x, "lot") for x in lots))
        elif self.tests_run:
            out = w.each("summary_no_signal", run=_count(self.tests_run))
        else:
            out = w.each("summary_nothing_tested")
        untestable = [r for r in self.signals.rows if r.status is SignalStatus.UNTESTABLE]
        if untestable:
            out += w.each(
                "summary_untestable",
                n=_count(len(untestable)),
                lots=_count(len({r.lot for r in untestable})),
            )
        return [*out, *w.each("summary_caveat")]

    # -- the whole story ---------------------------------------------------------------------------

    def story(self) -> list[Flowable]:
        w = self.w
        month = self.source.since
        month_text = {
            Lang.JA: f"{month:%Y-%m}（{format_wareki(month).split('月')[0]}月）",
            Lang.EN: f"{month:%Y-%m}",
        }
        reporting = " / ".join(
            w.one("reporting_month", lang, month=month_text[lang]) for lang in w.langs
        )
        story: list[Flowable] = [
            paragraph(plain_markup(w.label("title")), self.st.title),
            paragraph(plain_markup(reporting), self.st.h2),
            *self.paras("basis", self.note),
            Spacer(1, 2 * mm),
        ]
        for section in (
            self.section_1,
            self.section_2,
            self.section_3,
            self.section_4,
            self.section_5,
            self.section_6,
            self.section_7,
        ):
            story += section()
        return story


def traced_tests(
    series: LotSeries,
    settings: SignalSettings,
    *,
    lots: Collection[str],
    outcomes: Collection[MonitoredOutcome],
) -> dict[tuple[str, Method, MonitoredOutcome], LotStatus]:
    """The tests of ``lots`` for ``outcomes`` with each look's LLR (their trajectories).

    A lot's tests read only the strata (day and route) it was given in — every lot's
    administrations there and the reactions that followed them — so evaluating the series
    cut down to those strata gives these lots exactly the tests of the whole series, at the
    cost of the charted lots alone (a trajectory solves one likelihood per look).
    """
    if not lots:
        return {}
    keep = {(day, route) for day, route, lot, _ in series.strata if lot in lots}
    cut = LotSeries(
        head=series.head,
        strata=tuple(row for row in series.strata if (row[0], row[1]) in keep),
        reactions=tuple(e for e in series.reactions if (e.day, e.route) in keep),
    )
    wanted = tuple(o for o in settings.outcomes if o in outcomes)
    report = evaluate(cut, attrs.evolve(settings, outcomes=wanted), trajectories=True)
    return {(r.lot, r.method, r.outcome): r for r in report.rows if r.lot in lots}


# ============================================================================ layout


def build_pdf(content: Content, langs: tuple[Lang, ...]) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    pages: list[int] = []
    w = content.w
    month = f"{content.source.since:%Y-%m}"
    left = w.label("footer", month=month)
    doc_label = w.label("document_id")
    fonts = content.fonts
    doc_id = content.doc_id

    def footer(canv: Canvas, n: int, total: int) -> None:
        canv.saveState()
        canv.setFont(fonts.body, _FS)
        canv.setFillColor(colors.Color(0.25, 0.25, 0.25))
        canv.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
        canv.setLineWidth(0.4)
        y = 11 * mm
        canv.line(_MARGIN, y + 9, _WIDTH - _MARGIN, y + 9)
        canv.drawString(_MARGIN, y, left)
        canv.drawRightString(_WIDTH - _MARGIN, y, f"{n} / {total}")
        canv.drawString(_MARGIN, y - 10, f"{doc_label}: sha256 {doc_id}")
        canv.restoreState()

    def first_page(canv: Canvas, _doc: Any) -> None:
        pin_identity(canv, content.source.data_lock_point, doc_id)

    title = w.label("title")
    subject, keywords = content.source.pdf_info(month, doc_id)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=14 * mm,
        bottomMargin=22 * mm,
        title=f"{title} {month}",
        author=f"exointake report renderer {REPORT_RENDERER_VERSION}",
        subject=subject,
        keywords=keywords,
        creator="exointake",
        producer="exointake (reportlab)",
        invariant=1,
        lang=langs[0].value,
    )
    doc.build(content.story(), onFirstPage=first_page, canvasmaker=numbered_canvas(footer, pages))
    return buffer.getvalue(), pages[-1]
