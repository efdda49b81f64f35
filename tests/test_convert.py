"""The one converter: strict scalars, aware datetimes, error paths without free text."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import exointake
from exointake import Questionnaire, ValidationError
from exointake._convert import canonical_json, safe_repr, structure, unstructure


@attrs.frozen
class Inner:
    n: int
    when: dt.datetime


@attrs.frozen
class Outer:
    name: str
    inner: Inner
    tags: tuple[str, ...] = ()
    flag: bool = False


class TestStructure:
    def test_strict_scalars(self) -> None:
        """Numbers are not strings, booleans are not numbers, strings are not lists."""
        with pytest.raises(ValidationError) as info:
            structure(
                {
                    "name": 1,
                    "inner": {"n": True, "when": "2026-01-01T00:00:00Z"},
                    "tags": "abc",
                    "flag": 1,
                },
                Outer,
                path="x",
            )
        assert set(info.value.errors) == {
            "x.name: expected a string, got number",
            "x.inner.n: expected an integer, got True",
            "x.tags: expected a list, got string",
            "x.flag: expected true or false, got 1",
        }

    def test_naive_datetime_refused(self) -> None:
        """A date-time without a time zone is refused; aware ones are stored in UTC."""
        with pytest.raises(ValidationError, match="naive"):
            structure({"n": 1, "when": "2026-11-25T10:00:00"}, Inner, path="inner")
        inner = structure({"n": 1, "when": "2026-11-25T10:00:00+09:00"}, Inner, path="inner")
        assert inner.when == dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)
        assert unstructure(inner)["when"] == "2026-11-25T01:00:00Z"

    def test_missing_and_extra(self) -> None:
        """Missing required fields and unknown fields are both reported."""
        with pytest.raises(ValidationError) as info:
            structure({"inner": {"n": 1, "when": "2026-01-01T00:00:00Z", "x": 2}}, Outer, path="o")
        assert set(info.value.errors) == {
            "o.name: required field missing",
            "o.inner.x: unknown field",
        }

    def test_not_an_object(self) -> None:
        """A list where an object belongs is named as such."""
        with pytest.raises(ValidationError) as info:
            structure([], Outer, path="outer")
        assert info.value.errors == ("outer: expected an object, got list",)

    def test_error_is_value_error(self) -> None:
        """ValidationError is also a ValueError, for callers who only know builtins."""
        with pytest.raises(ValueError, match="invalid Outer"):
            structure({}, Outer, path="outer")


class TestSafeRepr:
    @given(st.text())
    def test_only_codes_shown(self, text: str) -> None:
        """A string is repeated only when it looks like a code; anything else is 'string'."""
        shown = safe_repr(text)
        if shown != "string":
            assert shown == repr(text)
            assert len(text) <= 32
            assert all(c.isascii() and (c.isalnum() or c in "_.:+<>=!/|#-") for c in text)

    def test_names_and_notes_hidden(self) -> None:
        """Names, dates in prose and long numbers are not repeated."""
        for value in ("山田花子", "Yamada Taro", "aspirin 100mg daily", "x" * 33, 10**30):
            assert safe_repr(value) in ("string", "a very large integer")

    def test_structures_not_shown(self) -> None:
        """Objects and lists are named by type only."""
        assert safe_repr({"name": "山田"}) == "object"
        assert safe_repr(["x"]) == "list"


class TestCanonicalJson:
    @given(st.dictionaries(st.text(), st.one_of(st.integers(), st.text(), st.booleans())))
    def test_key_order_irrelevant(self, data: dict[str, object]) -> None:
        """Canonical JSON does not depend on the order keys were inserted in."""
        reordered = dict(reversed(list(data.items())))
        assert canonical_json(data) == canonical_json(reordered)

    def test_utf8_no_spaces(self) -> None:
        """Japanese stays as UTF-8 and there is no whitespace."""
        assert canonical_json({"b": 1, "a": "赤み"}) == '{"a":"赤み","b":1}'.encode()


@attrs.frozen
class Holder:
    form: Questionnaire


class TestNestedChecks:
    def test_class_checks_keep_the_parent_path(self) -> None:
        """A nested value's own checks report paths under the field that holds it."""
        item = {"link_id": "a", "type": "boolean", "text": {"ja": "a", "en": "a"}}
        data = {
            "form": {
                "id": "t",
                "version": "1",
                "title": {"ja": "t", "en": "t"},
                "items": [item, item],
            }
        }
        with pytest.raises(ValidationError) as info:
            structure(data, Holder, path="holder")
        assert info.value.errors == ("holder.form.items[1].link_id: duplicate 'a'",)


class TestOneConverter:
    def test_no_domain_module_registers_hooks(self) -> None:
        """Every hook is registered in _convert: the domain states field checks as metadata."""
        package = Path(exointake.__file__).parent
        offenders = [
            p.name
            for p in package.glob("_*.py")
            if p.name != "_convert.py"
            and re.search(r"converter\.register_\w+_hook", p.read_text(encoding="utf-8"))
        ]
        assert offenders == []

    def test_a_field_check_runs_both_ways(self) -> None:
        """One stated check gives the path-aware message from data and the field name in Python."""
        data = exointake.Product(
            origin="adipose", maker="M", sourcing="domestic", concentration="1", lot="L1"
        )
        data = unstructure(data)
        with pytest.raises(exointake.ValidationError) as info:
            structure({**data, "lot": "a lot with spaces"}, exointake.Product, path="product")
        assert info.value.errors[0].startswith("product.lot: expected an opaque id")
        with pytest.raises(exointake.ValidationError) as info:
            exointake.Product(
                origin="adipose", maker="M", sourcing="domestic", concentration="1", lot="a b"
            )
        assert info.value.errors[0].startswith("lot: expected an opaque id")
        with pytest.raises(exointake.ValidationError, match=r"origin: expected one of adipose"):
            exointake.Product(
                origin="liver",  # type: ignore[arg-type]
                maker="M",
                sourcing="domestic",
                concentration="1",
                lot="L1",
            )
