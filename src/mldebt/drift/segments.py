"""Drift per segment (store, channel) and over time windows (when did drift start?).

Both re-run the same comparison on slices: a segment compares the reference and current rows of
one value of the segment column; a window compares the current rows of one time window (1d, 1w,
12h...) with the whole reference, giving a time series of the drift share.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from mldebt.drift.report import DriftReport
from mldebt.errors import UserInputError

MAX_SEGMENTS = 20
MAX_WINDOW = 10_000  # of a unit: 10,000 weeks is two centuries; more overflows Arrow's temporal rounding
UNITS = {"h": "hour", "d": "day", "w": "week"}

Runner = Callable[[pa.Table, pa.Table], DriftReport]


def _summary(report: DriftReport) -> dict[str, Any]:
    summary = {"n_reference": report.n_reference, "n_current": report.n_current,
               "dataset_drift": report.dataset_drift, "drift_share": report.drift_share,
               "drifted_columns": report.drifted_columns, "errors": report.errors}
    if report.multivariate is not None:  # with --multivariate: the slice's chunks in brief
        summary["multivariate"] = _multivariate(report.multivariate)
    if report.estimated_performance is not None:  # with --estimate-performance: already in brief
        summary["estimated_performance"] = report.estimated_performance
    return summary


def _multivariate(result: dict[str, Any]) -> dict[str, Any]:
    if "error" in result:
        return {"drifted": False, "error": result["error"]}
    return {"drifted": result["drifted"], "alerts": result["alerts"], "chunks": result["n_current_chunks"],
            "max_error": result["max_error"],
            "upper_threshold": result["upper_threshold"],
            "columns": [c["column"] for c in result["contributions"][:3]]}


def check_slices(reference: pa.Table, current: pa.Table, segment_by: str | None, window: str | None,
                 timestamp: str | None) -> None:
    """`--segment-by`, `--window` and `--timestamp` checked before any comparison runs."""
    if segment_by is not None:
        for side, table in (("reference", reference), ("current", current)):
            if segment_by not in table.column_names:
                raise UserInputError(f"--segment-by {segment_by}: no column {segment_by!r} in {side}")
    if window is not None:
        parse_window(window)
        window_times(current, timestamp)
    elif timestamp is not None:
        raise UserInputError(f"--timestamp {timestamp}: only used with --window")


def by_segment(reference: pa.Table, current: pa.Table, column: str, run: Runner) -> list[dict[str, Any]]:
    """One summary per segment value (the most frequent values in current first, at most 20)."""
    counts = sorted(pc.value_counts(current[column].drop_null()).to_pylist(), key=lambda item: -item["counts"])
    segments = []
    for item in counts[:MAX_SEGMENTS]:
        value = item["values"]
        ref_rows = reference.filter(pc.equal(reference[column], pa.scalar(value, reference[column].type)))
        cur_rows = current.filter(pc.equal(current[column], pa.scalar(value, current[column].type)))
        if ref_rows.num_rows == 0:
            segments.append({"segment": str(value), "n_reference": 0, "n_current": cur_rows.num_rows,
                             "errors": ["segment absent from the reference"]})
            continue
        segments.append({"segment": str(value), **_summary(run(ref_rows.drop_columns([column]),
                                                               cur_rows.drop_columns([column])))})
    return segments


def parse_window(span: str) -> tuple[int, str]:
    match = re.fullmatch(r"(\d{1,6})([hdw])", span.strip().lower())
    if not match or not 0 < int(match.group(1)) <= MAX_WINDOW:
        raise UserInputError(f"--window {span}: expected a span such as 1d, 1w or 12h (1 to {MAX_WINDOW:,} hours, "
                             "days or weeks)")
    return int(match.group(1)), UNITS[match.group(2)]


def window_times(current: pa.Table, timestamp: str | None) -> tuple[str, pa.ChunkedArray]:
    """The timestamp column (`--timestamp`, or the first timestamp column) and its values as timestamps."""
    if timestamp is not None and timestamp not in current.column_names:
        raise UserInputError(f"--timestamp {timestamp}: no column {timestamp!r} in current")
    column = timestamp or next((f.name for f in current.schema
                                if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type)), None)
    if column is None:
        raise UserInputError("--window needs a timestamp column (name it with --timestamp)")
    times = current[column]
    if not (pa.types.is_timestamp(times.type) or pa.types.is_date(times.type)):
        not_timestamps = UserInputError(f"--timestamp {column}: column {column!r} is not a timestamp (expected "
                                        "timestamps or text such as 2026-11-30T08:00:00)")
        try:
            times = pc.strptime(times.cast(pa.string()), format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise not_timestamps from None
        if times.null_count == len(times) and current[column].null_count < len(times):
            raise not_timestamps
    if pa.types.is_date(times.type):
        times = times.cast(pa.timestamp("s"))
    return column, times


def by_window(reference: pa.Table, current: pa.Table, timestamp: str | None, span: str,
              run: Runner) -> list[dict[str, Any]]:
    """Current rows cut into windows of `span` on the timestamp column, each compared with the reference."""
    multiple, unit = parse_window(span)
    column, times = window_times(current, timestamp)
    starts = pc.floor_temporal(times, multiple=multiple, unit=unit)
    others = [name for name in reference.column_names if name != column]
    series = []
    for start in sorted(v for v in pc.unique(starts).to_pylist() if v is not None):
        rows = current.filter(pc.equal(starts, pa.scalar(start, starts.type)))
        series.append({"window_start": start.isoformat(), **_summary(run(reference.select(others),
                                                                         rows.select(others)))})
    first = next((w["window_start"] for w in series if w["dataset_drift"]), None)
    for window in series:
        window["drift_started"] = window["window_start"] == first
    return series
