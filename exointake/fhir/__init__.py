"""HL7 FHIR R4 export: exointake values as plain FHIR JSON dicts.

Every function returns ordinary ``dict`` / ``list`` / ``str`` / number data ready for
:func:`json.dumps`; nothing here needs a FHIR library. To check a resource against the
FHIR R4B models, install the ``fhir`` extra (``pip install 'exointake[fhir]'``) and
call :func:`validate`.

Mapping in short:

- a :class:`~exointake.Questionnaire` becomes a FHIR ``Questionnaire`` whose canonical
  is ``url|version``; texts are Japanese with the English text in the standard
  translation extension;
- :class:`~exointake.Answers` become a ``QuestionnaireResponse`` pinned to that
  canonical; "don't know" is the ``asked-unknown`` data-absent reason, and
  :func:`answers_from_questionnaire_response` reads it back to equal answers;
- a :class:`~exointake.ScreeningResult` becomes a ``RiskAssessment``;
- the reaction log's administrations, graded reactions and consents become
  ``MedicationAdministration`` (with the product and its lot), ``AdverseEvent``
  (seriousness, severity, outcome, causality, CTCAE and Brighton) and ``Consent``
  (the PDF by its SHA-256); :func:`visit_bundles` groups a log into one ``Bundle``
  per visit.

Patients and staff are referred to by the clinic's opaque ids (logical references),
never by name.

What FHIR has no element for is carried in extensions defined under
:data:`CANONICAL_BASE` and listed in :data:`EXTENSIONS`. Outputs are deterministic:
the same input gives the same JSON.
"""

from __future__ import annotations

import collections.abc as _abc
import typing as _t

from .. import _api
from . import _util as _fhir_util
from ._questionnaire import (
    QUESTIONNAIRE_EXTENSIONS as _QUESTIONNAIRE_EXTENSIONS,
)
from ._questionnaire import (
    answers_from_questionnaire_response,
    questionnaire_canonical,
    to_questionnaire,
    to_questionnaire_response,
)
from ._records import (
    RECORD_EXTENSIONS as _RECORD_EXTENSIONS,
)
from ._records import (
    to_adverse_event,
    to_consent,
    to_medication_administration,
    visit_bundles,
)
from ._screening import SCREENING_EXTENSIONS as _SCREENING_EXTENSIONS
from ._screening import to_risk_assessment
from ._util import (
    dumps,
    patient_reference,
    to_bundle,
    validate,
)

__all__ = [
    "CANONICAL_BASE",
    "DATA_ABSENT_REASON",
    "EXTENSIONS",
    "TRANSLATION",
    "FhirResource",
    "answers_from_questionnaire_response",
    "dumps",
    "patient_reference",
    "questionnaire_canonical",
    "to_adverse_event",
    "to_bundle",
    "to_consent",
    "to_medication_administration",
    "to_questionnaire",
    "to_questionnaire_response",
    "to_risk_assessment",
    "validate",
    "visit_bundles",
]

FhirResource: _t.TypeAlias = _fhir_util.FhirResource
"""A FHIR resource as plain JSON data, a ``dict`` with ``resourceType`` and its elements."""

CANONICAL_BASE: _t.Final = _fhir_util.CANONICAL_BASE
"""The default base of the URLs exointake mints for canonicals, code systems, identifier
systems and extensions, ``https://exointake.example/fhir``. ``.example`` is a reserved
domain that never resolves; pass ``base=`` with your own.

:meta hide-value:
"""

TRANSLATION: _t.Final = _fhir_util.TRANSLATION
"""The standard extension that carries the English text of a Japanese string,
``http://hl7.org/fhir/StructureDefinition/translation``.

:meta hide-value:
"""

DATA_ABSENT_REASON: _t.Final = _fhir_util.DATA_ABSENT_REASON
"""The standard extension that marks a "don't know" answer (code ``asked-unknown``),
``http://hl7.org/fhir/StructureDefinition/data-absent-reason``.

:meta hide-value:
"""

EXTENSIONS: _t.Final[_abc.Mapping[str, str]] = {
    **_QUESTIONNAIRE_EXTENSIONS,
    **_SCREENING_EXTENSIONS,
    **_RECORD_EXTENSIONS,
}
"""Every extension exointake defines, by name, with where it goes and what it carries.
Each extension's URL is ``{base}/StructureDefinition/{name}``.

:meta hide-value:
"""

_api.publish(__name__, globals(), __all__)
