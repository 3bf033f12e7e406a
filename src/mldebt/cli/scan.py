"""`mldebt scan PATH...` and `mldebt rules`: the static ML-debt scanner from the command line."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mldebt.cli.common import AS_OF_OPTION, check_git_span, err, out, output_option, parse_as_of, print_json, state
from mldebt.domain.finding import Severity


class ScanFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    MD = "md"


class RulesFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MD = "md"


def scan(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Folders to scan (each is stored as its own scan scope)."),
    catalog: Path = typer.Option(None, "--catalog", help="Inventory file (default: PATH/mldebt.yaml if present)."),
    config: Path = typer.Option(None, "--config", hidden=True, help="Old name of --catalog."),
    fmt: ScanFormat = typer.Option(ScanFormat.TABLE, "--format", "-f", help="table, json, sarif or md."),
    output: Path = output_option(),
    baseline: Path = typer.Option(None, "--baseline", help="Only findings not in this baseline count for --fail-on."),
    write_baseline_to: Path = output_option("Record today's fingerprints to FILE.", "--write-baseline"),
    fail_on: Severity = typer.Option(None, "--fail-on", help="Exit 1 when a (new) finding is at least this severe."),
    history: str = typer.Option(None, "--history", metavar="SPAN", help="How far back the git history counts for "
                                "hotspots: 12.months (the default), 6.weeks, 2026-01-01."),
    since: str = typer.Option(None, "--since", hidden=True, help="Old name of --history."),
    no_hotspots: bool = typer.Option(False, "--no-hotspots", help="Skip the git-history hotspot analysis."),
    no_gitignore: bool = typer.Option(False, "--no-gitignore", help="Scan files that .gitignore ignores too."),
    no_store: bool = typer.Option(False, "--no-store", help="Do not record the run in the store."),
    workers: int = typer.Option(None, "--workers", min=1, help="Processes for large trees (default: CPUs, max 4)."),
    as_of: str = AS_OF_OPTION,
) -> None:
    """Scan folders for ML-specific technical debt and tie each finding to an inventory component.

    Exit status: 0, or 1 when --fail-on finds a finding at or above that severity (with --baseline:
    only findings that are not in the baseline), 2 for a user error or when no PATH had a file to scan.

    Example:

      mldebt scan . --format sarif --output mldebt.sarif --baseline .mldebt-baseline.json --fail-on high
    """
    from mldebt.cli.scan_output import markdown, print_table
    from mldebt.scan.sarif import to_sarif
    from mldebt.service.scan import run_scan, write_baseline

    span = check_git_span(history or since, "--history")
    store = None if no_store else state(ctx).store()
    with Progress(TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                  transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("scan", total=None)
        report = run_scan(store, paths, catalog or config, baseline=baseline, fail_on=fail_on,
                          progress=lambda done, total: progress.update(task, completed=done, total=total),
                          as_of=parse_as_of(as_of), since=span, workers=workers, hotspots=not no_hotspots,
                          gitignore=not no_gitignore)
    if write_baseline_to is not None:
        write_baseline(write_baseline_to, report.findings)
        err.print(f"wrote {len(report.findings)} fingerprints to {write_baseline_to}", markup=False, highlight=False)
    if fmt == ScanFormat.TABLE and output is None:
        print_table(report)
    else:
        text = {ScanFormat.JSON: lambda: json.dumps(report.to_dict(), indent=2, default=str),
                ScanFormat.SARIF: lambda: json.dumps(to_sarif(report.results, report.baseline), indent=2),
                ScanFormat.MD: lambda: markdown(report)}.get(fmt, lambda: markdown(report))() + "\n"
        if output is not None:
            output.write_text(text, encoding="utf-8")
            err.print(f"wrote {fmt} report to {output}", markup=False, highlight=False)
        else:
            sys.stdout.write(text)
    empty = [r.nothing_scanned for r in report.results if r.nothing_scanned]
    for reason in empty:
        err.print(f"warning: no file scanned: {reason}", markup=False, highlight=False)
    if empty and len(empty) == len(report.results):
        raise typer.Exit(2)  # a scan that read nothing is not a pass
    failing = report.failing()
    if failing:
        err.print(f"{len(failing)} {'new ' if report.baseline is not None else ''}finding(s) at or above "
                  f"{fail_on}: failing (--fail-on {fail_on})", markup=False, highlight=False)
        raise typer.Exit(1)


def rules(fmt: RulesFormat = typer.Option(RulesFormat.TABLE, "--format", "-f", help="table, json or md.")) -> None:
    """List the scanner's rules: id, severity, effort and why each is debt (md regenerates docs/rules.md).

    Example:

      mldebt rules --format md > docs/rules.md
    """
    from mldebt.scan.rules import RULES, rules_markdown

    if fmt == RulesFormat.MD:
        sys.stdout.write(rules_markdown() + "\n")
        return
    if fmt == RulesFormat.JSON:
        print_json([r.to_dict() for r in RULES.values()])
        return
    table = Table(title="Scanner rules", title_justify="left")
    for column in ("id", "name", "family", "severity", "effort (min)"):
        table.add_column(column)
    for r in RULES.values():
        table.add_row(r.id, r.name, r.family, str(r.severity), str(r.effort_minutes))
    out.print(table)

