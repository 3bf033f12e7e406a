"""`mldebt ingest ...`: backfill files through the webhook parsers, and replay stored deliveries.

`mldebt ingest FILE --source X` is short for `mldebt ingest file FILE --source X`: the group routes
anything that is not one of its subcommands to `file`. Other ingest commands (`junit`, `coverage`)
register on the same `app` with `@app.command(...)`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from mldebt.cli.common import FORMAT_OPTION, OutputFormat, err, out, print_json, state, visible
from mldebt.domain.source_names import SOURCE_NAMES  # the one list; the registry (every adapter) loads on use
from mldebt.errors import UserInputError
from mldebt.settings import BIGCOMMERCE_STORE_HASH, BIGCOMMERCE_TOKEN, BIGCOMMERCE_URL

if TYPE_CHECKING:
    from typer._click.core import Context  # the click that Typer vendors (not the `click` package)

DEFAULT_COMMAND = "file"


class DefaultToFileGroup(TyperGroup):
    """A group whose first argument, when it is not a subcommand name, is a FILE for `file`."""

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[Any, Any, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [DEFAULT_COMMAND, *args]
        return super().resolve_command(ctx, args)

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=DefaultToFileGroup, no_args_is_help=True,
                  help="Take in outside data: backfill files of webhook payloads (`mldebt ingest FILE --source X`), "
                       "replay stored deliveries, pull from Zigpoll and BigCommerce, record test reports.")

def check_source(source: str | None) -> None:
    """Refuse an unknown `--source` before the store is opened (`Source` is the one list of names)."""
    if source is not None and source not in SOURCE_NAMES:
        raise UserInputError(f"--source: {source!r} is not one of {', '.join(SOURCE_NAMES)}")


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
    parsed are kept as failed raw events and listed. Exit status 2 when no record parsed (with the
    source the records look like).

    Example:

      mldebt ingest sentry-issues.ndjson --source sentry
      mldebt ingest file tickets.json --source zendesk --format json
    """
    from rich.progress import Progress, TextColumn

    from mldebt.service.backfill import backfill
    from mldebt.service.incidents import sync_recurring
    from mldebt.service.linker import load_linker

    check_source(source)
    store = state(ctx).store()
    linker = load_linker(catalog)
    columns = (TextColumn("{task.description}", markup=False), *Progress.get_default_columns()[1:])  # a file name
    with Progress(*columns, console=err, transient=True,  # is data, not markup
                  disable=fmt == OutputFormat.JSON or not err.is_terminal) as progress:
        task = progress.add_task(visible(f"ingesting {file.name}"), total=None)
        result = backfill(store, linker, source, file, lambda n: progress.advance(task, n))
    sync_recurring(store, dt.datetime.now(dt.UTC))
    if fmt == OutputFormat.JSON:
        print_json(result.to_dict())
    else:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(result.statuses.items())) or "nothing"
        out.print(f"{file}: {result.records} records from {source}: {counts}", highlight=False)
        for error in result.errors[:20]:
            out.print(f"  {error}", markup=False, highlight=False)
    if result.nothing_parsed:
        raise UserInputError(_nothing_parsed(result.records, source, result.looks_like))


def _nothing_parsed(records: int, source: str, looks_like: list[str]) -> str:
    if looks_like:
        guess = f"they look like {' or '.join(looks_like)} payloads: try --source {looks_like[0]}"
    else:
        guess = f"they look like none of {', '.join(SOURCE_NAMES)}"
    return f"none of the {records} record(s) parsed as {source} ({guess}); they are kept as failed raw events"


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
    from mldebt.service.ingest import replay
    from mldebt.service.linker import load_linker

    check_source(source)
    store = state(ctx).store()
    result = replay(store, load_linker(catalog), source)
    if fmt == OutputFormat.JSON:
        print_json(result.to_dict())
        return
    out.print(f"replayed: {result.parsed} parsed, {result.duplicate} duplicate, {result.failed} still failing",
              highlight=False)
    for error in result.errors[:20]:
        out.print(f"  {error}", markup=False, highlight=False)


@app.command("zigpoll-pull")
def zigpoll_pull(
    ctx: typer.Context,
    poll_id: str = typer.Argument(..., metavar="POLL_ID", help="The Zigpoll poll id."),
    catalog: Path = typer.Option(None, "--catalog", help="Inventory for linking (default: ./mldebt.yaml)."),
) -> None:
    """Pull a poll's responses newer than the newest stored one from Zigpoll (needs MLDEBT_ZIGPOLL_API_KEY).

    Example:

      MLDEBT_ZIGPOLL_API_KEY=... mldebt ingest zigpoll-pull 66f1c0a9e4b0c2a1d3f4e5a6
    """
    from mldebt.service.linker import load_linker
    from mldebt.service.pull import poll_puller_from_settings

    store = state(ctx).store()
    puller = poll_puller_from_settings(store, load_linker(catalog))
    if puller is None:
        raise UserInputError("set MLDEBT_ZIGPOLL_API_KEY (and MLDEBT_ZIGPOLL_URL if not the default) to pull")
    result = puller(poll_id, None)  # the CLI stores each batch in its own transaction
    out.print(f"poll {poll_id}: {result.fetched} fetched, {result.stored} new, {result.duplicates} already stored",
              highlight=False)


@app.command("order-totals")
def order_totals(ctx: typer.Context) -> None:
    """Fetch from BigCommerce the totals of orders named by tickets and order events (revenue at risk).

    Needs MLDEBT_BIGCOMMERCE_TOKEN and MLDEBT_BIGCOMMERCE_STORE_HASH.

    Example:

      mldebt ingest order-totals
    """
    from mldebt.integrations.bigcommerce import BigCommerceClient
    from mldebt.service.pull import fill_order_totals

    token, store_hash = BIGCOMMERCE_TOKEN.value(), BIGCOMMERCE_STORE_HASH.value()
    if not token or not store_hash:
        raise UserInputError("set MLDEBT_BIGCOMMERCE_TOKEN and MLDEBT_BIGCOMMERCE_STORE_HASH to fetch order totals")
    client = BigCommerceClient(BIGCOMMERCE_URL.value(), store_hash, token)
    try:
        filled = fill_order_totals(state(ctx).store(), client)
    finally:
        client.close()
    out.print(f"order totals filled in for {filled} ticket(s) and order event(s)", highlight=False)
