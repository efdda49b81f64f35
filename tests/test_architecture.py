"""The package's boundaries, held by reading its source (docs: ARCHITECTURE in the overview).

- no module imports another module's underscore name (private modules are fine, their
  private names are not);
- the command line uses only what a library user could use (public modules, plus the
  cli package's own helpers);
- the domain (questionnaire, screening, grading, consent content) imports neither
  SQLAlchemy nor reportlab: storage and rendering are adapters at the edge;
- every public name shows its public path in reprs and docs (``__module__``).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

import exointake

PACKAGE = Path(exointake.__file__).parent
PUBLIC_MODULES = (
    "exointake",
    "exointake.fhir",
    "exointake.strategies",
    *(f"exointake.{m}" for m in exointake._TOPIC_MODULES),
)


def modules() -> Iterator[tuple[str, Path]]:
    """Every module of the package with its dotted name (migrations excluded: Alembic's)."""
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        if "migrations" in rel.parts:
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def imports(name: str, path: Path) -> Iterator[tuple[str, str, int]]:
    """``(module, imported name, line)`` for every ``from X import Y`` in the file, resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            for alias in node.names:
                yield base, alias.name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, "", node.lineno


def is_module(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except ModuleNotFoundError:
        return False


ALL_MODULES = list(modules())


def package_imports_from(start: str) -> set[str]:
    """The package modules ``start`` loads when imported: its imports, theirs, and so on.

    Imports inside functions are loaded on first use, not on import, so they are not
    followed (``_consent_render`` imports ``_render`` this way round, never back).
    """
    paths = dict(ALL_MODULES)
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in paths:
            continue
        seen.add(name)
        package = name if paths[name].name == "__init__.py" else name.rpartition(".")[0]
        nodes: list[ast.AST] = [ast.parse(paths[name].read_text("utf-8"))]
        while nodes:  # module level, ``if TYPE_CHECKING:`` included; function bodies not
            node = nodes.pop()
            if isinstance(node, ast.ImportFrom):
                base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
                todo.append(base)
                todo += [f"{base}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                todo += [alias.name for alias in node.names]
            elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                nodes += ast.iter_child_nodes(node)
    seen.discard(start)
    return seen


class TestBoundaries:
    @pytest.mark.parametrize(("name", "path"), ALL_MODULES, ids=[n for n, _ in ALL_MODULES])
    def test_no_module_imports_a_private_name_of_another(self, name: str, path: Path) -> None:
        """``from ._x import _helper`` is refused: what is shared gets a public name."""
        offenders = [
            f"{path.name}:{line}: from {base} import {imported}"
            for base, imported, line in imports(name, path)
            if base.startswith("exointake")
            and imported.startswith("_")
            and not imported.startswith("__")
            and not is_module(f"{base}.{imported}")
        ]
        assert offenders == []

    def test_cli_imports_only_public_names(self) -> None:
        """The command line is a client of the library: public modules or its own package."""
        offenders = []
        for name, path in ALL_MODULES:
            if not name.startswith("exointake.cli"):
                continue
            for base, imported, line in imports(name, path):
                if not base.startswith("exointake") or base.startswith("exointake.cli"):
                    continue
                if base not in PUBLIC_MODULES or imported.startswith("_"):
                    offenders.append(f"{path.name}:{line}: from {base} import {imported}")
        assert offenders == []

    @pytest.mark.parametrize(
        "domain",
        [
            "exointake._questionnaire",
            "exointake._conditions",
            "exointake._screening",
            "exointake._vocabulary",
            "exointake._reaction",
            "exointake._grading",
            "exointake._consent",
            "exointake._consent_template",
            "exointake._blocks",
            "exointake._document",
        ],
    )
    def test_domain_imports_no_storage_or_rendering(self, domain: str) -> None:
        """The domain never imports SQLAlchemy, Alembic or reportlab."""
        path = PACKAGE / f"{domain.rpartition('.')[2]}.py"
        if not path.exists():
            pytest.fail(f"{domain} is named in the architecture but does not exist")
        heavy = [
            f"{path.name}:{line}: {base}"
            for base, _, line in imports(domain, path)
            if base.split(".")[0] in {"sqlalchemy", "alembic", "reportlab", "hypothesis"}
        ]
        assert heavy == []

    def test_renderer_knows_only_the_document_layer(self) -> None:
        """``_render`` lays out assembled blocks: it never reaches (directly or through
        another module it imports) the request, its policy, the templates or the screening.
        Turning a request into documents is ``_consent_render``'s."""
        forbidden = {
            "exointake._consent",
            "exointake._consent_template",
            "exointake._contract",
            "exointake._contract_document",
            "exointake._document",
            "exointake._screening",
        }
        reached = package_imports_from("exointake._render")
        assert "exointake._blocks" in reached  # the walk does follow imports
        assert sorted(reached & forbidden) == []


class TestPublicPaths:
    @pytest.mark.parametrize("public", PUBLIC_MODULES)
    def test_exports_show_their_public_module(self, public: str) -> None:
        """A class or function exported by a public module says so in ``__module__``.

        Names of the core are ``exointake.X``; the parts of a topic are
        ``exointake.<topic>.X`` (and the topic module re-exports the core names it uses).
        """
        module = importlib.import_module(public)
        wrong = []
        for name in module.__all__:
            obj = getattr(module, name)
            if not isinstance(obj, type | types.FunctionType):
                continue
            expected = {"exointake"} if public == "exointake" else {public, "exointake"}
            if obj.__module__ not in expected:
                wrong.append(f"{public}.{name}: __module__ is {obj.__module__}")
        assert wrong == []
