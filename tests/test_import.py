"""What importing exointake loads: heavy dependencies only where they are used.

Each check runs in a fresh interpreter, since this test session has long since
imported everything. Nothing here is timed: ``benchmarks/bench_import.py`` measures.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import pytest

import exointake
from exointake.cli import main

from .conftest import EXAMPLES, ROOT

HEAVY = ("sqlalchemy", "alembic", "reportlab", "hypothesis")


def loaded_after(code: str) -> list[str]:
    """The heavy top-level packages in ``sys.modules`` after running ``code`` in a new
    interpreter that imports this checkout."""
    report = f"print(json.dumps(sorted(set({HEAVY!r}) & sys.modules.keys())))"
    probe = f"{code}\nimport json, sys\n{report}"
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    loaded: list[str] = json.loads(proc.stdout.splitlines()[-1])
    return loaded


class TestLightImport:
    def test_import_exointake_loads_no_heavy_dependency(self) -> None:
        """``import exointake`` loads neither SQLAlchemy, Alembic, reportlab nor Hypothesis."""
        assert loaded_after("import exointake") == []

    def test_screening_loads_no_heavy_dependency(self) -> None:
        """Screening answers with the bundled rule set needs no log, renderer or Hypothesis."""
        code = (
            "import exointake\n"
            "q = exointake.load_questionnaire()\n"
            "a = q.answers({'cancer_history': 'current'}, partial=True)\n"
            "exointake.screen(a, 'iv_drip')"
        )
        assert loaded_after(code) == []

    def test_the_log_loads_sqlalchemy_when_used(self) -> None:
        """The first use of a log name imports SQLAlchemy and Alembic, and only then."""
        assert loaded_after("import exointake\nexointake.open_log") == ["alembic", "sqlalchemy"]

    def test_the_report_module_loads_nothing_heavy_until_used(self) -> None:
        """``exointake.report`` is cheap to import; its first use loads the log and the
        renderer."""
        assert loaded_after("import exointake.report") == []
        used = loaded_after("import exointake.report\nexointake.report.safety_report")
        assert used == ["alembic", "reportlab", "sqlalchemy"]

    def test_the_registry_module_loads_nothing_heavy_until_used(self) -> None:
        """``exointake.registry`` is cheap to import; its first use loads the log."""
        assert loaded_after("import exointake.registry") == []
        used = loaded_after("import exointake.registry\nexointake.registry.export_registry")
        assert used == ["alembic", "sqlalchemy"]

    def test_rendering_loads_reportlab_when_used(self) -> None:
        """The first use of a rendering name imports reportlab (and not the log)."""
        assert loaded_after("import exointake\nexointake.render_consent") == ["reportlab"]


class TestCommandLineImports:
    def test_help_loads_no_heavy_dependency(self) -> None:
        """Building the parser (every command registered, as for ``--help``) loads none."""
        assert loaded_after("from exointake.cli import build_parser\nbuild_parser()") == []

    def test_screen_command_loads_no_heavy_dependency(self) -> None:
        """``exointake screen`` imports only what screening needs."""
        answers = EXAMPLES / "answers" / "review.json"
        code = (
            "import contextlib, io\n"
            "from exointake.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main(['screen', '--answers', {str(answers)!r}, "
            "'--route', 'injection_scalp', '--json']) == 0"
        )
        assert loaded_after(code) == []


COMMANDS = (
    "consent",
    "demo",
    "export",
    "grade",
    "log",
    "questionnaire",
    "report",
    "screen",
    "signal",
)


class TestCommandRegistration:
    @pytest.mark.parametrize("command", COMMANDS)
    def test_a_command_alone_is_registered_and_helps(
        self, command: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A run registers only the command it names, and that command's help works."""
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert capsys.readouterr().out.startswith(f"usage: exointake {command} ")

    def test_top_level_help_lists_every_command(self, capsys: pytest.CaptureFixture[str]) -> None:
        """``exointake --help`` registers and lists every command."""
        with pytest.raises(SystemExit):
            main(["--help"])
        out = capsys.readouterr().out
        assert all(f"\n    {command}" in out for command in COMMANDS)


class TestLazyNames:
    @pytest.mark.parametrize("name", exointake.__all__)
    def test_every_exported_name_resolves(self, name: str) -> None:
        """Every name of ``__all__`` can be read from the package, is listed by ``dir``, and
        once read is an ordinary attribute of the package (no second look-up)."""
        value = getattr(exointake, name)
        assert name in dir(exointake)
        assert vars(exointake)[name] is value

    def test_lazy_name_is_the_defining_modules_object(self) -> None:
        """A lazily loaded name is the very object its module defines (no wrapper)."""
        render = importlib.import_module("exointake._consent_render")
        log = importlib.import_module("exointake._log._core")
        assert exointake.render_consent is render.render_consent
        assert exointake.Log is log.Log

    def test_unknown_name_raises_attribute_error(self) -> None:
        """Reading a name the package does not have raises AttributeError naming it."""
        with pytest.raises(AttributeError, match="no_such_name"):
            exointake.no_such_name  # type: ignore[attr-defined]  # noqa: B018


class TestOptionalHypothesis:
    def test_strategies_without_hypothesis_say_what_to_install(self) -> None:
        """Without Hypothesis, ``import exointake.strategies`` raises an ImportError naming
        the ``exointake[testing]`` extra, while ``import exointake`` still works."""
        code = (
            "import sys\n"
            "sys.modules['hypothesis'] = None  # as if it were not installed\n"
            "import exointake\n"
            "try:\n"
            "    import exointake.strategies\n"
            "except ImportError as exc:\n"
            "    print(exc)\n"
            "else:\n"
            "    print('imported')\n"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
        )
        assert "exointake[testing]" in proc.stdout
        assert "imported" not in proc.stdout


class TestDeprecatedPaths:
    @pytest.mark.parametrize("name", ["BrightonSign", "current_template"])
    def test_warning_points_at_the_callers_line(self, name: str) -> None:
        """A moved or deprecated top-level name warns at the line that reads it (so the
        warning tells the user what to change), not inside exointake."""
        with pytest.warns(DeprecationWarning, match="0.3.0") as caught:
            getattr(exointake, name)
        assert caught[0].filename == __file__
