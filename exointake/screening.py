"""Screening: rule sets, rules and their results.

The core (:func:`~exointake.screen`, :class:`~exointake.RuleSet`,
:class:`~exointake.ScreeningResult`, :class:`~exointake.Decision`, ...) is re-exported
here beside the parts a rule set is made of.

>>> from exointake import screening
>>> screening.load_ruleset().rules[0].source in screening.RuleSource
True
"""

from __future__ import annotations

from . import _api
from ._screening import (
    Decision,
    Finding,
    Rule,
    RuleSet,
    RuleSetRef,
    RuleSource,
    ScreeningResult,
    load_ruleset,
    screen,
)

__all__ = [
    "Decision",
    "Finding",
    "Rule",
    "RuleSet",
    "RuleSetRef",
    "RuleSource",
    "ScreeningResult",
    "load_ruleset",
    "screen",
]

_api.publish(__name__, globals(), __all__)
