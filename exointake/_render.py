"""Consent PDFs with reportlab platypus: *how* a consent document looks.

The renderer knows only the document layer (``_blocks``): :func:`render_documents`
takes assembled documents and their :class:`Imprint` (who, which template, what the
document was made from), checks that the chosen font can show every character (a
missing glyph is a :class:`~exointake.RenderError` naming the field, never tofu),
escapes all request text, and lays the document out on A4 with page numbers
``n / N`` and the patient id and document hash in every footer. Turning a request
into documents (the screening gate, the templates, the policy checks) is
``_consent_render``'s.

The bytes are deterministic: reportlab's invariant mode, the creation date
taken from the request, and the PDF ``/ID`` derived from the document hash.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from attrs import field, frozen
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.pdfdoc import DummyDoc, PDFArray, PDFDictionary, PDFName, PDFString, PDFText
from reportlab.pdfbase.ttfonts import TTFont
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

from ._blocks import (
    Block,
    Bullets,
    ConsentDocument,
    CoolingOffBox,
    Heading,
    KeyValues,
    Para,
    Run,
    SignatureBlock,
    SignatureParty,
    TableBlock,
    TemplateRef,
)
from ._common import JST, Lang, Route
from ._convert import canonical_json, sha256_hex
from ._errors import RenderError, ValidationError
from ._files import DEFAULT_MODE, Outputs

__all__ = [
    "MIN_FONT_SIZE",
    "DocumentStyles",
    "FontSpec",
    "Imprint",
    "RenderedConsent",
    "SignatureField",
    "check_glyphs",
    "check_text",
    "document_styles",
    "font_spec",
    "numbered_canvas",
    "paragraph",
    "pin_identity",
    "plain_markup",
    "render_documents",
]

RENDERER_VERSION = "4"
"""Bumped when the layout changes, so the document hash changes with it."""

MIN_FONT_SIZE = 8.0
"""JIS Z 8305: nothing on a consent document is smaller than 8 point."""

RED = colors.Color(0.85, 0, 0)
_CID_BODY = "HeiseiMin-W3"
_CID_BOLD = "HeiseiKakuGo-W5"


# ============================================================================ fonts


_NEVER = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})


@functools.cache
def _cid_covers(ch: str) -> bool:
    # Reportlab's CID fonts are not embedded: the viewer maps Unicode through
    # the UniJIS-UCS2-H CMap (Adobe-Japan1). JIS X 0208 plus the Windows
    # extensions (cp932) is the set every Japanese font behind it can show.
    if ch == "\n":
        return True
    if unicodedata.category(ch) in _NEVER:
        return False  # controls, format characters, private use (cp932's gaiji area)
    for codec in ("cp932", "shift_jis"):
        try:
            ch.encode(codec)
        except UnicodeEncodeError:
            continue
        return True
    return False


@frozen
class FontSpec:
    """The fonts a document is set in, and how to tell which characters they show."""

    body: str
    bold: str
    name: str
    covers: Callable[[str], bool] = field(eq=False, repr=False)
    embedded: bool = False

    @classmethod
    def builtin(cls) -> FontSpec:
        """Reportlab's Japanese CID fonts (HeiseiMin-W3 / HeiseiKakuGo-W5): nothing to embed."""
        for name in (_CID_BODY, _CID_BOLD):
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(UnicodeCIDFont(name))
        return cls(_CID_BODY, _CID_BOLD, "builtin-cid", _cid_covers)

    @classmethod
    def from_file(cls, path: str | Path, bold: str | Path | None = None) -> FontSpec:
        """Embed a TrueType/OpenType (TrueType outlines) font, e.g. IPAex Mincho.

        Args:
            path: the font file for body text.
            bold: an optional second file for headings (the body font otherwise).
        """
        body = _register_ttf(Path(path))
        heading = _register_ttf(Path(bold)) if bold is not None else body
        face_body = pdfmetrics.getFont(body).face
        face_bold = pdfmetrics.getFont(heading).face
        glyphs = frozenset(face_body.charToGlyph) & frozenset(face_bold.charToGlyph)

        def covers(ch: str) -> bool:
            if ch == "\n":
                return True
            return unicodedata.category(ch) not in _NEVER and ord(ch) in glyphs

        return cls(body, heading, f"{body}+{heading}", covers, embedded=True)


_TTF_NAMES: dict[str, str] = {}


def _register_ttf(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(
            [f"font: cannot read {path.name} ({exc.strerror})"], what="font"
        ) from None
    digest = hashlib.sha256(data).hexdigest()[:12]
    name = _TTF_NAMES.get(digest)
    if name is None:
        name = f"exo-{digest}"
        try:
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
        except Exception as exc:  # reportlab raises TTFError, struct.error, KeyError...
            raise ValidationError(
                [f"font: {path.name} is not a usable TrueType font ({type(exc).__name__})"],
                what="font",
            ) from None
        _TTF_NAMES[digest] = name
    return name


def font_spec(font: FontSpec | str | Path | None) -> FontSpec:
    """The fonts a ``font=`` argument names: None (the built-in CID fonts), a TrueType
    file (read once per process and file), or a :class:`FontSpec`."""
    if font is None:
        return FontSpec.builtin()
    if isinstance(font, FontSpec):
        return font
    path = Path(font)
    try:
        stat = path.stat()
    except OSError:
        return FontSpec.from_file(path)  # raises the ValidationError naming the file
    return _font_file_spec(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _font_file_spec(path: Path, size: int, mtime_ns: int) -> FontSpec:
    # Reading, hashing and indexing a Japanese font (IPAex: 4 MB, 12,000 glyphs) costs
    # more than a third of a render: do it once per process and font file, so that a
    # batch of renders with ``font=path`` loads the font once. Size and modification
    # time are part of the key: a font file replaced in place is read again.
    return FontSpec.from_file(path)


# ============================================================================ result


@frozen(repr=False)
class RenderedConsent:
    """A rendered consent (or summary) document and what proves which one it is."""

    pdf: bytes
    sha256: str
    """SHA-256 of :attr:`pdf`."""
    page_count: int
    template: TemplateRef
    request_sha256: str
    document_sha256: str
    """Hash of everything the document was made from (printed in every footer)."""
    consent_id: str
    patient_id: str
    kind: str = "consent"
    routes: tuple[Route, ...] = ()
    """The planned routes the consent covers (from the request)."""
    screening_result_ids: tuple[str, ...] = ()
    """The screenings the document relied on, one per planned route."""
    review_ids: tuple[str, ...] = ()
    """The recorded physician reviews the document relied on."""

    @property
    def template_version(self) -> str:
        """The consent template version the document was rendered from."""
        return self.template.version

    def __repr__(self) -> str:
        return (
            f"RenderedConsent(consent_id={self.consent_id!r}, kind={self.kind!r}, "
            f"pages={self.page_count}, sha256={self.sha256[:12]}…, "
            f"template={self.template.id} v{self.template.version})"
        )

    def write(self, path: str | Path, *, force: bool = False, mode: int = DEFAULT_MODE) -> Path:
        """Write the PDF to ``path`` by the rules of :class:`~exointake.Outputs`.

        A file already there is kept unless ``force`` (never a database, whatever
        ``force`` says); a symbolic link is not followed; the bytes reach ``path``
        whole or not at all; a new file gets ``mode`` (default ``0o600``: it names a
        patient). Raises :class:`~exointake.ValidationError` naming ``path`` otherwise.
        """
        return Outputs(force=force, mode=mode).write(path, self.pdf, flag="path")


# ============================================================================ styles


@frozen
class DocumentStyles:
    """The paragraph styles of a document in one language (nothing under 8 point)."""

    body: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    title: ParagraphStyle
    red: ParagraphStyle


def document_styles(fonts: FontSpec, lang: Lang) -> DocumentStyles:
    """The paragraph styles of a document set in ``fonts``, wrapped as ``lang`` wraps."""
    wrap = "CJK" if lang is Lang.JA else None
    body = ParagraphStyle(
        f"body-{lang}",
        fontName=fonts.body,
        fontSize=9.5,
        leading=14,
        wordWrap=wrap,
        spaceAfter=3,
        splitLongWords=1,
    )
    cell = ParagraphStyle(f"cell-{lang}", parent=body, fontSize=8.5, leading=12, spaceAfter=0)
    return DocumentStyles(
        body=body,
        cell=cell,
        cell_head=ParagraphStyle(f"cellh-{lang}", parent=cell, fontName=fonts.bold),
        h1=ParagraphStyle(
            f"h1-{lang}",
            parent=body,
            fontName=fonts.bold,
            fontSize=12,
            leading=16,
            spaceBefore=8,
            spaceAfter=4,
            textColor=colors.Color(0.1, 0.2, 0.4),
            keepWithNext=1,  # a heading never sits alone at the foot of a page
        ),
        h2=ParagraphStyle(
            f"h2-{lang}",
            parent=body,
            fontName=fonts.bold,
            fontSize=10.5,
            leading=14,
            spaceBefore=4,
            spaceAfter=2,
            keepWithNext=1,
        ),
        title=ParagraphStyle(
            f"title-{lang}",
            parent=body,
            fontName=fonts.bold,
            fontSize=16,
            leading=22,
            alignment=TA_CENTER,
            spaceAfter=6,
        ),
        red=ParagraphStyle(
            f"red-{lang}",
            parent=body,
            fontSize=10.5,
            leading=15,
            textColor=RED,
            spaceAfter=4,
        ),
    )


# ============================================================================ text


_IDEOGRAPHIC_SPACE = "\u3000"
_IDEOGRAPHIC_SPACE_REF = "&#12288;"


def _markup(runs: Iterable[Run], bold_font: str) -> str:
    """Reportlab paragraph markup for runs (:func:`plain_markup`), bold runs in the bold font."""
    parts = []
    for run in runs:
        text = plain_markup(run.text)
        if run.bold:
            text = f'<font face="{bold_font}">{text}</font>'
        parts.append(text)
    return "".join(parts)


def plain_markup(text: str) -> str:
    """Paragraph markup showing ``text`` as it is: every character escaped, newlines kept.

    Spaces are typeset the way HTML does it, deliberately: a run of ASCII spaces or
    tabs prints as one space, and none prints at the start or end of a line. The
    full-width space U+3000 is a character of Japanese text (``山田　花子``), not
    layout: it is kept, one for one. Reportlab would collapse it with the ASCII
    spaces, so it goes in as a character reference, which its whitespace cleaning
    does not touch (:func:`paragraph` wraps such a paragraph so that it stays).
    """
    return escape(text).replace("\n", "<br/>").replace(_IDEOGRAPHIC_SPACE, _IDEOGRAPHIC_SPACE_REF)


def paragraph(markup: str, style: ParagraphStyle, **kwargs: Any) -> Paragraph:
    """A paragraph of ``markup``; one holding a full-width space is wrapped the CJK way.

    Reportlab's Western line breaking treats U+3000 as a word gap and drops it; its
    CJK breaking keeps every character. Only a paragraph that holds one (a Japanese
    name in an English document, say) is wrapped the CJK way.
    """
    if _IDEOGRAPHIC_SPACE_REF in markup and style.wordWrap != "CJK":
        style = ParagraphStyle(f"{style.name}-cjk", parent=style, wordWrap="CJK")
    return Paragraph(markup, style, **kwargs)


def check_text(text: str, where: str, fonts: FontSpec) -> None:
    """Raise :class:`RenderError` naming ``where`` when ``fonts`` cannot show a character
    of ``text`` (never tofu: a missing glyph is an error, not a blank box)."""
    covers = fonts.covers
    missing = sorted(ch for ch in set(text) if not covers(ch))
    if missing:
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise RenderError(
            f"{where}: {len(missing)} character(s) cannot be shown by font {fonts.name} "
            f"({shown}{more}); use another font (font=...) or change the text"
        )


def _doc_texts(doc: ConsentDocument) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of text in a document."""
    yield "template.title", doc.title
    for label, runs in doc.header_lines:
        yield "template", label
        yield from _runs_texts(runs)
    for section in doc.sections:
        yield "template", section.title
        for block in section.blocks:
            yield from _block_texts(block)


def _runs_texts(runs: Iterable[Run]) -> Iterator[tuple[str, str]]:
    for run in runs:
        yield (run.field or "template"), run.text


def _block_texts(block: Block) -> Iterator[tuple[str, str]]:
    if isinstance(block, Heading):
        yield "template", block.text
    elif isinstance(block, Para):
        yield from _runs_texts(block.runs)
    elif isinstance(block, Bullets):
        for item in block.items:
            yield from _runs_texts(item)
    elif isinstance(block, KeyValues):
        for label, runs in block.rows:
            yield "template", label
            yield from _runs_texts(runs)
    elif isinstance(block, TableBlock):
        if block.caption is not None:
            yield "template", block.caption
        for h in block.header:
            yield "template", h
        for row in block.rows:
            for cell in row:
                yield from _runs_texts(cell)
    elif isinstance(block, CoolingOffBox):
        for para in block.paras:
            yield from _runs_texts(para)
    elif isinstance(block, SignatureBlock):
        for party in block.parties:
            for text in (party.label, party.statement, party.date_label, party.date_hint):
                yield "template", text
            yield from _runs_texts(party.name)


def check_glyphs(doc: ConsentDocument, fonts: FontSpec) -> None:
    """Raise :class:`RenderError` naming the first field with a character the font lacks."""
    for where, text in _doc_texts(doc):
        check_text(text, where, fonts)


# ============================================================================ flowables


class SignatureField(Flowable):  # type: ignore[misc]
    """A framed box carrying an unsigned AcroForm signature field (``/FT /Sig``)."""

    def __init__(self, name: str, width: float, height: float) -> None:
        super().__init__()
        self.name = name
        self.width = width
        self.height = height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = min(self.width, avail_width)
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(colors.Color(0.4, 0.4, 0.4))
        canv.setLineWidth(0.6)
        canv.rect(0, 0, self.width, self.height)
        canv.restoreState()
        x, y = canv.absolutePosition(0, 0)
        rect = PDFArray([round(v, 2) for v in (x, y, x + self.width, y + self.height)])
        widget = PDFDictionary(
            {
                "FT": PDFName("Sig"),
                "Type": PDFName("Annot"),
                "Subtype": PDFName("Widget"),
                "F": 4,
                "T": PDFString(self.name),
                "Rect": rect,
            }
        )
        canv._addAnnotation(widget)
        form = canv.acroForm
        form.fields.append(form.getRef(widget))


def numbered_canvas(footer: Callable[[Canvas, int, int], None], pages: list[int]) -> type[Canvas]:
    """A canvas that draws footers once the page total is known ("n / N")."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            pages.append(total)
            for n, state in enumerate(self._saved, 1):
                self.__dict__.update(state)
                footer(self, n, total)
                super().showPage()
            super().save()

    return NumberedCanvas


# ============================================================================ layout


_WIDTH, _HEIGHT = A4
_MARGIN = 18 * mm
_TEXT_WIDTH = _WIDTH - 2 * _MARGIN


def _kv_table(block: KeyValues, st: DocumentStyles, fonts: FontSpec) -> Table:
    data = [
        [
            paragraph(plain_markup(label), st.cell_head),
            paragraph(_markup(runs, fonts.bold), st.cell),
        ]
        for label, runs in block.rows
    ]
    # Rows of template text alone are never cut; a row holding request text may be
    # (a long value must still fit on the page).
    split = int(any(r.field is not None for _, runs in block.rows for r in runs))
    table = Table(
        data, colWidths=[_TEXT_WIDTH * 0.3, _TEXT_WIDTH * 0.7], splitInRow=split, hAlign="LEFT"
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.Color(0.6, 0.6, 0.6)),
                ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.94, 0.95, 0.97)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _grid_table(block: TableBlock, st: DocumentStyles, fonts: FontSpec) -> Table:
    data: list[list[Paragraph]] = [[paragraph(plain_markup(h), st.cell_head) for h in block.header]]
    data += [[paragraph(_markup(cell, fonts.bold), st.cell) for cell in row] for row in block.rows]
    table = Table(
        data,
        colWidths=[_TEXT_WIDTH * w for w in block.widths],
        repeatRows=1,
        splitInRow=int(any(r.field is not None for row in block.rows for c in row for r in c)),
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.Color(0.5, 0.5, 0.5)),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.9, 0.95)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _cooling_box(block: CoolingOffBox, st: DocumentStyles, fonts: FontSpec) -> Table:
    inner = [[paragraph(_markup(p, fonts.bold), st.red)] for p in block.paras]
    table = Table(inner, colWidths=[_TEXT_WIDTH - 4], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 2, RED),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                # room for closing punctuation that kinsoku lets hang past the line end
                ("RIGHTPADDING", (0, 0), (-1, -1), 16),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ]
        )
    )
    return table


def _signatures(block: SignatureBlock, st: DocumentStyles, fonts: FontSpec) -> list[Flowable]:
    out: list[Flowable] = []
    for party in block.parties:
        rows = [
            [paragraph(plain_markup(party.statement), st.cell), ""],
            [
                paragraph(plain_markup(party.label), st.cell_head),
                paragraph(_markup(party.name, fonts.bold), st.cell),
            ],
            [paragraph("", st.cell), SignatureField(f"sig_{party.role}", 95 * mm, 13 * mm)],
            [
                paragraph(plain_markup(party.date_label), st.cell_head),
                paragraph(plain_markup(party.date_hint), st.cell),
            ],
        ]
        table = Table(rows, colWidths=[_TEXT_WIDTH * 0.3, _TEXT_WIDTH * 0.7], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("SPAN", (0, 0), (1, 0)),
                    ("BOX", (0, 0), (-1, -1), 0.6, colors.Color(0.4, 0.4, 0.4)),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        out += [KeepTogether([table]), Spacer(1, 4 * mm)]
    return out


def _block_flowables(
    block: Block, st: DocumentStyles, fonts: FontSpec, lang: Lang
) -> list[Flowable]:
    if isinstance(block, Heading):
        return [paragraph(plain_markup(block.text), st.h2 if block.level > 1 else st.h1)]
    if isinstance(block, Para):
        return [paragraph(_markup(block.runs, fonts.bold), st.body)]
    if isinstance(block, Bullets):
        bullet = ParagraphStyle(
            f"{st.body.name}-bullet",
            parent=st.body,
            leftIndent=12,
            bulletIndent=2,
            bulletFontName=fonts.body,  # the default (Helvetica) has no "・": it would be tofu
        )
        return [
            paragraph(
                _markup(item, fonts.bold), bullet, bulletText="・" if lang is Lang.JA else "-"
            )
            for item in block.items
        ]
    if isinstance(block, KeyValues):
        return [_kv_table(block, st, fonts), Spacer(1, 2 * mm)]
    if isinstance(block, TableBlock):
        grid: Flowable = _grid_table(block, st, fonts)
        if block.caption is not None:  # a heading style: kept with the table
            return [paragraph(plain_markup(block.caption), st.h2), grid, Spacer(1, 2 * mm)]
        return [grid, Spacer(1, 2 * mm)]
    if isinstance(block, CoolingOffBox):
        return [
            Spacer(1, 1 * mm),
            KeepTogether([_cooling_box(block, st, fonts)]),
            Spacer(1, 2 * mm),
        ]
    return _signatures(block, st, fonts)


def _story(docs: tuple[ConsentDocument, ...], fonts: FontSpec) -> list[Flowable]:
    styles = {d.lang: document_styles(fonts, d.lang) for d in docs}
    first = styles[docs[0].lang]
    story: list[Flowable] = [
        paragraph(plain_markup(" / ".join(d.title for d in docs)), first.title)
    ]
    for d in docs:
        st = styles[d.lang]
        rows = tuple((label, runs) for label, runs in d.header_lines)
        story += [_kv_table(KeyValues(rows), st, fonts), Spacer(1, 2 * mm)]
    keys = [s.key for s in docs[0].sections]
    by_key = [{s.key: s for s in d.sections} for d in docs]
    for key in keys:
        story.append(CondPageBreak(40 * mm))
        signatures: list[SignatureBlock] = []
        for d, sections in zip(docs, by_key, strict=True):
            st = styles[d.lang]
            section = sections[key]
            title: Flowable | None = paragraph(plain_markup(section.title), st.h1)
            for block in section.blocks:
                if isinstance(block, SignatureBlock):
                    signatures.append(block)  # one set of signatures, whatever the languages
                    continue
                flowables = _block_flowables(block, st, fonts, d.lang)
                if title is not None and isinstance(block, CoolingOffBox):
                    # the heading goes to the next page with its red frame, never alone at the
                    # foot of one (keepWithNext would only bind it to the spacer before the box)
                    box = _cooling_box(block, st, fonts)
                    story += [KeepTogether([title, Spacer(1, 1 * mm), box]), flowables[-1]]
                    title = None
                    continue
                if title is not None:
                    story.append(title)
                    title = None
                story += flowables
            if title is not None:
                story.append(title)
        if signatures:
            story += _signatures(_merge_signatures(signatures), first, fonts)
    return story


def _merge_signatures(blocks: list[SignatureBlock]) -> SignatureBlock:
    """One signature block whose labels carry every language, one per line."""
    if len(blocks) == 1:
        return blocks[0]
    parties = []
    for same in zip(*(b.parties for b in blocks), strict=True):
        head = same[0]
        parties.append(
            SignatureParty(
                head.role,
                "\n".join(p.label for p in same),
                head.name,
                "\n".join(p.statement for p in same),
                "\n".join(p.date_label for p in same),
                "\n".join(p.date_hint for p in same),
            )
        )
    return SignatureBlock(tuple(parties))


@frozen
class Imprint:
    """What a rendered document says about itself besides its blocks.

    The footer and the PDF metadata print it, the document hash covers it, and
    :class:`RenderedConsent` hands it back; the caller (``_consent_render``) takes it
    from the request and the template.
    """

    kind: str
    consent_id: str
    patient_id: str
    request_sha256: str
    document_at: dt.datetime
    """When the document is dated: the PDF creation date (shown in JST)."""
    template: TemplateRef
    made_from: Mapping[str, str]
    """Content hashes of what the document was assembled from, by name."""
    patient_id_label: str
    document_id_label: str
    routes: tuple[Route, ...] = ()
    screening_result_ids: tuple[str, ...] = ()
    review_ids: tuple[str, ...] = ()


def _document_sha256(imprint: Imprint, *, langs: tuple[Lang, ...], fonts: FontSpec) -> str:
    return sha256_hex(
        canonical_json(
            {
                "renderer": RENDERER_VERSION,
                "kind": imprint.kind,
                "request": imprint.request_sha256,
                **imprint.made_from,
                "languages": [lang.value for lang in langs],
                "font": fonts.name,
            }
        )
    )


def _pdf_date(at: dt.datetime) -> str:
    local = at.astimezone(JST)
    return f"D:{local:%Y%m%d%H%M%S}+09'00'"


def pin_identity(canv: Canvas, at: dt.datetime, document_sha256: str) -> None:
    """Make the PDF's bytes a function of its content: its dates say ``at`` (shown in JST)
    and its ``/ID`` is the first 16 bytes of ``document_sha256``.

    Call it from the first page's hook (``onFirstPage``) of a document built with
    reportlab's ``invariant=1``.
    """
    canv.setDateFormatter(lambda *_: _pdf_date(at))
    digest = bytes.fromhex(document_sha256)[:16]
    ident = PDFText(digest, enc="raw").format(DummyDoc())
    canv._doc._ID = b"\n[" + ident + ident + b"]\n"


def _build(
    imprint: Imprint,
    *,
    docs: tuple[ConsentDocument, ...],
    fonts: FontSpec,
    document_sha256: str,
) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    pages: list[int] = []
    footer_style_font = fonts.body
    tx_patient = imprint.patient_id_label
    hash_label = imprint.document_id_label
    patient_id = imprint.patient_id
    template = imprint.template

    def footer(canv: Canvas, n: int, total: int) -> None:
        canv.saveState()
        canv.setFont(footer_style_font, MIN_FONT_SIZE)
        canv.setFillColor(colors.Color(0.25, 0.25, 0.25))
        canv.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
        canv.setLineWidth(0.4)
        y = 12 * mm
        canv.line(_MARGIN, y + 9, _WIDTH - _MARGIN, y + 9)
        left = f"{tx_patient}: {patient_id}"
        max_w = _TEXT_WIDTH - 40 * mm
        while pdfmetrics.stringWidth(left, footer_style_font, MIN_FONT_SIZE) > max_w:
            left = left[:-2] + "…"
        canv.drawString(_MARGIN, y, left)
        canv.drawRightString(_WIDTH - _MARGIN, y, f"{n} / {total}")
        canv.drawString(_MARGIN, y - 10, f"{hash_label}: sha256 {document_sha256}")
        canv.restoreState()

    def first_page(canv: Canvas, _doc: Any) -> None:
        pin_identity(canv, imprint.document_at, document_sha256)

    title = " / ".join(d.title for d in docs)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=16 * mm,
        bottomMargin=24 * mm,
        title=title,
        author=f"exointake renderer {RENDERER_VERSION}",
        subject=f"{imprint.kind} {imprint.consent_id}; patient {patient_id}",
        keywords=(
            f"template={template.id} v{template.version} sha256={template.sha256}; "
            f"request_sha256={imprint.request_sha256}; document_sha256={document_sha256}"
        ),
        creator="exointake",
        producer="exointake (reportlab)",
        invariant=1,
        lang=docs[0].lang.value,
    )
    story = _story(docs, fonts)
    doc.build(
        story,
        onFirstPage=first_page,
        canvasmaker=numbered_canvas(footer, pages),
    )
    return buffer.getvalue(), pages[-1]


def render_documents(
    docs: tuple[ConsentDocument, ...], imprint: Imprint, fonts: FontSpec
) -> RenderedConsent:
    """Lay ``docs`` (one per language, printed in that order) out as one PDF.

    Raises:
        RenderError: the font cannot show a character; the message names the field.
    """
    for d in docs:
        check_glyphs(d, fonts)
    langs = tuple(d.lang for d in docs)
    doc_hash = _document_sha256(imprint, langs=langs, fonts=fonts)
    pdf, pages = _build(imprint, docs=docs, fonts=fonts, document_sha256=doc_hash)
    return RenderedConsent(
        pdf=pdf,
        sha256=sha256_hex(pdf),
        page_count=pages,
        template=imprint.template,
        request_sha256=imprint.request_sha256,
        document_sha256=doc_hash,
        consent_id=imprint.consent_id,
        patient_id=imprint.patient_id,
        kind=imprint.kind,
        routes=imprint.routes,
        screening_result_ids=imprint.screening_result_ids,
        review_ids=imprint.review_ids,
    )
