"""Consent PDFs: every required item in each language, layout rules, fonts, determinism."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

import exointake
from exointake._blocks import CoolingOffBox
from exointake._consent import ConsentRequest
from exointake._consent_render import render_consent, render_summary
from exointake._consent_template import load_template
from exointake._document import assemble
from exointake._render import (
    MIN_FONT_SIZE,
    RED,
    FontSpec,
    _cooling_box,
    document_styles,
)
from exointake._vocabulary import load_severity_table
from exointake.strategies import consent_requests

from .consent_helpers import (
    consent_fields,
    example_data,
    free_text_limits,
    pdf_text,
    request_with,
    sample_answers,
    screening_of,
    squash,
)

IPAEX_MINCHO = Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf")
needs_ipaex = pytest.mark.skipif(not IPAEX_MINCHO.exists(), reason="fonts-ipaexfont not installed")
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed"
)

# Domain contract §5: phrases that prove each required item is on the page, per language.
REQUIRED = {
    "ja": {
        "5.1 parties and date": [
            "医療機関",
            "担当医師",
            "患者氏名",
            "ふりがな",
            "生年月日",
            "作成日時",
        ],
        "5.1 versions": ["同意書テンプレート", "exosome-consent v3"],
        "5.2 treatment": [
            "投与方法",
            "部位",
            "治療計画",
            "由来",
            "製造元",
            "国産・輸入",
            "濃度",
            "ロット",
            "保管",
        ],
        "5.3 status": [
            "未承認",
            "再生医療等安全性確保法）の対象になりません",
            "長期的な安全性は確立していません",
            "2024年7月31日",
            "責任",
        ],
        "5.4 money": [
            "自由診療",
            "全額自己負担",
            "公的医療保険",
            "医療費控除",
            "税込",
            "消費税",
            "総額",
            "解約・キャンセルの条件",
            "施術の前にご説明",
        ],
        "5.4 disclosures": [
            "未承認医薬品等であること",
            "入手経路",
            "国内の承認医薬品等の有無",
            "諸外国における安全性",
            "医薬品副作用被害救済制度の対象外",
            "個人差",
        ],
        "5.5 risks": [
            "注入部位の症状",
            "アレルギー反応",
            "アナフィラキシー反応",
            "比較的よくある",
            "稀",
            "極めて稀",
            "対応",
            "あなたの問診の結果",
        ],
        "5.6 rights": ["ほかの選択肢", "何も治療をしない", "撤回", "不利益", "質問"],
        "5.7 cooling-off": ["クーリング・オフ", "8日", "十分にお読みください"],
        "5.8 contact and signatures": ["緊急連絡先", "患者 署名", "医師 署名", "令和", "西暦"],
    },
    "en": {
        "5.1 parties and date": [
            "Clinic",
            "Physician",
            "Patient name",
            "Name (kana)",
            "Date of birth",
            "Document date",
        ],
        "5.1 versions": ["Consent template", "exosome-consent v3"],
        "5.2 treatment": [
            "Route",
            "Site",
            "Plan",
            "Origin",
            "Maker",
            "Domestic or imported",
            "Concentration",
            "Lot",
            "Storage",
        ],
        "5.3 status": [
            "unapproved",
            "outside the Act on the Safety of Regenerative Medicine",
            "long-term safety are not established",
            "31 July 2024",
            "responsibility",
        ],
        "5.4 money": [
            "free-pay",
            "full cost yourself",
            "public health insurance",
            "medical-expense tax deduction",
            "tax included",
            "consumption tax",
            "Total for the plan",
            "Cancellation terms",
            "before the procedure",
        ],
        "5.4 disclosures": [
            "Unapproved product",
            "How it was obtained",
            "Approved equivalent in Japan",
            "Safety information from other countries",
            "Relief System for Adverse Drug Reactions",
            "vary between individuals",
        ],
        "5.5 risks": [
            "injection-site reaction",
            "allergic reaction",
            "anaphylaxis",
            "relatively common",
            "rare",
            "extremely rare",
            "What to do",
            "Your screening result",
        ],
        "5.6 rights": [
            "Alternatives",
            "no treatment at all",
            "withdraw",
            "without any disadvantage",
            "ask",
        ],
        "5.7 cooling-off": ["cooling-off", "8 days", "read the contract document carefully"],
        "5.8 contact and signatures": [
            "Emergency contact",
            "Patient signature",
            "Physician signature",
            "Reiwa",
            "Western",
        ],
    },
}


@pytest.fixture(scope="module")
def example() -> ConsentRequest:
    return ConsentRequest.from_dict(example_data())


def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


class TestRequiredItems:
    @pytest.mark.parametrize("lang", ["ja", "en"])
    def test_every_item_in_each_language(self, example: ConsentRequest, lang: str) -> None:
        """Every §5 item of the domain contract is in the document, in each language."""
        text = squash(pdf_text(render_consent(example, language=lang).pdf))
        for item, phrases in REQUIRED[lang].items():
            for phrase in phrases:
                assert squash(phrase) in text, f"{lang} {item}: {phrase!r} missing"

    def test_bilingual_has_both(self, example: ConsentRequest) -> None:
        """A ja+en document carries every item in both languages."""
        text = squash(pdf_text(render_consent(example, language="ja+en").pdf))
        for lang in ("ja", "en"):
            for phrases in REQUIRED[lang].values():
                for phrase in phrases:
                    assert squash(phrase) in text

    def test_request_values_shown(self, example: ConsentRequest) -> None:
        """The request's own values (names, prices with tax, dates in both calendars) are shown."""
        text = squash(pdf_text(render_consent(example, language="ja").pdf))
        for value in consent_fields(example).values():
            assert squash(value) in text
        assert "88,000円" in text
        assert "うち消費税8,000円" in text  # the tax inside 88,000 yen at 10%
        assert "363,000円" in text  # 4 x 88,000 + related goods 11,000
        assert "平成2年3月3日（1990-03-03）" in text
        assert "令和8年11月25日（2026-11-25）" in text

    @pytest.mark.parametrize("lang", ["ja", "en"])
    def test_severity_table_from_grading_data(self, example: ConsentRequest, lang: str) -> None:
        """Every cell of the grading severity table is on the page, in each language."""
        text = squash(pdf_text(render_consent(example, language=lang).pdf))
        for row in load_severity_table().rows:
            for cell in (row.label, row.frequency, row.symptoms, row.guidance):
                assert squash(cell.get(lang)) in text

    def test_patient_findings_shown_not_staff_notes(self, example: ConsentRequest) -> None:
        """The patient's cautions and the answers that raised them appear; staff notes do not."""
        text = squash(pdf_text(render_consent(example, language="en").pdf))
        assert squash("Please tell the physician about your drug allergy") in text
        assert squash("Have you ever had an allergic reaction to a medicine?") in text
        for finding in example.screening.findings:
            assert squash(finding.staff_message.en) not in text

    def test_unrelated_free_text_not_shown(self, example: ConsentRequest) -> None:
        """Free-text answers that raised no caution never reach the document."""
        data = example_data()
        data["screening"] = screening_of(
            {**sample_answers("review.json"), "current_medications": "ワルファリン毎朝"},
            "injection_face",
        )
        text = squash(pdf_text(render_consent(ConsentRequest.from_dict(data)).pdf))
        assert "ワルファリン毎朝" not in text

    def test_missing_answers_named(self) -> None:
        """An undecided finding names the question left unanswered, never an empty cell."""
        request = request_with(
            screening=screening_of("contraindicated.json", "injection_face"),
            override={"physician_id": "D-017", "reason": "x", "at": "2026-11-24T18:00:00+09:00"},
        )
        text = squash(pdf_text(render_consent(request, language="en").pdf))
        assert squash("where the injection will go? → not answered") in text
        assert squash("allergic reaction to a food? → don't know") in text

    @pytest.mark.parametrize(
        ("lang", "claim", "neutral"),
        [
            ("ja", "次の回答について、医師が確認しました。", "次の回答には注意が必要です。"),
            (
                "en",
                "The physician has checked the following answers:",
                "The following answers call for caution:",
            ),
        ],
    )
    def test_the_physician_checked_only_with_a_recorded_review(
        self, example: ConsentRequest, lang: str, claim: str, neutral: str
    ) -> None:
        """Without a review id the answers are listed without saying the physician checked
        them; with one (which the log checks when it records the consent) it says so."""
        assert example.review_ids == ()  # the example relies on no review
        text = squash(pdf_text(render_consent(example, language=lang).pdf))
        assert squash(neutral) in text
        assert squash(claim) not in text
        reviewed = request_with(review_ids=["RV-1"])
        text = squash(pdf_text(render_consent(reviewed, language=lang).pdf))
        assert squash(claim) in text
        assert squash(neutral) not in text

    def test_no_findings_sentence(self) -> None:
        """A clear screening says that no answer called for caution."""
        request = request_with(screening=screening_of("clear.json", "injection_face"))
        text = squash(pdf_text(render_consent(request, language="en").pdf))
        assert squash("No answer in your questionnaire called for caution") in text


class TestCoolingOffBlock:
    def test_present_when_covered(self, example: ConsentRequest) -> None:
        """A covered, multi-session plan over ¥50,000 gets the cooling-off text."""
        text = squash(pdf_text(render_consent(example, language="ja").pdf))
        assert squash("受け取った日を含めて8日以内") in text

    def test_absent_otherwise(self) -> None:
        """An uncovered plan has no cooling-off text at all."""
        request = request_with(treatment__plan__cooling_off_covered=False)
        text = squash(pdf_text(render_consent(request, language="ja").pdf))
        assert "クーリング・オフ" not in text
        assert "8日以内" not in text

    def test_red_letters_in_red_frame(self, example: ConsentRequest) -> None:
        """The box is framed in red and every paragraph in it is set in red, at least 8 pt."""
        doc = assemble(example, load_template(), exointake.Lang.JA)
        box = next(b for s in doc.sections for b in s.blocks if isinstance(b, CoolingOffBox))
        fonts = FontSpec.builtin()
        table = _cooling_box(box, document_styles(fonts, exointake.Lang.JA), fonts)
        frame = [cmd for cmd in table._bkgrndcmds + table._linecmds if cmd[0] == "BOX"]
        assert frame
        assert frame[0][4] == RED
        for (cell,) in table._cellvalues:
            assert cell.style.textColor == RED
            assert cell.style.fontSize >= MIN_FONT_SIZE

    def test_red_is_drawn(self, example: ConsentRequest) -> None:
        """The red colour is actually used in the page content (text fill and stroke)."""
        reader = _reader(render_consent(example, language="ja").pdf)
        content = b"".join(page.get_contents().get_data() for page in reader.pages)
        assert b".85 0 0 rg" in content  # red text
        assert b".85 0 0 RG" in content  # red frame

    def test_summary_document(self, example: ConsentRequest) -> None:
        """A covered plan also gets the 概要書面 with the cooling-off notice; others do not."""
        summary = render_summary(example, language="ja")
        text = squash(pdf_text(summary.pdf))
        assert "概要書面" in text
        assert squash("8日以内") in text
        with pytest.raises(exointake.ValidationError, match="cooling_off_covered"):
            render_summary(request_with(treatment__plan__cooling_off_covered=False))


class TestLayout:
    def test_minimum_font_size(self, example: ConsentRequest) -> None:
        """No text anywhere is set smaller than 8 pt."""
        sizes: list[float] = []

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            if text.strip():
                sizes.append(size * abs(tm[3]) * abs(cm[3]) if tm[3] and cm[3] else size)

        for page in _reader(render_consent(example, language="ja+en").pdf).pages:
            page.extract_text(visitor_text=visit)
        assert sizes
        assert min(sizes) >= MIN_FONT_SIZE

    def test_every_text_in_the_chosen_fonts(self, example: ConsentRequest) -> None:
        """All text, bullets included, is set in the Japanese fonts, never a Latin-only fallback."""
        used: set[str] = set()

        def visit(text: str, cm: object, tm: object, font: object, size: float) -> None:
            if text.strip() and isinstance(font, dict):
                used.add(str(font.get("/BaseFont")))

        for lang in ("ja", "en"):
            for page in _reader(render_consent(example, language=lang).pdf).pages:
                page.extract_text(visitor_text=visit)
        assert used == {"/HeiseiMin-W3", "/HeiseiKakuGo-W5"}

    def test_footer_on_every_page(self, example: ConsentRequest) -> None:
        """Every page shows the patient id, the document hash and "n / N"."""
        rendered = render_consent(example)
        pages = _reader(rendered.pdf).pages
        assert len(pages) == rendered.page_count > 1
        for n, page in enumerate(pages, 1):
            text = page.extract_text()
            assert "P-0002" in text
            assert rendered.document_sha256 in squash(text)
            assert f"{n} / {rendered.page_count}" in text

    def test_a4(self, example: ConsentRequest) -> None:
        """Pages are A4 (595 x 842 pt)."""
        page = _reader(render_consent(example).pdf).pages[0]
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)

    def test_signature_fields(self) -> None:
        """Patient, guardian (minor) and physician each get one AcroForm signature field."""
        request = request_with(
            patient__birth_date="2010-01-01",
            patient__guardian={
                "name": "山田 一郎",
                "name_kana": "やまだ いちろう",
                "relationship": "父",
            },
        )
        fields = _reader(render_consent(request).pdf).get_fields() or {}
        assert sorted(fields) == ["sig_guardian", "sig_patient", "sig_physician"]
        assert all(f.get("/FT") == "/Sig" for f in fields.values())

    def test_adult_has_no_guardian_field(self, example: ConsentRequest) -> None:
        """An adult's document has no guardian signature field."""
        fields = _reader(render_consent(example).pdf).get_fields() or {}
        assert sorted(fields) == ["sig_patient", "sig_physician"]

    def test_markup_is_literal(self) -> None:
        """Markup-like input is shown as typed and never changes the layout."""
        tricky = '<b>太字</b> & <font size="40">大</font> </para> &amp; <br/>'
        request = request_with(patient__name=tricky, clinic__address=tricky + "住所")
        text = pdf_text(render_consent(request, language="ja").pdf)
        assert squash(tricky) in squash(text)

    @needs_poppler
    @pytest.mark.parametrize("lang", ["ja", "en"])
    def test_long_values_stay_on_the_page(self, tmp_path: Path, lang: str) -> None:
        """Very long names and addresses wrap inside their cells: no word runs off the page."""
        request = request_with(  # each at its maximum length (exointake._limits)
            patient__name=("寿限無寿限無五劫の擦り切れ" * 12)[:100],
            patient__name_kana=("じゅげむじゅげむごこうのすりきれ" * 10)[:100],
            clinic__address=("Unbreakable" * 30)[:290] + " 東京都千代田区",
            prices__cancellation_terms="長い条件。" * 400,
            product__maker="X" * 200,
        )
        rendered = render_consent(request, language=lang)
        pdf = tmp_path / "long.pdf"
        rendered.write(pdf)
        out = subprocess.run(
            ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        words = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', out
        )
        assert words
        for x0, y0, x1, y1 in words:
            assert float(x0) >= 0
            assert float(x1) <= 595.3 - 40, (x0, x1)  # inside the right margin (18 mm)
            assert float(y0) >= 0
            assert float(y1) <= 842
        text = squash(pdf_text(rendered.pdf))
        assert squash(("寿限無寿限無五劫の擦り切れ" * 12)[:100]) in text
        assert text.count("X") >= 200  # a row may split across pages, never lose text

    def test_every_text_at_its_limit_renders(self) -> None:
        """Every free text of a request at its maximum length lays out (no LayoutError) in
        seconds, in both languages at once."""
        data = example_data()
        data["product"]["lot"] = "L"
        data["patient"]["guardian"] = {"name": "N", "name_kana": "K", "relationship": "R"}
        data["contract"]["special_terms"] = ["T", "T"]
        data["contract"]["advance_payment_protection"] = "P"
        filled = 0
        for path, limit in free_text_limits(data):
            node: Any = data
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = "長" * limit
            filled += 1
        assert filled >= 27
        request = ConsentRequest.from_dict(data)
        started = time.perf_counter()
        rendered = render_consent(request, language="ja+en")
        assert time.perf_counter() - started < 30
        assert rendered.page_count < 40


class TestSpaces:
    """Request text prints as given, with spaces typeset like HTML (render-a-consent guide)."""

    @pytest.mark.parametrize("lang", ["ja", "en", "ja+en"])
    @pytest.mark.parametrize("name", ["山田　花子", "山田　　花子", "　山田花子　"])
    def test_full_width_space_is_a_character(self, lang: str, name: str) -> None:
        """U+3000 is kept one for one, in the middle and at the ends, in every language."""
        text = pdf_text(render_consent(request_with(patient__name=name), language=lang).pdf)
        assert name in text

    @pytest.mark.parametrize("lang", ["ja", "en"])
    def test_ascii_spaces_are_typeset(self, lang: str) -> None:
        """A run of ASCII spaces prints as one space; none at either end of a field."""
        request = request_with(clinic__address="  東京都    千代田区   1-1  ")
        lines = pdf_text(render_consent(request, language=lang).pdf).splitlines()
        shown = [line for line in lines if "千代田区" in line]
        assert shown
        assert all(line.endswith("東京都 千代田区 1-1") for line in shown), shown

    def test_line_breaks_are_kept(self) -> None:
        """A newline in a field starts a new line in the document."""
        request = request_with(clinic__address="東京都千代田区\n1-1 ビル3階")
        lines = pdf_text(render_consent(request, language="ja").pdf).splitlines()
        assert any(line.endswith("東京都千代田区") for line in lines)
        assert "1-1 ビル3階" in lines


class TestFonts:
    def test_missing_glyph_names_the_field(self) -> None:
        """A character the built-in fonts cannot show is a RenderError naming the field."""
        request = request_with(patient__name="𠮷野 家")  # U+20BB7 is outside JIS X 0208
        with pytest.raises(exointake.RenderError, match=r"patient\.name: 1 character") as info:
            render_consent(request)
        assert "𠮷" not in str(info.value)

    def test_private_use_is_refused(self) -> None:
        """Private-use (gaiji) characters are refused, never drawn as tofu."""
        with pytest.raises(exointake.RenderError, match=r"clinic\.address"):
            render_consent(request_with(clinic__address="東京\ue000"))

    @needs_ipaex
    def test_embedded_font(self, example: ConsentRequest) -> None:
        """An IPAex TrueType font is embedded (subset) and the text stays extractable."""
        rendered = render_consent(example, font=IPAEX_MINCHO, language="ja")
        reader = _reader(rendered.pdf)
        fonts = reader.pages[0]["/Resources"]["/Font"]
        embedded = [f for f in fonts.values() if "IPAex" in str(f.get_object().get("/BaseFont"))]
        assert embedded
        assert squash("山田花子") in squash(pdf_text(rendered.pdf))
        assert render_consent(example, font=IPAEX_MINCHO, language="ja").pdf == rendered.pdf

    @needs_ipaex
    def test_embedded_font_missing_glyph(self) -> None:
        """With an embedded font too, a character it lacks names the field."""
        request = request_with(treatment__site="顔🙂")
        with pytest.raises(exointake.RenderError, match=r"treatment\.site"):
            render_consent(request, font=IPAEX_MINCHO)

    def test_unreadable_font_file(self, tmp_path: Path, example: ConsentRequest) -> None:
        """A font path that is not a TrueType font is bad input, not a traceback."""
        bad = tmp_path / "bad.ttf"
        bad.write_bytes(b"not a font")
        with pytest.raises(exointake.ValidationError, match="font"):
            render_consent(example, font=bad)


class TestDeterminism:
    def test_same_request_same_bytes(self, example: ConsentRequest) -> None:
        """The same request renders to byte-identical PDFs."""
        assert render_consent(example).pdf == render_consent(example).pdf

    def test_any_change_changes_bytes(self, example: ConsentRequest) -> None:
        """A different document time gives different bytes and a different document hash."""
        other = request_with(document_at="2026-11-25T10:31:00+09:00")
        a, b = render_consent(example), render_consent(other)
        assert a.sha256 != b.sha256
        assert a.document_sha256 != b.document_sha256

    def test_metadata(self, example: ConsentRequest) -> None:
        """Title, subject, creation date, template version and request hash are in the metadata."""
        rendered = render_consent(example)
        meta = _reader(rendered.pdf).metadata
        assert meta is not None
        assert "同意書" in (meta.title or "")
        assert "C-2026-0001" in (meta.subject or "")
        assert meta["/CreationDate"] == "D:20261125103000+09'00'"
        keywords = str(meta["/Keywords"])
        assert "exosome-consent v3" in keywords
        assert example.sha256 in keywords
        assert rendered.template_version == "3"
        assert rendered.request_sha256 == example.sha256

    def test_document_id_from_content(self, example: ConsentRequest) -> None:
        """The PDF /ID is derived from the document hash, not from the clock."""
        rendered = render_consent(example)
        ident = _reader(rendered.pdf).trailer["/ID"][0]
        assert (
            bytes(ident.original_bytes if hasattr(ident, "original_bytes") else ident)
            == bytes.fromhex(rendered.document_sha256)[:16]
        )


class TestScreeningGate:
    def test_contraindicated_refused(self) -> None:
        """render_consent refuses a contraindicated screening without an override."""
        request = request_with(screening=screening_of("contraindicated.json", "injection_face"))
        with pytest.raises(exointake.ScreeningRefused):
            render_consent(request)

    def test_override_is_stated(self) -> None:
        """With a recorded override the document renders and states who, why and when."""
        request = request_with(
            screening=screening_of("contraindicated.json", "injection_face"),
            override={
                "physician_id": "D-017",
                "reason": "がん治療終了後5年、主治医と協議済み",
                "at": "2026-11-24T18:00:00+09:00",
            },
        )
        text = squash(pdf_text(render_consent(request, language="ja").pdf))
        assert "医師による判断の記録" in text
        assert squash("がん治療終了後5年、主治医と協議済み") in text
        assert "D-017" in text


class TestProperties:
    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(consent_requests(), st.sampled_from(["ja", "en", "ja+en"]))
    def test_renders_every_character_deterministically(
        self, request: ConsentRequest, lang: str
    ) -> None:
        """Any valid request renders, shows every character of every field, twice the same."""
        first = render_consent(request, language=lang)
        assert render_consent(request, language=lang).pdf == first.pdf
        text = squash(pdf_text(first.pdf))
        for path, value in consent_fields(request).items():
            assert squash(value) in text, path


class TestPngSmoke:
    @needs_poppler
    def test_example_to_png(self, tmp_path: Path, example: ConsentRequest) -> None:
        """poppler rasterises every page of the example without complaint."""
        rendered = render_consent(example)
        pdf = rendered.write(tmp_path / "consent.pdf")
        result = subprocess.run(
            ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stderr == ""
        pngs = sorted(tmp_path.glob("page-*.png"))
        assert len(pngs) == rendered.page_count
        assert all(p.stat().st_size > 1000 for p in pngs)


class TestExampleScript:
    def test_render_consent_example(self, tmp_path: Path) -> None:
        """examples/render_consent.py writes the consent, the summary and the log, as it says."""
        root = Path(__file__).resolve().parent.parent
        done = subprocess.run(
            [sys.executable, str(root / "examples" / "render_consent.py"), str(tmp_path)],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        for name in ("consent.pdf", "summary.pdf", "clinic.db"):
            assert (tmp_path / name).stat().st_size > 0
        assert "re-consent needed after a template change: ['C-2026-0001']" in done.stdout
        assert "refused:" in done.stdout
        assert "山田" not in done.stdout  # opaque ids only
