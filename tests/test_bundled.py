"""The one loader of bundled data: names, version order, one build per process."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import exointake
from exointake import ValidationError
from exointake._bundled import version_key


class TestVersionOrder:
    def test_numbers_compare_as_numbers(self) -> None:
        """Version "10" is newer than "2", and "1.10" newer than "1.9"."""
        assert sorted(["10", "2", "1"], key=version_key) == ["1", "2", "10"]
        assert sorted(["1.10", "1.9"], key=version_key) == ["1.9", "1.10"]

    def test_suffixes_sort_after_their_number(self) -> None:
        """Versions "1" and "1a" are both legal and sort without a TypeError: 1 < 1a < 1b < 2."""
        names = ["2", "1b", "1", "1a"]
        random.Random(0).shuffle(names)
        assert sorted(names, key=version_key) == ["1", "1a", "1b", "2"]

    def test_dated_names(self) -> None:
        """Dated versions (the severity table's) sort by date."""
        names = ["article-2025-11-19", "article-2026-2-1", "article-2025-12-01"]
        assert sorted(names, key=version_key) == [
            "article-2025-11-19",
            "article-2025-12-01",
            "article-2026-2-1",
        ]

    @given(st.lists(st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,8}", fullmatch=True), max_size=8))
    def test_total_order(self, names: list[str]) -> None:
        """Any list of version names sorts, and distinct names never tie."""
        keys = [version_key(n) for n in sorted(set(names), key=version_key)]
        assert all(a < b for a, b in itertools.pairwise(keys))


class TestLoad:
    @pytest.mark.parametrize(
        ("load", "by_name"),
        [
            (exointake.load_questionnaire, lambda q: exointake.load_questionnaire(q.id, q.version)),
            (exointake.load_ruleset, lambda r: exointake.load_ruleset(r.id, r.version)),
            (exointake.load_vocabulary, lambda v: exointake.load_vocabulary(v.version)),
            (exointake.load_severity_table, lambda t: exointake.load_severity_table(t.version)),
            (exointake.load_template, lambda t: exointake.load_template(t.id, t.version)),
        ],
    )
    def test_built_once(self, load: Callable[[], Any], by_name: Callable[[Any], Any]) -> None:
        """Each bundled document is built once: "the newest" and its version name give one value."""
        newest = load()
        assert load() is newest
        assert by_name(newest) is newest

    @pytest.mark.parametrize(
        "call",
        [
            lambda: exointake.load_questionnaire("exosome-intake", "../1"),
            lambda: exointake.load_ruleset("a/b"),
            lambda: exointake.load_vocabulary("../1"),
            lambda: exointake.load_severity_table("X"),
            lambda: exointake.load_template("exosome-consent", "1/.."),
        ],
    )
    def test_names_not_paths(self, call: object) -> None:
        """An id or version that is not a plain name is refused for every kind of data."""
        assert callable(call)
        with pytest.raises(ValidationError, match="expected a bundled name"):
            call()

    def test_unknown_version_lists_bundled(self) -> None:
        """An unknown version is refused with the bundled versions listed."""
        with pytest.raises(
            ValidationError, match=r"version: there is no version '9' \(bundled: 1, 2, 3\)"
        ):
            exointake.load_vocabulary("9")
