"""Hypothesis strategies for symptoms and reactions (the input of ``grade``)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .._reaction import (
    Intervention,
    Outcome,
    Reaction,
    Symptom,
)
from .._vocabulary import (
    Extent,
    Vocabulary,
    load_vocabulary,
)

__all__ = ["reaction_dicts", "reactions", "symptom_codes", "symptoms"]


def symptom_codes(vocabulary: Vocabulary | None = None) -> st.SearchStrategy[str]:
    """Codes of the symptom vocabulary (the bundled newest unless one is given)."""
    return st.sampled_from((vocabulary or load_vocabulary()).codes)


@st.composite
def _symptom_for(draw: st.DrawFn, code: str, vocabulary: Vocabulary) -> Symptom:
    extent = draw(st.none() | st.sampled_from(list(Extent))) if vocabulary[code].skin else None
    return Symptom(code, extent)


def symptoms(
    vocabulary: Vocabulary | None = None, *, codes: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Symptom]:
    """Valid symptoms: a code, and an extent (or none) when the code is a skin sign.

    Args:
        vocabulary: the vocabulary codes come from (the bundled newest by default).
        codes: a strategy for the codes, e.g. ``st.sampled_from(["urticaria", "wheeze"])``.
    """
    vocab = vocabulary or load_vocabulary()
    return (codes if codes is not None else symptom_codes(vocab)).flatmap(
        lambda c: _symptom_for(c, vocab)
    )


@st.composite
def reactions(
    draw: st.DrawFn,
    *,
    vocabulary: Vocabulary | None = None,
    codes: st.SearchStrategy[str] | None = None,
    min_symptoms: int = 1,
    max_symptoms: int = 6,
) -> Reaction:
    """Valid reactions: distinct symptoms, and every optional field known or unknown.

    Args:
        vocabulary: the vocabulary symptom codes come from.
        codes: a strategy for the symptom codes.
        min_symptoms, max_symptoms: how many symptoms (``min_symptoms`` at least 1).
    """
    vocab = vocabulary or load_vocabulary()
    chosen = draw(
        st.lists(
            codes if codes is not None else symptom_codes(vocab),
            min_size=max(1, min_symptoms),
            max_size=max_symptoms,
            unique=True,
        )
    )
    signs = tuple(draw(_symptom_for(c, vocab)) for c in chosen)
    maybe_bool = st.none() | st.booleans()
    return Reaction(
        symptoms=signs,
        onset_minutes=draw(st.none() | st.integers(0, 24 * 60)),
        rapid_progression=draw(maybe_bool),
        reported_anaphylaxis=draw(st.booleans()),
        interventions=draw(st.none() | st.lists(st.sampled_from(list(Intervention)), max_size=4)),
        hospitalization=draw(maybe_bool),
        outcome=draw(st.sampled_from(list(Outcome))),
        duration_days=draw(st.none() | st.integers(0, 60)),
        worsening=draw(maybe_bool),
        prolonged=draw(maybe_bool),
        body_surface_percent=draw(st.none() | st.integers(0, 100)),
        life_threatening=draw(maybe_bool),
        disability=draw(maybe_bool),
        congenital_anomaly=draw(maybe_bool),
        medically_important=draw(maybe_bool),
    )


_DEFAULTS = {
    "onset_minutes": None,
    "rapid_progression": None,
    "reported_anaphylaxis": False,
    "interventions": None,
    "hospitalization": None,
    "outcome": "unknown",
    "duration_days": None,
    "worsening": None,
    "prolonged": None,
    "body_surface_percent": None,
    "life_threatening": None,
    "disability": None,
    "congenital_anomaly": None,
    "medically_important": None,
}


@st.composite
def reaction_dicts(
    draw: st.DrawFn,
    *,
    vocabulary: Vocabulary | None = None,
    codes: st.SearchStrategy[str] | None = None,
    min_symptoms: int = 1,
    max_symptoms: int = 6,
) -> dict[str, Any]:
    """The JSON a user would write for a valid reaction: defaults left out at random,
    symptoms as ``"code"`` or ``{"code": ..., "extent": ...}``.

    ``Reaction.from_dict`` (given the same ``vocabulary=``) accepts every one of them.
    """
    reaction = draw(
        reactions(
            vocabulary=vocabulary,
            codes=codes,
            min_symptoms=min_symptoms,
            max_symptoms=max_symptoms,
        )
    )
    full = reaction.to_dict()
    out: dict[str, Any] = {"symptoms": []}
    for s in reaction.symptoms:
        if s.extent is None and draw(st.booleans()):
            out["symptoms"].append(s.code)
        else:
            item: dict[str, Any] = {"code": s.code}
            if s.extent is not None:
                item["extent"] = s.extent.value
            out["symptoms"].append(item)
    for key, default in _DEFAULTS.items():
        if full[key] != default or draw(st.booleans()):
            out[key] = full[key]
    return out
