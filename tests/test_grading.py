"""Grading: severity table, vocabulary, article category, Brighton, CTCAE, ICH E2A, actions."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from attrs import frozen
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from exointake import ReactionRecord, Route, ValidationError
from exointake import strategies as xs
from exointake._bundled import versions as bundled_versions
from exointake._convert import canonical_json, structure
from exointake._grading import (
    ActionCode,
    BrightonReason,
    Grade,
    grade,
)
from exointake._reaction import (
    Intervention,
    Outcome,
    Reaction,
    Symptom,
)
from exointake._vocabulary import (
    STABLE_CODES,
    Category,
    CtcaeTerm,
    EventKind,
    Extent,
    SeriousnessCriterion,
    SeverityTable,
    Vocabulary,
    load_severity_table,
    load_vocabulary,
)

ROOT = Path(__file__).resolve().parent.parent

# The domain contract's symptom table (§2): code -> (ja, article row).
DOMAIN_VOCABULARY = {
    "redness": ("赤み", "local"),
    "swelling": ("腫れ", "local"),
    "pain": ("痛み", "local"),
    "bruising": ("内出血", "local"),
    "warmth": ("熱感", "local"),
    "itch_site": ("かゆみ", "local"),
    "rash": ("発疹", "allergy"),
    "itch_skin": ("皮膚のかゆみ", "allergy"),
    "urticaria": ("蕁麻疹", "allergy"),
    "vomiting": ("嘔吐", "anaphylaxis"),
    "abdominal_pain": ("腹痛", "anaphylaxis"),
    "hypotension": ("血圧低下", "anaphylaxis"),
    "dyspnea": ("呼吸困難", "anaphylaxis"),
    "reduced_consciousness": ("意識低下", "anaphylaxis"),
}

DOMAIN_TABLE = {
    "local": ("注入部位の症状", "比較的よくある", "relatively common"),
    "allergy": ("アレルギー反応", "稀", "rare"),
    "anaphylaxis": ("アナフィラキシー反応", "極めて稀", "extremely rare"),
}

BRIGHTON_SIGNS = (
    "wheeze",
    "stridor",
    "upper_airway_swelling",
    "respiratory_distress",
    "angioedema",
    "generalized_erythema",
    "uncompensated_shock",
    "reduced_peripheral_circulation",
    "tachycardia",
    "prolonged_capillary_refill",
    "reduced_central_pulse",
    "prickle_sensation",
    "red_itchy_eyes",
    "dry_cough",
    "hoarseness",
    "throat_tightness",
    "sneezing_rhinorrhea",
    "nausea",
    "diarrhea",
    "raised_tryptase",
)

ALLERGY_ROW_CODES = sorted(d.code for d in load_vocabulary().symptoms if d.row == "allergy")

DONE = {
    "interventions": [],
    "hospitalization": False,
    "outcome": "recovered",
    "life_threatening": False,
    "prolonged": False,
    "disability": False,
    "congenital_anomaly": False,
    "medically_important": False,
}
"""The fields CTCAE and E2A need, filled in for a mild, finished reaction."""


def reaction(*symptoms: str | dict[str, Any], **fields: Any) -> Reaction:
    return Reaction.from_dict({"symptoms": list(symptoms), **fields})


def errors_of(data: object) -> tuple[str, ...]:
    with pytest.raises(ValidationError) as info:
        Reaction.from_dict(data)
    return info.value.errors


HIVES = {"code": "urticaria", "extent": "generalized"}

SUDDEN = {"onset_minutes": 5, "rapid_progression": True}
"""A documented sudden onset with rapid progression (what Brighton levels 1-3 need)."""


class TestSeverityTable:
    def test_rows_follow_the_article(self) -> None:
        """The bundled table has the article's three rows, labels and frequency words, in order."""
        table = load_severity_table()
        assert [r.code for r in table.rows] == list(Category)
        for row in table.rows:
            label, freq_ja, freq_en = DOMAIN_TABLE[row.code]
            assert row.label.ja == label
            assert (row.frequency.ja, row.frequency.en) == (freq_ja, freq_en)
            assert row.guidance.ja
            assert row.guidance.en

    def test_versioned_with_source(self) -> None:
        """The table names its version and the article it comes from."""
        table = load_severity_table()
        assert table.version == "article-2025-11-19-r3"
        assert table.source.published == "2025-11-19"
        assert table.persistence_days == 3
        assert load_severity_table("article-2025-11-19-r3") == table

    def test_older_versions_stay_loadable(self) -> None:
        """The first table and vocabulary still load, name each other, and grade."""
        old_table, old_vocab = load_severity_table("article-2025-11-19"), load_vocabulary("1")
        assert old_vocab.table == old_table.version
        assert old_table.events == ()
        assert old_table.ctcae == ()
        assert old_vocab.brighton_sudden_onset_minutes == 120
        g = grade(reaction("pain"), table=old_table, vocabulary=old_vocab)
        assert (g.table_version, g.vocabulary_version) == ("article-2025-11-19", "1")
        assert g.sudden_onset_minutes == 120

    def test_a_grade_made_before_version_2_reads_back_unchanged(self) -> None:
        """A stored grade without the fields version 2 added reads back with their defaults
        and keeps naming the versions it was graded with."""
        old_table, old_vocab = load_severity_table("article-2025-11-19"), load_vocabulary("1")
        stored = grade(reaction("pain"), table=old_table, vocabulary=old_vocab).to_dict()
        for key in ("event_kind", "ctcae_other", "brighton_notes", "sudden_onset_minutes"):
            del stored[key]
        for key in ("criterion", "meddra_llt"):
            del stored["ctcae"][key]
        back = Grade.from_dict(stored)
        assert (back.table_version, back.vocabulary_version) == ("article-2025-11-19", "1")
        assert back.event_kind is EventKind.TABLE_REACTION
        assert back.ctcae_other == ()

    def test_events_need_a_table_that_describes_them(self) -> None:
        """Grading an event outside the table against a table without event texts is refused
        with the reason, never graded with missing wording."""
        data = load_severity_table().to_dict()
        data["events"] = []
        table = structure(data, SeverityTable, path="severity")
        with pytest.raises(ValidationError, match="does not describe infection events"):
            grade(reaction("fever"), table=table)

    def test_sudden_onset_cutoff_is_table_data(self) -> None:
        """The cut-off is the table's, documented there, and a grading parameter."""
        table = load_severity_table()
        assert table.brighton_sudden_onset_minutes == 120
        assert table.brighton_sudden_onset_note
        late = reaction("hypotension", HIVES, onset_minutes=150, rapid_progression=True)
        assert grade(late).brighton_level == 5
        assert grade(late, sudden_onset_minutes=180).brighton_level == 1
        with pytest.raises(ValidationError, match="sudden_onset_minutes: expected 1 or more"):
            grade(late, sudden_onset_minutes=0)

    def test_unknown_version(self) -> None:
        """Asking for a version that is not bundled names the bundled ones."""
        with pytest.raises(ValidationError, match="article-2025-11-19"):
            load_severity_table("1999")

    def test_category_order(self) -> None:
        """Categories are ranked local < allergy < anaphylaxis."""
        assert [c.rank for c in (Category.LOCAL, Category.ALLERGY, Category.ANAPHYLAXIS)] == [
            0,
            1,
            2,
        ]

    def test_comparisons_follow_the_rank(self) -> None:
        """<, max() and sorted() order categories by severity, not alphabetically."""
        local, allergy, ana = Category.LOCAL, Category.ALLERGY, Category.ANAPHYLAXIS
        assert local < allergy < ana
        assert ana > local
        assert ana >= allergy
        assert local <= allergy
        assert not ana < local
        assert max([local, ana, allergy]) is ana
        assert min([ana, allergy]) is allergy
        assert sorted([ana, local, allergy]) == [local, allergy, ana]

    def test_equality_and_hashing_stay_those_of_the_value(self) -> None:
        """A category still equals and hashes like its string value."""
        assert Category.LOCAL == "local"
        assert {"local": 1}[Category.LOCAL] == 1
        assert hash(Category.ANAPHYLAXIS) == hash("anaphylaxis")

    def test_round_trip(self) -> None:
        """The table re-reads from its own plain data."""
        table = load_severity_table()
        assert structure(table.to_dict(), SeverityTable, path="severity") == table

    def test_rows_must_be_complete(self) -> None:
        """A table missing a row is refused."""
        data = load_severity_table().to_dict()
        data["rows"] = data["rows"][:2]
        with pytest.raises(ValidationError, match="exactly one row each"):
            structure(data, SeverityTable, path="severity")

    def test_action_texts_only_take_known_placeholders(self) -> None:
        """An action text with a placeholder grading cannot fill is refused when loaded."""
        data = load_severity_table().to_dict()
        data["actions"]["follow_up"]["en"] = "Call {patient_name} back"
        with pytest.raises(ValidationError) as info:
            structure(data, SeverityTable, path="severity")
        assert info.value.errors == (
            "severity.actions.follow_up: only {days}, {criteria}, {fields} and {terms} may be "
            "filled in",
        )


class TestVocabulary:
    def test_round_trip(self) -> None:
        """The vocabulary re-reads from its own plain data."""
        vocab = load_vocabulary()
        assert structure(vocab.to_dict(), Vocabulary, path="vocabulary") == vocab

    def test_stable_codes_match_the_domain_table(self) -> None:
        """The 14 article codes carry the domain's Japanese words and rows and are marked stable."""
        vocab = load_vocabulary()
        assert vocab.stable_codes == STABLE_CODES
        assert set(STABLE_CODES) == set(DOMAIN_VOCABULARY)
        for code, (ja, row) in DOMAIN_VOCABULARY.items():
            assert vocab[code].label.ja == ja
            assert vocab[code].row == row

    def test_versions_only_grow(self) -> None:
        """Each bundled vocabulary keeps every code of the versions before it, with its row."""
        versions = [load_vocabulary(v) for v in bundled_versions("vocabulary")]
        for older, newer in itertools.pairwise(versions):
            for d in older.symptoms:
                assert d.code in newer
                assert newer[d.code].row == d.row

    def test_brighton_signs_are_present(self) -> None:
        """The vocabulary extends the article with the signs the Brighton definition needs."""
        vocab = load_vocabulary()
        missing = [c for c in BRIGHTON_SIGNS if c not in vocab]
        assert missing == []

    def test_every_code_maps_to_exactly_one_row(self) -> None:
        """Every table code has one article row, each article word appears in exactly one
        row, and a code without a row is an event outside the table."""
        vocab, table = load_vocabulary(), load_severity_table()
        assert vocab.table == table.version
        for d in vocab.symptoms:
            if d.row is None:
                assert d.event is not EventKind.TABLE_REACTION
                assert not d.stable
                continue
            assert d.row in {r.code for r in table.rows}
            if d.stable:
                words_per_row = [r.symptoms.ja.split("、") for r in table.rows]
                rows_with_word = [
                    r.code
                    for r, words in zip(table.rows, words_per_row, strict=True)
                    if d.label.ja in words
                ]
                assert rows_with_word == [d.row]

    @settings(max_examples=60, deadline=None)
    @given(xs.symptoms())
    def test_every_symptom_grades_in_one_row(self, symptom: Symptom) -> None:
        """Any single table symptom, at any extent, lands in exactly one of the table's rows;
        an event outside the table lands in none."""
        result = grade(Reaction((symptom,)))
        row = load_vocabulary()[symptom.code].row
        if row is None:
            assert result.category is None
        else:
            assert result.category in list(Category)
            assert result.category.rank >= row.rank

    def test_duplicate_codes_refused(self) -> None:
        """A vocabulary listing a code twice is refused with the path of the duplicate."""
        data = load_vocabulary().to_dict()
        data["symptoms"].append(data["symptoms"][0])
        with pytest.raises(ValidationError, match=r"symptoms\[\d+\]\.code: duplicate 'redness'"):
            structure(data, Vocabulary, path="vocabulary")

    def test_stable_code_cannot_be_dropped(self) -> None:
        """A vocabulary without one of the 14 article codes is refused."""
        data = load_vocabulary().to_dict()
        data["symptoms"] = [s for s in data["symptoms"] if s["code"] != "dyspnea"]
        with pytest.raises(ValidationError, match="stable codes are missing: dyspnea"):
            structure(data, Vocabulary, path="vocabulary")


class TestReactionInput:
    def test_codes_and_objects(self) -> None:
        """Symptoms are given as a code or as an object with code and extent."""
        r = reaction("hypotension", HIVES, {"code": "rash"})
        assert r.symptoms == (
            Symptom("hypotension"),
            Symptom("urticaria", Extent.GENERALIZED),
            Symptom("rash"),
        )

    def test_unknown_code_names_the_path(self) -> None:
        """An unknown code is an error naming its position, never silently dropped."""
        assert errors_of({"symptoms": ["redness", "foo"]}) == (
            "reaction.symptoms[1].code: unknown symptom code 'foo'",
        )
        assert errors_of({"symptoms": [{"code": "bar"}]}) == (
            "reaction.symptoms[0].code: unknown symptom code 'bar'",
        )

    def test_extent_only_on_skin_signs(self) -> None:
        """An extent on a sign that is not a skin sign is refused."""
        (error,) = errors_of({"symptoms": [{"code": "hypotension", "extent": "generalized"}]})
        assert error.startswith("reaction.symptoms[0].extent: only skin signs")

    def test_bad_extent(self) -> None:
        """An extent outside localized|generalized|unknown is refused with the choices."""
        (error,) = errors_of({"symptoms": [{"code": "urticaria", "extent": "everywhere"}]})
        assert error.startswith(
            "reaction.symptoms[0].extent: expected one of localized|generalized|unknown"
        )

    def test_every_problem_reported(self) -> None:
        """All problems come back at once, each with its path."""
        errors = errors_of(
            {
                "symptoms": ["pain", 7, "pain"],
                "onset_minutes": "soon",
                "outcome": "better",
                "extra": 1,
            }
        )
        joined = "\n".join(errors)
        assert "reaction.symptoms[1]: expected a symptom code" in joined
        assert "reaction.onset_minutes: expected integer or null" in joined
        assert "outcome: expected one of recovered|" in joined
        assert "extra" in joined

    def test_consistency_checks(self) -> None:
        """Empty symptoms, a repeated code and out-of-range numbers are refused."""
        assert errors_of({"symptoms": []}) == ("reaction.symptoms: expected at least one symptom",)
        errors = errors_of(
            {"symptoms": ["pain", "pain"], "onset_minutes": -1, "body_surface_percent": 101}
        )
        assert errors == (
            "reaction.symptoms[1].code: 'pain' is listed twice",
            "reaction.onset_minutes: expected 0 or more",
            "reaction.body_surface_percent: expected 0 to 100",
        )

    def test_nested_paths(self) -> None:
        """Inside another record (as the log keeps it), problems carry that record's field."""

        @frozen
        class Record:
            reaction: Reaction

        with pytest.raises(ValidationError) as info:
            structure(
                {"reaction": {"symptoms": ["pain", "pain"], "onset_minutes": -1}},
                Record,
                path="record",
            )
        assert info.value.errors == (
            "record.reaction.symptoms[1].code: 'pain' is listed twice",
            "record.reaction.onset_minutes: expected 0 or more",
        )
        with pytest.raises(ValidationError) as info:
            ReactionRecord.from_dict(
                {"reaction": {"symptoms": [{"code": "pain", "extent": "unknown"}]}}
            )
        expected = "reaction.reaction.symptoms[0].extent: only skin signs take an extent"
        assert any(e.startswith(expected) for e in info.value.errors)

    def test_not_an_object(self) -> None:
        """A reaction must be an object."""
        assert errors_of(["pain"]) == ("reaction: expected an object, got list",)

    def test_direct_construction_is_checked_against_the_vocabulary(self) -> None:
        """Symptoms built in Python are checked against the vocabulary when a reaction is."""
        with pytest.raises(
            ValidationError, match=r"symptoms\[0\]\.code: unknown symptom code 'foo'"
        ):
            Reaction(symptoms=(Symptom("foo"),)).check()
        with pytest.raises(ValidationError, match=r"symptoms\[1\]\.extent: only skin signs"):
            grade(Reaction(symptoms=(Symptom("rash"), Symptom("pain", Extent.LOCALIZED))))
        assert Symptom("urticaria", "generalized").extent is Extent.GENERALIZED

    def test_constructor_reads_no_ambient_vocabulary(self) -> None:
        """A symptom's constructor only stores: the vocabulary is an explicit argument."""
        assert Symptom("fainting").code == "fainting"
        custom = _custom_vocabulary()
        Reaction(symptoms=(Symptom("fainting"),)).check(custom)
        with pytest.raises(ValidationError, match="unknown symptom code 'fainting'"):
            Reaction(symptoms=(Symptom("fainting"),)).check()

    @pytest.mark.parametrize(
        ("build", "message"),
        [
            (lambda: Symptom("urticaria", "bogus"), "extent: expected one of"),  # type: ignore[arg-type]
            (lambda: Symptom(5), "code: expected a symptom code"),  # type: ignore[arg-type]
            (lambda: Reaction(symptoms=["rash"]), "symptoms[0]: expected a Symptom"),  # type: ignore[list-item]
            (lambda: Reaction(symptoms="rash"), "symptoms: expected a list"),  # type: ignore[arg-type]
            (
                lambda: Reaction(symptoms=(Symptom("rash"),), onset_minutes="5"),  # type: ignore[arg-type]
                "onset_minutes: expected an integer",
            ),
            (
                lambda: Reaction(symptoms=(Symptom("rash"),), interventions=["bogus"]),  # type: ignore[list-item]
                "interventions[0]: expected one of",
            ),
            (
                lambda: Reaction(symptoms=(Symptom("rash"),), outcome="gone"),  # type: ignore[arg-type]
                "outcome: expected one of",
            ),
            (
                lambda: Reaction(symptoms=(Symptom("rash"),), life_threatening="no"),  # type: ignore[arg-type]
                "life_threatening: expected a boolean",
            ),
        ],
    )
    def test_direct_construction_names_the_field(self, build: Any, message: str) -> None:
        """Wrong types given in Python raise a ValidationError naming the field."""
        with pytest.raises(ValidationError) as info:
            build()
        assert any(e.startswith(message) for e in info.value.errors), info.value.errors

    def test_huge_numbers_keep_their_path(self) -> None:
        """An out-of-range number too long to print is reported at its field."""
        assert errors_of({"symptoms": ["urticaria"], "body_surface_percent": -(10**5000)}) == (
            "reaction.body_surface_percent: expected 0 or more",
        )

    def test_absurd_numbers_and_keys_are_refused(self) -> None:
        """Numbers beyond any real reaction and non-string keys are refused with their path."""
        assert errors_of({"symptoms": ["rash"], "onset_minutes": 10**5000}) == (
            "reaction.onset_minutes: expected 0 to 527040",
        )
        assert errors_of({"symptoms": ["rash"], 1: 2}) == (
            "reaction: expected an object with string keys",
        )
        assert errors_of({"symptoms": [{"code": "rash", 1: 2}]}) == (
            "reaction.symptoms[0]: expected an object with string keys",
        )

    def test_grade_reads_plain_data(self) -> None:
        """grade() takes a Reaction or its plain data; anything else is a ValidationError."""
        data = {"symptoms": ["rash"], **DONE}
        assert grade(data) == grade(Reaction.from_dict(data))
        with pytest.raises(ValidationError, match="reaction: expected a Reaction"):
            grade(["rash"])  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match=r"symptoms\[0\]\.code: unknown symptom code"):
            grade({"symptoms": ["nope"]})

    def test_interventions_are_canonical(self) -> None:
        """Interventions are kept once each, in a fixed order, so equal records are equal."""
        a = reaction("rash", interventions=["iv", "oral", "iv"])
        b = reaction("rash", interventions=["oral", "iv"])
        assert a == b
        assert a.interventions == (Intervention.ORAL, Intervention.IV)

    @settings(max_examples=80, deadline=None)
    @given(xs.reactions())
    def test_round_trip(self, r: Reaction) -> None:
        """A reaction survives to_dict -> JSON -> from_dict unchanged."""
        assert Reaction.from_dict(json.loads(json.dumps(r.to_dict()))) == r

    @settings(max_examples=80, deadline=None)
    @given(xs.reaction_dicts())
    def test_user_json_is_accepted(self, data: dict[str, Any]) -> None:
        """Every JSON form a user may write parses, and its canonical form is stable."""
        r = Reaction.from_dict(data)
        assert Reaction.from_dict(r.to_dict()).to_dict() == r.to_dict()


def _custom_vocabulary(**changes: Any) -> Vocabulary:
    data = load_vocabulary().to_dict()
    data["symptoms"].append(
        {
            "code": "fainting",
            "label": {"ja": "失神", "en": "fainting"},
            "row": "anaphylaxis",
            "system": "cardiovascular",
            "source": "article",
        }
    )
    return structure({**data, "version": "custom", **changes}, Vocabulary, path="vocabulary")


class TestCustomVocabulary:
    def test_custom_codes_are_graded(self) -> None:
        """A clinic vocabulary's own codes parse and grade when that vocabulary is given."""
        custom = _custom_vocabulary()
        r = Reaction.from_dict({"symptoms": ["fainting", "rash"]}, vocabulary=custom)
        g = grade(r, vocabulary=custom)
        assert (g.category, g.vocabulary_version) == (Category.ANAPHYLAXIS, "custom")
        assert grade({"symptoms": ["fainting"]}, vocabulary=custom).category is Category.ANAPHYLAXIS

    @settings(max_examples=30, deadline=None)
    @given(st.data())
    def test_strategies_draw_from_a_custom_vocabulary(self, data: st.DataObject) -> None:
        """The reaction strategies accept a custom vocabulary and its reactions grade with it."""
        custom = _custom_vocabulary()
        r = data.draw(xs.reactions(vocabulary=custom, codes=st.sampled_from(["fainting", "rash"])))
        assert grade(r, vocabulary=custom).vocabulary_version == "custom"

    def test_custom_codes_are_unknown_elsewhere(self) -> None:
        """Without that vocabulary the code is unknown, when parsed and when graded."""
        custom = _custom_vocabulary()
        r = Reaction.from_dict({"symptoms": ["fainting"]}, vocabulary=custom)
        assert errors_of({"symptoms": ["fainting"]}) == (
            "reaction.symptoms[0].code: unknown symptom code 'fainting'",
        )
        with pytest.raises(ValidationError, match="unknown symptom code"):
            grade(r)
        with pytest.raises(ValidationError, match="unknown symptom code"):
            r.check()

    def test_vocabulary_must_name_the_table(self) -> None:
        """A vocabulary written for another severity table version is refused."""
        other = _custom_vocabulary(table="article-1999-01-01")
        with pytest.raises(ValidationError, match=r"vocabulary\.table: expected"):
            grade({"symptoms": ["pain"]}, vocabulary=other)


class TestCategory:
    @pytest.mark.parametrize(("code", "row"), [(c, r) for c, (_, r) in DOMAIN_VOCABULARY.items()])
    def test_single_symptom_is_its_row(self, code: str, row: str) -> None:
        """A single article symptom, extent not stated, is graded in its own row (rule 1)."""
        assert grade(reaction(code)).category == row

    def test_highest_row_wins(self) -> None:
        """The category is the highest row of any symptom (rule 1)."""
        assert grade(reaction("redness", "rash")).category is Category.ALLERGY
        assert grade(reaction("redness", "rash", "vomiting")).category is Category.ANAPHYLAXIS

    def test_frequency_words_follow_the_category(self) -> None:
        """The grade carries the frequency words of its row."""
        g = grade(reaction("urticaria"))
        assert (g.frequency.ja, g.frequency.en) == ("稀", "rare")
        assert g.category_label.ja == "アレルギー反応"

    @pytest.mark.parametrize("other", ["tachycardia", "dry_cough", "sneezing_rhinorrhea"])
    def test_skin_with_cardiorespiratory_escalates(self, other: str) -> None:
        """Allergy-row skin signs with any cardiovascular or respiratory sign are anaphylaxis."""
        assert grade(reaction(other)).category is Category.ALLERGY
        g = grade(reaction("urticaria", other))
        assert g.category is Category.ANAPHYLAXIS
        assert g.escalated

    def test_reported_anaphylaxis_is_in_the_anaphylaxis_row(self) -> None:
        """A physician's report of anaphylaxis puts even site signs in the anaphylaxis row."""
        g = grade(reaction("redness", reported_anaphylaxis=True))
        assert g.category is Category.ANAPHYLAXIS
        assert g.escalated
        assert g.actions[0].code is ActionCode.PHYSICIAN_REVIEW

    def test_no_escalation_without_skin(self) -> None:
        """Cardiorespiratory signs without skin signs are not escalated."""
        g = grade(reaction("tachycardia", "dry_cough"))
        assert g.category is Category.ALLERGY
        assert not g.escalated

    def test_unknown_extent_counts_as_worse(self) -> None:
        """A site sign of unknown extent counts as generalized for the category (fail-safe)."""
        assert grade(reaction("redness")).category is Category.LOCAL
        assert grade(reaction({"code": "redness", "extent": "localized"})).category == "local"
        assert grade(reaction({"code": "redness", "extent": "unknown"})).category == "allergy"
        assert grade(reaction({"code": "itch_site", "extent": "generalized"})).category == (
            "allergy"
        )

    def test_unknown_extent_skin_sign_escalates(self) -> None:
        """Redness of unknown extent with a breathing sign is escalated, as if generalized."""
        g = grade(reaction({"code": "redness", "extent": "unknown"}, "dry_cough"))
        assert g.category is Category.ANAPHYLAXIS
        assert grade(reaction("redness", "dry_cough")).category is Category.ALLERGY

    @settings(max_examples=150, deadline=None)
    @given(xs.reactions(max_symptoms=5), xs.symptoms())
    def test_adding_a_symptom_never_lowers_the_category(self, r: Reaction, s: Symptom) -> None:
        """Adding a symptom never lowers the article category."""
        assume(s.code not in r.codes)
        more = Reaction(symptoms=(*r.symptoms, s), **_fields(r))
        assert _rank(grade(more).category) >= _rank(grade(r).category)


def _rank(category: Category | None) -> int:
    """No category (an event outside the table) ranks below ``local``."""
    return -1 if category is None else category.rank


def _fields(r: Reaction) -> dict[str, Any]:
    return {k: getattr(r, k) for k in r.to_dict() if k != "symptoms"}


class TestBrighton:
    def test_gi_only_is_not_a_case_but_reviewed(self) -> None:
        """Vomiting and abdominal pain: anaphylaxis row, not a Brighton case, physician review."""
        g = grade(reaction("vomiting", "abdominal_pain", onset_minutes=15))
        assert g.category is Category.ANAPHYLAXIS
        assert g.brighton_level == 5
        assert g.brighton_reason is BrightonReason.CRITERIA_NOT_MET
        assert g.actions[0].code is ActionCode.PHYSICIAN_REVIEW
        assert g.actions[0].within_days == 0
        assert g.ctcae.term is not CtcaeTerm.ANAPHYLAXIS

    def test_generalized_hives_and_hypotension_is_level_1(self) -> None:
        """Generalized hives with hypotension and a sudden onset meet level 1."""
        g = grade(reaction("hypotension", HIVES, **SUDDEN))
        assert (g.brighton_level, g.brighton_version) == (1, "2007")
        assert g.brighton_reason is BrightonReason.CRITERIA_MET

    def test_hives_of_unknown_extent_never_make_level_1(self) -> None:
        """Hives whose extent is not documented count only as a minor sign (level 2, not 1)."""
        assert grade(reaction("hypotension", "urticaria", **SUDDEN)).brighton_level == 2

    @pytest.mark.parametrize(
        ("symptoms", "level"),
        [
            (["angioedema", "wheeze"], 1),
            (["generalized_erythema", "stridor"], 1),
            (
                [{"code": "itch_skin", "extent": "generalized"}, "rash", "upper_airway_swelling"],
                1,
            ),
            (["hypotension", "wheeze"], 2),
            (["uncompensated_shock", "nausea"], 2),
            (["tachycardia", "prolonged_capillary_refill", "reduced_central_pulse", HIVES], 1),
            (["hypotension", "dry_cough"], 3),  # exointake's level-3 rule (the 2007 gap)
            (["wheeze", "reduced_peripheral_circulation"], 3),
            (["hypotension", "dry_cough", "urticaria"], 2),
            (["stridor", "red_itchy_eyes"], 2),
            ([HIVES, "dry_cough"], 2),
            (["dyspnea", "vomiting"], 3),
            (["tachycardia", "reduced_consciousness", "diarrhea"], 3),
            (["hoarseness", "raised_tryptase"], 3),
            (["tachycardia", "vomiting"], 5),
            (["dyspnea", "hoarseness"], 5),
            ([HIVES], 5),
            (["redness", "swelling", "pain"], 5),
        ],
    )
    def test_levels(self, symptoms: list[Any], level: int) -> None:
        """The 2007 levels from documented major and minor criteria (sudden onset documented).

        Level 2's "major cardiovascular or respiratory with a minor from a different system"
        means a system other than cardiovascular or respiratory (Rüggeberg 2007).
        """
        assert grade(reaction(*symptoms, **SUDDEN)).brighton_level == level

    def test_onset_not_documented_is_level_4(self) -> None:
        """Signs that meet a level without a documented onset give level 4."""
        g = grade(reaction("hypotension", HIVES))
        assert g.brighton_level == 4
        assert g.brighton_reason is BrightonReason.ONSET_NOT_DOCUMENTED

    def test_progression_not_documented_is_level_4(self) -> None:
        """A sudden onset without documented rapid progression gives level 4, never 1-3."""
        g = grade(reaction("hypotension", HIVES, onset_minutes=10))
        assert (g.brighton_level, g.brighton_reason) == (
            4,
            BrightonReason.PROGRESSION_NOT_DOCUMENTED,
        )
        assert g.category is Category.ANAPHYLAXIS

    @settings(max_examples=100, deadline=None)
    @given(xs.reactions())
    def test_undocumented_progression_never_adds_certainty(self, r: Reaction) -> None:
        """Leaving rapid progression unrecorded never gives a more certain level than
        recording it, and never a level from 1 to 3."""
        unrecorded = Reaction(**{**_fields(r), "symptoms": r.symptoms, "rapid_progression": None})
        recorded = Reaction(**{**_fields(r), "symptoms": r.symptoms, "rapid_progression": True})
        assert grade(unrecorded).brighton_level >= 4
        assert grade(unrecorded).brighton_level >= grade(recorded).brighton_level

    @settings(max_examples=100, deadline=None)
    @given(xs.reactions(), st.none() | xs.routes())
    def test_undocumented_progression_changes_only_the_level(
        self, r: Reaction, route: Route | None
    ) -> None:
        """Recording rapid progression never changes the category, CTCAE term or grade,
        or seriousness: only the Brighton level depends on it."""
        unrecorded = grade(
            Reaction(**{**_fields(r), "symptoms": r.symptoms, "rapid_progression": None}),
            route=route,
        )
        recorded = grade(
            Reaction(**{**_fields(r), "symptoms": r.symptoms, "rapid_progression": True}),
            route=route,
        )
        assert unrecorded.category is recorded.category
        assert unrecorded.ctcae == recorded.ctcae
        assert unrecorded.seriousness_criteria == recorded.seriousness_criteria

    def test_undocumented_progression_is_still_graded_as_anaphylaxis(self) -> None:
        """Signs meeting level 2 without documented progression: Brighton 4, but CTCAE
        Anaphylaxis (hypotension) and medically important, as with progression documented."""
        g = grade(reaction("hypotension", "vomiting", onset_minutes=5))
        assert g.brighton_level == 4
        assert g.ctcae.term is CtcaeTerm.ANAPHYLAXIS
        assert SeriousnessCriterion.MEDICALLY_IMPORTANT in g.seriousness_criteria

    def test_late_onset_is_not_a_case(self) -> None:
        """An onset later than the sudden-onset window is not a case (level 5)."""
        g = grade(reaction("hypotension", HIVES, onset_minutes=600))
        assert (g.brighton_level, g.brighton_reason) == (5, BrightonReason.ONSET_NOT_SUDDEN)
        slow = grade(reaction("hypotension", HIVES, onset_minutes=5, rapid_progression=False))
        assert slow.brighton_level == 5

    def test_reported_anaphylaxis_with_insufficient_signs_is_level_4(self) -> None:
        """A physician's report of anaphylaxis that the signs do not support is level 4."""
        g = grade(reaction("vomiting", onset_minutes=5, reported_anaphylaxis=True))
        assert (g.brighton_level, g.brighton_reason) == (4, BrightonReason.REPORTED_INSUFFICIENT)

    def test_signs_are_explained(self) -> None:
        """The grade lists the signs counted, including combination criteria."""
        g = grade(reaction("tachycardia", "reduced_consciousness", **SUDDEN))
        assert [(b.code, b.role.value) for b in g.brighton_signs] == [
            ("reduced_peripheral_circulation", "minor")
        ]

    @settings(max_examples=150, deadline=None)
    @given(xs.reactions(min_symptoms=2, max_symptoms=7), st.data())
    def test_removing_a_sign_never_raises_certainty(self, r: Reaction, data: st.DataObject) -> None:
        """Removing a sign never gives a lower (more certain) Brighton level number.

        Order of certainty: 1 > 2 > 3 > 4 (reported, insufficient) > 5 (not a case).
        """
        drop = data.draw(st.integers(0, len(r.symptoms) - 1))
        fewer = Reaction(symptoms=r.symptoms[:drop] + r.symptoms[drop + 1 :], **_fields(r))
        assert grade(fewer).brighton_level >= grade(r).brighton_level

    @settings(max_examples=200, deadline=None)
    @given(
        st.one_of(
            xs.reactions(),
            xs.reactions(codes=st.sampled_from(ALLERGY_ROW_CODES), max_symptoms=3),
        ),
        st.integers(0, 60),
    )
    def test_a_brighton_case_is_in_the_anaphylaxis_row(self, r: Reaction, onset: int) -> None:
        """Signs meeting Brighton level 1-3 are always in the article's anaphylaxis row."""
        g = grade(Reaction(r.symptoms, onset_minutes=onset, rapid_progression=True))
        if g.brighton_level <= 3:
            assert g.category is Category.ANAPHYLAXIS

    def test_red_itchy_eyes_escalate_like_skin_signs(self) -> None:
        """Red, itchy eyes (a mucosal sign) with a cough are graded anaphylaxis, as Brighton 3."""
        g = grade(reaction("red_itchy_eyes", "dry_cough", **SUDDEN))
        assert (g.category, g.brighton_level) == (Category.ANAPHYLAXIS, 3)

    @settings(max_examples=100, deadline=None)
    @given(
        xs.reactions(
            codes=st.sampled_from(
                [
                    "urticaria",
                    "itch_skin",
                    "redness",
                    "rash",
                    "hypotension",
                    "wheeze",
                    "dry_cough",
                    "tachycardia",
                    "vomiting",
                ]
            )
        )
    )
    def test_unknown_extent_never_counts_as_generalized(self, r: Reaction) -> None:
        """Turning a documented generalized extent into unknown never raises certainty."""
        vague = Reaction(
            symptoms=tuple(
                Symptom(s.code, Extent.UNKNOWN) if s.extent is Extent.GENERALIZED else s
                for s in r.symptoms
            ),
            **_fields(r),
        )
        assert grade(vague).brighton_level >= grade(r).brighton_level
        assert grade(vague).category.rank >= grade(r).category.rank


class TestCtcae:
    def test_injection_site_grades(self) -> None:
        """Injection site reaction: tenderness/erythema grade 1, pain or edema grade 2."""
        g1 = grade(reaction("redness", "warmth", **DONE)).ctcae
        assert (g1.term, g1.grade, g1.version) == (CtcaeTerm.INJECTION_SITE_REACTION, 1, "5.0")
        assert grade(reaction("redness", "swelling", **DONE)).ctcae.grade == 2
        assert grade(reaction("site_ulceration", **DONE)).ctcae.grade == 3
        assert grade(reaction("pain", **{**DONE, "interventions": ["operative"]})).ctcae.grade == 3

    def test_infusion_related_instead_of_allergic_for_drips(self) -> None:
        """For an IV drip a systemic reaction is an Infusion related reaction, never both."""
        r = reaction("rash", "itch_skin", **{**DONE, "interventions": ["oral"]})
        drip = grade(r, route=Route.IV_DRIP).ctcae
        face = grade(r, route="injection_face").ctcae
        assert (drip.term, drip.grade) == (CtcaeTerm.INFUSION_RELATED_REACTION, 2)
        assert (face.term, face.grade) == (CtcaeTerm.ALLERGIC_REACTION, 2)

    def test_allergic_reaction_grades(self) -> None:
        """Allergic reaction (after an injection): no systemic treatment 1, oral 2, IV or
        hospitalization 3."""

        def ctcae(*symptoms: str, **fields: Any) -> Any:
            return grade(reaction(*symptoms, **fields), route="injection_face").ctcae

        assert ctcae("rash", "itch_skin", **DONE).grade == 1
        assert ctcae("rash", **{**DONE, "interventions": ["topical"]}).grade == 1
        assert ctcae("rash", **{**DONE, "interventions": ["iv"]}).grade == 3
        assert ctcae("rash", **{**DONE, "hospitalization": True}).grade == 3

    @pytest.mark.parametrize(
        "symptoms", [["rash"], ["rash", "itch_skin"], [HIVES], ["vomiting", "abdominal_pain"]]
    )
    def test_allergic_type_term_needs_the_route(self, symptoms: list[Any]) -> None:
        """Without a route the term of an allergic-type reaction is None ("route needed"):
        a drip would make it an Infusion related reaction, so it is never guessed."""
        c = grade(reaction(*symptoms, **DONE)).ctcae
        assert (c.term, c.grade, c.missing) == (None, None, ("route",))
        assert c.reason is not None
        assert c.reason.startswith("route needed")
        assert grade(reaction(*symptoms, **DONE), route="iv_drip").ctcae.term is (
            CtcaeTerm.INFUSION_RELATED_REACTION
        )
        assert ActionCode.COMPLETE_RECORD in [a.code for a in grade(reaction(*symptoms)).actions]

    def test_local_and_anaphylaxis_terms_need_no_route(self) -> None:
        """Site reactions and anaphylaxis have one term whatever the route."""
        assert grade(reaction("redness", **DONE)).ctcae.term is CtcaeTerm.INJECTION_SITE_REACTION
        ana = grade(reaction("hypotension", HIVES, **SUDDEN, **DONE)).ctcae
        assert ana.term is CtcaeTerm.ANAPHYLAXIS

    def test_anaphylaxis_grades(self) -> None:
        """Anaphylaxis starts at grade 3; urgent intervention 4; death 5."""
        base = {"onset_minutes": 5, **DONE, "interventions": ["parenteral_adrenaline"]}
        g = grade(reaction("hypotension", HIVES, **base)).ctcae
        assert (g.term, g.grade) == (CtcaeTerm.ANAPHYLAXIS, 3)
        urgent = {**base, "interventions": ["urgent"]}
        assert grade(reaction("wheeze", HIVES, **urgent)).ctcae.grade == 4
        assert grade(reaction("wheeze", HIVES, **{**base, "outcome": "fatal"})).ctcae.grade == 5

    def test_urticaria_grades(self) -> None:
        """Urticaria alone (after an injection): graded by body surface or by treatment,
        whichever is higher."""

        def ctcae(*symptoms: Any, **fields: Any) -> Any:
            return grade(reaction(*symptoms, **fields), route="injection_scalp").ctcae

        local = ctcae({"code": "urticaria", "extent": "localized"}, **DONE)
        assert (local.term, local.grade) == (CtcaeTerm.URTICARIA, 1)
        assert ctcae(HIVES, body_surface_percent=40, **DONE).grade == 3
        oral = ctcae(HIVES, body_surface_percent=5, **{**DONE, "interventions": ["oral"]})
        assert oral.grade == 2

    def test_missing_inputs_give_no_grade_and_say_why(self) -> None:
        """Without interventions, outcome and life-threat the grade is None with the fields
        to record."""
        g = grade(reaction("hypotension", HIVES, onset_minutes=10)).ctcae
        assert g.grade is None
        assert g.missing == ("interventions", "outcome", "life_threatening")
        assert g.reason is not None
        assert "outcome" in g.reason

    def test_reported_anaphylaxis_is_graded_as_anaphylaxis(self) -> None:
        """A physician-reported anaphylaxis with hives only is CTCAE Anaphylaxis (grade 3 or
        more, or no grade with the fields to record), never Urticaria grade 2."""
        c = grade(
            reaction(
                "urticaria",
                reported_anaphylaxis=True,
                onset_minutes=5,
                interventions=["oral"],
                hospitalization=False,
                outcome="recovered",
                body_surface_percent=5,
            ),
            route="injection_face",
        ).ctcae
        assert c.term is CtcaeTerm.ANAPHYLAXIS
        if c.grade is None:
            assert c.missing
        else:
            assert c.grade >= 3

    def test_unrecorded_life_threat_leaves_the_grade_open(self) -> None:
        """Hypotension with hives treated with adrenaline and IV, recovered, life-threat not
        recorded: Anaphylaxis, grade None (3 or 4) naming life_threatening; recorded, it is
        decided."""
        facts = {"interventions": ["parenteral_adrenaline", "iv"], "outcome": "recovered"}
        for route in ("iv_drip", "injection_face", None):
            c = grade(reaction("hypotension", HIVES, **facts), route=route).ctcae
            assert (c.term, c.grade, c.missing) == (
                CtcaeTerm.ANAPHYLAXIS,
                None,
                ("life_threatening",),
            )
        decided = reaction("hypotension", HIVES, **facts, life_threatening=False)
        assert grade(decided).ctcae.grade == 3
        threat = reaction("hypotension", HIVES, **facts, life_threatening=True)
        assert grade(threat).ctcae.grade == 4

    def test_unrecorded_prolonged_leaves_an_infusion_grade_open(self) -> None:
        """Infusion related reaction: whether it was prolonged decides grade 2 or 3."""
        facts = {**DONE, "interventions": ["oral"], "prolonged": None}
        c = grade(reaction("rash", **facts), route="iv_drip").ctcae
        assert (c.grade, c.missing) == (None, ("prolonged",))
        assert (
            grade(reaction("rash", **{**facts, "prolonged": True}), route="iv_drip").ctcae.grade
            == 3
        )

    def test_known_death_needs_nothing_else(self) -> None:
        """A fatal outcome is grade 5 even when interventions are not recorded."""
        assert grade(reaction("wheeze", outcome="fatal"), route="injection_face").ctcae.grade == 5

    @settings(max_examples=150, deadline=None)
    @given(xs.reactions(), st.none() | xs.routes())
    def test_term_and_grade_are_consistent(self, r: Reaction, route: Route | None) -> None:
        """One leading term per reaction; drips never get Allergic reaction; grades stay in
        each term's range (CTCAE v5.0: Anaphylaxis, Sepsis and Vasovagal reaction start at 3,
        Soft tissue infection at 2; Syncope is 3 only, Presyncope 2 only; Urticaria and
        Chills stop at 3)."""
        c = grade(r, route=route).ctcae
        if c.term is None:
            assert (route is None and c.missing == ("route",)) or (
                c.reason is not None and c.reason.startswith("no CTCAE term")
            )
        if route is Route.IV_DRIP:
            assert c.term is not CtcaeTerm.ALLERGIC_REACTION
        else:
            assert c.term is not CtcaeTerm.INFUSION_RELATED_REACTION
        if c.grade is None:
            assert c.reason
            assert c.missing or c.term in (None, CtcaeTerm.SEPSIS, CtcaeTerm.FEVER)
        else:
            assert not c.missing
            assert c.term is not None
            low, high = _GRADE_RANGE.get(c.term, (1, 5))
            assert low <= c.grade <= high


_GRADE_RANGE = {
    CtcaeTerm.ANAPHYLAXIS: (3, 5),
    CtcaeTerm.SEPSIS: (3, 5),
    CtcaeTerm.VASOVAGAL_REACTION: (3, 5),
    CtcaeTerm.SOFT_TISSUE_INFECTION: (2, 5),
    CtcaeTerm.SYNCOPE: (3, 3),
    CtcaeTerm.PRESYNCOPE: (2, 2),
    CtcaeTerm.URTICARIA: (1, 3),
    CtcaeTerm.CHILLS: (1, 3),
}
"""The grades CTCAE v5.0 defines for a term, where not 1-5."""


class TestSeriousness:
    def test_mild_local_reaction_is_not_serious(self) -> None:
        """A settled local reaction is not serious and nothing needs reporting."""
        g = grade(reaction("redness", **DONE))
        assert not g.serious
        assert g.seriousness_criteria == ()
        assert g.seriousness_unknown == ()
        assert ActionCode.REPORT not in [a.code for a in g.actions]

    def test_criteria(self) -> None:
        """Each ICH E2A criterion recorded makes the reaction serious and is named."""
        g = grade(
            reaction(
                "rash",
                **{
                    **DONE,
                    "hospitalization": True,
                    "outcome": "fatal",
                    "life_threatening": True,
                    "disability": True,
                },
            )
        )
        assert g.serious
        assert g.seriousness_criteria == (
            SeriousnessCriterion.DEATH,
            SeriousnessCriterion.LIFE_THREATENING,
            SeriousnessCriterion.HOSPITALIZATION,
            SeriousnessCriterion.DISABILITY,
        )
        assert ActionCode.REPORT in [a.code for a in g.actions]

    def test_reported_anaphylaxis_is_serious(self) -> None:
        """A physician's report of anaphylaxis is medically important and must be reported,
        whatever the symptoms (ICH E2A)."""
        g = grade(
            reaction(
                "urticaria",
                reported_anaphylaxis=True,
                onset_minutes=5,
                interventions=["oral"],
                hospitalization=False,
                outcome="recovered",
                body_surface_percent=5,
            )
        )
        assert g.serious
        assert SeriousnessCriterion.MEDICALLY_IMPORTANT in g.seriousness_criteria
        assert ActionCode.REPORT in [a.code for a in g.actions]

    def test_anaphylaxis_is_medically_important(self) -> None:
        """Anaphylaxis meeting a Brighton level is a medically important event."""
        g = grade(reaction("hypotension", HIVES, **SUDDEN, **DONE))
        assert g.seriousness_criteria == (SeriousnessCriterion.MEDICALLY_IMPORTANT,)

    def test_unrecorded_criteria_are_listed(self) -> None:
        """Every criterion not recorded is listed as undecided, never taken as 'no'."""
        g = grade(reaction("rash"))
        assert g.seriousness_unknown == tuple(SeriousnessCriterion)
        assert not g.serious
        assert ActionCode.COMPLETE_RECORD in [a.code for a in g.actions]

    @pytest.mark.parametrize(
        ("field", "criterion"),
        [
            ("life_threatening", SeriousnessCriterion.LIFE_THREATENING),
            ("disability", SeriousnessCriterion.DISABILITY),
            ("congenital_anomaly", SeriousnessCriterion.CONGENITAL_ANOMALY),
            ("medically_important", SeriousnessCriterion.MEDICALLY_IMPORTANT),
        ],
    )
    def test_not_recorded_is_not_no(self, field: str, criterion: SeriousnessCriterion) -> None:
        """A reporter's judgement left out (None) is undecided; False is a recorded 'no'."""
        assert Reaction(symptoms=(Symptom("rash"),)).to_dict()[field] is None
        unrecorded = grade(reaction("rash", **{**DONE, field: None}))
        assert criterion in unrecorded.seriousness_unknown
        assert ActionCode.COMPLETE_RECORD in [a.code for a in unrecorded.actions]
        recorded = grade(reaction("rash", **DONE))
        assert criterion not in recorded.seriousness_unknown
        assert grade(reaction("rash", **{**DONE, field: True})).seriousness_criteria == (criterion,)

    def test_complete_record_names_the_fields(self) -> None:
        """The complete-record action says which fields to record, in both languages."""
        g = grade(reaction("rash", **{**DONE, "life_threatening": None}))
        (record,) = [a for a in g.actions if a.code is ActionCode.COMPLETE_RECORD]
        assert record.text.en.startswith("Record route, life-threatening or not,")
        assert "投与経路、生命を脅かすものだったか" in record.text.ja
        assert "{" not in record.text.en + record.text.ja

    def test_undecided_does_not_list_what_is_met(self) -> None:
        """A criterion already met (anaphylaxis is medically important) is not also undecided."""
        g = grade(reaction("hypotension", HIVES, **SUDDEN))
        assert SeriousnessCriterion.MEDICALLY_IMPORTANT in g.seriousness_criteria
        assert SeriousnessCriterion.MEDICALLY_IMPORTANT not in g.seriousness_unknown


class TestActions:
    def test_local_follow_up_within_persistence_days(self) -> None:
        """A local reaction is followed up within the persistence window, with a due date."""
        g = grade(reaction("redness", **DONE), on=dt.date(2026, 11, 25))
        assert [a.code for a in g.actions] == [ActionCode.FOLLOW_UP]
        assert g.actions[0].within_days == 3
        assert g.actions[0].due == dt.date(2026, 11, 28)

    def test_persistent_local_symptoms_need_the_physician(self) -> None:
        """Local symptoms lasting past the window or getting worse call for the physician."""
        assert grade(reaction("swelling", duration_days=4)).actions[0].code == "physician_review"
        assert grade(reaction("swelling", worsening=True)).actions[0].code == "physician_review"
        assert grade(reaction("swelling", duration_days=3)).actions[0].code == "follow_up"
        later = grade(reaction("swelling", duration_days=4), persistence_days=5)
        assert later.actions[0].code == "follow_up"

    def test_allergy_is_reviewed_today(self) -> None:
        """Any allergy-row reaction is reviewed by the physician the same day."""
        g = grade(reaction("rash", **DONE))
        assert (g.actions[0].code, g.actions[0].within_days) == ("physician_review", 0)
        assert g.actions[0].text.ja
        assert g.actions[0].text.en

    def test_bad_options(self) -> None:
        """A negative persistence window or an unknown route is refused."""
        with pytest.raises(ValidationError, match="persistence_days"):
            grade(reaction("pain"), persistence_days=-1)
        with pytest.raises(ValidationError, match="route: expected one of"):
            grade(reaction("pain"), route="oral")

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"persistence_days": "3"}, "persistence_days: expected an integer"),
            ({"on": "2026-11-32"}, "on: expected a real calendar date"),
            ({"on": dt.datetime(2026, 11, 25, tzinfo=dt.UTC)}, "on: expected a date"),
            ({"table": {}}, "table: expected a SeverityTable"),
            ({"vocabulary": "1"}, "vocabulary: expected a Vocabulary"),
        ],
    )
    def test_wrongly_typed_options(self, options: dict[str, Any], message: str) -> None:
        """Options of the wrong type are a ValidationError naming the option."""
        with pytest.raises(ValidationError) as info:
            grade(reaction("pain"), **options)
        assert any(e.startswith(message) for e in info.value.errors), info.value.errors


class TestActionsProperties:
    @settings(max_examples=150, deadline=None)
    @given(xs.reactions(), st.none() | xs.routes())
    def test_actions_follow_the_grade(self, r: Reaction, route: Route | None) -> None:
        """Review (or emergency) first for anything but a local table reaction, report iff
        serious, a lot review iff an infection, complete the record iff a field is missing,
        and always a follow-up; each kind of action at most once."""
        g = grade(r, route=route)
        codes = [a.code for a in g.actions]
        assert len(codes) == len(set(codes))
        assert ActionCode.FOLLOW_UP in codes
        if g.category is not Category.LOCAL:
            assert codes[0] in (ActionCode.PHYSICIAN_REVIEW, ActionCode.EMERGENCY)
        assert ("sepsis" in r.codes) <= (ActionCode.EMERGENCY in codes)
        assert (ActionCode.REPORT in codes) == g.serious
        infection = any(load_vocabulary()[c].event is EventKind.INFECTION for c in r.codes)
        assert (ActionCode.LOT_REVIEW in codes) == infection
        missing = any(c.missing for c in (g.ctcae, *g.ctcae_other))
        assert (ActionCode.COMPLETE_RECORD in codes) == (missing or bool(g.seriousness_unknown))


class TestGradeOutput:
    def test_versions_are_named(self) -> None:
        """A grade names the table, vocabulary, Brighton and CTCAE versions it used."""
        d = grade(reaction("pain")).to_dict()
        assert d["table_version"] == "article-2025-11-19-r3"
        assert d["vocabulary_version"] == "3"
        assert d["brighton_version"] == "2007"
        assert d["ctcae"]["version"] == "5.0"

    def test_json_keys(self) -> None:
        """The plain form carries at least the documented keys."""
        d = grade(reaction("hypotension", HIVES, onset_minutes=10)).to_dict()
        for key in ("category", "brighton_level", "ctcae", "serious", "seriousness_criteria"):
            assert key in d
        assert set(d["ctcae"]) >= {"term", "grade"}
        assert d["category"] == "anaphylaxis"
        assert all({"code", "text", "within_days"} <= set(a) for a in d["actions"])

    @settings(max_examples=80, deadline=None)
    @given(
        xs.reactions(),
        st.none() | xs.routes(),
        st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31)),
    )
    def test_deterministic_and_round_trips(
        self, r: Reaction, route: Route | None, on: dt.date | None
    ) -> None:
        """The same reaction grades to the same bytes, and the grade re-reads from its JSON."""
        g = grade(r, route=route, on=on)
        again = grade(Reaction.from_dict(r.to_dict()), route=route, on=on)
        assert canonical_json(g.to_dict()) == canonical_json(again.to_dict())
        assert Grade.from_dict(json.loads(json.dumps(g.to_dict()))) == g

    def test_outcome_values(self) -> None:
        """Outcomes are a closed vocabulary."""
        assert Outcome("recovered_with_sequelae") is Outcome.RECOVERED_WITH_SEQUELAE


class TestExample:
    def test_grade_reaction_example(self, tmp_path: Path) -> None:
        """examples/grade_reaction.py grades its three cases as the guide describes."""
        proc = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "grade_reaction.py")],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        out = proc.stdout
        assert "CTCAE v5.0: Injection site reaction, grade 1" in out
        assert "Brighton 2007: level 1 (criteria_met)" in out
        assert "CTCAE v5.0: Anaphylaxis, grade 3" in out
        assert "level 5 (criteria_not_met)" in out
        assert "Infusion related reaction" in out


SCHEMA = json.loads((ROOT / "schemas" / "reaction.schema.json").read_text("utf-8"))


class TestReactionSchema:
    def test_schema_matches_the_model(self) -> None:
        """The JSON Schema's fields and closed vocabularies are the model's."""
        vocab = load_vocabulary()
        defs, props = SCHEMA["$defs"], SCHEMA["properties"]
        assert defs["code"]["enum"] == list(vocab.codes)
        assert defs["skin_code"]["enum"] == [d.code for d in vocab.symptoms if d.skin]
        assert set(props) == {*Reaction.from_dict({"symptoms": ["pain"]}).to_dict(), "route"}
        assert props["interventions"]["items"]["enum"] == [i.value for i in Intervention]
        assert props["outcome"]["enum"] == [o.value for o in Outcome]
        assert props["route"]["enum"] == [r.value for r in Route]

    @settings(max_examples=60, deadline=None)
    @given(xs.reaction_dicts(), st.none() | xs.routes())
    def test_valid_reactions_validate(self, data: dict[str, Any], route: Route | None) -> None:
        """Every reaction the model accepts is valid under the schema."""
        if route is not None:
            data = {**data, "route": route.value}
        jsonschema.validate(data, SCHEMA)

    @pytest.mark.parametrize(
        "data",
        [
            {"symptoms": []},
            {"symptoms": ["foo"]},
            {"symptoms": [{"code": "pain", "extent": "generalized"}]},
            {"symptoms": [{"code": "urticaria", "extent": "everywhere"}]},
            {"symptoms": ["pain"], "onset_minutes": -1},
            {"symptoms": ["pain"], "body_surface_percent": 101},
            {"symptoms": ["pain"], "onset_minutes": 366 * 24 * 60 + 1},
            {"symptoms": ["pain"], "duration_days": 10**9},
            {"symptoms": ["pain"], "outcome": "better"},
            {"symptoms": ["pain"], "interventions": ["prayer"]},
            {"symptoms": ["pain"], "hospitalization": "yes"},
            {"symptoms": ["pain"], "notes": "free text"},
            {"onset_minutes": 5},
        ],
    )
    def test_schema_and_model_reject_alike(self, data: dict[str, Any]) -> None:
        """Input the model refuses is refused by the schema too."""
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, SCHEMA)
        with pytest.raises(ValidationError):
            Reaction.from_dict(data)
