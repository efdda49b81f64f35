"""Text bounds: every kind has a length limit, and only valid, printable Unicode passes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exointake._limits import MAX_LENGTH, text_problem


class TestTextProblem:
    @pytest.mark.parametrize("kind", sorted(MAX_LENGTH))
    def test_limit_is_inclusive(self, kind: str) -> None:
        """Text of exactly the limit passes; one character more is refused with both lengths."""
        limit = MAX_LENGTH[kind]  # type: ignore[index]
        assert text_problem("長" * limit, kind) is None  # type: ignore[arg-type]
        assert text_problem("長" * (limit + 1), kind) == (  # type: ignore[arg-type]
            f"expected at most {limit:,} characters, got {limit + 1:,}"
        )

    @pytest.mark.parametrize(
        ("value", "ok"),
        [
            ("山田　花子", True),  # the full-width space belongs to Japanese names
            ("a\tb\nc", True),
            ("x\ud800y", False),
            ("\udfff", False),
            ("a\x00b", False),
            ("a\x1bb", False),
            ("a\x7fb", False),
        ],
    )
    def test_characters(self, value: str, ok: bool) -> None:
        """Lone surrogates and control characters (but tab and newline) are refused."""
        assert (text_problem(value, "text") is None) is ok

    @given(st.text(max_size=300))
    def test_never_echoes(self, value: str) -> None:
        """A problem never repeats the text it refuses."""
        problem = text_problem(value, "name")
        if problem is not None and len(value) > 3:
            assert value not in problem

    @given(st.text(st.characters(codec="utf-8", exclude_categories=["Cc"]), max_size=100))
    def test_printable_utf8_within_the_limit_passes(self, value: str) -> None:
        """Any printable UTF-8 text within the limit is accepted."""
        assert text_problem(value, "name") is None
