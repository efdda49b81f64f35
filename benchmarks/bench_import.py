"""Start-up cost: ``import exointake`` and one CLI screening, end to end, in new processes.

Every figure is the median wall time (and, in brackets, CPU time, which other
programs on a shared machine hardly change) of fresh interpreters started with
``subprocess``, the commands interleaved round-robin so background load hits
them alike:

- ``python -c "pass"``: the interpreter alone (for reference);
- ``python -c "import attrs, cattrs"``: the baseline, the two libraries every
  exointake model is built on. Target: ``import exointake`` within 2x of it;
- ``exointake screen --answers examples/answers/review.json --route
  injection_scalp --json``: the console script next to this interpreter (or
  ``python -m exointake`` when there is none), end to end. Target: <= 0.25 s;
- ``exointake --help``: every command registered.

The package's bytecode is compiled first (``compileall``), as ``pip install``
does: without it every run would recompile exointake's sources (about 50 ms here)
while attrs and cattrs load their cached bytecode. The subprocesses import this
checkout (``PYTHONPATH``). Figures only: nothing fails on a wall-clock number.
"""

from __future__ import annotations

import compileall
import os
import resource
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parse_args, report

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "examples" / "answers" / "review.json"
ROUTE = "injection_scalp"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def cli() -> list[str]:
    """How a user starts the command: the installed console script, else ``-m``."""
    script = Path(sysconfig.get_path("scripts")) / "exointake"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "exointake"]


def medians(
    commands: dict[str, list[str]], repeat: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall time and median CPU time (user + system) of each command over
    ``repeat`` interleaved runs, in seconds. CPU time hardly moves when other programs
    share the machine; wall time does."""
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # warm the OS caches once, untimed
        subprocess.run(argv, env=ENV, cwd=ROOT, check=True, capture_output=True)
    for _ in range(repeat):
        for name, argv in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, env=ENV, cwd=ROOT, check=True, capture_output=True)
            wall[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return (
        {name: statistics.median(t) for name, t in wall.items()},
        {name: statistics.median(t) for name, t in cpu.items()},
    )


def main() -> None:
    args = parse_args(__doc__ or "")
    repeat = 5 if args.short else 21
    compileall.compile_dir(ROOT / "exointake", quiet=1)
    command = cli()
    commands = {
        "pass": [sys.executable, "-c", "pass"],
        "attrs, cattrs": [sys.executable, "-c", "import attrs, cattrs"],
        "exointake": [sys.executable, "-c", "import exointake"],
        "screen": [*command, "screen", "--answers", str(ANSWERS), "--route", ROUTE, "--json"],
        "--help": [*command, "--help"],
    }
    load_before = os.getloadavg()[0]
    m, c = medians(commands, repeat)
    load_after = os.getloadavg()[0]
    print(
        f"{repeat} interleaved runs each, median wall (CPU) time; load average "
        f"{load_before:.2f} -> {load_after:.2f} on {os.cpu_count()} CPUs; CLI as "
        f"{Path(command[0]).name}{' -m exointake' if len(command) > 1 else ''}"
    )
    print(
        f"python -c pass: {m['pass'] * 1e3:.1f} ms ({c['pass'] * 1e3:.1f}) (the interpreter alone)"
    )
    report("import exointake vs import attrs, cattrs", m["exointake"], m["attrs, cattrs"], target=2)
    print(f"  by CPU time: {c['exointake'] / c['attrs, cattrs']:.2f}x")
    for name in ("screen", "--help"):
        label = "exointake screen ... --json" if name == "screen" else "exointake --help"
        target = " (target <= 250 ms)" if name == "screen" else ""
        print(f"{label}: {m[name] * 1e3:.1f} ms ({c[name] * 1e3:.1f}) end to end{target}")


if __name__ == "__main__":
    main()
