"""The table output of `mldebt drift --estimate-performance`: estimated beside realized metrics per chunk."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from mldebt.cli.common import DataConsole, styled


def _cell(estimated: float | None, realized: float | None, alert: bool) -> Text:
    """`0.834 / 0.827`: the estimate, then the realized value (`-` before the labels arrive); red on an alert."""
    text = f"{_f(estimated)} / {_f(realized)}" + (" !" if alert else "")
    return styled(text, "red" if alert else "")


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_estimates(estimates: dict[str, Any], console: DataConsole) -> None:
    """One table, a row per chunk of current and a column per metric; then calibration and breaches."""
    metrics = estimates["metrics"]
    table = Table(title="Estimated performance (CBPE): estimate / realized per chunk, ! = alert", title_justify="left")
    for name in ("chunk", "rows", "labelled", *metrics):
        table.add_column(name, justify="left" if name == "chunk" else "right")
    for c in estimates["chunks"]:
        table.add_row(str(c["index"]), f"{c['start_row']}-{c['end_row'] - 1}", str(c["labelled_rows"]),
                      *(_cell(c["estimated"][m], c["realized"][m], c["alerts"][m]) for m in metrics))
    table.add_row("thresholds", "", "", *(f"{_f(lo)}..{_f(hi)}" for lo, hi in estimates["thresholds"].values()))
    console.print(table)
    calibration = ("calibrated on the reference (isotonic)" if estimates["calibrated"]
                   else "scores already calibrated")
    console.print(f"{calibration}: ECE {_f(estimates['ece_before'])} -> {_f(estimates['ece_after'])}; "
                  f"chunks of {estimates['chunk_size']} rows, {estimates['reference_chunks']} reference chunks; "
                  "an alert is an estimate outside the thresholds (the reference chunks' mean +- 3 standard "
                  "errors) or an inventory bound", highlight=False, markup=False)
    for b in estimates["breaches"]:
        limit = f"inventory bound min {b['min']}" if b["kind"] == "bound" else f"threshold {b['threshold']:.3f}"
        console.print(styled(f"estimated {b['metric']} = {b['value']:.3f} in chunk {b['chunk']}: below its {limit}",
                             "red"))


def estimates_cell(summary: dict[str, Any] | None) -> Text | str:
    """A window's or segment's estimated performance: the lowest estimated accuracy (or the first
    metric) with its realized value, and the chunks that alerted, or why it was not run."""
    if not summary:
        return "-"
    if "error" in summary:
        return str(summary["error"])
    metrics: dict[str, Any] = summary["metrics"]
    metric = "accuracy" if "accuracy" in metrics else next(iter(metrics))
    values = metrics[metric]
    alerted = max((m["alerting_chunks"] for m in metrics.values()), default=0)
    text = f"{metric} {_f(values['lowest_estimate'])} / {_f(values['realized'])}, {alerted}/{summary['chunks']} alerted"
    return styled(text, "red" if summary["breaches"] else "")
