"""Property-test an integration with exointake.strategies (the guide's tests, runnable).

Run: python examples/property_test_integration.py
In a project, put each @given function in tests/test_*.py and let pytest run it.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import exointake
from exointake import strategies

q = exointake.load_questionnaire()

# The first text draw in a fresh folder builds Hypothesis' Unicode tables (about a
# second); do not let that one-off cost count as a slow strategy.
SETTINGS = settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])


def store(document: dict[str, object]) -> str:
    """The integration's storage adapter: a JSON text column."""
    return json.dumps(document, ensure_ascii=False)


def handle_submission(raw: object) -> tuple[int, dict[str, object]]:
    """The integration's form handler: 400 with the error paths, or 200 with the result."""
    try:
        answers = q.answers(raw, route="iv_drip")  # type: ignore[arg-type]
    except exointake.ValidationError as exc:
        return 400, {"errors": list(exc.errors)}
    return 200, exointake.screen(answers, "iv_drip").to_dict()


@SETTINGS
@given(answers=strategies.answers(q, route=exointake.Route.INJECTION_FACE))
def test_storage_round_trip(answers: exointake.Answers) -> None:
    """Stored and loaded, the pinned answers are unchanged."""
    assert q.load_answers(json.loads(store(answers.to_dict()))) == answers


@SETTINGS
@given(raw=strategies.invalid_answer_dicts(q, route=exointake.Route.IV_DRIP))
def test_bad_submissions_are_400(raw: dict[str, object]) -> None:
    """Every malformed submission is a 400 naming answer paths, never a crash."""
    status, body = handle_submission(raw)
    assert status == 400
    assert all(str(e).startswith("answers") for e in body["errors"])  # type: ignore[attr-defined]


@SETTINGS
@given(data=st.data(), route=strategies.routes())
def test_partial_answers_are_never_waved_through(
    data: st.DataObject, route: exointake.Route
) -> None:
    """A screening with a needed answer missing never lets the patient proceed."""
    raw = data.draw(strategies.partial_answer_dicts(q, route=route))
    result = exointake.screen(q.answers(raw, route=route, partial=True), route)
    if result.missing:
        assert not result.may_proceed


if __name__ == "__main__":
    for test in (
        test_storage_round_trip,
        test_bad_submissions_are_400,
        test_partial_answers_are_never_waved_through,
    ):
        test()
        print(f"ok: {test.__name__} — {test.__doc__}")
