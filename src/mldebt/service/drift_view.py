"""The drift page's data: runs per component, drift share over each component's latest runs, a page of
runs, and one run with its columns. Plain dicts; the page draws the charts (`mldebt.report.charts`).

The list reads never load a run's report (it can be large); only `drift_run_view` does, for one run.
Column values in a report are user data (names, categories): they stay text, escaped by the page.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from mldebt.errors import NotFoundError, UserInputError
from mldebt.store import drift_queries as q
from mldebt.store.database import Store

MAX_COMPONENT_NAME = 100  # components.name is String(100)
MAX_COMPONENTS = 100  # rows of the runs-per-component table
WINDOW_CHARTS = 12  # components whose drift over windows is charted (the table's first ones)
WINDOW_RUNS = 26  # latest runs per component in that chart (half a year of weekly runs)
SHOWN_COLUMNS = 5  # drifted column names listed per run in the tables (then "+N more")
MAX_TABLE_COLUMNS = 500  # columns of one run listed in its table, most drifted first
MAX_CHARTED_COLUMNS = 50  # columns of one run charted, most drifted first


def check_component(component: str | None) -> str | None:
    """The component filter: absent (None or empty) or a name of at most 100 characters."""
    if component is None or component == "":
        return None
    if len(component) > MAX_COMPONENT_NAME:
        raise UserInputError(f"component: at most {MAX_COMPONENT_NAME} characters, got {len(component)}")
    return component


def _number(value: object, spec: str) -> str:
    """A stored number as text (`spec` is a format spec), "-" for anything that is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "-"
    return format(value, spec)


def _day(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d")


def _run_dict(run: q.RunSummary) -> dict[str, Any]:
    drifted = list(run.drifted_columns)
    return {"id": run.id, "component": run.component, "reference": run.reference, "current": run.current,
            "created_at": run.created_at.strftime("%Y-%m-%d %H:%M UTC"), "date": _day(run.created_at),
            "dataset_drift": run.dataset_drift, "drift_share": run.drift_share,
            "drift_share_text": _number(run.drift_share, ".2f"), "drifted_count": len(drifted),
            "drifted_shown": drifted[:SHOWN_COLUMNS], "drifted_more": max(0, len(drifted) - SHOWN_COLUMNS)}


def drift_overview(store: Store, component: str | None, limit: int, offset: int) -> dict[str, Any]:
    """Everything `/drift` shows: per component, its windows, and one page of runs (newest first)."""
    component = check_component(component)
    with store.session() as session:
        per_component, components_total = q.runs_per_component(session, component, MAX_COMPONENTS)
        charted = [c.component for c in per_component[:WINDOW_CHARTS]]
        windows = q.latest_runs_of(session, charted, WINDOW_RUNS)
        runs, total = q.runs_page(session, component, limit, offset)
    return {
        "component": component,
        "components": [{"component": c.component, "runs": c.runs, "latest": _run_dict(c.latest)}
                       for c in per_component],
        "components_total": components_total,
        "windows": [{"component": name, "runs": [{"id": r.id, "date": _day(r.created_at),
                                                  "drift_share": r.drift_share, "dataset_drift": r.dataset_drift}
                                                 for r in windows[name]]} for name in charted],
        "windows_left_out": max(0, components_total - len(charted)),
        "runs": [_run_dict(r) for r in runs], "total": total,
    }


def _drift_rank(column: dict[str, Any]) -> tuple[bool, bool, float, str]:
    """Most drifted first: drifted columns, then tested ones, by effect size (largest first), then name."""
    effect = column.get("effect")
    size = float(effect) if isinstance(effect, int | float) and math.isfinite(effect) else 0.0
    return (not column.get("drifted"), column.get("method") is None, -size, str(column.get("name", "")))


def _chart_data(raw: object) -> dict[str, list[Any]] | None:
    if not isinstance(raw, dict):
        return None
    labels, reference, current = raw.get("labels"), raw.get("reference"), raw.get("current")
    if not (isinstance(labels, list) and isinstance(reference, list) and isinstance(current, list)) or not labels:
        return None
    return {"labels": [str(label) for label in labels], "reference": reference, "current": current}


def _column_dict(column: dict[str, Any], index: int) -> dict[str, Any]:
    return {"index": index, "name": str(column.get("name", "")), "type": str(column.get("type") or "-"),
            "method": str(column["method"]) if column.get("method") else None,
            "statistic": _number(column.get("statistic"), ".4g"), "pvalue": _number(column.get("pvalue"), ".3g"),
            "adjusted_pvalue": _number(column.get("adjusted_pvalue"), ".3g"),
            "threshold": _number(column.get("threshold"), ".3g"), "effect": _number(column.get("effect"), ".3g"),
            "effect_measure": str(column.get("effect_measure") or ""), "drifted": bool(column.get("drifted")),
            "note": str(column["note"]) if column.get("note") else None, "chart": _chart_data(column.get("chart"))}


def drift_run_view(store: Store, run_id: int) -> dict[str, Any]:
    """One run: its verdict and its columns, most drifted first (at most MAX_TABLE_COLUMNS listed and
    MAX_CHARTED_COLUMNS with a chart, with the numbers left out)."""
    with store.session() as session:
        found = q.drift_run(session, run_id)
    if found is None:
        raise NotFoundError(f"no drift run {run_id}")
    run, report = found
    raw = [c for c in report.get("columns") or [] if isinstance(c, dict)]
    ranked = sorted(raw, key=_drift_rank)
    listed = [_column_dict(c, i) for i, c in enumerate(ranked[:MAX_TABLE_COLUMNS], 1)]
    charted = [c for c in listed[:MAX_CHARTED_COLUMNS] if c["chart"] is not None]
    drawn = {c["index"] for c in charted}
    for column in listed:
        column["charted"] = column["index"] in drawn
    with_chart = sum(1 for c in ranked if _chart_data(c.get("chart")) is not None)
    errors = [str(e) for e in report.get("errors") or []][:20]
    return {
        "run": _run_dict(run), "n_reference": report.get("n_reference"), "n_current": report.get("n_current"),
        "tested": sum(1 for c in raw if c.get("method")),
        "threshold": _number(report.get("drift_share_threshold"), "g"),
        "alpha": _number(report.get("alpha"), "g"), "min_effect": _number(report.get("min_effect"), "g"),
        "columns": listed, "columns_total": len(raw), "columns_left_out": max(0, len(raw) - len(listed)),
        "charted": charted, "charts_left_out": max(0, with_chart - len(charted)), "errors": errors,
    }
