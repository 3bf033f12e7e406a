"""`mldebt drift --multivariate`: the reconstruction error per chunk as a compact table."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from mldebt.cli.common import DataConsole, styled

MAX_ROWS = 40  # chunks printed; JSON has them all


def print_multivariate(result: dict[str, Any], console: DataConsole) -> None:
    """Current chunks with their error and alert, the thresholds, and the columns that changed most."""
    table = Table(title=f"Multivariate drift (PCA reconstruction, {result['n_components']} of "
                        f"{result['n_features']} components, {result['variance_kept']:.0%} of variance)",
                  title_justify="left")
    for name in ("chunk", "rows", "error", "alert"):
        table.add_column(name, justify="left" if name == "alert" else "right")
    chunks = result["current_chunks"]
    for c in chunks[:MAX_ROWS]:
        table.add_row(str(c["index"]), f"{c['start_row']}..{c['end_row'] - 1}", _g(c["error"]),
                      styled("ALERT", "red") if c["alert"] else "no")
    console.print(table)
    if result["n_current_chunks"] > MAX_ROWS:
        console.print(f"({result['n_current_chunks'] - MAX_ROWS} more chunks in --format json)", highlight=False)
    verdict = styled("multivariate drift", "red") if result["drifted"] else styled("no multivariate drift")
    console.print(verdict, f": {result['alerts']} of {result['n_current_chunks']} chunks of {result['chunk_size']} "
                  "rows above "
                  f"{_g(result['upper_threshold'])} (reference mean +- {result['sigmas']:g} sd: "
                  f"{_g(result['lower_threshold'])}..{_g(result['upper_threshold'])})", sep="", highlight=False)
    if result["contributions"]:
        console.print("changed most: " + ", ".join(
            f"{c['column']} (+{_g(c['increase'])})" for c in result["contributions"]), highlight=False, markup=False)
    for note in result["notes"]:
        console.print(f"note: {note}", highlight=False, markup=False)


def multivariate_cell(summary: dict[str, Any] | None) -> Text | str:
    """A window's or segment's multivariate verdict: `ALERT 2/3 (a, b)`, `no 0/3`, or why it was not run."""
    if not summary:
        return "-"
    if "error" in summary:
        return summary["error"]
    counts = f"{summary['alerts']}/{summary['chunks']}"
    if not summary["drifted"]:
        return f"no {counts}"
    columns = f" ({', '.join(summary['columns'])})" if summary["columns"] else ""
    return styled("ALERT", "red") + f" {counts}{columns}"


def _g(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"
