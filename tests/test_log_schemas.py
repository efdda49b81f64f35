"""The JSON Schemas of the log's inputs agree with the models."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from referencing import Registry, Resource

from exointake import strategies
from exointake._errors import ValidationError
from exointake._reactions import ReactionRecord
from exointake._records import Administration

from .logutil import ROOT, example

SCHEMAS = ROOT / "schemas"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / name).read_text("utf-8"))
    return data


ADMINISTRATION = _load("administration.schema.json")
REACTION_RECORD = _load("reaction-record.schema.json")
REGISTRY = Registry().with_resources(  # the documented recipe: every file, offline
    (s["$id"], Resource.from_contents(s)) for s in (_load(p.name) for p in SCHEMAS.glob("*.json"))
)


def _valid(data: object, schema: dict[str, Any]) -> bool:
    validator = jsonschema.Draft202012Validator(schema, registry=REGISTRY)
    return validator.is_valid(data)


def _reaction_example() -> dict[str, Any]:
    data = example("reaction")
    data["administration_id"] = "0193a1b2c3d4e5f60718293a4b5c6d7e"
    return data


class TestSchemas:
    def test_schemas_are_valid(self) -> None:
        """Both schemas are valid draft 2020-12 schemas."""
        for schema in (ADMINISTRATION, REACTION_RECORD):
            jsonschema.Draft202012Validator.check_schema(schema)

    def test_examples_validate(self) -> None:
        """The example files in examples/log are valid under their schemas."""
        assert _valid(example("administration"), ADMINISTRATION)
        assert _valid(_reaction_example(), REACTION_RECORD)

    @settings(max_examples=60, deadline=None)
    @given(strategies.administrations())
    def test_every_administration_validates(self, adm: Administration) -> None:
        """Whatever the model produces, the schema accepts."""
        assert _valid(json.loads(json.dumps(adm.to_dict())), ADMINISTRATION)

    @settings(max_examples=60, deadline=None)
    @given(strategies.reaction_records())
    def test_every_reaction_record_validates(self, rec: ReactionRecord) -> None:
        """Whatever the model produces, the schema accepts."""
        assert _valid(json.loads(json.dumps(rec.to_dict())), REACTION_RECORD)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("patient_id", "山田 太郎"),
            ("volume_ml", 0),
            ("volume_ml", "-1"),
            ("administered_at", "2026-11-25T10:00:00"),
            ("route", "oral"),
            ("site", "two\nlines"),
            ("extra", 1),
        ],
    )
    def test_schema_and_model_refuse_the_same_administrations(
        self, field: str, value: object
    ) -> None:
        """Input the model refuses, the schema refuses too."""
        data = example("administration")
        data[field] = value
        with pytest.raises(ValidationError):
            Administration.from_dict(data)
        assert not _valid(data, ADMINISTRATION)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("causality", "maybe"),
            ("onset", "yesterday"),
            ("reporter", ""),
            ("vital_signs", {"systolic_mmhg": 900}),
            ("reaction", {"symptoms": ["not_a_symptom"]}),
        ],
    )
    def test_schema_and_model_refuse_the_same_reactions(self, field: str, value: object) -> None:
        """Input the model refuses, the schema refuses too."""
        data = _reaction_example()
        data[field] = value
        with pytest.raises(ValidationError):
            ReactionRecord.from_dict(data)
        assert not _valid(data, REACTION_RECORD)
