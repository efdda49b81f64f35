"""Hypothesis strategies for integrators who property-test their use of exointake.

>>> from hypothesis import given
>>> import exointake
>>> from exointake import strategies
>>> q = exointake.load_questionnaire()
>>> @given(strategies.answers(q, route=exointake.Route.IV_DRIP))
... def test_screening_always_decides(answers):
...     assert exointake.screen(answers, "iv_drip").decision in exointake.Decision
>>> test_screening_always_decides()

Every strategy is a function returning a ``SearchStrategy``; pass the
questionnaire (and route) you use so generated data respects your forms.

Hypothesis is an optional dependency: ``pip install 'exointake[testing]'``.
"""

try:
    import hypothesis  # noqa: F401 - only checks that the optional dependency is there
except ImportError as exc:
    raise ImportError(
        "exointake.strategies needs Hypothesis, an optional dependency: "
        "install exointake[testing] (pip install 'exointake[testing]')"
    ) from exc

from ._consent import consent_requests, consent_texts
from ._grading import reaction_dicts, reactions, symptom_codes, symptoms
from ._intake import (
    answer_values,
    answers,
    conditions,
    invalid_answer_values,
    partial_answer_values,
    questionnaire_dicts,
    questionnaires,
    routes,
    ruleset_dicts,
    rulesets,
    texts,
)
from ._log import administrations, log_ids, reaction_records

__all__ = [
    "administrations",
    "answer_values",
    "answers",
    "conditions",
    "consent_requests",
    "consent_texts",
    "invalid_answer_values",
    "log_ids",
    "partial_answer_values",
    "questionnaire_dicts",
    "questionnaires",
    "reaction_dicts",
    "reaction_records",
    "reactions",
    "routes",
    "ruleset_dicts",
    "rulesets",
    "symptom_codes",
    "symptoms",
    "texts",
]
