"""Hypothesis strategies for consent requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from .._common import JST, Route
from .._consent import (
    ConsentLanguage,
    ConsentRequest,
    IntervalUnit,
    cooling_off_applies,
    suggest_cooling_off,
)
from .._consent_template import (
    Acquisition,
    ProductKind,
)
from .._contract import GoodsKind, PaymentMethod, PaymentTiming, Purpose
from .._money import Fee, FeeKind, Terms, check_terms
from .._questionnaire import Questionnaire, load_questionnaire
from .._records import Origin, Sourcing
from .._screening import Decision, screen
from ._intake import answers
from ._validate import check_bool, check_instance, check_size_range, check_strategy

__all__ = ["consent_requests", "consent_texts"]

_LAST_BIRTH_DATE = dt.date(2025, 12, 31)

_KANA_KANJI = (
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンー"
    "山田川中村佐藤鈴木高橋渡辺伊東京都区町丁目番号階花子太郎健一美容院医療法人社団"
)
_MARKUP = "<>&/\"'=;#"
_ASCII = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.,()"
_ALPHABET = _KANA_KANJI + _MARKUP + _ASCII


_IDS = st.from_regex(r"[A-Z][A-Z0-9]{0,3}-[0-9]{1,6}", fullmatch=True)


def consent_texts(*, min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    """Free text a clinic or patient could write: kana, kanji, ASCII and markup-like input.

    Every character is one the built-in fonts can show; runs of spaces are
    avoided (layout collapses them) and the text is never blank.

    Raises:
        hypothesis.errors.InvalidArgument: sizes that are not integers with
            ``1 <= min_size <= max_size``.
    """
    check_size_range(min_size, max_size, ("min_size", "max_size"), minimum=1)
    words = st.text(st.sampled_from(_ALPHABET), min_size=1, max_size=max(1, max_size // 2))
    return (
        st.lists(words, min_size=1, max_size=4)
        .map(" ".join)
        .filter(lambda s: min_size <= len(s) <= max_size)
    )


def consent_requests(
    *,
    questionnaire: Questionnaire | None = None,
    languages: st.SearchStrategy[ConsentLanguage] | None = None,
    text: st.SearchStrategy[str] | None = None,
    allow_refused: bool = False,
) -> st.SearchStrategy[ConsentRequest]:
    """Valid consent requests, with a real screening of generated answers.

    Requests are on the newest consent template: the total reconciles (sessions,
    discount, related goods), the structured cancellation fees never exceed the
    特商法49条 caps (a fee that would is replaced by "the legal maximum"), and about
    half carry a contract with every item the 概要書面 and 契約書面 need.

    Args:
        questionnaire: the questionnaire answers are drawn for (bundled one by default).
        languages: a strategy for the document language (any by default).
        text: a strategy for free-text fields (:func:`consent_texts` by default).
        allow_refused: keep contraindicated/incomplete screenings without an override;
            by default such requests carry a physician override, so they render.

    Raises:
        hypothesis.errors.InvalidArgument: an argument of the wrong type.
    """
    check_instance(questionnaire, Questionnaire, "questionnaire", optional=True)
    check_strategy(languages, "languages")
    check_strategy(text, "text")
    check_bool(allow_refused, "allow_refused")
    return _consent_requests(questionnaire, languages, text, allow_refused)


@st.composite
def _consent_requests(
    draw: st.DrawFn,
    questionnaire: Questionnaire | None,
    languages: st.SearchStrategy[ConsentLanguage] | None,
    text: st.SearchStrategy[str] | None,
    allow_refused: bool,
) -> ConsentRequest:
    q = questionnaire if questionnaire is not None else load_questionnaire()
    txt = text if text is not None else consent_texts()
    route = draw(st.sampled_from(list(Route)))
    doc_day = draw(st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31)))
    doc_at = dt.datetime.combine(doc_day, dt.time(draw(st.integers(8, 19)), 0), JST)
    given = draw(answers(q, route=route))
    result = screen(given, route, on=doc_day)
    extra = draw(st.sampled_from([None, *(r for r in Route if r is not route)]))
    routes = [route.value] if extra is None else [route.value, extra.value]
    # Every planned route is screened (the same patient answers for that route's items).
    others = [] if extra is None else [screen(draw(answers(q, route=extra)), extra, on=doc_day)]
    # Birth dates lie in the past (the library refuses one after today), whatever the
    # document's day: a fixed bound keeps the strategy independent of the clock.
    birth = draw(st.dates(dt.date(1930, 1, 1), min(doc_day, _LAST_BIRTH_DATE)))
    minor = _age(birth, doc_day) < 18 or any(
        "guardian_consent" in r.requirements for r in (result, *others)
    )
    sessions = draw(st.integers(1, 8))
    interval: dict[str, Any] = (
        {"interval": draw(st.integers(1, 4)), "interval_unit": draw(st.sampled_from(IntervalUnit))}
        if sessions > 1
        else {}
    )
    price = draw(st.integers(0, 300_000))
    purpose = draw(st.sampled_from(Purpose))
    data: dict[str, Any] = {
        "consent_id": draw(_IDS),
        "template_version": "3",
        "language": draw(languages if languages is not None else st.sampled_from(ConsentLanguage)),
        "document_at": doc_at.isoformat(),
        "clinic": {
            "name": draw(txt),
            "address": draw(txt),
            "phone": draw(txt),
            "emergency_contact": draw(txt),
        },
        "physician": {"id": draw(_IDS), "name": draw(txt)},
        "patient": {
            "id": draw(_IDS),
            "name": draw(txt),
            "name_kana": draw(txt),
            "birth_date": birth.isoformat(),
            "guardian": (
                {"name": draw(txt), "name_kana": draw(txt), "relationship": draw(txt)}
                if minor
                else None
            ),
        },
        "treatment": {
            "routes": routes,
            "site": draw(txt),
            "plan": {
                "sessions": sessions,
                "start_date": doc_day.isoformat(),
                "cooling_off_covered": draw(st.booleans()) or suggest_cooling_off(purpose),
                **interval,
            },
            "purpose": purpose.value,
        },
        "product": {
            "name": draw(txt),
            "kind": draw(st.sampled_from(ProductKind)).value,
            "origin": draw(st.sampled_from(Origin)).value,
            "maker": draw(txt),
            "sourcing": draw(st.sampled_from(Sourcing)).value,
            "acquisition": draw(st.sampled_from(Acquisition)).value,
            "concentration": draw(txt),
            "storage": draw(txt),
            "lot": draw(st.none() | txt),
        },
        "prices": draw(_prices(sessions, price, txt)),
        "screening": result.to_dict(),
        "screenings": [o.to_dict() for o in others],
    }
    plan = data["treatment"]["plan"]
    if draw(st.booleans()):
        last = ConsentRequest.from_dict(data).treatment.plan.last_session
        plan["end_date"] = (last + dt.timedelta(days=draw(st.integers(0, 60)))).isoformat()
        data["clinic"]["representative"] = draw(txt)
        data["contract"] = draw(_contracts(doc_day, txt))
    blocking = (Decision.CONTRAINDICATED, Decision.INCOMPLETE, Decision.POSTPONE)
    worst = max([result, *others], key=lambda r: r.decision).decision
    if worst in blocking and not allow_refused:
        data["override"] = {
            "physician_id": draw(_IDS),
            "reason": draw(txt),
            "at": doc_at.isoformat(),
        }
    request = ConsentRequest.from_dict(data)
    if cooling_off_applies(request):
        return request
    # no 49条 cap outside 特商法, so no legal maximum: such a clinic charges nothing instead
    cancellation = data["prices"]["cancellation"]
    for name, fee in cancellation.items():
        if fee["kind"] == "legal_maximum":
            cancellation[name] = {"kind": "none"}
    return ConsentRequest.from_dict(data)


_FEES = st.one_of(
    st.just({"kind": "none"}),
    st.integers(0, 60_000).map(lambda jpy: {"kind": "fixed", "jpy": jpy}),
    st.integers(0, 100).map(lambda pct: {"kind": "percent_of_session", "percent": pct}),
    st.integers(0, 100).map(lambda pct: {"kind": "percent_of_remaining", "percent": pct}),
    st.just({"kind": "legal_maximum"}),
)
_SAME_DAY_FEES = st.one_of(
    st.just({"kind": "none"}),
    st.integers(0, 60_000).map(lambda jpy: {"kind": "fixed", "jpy": jpy}),
    st.integers(0, 100).map(lambda pct: {"kind": "percent_of_session", "percent": pct}),
)


def _fee(data: dict[str, Any]) -> Fee:
    return Fee(FeeKind(data["kind"]), data.get("jpy", 0), data.get("percent", 0))


def _terms(cancellation: dict[str, dict[str, Any]]) -> Terms:
    return Terms(*(_fee(cancellation[k]) for k in cancellation))


@st.composite
def _prices(
    draw: st.DrawFn, sessions: int, price: int, txt: st.SearchStrategy[str]
) -> dict[str, Any]:
    """Prices whose total reconciles and whose cancellation fees respect the 49条 caps."""
    goods: list[dict[str, Any]] = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "name": txt,
                    "kind": st.sampled_from(GoodsKind).map(str),
                    "quantity": st.integers(1, 3),
                    "unit_price_jpy": st.integers(0, 30_000),
                }
            ),
            max_size=2,
        )
    )
    discount = draw(st.integers(0, sessions * price))
    cancellation = {
        "before_first_session": draw(_FEES),
        "after_first_session": draw(_FEES),
        "same_day": draw(_SAME_DAY_FEES),
    }
    for problem in check_terms(_terms(cancellation), sessions, price, discount):
        # a clinic whose fee would exceed a cap charges the legal maximum instead (a
        # same-day fee has none: it is dropped)
        maximal = {"kind": "none" if problem.field == "same_day" else "legal_maximum"}
        cancellation[problem.field] = maximal
    if check_terms(_terms(cancellation), sessions, price, discount):
        cancellation["same_day"] = {"kind": "none"}
    goods_jpy = sum(g["quantity"] * g["unit_price_jpy"] for g in goods)
    out: dict[str, Any] = {
        "per_session_jpy": price,
        "total_jpy": sessions * price - discount + goods_jpy,
        "related_goods": goods,
        "cancellation": cancellation,
    }
    if discount:
        out["discount"] = {"amount_jpy": discount, "reason": draw(txt)}
    return out


@st.composite
def _contracts(draw: st.DrawFn, day: dt.date, txt: st.SearchStrategy[str]) -> dict[str, Any]:
    return {
        "contract_id": draw(_IDS),
        "template_version": "2",
        "date": day.isoformat(),
        "person_in_charge": draw(txt),
        "payment": {
            "timing": draw(st.sampled_from(PaymentTiming)).value,
            "method": draw(st.sampled_from(PaymentMethod)).value,
        },
        "advance_payment_protection": draw(st.none() | txt),
        "special_terms": draw(st.lists(txt, max_size=2)),
    }


def _age(birth: dt.date, day: dt.date) -> int:
    years = day.year - birth.year
    return years - 1 if (day.month, day.day) < (birth.month, birth.day) else years
