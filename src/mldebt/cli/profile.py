"""`mldebt profile DATA`: a mergeable column profile of a file of any size (streamed in batches)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from mldebt.cli.common import err, out, output_option
from mldebt.errors import UserInputError

if TYPE_CHECKING:
    from mldebt.drift.profiles import ColumnProfile, Profile


class Engine(StrEnum):
    LOCAL = "local"
    SPARK = "spark"


def profile(
    data: Path = typer.Argument(..., help="CSV or Parquet file to profile (read in batches)."),
    output: Path = output_option("Write the profile as JSON to this file instead of printing a summary."),
    engine: Engine = typer.Option(Engine.LOCAL, "--engine", help="local (streaming, one machine)."),
    batch_rows: int = typer.Option(65_536, "--batch-rows", min=1, help="Rows read and profiled at a time."),
) -> None:
    """Profile every column: counts, missing, moments, quantile and frequent-items sketches.

    Example:

    \b
      mldebt profile logs.parquet
      mldebt profile logs.parquet --output logs.profile.json
    """
    if engine is Engine.SPARK:
        raise UserInputError("--engine spark: the spark engine is not built yet (use --engine local)")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from mldebt.drift.profile_io import profile_file, write_profile

    if not err.is_terminal:  # a log or a pipe gets no bar (Rich would still leave a blank line)
        result = profile_file(data, batch_rows=batch_rows)
    else:
        with Progress(TextColumn("profiling"), BarColumn(), MofNCompleteColumn(), TextColumn("rows"),
                      console=err, transient=True) as bar:
            task = bar.add_task("profile", total=None)

            def advance(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            result = profile_file(data, batch_rows=batch_rows, progress=advance)
    if output is not None:
        write_profile(result, output)
        out.print(f"wrote the profile of {result.rows} rows, {len(result.columns)} columns to {output}")
        return
    _print(result)


def _print(result: Profile) -> None:
    table = Table(title=f"Profile: {result.rows} rows", title_justify="left")
    for name in ("column", "type", "count", "missing", "min", "median", "max", "top values"):
        table.add_column(name, justify="left" if name in ("column", "type", "top values") else "right")
    for column in result.columns.values():
        table.add_row(column.name, column.kind, str(column.count), str(column.missing), *_cells(column))
    out.print(table)


def _cells(column: ColumnProfile) -> tuple[str, str, str, str]:
    if column.kind == "numeric":
        return _g(column.min), _g(column.quantile(0.5)), _g(column.max), ""
    top = ", ".join(f"{value} ({count})" for value, count in column.top(3))
    return "", "", "", top + ("" if column.exact is not None else " (estimated)")


def _g(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"
