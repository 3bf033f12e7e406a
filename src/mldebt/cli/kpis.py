"""`mldebt kpis`, `mldebt review`, `mldebt reviews`: the quarter's KPIs against the previous quarter,
and the quarterly review that freezes them (docs/kpis.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from mldebt.cli.common import FORMAT_OPTION, OutputFormat, cli_actor, out, parse_as_of, print_json, state, styled
from mldebt.metrics.money import format_money

QUARTER_HELP = "Quarter as YYYYQN, e.g. 2026Q4 (default: the quarter of --as-of, or of today)."
AS_OF_OPTION = typer.Option(None, "--as-of", metavar="YYYY-MM-DD",
                            help="Compute as of the end of this day (UTC) instead of now.")


def _now(as_of: str | None) -> dt.datetime:
    """--as-of DAY: the end of that day (UTC); without it, now."""
    if as_of is None:
        return dt.datetime.now(dt.UTC)
    return dt.datetime.combine(parse_as_of(as_of) + dt.timedelta(days=1), dt.time(), dt.UTC)


def money(value: float, currency: str | None) -> str:
    return format_money(value, currency or "USD")


def number(value: Any, unit: str) -> str:
    from mldebt.metrics.kpis.base import format_value

    return "-" if value is None else format_value(value, unit)


def _details(kpi: dict[str, Any]) -> str:
    """The KPI's secondary numbers in words: ranges as low-high, hours in h, money rounded."""
    d = kpi.get("details") or {}
    parts = []
    if "median_hours" in d:
        parts.append(f"median {number(d['median_hours'], 'hours')}, {d['resolved_intervals']} resolved")
    if "effort_low_hours" in d and kpi["value"]:
        parts.append(f"{d['effort_low_hours']:g}-{d['effort_high_hours']:g} h effort")
        parts.append(f"{money(d['interest_low'], d['currency'])}-{money(d['interest_high'], d['currency'])}/week "
                     f"+ {d['interest_hours']:g} h/week")
        if d.get("median_age_days") is not None:
            parts.append(f"median age {d['median_age_days']:g} d")
    if "all_tickets" in d:
        parts.append(f"{number(d['share'], 'share')} of {d['all_tickets']} tickets")
    if "models" in d:
        parts.append(f"{d['retrained']} of {d['models']} models")
    if "passed" in d:
        parts.append(f"{d['passed']} passed of {d['tests'] - d['skipped']} run, {d['reports']} report(s)")
    if "lines_valid" in d and "components" in d:
        parts.append(f"{d['lines_covered']}/{d['lines_valid']} lines, {d['components']} component(s)")
    if "automated" in d:
        parts.append(f"{d['automated']} automated, {d['manual']} manual of {d['resolved']} resolved")
    if "responses" in d:
        parts.append(f"{d['responses']} answers, {d['features']} feature(s)")
    if "runs" in d:
        parts.append(f"of {d['runs']} drift runs")
    return "; ".join(parts)


def change_text(kpi: dict[str, Any]) -> Text:
    """An arrow for the direction of the change, green when it is good, red when it is bad."""
    value, previous = kpi["value"], kpi["previous"]
    if value is None or previous is None:
        return styled("-", "dim")
    arrow = "↑" if value > previous else "↓" if value < previous else "→"
    good = kpi["change_is_good"]
    return styled(arrow, "dim" if good is None else "green" if good else "red")


def print_kpis(report: dict[str, Any]) -> None:
    period = report["period"]
    title = f"KPIs {report['quarter']} ({period['start'][:10]} to {period['as_of'][:10]}" + (
        ")" if period["complete"] else ", running)")
    table = Table("KPI", "value", report["previous"]["quarter"], "", "details", title=title)
    for kpi in report["kpis"]:
        table.add_row(styled(kpi["name"]), number(kpi["value"], kpi["unit"]), number(kpi["previous"], kpi["unit"]),
                      change_text(kpi), styled(_details(kpi)))
    out.print(table)
    source = report["previous"]
    if source["source"] == "snapshot":
        out.print(f"{source['quarter']} values from its review frozen {source['taken_at'][:16]}")
    if report.get("frozen"):
        out.print(f"{report['quarter']} was frozen {report['frozen']['taken_at'][:16]} by {report['frozen']['actor']}")


def print_by_component(report: dict[str, Any]) -> None:
    """One row per component, one column per KPI: each KPI's value for that component."""
    kpis = report["kpis"]
    names = sorted({name for kpi in kpis for name in kpi.get("by_component") or {}})
    table = Table("component", *(kpi["id"] for kpi in kpis), title=f"KPIs {report['quarter']} per component")
    for name in names:
        cells = [number(((kpi.get("by_component") or {}).get(name) or {}).get("value"), kpi["unit"]) for kpi in kpis]
        table.add_row(styled(name), *cells)
    out.print(table)


def kpis(ctx: typer.Context, quarter: str = typer.Option(None, "--quarter", "-q", help=QUARTER_HELP),
         by_component: bool = typer.Option(False, "--by-component", help="Also show each KPI per component."),
         as_of: str = AS_OF_OPTION, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """The quarter's KPIs with the previous quarter's value and whether the change is good.

    Example:

      mldebt kpis
      mldebt kpis --quarter 2026Q3 --by-component
      mldebt kpis --format json
    """
    from mldebt.service.kpis import compute_kpis, default_quarter

    now = _now(as_of)
    report = compute_kpis(state(ctx).store(), quarter or default_quarter(now), now).to_dict()
    if fmt == OutputFormat.JSON:
        print_json(report)
        return
    print_kpis(report)
    if by_component:
        print_by_component(report)


def review(ctx: typer.Context,
           quarter: str = typer.Option(..., "--quarter", "-q", help="Quarter to freeze as YYYYQN, e.g. 2026Q4."),
           actor: str = typer.Option(None, "--actor", help="Who freezes it (default: cli:<user name>)."),
           as_of: str = AS_OF_OPTION, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Freeze the quarter's KPIs and backlog into a review snapshot, once (exit 2 if already frozen).

    Example:

      mldebt review --quarter 2026Q4
    """
    from mldebt.service.review import freeze_review

    frozen = freeze_review(state(ctx).store(), quarter, _now(as_of), actor or cli_actor())
    if fmt == OutputFormat.JSON:
        print_json(frozen)
        return
    print_kpis(frozen["kpis"])
    period = frozen["kpis"]["period"]
    if not period["complete"]:
        out.print(f"note: {frozen['quarter']} was still running (frozen as of {period['as_of'][:16]}, it ends "
                  f"{period['end'][:10]})")
    out.print(f"froze {frozen['quarter']} at {frozen['taken_at'][:16]} by {frozen['actor']}: "
              f"{len(frozen['kpis']['kpis'])} KPIs, {frozen['backlog']['total']} active backlog item(s)")


def reviews(ctx: typer.Context,
            quarter: str = typer.Option(None, "--quarter", "-q", help="Show this frozen review (YYYYQN)."),
            fmt: OutputFormat = FORMAT_OPTION) -> None:
    """List the frozen quarterly reviews, or show one with --quarter.

    Example:

      mldebt reviews
      mldebt reviews --quarter 2026Q3 --format json
    """
    from mldebt.service.review import get_review, list_reviews

    store = state(ctx).store()
    if quarter is not None:
        frozen = get_review(store, quarter)
        if fmt == OutputFormat.JSON:
            print_json(frozen)
        else:
            print_kpis(frozen["kpis"])
            out.print(f"frozen {frozen['taken_at'][:16]} by {frozen['actor']}; "
                      f"{frozen['backlog'].get('total')} active backlog item(s)")
        return
    rows = list_reviews(store)
    if fmt == OutputFormat.JSON:
        print_json(rows)
        return
    table = Table("quarter", "frozen at", "by", "backlog items")
    for row in rows:
        table.add_row(row["quarter"], row["taken_at"][:16], styled(row["actor"]), str(row["backlog"]["total"]))
    out.print(table)
    if not rows:
        out.print("no frozen reviews (`mldebt review --quarter YYYYQN`)")
