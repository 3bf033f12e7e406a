"""Estimated performance (CBPE) per time window and per segment (`--estimate-performance` with
`--window` / `--segment-by`).

A window is read against the whole run's reference, with the whole run's chunk size, so its chunks
have the same bands and thresholds as the run's own; a segment has its own reference rows (a store's
model can be calibrated differently from the whole), chunked by default. A slice too small for the
method carries the one-line reason instead. The slice's summary is brief: per metric its lowest
estimate, the realized value beside it where labels arrived, and how many chunks alerted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from mldebt.drift.cbpe import estimate_performance
from mldebt.drift.report import DriftReport
from mldebt.drift.segments import Runner
from mldebt.errors import UserInputError


def with_estimates(run: Runner, scores: Sequence[str] | None, prediction: str | None, label: str | None,
                   chunk_size: int | None = None) -> Runner:
    """`run`, and when asked the slice's estimated performance (`DriftReport.estimated_performance`)."""
    if not (scores and prediction and label):
        return run

    def run_both(reference: pa.Table, current: pa.Table) -> DriftReport:
        report = run(reference, current)
        if report.errors:
            return report
        try:
            result = estimate_performance(reference, current, scores=list(scores), prediction=prediction,
                                          label=label, chunk_size=chunk_size)
            report.estimated_performance = brief(result.to_dict())
        except UserInputError as exc:
            report.estimated_performance = {"error": str(exc)}
        return report

    return run_both


def brief(result: dict[str, Any]) -> dict[str, Any]:
    """Per metric: the lowest estimate of the slice's chunks, the realized value of that chunk, and
    the number of chunks whose estimate alerted."""
    chunks = result["chunks"]
    metrics: dict[str, Any] = {}
    for metric in result["metrics"]:
        estimates = [(c["estimated"].get(metric), c) for c in chunks if c["estimated"].get(metric) is not None]
        lowest, chunk = min(estimates, key=lambda pair: pair[0]) if estimates else (None, None)
        metrics[metric] = {"lowest_estimate": lowest,
                           "realized": chunk["realized"].get(metric) if chunk else None,
                           "alerting_chunks": sum(1 for c in chunks if c["alerts"].get(metric))}
    return {"chunks": len(chunks), "chunk_size": result["chunk_size"], "metrics": metrics,
            "breaches": [b["metric"] for b in result["breaches"]]}
