"""Hypothesis strategies for symptoms and reactions (the input of ``grade``)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

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
from ._validate import check_instance, check_size_range, check_strategy

__all__ = ["reaction_dicts", "reactions", "symptom_codes", "symptoms"]


def _vocabulary(vocabulary: object) -> Vocabulary:
    check_instance(vocabulary, Vocabulary, "vocabulary", optional=True)
    return vocabulary if isinstance(vocabulary, Vocabulary) else load_vocabulary()


def symptom_codes(vocabulary: Vocabulary | None = None) -> st.SearchStrategy[str]:
    """Codes of the symptom vocabulary (the bundled newest unless one is given).

    Raises:
        hypothesis.errors.InvalidArgument: ``vocabulary`` is not a Vocabulary or None.
    """
    return st.sampled_from(_vocabulary(vocabulary).codes)


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

    Raises:
        hypothesis.errors.InvalidArgument: ``vocabulary`` is not a Vocabulary or
            ``codes`` not a strategy.
    """
    vocab = _vocabulary(vocabulary)
    check_strategy(codes, "codes")
    return (codes if codes is not None else symptom_codes(vocab)).flatmap(
        lambda c: _symptom_for(c, vocab)
    )


def reactions(
    *,
    vocabulary: Vocabulary | None = None,
    codes: st.SearchStrategy[str] | None = None,
    min_symptoms: int = 1,
    max_symptoms: int = 6,
) -> st.SearchStrategy[Reaction]:
    """Valid reactions: distinct symptoms, and every optional field known or unknown.

    Args:
        vocabulary: the vocabulary symptom codes come from.
        codes: a strategy for the symptom codes.
        min_symptoms, max_symptoms: how many symptoms (``1 <= min_symptoms <= max_symptoms``).

    Raises:
        hypothesis.errors.InvalidArgument: an argument of the wrong type, or symptom
            counts out of order, below 1 or above the vocabulary's size.
    """
    vocab = _check_reaction_arguments(vocabulary, codes, min_symptoms, max_symptoms)
    return _reactions(vocab, codes, min_symptoms, max_symptoms)


def _check_reaction_arguments(
    vocabulary: object, codes: object, min_symptoms: object, max_symptoms: object
) -> Vocabulary:
    vocab = _vocabulary(vocabulary)
    check_strategy(codes, "codes")
    check_size_range(min_symptoms, max_symptoms, ("min_symptoms", "max_symptoms"), minimum=1)
    if codes is None and isinstance(min_symptoms, int) and min_symptoms > len(vocab.codes):
        raise InvalidArgument(
            f"min_symptoms: expected at most {len(vocab.codes)} (the vocabulary's codes), "
            f"got {min_symptoms!r}"
        )
    return vocab


@st.composite
def _reactions(
    draw: st.DrawFn,
    vocab: Vocabulary,
    codes: st.SearchStrategy[str] | None,
    min_symptoms: int,
    max_symptoms: int,
) -> Reaction:
    chosen = draw(
        st.lists(
            codes if codes is not None else symptom_codes(vocab),
            min_size=min_symptoms,
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
        temperature_c=draw(
            st.none() | st.decimals(min_value=35, max_value=42, places=1, allow_nan=False)
        ),
        hours_above_40c=draw(st.none() | st.integers(0, 96)),
        blood_culture_positive=draw(maybe_bool),
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
    "temperature_c": None,
    "hours_above_40c": None,
    "blood_culture_positive": None,
}


def reaction_dicts(
    *,
    vocabulary: Vocabulary | None = None,
    codes: st.SearchStrategy[str] | None = None,
    min_symptoms: int = 1,
    max_symptoms: int = 6,
) -> st.SearchStrategy[dict[str, Any]]:
    """The JSON a user would write for a valid reaction: defaults left out at random,
    symptoms as ``"code"`` or ``{"code": ..., "extent": ...}``.

    ``Reaction.from_dict`` (given the same ``vocabulary=``) accepts every one of them.

    Raises:
        hypothesis.errors.InvalidArgument: as :func:`reactions`.
    """
    vocab = _check_reaction_arguments(vocabulary, codes, min_symptoms, max_symptoms)
    return _reaction_dicts(_reactions(vocab, codes, min_symptoms, max_symptoms))


@st.composite
def _reaction_dicts(draw: st.DrawFn, generated: st.SearchStrategy[Reaction]) -> dict[str, Any]:
    reaction = draw(generated)
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
