"""exointake: run exosome therapy safely and on the record.

Intake questionnaires with route-aware, fail-safe contraindication screening;
consent-form PDFs; and an append-only, tamper-evident reaction log.

>>> import exointake
>>> q = exointake.load_questionnaire()
>>> answers = q.answers({"cancer_history": "current"}, partial=True)
>>> exointake.screen(answers, "iv_drip").decision
<Decision.CONTRAINDICATED: 'contraindicated'>
"""

import importlib
import typing

from ._common import JST, Lang, Route, Text
from ._consent import (
    Acquisition,
    Clinic,
    ConsentLanguage,
    ConsentProduct,
    ConsentRequest,
    ConsentTemplate,
    Guardian,
    IntervalUnit,
    Patient,
    Physician,
    PhysicianOverride,
    Plan,
    Prices,
    ProductKind,
    TemplateRef,
    Treatment,
    cooling_off_applies,
    current_template,
    current_templates,
    load_template,
    needs_reconsent,
    suggest_cooling_off,
    template_versions,
)
from ._errors import (
    ExointakeError,
    LogIntegrityError,
    MigrationRequired,
    RenderError,
    ScreeningRefused,
    ValidationError,
    VersionMismatchError,
)
from ._grading import (
    Action,
    ActionCode,
    ActionTexts,
    BrightonReason,
    BrightonRole,
    BrightonSign,
    Category,
    CtcaeGrade,
    CtcaeTerm,
    DataSource,
    Extent,
    Grade,
    Intervention,
    OrganSystem,
    Outcome,
    Reaction,
    SeriousnessCriterion,
    SeverityRow,
    SeverityTable,
    Symptom,
    SymptomDef,
    Vocabulary,
    grade,
    load_severity_table,
    load_vocabulary,
    using_vocabulary,
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
from ._reactions import (
    Causality,
    ReactionRecord,
    VitalSigns,
)
from ._records import (
    Administration,
    ConsentRecord,
    FollowUp,
    FollowUpStatus,
    Origin,
    Product,
    ScreeningRecord,
    Sourcing,
    StorageCheck,
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
from ._sign import (
    sign_consent,
)
from ._wareki import format_wareki, parse_date

if typing.TYPE_CHECKING:  # what mypy and Sphinx read; at run time these load on first use (below)
    from ._consent_record import (
        consent_record,
        consents_needing_reconsent,
        record_rendered_consent,
    )
    from ._log._core import (
        Alert,
        Amendment,
        EntryKind,
        EntryView,
        Log,
        LogEntry,
        RateReport,
        RateRow,
        Recall,
        VerifyReport,
        migrate_log,
        open_log,
    )
    from ._render import (
        FontSpec,
        RenderedConsent,
        render_consent,
        render_summary,
    )

__version__ = "0.1.0"

__all__ = [
    "JST",
    "UNKNOWN",
    "Acquisition",
    "Action",
    "ActionCode",
    "ActionTexts",
    "Administration",
    "Alert",
    "Amendment",
    "AnswerValue",
    "Answers",
    "BrightonReason",
    "BrightonRole",
    "BrightonSign",
    "Category",
    "Causality",
    "Choice",
    "Clinic",
    "ConsentLanguage",
    "ConsentProduct",
    "ConsentRecord",
    "ConsentRequest",
    "ConsentTemplate",
    "CtcaeGrade",
    "CtcaeTerm",
    "DataSource",
    "Decision",
    "EnableBehavior",
    "EnableWhen",
    "EntryKind",
    "EntryView",
    "ExointakeError",
    "Extent",
    "Finding",
    "FollowUp",
    "FollowUpStatus",
    "FontSpec",
    "Grade",
    "Guardian",
    "IntervalUnit",
    "Intervention",
    "Item",
    "ItemType",
    "Lang",
    "Log",
    "LogEntry",
    "LogIntegrityError",
    "MigrationRequired",
    "Operator",
    "OrganSystem",
    "Origin",
    "Outcome",
    "Patient",
    "Physician",
    "PhysicianOverride",
    "Plan",
    "Prices",
    "Product",
    "ProductKind",
    "Questionnaire",
    "QuestionnaireRef",
    "RateReport",
    "RateRow",
    "Reaction",
    "ReactionRecord",
    "Recall",
    "RenderError",
    "RenderedConsent",
    "Route",
    "Rule",
    "RuleSet",
    "RuleSetRef",
    "RuleSource",
    "ScreeningRecord",
    "ScreeningRefused",
    "ScreeningResult",
    "SeriousnessCriterion",
    "SeverityRow",
    "SeverityTable",
    "Sourcing",
    "StorageCheck",
    "Symptom",
    "SymptomDef",
    "TemplateRef",
    "Text",
    "Treatment",
    "Unknown",
    "ValidationError",
    "VerifyReport",
    "VersionMismatchError",
    "VitalSigns",
    "Vocabulary",
    "consent_record",
    "consents_needing_reconsent",
    "cooling_off_applies",
    "current_template",
    "current_templates",
    "format_wareki",
    "grade",
    "load_questionnaire",
    "load_ruleset",
    "load_severity_table",
    "load_template",
    "load_vocabulary",
    "migrate_log",
    "needs_reconsent",
    "open_log",
    "parse_date",
    "record_rendered_consent",
    "render_consent",
    "render_summary",
    "screen",
    "sign_consent",
    "suggest_cooling_off",
    "template_versions",
    "using_vocabulary",
]


# The log (SQLAlchemy, Alembic) and the PDF renderer (reportlab) are heavy to import and
# most programs need only one of them, or neither: their names are looked up in this
# table and imported on first use, so that ``import exointake`` stays cheap (attrs and
# httpx load their optional parts the same way). ``__dir__`` lists them as if present.
_LAZY: dict[str, str] = {
    name: module
    for module, names in (
        (
            "._consent_record",
            ("consent_record", "consents_needing_reconsent", "record_rendered_consent"),
        ),
        (
            "._log._core",
            (
                "Alert",
                "Amendment",
                "EntryKind",
                "EntryView",
                "Log",
                "LogEntry",
                "RateReport",
                "RateRow",
                "Recall",
                "VerifyReport",
                "migrate_log",
                "open_log",
            ),
        ),
        ("._render", ("FontSpec", "RenderedConsent", "render_consent", "render_summary")),
    )
    for name in names
}

if not typing.TYPE_CHECKING:  # mypy would otherwise accept any attribute of the package

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value  # later look-ups find it directly
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
