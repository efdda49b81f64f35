"""Bounded fuzzing of every CLI command that reads JSON: exit 0, 2 or 3, never a traceback.

Each command's example input is mutated by hypothesis (a value replaced by hostile data:
lone surrogates, huge or non-finite numbers, year-9999 times, megabyte strings, wrong
types; a key dropped or duplicated; the text cut short). Whatever comes in, the command
exits 0, 2 (bad input) or 3 (refused by a gate), prints no traceback, and on a refusal
stores nothing and writes no file. Before the random inputs, each command is given one
document with a duplicated key, which must be refused (exit 2) naming the key.

Figures (issue 15's closing note): every run counts the inputs tried in ``FIGURES``.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exointake._log._core import open_log
from exointake.cli import main

from .logutil import BYPASS, LOG_EXAMPLES, administration, example, reaction

# Past the safety gate (which has its own tests): these fuzz the inputs, not the gate.
_OVR = ["--override-by", "TEST-FUZZ", "--override-reason", "fuzzing inputs, not the gate"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

FIGURES: dict[str, int] = {}

HOSTILE_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "\u3000",
        "x\ud800y",
        "\udfff",
        "\x00",
        "<b>",
        "1e999999999",
        "-1e999999999",
        "NaN",
        "Infinity",
        "9999-12-31T23:59:59+09:00",
        "0001-01-01T00:00:00-09:00",
        "9999-12-31",
        "令和٨年١١月٢٥日",
        "長" * 20_000,
    ]
)
HOSTILE = st.one_of(  # hostile strings first and thrice: they find the crashes
    HOSTILE_STRINGS,
    HOSTILE_STRINGS,
    HOSTILE_STRINGS,
    st.text(max_size=40),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def leaf_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in a JSON document (containers included)."""
    paths = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            paths += leaf_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            paths += leaf_paths(value, (*prefix, n))
    return paths


def set_at(doc: Any, path: tuple[Any, ...], value: Any, *, drop: bool = False) -> None:
    node = doc
    for part in path[:-1]:
        node = node[part]
    if drop and isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = value


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> str:
    """The JSON text of ``base`` with one to three hostile changes."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        paths = leaf_paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        set_at(doc, path, draw(HOSTILE), drop=draw(st.integers(0, 7)) == 0)
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    if draw(st.integers(0, 9)) == 0:  # cut short
        text = text[: draw(st.integers(0, len(text)))]
    return text


def duplicated(base: dict[str, Any]) -> tuple[str, str]:
    """``base`` as JSON text with its first key given twice (the second value wins today)."""
    key = next(iter(base))
    body = json.dumps(base, ensure_ascii=False)
    return "{" + json.dumps(key) + ": null, " + body[1:], key


# ---------------------------------------------------------------------------- commands


class Case:
    """One CLI command with a JSON input: how to run it and what "nothing stored" means."""

    def __init__(
        self,
        name: str,
        base: Any,
        argv: Callable[[Path, Path], list[str]],
        *,
        db: bool = False,
        writes: str | None = None,
    ) -> None:
        self.name = name
        self.base = base
        self.argv = argv
        self.db = db
        self.writes = writes

    def __repr__(self) -> str:
        return self.name


def _log_with_reaction(folder: Path) -> tuple[Path, str, str]:
    db = folder / "log.db"
    with open_log(db) as log:
        adm_id = log.administer(administration(), override=BYPASS)
        rx_id = log.record_reaction(reaction(adm_id))
    return db, adm_id, rx_id


CASES = [
    Case(
        "screen --answers",
        json.loads((EXAMPLES / "answers" / "clear.json").read_text("utf-8")),
        lambda f, d: ["screen", "--answers", str(f), "--route", "injection_face", "--json"],
    ),
    Case(
        "screen --ruleset",
        json.loads((EXAMPLES / "clinic-rules.json").read_text("utf-8")),
        lambda f, d: [
            "screen",
            "--answers",
            str(EXAMPLES / "answers" / "clear.json"),
            "--route",
            "injection_face",
            "--ruleset",
            str(f),
        ],
    ),
    Case(
        "grade",
        json.loads((EXAMPLES / "reaction.json").read_text("utf-8")),
        lambda f, d: ["grade", "--input", str(f), "--json"],
    ),
    Case(
        "consent",
        json.loads((EXAMPLES / "consent-request.json").read_text("utf-8")),
        lambda f, d: [
            "consent",
            "--request",
            str(f),
            "--out",
            str(d / "c.pdf"),
            "--db",
            str(d / "log.db"),
        ],
        db=True,
        writes="c.pdf",
    ),
    Case(
        "log administer",
        example("administration"),
        lambda f, d: ["log", "administer", "--input", str(f), "--db", str(d / "log.db"), *_OVR],
        db=True,
    ),
    Case(
        "log reaction",
        example("reaction"),
        lambda f, d: ["log", "reaction", "--input", str(f), "--db", str(d / "log.db")],
        db=True,
    ),
    Case(
        "log follow-up",
        {
            "reaction_id": "REPLACE",
            "status": "open",
            "recorded_by": "NS-014",
            "on": "2026-11-26T10:00:00+09:00",
            "due_on": "2026-11-28",
            "note": "call back",
        },
        lambda f, d: ["log", "follow-up", "--input", str(f), "--db", str(d / "log.db")],
        db=True,
    ),
    Case(
        "log consent",
        json.loads((LOG_EXAMPLES / "consent.json").read_text("utf-8")),
        lambda f, d: ["log", "consent", "--input", str(f), "--db", str(d / "log.db")],
        db=True,
    ),
    Case(
        "log administer --consent-templates",
        {"exosome-consent": "c0ffee00" * 8},
        lambda f, d: [
            "log",
            "administer",
            "--input",
            str(LOG_EXAMPLES / "administration.json"),
            "--consent-templates",
            str(f),
            "--db",
            str(d / "log.db"),
            *_OVR,
        ],
        db=True,
    ),
]


def prepare(case: Case, folder: Path) -> tuple[Any, int]:
    """A fresh folder for one input: the base document fixed up, and the log's length."""
    base = copy.deepcopy(case.base)
    entries = 0
    if case.db:
        _, adm_id, rx_id = _log_with_reaction(folder)
        if case.name == "log reaction":
            base["administration_id"] = adm_id
        if case.name == "log follow-up":
            base["reaction_id"] = rx_id
        if case.name == "log consent":
            base["consent_id"] = "CONSENT-FUZZ-0001"
        entries = 2
    return base, entries


def check(case: Case, folder: Path, text: str, entries: int, capsys: Any) -> tuple[int, str]:
    """Run the command on ``text``: exit 0/2/3, no traceback, nothing stored on refusal."""
    path = folder / "input.json"
    path.write_text(text, "utf-8", errors="surrogatepass")
    argv = case.argv(path, folder)
    try:
        code = main(argv)
    except Exception as exc:  # a traceback: reported in ASCII (xdist cannot send surrogates)
        raise AssertionError(f"{case.name}: {ascii(exc)[:300]}") from None
    _, err = capsys.readouterr()
    assert code in (0, 2, 3), ascii((case.name, code, err[-500:]))
    assert "Traceback" not in err
    if code != 0:
        if case.db and (folder / "log.db").exists():
            with open_log(folder / "log.db", create=False) as log:
                assert len(log) == entries, (case.name, "stored on a refusal")
        if case.writes:
            assert not (folder / case.writes).exists(), (case.name, "wrote a file on a refusal")
    FIGURES[f"{case.name} exit {code}"] = FIGURES.get(f"{case.name} exit {code}", 0) + 1
    return code, err


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_duplicate_keys_refused(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A document with a key given twice is refused (exit 2) naming the key."""
    base, entries = prepare(case, tmp_path)
    text, key = duplicated(base)
    code, err = check(case, tmp_path, text, entries, capsys)
    assert code == 2
    assert f"duplicate key {key!r}" in err or f"duplicate key {key}" in err


def string_paths(node: Any) -> list[tuple[Any, ...]]:
    """Every path to a string value."""
    return [p for p in leaf_paths(node) if isinstance(_get(node, p), str)]


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_lone_surrogate_in_every_string(
    case: Case, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lone surrogate in any string of the input is refused (exit 2), never a crash."""
    probe = tmp_path_factory.mktemp("paths")
    base, _ = prepare(case, probe)
    for path in string_paths(base):
        folder = tmp_path_factory.mktemp("surrogate")
        doc, entries = prepare(case, folder)
        set_at(doc, path, _get(doc, path) + "\ud800")
        code, _ = check(case, folder, json.dumps(doc), entries, capsys)
        assert code in (2, 3), (case.name, path)


def _fuzz_params() -> list[Any]:
    params = []
    for c in CASES:
        params.append(pytest.param(c, marks=[pytest.mark.slow] if c.db else []))
    return params


@pytest.mark.parametrize("case", _fuzz_params(), ids=repr)
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,  # the same inputs every run: a failure is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_mutated_inputs(
    case: Case,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    data: st.DataObject,
) -> None:
    """Hostile variations of each command's example input: exit 0, 2 or 3, never a traceback."""
    folder = tmp_path_factory.mktemp("fuzz")
    base, entries = prepare(case, folder)
    text = data.draw(mutated(base), label="input")
    check(case, folder, text, entries, capsys)


def test_figures_are_collected() -> None:
    """The figures reported in the issue's closing note come from these counters."""
    sys.stdout.write(f"fuzz inputs tried so far: {sum(FIGURES.values())} {FIGURES}\n")
