"""`mldebt ingest ...`: backfill files through the webhook parsers, and replay stored deliveries.

`mldebt ingest FILE --source X` is short for `mldebt ingest file FILE --source X`: the group routes
anything that is not one of its subcommands to `file`. Other ingest commands (`junit`, `coverage`)
register on the same `app` with `@app.command(...)`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
import typer
from rich.progress import Progress
from typer.core import TyperGroup

from mldebt.cli.common import FORMAT_OPTION, OutputFormat, out, print_json, state
from mldebt.ingest.registry import SOURCE_NAMES
from mldebt.service.backfill import backfill
from mldebt.service.incidents import sync_recurring
from mldebt.service.ingest import replay
from mldebt.service.linker import load_linker

DEFAULT_COMMAND = "file"


class DefaultToFileGroup(TyperGroup):
    """A group whose first argument, when it is not a subcommand name, is a FILE for `file`."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[Any, Any, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [DEFAULT_COMMAND, *args]
        return super().resolve_command(ctx, args)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=DefaultToFileGroup, no_args_is_help=True,
                  help="Take in events: backfill files of webhook payloads (`mldebt ingest FILE --source X`), "
                       "replay stored deliveries.")

SOURCE_HELP = f"Which source's payloads the file holds: {', '.join(SOURCE_NAMES)}."


@app.command(DEFAULT_COMMAND)
def ingest_file(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="JSON (object or array) or NDJSON of payloads."),
    source: str = typer.Option(..., "--source", "-s", help=SOURCE_HELP),
    catalog: Path = typer.Option(None, "--catalog", help="Inventory whose `sources` rules link events "
                                 "(default: $MLDEBT_CATALOG or ./mldebt.yaml)."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Backfill a file of webhook payloads (or Zendesk ticket exports) through the same parsers.

    Re-running is safe: deliveries already stored are counted as duplicates. Lines that cannot be
    parsed are kept as failed raw events and listed.

    Example:

      mldebt ingest sentry-issues.ndjson --source sentry
      mldebt ingest file tickets.json --source zendesk --format json
    """
    store = state(ctx).store()
    linker = load_linker(catalog)
    with Progress(transient=True, disable=fmt == OutputFormat.JSON) as progress:
        task = progress.add_task(f"ingesting {file.name}", total=None)
        result = backfill(store, linker, source, file, lambda n: progress.advance(task, n))
    sync_recurring(store, dt.datetime.now(dt.UTC))
    if fmt == OutputFormat.JSON:
        print_json(result.to_dict())
        return
    counts = ", ".join(f"{n} {status}" for status, n in sorted(result.statuses.items())) or "nothing"
    out.print(f"{file}: {result.records} records from {source}: {counts}", highlight=False)
    for error in result.errors[:20]:
        out.print(f"  {error}", markup=False, highlight=False)


@app.command("replay")
def replay_command(
    ctx: typer.Context,
    source: str = typer.Option(None, "--source", "-s", help="Only this source's events."),
    catalog: Path = typer.Option(None, "--catalog", help="Inventory for linking (default: ./mldebt.yaml)."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Re-parse stored deliveries that failed (or were stored but not applied), e.g. after a parser fix.

    Example:

      mldebt ingest replay --source alertmanager
    """
    store = state(ctx).store()
    result = replay(store, load_linker(catalog), source)
    if fmt == OutputFormat.JSON:
        print_json(result.to_dict())
        return
    out.print(f"replayed: {result.parsed} parsed, {result.duplicate} duplicate, {result.failed} still failing",
              highlight=False)
    for error in result.errors[:20]:
        out.print(f"  {error}", markup=False, highlight=False)
