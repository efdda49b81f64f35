"""The JSON Schemas in ``schemas/`` accept exactly what exointake accepts.

Agreement is checked in both directions with generated data: documents built
with :mod:`exointake.strategies` are accepted by the schema *and* the library;
the same documents broken structurally (a required key dropped, an unknown key
added, a value of the wrong JSON type, a value outside an enum, a text one
character longer than its ``maxLength``) are refused by *both*. Checks the
library makes that JSON Schema cannot express (duplicate link_ids, references to
earlier items...) are listed in each schema's ``description``; they are not what
these tests are about.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable

import exointake
from exointake import (
    Questionnaire,
    Route,
    RuleSet,
    ScreeningResult,
    ValidationError,
    screen,
    strategies,
)

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
EXAMPLES = SCHEMAS.parent / "examples"
DATA = Path(exointake.__file__).resolve().parent / "data"
NAMES = ("questionnaire", "ruleset", "answers", "screening-result")
FILES = sorted(SCHEMAS.glob("*.schema.json"))
BASE = "https://exointake.example/schemas/"


def _no_network(uri: str) -> Resource[Any]:
    """The registry's retrieve hook: any lookup outside schemas/ fails the test."""
    pytest.fail(f"a schema reference left schemas/ (network retrieval of {uri})")
    raise NoSuchResource(ref=uri)  # pragma: no cover - pytest.fail raises


def offline_registry() -> Registry[Any]:
    """The documented recipe: every file of schemas/ under its own ``$id``, no retrieval."""
    return Registry(retrieve=_no_network).with_resources(  # type: ignore[call-arg]
        (schema["$id"], Resource.from_contents(schema))
        for schema in (json.loads(path.read_text("utf-8")) for path in FILES)
    )


REGISTRY = offline_registry()

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


GENERATED = settings(SETTINGS, max_examples=60)
"""Fewer examples where each one generates a whole questionnaire and rule set."""


@cache
def schema(name: str) -> dict[str, Any]:
    """The schema ``schemas/<name>.schema.json``."""
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text("utf-8"))
    return loaded


@cache
def validator(name: str) -> Draft202012Validator:
    """A 2020-12 validator for ``name`` that also asserts ``format`` (dates)."""
    return Draft202012Validator(
        schema(name), registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def as_json(data: object) -> Any:
    """``data`` as it comes back from a JSON file."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def errors(name: str, doc: object) -> list[str]:
    """The schema's complaints about ``doc``, readable in a failure message."""
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(doc)]


# ---------------------------------------------------------------------------- mutations

BAD_ENUM = "not-a-member"
UNKNOWN_KEY = "x_not_a_field"
WRONG_VALUE: dict[str, object] = {
    "string": 7,
    "boolean": "true",
    "integer": "1",
    "number": "1.5x",
    "array": {"k": 1},
    "object": [],
}

LONG_CHAR = "長"
"""What a text is padded with to reach (or pass) its maxLength: one code point, any script."""

Path_ = tuple[str | int, ...]
Site = tuple[Path_, str, object]


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def mutation_sites(doc: object, root: dict[str, Any]) -> list[Site]:
    """Every place where ``doc`` can be broken structurally, read off the schema.

    A site is ``(path, kind, detail)``: ``drop`` a required key of a record,
    ``add`` an unknown key to a record, put a value of the ``wrong_type`` where
    the schema names exactly one JSON type, or a ``bad_enum`` value. Values
    whose schema allows several JSON types (answers, scalars) are left alone:
    which type is right there depends on the questionnaire, not on the schema.
    """
    return list(_sites(doc, root, root, ()))


def _sites(doc: object, node: dict[str, Any], root: dict[str, Any], path: Path_) -> Iterator[Site]:
    node = _resolve(node, root)
    if "anyOf" in node:  # only "X or null" unions occur in our schemas
        if doc is None:
            return
        (node,) = (b for b in node["anyOf"] if b != {"type": "null"})
        node = _resolve(node, root)
    if "enum" in node:
        yield (path, "bad_enum", None)
        return
    kind = node.get("type")
    if isinstance(kind, str):
        yield (path, "wrong_type", kind)
    if isinstance(doc, str) and "maxLength" in node:
        yield (path, "too_long", node["maxLength"])
    if isinstance(doc, dict):
        extra = node.get("additionalProperties")
        if extra is False:
            for key in node.get("required", ()):
                yield (path, "drop", key)
            yield (path, "add", UNKNOWN_KEY)
            for key, value in doc.items():
                yield from _sites(value, node["properties"][key], root, (*path, key))
        elif isinstance(extra, dict):
            for key, value in doc.items():
                yield from _sites(value, extra, root, (*path, key))
    elif isinstance(doc, list) and "items" in node and kind == "array":
        for n, value in enumerate(doc):
            yield from _sites(value, node["items"], root, (*path, n))


def apply_mutation(doc: Any, site: Site) -> Any:
    """A deep copy of ``doc`` broken at ``site``."""
    out = as_json(doc)
    path, kind, detail = site
    parent: Any = None
    target: Any = out
    for step in path:
        parent, target = target, target[step]
    if kind == "drop":
        del target[detail]
    elif kind == "add":
        target[detail] = 1
    else:
        if kind == "too_long":  # one character past the limit
            replacement: object = LONG_CHAR * (int(str(detail)) + 1)
        elif kind == "at_limit":  # the text itself, padded to exactly the limit
            replacement = target + LONG_CHAR * (int(str(detail)) - len(target))
        else:
            replacement = BAD_ENUM if kind == "bad_enum" else WRONG_VALUE[str(detail)]
        if parent is None:
            return replacement
        parent[path[-1]] = replacement
    return out


def broken(docs: st.SearchStrategy[Any], name: str) -> st.SearchStrategy[tuple[Site, Any]]:
    """Documents from ``docs`` with one structural mistake, and where it is."""

    def mutate(doc: Any) -> st.SearchStrategy[tuple[Site, Any]]:
        sites = mutation_sites(as_json(doc), schema(name))
        return st.sampled_from(sites).map(lambda site: (site, apply_mutation(doc, site)))

    return docs.flatmap(mutate)


# ---------------------------------------------------------------------------- generators

STRUCTURED = {"boolean", "choice", "date", "integer"}


def _has_rule_items(data: dict[str, Any]) -> bool:
    return any(i["type"] in STRUCTURED for i in data["items"])


def questionnaires_with_rule_items() -> st.SearchStrategy[Questionnaire]:
    """Generated questionnaires with at least one item a rule can read, or the bundled one."""
    generated = (
        strategies.questionnaire_dicts().filter(_has_rule_items).map(Questionnaire.from_dict)
    )
    return st.one_of(st.just(exointake.load_questionnaire()), generated)


@st.composite
def ruleset_cases(draw: st.DrawFn) -> tuple[Questionnaire, dict[str, Any]]:
    """A questionnaire and a generated rule set (JSON) for it."""
    q = draw(questionnaires_with_rule_items())
    return q, draw(strategies.ruleset_dicts(q))


@st.composite
def answers_cases(draw: st.DrawFn) -> tuple[Questionnaire, dict[str, Any]]:
    """A questionnaire and a pinned answers document, complete or partial, with or without route."""
    q = draw(st.one_of(st.just(exointake.load_questionnaire()), strategies.questionnaires()))
    route = draw(st.none() | strategies.routes())
    if draw(st.booleans()):
        raw = draw(strategies.partial_answer_dicts(q, route=route))
        answers = q.answers(raw, route=route, partial=True)
    else:
        answers = draw(strategies.answers(q, route=route))
    return q, answers.to_dict()


@st.composite
def results(draw: st.DrawFn) -> ScreeningResult:
    """Results of screening generated answers (complete or partial) with generated rules."""
    q, rules = draw(ruleset_cases())
    ruleset = RuleSet.from_dict(rules)
    route = draw(strategies.routes())
    complete = strategies.answer_dicts(q, route=route)
    raw = draw(complete | strategies.partial_answer_dicts(q, route=route))
    answers = q.answers(raw, route=route, partial=True)
    on = draw(st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)))
    return screen(answers, route, ruleset, on=on)


# ---------------------------------------------------------------------------- tests


@cache
def samples() -> dict[str, Any]:
    """One real document per schema file: bundled data and the shipped examples."""
    q = exointake.load_questionnaire()
    answers = q.answers({"cancer_history": "none"}, route=Route.IV_DRIP, partial=True)
    record = json.loads((EXAMPLES / "log" / "reaction.json").read_text("utf-8"))
    record["administration_id"] = "ADM-1"
    return as_json(
        {
            "administration.schema.json": json.loads(
                (EXAMPLES / "log" / "administration.json").read_text("utf-8")
            ),
            "answers.schema.json": answers.to_dict(),
            "consent-request.schema.json": json.loads(
                (EXAMPLES / "consent-request.json").read_text("utf-8")
            ),
            "questionnaire.schema.json": q.to_dict(),
            "reaction-record.schema.json": record,
            "reaction.schema.json": json.loads((EXAMPLES / "reaction.json").read_text("utf-8")),
            "ruleset.schema.json": exointake.load_ruleset().to_dict(),
            "screening-result.schema.json": screen(
                answers, "iv_drip", on=dt.date(2026, 1, 1)
            ).to_dict(),
            "registry-manifest.schema.json": json.loads(
                (EXAMPLES / "registry" / "manifest.json").read_text("utf-8")
            ),
        }
    )


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


class TestEverySchemaOffline:
    def test_the_folder_holds_every_schema(self) -> None:
        """The loop below sees all nine schemas (a renamed folder would make it vacuous)."""
        assert len(FILES) == 9

    @pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
    def test_id_is_the_file_name_under_one_base(self, path: Path) -> None:
        """Each ``$id`` is BASE + file name, so relative ``$ref`` between files resolve."""
        assert json.loads(path.read_text("utf-8"))["$id"] == BASE + path.name

    @pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
    def test_every_ref_resolves_from_the_folder(self, path: Path) -> None:
        """Every ``$ref`` of every schema resolves with the registry alone, never the network."""
        data = json.loads(path.read_text("utf-8"))
        Draft202012Validator.check_schema(data)
        resolver = REGISTRY.resolver(base_uri=data["$id"])
        refs = list(_refs(data))
        for ref in refs:
            resolver.lookup(ref)  # raises Unresolvable, or fails the test on retrieval

    @pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
    def test_validates_a_document_offline(self, path: Path) -> None:
        """A validator built by the documented recipe runs on each schema without the network."""
        data = json.loads(path.read_text("utf-8"))
        validator = Draft202012Validator(
            data, registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        document = samples()[path.name]
        assert [e.message for e in validator.iter_errors(document)] == []

    def test_reaction_record_refers_across_files(self) -> None:
        """The one cross-file reference really is followed: a bad symptom fails the record."""
        record = json.loads((EXAMPLES / "log" / "reaction.json").read_text("utf-8"))
        record["administration_id"] = "ADM-1"
        assert errors("reaction-record", record) == []
        record["reaction"]["symptoms"] = ["not_a_symptom"]
        assert errors("reaction-record", record) != []

    def test_without_the_registry_the_reference_would_need_the_network(self) -> None:
        """The registry is what makes it offline: an empty one cannot resolve the reference."""
        validator = Draft202012Validator(schema("reaction-record"), registry=Registry())
        record = json.loads((EXAMPLES / "log" / "reaction.json").read_text("utf-8"))
        record["administration_id"] = "ADM-1"
        with pytest.raises(Unresolvable, match=r"reaction\.schema\.json"):
            validator.validate(record)


class TestSchemaFiles:
    @pytest.mark.parametrize("name", NAMES)
    def test_is_a_valid_2020_12_schema(self, name: str) -> None:
        """Each schema is itself valid against the draft 2020-12 meta-schema."""
        assert schema(name)["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema(name))

    @pytest.mark.parametrize("name", NAMES)
    def test_lists_what_it_cannot_check(self, name: str) -> None:
        """Each schema says, in its description, which checks only the library makes."""
        assert "Beyond this schema" in schema(name)["description"] or (
            "cannot check" in schema(name)["description"]
        )

    def test_bundled_questionnaire_validates(self) -> None:
        """The bundled questionnaire file, and its to_dict form, match the schema."""
        for path in (DATA / "questionnaires").glob("*/*.json"):
            data = json.loads(path.read_text("utf-8"))
            assert errors("questionnaire", data) == [], path
            assert errors("questionnaire", as_json(Questionnaire.from_dict(data).to_dict())) == []

    def test_bundled_rulesets_validate(self) -> None:
        """The bundled rule set files, and their to_dict form, match the schema."""
        for path in (DATA / "rulesets").glob("*/*.json"):
            data = json.loads(path.read_text("utf-8"))
            assert errors("ruleset", data) == [], path
            assert errors("ruleset", as_json(RuleSet.from_dict(data).to_dict())) == []

    def test_clinic_ruleset_extending_the_default_validates(self) -> None:
        """A clinic rule set extending, overriding and disabling bundled rules passes both."""
        doc = {
            "id": "my-clinic",
            "version": "2",
            "questionnaire": "exosome-intake",
            "extends": {"id": "exosome-default", "version": "2"},
            "disable": ["keloid_tendency"],
            "rules": [
                {
                    "id": "minor",
                    "decision": "contraindicated",
                    "when": {"age": {"item": "birth_date", "op": "<", "value": 20}},
                    "reads": ["birth_date"],
                    "patient_message": {"ja": "未成年の方には行いません。", "en": "Adults only."},
                    "staff_message": {"ja": "20歳未満: 施術不可。", "en": "Under 20: no."},
                    "source": "clinic",
                }
            ],
        }
        assert errors("ruleset", doc) == []
        RuleSet.from_dict(doc).check_against(exointake.load_questionnaire())

    def test_disable_without_extends_is_refused_by_both(self) -> None:
        """Disabling rules without extending a base rule set is refused by schema and library."""
        doc = {"id": "x", "version": "1", "questionnaire": "q", "rules": [], "disable": ["a"]}
        assert errors("ruleset", doc) != []
        with pytest.raises(ValidationError):
            RuleSet.from_dict(doc)

    def test_rule_deciding_clear_is_refused_by_both(self) -> None:
        """A rule cannot decide clear or incomplete, by schema or library."""
        rule = exointake.load_ruleset().to_dict()["rules"][0]
        for decision in ("clear", "incomplete"):
            doc = {
                "id": "x",
                "version": "1",
                "questionnaire": "exosome-intake",
                "rules": [{**rule, "decision": decision}],
            }
            assert errors("ruleset", doc) != []
            with pytest.raises(ValidationError):
                RuleSet.from_dict(doc)


class TestGeneratedDocumentsAreAccepted:
    @SETTINGS
    @given(strategies.questionnaire_dicts())
    def test_questionnaires(self, data: dict[str, Any]) -> None:
        """Generated questionnaires are accepted by the schema and by Questionnaire.from_dict."""
        assert errors("questionnaire", as_json(data)) == []
        q = Questionnaire.from_dict(as_json(data))
        assert errors("questionnaire", as_json(q.to_dict())) == []

    @GENERATED
    @given(ruleset_cases())
    def test_rulesets(self, case: tuple[Questionnaire, dict[str, Any]]) -> None:
        """Generated rule sets are accepted by the schema, RuleSet.from_dict and check_against."""
        q, data = case
        assert errors("ruleset", as_json(data)) == []
        rules = RuleSet.from_dict(as_json(data))
        rules.check_against(q)
        assert errors("ruleset", as_json(rules.to_dict())) == []

    @SETTINGS
    @given(answers_cases())
    def test_answers_documents(self, case: tuple[Questionnaire, dict[str, Any]]) -> None:
        """Answers.to_dict() of generated answers is accepted by the schema and by load_answers."""
        q, doc = case
        assert errors("answers", as_json(doc)) == []
        q.load_answers(as_json(doc), partial=True)

    @GENERATED
    @given(results())
    def test_screening_results(self, result: ScreeningResult) -> None:
        """Results of screening generated answers are accepted by the schema and by from_dict."""
        doc = as_json(result.to_dict())
        assert errors("screening-result", doc) == []
        assert ScreeningResult.from_dict(doc) == result


def _refused_by_library(load: Callable[[Any], object], doc: Any) -> bool:
    try:
        load(doc)
    except ValidationError:
        return True
    return False


class TestBrokenDocumentsAreRefused:
    @SETTINGS
    @given(broken(strategies.questionnaire_dicts(), "questionnaire"))
    def test_questionnaires(self, case: tuple[Site, Any]) -> None:
        """A questionnaire broken structurally is refused by the schema and by from_dict."""
        site, doc = case
        assert errors("questionnaire", doc) != [], site
        assert _refused_by_library(Questionnaire.from_dict, doc), site

    @GENERATED
    @given(broken(ruleset_cases().map(lambda case: case[1]), "ruleset"))
    def test_rulesets(self, case: tuple[Site, Any]) -> None:
        """A rule set broken structurally is refused by the schema and by from_dict."""
        site, doc = case
        assert errors("ruleset", doc) != [], site
        assert _refused_by_library(RuleSet.from_dict, doc), site

    @SETTINGS
    @given(
        answers_cases().flatmap(
            lambda case: broken(st.just(case[1]), "answers").map(lambda b: (case[0], *b))
        )
    )
    def test_answers_documents(self, case: tuple[Questionnaire, Site, Any]) -> None:
        """An answers document broken structurally is refused by the schema and by load_answers."""
        q, site, doc = case
        assert errors("answers", doc) != [], site
        assert _refused_by_library(lambda d: q.load_answers(d, partial=True), doc), site

    @GENERATED
    @given(broken(results().map(lambda r: r.to_dict()), "screening-result"))
    def test_screening_results(self, case: tuple[Site, Any]) -> None:
        """A screening result broken structurally is refused by the schema and by from_dict."""
        site, doc = case
        assert errors("screening-result", doc) != [], site
        assert _refused_by_library(ScreeningResult.from_dict, doc), site

    def test_every_kind_of_mutation_is_possible(self) -> None:
        """The mutation sites of real documents cover drop, add, wrong_type and bad_enum."""
        q = exointake.load_questionnaire()
        answers = q.answers({"cancer_history": "past"}, route=Route.IV_DRIP, partial=True)
        docs = {
            "questionnaire": q.to_dict(),
            "ruleset": exointake.load_ruleset().to_dict(),
            "answers": answers.to_dict(),
            "screening-result": screen(answers, "iv_drip", on=dt.date(2026, 1, 1)).to_dict(),
        }
        for name, doc in docs.items():
            kinds = {kind for _, kind, _ in mutation_sites(as_json(doc), schema(name))}
            assert kinds == {"drop", "add", "wrong_type", "bad_enum", "too_long"}, name


class TestSchemaSpecifics:
    def test_link_id_pattern_matches_the_library(self) -> None:
        """Link ids the library refuses (capitals, digit first, too long, newline) fail both."""
        q = exointake.load_questionnaire().to_dict()
        for bad in ("Birth_date", "1st", "a" * 65, "abc\n", "with-dash", ""):
            doc = as_json(q)
            doc["items"][0]["link_id"] = bad
            assert errors("questionnaire", doc) != [], bad
            with pytest.raises(ValidationError):
                Questionnaire.from_dict(doc)

    def test_choice_items_need_choices_and_others_have_none(self) -> None:
        """A choice item without choices, or a boolean item with choices, fails both."""
        q = exointake.load_questionnaire().to_dict()
        no_choices = as_json(q)
        no_choices["items"][1]["choices"] = []
        with_choices = as_json(q)
        with_choices["items"][2]["choices"] = q["items"][1]["choices"]
        for doc in (no_choices, with_choices):
            assert errors("questionnaire", doc) != []
            with pytest.raises(ValidationError):
                Questionnaire.from_dict(doc)

    def test_screened_on_must_be_a_real_date(self) -> None:
        """An impossible screening day fails the schema (format) and from_dict."""
        q = exointake.load_questionnaire()
        answers = q.answers({"cancer_history": "none"}, partial=True)
        doc = as_json(screen(answers, "iv_drip", on=dt.date(2026, 1, 1)).to_dict())
        doc["screened_on"] = "2026-02-30"
        assert errors("screening-result", doc) != []
        with pytest.raises(ValidationError):
            ScreeningResult.from_dict(doc)


# ---------------------------------------------------------------------------- every schema
#
# The walker below reads mutation sites off any of the schemas: it follows $ref across
# files through the offline registry, descends into the one oneOf/anyOf branch a value
# matches, and treats ["X", "null"] as X for a value that is not null. A mutation can
# land on a document that is still valid (dropping "extent" from a skin symptom leaves
# a valid symptom without extent), so these tests state agreement — the schema accepts
# a document exactly when the library does — rather than refusal by both.

Loader = Callable[[Any], object]

LIBRARY: dict[str, Loader] = {
    "administration": exointake.Administration.from_dict,
    "reaction-record": exointake.ReactionRecord.from_dict,
    "reaction": exointake.grade,
    "consent-request": exointake.ConsentRequest.from_dict,
}
"""How the library reads each schema's document (the four not covered above)."""


def _matches(branch: dict[str, Any], doc: object, resolver: Any) -> bool:
    return bool(Draft202012Validator(branch, registry=REGISTRY, _resolver=resolver).is_valid(doc))


def sites(name: str, doc: object) -> list[Site]:
    """Every place where ``doc`` can be broken, read off ``schemas/<name>.schema.json``."""
    root = schema(name)
    return list(_walk(doc, root, REGISTRY.resolver(base_uri=root["$id"]), ()))


def _walk(doc: object, node: dict[str, Any], resolver: Any, path: Path_) -> Iterator[Site]:
    while "$ref" in node:
        resolved = resolver.lookup(node["$ref"])
        node, resolver = resolved.contents, resolved.resolver
    for key in ("oneOf", "anyOf"):
        if key in node:
            branches = [b for b in node[key] if _matches(b, doc, resolver)]
            if len(branches) == 1:
                yield from _walk(doc, branches[0], resolver, path)
            return
    if "enum" in node:
        yield (path, "bad_enum", None)
        return
    kind = node.get("type")
    if isinstance(kind, list):
        if doc is None:
            return
        others = [k for k in kind if k != "null"]
        kind = others[0] if len(others) == 1 else None
    if isinstance(kind, str) and kind != "null":
        yield (path, "wrong_type", kind)
    if isinstance(doc, str) and "maxLength" in node:
        yield (path, "too_long", node["maxLength"])
        if _free_text(node, path):
            yield (path, "at_limit", node["maxLength"])
    if isinstance(doc, dict):
        extra = node.get("additionalProperties")
        if extra is False:
            for key in node.get("required", ()):
                yield (path, "drop", key)
            yield (path, "add", UNKNOWN_KEY)
            for key, value in doc.items():
                if key in node.get("properties", {}):
                    yield from _walk(value, node["properties"][key], resolver, (*path, key))
        elif isinstance(extra, dict):
            for key, value in doc.items():
                yield from _walk(value, extra, resolver, (*path, key))
    elif isinstance(doc, list) and isinstance(node.get("items"), dict):
        for n, value in enumerate(doc):
            yield from _walk(value, node["items"], resolver, (*path, n))


MIN_LENGTH_SITES = {
    "administration": (4, 20),
    "consent-request": (20, 56),
    "reaction": (0, 0),  # its one string is a temperature, absent from the sample
    "reaction-record": (1, 7),
}
"""How many texts of each sample padded to their limit are accepted, and texts past or at
their limit refused, at least (so the test cannot pass by finding no text)."""

CHECKED_BEYOND_LENGTH = (
    ("template_id",),
    ("template_version",),
    ("contract", "template_version"),
    ("screening",),
    ("screenings",),
)
"""Texts the library checks beyond the schema, so padding one may be refused by the library
alone: a template id or version must name a bundled template, and an embedded screening
must be one the engine could have produced (its missing items, rule and questionnaire
ids...)."""


def _free_text(node: dict[str, Any], path: Path_) -> bool:
    """Whether padding the text at ``node`` to its maxLength gets the same verdict from the
    schema and the library: not a ``format`` (a date), nothing the library checks beyond."""
    if "format" in node:
        return False
    return not any(path[: len(prefix)] == prefix for prefix in CHECKED_BEYOND_LENGTH)


def mutated(docs: st.SearchStrategy[Any], name: str) -> st.SearchStrategy[tuple[Site, Any]]:
    """Documents from ``docs`` changed at one site, and the site."""

    def mutate(doc: Any) -> st.SearchStrategy[tuple[Site, Any]]:
        return st.sampled_from(sites(name, as_json(doc))).map(
            lambda site: (site, apply_mutation(doc, site))
        )

    return docs.flatmap(mutate)


def accepted_by_library(name: str, doc: Any) -> bool:
    """Whether the library reads ``doc``; anything but a ValidationError propagates."""
    return not _refused_by_library(LIBRARY[name], doc)


GENERATED_DOCS: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "administration": lambda: strategies.administrations().map(lambda a: a.to_dict()),
    "reaction-record": lambda: strategies.reaction_records().map(lambda r: r.to_dict()),
    "reaction": strategies.reaction_dicts,
    "consent-request": lambda: strategies.consent_requests().map(lambda c: c.to_dict()),
}


OUTPUTS = ("registry-manifest",)
"""Schemas of what exointake writes rather than reads: tests/test_registry_export.py checks
that every export's manifest validates and that broken ones are refused."""


class TestEverySchemaAgreesWithTheLibrary:
    def test_every_schema_is_covered(self) -> None:
        """Each file in schemas/ has generated-document and mutation tests, here or above."""
        covered = set(NAMES) | set(LIBRARY) | set(OUTPUTS)
        assert {p.name.removesuffix(".schema.json") for p in FILES} == covered

    @pytest.mark.parametrize("name", sorted(LIBRARY))
    @settings(SETTINGS, max_examples=40)
    @given(data=st.data())
    def test_generated_documents_are_accepted(self, name: str, data: st.DataObject) -> None:
        """Documents the strategies generate pass the schema and the library."""
        doc = as_json(data.draw(GENERATED_DOCS[name](), label="document"))
        assert errors(name, doc) == []
        assert accepted_by_library(name, doc)

    @pytest.mark.parametrize("name", sorted(LIBRARY))
    @settings(SETTINGS, max_examples=60)
    @given(data=st.data())
    def test_mutated_documents_get_the_same_verdict(self, name: str, data: st.DataObject) -> None:
        """A document changed at one site is accepted by the schema exactly when the library
        accepts it (required key dropped, unknown key added, wrong JSON type, bad enum, a
        text one character past its maxLength or padded to exactly it)."""
        site, doc = data.draw(mutated(GENERATED_DOCS[name](), name), label="mutation")
        schema_ok = errors(name, doc) == []
        assert schema_ok == accepted_by_library(name, doc), (site, errors(name, doc))

    @pytest.mark.parametrize("name", sorted(LIBRARY))
    def test_every_text_limit_agrees(self, name: str) -> None:
        """For every text of a real document, the schema's maxLength is the library's limit:
        one character more is refused by both; free text padded to exactly it, accepted
        by both."""
        doc = samples()[f"{name}.schema.json"]
        accepted = refused = 0
        for site in sites(name, doc):
            if site[1] not in ("too_long", "at_limit"):
                continue
            changed = apply_mutation(doc, site)
            schema_ok = errors(name, changed) == []
            assert accepted_by_library(name, changed) == schema_ok, (site, errors(name, changed))
            if site[1] == "too_long":
                assert not schema_ok, site
            accepted += schema_ok
            refused += not schema_ok
        least_accepted, least_refused = MIN_LENGTH_SITES[name]
        assert accepted >= least_accepted, accepted
        assert refused >= least_refused, refused

    @pytest.mark.parametrize("name", NAMES)
    def test_every_text_past_its_limit_is_refused(self, name: str) -> None:
        """Every text of a real questionnaire, rule set, answers or result, one character past
        its maxLength, is refused by the schema and the library."""
        load = {
            "questionnaire": Questionnaire.from_dict,
            "ruleset": RuleSet.from_dict,
            "answers": lambda d: exointake.load_questionnaire().load_answers(d, partial=True),
            "screening-result": ScreeningResult.from_dict,
        }[name]
        doc = samples()[f"{name}.schema.json"]
        too_long = [s for s in mutation_sites(doc, schema(name)) if s[1] == "too_long"]
        assert too_long
        for site in too_long:
            changed = apply_mutation(doc, site)
            assert errors(name, changed) != [], site
            assert _refused_by_library(load, changed), site

    @pytest.mark.parametrize("name", sorted(LIBRARY))
    def test_every_kind_of_mutation_is_possible(self, name: str) -> None:
        """The walker finds drop, add, wrong_type, bad_enum, too_long and at_limit sites in
        each real document."""
        doc = samples()[f"{name}.schema.json"]
        texts = {"too_long", "at_limit"} if name != "reaction" else set()  # no text in it
        assert {kind for _, kind, _ in sites(name, doc)} == {
            "drop",
            "add",
            "wrong_type",
            "bad_enum",
            *texts,
        }


class TestKnownDisagreements:
    @pytest.mark.parametrize("route", ["iv_drip", "injection_face", "injection_scalp"])
    def test_a_reaction_naming_its_route_is_graded(self, route: str) -> None:
        """reaction.schema.json allows "route"; grade() reads the same document, and
        Reaction.from_dict (a reaction without its administration) still refuses it."""
        doc = {**samples()["reaction.schema.json"], "route": route}
        assert errors("reaction", doc) == []
        assert exointake.grade(doc).route is Route(route)
        assert exointake.grade(doc, route=route).route is Route(route)
        other = next(r for r in Route if r.value != route)
        with pytest.raises(ValidationError, match=r"^(?s:.*)reaction\.route: expected"):
            exointake.grade(doc, route=other)
        with pytest.raises(ValidationError, match="unknown field"):
            exointake.Reaction.from_dict(doc)

    @pytest.mark.parametrize("route", ["oral", None, 3])
    def test_a_route_the_schema_refuses_is_refused_by_grade(self, route: object) -> None:
        """A route outside the schema's enum (null included) is refused by both."""
        doc = {**samples()["reaction.schema.json"], "route": route}
        assert errors("reaction", doc) != []
        with pytest.raises(ValidationError, match=r"reaction\.route: expected one of"):
            exointake.grade(doc)

    def test_a_reaction_record_refuses_a_route_in_its_reaction(self) -> None:
        """Inside a reaction record the reaction has no route: schema and library refuse it."""
        doc = as_json(samples()["reaction-record.schema.json"])
        doc["reaction"]["route"] = "iv_drip"
        assert errors("reaction-record", doc) != []
        assert not accepted_by_library("reaction-record", doc)

    def test_a_birth_date_in_the_future_is_refused_by_the_library(self) -> None:
        """A birth date in 2030 cannot be true; the schema cannot tell, the library must."""
        q = exointake.load_questionnaire()
        doc = as_json(q.answers({"cancer_history": "none"}, partial=True).to_dict())
        doc["answers"]["birth_date"] = "2030-01-01"
        assert errors("answers", doc) == []  # the documented limit of JSON Schema
        with pytest.raises(ValidationError, match="birth_date"):
            q.load_answers(doc, partial=True)

    def test_a_consent_request_refuses_a_future_birth_date(self) -> None:
        """A birth date in 2030 on a document dated 2030 is still refused."""
        doc = as_json(samples()["consent-request.schema.json"])
        doc["document_at"] = "2030-06-01T10:00:00+09:00"
        doc["patient"]["birth_date"] = "2030-01-01"
        doc["patient"]["guardian"] = {
            "name": "保護者",
            "name_kana": "ホゴシャ",
            "relationship": "親",
        }
        assert errors("consent-request", doc) == []  # the documented limit of JSON Schema
        with pytest.raises(ValidationError, match=r"patient\.birth_date"):
            exointake.ConsentRequest.from_dict(doc)
