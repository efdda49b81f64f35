"""Sphinx configuration for the exointake documentation.

Stack: Sphinx + MyST (Markdown) + furo, API pages from docstrings with autodoc and
napoleon (Google-style ``Args:``), and ``sphinx.ext.doctest`` so that every code
block written as ``{doctest}`` / ``{testcode}`` (and every ``>>>`` example in a
docstring) runs in CI: ``docs/build.sh``.

Three pages grow by themselves as the project grows, through small ``% exointake:``
markers expanded when the page is read (see :func:`_expand_markers`):

- ``api.md``: one ``automodule`` per public module that exists (``exointake``'s
  ``__all__`` decides what the top-level reference shows);
- ``schemas.md``: every ``schemas/*.json`` file;
- ``changelog.md``: the top-level ``CHANGELOG.md`` when there is one.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # document (and doctest) this checkout, not an installed copy

import exointake  # noqa: E402  (after the path: this checkout)

project = "exointake"
author = "exointake developers"
copyright = "2026, exointake developers"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
]

source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "build.sh"]
root_doc = "index"
language = "en"

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "exointake"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_default_options = {"undoc-members": False, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

# No network in CI: intersphinx inventories are not fetched; keep the mapping empty.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

doctest_global_setup = """
import json
"""
doctest_test_doctest_blocks = "default"

# -- pages that grow by themselves -----------------------------------------------------

PUBLIC_MODULES = (
    ("exointake", "The core: everything in ``exointake.__all__``."),
    ("exointake.questionnaire", "The parts of a questionnaire (with the core names of the topic)."),
    ("exointake.screening", "The parts of a rule set (with the core names of the topic)."),
    ("exointake.grading", "The parts of a grade and the table (with the core names of the topic)."),
    ("exointake.consent", "The parts of a consent request (with the core names of the topic)."),
    ("exointake.records", "The parts of the log's records (with the core records)."),
    ("exointake.log", "Entries, reports and alerts of the log (with the core names of the topic)."),
    ("exointake.signals", "Lot signals: MaxSPRT tests, critical values, exact rates, alerts."),
    ("exointake.report", "The monthly safety report."),
    (
        "exointake.registry",
        "The multi-clinic registry: de-identified exports, import, pooled rates and signals.",
    ),
    ("exointake.strategies", "Hypothesis strategies for testing an integration."),
    ("exointake.fhir", "HL7 FHIR R4 export."),
    ("exointake.cli", "The ``exointake`` command line."),
)


def _api_modules() -> str:
    blocks = []
    for name, summary in PUBLIC_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:  # not written yet on this branch
            if exc.name != name:
                raise
            continue
        options = "   :members:\n" + ("   :imported-members:\n" if name != "exointake.cli" else "")
        topic = name.removeprefix("exointake.")
        if topic in exointake._api.TOPICS:  # the core names are documented once, under exointake
            own = ", ".join(exointake._api.TOPICS[topic])
            options = f"   :members: {own}\n   :imported-members:\n"
        # autodoc writes reStructuredText, so its directive goes through eval-rst.
        blocks.append(
            f"## `{name}`\n\n{summary}\n\n```{{eval-rst}}\n.. automodule:: {name}\n{options}```\n"
        )
    return "\n".join(blocks)


def _schemas() -> str:
    blocks = []
    for path in sorted((ROOT / "schemas").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        title = schema.get("title") or path.name
        description = schema.get("description", "")
        blocks.append(
            f"## {title}\n\n`schemas/{path.name}`\n\n{description}\n\n"
            f"```{{literalinclude}} ../schemas/{path.name}\n:language: json\n```\n"
        )
    return "\n".join(blocks) or "No schema files yet.\n"


def _changelog() -> str:
    if (ROOT / "CHANGELOG.md").is_file():
        return "```{include} ../CHANGELOG.md\n:heading-offset: 1\n```\n"
    return "No releases yet.\n"


MARKERS = {
    "% exointake:api-modules": _api_modules,
    "% exointake:schemas": _schemas,
    "% exointake:changelog": _changelog,
}


def _expand_markers(app: Any, docname: str, source: list[str]) -> None:
    """Replace each ``% exointake:...`` marker line with the content it stands for."""
    text = source[0]
    for marker, make in MARKERS.items():
        if marker in text:
            text = text.replace(marker, make())
    source[0] = text


def _always_reread(app: Any, env: Any, added: Any, changed: Any, removed: Any) -> list[str]:
    """Pages built from other files (modules, schemas, changelog) are re-read every build."""
    return [name for name in ("api", "schemas", "changelog") if name in env.found_docs]


_LEADING_LABEL = re.compile(r"^([^:]*[^:\s]): ")


def _keep_attribute_labels(  # noqa: PLR0917 - the signature Sphinx calls
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """Napoleon reads an attribute docstring starting ``Label: text`` as ``type: text``
    and drops the label; write it as ``Label — text`` before napoleon sees it."""
    if what in ("attribute", "data", "property") and lines:
        lines[0] = _LEADING_LABEL.sub(r"\1 — ", lines[0], count=1)


def setup(app: Any) -> dict[str, Any]:
    app.connect("source-read", _expand_markers)
    app.connect("autodoc-process-docstring", _keep_attribute_labels, priority=400)
    app.connect("env-get-outdated", _always_reread)
    return {"parallel_read_safe": True}
