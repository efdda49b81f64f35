"""The three documents of a covered plan: consent, 概要書面 and 契約書面 (特商法 42, 48, 49条)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

import exointake
from exointake._consent import ConsentRequest, check_cancellation, cooling_off_applies
from exointake._consent_render import render_consent, render_contract, render_summary
from exointake._consent_template import load_contract_template, load_template
from exointake._money import Caps
from exointake.strategies import consent_requests

from .consent_helpers import contract_fields, example_data, pdf_text, request_with, squash
from .document_items import NEVER, ROWS

RENDER = {"consent": render_consent, "summary": render_summary, "contract": render_contract}
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed"
)


@functools.cache
def _text(document: str, lang: str) -> str:
    request = ConsentRequest.from_dict(example_data())
    return squash(pdf_text(RENDER[document](request, language=lang).pdf))


class TestItems:
    @pytest.mark.parametrize(
        ("document", "item", "ja", "en"), ROWS, ids=[f"{r[0]}:{r[1]}" for r in ROWS]
    )
    def test_item_in_both_languages(
        self, document: str, item: str, ja: tuple[str, ...], en: tuple[str, ...]
    ) -> None:
        """Each item of domain §5 is printed in the document, in Japanese and in English."""
        for lang, phrases in (("ja", ja), ("en", en)):
            text = _text(document, lang)
            for phrase in phrases:
                assert squash(phrase) in text, f"{document} {lang} {item}: {phrase!r}"

    @pytest.mark.parametrize(
        ("document", "item", "ja", "en"), NEVER, ids=[f"{r[0]}:{r[1]}" for r in NEVER]
    )
    def test_defect_never_printed(
        self, document: str, item: str, ja: tuple[str, ...], en: tuple[str, ...]
    ) -> None:
        """The wordings the issue found wrong appear in no language."""
        for lang, phrases in (("ja", ja), ("en", en)):
            text = _text(document, lang)
            for phrase in phrases:
                assert squash(phrase) not in text, f"{document} {lang} {item}: {phrase!r}"

    @pytest.mark.parametrize("document", ["consent", "summary", "contract"])
    @pytest.mark.parametrize("lang", ["ja", "en"])
    def test_sections_numbered_consecutively(self, document: str, lang: str) -> None:
        """Each document numbers its own sections 1, 2, 3... with no gap or repeat."""
        request = ConsentRequest.from_dict(example_data())
        raw = pdf_text(RENDER[document](request, language=lang).pdf)
        numbers = [int(n) for n in re.findall(r"^(\d+)\. \S", raw, flags=re.MULTILINE)]
        assert numbers == list(range(1, len(numbers) + 1))
        assert len(numbers) >= 8

    def test_titles_differ(self) -> None:
        """Each document has its own title, and the summary does not repeat it under itself."""
        titles = {doc: _text(doc, "ja")[:14] for doc in ("consent", "summary", "contract")}
        assert len(set(titles.values())) == 3
        summary = _text("summary", "ja")
        assert summary.count("概要書面（美容医療の契約の前にお渡しする書面）") == 1


def _contract_data(**changes: Any) -> dict[str, Any]:
    data = example_data()
    for path, value in changes.items():
        node = data
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[part]
        if value is _DELETE:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return data


_DELETE = object()

MISSING = [
    ("contract", "contract", ("summary", "contract")),
    ("clinic.representative", "clinic.representative", ("summary", "contract")),
    ("treatment.purpose", "treatment.purpose", ("summary", "contract")),
    ("treatment.plan.end_date", "treatment.plan.end_date", ("summary", "contract")),
    ("prices.cancellation", "prices.cancellation", ("summary", "contract")),
    ("contract.date", "contract.date", ("contract",)),
    ("contract.person_in_charge", "contract.person_in_charge", ("contract",)),
]


class TestRequiredData:
    @pytest.mark.parametrize(("path", "named", "documents"), MISSING)
    def test_missing_item_names_the_field(
        self, path: str, named: str, documents: tuple[str, ...]
    ) -> None:
        """A missing 特商法 item is a ValidationError naming the field, never a blank."""
        data = _contract_data(**{path: _DELETE})
        if path == "prices.cancellation":
            data["prices"]["cancellation_terms"] = "自由記述の条件"  # accepted on the consent only
        request = ConsentRequest.from_dict(data)
        for document in ("summary", "contract"):
            if document in documents:
                with pytest.raises(exointake.ValidationError, match=re.escape(named)):
                    RENDER[document](request)
            else:
                RENDER[document](request)

    def test_end_date_before_last_session(self) -> None:
        """The service period must run to at least the last planned session."""
        request = ConsentRequest.from_dict(
            _contract_data(**{"treatment.plan.end_date": "2026-12-20"})
        )
        with pytest.raises(exointake.ValidationError, match="last planned session"):
            render_contract(request)

    def test_uncovered_plan_has_no_tokusho_documents(self) -> None:
        """A plan not covered by 特商法 gets neither a 概要書面 nor a 契約書面."""
        request = request_with(treatment__plan__cooling_off_covered=False)
        for document in ("summary", "contract"):
            with pytest.raises(exointake.ValidationError, match="cooling_off_covered"):
                RENDER[document](request)

    def test_template_version_v1_not_rendered(self) -> None:
        """A request on consent template v1 (wrong cooling-off start) is no longer rendered."""
        request = request_with(template_version="1")
        with pytest.raises(exointake.ValidationError, match="no longer be rendered"):
            render_consent(request)


class TestMoney:
    def test_unreconciled_total_is_refused(self) -> None:
        """total_jpy 1 for 4 x 88,000 is an error naming the field and the parts."""
        with pytest.raises(exointake.ValidationError) as info:
            request_with(prices__total_jpy=1)
        (message,) = info.value.errors
        assert message.startswith("request.prices.total_jpy: expected 363,000 JPY")
        assert "4 x 88,000 + related goods 11,000" in message

    def test_discount_explains_a_lower_total(self) -> None:
        """A structured discount reconciles a lower total and is printed with its reason."""
        request = request_with(
            prices__total_jpy=331_000,
            prices__discount={"amount_jpy": 32_000, "reason": "コース割引"},
        )
        text = squash(pdf_text(render_consent(request, language="ja").pdf))
        assert "コース割引" in text
        assert "331,000円" in text

    def test_issue_example_fee_exceeds_the_cap(self) -> None:
        """A 50% same-day fee (44,000 JPY) exceeds the 20,000 JPY cap before session 1."""
        request = request_with(
            prices__cancellation={"same_day": {"kind": "percent_of_session", "percent": 50}}
        )
        with pytest.raises(exointake.ValidationError) as info:
            render_consent(request)
        assert info.value.errors == (
            "prices.cancellation.same_day: 44,000 JPY when cancelling on the day of session 1 "
            "exceeds the 特定商取引法49条 cap of 20,000 JPY",
        )

    @pytest.mark.parametrize("document", ["summary", "contract"])
    def test_other_costs_follow_the_same_day_fee(self, document: str) -> None:
        """§4 says nothing else is payable only when §7 has no same-day fee; else it names it."""
        cancellation = dict(example_data()["prices"]["cancellation"])
        for same_day, ja, en in (
            ({"kind": "none"}, "上記のほかにお支払いいただく費用はありません", "nothingelsetopay"),
            (
                {"kind": "fixed", "jpy": 3_000},
                "キャンセル料として3,000円をいただきます",
                "chargeofJPY3,000",
            ),
            (
                {"kind": "percent_of_session", "percent": 10},
                "キャンセル料として1回分の料金の10%（8,800円）をいただきます",
                "chargeof10%ofonesession'sprice(JPY8,800)",
            ),
        ):
            request = request_with(prices__cancellation=cancellation | {"same_day": same_day})
            for lang, phrase, other in (
                ("ja", ja, "契約を続けたまま予約した施術をその日に取り消された場合"),
                ("en", en, "ifyoucancelabookedsessiononitsdaywhilethecontractcontinues"),
            ):
                text = squash(pdf_text(RENDER[document](request, language=lang).pdf))
                assert phrase in text, (document, lang, same_day)
                assert (other in text) is (same_day["kind"] != "none"), (document, lang)
                loss = ("averagelossthiscausestheclinic;see7)", "平均的な損害の額を超えません。7.")
                assert any(x in text for x in loss) is (same_day["kind"] != "none")

    @pytest.mark.parametrize("kind", ["legal_maximum", "percent_of_remaining"])
    def test_same_day_fee_is_a_figure(self, kind: str) -> None:
        """A same-day fee is a yen figure or a percentage of one session (消費者契約法9条1項1号:
        at most the average loss), never a legal maximum: refused naming the field."""
        cancellation = dict(example_data()["prices"]["cancellation"])
        same_day = {"kind": kind} | ({"percent": 10} if kind == "percent_of_remaining" else {})
        with pytest.raises(exointake.ValidationError) as info:
            request_with(prices__cancellation=cancellation | {"same_day": same_day})
        assert any(
            "prices.cancellation.same_day.kind: expected none, fixed, percent_of_session, "
            f"got {kind}" in e
            for e in info.value.errors
        ), info.value.errors

    @pytest.mark.parametrize("document", ["consent", "summary", "contract"])
    def test_legal_maximum_points_to_the_caps_table(self, document: str) -> None:
        """A cancellation fee of "legal_maximum" points to the table's fee-cap column and cites
        49条2項 with the 施行令's 別表第四, in both languages; the table comes first."""
        cancellation = dict(example_data()["prices"]["cancellation"])
        request = request_with(
            prices__cancellation=cancellation
            | {"after_first_session": {"kind": "legal_maximum"}, "same_day": {"kind": "none"}}
        )
        ja = squash(pdf_text(RENDER[document](request, language="ja").pdf))
        en = squash(pdf_text(RENDER[document](request, language="en").pdf))
        assert (
            "初回の施術の後の解約上の表の『解約手数料の上限』の額"
            "（特定商取引法第49条第2項、同法施行令別表第四）" in ja
        )
        assert "Cancellingafterthefirstsessiontheamountinthecolumn“Feecap”ofthetableabove" in en
        assert "第49条第2項に定める額" not in ja
        assert ja.index("解約手数料の上限") < ja.index("上の表の『解約手数料の上限』")
        assert en.index("Feecap") < en.index("“Feecap”")

    @pytest.mark.parametrize("document", ["consent"])
    def test_legal_maximum_refused_outside_the_act(self, document: str) -> None:
        """A plan 特商法 does not cover has no cap, so no legal maximum (refused, naming it)."""
        cancellation = dict(example_data()["prices"]["cancellation"])
        request = request_with(
            treatment__plan__cooling_off_covered=False,
            prices__cancellation=cancellation | {"after_first_session": {"kind": "legal_maximum"}},
        )
        with pytest.raises(exointake.ValidationError) as info:
            RENDER[document](request, language="ja")
        assert any(
            e.startswith("prices.cancellation.after_first_session: legal_maximum applies only")
            for e in info.value.errors
        ), info.value.errors

    @pytest.mark.parametrize(
        ("interval", "unit", "ja", "en"),
        [
            (1, "week", "4回（1週間ごと）", "4sessions,everyweek"),
            (3, "day", "4回（3日ごと）", "4sessions,every3days"),
            (2, "month", "4回（2か月ごと）", "4sessions,every2months"),
        ],
    )
    def test_interval_in_words(self, interval: int, unit: str, ja: str, en: str) -> None:
        """English counts its units ("every week", "every 3 days"), never "day(s)"."""
        request = request_with(
            treatment__plan__interval=interval,
            treatment__plan__interval_unit=unit,
            treatment__plan__end_date="2027-12-31",
        )
        for lang, phrase in (("ja", ja), ("en", en)):
            text = squash(pdf_text(render_consent(request, language=lang).pdf))
            assert phrase in text
            assert "(s)" not in text

    def test_caps_come_from_the_contract_template(self) -> None:
        """The bundled contract template carries the law's figures (20,000 / 50,000 / 20%)."""
        assert load_contract_template().caps == Caps()

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(consent_requests())
    def test_generated_requests_reconcile_and_respect_the_caps(
        self, request: ConsentRequest
    ) -> None:
        """Every generated (accepted) request's total reconciles and no fee tops a cap."""
        pc, sessions = request.prices, request.treatment.plan.sessions
        assert pc.total_jpy == sessions * pc.per_session_jpy - pc.discount_jpy + pc.goods_jpy
        check_cancellation(request)  # raises if any fee can exceed a cap


class TestContractProperties:
    @settings(
        max_examples=6,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )
    @given(
        consent_requests().filter(lambda r: r.contract is not None and cooling_off_applies(r)),
        st.sampled_from(["ja", "en"]),
    )
    def test_contract_shows_every_field(self, request: ConsentRequest, lang: str) -> None:
        """Any covered request with a contract renders a 契約書面 showing every field it needs."""
        first = render_contract(request, language=lang)
        assert render_contract(request, language=lang).pdf == first.pdf
        text = squash(pdf_text(first.pdf))
        for path, value in contract_fields(request).items():
            assert squash(value) in text, path


class TestLayout:
    @pytest.mark.parametrize("document", ["consent", "summary", "contract"])
    @pytest.mark.parametrize("lang", ["ja", "en", "ja+en"])
    def test_heading_never_last_on_a_page(self, document: str, lang: str) -> None:
        """No heading (numbered section or sub-heading) is the last line of a page's body."""
        request = ConsentRequest.from_dict(example_data())
        rendered = RENDER[document](request, language=lang)
        reader = PdfReader(io.BytesIO(rendered.pdf))
        headings = _headings(document)
        for page in reader.pages[:-1]:
            lines = [ln.strip() for ln in (page.extract_text() or "").splitlines() if ln.strip()]
            body = [
                ln
                for ln in lines
                if not ln.startswith(("患者ID", "Patient ID", "文書ハッシュ", "Document hash"))
            ]
            last = re.sub(r"\s+", "", body[-1])
            assert last not in headings, (document, lang, body[-1])

    @pytest.mark.parametrize("document", ["summary", "contract"])
    @pytest.mark.parametrize("lang", ["ja", "en", "ja+en"])
    def test_cooling_off_heading_stays_with_its_red_frame(self, document: str, lang: str) -> None:
        """The 48条 heading starts the page its red frame starts on (the ja+en 契約書面 left it
        alone at the foot of page 3)."""
        request = ConsentRequest.from_dict(example_data())
        reader = PdfReader(io.BytesIO(RENDER[document](request, language=lang).pdf))
        pages = [squash(page.extract_text() or "") for page in reader.pages]
        texts = load_contract_template().texts
        for one in lang.split("+"):
            heading = squash(texts["sec_cooling_off"].get(one))
            frame = squash(texts["cooling_off_right"].get(one))[:20]
            on = [i for i, text in enumerate(pages) if heading in text]
            assert on, (document, one)
            assert frame in pages[on[0]], (document, one, on[0] + 1)

    @needs_poppler
    @pytest.mark.parametrize("document", ["consent", "summary", "contract"])
    @pytest.mark.parametrize("lang", ["ja", "en"])
    def test_png_smoke(self, tmp_path: Path, document: str, lang: str) -> None:
        """poppler rasterises every page of each document without complaint."""
        request = ConsentRequest.from_dict(example_data())
        rendered = RENDER[document](request, language=lang)
        pdf = rendered.write(tmp_path / f"{document}.pdf")
        out = subprocess.run(
            ["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")],
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stderr == ""
        pngs = sorted(tmp_path.glob("page-*.png"))
        assert len(pngs) == rendered.page_count
        assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)


@functools.cache
def _headings(document: str) -> frozenset[str]:
    """Every heading text of a document's templates, squashed (both languages)."""
    templates = [load_template()] if document == "consent" else [load_contract_template()]
    out = set()
    for t in templates:
        for key, text in t.texts.items():
            if key.startswith(
                ("sec_", "risks_", "status_disclosures", "cap_table_intro")
            ) or key in (
                "label_cancellation",
                "cancel_terms_intro",
                "goods_cap_intro",
            ):
                for lang in ("ja", "en"):
                    value = text.get(lang)
                    out.add(re.sub(r"\s+", "", value))
                    for n in range(1, 15):
                        out.add(re.sub(r"\s+", "", f"{n}. {value}"))
    return frozenset(out)


class TestRelatedGoods:
    """特商法48条5項 and 49条5項〜7項: what the documents say about related goods."""

    @pytest.mark.parametrize("document", ["summary", "contract"])
    def test_no_goods_no_goods_matters(self, document: str) -> None:
        """A plan without related goods carries none of their sentences (nothing to return)."""
        data = _contract_data(**{"prices.related_goods": [], "prices.total_jpy": 352_000})
        request = ConsentRequest.from_dict(data)
        for lang, phrases in (
            ("ja", ("特定商取引法第49条第6項", "引取りにかかる費用", "販売業者にも通知")),
            ("en", ("Article49(6)", "takingthemback", "theirselleraswell")),
        ):
            text = squash(pdf_text(RENDER[document](request, language=lang).pdf))
            assert not [p for p in phrases if p in text], (document, lang)

    @pytest.mark.parametrize("document", ["summary", "contract"])
    def test_goods_sold_by_the_clinic(self, document: str) -> None:
        """Goods the clinic sells itself: caps and return cost stated, no second addressee."""
        data = example_data()
        del data["prices"]["related_goods"][0]["seller"]
        request = ConsentRequest.from_dict(data)
        text = squash(pdf_text(RENDER[document](request, language="ja").pdf))
        assert "販売価格に相当する額（EXOホームケアセラム11,000円）" in text
        assert "その引取りにかかる費用は販売業者が負担します" in text
        assert "販売業者にも通知" not in text
        assert "その販売業者にもお申し出ください" not in text

    def test_one_notice_line_per_seller(self) -> None:
        """Two goods from one seller share a notice line that names both."""
        data = example_data()
        goods = data["prices"]["related_goods"]
        goods.append({**goods[0], "name": "EXO ナイトマスク", "unit_price_jpy": 5_500})
        data["prices"]["total_jpy"] += 5_500
        text = squash(pdf_text(render_contract(ConsentRequest.from_dict(data), language="ja").pdf))
        assert text.count("販売業者にも通知をお送りください") == 1
        assert "関連商品（EXOホームケアセラム、EXOナイトマスク）の販売契約" in text
        assert "EXOホームケアセラム11,000円、EXOナイトマスク5,500円" in text


class TestTemplateVersions:
    def test_contract_v1_loads_but_no_longer_renders(self) -> None:
        """v1 lacks the related-goods matters and the receipt line: loadable (its caps still
        check the consent's fees), refused for the 特商法 documents with a clear message."""
        v1 = load_contract_template("1")
        assert v1.caps == Caps()
        data = _contract_data(**{"contract.template_version": "1"})
        request = ConsentRequest.from_dict(data)
        for document in ("summary", "contract"):
            with pytest.raises(exointake.ValidationError, match="can no longer be rendered"):
                RENDER[document](request)
        assert render_consent(request).page_count > 0

    def test_every_text_the_documents_use_is_required(self) -> None:
        """Each template key the 特商法 documents read is in the renderability check, and the
        newest bundled template has them all."""
        from exointake import _consent_template, _contract_document  # noqa: PLC0415

        source = Path(_contract_document.__file__).read_text("utf-8")
        used = set(re.findall(r'tx\("([a-z_]+)"\)', source))
        assert used
        assert used <= _consent_template._CONTRACT_RENDER_TEXTS
        assert set(load_contract_template().texts) >= _consent_template._CONTRACT_RENDER_TEXTS

    def test_consent_v2_still_renders_and_needs_reconsent(self) -> None:
        """Consent v3 changes two wordings only: v2 still renders (old requests, old golden
        texts), and a consent given on it is reported for re-consent."""
        from exointake.consent import needs_reconsent  # noqa: PLC0415

        request = request_with(template_version="2")
        text = squash(pdf_text(render_consent(request, language="ja").pdf))
        assert "注射（顔・首）" in text
        assert needs_reconsent(load_template(version="2").ref)
        assert not needs_reconsent(load_template().ref)

    def test_route_labels_agree(self) -> None:
        """Every document and report names a route's scope in the same words (the face
        injection is "face or neck": the 部位 row says which)."""
        from exointake.grading import load_labels  # noqa: PLC0415

        consent, contract, labels = load_template(), load_contract_template(), load_labels()
        scope = {
            "iv_drip": ("点滴", "drip"),
            "injection_face": ("顔または首", "face or neck"),
            "injection_scalp": ("頭皮", "scalp"),
        }
        for route, (ja, en) in scope.items():
            texts = [consent.labels[f"route.{route}"], contract.labels[f"route.{route}"]]
            texts += [labels.of(f"{group}.routes", route) for group in ("grade", "fhir")]
            assert consent.labels[f"route.{route}"] == contract.labels[f"route.{route}"]
            for text in texts:
                assert ja in text.ja, (route, text)
                assert en in text.en, (route, text)


class TestSignedRecord:
    def test_signed_hash_recorded_next_to_the_unsigned(self) -> None:
        """A signed copy's hash is recorded with the rendered one; a foreign file is refused."""
        from exointake import open_log  # noqa: PLC0415

        request = ConsentRequest.from_dict(example_data())
        rendered = render_consent(request)
        signed = rendered.pdf + b"\n% incremental update\n"
        log = open_log("sqlite:///:memory:")
        at = dt.datetime(2026, 11, 25, 10, 45, tzinfo=dt.UTC)
        consent_id = log.record_consent(
            rendered, rendered_by="N-007", rendered_at=at, signed_pdf=signed
        )
        record = log.consent(consent_id)
        assert record is not None
        assert record.pdf_sha256 == rendered.sha256
        assert record.signed_pdf_sha256 is not None
        with pytest.raises(exointake.ValidationError, match="signed_pdf"):
            log.record_consent(
                rendered, rendered_by="N-007", rendered_at=at, signed_pdf=b"%PDF-other"
            )

    def test_unsigned_record_payload_unchanged(self) -> None:
        """An unsigned record carries no signed hash key, so earlier payloads stay identical."""
        from exointake._consent_record import consent_record  # noqa: PLC0415

        rendered = render_consent(ConsentRequest.from_dict(example_data()))
        record = consent_record(
            rendered, rendered_by="N-007", rendered_at=dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
        )
        assert "signed_pdf_sha256" not in record.to_dict()


class TestOldRequests:
    def test_v1_request_keeps_its_hash(self) -> None:
        """A request written for template v1 still loads, with the SHA-256 it was recorded with."""
        path = Path(__file__).parent / "data" / "consent-request-v1.json"
        data = json.loads(path.read_text("utf-8"))
        request = ConsentRequest.from_dict(data)
        assert request.sha256 == "f538457dd2b78b958d20b93e79b7dee4fb6031afc78f5e648a46835132a8f17a"
        again = request.to_dict()
        assert ConsentRequest.from_dict(again) == request
        assert not {"contract"} & set(again)
        assert not {"purpose"} & set(again["treatment"])


class TestGoodsWording:
    """The cooling-off box and the goods section say what holds for this plan's goods
    (legal review: consumables, a separate seller, no goods at all, the receipt's party)."""

    @staticmethod
    def texts(request: ConsentRequest, document: str) -> tuple[str, str]:
        return tuple(  # type: ignore[return-value]
            squash(pdf_text(RENDER[document](request, language=lang).pdf)) for lang in ("ja", "en")
        )

    @pytest.mark.parametrize("document", ["consent", "summary", "contract"])
    def test_no_goods_no_goods_wording(self, document: str) -> None:
        request = request_with(prices__related_goods=[], prices__total_jpy=352_000)
        ja, en = self.texts(request, document)
        assert "支払った金額は全額返金されます。" in ja
        assert "関連商品の代金を含めて" not in ja
        assert "消耗品" not in ja
        assert "allmoneypaidisrefundedinfull." in en
        assert "relatedgoods" not in en
        assert "当院が事実と違うことを告げたり" in ja
        assert "theclinictoldyousomethinguntrue" in en

    @pytest.mark.parametrize("document", ["consent", "summary", "contract"])
    def test_consumable_from_a_seller(self, document: str) -> None:
        """The example's serum (cosmetics) from a separate seller: the refund excepts used
        consumables, the serum is named, and the seller's 不実告知 extends the period."""
        ja, en = self.texts(request_with(), document)
        assert (
            "関連商品の代金を含めて全額返金されます（ご自分の判断で使用・消費した消耗品の分を除く）"
            in ja
        )
        assert "(exceptforconsumablesyouhaveusedorconsumedatyourownchoice)" in en
        assert "当院または関連商品の販売業者が事実と違うことを告げたり" in ja
        assert "theclinicortheselleroftherelatedgoodstoldyou" in en
        if document != "consent":
            assert (
                "関連商品のうちEXOホームケアセラムは、特定商取引法第48条第2項ただし書の政令で定める消耗品"
                in ja
            )
            assert "Amongtherelatedgoods,EXOホームケアセラムareconsumables" in en
            assert "化粧品、石けん（医薬品を除く。）及び浴用剤" in ja
            assert "cosmetics,soap(otherthanmedicines)andbathpreparations" in en

    @pytest.mark.parametrize("document", ["consent", "summary", "contract"])
    def test_whitening_goods_from_the_clinic(self, document: str) -> None:
        """Whitening goods are not listed consumables; the clinic sells them itself."""
        good = {"name": "ホワイトニングジェル", "kind": "whitening", "quantity": 1}
        request = request_with(prices__related_goods=[good | {"unit_price_jpy": 11_000}])
        ja, en = self.texts(request, document)
        assert "関連商品の代金を含めて全額返金されます。" in ja
        assert "消耗品" not in ja
        assert "consumable" not in en
        assert "関連商品の販売業者が事実と違う" not in ja
        assert "当院が事実と違うことを告げたり" in ja

    def test_cap_table_cites_the_order(self) -> None:
        for document in ("consent", "summary", "contract"):
            ja, en = self.texts(request_with(), document)
            assert "（特定商取引法第49条第2項、同法施行令別表第四）" in ja
            assert "Article49(2);itsEnforcementOrder,AppendedTable4)" in en

    def test_summary_receipt_names_the_guardian_of_a_minor(self) -> None:
        guardian = {"name": "山田 一郎", "name_kana": "やまだ いちろう", "relationship": "父"}
        request = request_with(patient__birth_date="2010-01-01", patient__guardian=guardian)
        document = render_summary(request, language="ja")
        receipt = squash(pdf_text(document.pdf)).split("受領者署名")[-1]
        assert "山田一郎" in receipt
        assert "山田花子" not in receipt
        adult = squash(pdf_text(render_summary(request_with(), language="ja").pdf))
        assert "山田花子" in adult.split("受領者署名")[-1]
