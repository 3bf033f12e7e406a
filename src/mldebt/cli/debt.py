"""`mldebt backlog` and `mldebt debt add|show|set`: the ranked debt backlog and its items by hand.

Thin wrappers over `service.backlog`; changes made here are recorded as `cli:<OS user>`.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from mldebt.cli.common import AS_OF_OPTION, FORMAT_OPTION, OutputFormat, out, parse_as_of, print_json, state, styled
from mldebt.cli.common import cli_actor as actor
from mldebt.errors import UserInputError
from mldebt.metrics.money import format_hours_range, format_money_range

app = typer.Typer(help="Debt items by hand: add, show, set status, owner, effort, acceptance.", no_args_is_help=True)

REASONS_SHOWN = 2
OPTION_OF = {"accepted_reason": "--reason", "accepted_until": "--until", "effort": "--effort", "status": "--status",
             "owner": "--owner", "category": "--category", "title": "--title", "description": "--description"}


class BacklogFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MD = "md"


def when(as_of: str | None) -> dt.datetime:
    """Now, or the start of the `--as-of` day (UTC)."""
    if as_of is None:
        return dt.datetime.now(dt.UTC)
    return dt.datetime.combine(parse_as_of(as_of), dt.time(), dt.UTC)


def money_range(low: float, high: float, currency: str, per: str = "week") -> str:
    """`$1.2k-3.4k/week`: two significant figures, never cents (the estimate has no such precision)."""
    return format_money_range(low, high, currency, per)


def hours_range(effort: dict[str, float]) -> str:
    return format_hours_range(effort["low_hours"], effort["high_hours"])


def reasons(item: dict[str, Any], count: int = REASONS_SHOWN) -> list[str]:
    """The breakdown's top reasons (largest first), as the scoring wrote them."""
    found = (item.get("breakdown") or {}).get("reasons") or []
    return [str(reason) for reason in found[:count]]


def _row(item: dict[str, Any]) -> list[str]:
    interest, priority = item["interest"], item["priority"]
    return [str(item["id"]), item["title"], item["component"], item["category"], item["status"],
            hours_range(item["effort"]), money_range(interest["low"], interest["high"], interest["currency"]),
            money_range(priority["low"], priority["high"], interest["currency"], "week per hour"),
            f"{item['risk']:.2g}", "; ".join(reasons(item)) or "-"]


HEADERS = ["id", "title", "component", "category", "status", "effort", "interest", "priority", "risk", "why"]


WIDE = {"title": 28, "why": 40}  # the two columns of prose get room; the figures keep theirs


def print_table(items: list[dict[str, Any]], total: int) -> None:
    table = Table(title=f"Debt backlog by priority ({len(items)} of {total})")
    for header in HEADERS:
        table.add_column(header, min_width=WIDE.get(header), no_wrap=header not in WIDE)
    for item in items:
        table.add_row(*(styled(cell) for cell in _row(item)))
    out.print(table)


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown(items: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(_md_cell(cell) for cell in _row(item)) + " |" for item in items]
    return "\n".join(lines) + "\n"


def _catalog_rates(catalog: Path | None) -> Any:
    from mldebt.service.backlog import load_rates
    from mldebt.settings import CATALOG_FILE

    return load_rates(catalog if catalog is not None else Path(CATALOG_FILE.value()))


CATALOG_OPTION = typer.Option(None, "--catalog", help="Inventory whose `costs:` price the debt (default: "
                              "./mldebt.yaml when present, else the default rates).")


def backlog(
    ctx: typer.Context,
    component: str = typer.Option(None, "--component", "-c", help="Only this component."),
    category: str = typer.Option(None, "--category", help="Only this category (code, data, model, ...)."),
    status: list[str] = typer.Option(None, "--status", help="Only these statuses (repeatable; default: open, "
                                     "planned, in-progress)."),
    limit: int = typer.Option(50, "--limit", min=1, max=500, help="At most this many items."),
    fmt: BacklogFormat = typer.Option(BacklogFormat.TABLE, "--format", "-f", help="table, json or md."),
    no_rebuild: bool = typer.Option(False, "--no-rebuild", help="List the stored items without rebuilding them."),
    catalog: Path = CATALOG_OPTION,
    as_of: str = AS_OF_OPTION,
) -> None:
    """The debt backlog, by priority (cost of delay per week / effort): rebuilt from the findings first.

    Each row shows the effort range, the interest (cost of delay) per week, the priority, the risk and
    the top reasons of its breakdown; `--format json` has the full breakdown of every item.

    Example:

      mldebt backlog --component order-bot-nlp --status open --status planned --format md
    """
    from mldebt.service.backlog import backlog_page, rebuild_backlog
    from mldebt.service.components import require_component
    from mldebt.service.debt_view import check_category, check_statuses

    now = when(as_of)
    statuses = check_statuses(status or None)
    check_category(category, "--category")
    store = state(ctx).store()
    require_component(store, component)
    if not no_rebuild:
        rebuild_backlog(store, now, _catalog_rates(catalog))  # automatic decisions: recorded as `mldebt`
    items, total = backlog_page(store, component, category, statuses, limit, 0, now)
    if fmt == BacklogFormat.JSON:
        print_json({"items": items, "total": total, "limit": limit, "offset": 0})
    elif fmt == BacklogFormat.MD:
        sys.stdout.write(markdown(items))
    else:
        print_table(items, total)


@app.command("add")
def add(
    ctx: typer.Context,
    title: str = typer.Argument(..., help="What is owed, in a few words."),
    component: str = typer.Option(..., "--component", "-c", help="The inventory component it belongs to."),
    category: str = typer.Option(..., "--category", help="code, data, model, infrastructure, dependencies, tests, "
                                 "documentation or governance."),
    effort: str = typer.Option(..., "--effort", help="Remediation effort in hours, LOW-HIGH (e.g. 4-12)."),
    owner: str = typer.Option(None, "--owner", help="Who owns paying it down."),
    description: str = typer.Option(None, "--description", help="Longer text."),
    fmt: OutputFormat = FORMAT_OPTION,
    as_of: str = AS_OF_OPTION,
) -> None:
    """Add a debt item by hand (source `manual`; it never resolves itself).

    Example:

      mldebt debt add "Replace the feature store" --component recs-model --category infrastructure --effort 16-40
    """
    from mldebt.service.backlog import add_debt
    from mldebt.service.debt_edit import parse_effort

    estimate = parse_effort(effort, "--effort")
    item = add_debt(state(ctx).store(), title, component, category, estimate.low_hours, estimate.high_hours, actor(),
                    when(as_of), owner=owner, description=description)
    if fmt == OutputFormat.JSON:
        print_json(item)
    else:
        out.print(styled(f"added debt item {item['id']}: {item['title']} ({item['component']}, "
                         f"{hours_range(item['effort'])})"))


def print_item(item: dict[str, Any]) -> None:
    interest = item["interest"]
    out.print(styled(f"#{item['id']} {item['title']}", "bold"))
    for label, value in (
            ("component", item["component"]), ("category", item["category"]), ("source", item["source"]),
            ("severity", item["severity"]), ("status", item["status"]), ("owner", item["owner"] or "-"),
            ("effort", hours_range(item["effort"])),
            ("interest", money_range(interest["low"], interest["high"], interest["currency"])),
            ("priority", f"{item['priority']['value']:.3g} ({item['priority']['low']:.3g}-"
                         f"{item['priority']['high']:.3g}) per hour of effort"),
            ("risk", f"{item['risk']:.2g}"), ("fixed by", item["fixed_by"] or "-"),
            ("accepted", f"{item['accepted']['reason']} (until {item['accepted']['until']})"
             if item["accepted"]["until"] else "-"),
            ("first seen", item["first_seen_at"]), ("age", f"{item['age_days']} days")):
        out.print(styled(f"  {label:<11}{value}"))
    if item["description"]:
        out.print(styled(f"  {item['description']}"))
    summary = (item["breakdown"] or {}).get("summary")
    if summary or reasons(item, 5):
        out.print(styled("Why", "bold"))
        for line in ([summary] if summary else []) + reasons(item, 5):
            out.print(styled(f"  - {line}"))
    defaults = (item["breakdown"] or {}).get("defaults_used")
    if defaults:
        out.print(styled(f"  rates left at their defaults (set them under `costs:`): {', '.join(map(str, defaults))}"))
    out.print(styled(f"Evidence ({item['evidence_count']})", "bold"))
    for entry in item["evidence"]:
        out.print(styled(f"  {entry['kind']} {entry['ref']}: {entry['summary']}"))
    if item["evidence_count"] > len(item["evidence"]):
        out.print(styled(f"  ... and {item['evidence_count'] - len(item['evidence'])} more"))
    out.print(styled("History", "bold"))
    for change in item.get("history", []):
        fields = ", ".join(f"{name} {old!r} -> {new!r}" for name, (old, new) in change["changes"].items()
                           if name != "evidence_count" or change["action"] != "created")
        note = f" ({change['note']})" if change["note"] else ""
        out.print(styled(f"  {change['at']} {change['actor']} {change['action']}{note}: {fields or '-'}"))


@app.command("show")
def show(ctx: typer.Context, item_id: int = typer.Argument(..., metavar="ID", help="The item's id."),
         fmt: OutputFormat = FORMAT_OPTION) -> None:
    """One debt item with its evidence, breakdown and history.

    Example:

      mldebt debt show 12 --format json
    """
    from mldebt.service.backlog import show_item

    item = show_item(state(ctx).store(), item_id)
    if fmt == OutputFormat.JSON:
        print_json(item)
    else:
        print_item(item)


@app.command("set")
def set_(
    ctx: typer.Context,
    item_id: int = typer.Argument(..., metavar="ID", help="The item's id."),
    status: str = typer.Option(None, "--status", help="open, planned, in-progress, resolved or accepted."),
    owner: str = typer.Option(None, "--owner", help="Who owns it (an empty string clears it)."),
    reason: str = typer.Option(None, "--reason", help="Why the debt is accepted (with --status accepted)."),
    until: str = typer.Option(None, "--until", metavar="YYYY-MM-DD", help="When an acceptance expires (at most a "
                              "year ahead)."),
    effort: str = typer.Option(None, "--effort", help="Remediation effort in hours, LOW-HIGH (kept by rebuilds)."),
    category: str = typer.Option(None, "--category", help="Another category."),
    title: str = typer.Option(None, "--title", help="A new title (items added by hand only)."),
    description: str = typer.Option(None, "--description", help="A new description (items added by hand only)."),
    fmt: OutputFormat = FORMAT_OPTION,
    as_of: str = AS_OF_OPTION,
) -> None:
    """Change an item's status, owner, effort or category; every change is kept in its history.

    Example:

      mldebt debt set 12 --status accepted --reason "retired in Q1" --until 2027-03-31
      mldebt debt set 7 --status in-progress --owner ana --effort 6-10
    """
    from mldebt.service.backlog import update_debt

    changes: dict[str, Any] = {}
    for name, value in (("status", status), ("owner", owner), ("accepted_reason", reason),
                        ("accepted_until", until), ("effort", effort), ("category", category), ("title", title),
                        ("description", description)):
        if value is not None:
            changes[name] = value
    if not changes:
        raise UserInputError("nothing to change: give --status, --owner, --effort, --category (or --reason/--until)")
    try:
        item = update_debt(state(ctx).store(), item_id, changes, actor(), when(as_of))
    except UserInputError as exc:  # name the option, not the service's field
        for name, option in OPTION_OF.items():
            if exc.message.startswith(f"{name}:"):
                raise UserInputError(option + exc.message[len(name):], exc.details) from None
        raise
    if fmt == OutputFormat.JSON:
        print_json(item)
    else:
        out.print(styled(f"debt item {item['id']}: {item['status']}, owner {item['owner'] or '-'}, "
                         f"{hours_range(item['effort'])}"))
