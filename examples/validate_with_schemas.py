"""Check documents against exointake's JSON Schemas before handing them to the library.

Run: python examples/validate_with_schemas.py   (needs jsonschema: pip install jsonschema)

Validation is offline: one ``referencing.Registry`` holds every file of ``schemas/`` under
its ``$id``, so a ``$ref`` from one schema to another (reaction-record -> reaction) is
resolved from the folder, never fetched from the made-up ``exointake.example`` host.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

import exointake

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS: dict[str, dict[str, Any]] = {
    path.name: json.loads(path.read_text("utf-8")) for path in (ROOT / "schemas").glob("*.json")
}
REGISTRY: Registry[Any] = Registry().with_resources(
    (schema["$id"], Resource.from_contents(schema)) for schema in SCHEMAS.values()
)


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(
        SCHEMAS[name], registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


questionnaire = exointake.load_questionnaire()
documents = {
    "questionnaire.schema.json": questionnaire.to_dict(),
    "ruleset.schema.json": exointake.load_ruleset().to_dict(),
    "answers.schema.json": questionnaire.answers(
        {"cancer_history": "none", "drug_allergy": "unknown"}, partial=True
    ).to_dict(),
}
record = json.loads((ROOT / "examples" / "log" / "reaction.json").read_text("utf-8"))
record["administration_id"] = "ADM-1"
documents["reaction-record.schema.json"] = record  # refers to reaction.schema.json
for name, document in documents.items():
    print(f"{name}: bundled document valid = {validator(name).is_valid(document)}")

# A rule set edited by hand, with two mistakes: the schema names where they are.
rules = exointake.load_ruleset().to_dict()
rules["rules"][0]["decision"] = "clear"  # a rule cannot decide "clear"
rules["rules"][1]["when"] = {"is_true": "drug_allergy", "not": {"is_true": "x"}}  # two keys
for error in sorted(
    validator("ruleset.schema.json").iter_errors(rules), key=lambda e: list(e.absolute_path)
):
    print("ruleset.schema.json:", "/".join(map(str, error.absolute_path)), "is invalid")

# The library refuses the same document, with its own paths.
try:
    exointake.RuleSet.from_dict(rules)
except exointake.ValidationError as exc:
    print(*exc.errors, sep="\n")
