"""A clinic's questionnaire variant: its own id, ``extends`` a bundled questionnaire.

It may add items and reword inherited ones; the bundled rules keep screening the
inherited items, and the answers stay pinned to the variant.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import exointake
from exointake import Decision, Questionnaire, ValidationError
from exointake.cli import main

from .conftest import EXAMPLES

DAY = dt.date(2026, 11, 25)
VARIANT = EXAMPLES / "clinic-questionnaire.json"


@pytest.fixture(scope="module")
def variant() -> Questionnaire:
    return Questionnaire.from_file(VARIANT)


def data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(VARIANT.read_text("utf-8"))
    return loaded


class TestDefinition:
    def test_inherits_every_item_and_adds_its_own(self, variant: Questionnaire) -> None:
        """Base items keep their order; the variant's new items come after them."""
        base = exointake.load_questionnaire("exosome-intake", "2")
        assert [i.link_id for i in variant.items] == [
            *(i.link_id for i in base.items),
            "referral_source",
        ]
        assert variant.item("bronchial_asthma").text.ja.endswith("小児ぜんそくも含みます。")
        assert variant.screened_as.id == "exosome-intake"

    def test_round_trips(self, variant: Questionnaire) -> None:
        """A variant survives its JSON form (the merged items are not merged twice)."""
        assert Questionnaire.from_dict(variant.to_dict()) == variant

    @pytest.mark.parametrize(
        ("change", "named"),
        [
            ({"type": "text"}, "type"),
            ({"allow_unknown": False}, "allow_unknown"),
            ({"required": False}, "required"),
            ({"routes": ["iv_drip"]}, "routes"),
        ],
    )
    def test_inherited_meaning_cannot_change(self, change: dict[str, Any], named: str) -> None:
        """Rewording is allowed; changing what an inherited item means is refused by name."""
        doc = data()
        doc["items"][0] = {**doc["items"][0], **change}
        with pytest.raises(ValidationError, match=named) as info:
            Questionnaire.from_dict(doc)
        assert "items[0]" in str(info.value)

    def test_changed_choice_codes_are_refused(self) -> None:
        """An inherited choice item keeps its codes (the rules compare them)."""
        base = exointake.load_questionnaire("exosome-intake", "2").to_dict()
        cancer = next(i for i in base["items"] if i["link_id"] == "cancer_history")
        cancer["choices"] = cancer["choices"][:2]
        doc = {**data(), "items": [cancer]}
        with pytest.raises(ValidationError, match="choices"):
            Questionnaire.from_dict(doc)

    def test_needs_its_own_id_and_a_bundled_base(self) -> None:
        """A variant cannot reuse the base's id, nor extend something not bundled."""
        with pytest.raises(ValidationError, match="own id"):
            Questionnaire.from_dict({**data(), "id": "exosome-intake"})
        with pytest.raises(ValidationError, match="extends"):
            Questionnaire.from_dict({**data(), "extends": {"id": "exosome-intake", "version": "9"}})


class TestScreening:
    def answers(self, variant: Questionnaire, **changes: Any) -> exointake.Answers:
        raw = json.loads((EXAMPLES / "answers" / "clear.json").read_text("utf-8"))
        return variant.answers({**raw, "referral_source": "web", **changes})

    def test_bundled_rules_screen_inherited_items(self, variant: Questionnaire) -> None:
        """The default rule set of the base screens the variant's answers, pinned to it."""
        result = exointake.screen(
            self.answers(variant, bronchial_asthma=True), "iv_drip", questionnaire=variant, on=DAY
        )
        assert result.decision is Decision.PHYSICIAN_REVIEW
        assert (result.ruleset.id, result.ruleset.version) == ("exosome-default", "2")
        assert result.questionnaire == variant.ref

    def test_without_the_variant_the_rule_set_is_refused(self, variant: Questionnaire) -> None:
        """Answers pinned to a variant need the variant to be screened (no silent guess)."""
        with pytest.raises(ValidationError, match="questionnaire="):
            exointake.screen(self.answers(variant), "iv_drip", on=DAY)

    def test_cli_screens_against_the_variant(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, variant: Questionnaire
    ) -> None:
        """``exointake screen --questionnaire FILE`` pins plain answers to the variant."""
        raw = json.loads((EXAMPLES / "answers" / "clear.json").read_text("utf-8"))
        path = tmp_path / "answers.json"
        path.write_text(json.dumps({**raw, "referral_source": "friend"}), "utf-8")
        code = main(
            [
                "screen",
                "--answers",
                str(path),
                "--route",
                "injection_face",
                "--questionnaire",
                str(VARIANT),
                "--on",
                "2026-11-25",
                "--json",
            ]
        )
        captured = capsys.readouterr()
        assert code == 0, captured.err
        out = json.loads(captured.out)
        assert out["decision"] == "clear"
        assert out["questionnaire"]["id"] == "clinic-shibuya-intake"
