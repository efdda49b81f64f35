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
    suggest_cooling_off,
)
from .._consent_template import (
    Acquisition,
    ProductKind,
)
from .._questionnaire import Questionnaire, load_questionnaire
from .._records import Origin, Sourcing
from .._screening import Decision, screen
from ._intake import answers
from ._validate import check_bool, check_instance, check_size_range, check_strategy

__all__ = ["consent_requests", "consent_texts"]

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
    birth = draw(st.dates(dt.date(1930, 1, 1), doc_day))
    minor = _age(birth, doc_day) < 18 or "guardian_consent" in result.requirements
    sessions = draw(st.integers(1, 8))
    interval: dict[str, Any] = (
        {"interval": draw(st.integers(1, 4)), "interval_unit": draw(st.sampled_from(IntervalUnit))}
        if sessions > 1
        else {}
    )
    price = draw(st.integers(0, 300_000))
    extra = draw(st.sampled_from([None, *(r for r in Route if r is not route)]))
    routes = [route.value] if extra is None else [route.value, extra.value]
    data: dict[str, Any] = {
        "consent_id": draw(_IDS),
        "template_version": "1",
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
                "cooling_off_covered": draw(st.booleans())
                or suggest_cooling_off([Route(r) for r in routes]),
                **interval,
            },
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
        "prices": {
            "per_session_jpy": price,
            "total_jpy": price * sessions,
            "cancellation_terms": draw(txt),
        },
        "screening": result.to_dict(),
    }
    if result.decision in (Decision.CONTRAINDICATED, Decision.INCOMPLETE) and not allow_refused:
        data["override"] = {
            "physician_id": draw(_IDS),
            "reason": draw(txt),
            "at": doc_at.isoformat(),
        }
    return ConsentRequest.from_dict(data)


def _age(birth: dt.date, day: dt.date) -> int:
    years = day.year - birth.year
    return years - 1 if (day.month, day.day) < (birth.month, birth.day) else years
