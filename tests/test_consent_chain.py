"""A consent relies on a screening for every planned route (issue 10, domain §4)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import exointake
from exointake import ConsentRequest, ScreeningRefused, ValidationError
from exointake._consent import check_screening_gate
from exointake.cli import main

from .consent_helpers import example_data

DAY = dt.date(2026, 11, 20)
CLEAR = json.loads((Path(__file__).parent.parent / "examples/answers/clear.json").read_text())


def screened(route: str, **changes: Any) -> dict[str, Any]:
    q = exointake.load_questionnaire()
    raw = {**CLEAR, **changes}
    if route == "iv_drip":
        raw.pop("site_skin_problem", None)
    return exointake.screen(q.answers(raw, route=route), route, on=DAY).to_dict()


def two_routes(*screenings: dict[str, Any]) -> dict[str, Any]:
    data = example_data()
    data["treatment"]["routes"] = ["injection_face", "iv_drip"]
    data["screening"] = screened("injection_face")
    data["screenings"] = list(screenings)
    return data


class TestRoutesCovered:
    def test_a_route_without_a_screening_is_refused_by_name(self) -> None:
        """A drip + face plan with only the face screened names the unscreened route."""
        with pytest.raises(ValidationError, match="no screening for route iv_drip"):
            ConsentRequest.from_dict(two_routes())

    def test_every_route_screened_is_accepted(self) -> None:
        """With a screening per planned route the request is valid."""
        request = ConsentRequest.from_dict(two_routes(screened("iv_drip")))
        assert [s.route.value for s in request.all_screenings] == ["injection_face", "iv_drip"]
        assert ConsentRequest.from_dict(request.to_dict()) == request

    @pytest.mark.parametrize(
        ("extra", "match"),
        [
            (lambda: screened("injection_scalp"), r"screenings\[1\]\.route"),
            (lambda: screened("injection_face"), "a second screening"),
        ],
    )
    def test_screenings_must_match_the_plan(self, extra: Any, match: str) -> None:
        """A screening for an unplanned route, or a second one for a route, is refused."""
        with pytest.raises(ValidationError, match=match):
            ConsentRequest.from_dict(two_routes(screened("iv_drip"), extra()))

    @pytest.mark.parametrize(
        "change",
        [
            {"fever_or_infection_today": True},
            {"prior_exosome_systemic_reaction": True},
            {"anaphylaxis_history": "unknown"},
        ],
    )
    def test_a_blocking_screening_on_any_route_refuses(self, change: dict[str, Any]) -> None:
        """Postponed, contraindicated or incomplete on any planned route needs an override."""
        request = ConsentRequest.from_dict(two_routes(screened("iv_drip", **change)))
        with pytest.raises(ScreeningRefused, match="iv_drip"):
            check_screening_gate(request)

    def test_cli_exits_2_naming_the_route(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """``exointake consent`` refuses an unscreened planned route with exit 2."""
        path = tmp_path / "request.json"
        path.write_text(json.dumps(two_routes()), "utf-8")
        code = main(["consent", "--request", str(path), "--out", str(tmp_path / "c.pdf")])
        assert code == 2
        assert "iv_drip" in capsys.readouterr().err
        assert not (tmp_path / "c.pdf").exists()
