"""Benchmark: how long `mldebt` takes to start, against `python -c "import typer, rich.console"`.

A command line that takes seconds before it does anything is felt on every call (and in every CI
step). This times, as real processes with plain `subprocess` (no hyperfine), `mldebt --help`, the
`--help` of every subcommand (enumerated from the Typer app, so a new command is measured too) and
`mldebt catalog list` on a demo store, each N times, against the reference measured N times in the
same run, interleaved with the command's runs (so a busy machine slows both alike). The reference
is the floor of any Typer + Rich CLI: our median over its median is the ratio; the CPU-time ratio
(user + system, from `os.wait4`, like the peak RSS) is shown beside it, being steadier on a loaded
machine. Targets (issue 9, item 20): every `--help` within 3x of the
reference, `catalog list` on the demo store under 4x.

    python benchmarks/cli_startup.py [--repeat 7] [--no-demo] [--markdown]

Run it with the interpreter of the environment under test (and `PYTHONPATH=src` for a worktree).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

REFERENCE = [sys.executable, "-c", "import typer, rich.console"]
MLDEBT = [sys.executable, "-c", "from mldebt.cli.app import entry; entry()"]
HELP_TARGET = 3.0
LIST_TARGET = 4.0


@dataclass
class Timing:
    """One command's runs and the reference's runs interleaved with them (same load, same moment)."""

    label: str
    seconds: list[float]
    cpu: list[float]
    reference_seconds: list[float]
    reference_cpu: list[float]
    peak_rss_mb: float
    target: float | None = None

    @property
    def ratio(self) -> float:
        return statistics.median(self.seconds) / statistics.median(self.reference_seconds)

    @property
    def cpu_ratio(self) -> float:
        return statistics.median(self.cpu) / statistics.median(self.reference_cpu)


def run_once(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds (user + system), peak RSS (MB) and exit status of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode


def measure(label: str, argv: list[str], repeat: int, env: dict[str, str], cwd: Path,
            target: float | None = None) -> Timing:
    """Alternate the reference and the command, so that a busy machine slows both alike."""
    run_once(argv, env, cwd)  # warm the page cache and write the bytecode: we measure start-up, not the disk
    timing = Timing(label, [], [], [], [], 0.0, target)
    for _ in range(repeat):
        wall, cpu, _, _ = run_once(REFERENCE, env, cwd)
        timing.reference_seconds.append(wall)
        timing.reference_cpu.append(cpu)
        wall, cpu, rss, code = run_once(argv, env, cwd)
        if code != 0:
            raise SystemExit(f"{label}: exit status {code}")
        timing.seconds.append(wall)
        timing.cpu.append(cpu)
        timing.peak_rss_mb = max(timing.peak_rss_mb, rss)
    return timing


def help_commands() -> Iterator[list[str]]:
    """Every group and command path of the app, as `--help` argument lists (the root first)."""
    from typer.main import get_command

    from mldebt.cli.app import app

    def walk(command: object, path: list[str]) -> Iterator[list[str]]:
        yield [*path, "--help"]
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(get_command(app), [])


def demo_store(env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run([*MLDEBT, "demo", "--no-serve"], env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"mldebt demo failed: {done.stderr}")


COLUMNS = ("command", "wall (ms)", "reference wall (ms)", "ratio", "CPU (ms)", "reference CPU (ms)", "CPU ratio",
           "target", "peak RSS (MB)")


def report(rows: list[Timing], markdown: bool) -> bool:
    """Print the table; True when every target is met (on the wall-time ratio)."""
    ok = True
    table = Table(title=f"CLI start-up (reference: {' '.join(REFERENCE[1:])}, interleaved)", title_justify="left")
    for name in COLUMNS:
        table.add_column(name, justify="left" if name == "command" else "right")
    if markdown:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|---|" + "---:|" * (len(COLUMNS) - 1))
    for row in rows:
        met = row.target is None or row.ratio <= row.target
        ok = ok and met
        target = "-" if row.target is None else f"{row.target:g}x {'ok' if met else 'MISSED'}"
        cells = (row.label, f"{statistics.median(row.seconds) * 1000:.0f}",
                 f"{statistics.median(row.reference_seconds) * 1000:.0f}", f"{row.ratio:.2f}x",
                 f"{statistics.median(row.cpu) * 1000:.0f}", f"{statistics.median(row.reference_cpu) * 1000:.0f}",
                 f"{row.cpu_ratio:.2f}x", target, f"{row.peak_rss_mb:.0f}")
        if markdown:
            print(f"| `{cells[0]}` | " + " | ".join(cells[1:]) + " |", flush=True)
        table.add_row(*cells)
    if not markdown:
        Console().print(table)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="Timed runs per command (after one warm-up).")
    parser.add_argument("--no-demo", action="store_true", help="Skip `catalog list` on a demo store.")
    parser.add_argument("--markdown", action="store_true", help="Print a Markdown table (for docs/cli.md).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mldebt-startup-") as tmp:
        cwd = Path(tmp)
        env = {**os.environ, "MLDEBT_DATABASE_URL": f"sqlite:///{cwd / 'demo.db'}", "COLUMNS": "120"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # users run with cached bytecode: let the warm-up write it
        if env.get("PYTHONPATH"):  # the runs start in a temporary folder: `PYTHONPATH=src` must still mean ./src
            env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in env["PYTHONPATH"].split(os.pathsep))
        rows = [measure("mldebt " + " ".join(argv), [*MLDEBT, *argv], args.repeat, env, cwd, HELP_TARGET)
                for argv in help_commands()]
        if not args.no_demo:
            demo_store(env, cwd)
            rows.append(measure("mldebt catalog list (demo store)", [*MLDEBT, "catalog", "list"], args.repeat, env,
                                cwd, LIST_TARGET))
        ok = report(rows, args.markdown)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
