"""exointake: run exosome therapy safely and on the record.

Intake questionnaires with route-aware, fail-safe contraindication screening;
consent-form PDFs; and an append-only, tamper-evident reaction log.

>>> import exointake
>>> q = exointake.load_questionnaire()
>>> answers = q.answers({"cancer_history": "current"}, partial=True, route="iv_drip")
>>> exointake.screen(answers).decision
<Decision.CONTRAINDICATED: 'contraindicated'>

This namespace is the core a clinic needs (see :mod:`exointake._api` for the list); the
parts those are made of live in the topic modules :mod:`exointake.questionnaire`,
:mod:`exointake.screening`, :mod:`exointake.grading`, :mod:`exointake.consent` and
:mod:`exointake.log`.
"""

import importlib
import typing
import warnings

from . import _api
from ._common import (
    JST,
    Lang,
    Route,
    Text,
)
from ._convert import load_json
from ._errors import (
    AdministrationRefused,
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
from ._files import Outputs
from ._questionnaire import (
    UNKNOWN,
    Answers,
    Questionnaire,
    load_questionnaire,
)
from ._screening import (
    Decision,
    Finding,
    RuleSet,
    ScreeningResult,
    load_ruleset,
    screen,
)
from ._wareki import (
    format_wareki,
    parse_date,
)

if typing.TYPE_CHECKING:  # what mypy reads; at run time these load on first use (below)
    from ._consent import (
        ConsentRequest,
    )
    from ._consent_render import (
        render_consent,
        render_contract,
        render_summary,
    )
    from ._consent_template import (
        load_template,
    )
    from ._grading import (
        Grade,
        grade,
    )
    from ._log._core import (
        Log,
        migrate_log,
        open_log,
    )
    from ._log._verify import (
        VerifyReport,
    )
    from ._reaction import (
        Reaction,
    )
    from ._reactions import (
        ReactionRecord,
    )
    from ._records import (
        Administration,
        ConsentRecord,
        FollowUp,
        Product,
        ScreeningRecord,
    )
    from ._render import (
        RenderedConsent,
    )
    from ._sign import (
        sign_consent,
    )
    from ._vocabulary import (
        Category,
        load_severity_table,
        load_vocabulary,
    )

__version__ = "0.1.0"

__all__ = [
    "JST",
    "UNKNOWN",
    "Administration",
    "AdministrationRefused",
    "Answers",
    "Category",
    "ConsentRecord",
    "ConsentRequest",
    "Decision",
    "EntryNotFound",
    "ExointakeError",
    "Finding",
    "FollowUp",
    "Grade",
    "Lang",
    "Log",
    "LogIntegrityError",
    "MigrationRequired",
    "Outputs",
    "Product",
    "Questionnaire",
    "Reaction",
    "ReactionRecord",
    "RenderError",
    "RenderedConsent",
    "Route",
    "RuleSet",
    "ScreeningRecord",
    "ScreeningRefused",
    "ScreeningResult",
    "StorageError",
    "Text",
    "ValidationError",
    "VerifyReport",
    "VersionMismatchError",
    "format_wareki",
    "grade",
    "load_json",
    "load_questionnaire",
    "load_ruleset",
    "load_severity_table",
    "load_template",
    "load_vocabulary",
    "migrate_log",
    "open_log",
    "parse_date",
    "render_consent",
    "render_contract",
    "render_summary",
    "screen",
    "sign_consent",
]

#: The public topic modules (each re-exports the core names of its topic).
_TOPIC_MODULES = tuple(_api.TOPICS)
#: Every public submodule: the topics and the adapters (loaded on first use).
_SUBMODULES = frozenset({*_TOPIC_MODULES, "cli", "fhir", "strategies"})

# Names whose modules are costly to import load on first use, so that ``import exointake``
# and the ``exointake screen`` command stay cheap (attrs loads optional parts the same way):
# the log needs SQLAlchemy and Alembic, the renderer reportlab, and the consent, grading
# and record models build many attrs classes that screening never uses. ``__dir__`` lists
# them as if present; ``benchmarks/bench_import.py`` measures.
_LAZY = {name: module for name, module in _api.CORE.items() if name not in globals()}

_api.publish(__name__, globals(), [name for name in __all__ if name not in _LAZY])


def _other_names(name: str) -> object:
    """Submodules, and the deprecated paths of moved or renamed names."""
    if name in _SUBMODULES:  # ``exointake.grading.X`` works after ``import exointake``
        return importlib.import_module(f".{name}", __name__)
    if name in _api.MOVED:
        topic = _api.MOVED[name]
        warnings.warn(
            f"exointake.{name} moved to exointake.{topic}.{name}; the old path is "
            "removed in exointake 0.3.0",
            DeprecationWarning,
            stacklevel=3,  # the caller, past lazy_getattr's __getattr__
        )
        return getattr(importlib.import_module(f".{topic}", __name__), name)
    if name in _api.DEPRECATED:
        module_name, replacement = _api.DEPRECATED[name]
        warnings.warn(
            f"exointake.{name} is deprecated and removed in exointake 0.3.0; use {replacement}",
            DeprecationWarning,
            stacklevel=3,  # the caller, past lazy_getattr's __getattr__
        )
        return getattr(importlib.import_module(f".{module_name}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if not typing.TYPE_CHECKING:  # mypy would otherwise accept any attribute of the package
    __getattr__ = _api.lazy_getattr(__name__, globals(), _LAZY, fallback=_other_names)
__dir__ = _api.lazy_dir(globals(), _LAZY)
