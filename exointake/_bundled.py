"""The one loader of exointake's bundled data (``exointake/data``).

Every ``load_*`` function (questionnaires, rule sets, the symptom vocabulary, the
severity table, consent templates) reads its file through :func:`load`, which

* checks that the id and version are names, never paths;
* lists the bundled versions in one total order (:func:`version_key`), so "the
  newest" means the same thing for every kind of data;
* builds each file once per process and returns the same immutable value after
  (bundled data does not change while the process runs).

Layout: ``data/<kind>/<id>/<version>.json`` for kinds with several documents
(questionnaires, rule sets, consent templates) and ``data/<kind>/<version>.json``
for kinds with one (vocabulary, severity table, the screening engine's wording, the
reports' labels).
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable
from importlib import resources
from importlib.abc import Traversable
from typing import Any, TypeVar

from ._convert import safe_repr, structure
from ._errors import ValidationError

__all__ = ["load", "load_single", "version_key", "versions"]

T = TypeVar("T")

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}(\.[0-9a-z_-]{1,16}){0,3}")
_DIGITS = re.compile(r"(\d+)")


def version_key(version: str) -> tuple[tuple[str | int, ...], str]:
    """A total order of version names: digit runs compare as numbers.

    ``"2" < "10"``, ``"1" < "1a" < "1b" < "2"``, ``"1.9" < "1.10"``. The split keeps text
    at even and numbers at odd positions, so two keys never compare a number with a
    string; the name itself breaks the tie between ``"01"`` and ``"1"``.
    """
    parts = _DIGITS.split(version)
    return tuple(int(p) if n % 2 else p for n, p in enumerate(parts)), version


def _folder(kind: str, ident: str | None) -> Traversable:
    folder = resources.files("exointake") / "data" / kind
    return folder / ident if ident is not None else folder


@functools.cache
def versions(kind: str, ident: str | None = None) -> tuple[str, ...]:
    """The bundled versions of ``kind`` (of document ``ident``), oldest first."""
    if ident is not None and not _NAME.fullmatch(ident):
        return ()
    folder = _folder(kind, ident)
    if not folder.is_dir():
        return ()
    names = (p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))
    return tuple(sorted((n for n in names if _NAME.fullmatch(n)), key=version_key))


def _check_name(value: object, path: str, what: str) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ValidationError(
            [f"{path}: expected a bundled name (a-z, 0-9, _ - .), got {safe_repr(value)}"],
            what=what,
        )
    return value


_SINGLE = frozenset({"vocabulary", "severity", "screening", "labels"})
"""Kinds with one document (``data/<kind>/<version>.json``); the others have ids."""

_BUILT: dict[tuple[str, str | None, str], Any] = {}
_LOCK = threading.Lock()


def load(
    kind: str,
    ident: str | None,
    version: str | None,
    build: Callable[[object], T],
    *,
    what: str,
    id_arg: str = "id",
    version_arg: str = "version",
) -> T:
    """The bundled ``kind`` document ``ident`` at ``version`` (newest if None), built once.

    Args:
        kind: the folder under ``data/`` (``"questionnaires"``, ``"vocabulary"``...).
        ident: the document id (None for the single-document kinds: the vocabulary,
            the severity table and the screening wording).
        version: a bundled version, or None for the newest.
        build: turns the parsed JSON into the value (e.g. ``Questionnaire.from_dict``);
            called once per (kind, id, version) in a process.
        what: what the data is, for error headlines (``"questionnaire"``).
        id_arg, version_arg: the caller's argument names, for error paths.

    Raises:
        ValidationError: the id or version is not a name, or not bundled.
    """
    if kind not in _SINGLE:
        ident = _check_name(ident, id_arg, what)
    if version is not None:
        _check_name(version, version_arg, what)
    bundled = versions(kind, ident)
    if not bundled:
        raise ValidationError([f"{id_arg}: no bundled {ident!r} ({what})"], what=what)
    chosen = bundled[-1] if version is None else version
    if chosen not in bundled:
        owner = f"{ident} has" if ident is not None else "there is"
        raise ValidationError(
            [
                f"{version_arg}: {owner} no version {safe_repr(chosen)} "
                f"(bundled: {', '.join(bundled)})"
            ],
            what=what,
        )
    key = (kind, ident, chosen)
    with _LOCK:
        if key in _BUILT:
            value: T = _BUILT[key]
            return value
    path = _folder(kind, ident) / f"{chosen}.json"
    value = build(json.loads(path.read_text(encoding="utf-8")))
    with _LOCK:
        return _BUILT.setdefault(key, value)  # type: ignore[no-any-return]


def load_single(kind: str, version: str | None, cls: type[T], *, path: str, what: str) -> T:
    """The bundled document of a single-document ``kind`` structured into ``cls``.

    ``path`` is the record's name in error paths, ``what`` its headline (see :func:`load`).
    """
    return load(
        kind, None, version, lambda data: structure(data, cls, path=path, what=what), what=what
    )
