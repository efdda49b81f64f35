"""Grading: the vocabulary, the severity table and the parts of a grade.

The core (:func:`~exointake.grade`, :class:`~exointake.Reaction`,
:class:`~exointake.Grade`, :class:`~exointake.Category`, the loaders) is re-exported here
beside Brighton signs and reasons, CTCAE terms and grades, actions and the table rows.

>>> from exointake import grading
>>> g = grading.grade({"symptoms": ["redness"]}, route="injection_face")
>>> isinstance(g.ctcae, grading.CtcaeGrade)
True
"""

from __future__ import annotations

from . import _api
from ._grading import (
    Action,
    ActionCode,
    BrightonReason,
    BrightonSign,
    CtcaeGrade,
    CtcaeTerm,
    Grade,
    grade,
)
from ._reaction import (
    Intervention,
    Outcome,
    Reaction,
    Symptom,
)
from ._vocabulary import (
    ActionTexts,
    BrightonRole,
    Category,
    DataSource,
    Extent,
    OrganSystem,
    SeriousnessCriterion,
    SeverityRow,
    SeverityTable,
    SymptomDef,
    Vocabulary,
    load_severity_table,
    load_vocabulary,
)

__all__ = [
    "Action",
    "ActionCode",
    "ActionTexts",
    "BrightonReason",
    "BrightonRole",
    "BrightonSign",
    "Category",
    "CtcaeGrade",
    "CtcaeTerm",
    "DataSource",
    "Extent",
    "Grade",
    "Intervention",
    "OrganSystem",
    "Outcome",
    "Reaction",
    "SeriousnessCriterion",
    "SeverityRow",
    "SeverityTable",
    "Symptom",
    "SymptomDef",
    "Vocabulary",
    "grade",
    "load_severity_table",
    "load_vocabulary",
]

_api.publish(__name__, globals(), __all__)
