"""`mldebt drift` and `mldebt retrain ...`: drift checks and the retrain triggers they fire."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from mldebt.cli.common import (
    FORMAT_OPTION,
    DataConsole,
    OutputFormat,
    err,
    out,
    output_option,
    print_json,
    severity_text,
    state,
    styled,
)
from mldebt.cli.drift_estimates import estimates_cell
from mldebt.cli.drift_multivariate import multivariate_cell, print_multivariate
from mldebt.errors import UserInputError
from mldebt.settings import CATALOG_FILE

if TYPE_CHECKING:
    from mldebt.drift.report import DriftReport
    from mldebt.service.drift import DriftOutcome


class DriftFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    HTML = "html"


def _pairs(values: list[str], option: str) -> dict[str, str]:
    """COLUMN=VALUE pairs as typed; the drift policy checks the values (`mldebt.drift.policy`)."""
    pairs: dict[str, str] = {}
    for value in values:
        column, sep, setting = value.partition("=")
        if not sep or not column or not setting:
            raise UserInputError(f"{option} {value}: expected COLUMN=VALUE")
        if column in pairs:
            raise UserInputError(f"{option} {value}: {column!r} already set ({option} {column}={pairs[column]})")
        pairs[column] = setting
    return pairs


def drift(
    ctx: typer.Context,
    reference: Path = typer.Argument(..., help="Reference data (CSV or Parquet): what the model was trained on."),
    current: Path = typer.Argument(None, help="Current data (CSV or Parquet): what it sees now."),
    component: str = typer.Option(None, "--component", "-c", help="Component in mldebt.yaml: its schema and policy "
                                  "apply, the run is stored, findings recorded and its retrain trigger fired."),
    catalog: Path = typer.Option(None, "--catalog", help="Inventory file: its drift policy applies (default with "
                                 "--component: ./mldebt.yaml)."),
    columns: str = typer.Option(None, "--columns", help="Comma-separated columns to compare (default: all shared)."),
    method: list[str] = typer.Option([], "--method", metavar="COL=NAME", help="Per-column method (repeatable)."),
    threshold: list[str] = typer.Option([], "--threshold", metavar="COL=VALUE", help="Per-column threshold."),
    label: str = typer.Option(None, "--label", help="Column with the true label: model quality per period."),
    prediction: str = typer.Option(None, "--prediction", help="Column with the model's prediction (or score)."),
    score: list[str] = typer.Option([], "--score", metavar="COL", help="Probability column for "
                                    "--estimate-performance: P(positive), or one per class in class order."),
    estimate_performance: bool = typer.Option(False, "--estimate-performance", help="Estimate model quality per "
                                              "chunk without labels (CBPE); needs --prediction, --score, --label."),
    segment_by: str = typer.Option(None, "--segment-by", help="Drift per value of this column (store, channel)."),
    window: str = typer.Option(None, "--window", help="Cut current into windows (1d, 1w, 12h): drift over time."),
    timestamp: str = typer.Option(None, "--timestamp", help="Timestamp column for --window (default: the first)."),
    fmt: DriftFormat = typer.Option(DriftFormat.TABLE, "--format", "-f", help="table, json or html."),
    output: Path = output_option("Write the report to this file instead of stdout."),
    fail_on_drift: bool = typer.Option(False, "--fail-on-drift", help="Exit 1 when the dataset drifted (or, with "
                                       "--multivariate, a chunk alerted)."),
    multivariate: bool = typer.Option(False, "--multivariate", help="Multivariate drift per chunk: PCA fitted on "
                                      "the reference, reconstruction error of current (changed correlations)."),
    reference_profile: Path = typer.Option(None, "--reference-profile", help="Reference profile JSON (mldebt "
                                           "profile --output); the one argument is then CURRENT (data or profile)."),
) -> None:
    """Compare current data with a reference: drift per column, data quality, a dataset verdict.

    Exit status: 0 no dataset drift (or no --fail-on-drift), 1 drift with --fail-on-drift (dataset drift, or
    multivariate drift with --multivariate), 2 bad input.

    Example:

      mldebt drift train.parquet today.csv --component recs-model --format json
    """
    from mldebt.service.drift import DriftRequest, run_drift

    if reference_profile is not None:
        from mldebt.cli.drift_profiles import run_profile_drift

        return run_profile_drift(reference_profile, reference, fmt == DriftFormat.JSON, output, fail_on_drift)
    if current is None:
        raise UserInputError("missing CURRENT: give REFERENCE CURRENT, or --reference-profile REF.json CURRENT")
    if score and not estimate_performance:
        raise UserInputError(f"--score {score[0]}: scores are read by --estimate-performance only; add it")
    thresholds: dict[str, float | str] = dict(_pairs(threshold, "--threshold"))  # as typed: the policy checks them
    request = DriftRequest(
        reference=reference, current=current, component=component,
        catalog=(catalog or Path(CATALOG_FILE.value())) if component else catalog,
        columns=[c.strip() for c in columns.split(",") if c.strip()] if columns else None,
        methods=_pairs(method, "--method"), thresholds=thresholds, label=label,
        prediction=prediction, segment_by=segment_by, window=window, timestamp=timestamp,
        scores=list(score) or None, estimate_performance=estimate_performance,
        multivariate=multivariate,
    )
    with err.status(styled(f"comparing {current} with {reference}")):
        outcome = run_drift(state(ctx).store() if component else None, request)
    if fmt == DriftFormat.JSON:
        _emit(output, _json(outcome))
    elif fmt == DriftFormat.HTML:
        from mldebt.report.drift_html import render_drift_html

        target = output or Path("drift-report.html")
        target.write_text(render_drift_html(outcome.report, str(reference), str(current), component), "utf-8")
        err.print(f"wrote {target}", highlight=False, markup=False)
    elif output is not None:
        with output.open("w", encoding="utf-8") as stream:
            print_drift(outcome, DataConsole(file=stream, width=160, no_color=True))
    else:
        print_drift(outcome)
    if outcome.report.errors:
        raise UserInputError(outcome.report.errors[0])
    if fail_on_drift and (outcome.report.dataset_drift or (outcome.report.multivariate or {}).get("drifted")):
        raise typer.Exit(1)


def _json(outcome: DriftOutcome) -> str:
    return json.dumps(outcome.to_dict(), indent=2, default=str) + "\n"


def _emit(output: Path | None, text: str) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, "utf-8")


def print_drift(outcome: DriftOutcome, console: DataConsole = out) -> None:
    report = outcome.report
    table = Table(title="Drift by column (largest effect first)", title_justify="left")
    for name in ("column", "type", "method", "statistic", "p-value", "adjusted p", "effect", "drift", "note"):
        table.add_column(name, justify="right" if name in ("statistic", "p-value", "adjusted p", "effect") else "left")
    for c in sorted(report.columns, key=lambda c: -(c.effect or 0.0) if c.method else 1.0):
        # Column names, categories and notes are data: the console never reads a string as markup.
        table.add_row(c.name, c.type, c.method or "-", _g(c.statistic), _g(c.pvalue), _g(c.adjusted_pvalue),
                      f"{_g(c.effect)} {c.effect_measure or ''}".strip(), styled("DRIFT", "red") if c.drifted else "no",
                      c.note or "")
    console.print(table)
    verdict = styled("dataset drift", "red") if report.dataset_drift else styled("no dataset drift")
    console.print(verdict, f": {len(report.drifted_columns)} of {sum(1 for c in report.columns if c.method)} tested "
                  f"columns drifted (share {report.drift_share:.2f}, threshold {report.drift_share_threshold:g}); "
                  f"{report.n_reference} reference rows, {report.n_current} current rows", sep="")
    if report.quality:
        quality = Table(title="Data quality", title_justify="left")
        for name in ("severity", "rule", "column", "message"):
            quality.add_column(name)
        for q in report.quality:
            quality.add_row(severity_text(q.severity), f"{q.rule_id} {q.name}", q.column or "-", q.message)
        console.print(quality)
    _print_extras(report, console)
    if report.multivariate:
        print_multivariate(report.multivariate, console)
    if outcome.run_id is not None:
        console.print(f"stored as drift run {outcome.run_id} of {outcome.component}; "
                      f"{len(outcome.findings)} finding(s)", highlight=False)
    for r in outcome.retrain:
        console.print(f"retrain {r.component}: {r.mode} -> {r.status}"
                      + (f" (request {r.request_id})" if r.request_id else ""), highlight=False)


def _print_extras(report: DriftReport, console: DataConsole) -> None:
    """Text columns, model quality, segments and windows, when the run has them."""
    for t in report.text:
        console.print(f"text {t['name']}: new-token rate {t['oov_rate']:.1%} (reference "
                      f"{t['reference_oov_rate']:.1%}), tokens per document {t['mean_tokens_reference']:.1f} -> "
                      f"{t['mean_tokens_current']:.1f}, token JS distance {t['token_jensenshannon']:.3f}; "
                      f"new tokens: {', '.join(t['new_tokens'][:5])}", highlight=False, markup=False)
    if report.performance:
        p = report.performance
        names = [k for k, v in p["current"].items() if isinstance(v, float)]
        table = Table(title=f"Model quality ({p['current']['task']})", title_justify="left")
        for name in ("metric", "reference", "current", "change"):
            table.add_column(name, justify="left" if name == "metric" else "right")
        for name in names:
            table.add_row(name, _g(p["reference"].get(name)), _g(p["current"][name]), _g(p["change"].get(name)))
        console.print(table)
        for b in p["breaches"]:
            console.print(f"{b['metric']} = {b['value']:.4g} is outside its inventory bound", style="red")
    if report.estimated_performance:
        from mldebt.cli.drift_estimates import print_estimates

        print_estimates(report.estimated_performance, console)
    for title, rows, key in (("Drift per segment", report.segments, "segment"),
                             ("Drift per window", report.windows, "window_start")):
        if not rows:
            continue
        table = Table(title=title, title_justify="left")
        multivariate = any("multivariate" in r for r in rows)
        estimated = any("estimated_performance" in r for r in rows)
        for name in (key, "reference rows", "current rows", "drift share", "dataset drift", "drifted columns",
                     *(["multivariate"] if multivariate else []), *(["estimated (lowest / realized)"] if estimated
                                                                   else [])):
            table.add_column(name)
        for r in rows:
            started = " (started)" if r.get("drift_started") else ""
            table.add_row(str(r[key]), str(r["n_reference"]), str(r["n_current"]),
                          f"{r.get('drift_share', 0):.2f}",
                          styled("yes", "red") + started if r.get("dataset_drift") else "no" + started,
                          ", ".join(r.get("drifted_columns", [])) or "; ".join(r.get("errors", [])),
                          *([multivariate_cell(r.get("multivariate"))] if multivariate else []),
                          *([estimates_cell(r.get("estimated_performance"))] if estimated else []))
        console.print(table)


def _g(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


retrain_app = typer.Typer(help="Retrain requests fired by drift: list and approve.", no_args_is_help=True)


@retrain_app.command("approve")
def retrain_approve(ctx: typer.Context, key: str = typer.Argument(..., metavar="COMPONENT|ID"),
                    fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Release a pending retrain request (by component or request id): run its command or webhook.

    Approving a failed request again retries it (each attempt is counted). Exit status: 0 the
    retrain succeeded, 1 it failed (exit code and the output's last lines are shown), 2 no such
    request or it is already running.

    Example:

      mldebt retrain approve recs-model
    """
    from mldebt.service.retrain import approve

    result = approve(state(ctx).store(), key)
    if fmt == OutputFormat.JSON:
        print_json(result)
    else:
        print_attempt(result)
    if result["status"] != "succeeded":
        raise typer.Exit(1)


def print_attempt(result: dict[str, Any], console: DataConsole = out) -> None:
    """One line for the attempt, the output's last lines, and for a failure how to retry."""
    console.print(f"retrain request {result['id']} for {result['component']}: {result['status']} "
                  f"({_outcome_summary(result)})", highlight=False, markup=False)
    tail = (result["outcome"] or {}).get("output_tail") or (result["outcome"] or {}).get("body_tail")
    if tail:
        console.print("last lines of the output:", highlight=False)
        for line in tail.splitlines():
            console.print(f"  {line}", highlight=False, markup=False)
    if result["status"] == "succeeded":
        return
    console.print(f"fix the cause, then retry with `mldebt retrain approve {result['id']}`", highlight=False,
                  markup=False)


def _outcome_summary(result: dict[str, Any], with_attempt: bool = True) -> str:
    """`attempt 2, exit code 1`, `attempt 1, HTTP 503`, `attempt 1, program 'make' not found`."""
    outcome = result["outcome"] or {}
    parts = [f"attempt {result['attempts']}"] if result["attempts"] and with_attempt else []
    if outcome.get("exit_code") is not None:
        parts.append(f"exit code {outcome['exit_code']}")
    elif outcome.get("http_status") is not None:
        parts.append(f"HTTP {outcome['http_status']}")
    if outcome.get("error"):
        parts.append(str(outcome["error"]))
    return ", ".join(parts) or "-"


@retrain_app.command("list")
def retrain_list(ctx: typer.Context, component: str = typer.Option(None, "--component", "-c"),
                 fmt: OutputFormat = FORMAT_OPTION) -> None:
    """List retrain requests (pending, running, succeeded, failed) with their last outcome.

    Example:

      mldebt retrain list --component recs-model
    """
    from mldebt.service.components import require_component
    from mldebt.service.retrain import list_requests

    store = state(ctx).store()
    require_component(store, component)
    rows = list_requests(store, component)
    if fmt == OutputFormat.JSON:
        print_json(rows)
        return
    table = Table(title="Retrain requests", title_justify="left")
    for name in ("id", "component", "mode", "status", "attempts", "last outcome", "target", "created"):
        table.add_column(name)
    for r in rows:
        summary = _outcome_summary(r, with_attempt=False) if r["attempts"] else "-"
        table.add_row(str(r["id"]), r["component"], r["mode"], r["status"], str(r["attempts"]), summary,
                      r["target"], str(r["created_at"])[:19])
    out.print(table)
    for r in rows:
        tail = (r["outcome"] or {}).get("output_tail")
        if r["status"] == "failed" and tail:
            out.print(f"request {r['id']} ({r['component']}), last lines of the output:", highlight=False)
            for line in tail.splitlines():
                out.print(f"  {line}", highlight=False, markup=False)
