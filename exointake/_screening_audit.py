"""Auditing a screening result that came from outside the library (a request, a file).

:func:`~exointake.screen` builds results that hold together by construction. A result
read back from JSON — the ``screening`` section of a consent request, say — could have
been edited or written by hand: ``decision: clear`` beside a contraindicated finding,
``missing`` items on a ``clear`` result, or a rule-set hash that names no rule set at
all. :func:`screening_problems` lists every way such a result fails to be one that
:func:`~exointake.screen` could have produced:

* its ``decision`` is the worst of its findings' decisions (``clear`` when there are
  none), and at least ``incomplete`` when anything is missing;
* a ``clear`` (or any proceeding) result has nothing ``missing``; every finding's
  missing items appear in the result's ``missing``, and its requirements in the
  result's ``requirements``;
* an ``incomplete`` finding names what is missing; a decided one names nothing missing;
* its questionnaire is a bundled one or one of those given (a clinic's variant) whose
  SHA-256 is the one recorded, and its rule set is a bundled one or one of those given,
  again with the recorded SHA-256;
* when the caller knows the result's id (e.g. from the log), it is the SHA-256 of the
  result's content.

Messages name paths and ids only, never an answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from ._errors import ValidationError
from ._questionnaire import Questionnaire, load_questionnaire
from ._screening import Decision, RuleSet, ScreeningResult, load_ruleset

__all__ = ["screening_problems"]


def screening_problems(
    result: ScreeningResult,
    *,
    rulesets: Iterable[RuleSet] = (),
    questionnaires: Iterable[Questionnaire] = (),
    result_id: str | None = None,
    path: str = "screening",
) -> list[str]:
    """Every reason ``result`` is not a screening :func:`~exointake.screen` could produce.

    Args:
        result: the screening result to audit.
        rulesets: clinic rule sets the result may name (bundled ones are always known).
        questionnaires: clinic questionnaires (variants) the result may name (bundled
            ones are always known).
        result_id: the id the result was referred to by, if any; it must be the hash of
            the result's content.
        path: the result's path in messages.

    Returns an empty list when the result holds together and names known versions.
    """
    problems: list[str] = []
    if result_id is not None and result_id != result.result_id:
        problems.append(f"{path}.result_id: is not the SHA-256 of the screening's content")
    problems += _consistency(result, path)
    problems += _known_questionnaire(result, questionnaires, path)
    problems += _known_ruleset(result, rulesets, path)
    return problems


def _consistency(result: ScreeningResult, path: str) -> list[str]:
    problems: list[str] = []
    worst = Decision.CLEAR
    for f in result.findings:
        worst = max(worst, f.decision)
    if result.missing:
        worst = max(worst, Decision.INCOMPLETE)
    if result.decision is not worst:
        problems.append(
            f"{path}.decision: expected {worst.value}, the worst of its findings and missing "
            f"items, got {result.decision.value}"
        )
    if result.missing and result.decision.rank < Decision.INCOMPLETE.rank:
        problems.append(f"{path}.missing: a {result.decision.value} screening has nothing missing")
    listed = set(result.missing)
    required = set(result.requirements)
    for n, f in enumerate(result.findings):
        where = f"{path}.findings[{n}]"
        if f.decision is Decision.INCOMPLETE and not f.missing:
            problems.append(f"{where}.missing: an incomplete finding names what is missing")
        if f.decision is not Decision.INCOMPLETE and f.missing:
            problems.append(f"{where}.missing: only an incomplete finding has missing items")
        if not set(f.missing) <= listed:
            problems.append(f"{where}.missing: items missing from the screening's missing list")
        if not set(f.requirements) <= required:
            problems.append(f"{where}.requirements: not all in the screening's requirements")
    return problems


def _known_questionnaire(
    result: ScreeningResult, questionnaires: Iterable[Questionnaire], path: str
) -> list[str]:
    ref = result.questionnaire
    given = {(q.id, q.version): q for q in questionnaires}
    known = given.get((ref.id, ref.version))
    if known is None:
        try:
            known = load_questionnaire(ref.id, ref.version)
        except (ValidationError, LookupError):
            return [
                f"{path}.questionnaire: not a bundled questionnaire nor one given (pass the "
                "clinic's questionnaire)"
            ]
    if known.ref.sha256 != ref.sha256:
        return [
            f"{path}.questionnaire.sha256: is not the hash of questionnaire "
            f"{known.ref.id} v{known.ref.version}"
        ]
    return []


def _known_ruleset(result: ScreeningResult, rulesets: Iterable[RuleSet], path: str) -> list[str]:
    ref = result.ruleset
    given = {(r.ref.id, r.ref.version): r.ref for r in rulesets}
    known = given.get((ref.id, ref.version))
    if known is None:
        try:
            known = load_ruleset(ref.id, ref.version).ref
        except (ValidationError, LookupError):
            return [
                f"{path}.ruleset: not a bundled rule set nor one given (pass the clinic's rule set)"
            ]
    if known.sha256 != ref.sha256:
        return [f"{path}.ruleset.sha256: is not the hash of rule set {known.id} v{known.version}"]
    return []
