"""Grading: the vocabulary, the severity table and the parts of a grade.

The core (:func:`~exointake.grade`, :class:`~exointake.Reaction`,
:class:`~exointake.Grade`, :class:`~exointake.Category`, the loaders) is re-exported here
beside Brighton signs, reasons and notes, CTCAE terms and grades (and the table's quoted
CTCAE texts), event kinds, actions and the table rows, and the staff-facing labels
reports name them with (:func:`load_labels`).

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
    BrightonNote,
    BrightonReason,
    BrightonSign,
    CtcaeGrade,
    Grade,
    grade,
)
from ._labels import Labels, load_labels
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
    CtcaeTerm,
    CtcaeTermDef,
    DataSource,
    EventKind,
    EventRow,
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
    "BrightonNote",
    "BrightonReason",
    "BrightonRole",
    "BrightonSign",
    "Category",
    "CtcaeGrade",
    "CtcaeTerm",
    "CtcaeTermDef",
    "DataSource",
    "EventKind",
    "EventRow",
    "Extent",
    "Grade",
    "Intervention",
    "Labels",
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
    "load_labels",
    "load_severity_table",
    "load_vocabulary",
]

_api.publish(__name__, globals(), __all__)
