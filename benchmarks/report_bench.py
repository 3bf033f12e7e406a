"""Benchmark: `mldebt report` on the demo store, each format, as a user runs it (issue 12: under 10 s).

Loads the storefront scenario into a temporary SQLite store (`mldebt demo --no-serve`), then times
whole commands, each `--repeat` times (median kept): `mldebt report` as PDF (A4 and Letter), HTML and
Markdown, and, as the reference measured in the same run, `mldebt kpis` on the same store and quarter
(the KPI table the report starts from; the ratio shows what the report adds on top). Peak memory is
each command's own maximum RSS (`os.wait4`).

    PYTHONPATH=src python -m benchmarks.report_bench [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

TARGET_SECONDS = 10.0
QUARTER = "2026Q4"
AS_OF = "2026-11-25"


def mldebt(db: str, *args: str, cwd: Path) -> tuple[float, float]:
    """(seconds, peak RSS MB) of one `mldebt --db DB ARGS...`, start to exit (it must succeed)."""
    exe = Path(sys.executable).with_name("mldebt")
    started = time.perf_counter()
    child = subprocess.Popen([str(exe), "--db", db, *args], cwd=cwd, stdout=subprocess.DEVNULL,
                             env={**os.environ, "COLUMNS": "200"})
    _, status, usage = os.wait4(child.pid, 0)  # this child's own resource usage, not the sum of all children
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"mldebt {' '.join(args)} exited {child.returncode}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each command (median kept).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mldebt-report-bench-") as tmp:
        folder = Path(tmp)
        db = f"sqlite:///{folder / 'demo.db'}"
        loaded, _ = mldebt(db, "demo", "--no-serve", "--as-of", AS_OF, cwd=folder)
        steps = {
            "reference: mldebt kpis": ["kpis", "--quarter", QUARTER, "--as-of", AS_OF],
            "report, PDF A4": ["report", "--quarter", QUARTER, "--as-of", AS_OF, "--output", "r.pdf"],
            "report, PDF Letter": ["report", "--quarter", QUARTER, "--as-of", AS_OF, "--page-size", "Letter",
                                   "--output", "r-letter.pdf"],
            "report, HTML": ["report", "--quarter", QUARTER, "--as-of", AS_OF, "--format", "html", "--output",
                             "r.html"],
            "report, Markdown": ["report", "--quarter", QUARTER, "--as-of", AS_OF, "--format", "md", "--output",
                                 "r.md"],
        }
        rows = []
        for name, command in steps.items():
            runs = [mldebt(db, *command, cwd=folder) for _ in range(args.repeat)]
            rows.append((name, statistics.median(s for s, _ in runs), max(m for _, m in runs)))
        sizes = {name: (folder / name).stat().st_size for name in ("r.pdf", "r-letter.pdf", "r.html", "r.md")}
    reference = rows[0][1]
    table = Table(title=f"mldebt report {QUARTER} on the demo store (median of {args.repeat}; target: under "
                        f"{TARGET_SECONDS:g} s; demo loaded in {loaded:.1f} s)", title_justify="left")
    for column in ("command", "seconds", "ratio to kpis", "peak RSS (MB)"):
        table.add_column(column, justify="left" if column == "command" else "right")
    for name, seconds, peak in rows:
        table.add_row(name, f"{seconds:.2f}", f"{seconds / reference:.1f}x", f"{peak:.0f}")
    console = Console(width=120)
    console.print(table)
    console.print("sizes: " + ", ".join(f"{name} {size / 1024:.0f} KB" for name, size in sizes.items()))
    ok = all(seconds < TARGET_SECONDS for _, seconds, _ in rows)
    console.print("target met" if ok else f"target MISSED (>= {TARGET_SECONDS:g} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
