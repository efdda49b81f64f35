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
Arguments are checked when the strategy is built: a wrong one raises
:class:`hypothesis.errors.InvalidArgument` at once, not at the first draw.

Naming: strategies are plural nouns of what they generate — model values
(``answers()``, ``reactions()``) or, for the plain JSON a user would write,
``*_dicts()`` (``answer_dicts()``, ``reaction_dicts()``). The older names
``answer_values``, ``partial_answer_values`` and ``invalid_answer_values`` still
work, with a :class:`DeprecationWarning`, until exointake 0.3.0.

Hypothesis is an optional dependency: ``pip install 'exointake[testing]'``.
"""

import warnings
from collections.abc import Callable as _Callable
from typing import Any as _Any

try:
    import hypothesis  # noqa: F401 - only checks that the optional dependency is there
except ImportError as exc:
    raise ImportError(
        "exointake.strategies needs Hypothesis, an optional dependency: "
        "install exointake[testing] (pip install 'exointake[testing]')"
    ) from exc

from .. import _api
from ._consent import consent_requests, consent_texts
from ._grading import reaction_dicts, reactions, symptom_codes, symptoms
from ._intake import (
    answer_dicts,
    answers,
    conditions,
    invalid_answer_dicts,
    partial_answer_dicts,
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
    "answer_dicts",
    "answers",
    "conditions",
    "consent_requests",
    "consent_texts",
    "invalid_answer_dicts",
    "log_ids",
    "partial_answer_dicts",
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

_DEPRECATED: dict[str, _Callable[..., _Any]] = {
    "answer_values": answer_dicts,
    "invalid_answer_values": invalid_answer_dicts,
    "partial_answer_values": partial_answer_dicts,
}


def __getattr__(name: str) -> _Callable[..., _Any]:
    """The deprecated ``*_values`` names (removed in 0.3.0), with a warning."""
    if name in _DEPRECATED:
        new = _DEPRECATED[name]
        warnings.warn(
            f"exointake.strategies.{name} is deprecated and goes in exointake 0.3.0; "
            f"use {new.__name__}",
            DeprecationWarning,
            stacklevel=2,
        )
        return new
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_api.publish(__name__, globals(), __all__)
