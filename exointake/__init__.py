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
from ._errors import (
    EntryNotFound,
    ExointakeError,
    LogIntegrityError,
    MigrationRequired,
    RenderError,
    ScreeningRefused,
    StorageError,
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
from ._sign import sign_consent
from ._wareki import format_wareki, parse_date

if typing.TYPE_CHECKING:  # what mypy reads; at run time these load on first use (below)
    from ._consent import (
        Clinic,
        ConsentLanguage,
        ConsentProduct,
        ConsentRequest,
        Guardian,
        IntervalUnit,
        Patient,
        Physician,
        PhysicianOverride,
        Plan,
        Prices,
        Treatment,
        check_cancellation,
        cooling_off_applies,
        needs_reconsent,
        suggest_cooling_off,
    )
    from ._consent_record import consent_record, consents_needing_reconsent, record_rendered_consent
    from ._consent_template import (
        Acquisition,
        ConsentTemplate,
        ProductKind,
        TemplateRef,
        current_template,
        current_templates,
        load_template,
        template_versions,
    )
    from ._contract import (
        CancellationTerms,
        Contract,
        Discount,
        Payment,
        PaymentMethod,
        PaymentTiming,
        Purpose,
        RelatedGood,
        Seller,
    )
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
    from ._money import Fee, FeeKind
    from ._reaction import Intervention, Outcome, Reaction, Symptom
    from ._reactions import Causality, ReactionRecord, VitalSigns
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
    from ._render import (
        FontSpec,
        RenderedConsent,
        render_consent,
        render_contract,
        render_summary,
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
    "CancellationTerms",
    "Category",
    "Causality",
    "Choice",
    "Clinic",
    "ConsentLanguage",
    "ConsentProduct",
    "ConsentRecord",
    "ConsentRequest",
    "ConsentTemplate",
    "Contract",
    "CtcaeGrade",
    "CtcaeTerm",
    "DataSource",
    "Decision",
    "Discount",
    "EnableBehavior",
    "EnableWhen",
    "EntryKind",
    "EntryNotFound",
    "EntryView",
    "ExointakeError",
    "Extent",
    "Fee",
    "FeeKind",
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
    "Payment",
    "PaymentMethod",
    "PaymentTiming",
    "Physician",
    "PhysicianOverride",
    "Plan",
    "Prices",
    "Product",
    "ProductKind",
    "Purpose",
    "Questionnaire",
    "QuestionnaireRef",
    "RateReport",
    "RateRow",
    "Reaction",
    "ReactionRecord",
    "Recall",
    "RelatedGood",
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
    "Seller",
    "SeriousnessCriterion",
    "SeverityRow",
    "SeverityTable",
    "Sourcing",
    "StorageCheck",
    "StorageError",
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
    "check_cancellation",
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
    "render_contract",
    "render_summary",
    "screen",
    "sign_consent",
    "suggest_cooling_off",
    "template_versions",
]


# Names whose modules are costly to import load on first use, so that ``import exointake``
# and the ``exointake screen`` command stay cheap (attrs loads optional parts the same way):
# the log needs SQLAlchemy and Alembic, the renderer reportlab, and the consent, grading
# and record models build some hundred attrs classes and converter hooks that screening
# never uses. ``__dir__`` lists them as if present; ``benchmarks/bench_import.py`` measures.
_LAZY_MODULES: dict[str, tuple[str, ...]] = {
    "._consent": (
        "Clinic",
        "ConsentLanguage",
        "ConsentProduct",
        "ConsentRequest",
        "Guardian",
        "IntervalUnit",
        "Patient",
        "Physician",
        "PhysicianOverride",
        "Plan",
        "Prices",
        "Treatment",
        "check_cancellation",
        "cooling_off_applies",
        "needs_reconsent",
        "suggest_cooling_off",
    ),
    "._contract": (
        "CancellationTerms",
        "Contract",
        "Discount",
        "Payment",
        "PaymentMethod",
        "PaymentTiming",
        "Purpose",
        "RelatedGood",
        "Seller",
    ),
    "._money": ("Fee", "FeeKind"),
    "._consent_record": (
        "consent_record",
        "consents_needing_reconsent",
        "record_rendered_consent",
    ),
    "._consent_template": (
        "Acquisition",
        "ConsentTemplate",
        "ProductKind",
        "TemplateRef",
        "current_template",
        "current_templates",
        "load_template",
        "template_versions",
    ),
    "._grading": (
        "Action",
        "ActionCode",
        "BrightonReason",
        "BrightonSign",
        "CtcaeGrade",
        "CtcaeTerm",
        "Grade",
        "grade",
    ),
    "._log._core": (
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
    "._reaction": (
        "Intervention",
        "Outcome",
        "Reaction",
        "Symptom",
    ),
    "._reactions": (
        "Causality",
        "ReactionRecord",
        "VitalSigns",
    ),
    "._records": (
        "Administration",
        "ConsentRecord",
        "FollowUp",
        "FollowUpStatus",
        "Origin",
        "Product",
        "ScreeningRecord",
        "Sourcing",
        "StorageCheck",
    ),
    "._render": (
        "FontSpec",
        "RenderedConsent",
        "render_consent",
        "render_contract",
        "render_summary",
    ),
    "._vocabulary": (
        "ActionTexts",
        "BrightonRole",
        "Category",
        "DataSource",
        "Extent",
        "OrganSystem",
        "SeriousnessCriterion",
        "SeverityRow",
        "SeverityTable",
        "SymptomDef",
        "Vocabulary",
        "load_severity_table",
        "load_vocabulary",
    ),
}
_LAZY = {name: module for module, names in _LAZY_MODULES.items() for name in names}

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
