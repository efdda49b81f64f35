"""The staff-facing labels of the reports are versioned data, complete for every code."""

from __future__ import annotations

import enum
import re

import pytest

from exointake import Decision, Route, ValidationError
from exointake.grading import (
    BrightonNote,
    BrightonReason,
    BrightonRole,
    EventKind,
    Extent,
    OrganSystem,
    load_labels,
)

from .conftest import ROOT

ENUM_GROUPS: dict[str, type[enum.Enum]] = {
    "grade.event_kinds": EventKind,
    "grade.brighton_notes": BrightonNote,
    "grade.brighton_reasons": BrightonReason,
    "grade.organ_systems": OrganSystem,
    "grade.brighton_roles": BrightonRole,
    "grade.routes": Route,
    "grade.extents": Extent,
    "fhir.decisions": Decision,
    "fhir.routes": Route,
}


@pytest.mark.parametrize("group", sorted(ENUM_GROUPS))
def test_every_code_has_exactly_one_label(group: str) -> None:
    """A group of enum labels names every member, and nothing else."""
    labels = load_labels()
    assert set(labels.groups[group]) == {m.value for m in ENUM_GROUPS[group]}


def test_every_label_is_written_in_both_languages() -> None:
    blank = [
        f"{group}.{key}"
        for group, entries in load_labels().groups.items()
        for key, text in entries.items()
        if not text.ja.strip() or not text.en.strip()
    ]
    assert blank == []


def test_the_fhir_dont_know_answer_has_a_label() -> None:
    assert load_labels().of("fhir.answers", "unknown").ja == "わからない"


def test_every_word_the_grade_text_uses_is_in_the_data() -> None:
    """``exointake grade``'s text asks for words by key: each key is in ``grade.words``."""
    source = (ROOT / "exointake" / "cli" / "_grade.py").read_text("utf-8")
    used = set(re.findall(r"_w\('(\w+)'", source)) | set(re.findall(r'_w\("(\w+)"', source))
    assert used, "the pattern no longer finds the calls"
    assert used <= set(load_labels().groups["grade.words"])


def test_labels_are_read_once_and_name_their_source() -> None:
    labels = load_labels()
    assert load_labels() is labels
    assert load_labels("1").version == "1"
    assert labels.source.strip()


def test_an_unknown_label_names_its_path() -> None:
    with pytest.raises(ValidationError, match=r"labels\.groups\.fhir\.routes\.nope: no such label"):
        load_labels().of("fhir.routes", "nope")


def test_label_text_by_enum_member_and_language() -> None:
    labels = load_labels()
    assert labels.text("fhir.routes", Route.IV_DRIP, "ja") == "点滴"
    assert (
        labels.text("grade.brighton_reasons", BrightonReason.CRITERIA_MET, "en") == "criteria met"
    )
