"""exointake: run exosome therapy safely and on the record.

Intake questionnaires with route-aware, fail-safe contraindication screening;
consent-form PDFs; and an append-only, tamper-evident reaction log.

>>> import exointake
>>> q = exointake.load_questionnaire()
>>> answers = q.answers({"cancer_history": "current"}, partial=True)
>>> exointake.screen(answers, "iv_drip").decision
<Decision.CONTRAINDICATED: 'contraindicated'>
"""

from ._common import JST, Lang, Route, Text
from ._errors import (
    ExointakeError,
    LogIntegrityError,
    MigrationRequired,
    RenderError,
    ScreeningRefused,
    ValidationError,
    VersionMismatchError,
)
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
    load_questionnaire,
)
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
from ._wareki import format_wareki, parse_date

__version__ = "0.1.0"

__all__ = [
    "JST",
    "UNKNOWN",
    "AnswerValue",
    "Answers",
    "Choice",
    "Decision",
    "EnableBehavior",
    "EnableWhen",
    "ExointakeError",
    "Finding",
    "Item",
    "ItemType",
    "Lang",
    "LogIntegrityError",
    "MigrationRequired",
    "Operator",
    "Questionnaire",
    "QuestionnaireRef",
    "RenderError",
    "Route",
    "Rule",
    "RuleSet",
    "RuleSetRef",
    "RuleSource",
    "ScreeningRefused",
    "ScreeningResult",
    "Text",
    "Unknown",
    "ValidationError",
    "VersionMismatchError",
    "format_wareki",
    "load_questionnaire",
    "load_ruleset",
    "parse_date",
    "screen",
]
