"""``exointake.strategies``: arguments checked when a strategy is built; one naming rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import exointake
from exointake import strategies

Q = exointake.load_questionnaire()

BAD_CALLS: list[tuple[str, Callable[[], object], str]] = [
    ("answers(str)", lambda: strategies.answers("x"), "questionnaire: expected a Questionnaire"),
    ("answers(route)", lambda: strategies.answers(Q, route="oral"), "route: expected a Route"),
    ("answer_dicts(None)", lambda: strategies.answer_dicts(None), "questionnaire"),  # type: ignore[arg-type]
    (
        "answer_dicts(answer_optional)",
        lambda: strategies.answer_dicts(Q, answer_optional="yes"),  # type: ignore[arg-type]
        "answer_optional: expected True or False or None",
    ),
    ("partial_answer_dicts", lambda: strategies.partial_answer_dicts(1), "questionnaire"),  # type: ignore[arg-type]
    ("invalid_answer_dicts", lambda: strategies.invalid_answer_dicts({}), "questionnaire"),  # type: ignore[arg-type]
    ("conditions", lambda: strategies.conditions("q"), "questionnaire"),  # type: ignore[arg-type]
    ("ruleset_dicts", lambda: strategies.ruleset_dicts([]), "questionnaire"),  # type: ignore[arg-type]
    ("rulesets", lambda: strategies.rulesets(None), "questionnaire"),  # type: ignore[arg-type]
    ("symptom_codes", lambda: strategies.symptom_codes("1"), "vocabulary: expected a Vocabulary"),  # type: ignore[arg-type]
    (
        "symptoms(codes)",
        lambda: strategies.symptoms(codes=["a"]),
        "codes: expected a SearchStrategy",
    ),  # type: ignore[arg-type]
    ("reactions(min 0)", lambda: strategies.reactions(min_symptoms=0), "min_symptoms: expected 1"),
    (
        "reactions(max < min)",
        lambda: strategies.reactions(min_symptoms=3, max_symptoms=2),
        "max_symptoms: expected min_symptoms=3 or more",
    ),
    (
        "reactions(too many)",
        lambda: strategies.reactions(min_symptoms=999, max_symptoms=1000),
        "min_symptoms: expected at most",
    ),
    ("reaction_dicts(float)", lambda: strategies.reaction_dicts(max_symptoms=2.5), "max_symptoms"),  # type: ignore[arg-type]
    ("administrations", lambda: strategies.administrations(lots="LOT-1"), "lots: expected a"),  # type: ignore[arg-type]
    ("reaction_records", lambda: strategies.reaction_records(["a"]), "administration_ids"),  # type: ignore[arg-type]
    ("consent_texts", lambda: strategies.consent_texts(min_size=0), "min_size: expected 1"),
    (
        "consent_requests(questionnaire)",
        lambda: strategies.consent_requests(questionnaire="exosome-intake"),  # type: ignore[arg-type]
        "questionnaire: expected a Questionnaire or None",
    ),
    (
        "consent_requests(allow_refused)",
        lambda: strategies.consent_requests(allow_refused=1),  # type: ignore[arg-type]
        "allow_refused: expected True or False",
    ),
]


class TestArgumentsAreCheckedEagerly:
    @pytest.mark.parametrize(
        ("call", "message"), [(c, m) for _, c, m in BAD_CALLS], ids=[n for n, _, _ in BAD_CALLS]
    )
    def test_bad_argument_raises_invalid_argument(
        self, call: Callable[[], object], message: str
    ) -> None:
        """A wrong argument raises hypothesis' InvalidArgument when the strategy is built."""
        with pytest.raises(InvalidArgument, match=message.replace("(", r"\(")):
            call()

    def test_every_public_strategy_is_covered(self) -> None:
        """Each strategy taking arguments has a bad-argument case above."""
        no_arguments = {"log_ids", "questionnaire_dicts", "questionnaires", "routes", "texts"}
        covered = {name.split("(")[0] for name, _, _ in BAD_CALLS}
        assert covered | no_arguments == set(strategies.__all__)

    @settings(max_examples=10, deadline=None)
    @given(st.data())
    def test_route_may_be_given_by_its_value(self, data: st.DataObject) -> None:
        """route="iv_drip" is read as Route.IV_DRIP."""
        answers = data.draw(strategies.answers(Q, route="iv_drip"))
        assert answers.route is exointake.Route.IV_DRIP


class TestNaming:
    def test_raw_json_strategies_are_dicts(self) -> None:
        """Strategies of plain JSON data are all named ``*_dicts``; none ``*_values``."""
        assert not [n for n in strategies.__all__ if n.endswith("_values")]
        assert {"answer_dicts", "partial_answer_dicts", "invalid_answer_dicts"} <= set(
            strategies.__all__
        )

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            ("answer_values", "answer_dicts"),
            ("partial_answer_values", "partial_answer_dicts"),
            ("invalid_answer_values", "invalid_answer_dicts"),
        ],
    )
    def test_old_names_warn_and_still_work(self, old: str, new: str) -> None:
        """The ``*_values`` names are deprecated aliases of the ``*_dicts`` strategies."""
        with pytest.deprecated_call(match=f"goes in exointake 0.3.0; use {new}"):
            alias: Any = getattr(strategies, old)
        assert alias is getattr(strategies, new)
        assert old not in strategies.__all__

    def test_unknown_name_is_an_attribute_error(self) -> None:
        """Other missing names still raise AttributeError."""
        with pytest.raises(AttributeError, match="no_such_strategy"):
            strategies.no_such_strategy  # noqa: B018
