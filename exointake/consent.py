"""Consent documents: the parts of a consent request and its templates.

The core (:class:`~exointake.ConsentRequest`, :func:`~exointake.render_consent`,
:func:`~exointake.render_summary`, :func:`~exointake.sign_consent`,
:func:`~exointake.load_template`) is re-exported here beside the clinic, patient, plan,
product and price records of a request, the cooling-off policy and template versions.

>>> from exointake import consent
>>> consent.load_template().ref.id
'exosome-consent'
"""

from __future__ import annotations

import typing

from . import _api
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
    cooling_off_applies,
    needs_reconsent,
    suggest_cooling_off,
)
from ._consent_template import (
    Acquisition,
    ConsentTemplate,
    ProductKind,
    TemplateRef,
    current_templates,
    load_template,
    template_versions,
)

if typing.TYPE_CHECKING:  # what mypy reads; at run time these load on first use
    from ._consent_record import (
        consent_record,
    )
    from ._render import (
        FontSpec,
        RenderedConsent,
        render_consent,
        render_summary,
    )
    from ._sign import (
        sign_consent,
    )

__all__ = [
    "Acquisition",
    "Clinic",
    "ConsentLanguage",
    "ConsentProduct",
    "ConsentRequest",
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
    "RenderedConsent",
    "TemplateRef",
    "Treatment",
    "consent_record",
    "cooling_off_applies",
    "current_templates",
    "load_template",
    "needs_reconsent",
    "render_consent",
    "render_summary",
    "sign_consent",
    "suggest_cooling_off",
    "template_versions",
]

_LAZY = {
    "consent_record": "_consent_record",
    "FontSpec": "_render",
    "RenderedConsent": "_render",
    "render_consent": "_render",
    "render_summary": "_render",
    "sign_consent": "_sign",
}

_api.publish(__name__, globals(), [name for name in __all__ if name not in _LAZY])

if not typing.TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        if name in _LAZY:
            return _api.load_lazily(__name__, globals(), _LAZY, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
