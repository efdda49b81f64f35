"""Shared fixtures: the bundled questionnaire and rule set, sample answers, PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

import exointake

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCREENING_DAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="session")
def questionnaire() -> exointake.Questionnaire:
    return exointake.load_questionnaire()


@pytest.fixture(scope="session")
def ruleset() -> exointake.RuleSet:
    return exointake.load_ruleset()


@pytest.fixture
def clear_answers() -> dict[str, Any]:
    """Answers of an adult with no risk factor, for a local route."""
    data: dict[str, Any] = json.loads((EXAMPLES / "answers" / "clear.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of a PostgreSQL test database; skips unless EXOINTAKE_TEST_PG_URL is set.

    CI sets EXOINTAKE_REQUIRE_PG=1, which turns the skip into a failure.
    """
    url = os.environ.get("EXOINTAKE_TEST_PG_URL")
    if not url:
        if os.environ.get("EXOINTAKE_REQUIRE_PG") == "1":
            pytest.fail("EXOINTAKE_REQUIRE_PG=1 but EXOINTAKE_TEST_PG_URL is not set")
        pytest.skip(
            "PostgreSQL tests need EXOINTAKE_TEST_PG_URL (e.g. "
            "postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    return url
