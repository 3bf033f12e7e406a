"""`mldebt demo`: load the storefront scenario and show what mldebt finds in it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mldebt.cli.catalog import print_components, print_findings
from mldebt.cli.common import AS_OF_OPTION, out, parse_as_of, state
from mldebt.cli.drift import print_drift
from mldebt.cli.incidents import print_demo_events
from mldebt.settings import MONITORS

if TYPE_CHECKING:
    from mldebt.service.backlog import RebuildResult
    from mldebt.store.database import Store


DEMO_BACKLOG_SHOWN = 5


def print_demo_backlog(store: Store, rebuilt: RebuildResult) -> None:
    """The top of the ranked backlog, with the reasons its breakdown gives."""
    from mldebt.cli.debt import print_table as print_backlog
    from mldebt.service.backlog import backlog_page

    items, total = backlog_page(store, limit=DEMO_BACKLOG_SHOWN)
    out.print(f"Debt backlog: {total} open items ({len(rebuilt.created)} new, {len(rebuilt.resolved)} resolved "
              f"by this rebuild), priced with the scenario's costs: section; the top {len(items)} by cost of "
              "delay per hour of work (`mldebt backlog` lists them all, `mldebt debt show ID` explains one):",
              highlight=False)
    print_backlog(items, total)


DEMO_TOKEN_NAME = "demo"


def demo_token(store: Store) -> str:
    """A fresh editor token named "demo"; earlier "demo" tokens are revoked first, so their sessions end."""
    from mldebt.service.tokens import create_api_token, revoke, token_list

    for earlier in token_list(store):
        if earlier["name"] == DEMO_TOKEN_NAME and not earlier["revoked"]:
            revoke(store, earlier["id"])
    token: str = create_api_token(store, "editor", DEMO_TOKEN_NAME)["token"]
    return token


def write_demo_report(store: Store, catalog: Path, as_of: str | None) -> Path:
    """The current quarter's board report in .mldebt/: PDF when WeasyPrint loads, else HTML (saying why)."""
    from mldebt.cli.kpis import _now
    from mldebt.cli.report import ReportFormat, build_report, render, write_report
    from mldebt.errors import PdfUnavailableError
    from mldebt.report.board_pdf import load_weasyprint
    from mldebt.service.kpis import default_quarter

    now = _now(as_of)
    report = build_report(store, default_quarter(now), now, catalog=catalog)
    fmt = ReportFormat.PDF
    try:
        load_weasyprint()
    except PdfUnavailableError as exc:
        out.print(f"{exc.message}: writing the report as HTML instead", highlight=False)
        fmt = ReportFormat.HTML
    path = Path(".mldebt") / f"mldebt-report-{report.quarter}.{fmt.value}"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_report(render(report, fmt, "A4"), path)
    out.print(f"Board report for {report.quarter} (`mldebt report`): {path}", highlight=False)
    return path


def demo(
    ctx: typer.Context,
    no_serve: bool = typer.Option(False, "--no-serve", help="Only load the scenario; do not serve the dashboard."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address the dashboard listens on."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port the dashboard listens on."),
    as_of: str = AS_OF_OPTION,
) -> None:
    """Load the built-in BigCommerce storefront scenario into the store, show its debt and serve the
    dashboard with a fresh editor sign-in token (Ctrl-C stops it).

    Example:

      mldebt demo --no-serve
    """
    from mldebt.cli.scan_output import print_table
    from mldebt.demo.scenario import load_demo
    from mldebt.report.drift_html import render_drift_html

    app_state = state(ctx)
    store = app_state.store()
    result = load_demo(store, parse_as_of(as_of))
    out.print(f"Loaded the storefront scenario from {result.scenario} into {store.safe_url}", highlight=False)
    c = result.catalog.components
    out.print(f"{len(result.components)} components ({len(c.added)} new, {len(c.updated)} updated); "
              f"{len(result.catalog.health)} open inventory findings", highlight=False)
    print_components(result.components)
    print_findings(result.catalog.health)
    if result.events is not None:
        print_demo_events(result.events)
    kinds = [r.kind for r in result.reports]
    out.print(f"Order totals from the recorded BigCommerce orders: {result.order_totals} tickets and order events; "
              f"CI reports of the AI pipelines: {kinds.count('junit')} JUnit, {kinds.count('coverage')} Cobertura",
              highlight=False)
    if result.scan is not None:
        root = result.scan.results[0].root
        out.print(f"Scanned the storefront's ML code in {root} (`mldebt scan`):", highlight=False)
        print_table(result.scan)
    if result.drift is not None:
        out.print("Drift check of recs-model (clickstream, generated into .mldebt/demo-data/):", highlight=False)
        print_drift(result.drift)
        html = Path(".mldebt/recs-model-drift.html")
        html.write_text(render_drift_html(result.drift.report, "clickstream reference", "clickstream current",
                                          "recs-model"), "utf-8")
        out.print(f"HTML drift report: {html}", highlight=False)
    if result.backlog is not None:
        print_demo_backlog(store, result.backlog)
    write_demo_report(store, result.scenario / "mldebt.yaml", as_of)
    if no_serve:
        return
    from mldebt.cli.serve import run_server

    token = demo_token(store)
    store.close()
    out.print(f"Dashboard: http://{host}:{port}", highlight=False)
    out.print(f"Sign in with token: {token}", highlight=False)
    out.print("(an editor token named \"demo\"; the next `mldebt demo` revokes it. Ctrl-C stops the server.)",
              highlight=False, style="dim")
    # The demo's data is a fixed snapshot and its alert sink is not running: serve without the scheduler
    # (unless MLDEBT_MONITORS says otherwise), so its drift monitor stays due for `mldebt monitor run --due`.
    os.environ.setdefault(MONITORS.env, "off")
    run_server(ctx, host, port, result.scenario / "mldebt.yaml")
