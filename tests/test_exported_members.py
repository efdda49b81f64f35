"""The public surface is exactly what ``__all__`` says (after httpx's test of the same name).

A name added to a public namespace without being exported, or exported without
existing, fails here; so does an ``__all__`` that is not sorted the way ruff's
RUF022 sorts it (constants, then classes, then functions; natural order within).
"""

from __future__ import annotations
import __future__

import importlib
import re
import types

import pytest

import exointake
import exointake.fhir
import exointake.strategies

NAMESPACES = [
    exointake,
    *(importlib.import_module(f"exointake.{topic}") for topic in exointake._TOPIC_MODULES),
    exointake.fhir,
    exointake.strategies,
]


def public_names(module: types.ModuleType) -> list[str]:
    """Names in ``module``'s namespace not starting with ``_``, submodules and
    ``from __future__`` features excluded. ``dir`` rather than ``vars``: the package
    loads some names on first use (module ``__getattr__``) and lists them in ``__dir__``."""
    return [
        name
        for name in dir(module)
        if not name.startswith("_")
        and not isinstance(getattr(module, name), types.ModuleType | __future__._Feature)
    ]


def isort_key(name: str) -> tuple[int, list[int | str]]:
    """RUF022's isort-style order: SCREAMING_CASE, then CamelCase, then the rest."""
    if name.upper() == name and any(c.isalpha() for c in name):
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name) if p]


class TestExportedMembers:
    @pytest.mark.parametrize("module", NAMESPACES, ids=lambda m: m.__name__)
    def test_all_equals_the_public_names(self, module: types.ModuleType) -> None:
        """``__all__`` lists every public name of the namespace and nothing else."""
        assert sorted(module.__all__) == sorted(public_names(module))

    @pytest.mark.parametrize("module", NAMESPACES, ids=lambda m: m.__name__)
    def test_all_is_sorted(self, module: types.ModuleType) -> None:
        """``__all__`` is sorted (isort style) and has no duplicates."""
        assert module.__all__ == sorted(set(module.__all__), key=isort_key)

    @pytest.mark.parametrize("module", NAMESPACES, ids=lambda m: m.__name__)
    def test_every_export_is_documented(self, module: types.ModuleType) -> None:
        """Every exported class and function has a docstring (it feeds the API reference)."""
        undocumented = [
            name
            for name in module.__all__
            if callable(obj := getattr(module, name))
            and isinstance(obj, type | types.FunctionType)
            and not (obj.__doc__ or "").strip()
        ]
        assert undocumented == []
