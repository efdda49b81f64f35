"""Consent documents: the parts of a consent request and its templates.

The core (:class:`~exointake.ConsentRequest`, :func:`~exointake.render_consent`,
:func:`~exointake.render_summary`, :func:`~exointake.render_contract`,
:func:`~exointake.sign_consent`, :func:`~exointake.load_template`) is re-exported here
beside the clinic, patient, plan, product and price records of a request, the contract
of a plan covered by 特定商取引法 (related goods, payment, structured cancellation fees and
their 49条 caps), the cooling-off policy and template versions.

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
    check_cancellation,
    cooling_off_applies,
    needs_reconsent,
    suggest_cooling_off,
)
from ._consent_template import (
    Acquisition,
    ConsentTemplate,
    ContractTemplate,
    ProductKind,
    TemplateRef,
    current_templates,
    load_contract_template,
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
from ._money import Caps, Fee, FeeKind

if typing.TYPE_CHECKING:  # what mypy reads; at run time these load on first use
    from ._consent_record import (
        consent_record,
    )
    from ._consent_render import (
        render_consent,
        render_contract,
        render_summary,
    )
    from ._render import (
        FontSpec,
        RenderedConsent,
    )
    from ._sign import (
        sign_consent,
    )

__all__ = [
    "Acquisition",
    "CancellationTerms",
    "Caps",
    "Clinic",
    "ConsentLanguage",
    "ConsentProduct",
    "ConsentRequest",
    "ConsentTemplate",
    "Contract",
    "ContractTemplate",
    "Discount",
    "Fee",
    "FeeKind",
    "FontSpec",
    "Guardian",
    "IntervalUnit",
    "Patient",
    "Payment",
    "PaymentMethod",
    "PaymentTiming",
    "Physician",
    "PhysicianOverride",
    "Plan",
    "Prices",
    "ProductKind",
    "Purpose",
    "RelatedGood",
    "RenderedConsent",
    "Seller",
    "TemplateRef",
    "Treatment",
    "check_cancellation",
    "consent_record",
    "cooling_off_applies",
    "current_templates",
    "load_contract_template",
    "load_template",
    "needs_reconsent",
    "render_consent",
    "render_contract",
    "render_summary",
    "sign_consent",
    "suggest_cooling_off",
    "template_versions",
]

_LAZY = {
    "consent_record": "_consent_record",
    "FontSpec": "_render",
    "RenderedConsent": "_render",
    "render_consent": "_consent_render",
    "render_contract": "_consent_render",
    "render_summary": "_consent_render",
    "sign_consent": "_sign",
}

_api.publish(__name__, globals(), [name for name in __all__ if name not in _LAZY])

if not typing.TYPE_CHECKING:  # mypy would otherwise accept any attribute of the module
    __getattr__ = _api.lazy_getattr(__name__, globals(), _LAZY)
__dir__ = _api.lazy_dir(globals(), _LAZY)
