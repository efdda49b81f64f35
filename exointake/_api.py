"""The shape of the public API: which names are the core, which live in a topic module.

``import exointake`` gives the core a clinic needs (about fifty names: load, screen, grade,
render, log); the parts those are made of live in the public topic modules
:mod:`exointake.questionnaire`, :mod:`exointake.screening`, :mod:`exointake.grading`,
:mod:`exointake.consent`, :mod:`exointake.records`, :mod:`exointake.log`,
:mod:`exointake.signals`, :mod:`exointake.report` and :mod:`exointake.registry`, each of
which also re-exports the core names of its topic. Every exported class and function
carries its public path in ``__module__`` (``exointake.Grade``,
``exointake.grading.BrightonSign``), so reprs, pickles and the API reference never show a
private module.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Callable, Iterable, Mapping, MutableMapping

import attrs

__all__ = [
    "CORE",
    "DEPRECATED",
    "HEAVY",
    "MOVED",
    "TOPICS",
    "lazy_dir",
    "lazy_getattr",
    "load_lazily",
    "publish",
]

#: The core: public name -> the private module that defines it (loaded on first use).
CORE: Mapping[str, str] = {
    # dates, languages, routes
    "JST": "_common",
    "UNKNOWN": "_questionnaire",
    "Lang": "_common",
    "Route": "_common",
    "Text": "_common",
    "format_wareki": "_wareki",
    "load_json": "_convert",
    "parse_date": "_wareki",
    # files
    "Outputs": "_files",
    # errors
    "AdministrationRefused": "_errors",
    "EntryNotFound": "_errors",
    "ExointakeError": "_errors",
    "LogIntegrityError": "_errors",
    "MigrationRequired": "_errors",
    "RenderError": "_errors",
    "ScreeningRefused": "_errors",
    "StorageError": "_errors",
    "ValidationError": "_errors",
    "VersionMismatchError": "_errors",
    # intake and screening
    "Answers": "_questionnaire",
    "Questionnaire": "_questionnaire",
    "load_questionnaire": "_questionnaire",
    "Decision": "_screening",
    "Finding": "_screening",
    "RuleSet": "_screening",
    "ScreeningResult": "_screening",
    "load_ruleset": "_screening",
    "screen": "_screening",
    # grading
    "Category": "_vocabulary",
    "load_severity_table": "_vocabulary",
    "load_vocabulary": "_vocabulary",
    "Reaction": "_reaction",
    "Grade": "_grading",
    "grade": "_grading",
    # consent documents
    "ConsentRequest": "_consent",
    "load_template": "_consent_template",
    "RenderedConsent": "_render",
    "render_consent": "_consent_render",
    "render_contract": "_consent_render",
    "render_summary": "_consent_render",
    "sign_consent": "_sign",
    # the log
    "Administration": "_records",
    "ConsentRecord": "_records",
    "FollowUp": "_records",
    "Product": "_records",
    "ScreeningRecord": "_records",
    "ReactionRecord": "_reactions",
    "Log": "_log._core",
    "migrate_log": "_log._core",
    "open_log": "_log._core",
    "VerifyReport": "_log._verify",
}

#: Private modules that load a heavy dependency (SQLAlchemy and Alembic, reportlab, pyHanko):
#: public namespaces import their names on first use, so that ``import exointake`` and every
#: command's start stay cheap (``benchmarks/bench_import.py`` measures).
HEAVY = frozenset(
    {
        "_consent_record",
        "_consent_render",
        "_render",
        "_sign",
        "_log._core",
        "_log._entries",
        "_log._queries",
        "_log._store",
        "_log._verify",
        "_log._writes",
        "_pooled",
        "_pooled_report",
        "_registry",
        "_registry_export",
        "_registry_store",
        "_report_charts",
        "_safety_report",
        "_signals_alert",
    }
)

#: Topic module -> the names it adds to the core names of its topic.
TOPICS: Mapping[str, tuple[str, ...]] = {
    "questionnaire": (
        "AnswerValue",
        "Choice",
        "EnableBehavior",
        "EnableWhen",
        "Item",
        "ItemType",
        "Operator",
        "QuestionnaireBase",
        "QuestionnaireRef",
        "Unknown",
        "answer_to_json",
    ),
    "screening": ("Rule", "RuleSetRef", "RuleSource", "Source", "default_ruleset", "rescreen"),
    "grading": (
        "Action",
        "ActionCode",
        "ActionTexts",
        "BrightonReason",
        "BrightonRole",
        "BrightonSign",
        "CtcaeGrade",
        "CtcaeTerm",
        "DataSource",
        "Extent",
        "Intervention",
        "Labels",
        "OrganSystem",
        "Outcome",
        "SeriousnessCriterion",
        "SeverityRow",
        "SeverityTable",
        "Symptom",
        "SymptomDef",
        "Vocabulary",
        "load_labels",
    ),
    "consent": (
        "Acquisition",
        "CancellationTerms",
        "Caps",
        "Clinic",
        "Contract",
        "ContractTemplate",
        "Discount",
        "Fee",
        "FeeKind",
        "Payment",
        "PaymentMethod",
        "PaymentTiming",
        "Purpose",
        "RelatedGood",
        "Seller",
        "check_cancellation",
        "load_contract_template",
        "ConsentLanguage",
        "ConsentProduct",
        "ConsentTemplate",
        "FontSpec",
        "Guardian",
        "IntervalUnit",
        "Patient",
        "Physician",
        "PhysicianOverride",
        "Plan",
        "Prices",
        "ProductKind",
        "TemplateRef",
        "Treatment",
        "consent_record",
        "cooling_off_applies",
        "current_templates",
        "needs_reconsent",
        "suggest_cooling_off",
        "template_versions",
    ),
    "records": (
        "Causality",
        "ConsentWithdrawal",
        "FollowUpStatus",
        "GateOverride",
        "Origin",
        "PhysicianReview",
        "ReviewDecision",
        "Sourcing",
        "StorageCheck",
        "VitalSigns",
    ),
    "log": (
        "Alert",
        "Amendment",
        "Checkpoint",
        "EntryKind",
        "EntryView",
        "LogEntry",
        "LotSeries",
        "Page",
        "RateReport",
        "RateRow",
        "ReactionEvent",
        "Recall",
        "generate_signing_key",
        "load_private_key",
        "load_public_key",
        "normalise_url",
    ),
    "registry": (
        "ExportKey",
        "GateReport",
        "ImportResult",
        "ImportedExport",
        "PooledAdministration",
        "PooledCase",
        "PooledData",
        "PooledExport",
        "PooledRate",
        "PooledReaction",
        "Registry",
        "RegistryExport",
        "export_registry",
        "generate_export_key",
        "load_export_key",
        "open_registry",
    ),
    "report": (
        "SafetyReport",
        "pooled_safety_report",
        "safety_report",
    ),
    "signals": (
        "CriticalValue",
        "LotStatus",
        "Method",
        "MonitoredOutcome",
        "Rate",
        "SignalAlert",
        "SignalReport",
        "SignalSettings",
        "SignalStatus",
        "TrajectoryPoint",
        "binomial_cv",
        "binomial_llr",
        "check_signals",
        "count_rate",
        "evaluate",
        "poisson_cv",
        "poisson_llr",
        "proportion_rate",
    ),
}

#: The names ``exointake.__all__`` listed before 0.2.0 that now live in a topic module
#: (frozen: the topics' names as of 0.2.0's move). Only these keep a deprecated top-level
#: path; a name added to a topic later was never ``exointake.X``.
_FORMERLY_TOP_LEVEL: frozenset[str] = frozenset(
    (
        "Acquisition",
        "Action",
        "ActionCode",
        "ActionTexts",
        "Alert",
        "Amendment",
        "AnswerValue",
        "BrightonReason",
        "BrightonRole",
        "BrightonSign",
        "Causality",
        "Choice",
        "Clinic",
        "ConsentLanguage",
        "ConsentProduct",
        "ConsentTemplate",
        "CtcaeGrade",
        "CtcaeTerm",
        "DataSource",
        "EnableBehavior",
        "EnableWhen",
        "EntryKind",
        "EntryView",
        "Extent",
        "FollowUpStatus",
        "FontSpec",
        "Guardian",
        "IntervalUnit",
        "Intervention",
        "Item",
        "ItemType",
        "LogEntry",
        "Operator",
        "OrganSystem",
        "Origin",
        "Outcome",
        "Patient",
        "Physician",
        "PhysicianOverride",
        "Plan",
        "Prices",
        "ProductKind",
        "QuestionnaireRef",
        "RateReport",
        "RateRow",
        "Recall",
        "Rule",
        "RuleSetRef",
        "RuleSource",
        "SeriousnessCriterion",
        "SeverityRow",
        "SeverityTable",
        "Sourcing",
        "StorageCheck",
        "Symptom",
        "SymptomDef",
        "TemplateRef",
        "Treatment",
        "Unknown",
        "VitalSigns",
        "Vocabulary",
        "answer_to_json",
        "consent_record",
        "cooling_off_applies",
        "current_templates",
        "needs_reconsent",
        "normalise_url",
        "suggest_cooling_off",
        "template_versions",
    )
)

#: Names that were in ``exointake.__all__`` before 0.2.0 and now live in a topic module:
#: ``exointake.X`` still works, with a DeprecationWarning, until exointake 0.3.0.
MOVED: Mapping[str, str] = {
    name: topic for topic, names in TOPICS.items() for name in names if name in _FORMERLY_TOP_LEVEL
}

#: Deprecated aliases at the top level (see the changelog): name -> (module, replacement).
DEPRECATED: Mapping[str, tuple[str, str]] = {
    "current_template": ("_consent_template", "exointake.load_template(template_id)"),
    "record_rendered_consent": ("_consent_record", "log.record_consent(rendered, ...)"),
    "consents_needing_reconsent": ("_consent_record", "log.consents_needing_reconsent(...)"),
}


def publish(public: str, namespace: Mapping[str, object], names: Iterable[str]) -> None:
    """Show each exported class and function under its public path.

    Core names become ``exointake.X`` wherever they are re-exported; the others
    ``<public>.X``.
    """
    for name in names:
        obj = namespace[name]
        if isinstance(obj, type) and attrs.has(obj):
            # Annotations are strings (PEP 563) evaluated in the module named by
            # ``__module__``: resolve them while that is still the defining module.
            attrs.resolve_types(obj)
        if isinstance(obj, type | types.FunctionType):
            obj.__module__ = "exointake" if name in CORE else public


def load_lazily(
    public: str, namespace: MutableMapping[str, object], lazy: Mapping[str, str], name: str
) -> object:
    """Import ``name`` from its private module on first use, publish it, keep it in ``namespace``.

    The module ``__getattr__`` of a public namespace calls this for the names in ``lazy``
    (name -> private module); later look-ups find the value directly.
    """
    module = importlib.import_module(f".{lazy[name]}", "exointake")
    value: object = getattr(module, name)
    publish(public, {name: value}, [name])
    namespace[name] = value
    return value


def lazy_getattr(
    public: str,
    namespace: MutableMapping[str, object],
    lazy: Mapping[str, str],
    *,
    fallback: Callable[[str], object] | None = None,
) -> Callable[[str], object]:
    """The module ``__getattr__`` of a public namespace with names loaded on first use.

    A name of ``lazy`` (name -> private module) is loaded by :func:`load_lazily`; any
    other goes to ``fallback`` (which raises AttributeError for what it does not know),
    or is an AttributeError naming the module.
    """

    def __getattr__(name: str) -> object:
        if name in lazy:
            return load_lazily(public, namespace, lazy, name)
        if fallback is not None:
            return fallback(name)
        raise AttributeError(f"module {public!r} has no attribute {name!r}")

    return __getattr__


def lazy_dir(namespace: Mapping[str, object], lazy: Mapping[str, str]) -> Callable[[], list[str]]:
    """The module ``__dir__`` listing the names not yet loaded as if present."""

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(lazy))

    return __dir__
