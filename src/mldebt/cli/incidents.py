"""`mldebt incidents ...`: MTTR per component, category or quarter; incidents; unlinked; recurring failures."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from mldebt.cli.common import FORMAT_OPTION, OutputFormat, given_options, out, print_json, severity_text, state
from mldebt.errors import UserInputError

if TYPE_CHECKING:
    from mldebt.demo.events import DemoEvents
    from mldebt.metrics.mttr import MttrResult

app = typer.Typer(help="Incidents from Sentry and Alertmanager: MTTR, recurring failures, linking.",
                  invoke_without_command=True)

SINCE_OPTION = typer.Option(None, "--since", metavar="YYYY-MM-DD", help="Only what opened on or after this day.")
COMPONENT_OPTION = typer.Option(None, "--component", "-c", help="Only this component.")
CATALOG_OPTION = typer.Option(None, "--catalog", help="Inventory for linking (default: ./mldebt.yaml).")
MTTR_OPTIONS = ["component", "since", "by", "fmt"]


class IncidentStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


def parse_since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), dt.UTC)
    except ValueError:
        raise UserInputError(f"--since: bad date {value!r}, expected YYYY-MM-DD") from None


def _minutes(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"


def print_mttr(results: list[MttrResult], by: str) -> None:
    table = Table(by, "incidents", "resolved", "open", "MTTR mean", "median", "p90", title=f"MTTR per {by}")
    for r in results:
        table.add_row(r.group, str(r.incidents), str(r.resolved), str(r.open), _minutes(r.mean_minutes),
                      _minutes(r.median_minutes), _minutes(r.p90_minutes))
    out.print(table)


def print_demo_events(events: DemoEvents) -> None:
    """What the demo shows of its events: what loaded, MTTR, recurring failures and satisfaction drops."""
    loaded = ", ".join(f"{r.source} {r.records}" for r in events.loaded)
    out.print(f"Events loaded through the webhook parsers: {loaded}; {events.unlinked} unlinked "
              "(`mldebt incidents unlinked`)", highlight=False)
    print_mttr(events.mttr, "component")
    for f in [*events.recurring, *events.satisfaction]:
        out.print(severity_text(f.severity), f"{f.component}: {f.message}")


@app.callback()
def incidents(
    ctx: typer.Context,
    component: str = COMPONENT_OPTION,
    since: str = SINCE_OPTION,
    by: str = typer.Option("component", "--by", help="Group MTTR by component, category or quarter."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """MTTR (mean, median, p90) per component; subcommands list, unlinked, recurring, link, signals.

    Example:

      mldebt incidents --since 2026-07-01
      mldebt incidents --by category --format json
    """
    if ctx.invoked_subcommand is not None:
        given = given_options(ctx, MTTR_OPTIONS)
        if given:  # click would parse them and drop them: the subcommand never sees them
            raise UserInputError(f"{', '.join(given)} before `{ctx.invoked_subcommand}` would be ignored: options of "
                                 f"a subcommand go after it (`mldebt incidents {ctx.invoked_subcommand} {given[0]} "
                                 "...`, see its --help)")
        return
    from mldebt.service import incidents as service
    from mldebt.service.components import require_component

    since_at = parse_since(since)
    store = state(ctx).store()
    require_component(store, component)
    results = service.mttr_report(store, by, component, since_at)
    if fmt == OutputFormat.JSON:
        print_json([r.to_dict() for r in results])
    else:
        print_mttr(results, by)


@app.command("list")
def list_incidents(ctx: typer.Context, component: str = COMPONENT_OPTION, since: str = SINCE_OPTION,
                   status: IncidentStatus = typer.Option(None, "--status", help="open or resolved."),
                   limit: int = typer.Option(50, "--limit", min=1), fmt: OutputFormat = FORMAT_OPTION) -> None:
    """List incidents, most recent activity first.

    Example:

      mldebt incidents list --component recs-api --status open
    """
    from mldebt.service import incidents as service
    from mldebt.service.components import require_component

    since_at = parse_since(since)
    store = state(ctx).store()
    require_component(store, component)
    rows = service.incident_dicts(store, component, since_at, status and str(status), limit)
    if fmt == OutputFormat.JSON:
        print_json(rows)
        return
    table = Table("id", "component", "category", "source", "title", "opened", "resolved", "reopens")
    for r in rows:
        table.add_row(str(r["id"]), r["component"] or "(unlinked)", r["category"], r["source"], r["title"][:60],
                      (r["opened_at"] or "")[:16], (r["resolved_at"] or "open")[:16], str(r["reopen_count"]))
    out.print(table)


@app.command("unlinked")
def unlinked(ctx: typer.Context, catalog: Path = CATALOG_OPTION, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """What maps to no component, with the `sources` rule that would link it.

    Example:

      mldebt incidents unlinked
    """
    from mldebt.service import incidents as service
    from mldebt.service.linker import load_linker

    items = service.unlinked(state(ctx).store(), load_linker(catalog))
    if fmt == OutputFormat.JSON:
        print_json([i.to_dict() for i in items])
        return
    table = Table("kind", "id", "source", "what", "suggestion")
    for i in items:
        table.add_row(i.kind, str(i.id), i.source, i.label[:50], i.suggestion)
    out.print(table)


@app.command("link")
def link(ctx: typer.Context, catalog: Path = CATALOG_OPTION) -> None:
    """Re-link unlinked events with the inventory's current `sources` rules.

    Example:

      mldebt incidents link --catalog mldebt.yaml
    """
    from mldebt.service import incidents as service
    from mldebt.service.linker import load_linker

    linked = service.relink(state(ctx).store(), load_linker(catalog, required=True))
    out.print(f"linked {linked} event(s)", highlight=False)


@app.command("recurring")
def recurring(ctx: typer.Context,
              occurrences: int = typer.Option(3, "--occurrences", min=2, help="How many times counts as recurring."),
              window_days: int = typer.Option(30, "--window-days", min=1, help="Within how many days."),
              as_of: str = typer.Option(None, "--as-of", metavar="YYYY-MM-DD", help="Evaluate on this day."),
              fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Record recurring failures (same problem or culprit N times in a window) as findings.

    Example:

      mldebt incidents recurring --occurrences 3 --window-days 30
    """
    from mldebt.metrics.recurring import RecurrencePolicy
    from mldebt.service import incidents as service

    day = parse_since(as_of)
    now = day + dt.timedelta(days=1) if day is not None else dt.datetime.now(dt.UTC)
    findings, _ = service.sync_recurring(state(ctx).store(), now, RecurrencePolicy(occurrences, window_days))
    if fmt == OutputFormat.JSON:
        print_json([f.to_dict() for f in findings])
        return
    for f in findings:
        out.print(severity_text(f.severity), f"{f.component}: {f.message}")
    if not findings:
        out.print("no recurring failures", highlight=False)


@app.command("signals")
def signals(ctx: typer.Context, since: str = SINCE_OPTION, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Per component: support tickets linked to AI errors, satisfaction from polls, revenue at risk.

    Example:

      mldebt incidents signals --since 2026-09-01
    """
    from mldebt.service.signals import component_signals

    since_at = parse_since(since)
    rows = component_signals(state(ctx).store(), since_at)
    if fmt == OutputFormat.JSON:
        print_json([r.to_dict() for r in rows])
        return
    table = Table("component", "tickets", "open", "poll answers", "satisfaction", "store events", "revenue at risk")
    for r in rows:
        table.add_row(r.component, str(r.tickets), str(r.open_tickets), str(r.responses),
                      "-" if r.satisfaction is None else f"{r.satisfaction:.0%}", str(r.store_events),
                      f"${r.revenue_at_risk:,.2f}")
    out.print(table)
