"""`mldebt monitor ...`: run the inventory's monitors, list their schedules, find the noisy ones,
acknowledge an alert, and a local Alertmanager-like sink to watch alerts arrive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from mldebt.cli.common import FORMAT_OPTION, OutputFormat, cli_actor, out, print_json, state, styled
from mldebt.errors import UserInputError
from mldebt.settings import CATALOG_FILE

app = typer.Typer(help="Monitors: drift, model quality and SLOs on a schedule, and their alerts.",
                  no_args_is_help=True)

CATALOG_OPTION = typer.Option(None, "--catalog", help="Inventory with the monitors (default: $MLDEBT_CATALOG "
                              "or ./mldebt.yaml).")
COMPONENT_OPTION = typer.Option(None, "--component", "-c", help="Only this component's monitors.")
STATUS_STYLE = {"ok": "green", "breach": "bold red", "error": "yellow", "running": "cyan", "abandoned": "dim",
                "firing": "bold red", "resolved": "green", "sent": "green", "failed": "red", "suppressed": "dim",
                "folded": "yellow"}


def _catalog(path: Path | None) -> Path:
    return path or Path(CATALOG_FILE.value())


def _status(value: object) -> Any:
    return styled(value, STATUS_STYLE.get(str(value), ""))


@app.command("run")
def run(
    ctx: typer.Context,
    component: str = COMPONENT_OPTION,
    due: bool = typer.Option(False, "--due", help="Only the monitors that are due (what `mldebt serve` runs "
                             "on schedule); default: every enabled monitor, now."),
    catalog: Path = CATALOG_OPTION,
    fail_on_breach: bool = typer.Option(False, "--fail-on-breach", help="Exit 1 when a monitor breached or "
                                        "could not check (a gate for CI or cron)."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Run monitors now and send the alerts they raise.

    Example:

      mldebt monitor run --due
      mldebt monitor run --component recs-api --format json --fail-on-breach
    """
    from mldebt.service.monitoring import run_now

    with out.status("running monitors", spinner="dots"):
        report = run_now(state(ctx).store(), _catalog(catalog), component=component, due_only=due)
    if fmt == OutputFormat.JSON:
        print_json(report.to_dict())
    else:
        _print_runs(report.to_dict(), due)
    if fail_on_breach and report.tripped:
        raise typer.Exit(1)


def _print_runs(data: dict[str, Any], due: bool) -> None:
    if not data["runs"]:
        out.print("no monitor was due" if due else "no monitors to run", highlight=False)
        return
    table = Table("monitor", "kind", "status", "summary", "evidence", title="Monitor runs")
    for run in data["runs"]:
        table.add_row(run["key"], run["kind"], _status(run["status"]), styled(run["summary"]),
                      styled(run["evidence_url"] or "-"))
    out.print(table)
    if data["deliveries"]:
        sent = Table("channel", "component", "message", "status", "alerts", "reason", title="Alerts")
        for d in data["deliveries"]:
            sent.add_row(styled(d.get("channel")), styled(d.get("component")), styled(d.get("kind")),
                         _status(d.get("status")), str(d.get("alert_count", 1)), styled(d.get("reason") or ""))
        out.print(sent)


@app.command("list")
def list_(ctx: typer.Context, component: str = COMPONENT_OPTION, catalog: Path = CATALOG_OPTION,
          fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Every monitor: its schedule, last result and next run.

    Example:

      mldebt monitor list
    """
    from mldebt.service.monitoring import list_monitors

    rows = list_monitors(state(ctx).store(), _catalog(catalog), component)
    if fmt == OutputFormat.JSON:
        print_json(rows)
        return
    table = Table("monitor", "kind", "every", "last result", "summary", "last run", "next run", title="Monitors")
    for r in rows:
        last = r["last"] or {}
        every = r["every"] if r["enabled"] else f"{r['every']} (disabled)"
        table.add_row(styled(r["key"]), r["kind"], every, _status(last.get("status") or "never"),
                      styled(last.get("summary") or ""), (last.get("finished_at") or "-")[:19],
                      (r["next_due_at"] or "-")[:19] if r["enabled"] else "-")
    out.print(table)


@app.command("noise")
def noise(ctx: typer.Context, days: int = typer.Option(30, "--days", min=1, max=366, help="Look back this many days."),
          fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Which monitors fire most, and how often an alert led to action (acknowledged, retrained, debt resolved).

    Example:

      mldebt monitor noise --days 7
    """
    from mldebt.service.monitor_view import monitor_noise

    rows = monitor_noise(state(ctx).store(), days=days)
    if fmt == OutputFormat.JSON:
        print_json(rows)
        return
    table = Table("monitor", "fired", "notified", "folded", "suppressed", "acknowledged", "retrained",
                  "debt resolved", "action rate", title=f"Noisy monitors, last {days} days")
    for r in rows:
        rate = r.get("action_rate")
        table.add_row(r["key"], str(r["fired"]), str(r["notified"]), str(r["folded"]), str(r["suppressed"]),
                      str(r["acknowledged"]), str(r["retrained"]), str(r["debt_resolved"]),
                      "-" if rate is None else f"{rate:.0%}")
    out.print(table)


@app.command("ack")
def ack(ctx: typer.Context, key: str = typer.Argument(..., metavar="COMPONENT/MONITOR"),
        by: str = typer.Option(None, "--by", help="Who acknowledges (default: cli:<user>).")) -> None:
    """Acknowledge a firing alert: someone is on it (counted as action in `mldebt monitor noise`).

    Example:

      mldebt monitor ack recs-api/lag
    """
    import datetime as dt

    from mldebt.service.alerting import acknowledge
    from mldebt.service.units import direct_units

    acknowledge(direct_units(state(ctx).store()), key, by or cli_actor(), dt.datetime.now(dt.UTC))
    out.print(f"{key} acknowledged", highlight=False)


@app.command("sink")
def sink(host: str = typer.Option("127.0.0.1", "--host"),
         port: int = typer.Option(9094, "--port", min=0, max=65535),
         stop_after: str = typer.Option(None, "--stop-after", metavar="DURATION",
                                        help="Stop after this long (30s, 5m); default: run until Ctrl-C.")) -> None:
    """A local Alertmanager-like receiver (POST/GET /api/v2/alerts) that prints every alert it gets.

    Point a channel at it to watch alerts without a real Alertmanager:
    `{name: local, kind: alertmanager, url: http://127.0.0.1:9094}`.

    Example:

      mldebt monitor sink --port 9094
    """
    from mldebt.domain.monitoring import parse_duration
    from mldebt.integrations.alert_sink import SinkAlert, start_sink

    try:
        limit = parse_duration(stop_after).total_seconds() if stop_after else None
    except ValueError as exc:
        raise UserInputError(f"--stop-after: {exc}") from None

    def show(alert: SinkAlert) -> None:
        out.print(styled(alert.line()), soft_wrap=True)
        out.file.flush()  # one line per alert as it arrives, also into a file or a pipe

    server, thread = start_sink(host, port, on_alert=show)
    out.print(f"alert sink on {server.url}/api/v2/alerts (Ctrl-C stops)", highlight=False)
    try:
        thread.join(limit)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
