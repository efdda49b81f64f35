"""Questionnaires and answers: the parts a questionnaire is made of.

The core (:class:`~exointake.Questionnaire`, :class:`~exointake.Answers`,
:func:`~exointake.load_questionnaire`, :data:`~exointake.UNKNOWN`) is re-exported here
beside the items, choices and conditions that build a questionnaire.

>>> from exointake import questionnaire
>>> q = questionnaire.load_questionnaire()
>>> isinstance(q.items[0], questionnaire.Item)
True
"""

from __future__ import annotations

from . import _api
from ._questionnaire import (
    UNKNOWN,
    Answers,
    AnswerValue,
    Choice,
    EnableBehavior,
    EnableWhen,
    Item,
    ItemType,
    Operator,
    Questionnaire,
    QuestionnaireRef,
    Unknown,
    answer_to_json,
    load_questionnaire,
)

__all__ = [
    "UNKNOWN",
    "AnswerValue",
    "Answers",
    "Choice",
    "EnableBehavior",
    "EnableWhen",
    "Item",
    "ItemType",
    "Operator",
    "Questionnaire",
    "QuestionnaireRef",
    "Unknown",
    "answer_to_json",
    "load_questionnaire",
]

_api.publish(__name__, globals(), __all__)
