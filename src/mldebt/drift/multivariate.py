"""Multivariate drift per time window and per segment (`--multivariate` with `--window` / `--segment-by`).

A window's rows are scored by the PCA fitted once on the whole reference (`fit_for_windows`), with
the same chunk size as the whole run, so a window's chunks are read against the same threshold.
A segment has its own reference rows: its PCA is fitted on them (the relations inside one store
can differ from the whole's). A slice too small for the method carries the one-line reason instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa

from mldebt.drift.reconstruction import Reconstruction, fit_reconstruction, reconstruction_drift
from mldebt.drift.report import DriftReport
from mldebt.drift.segments import Runner, window_times
from mldebt.errors import UserInputError


def fit_for_windows(reference: pa.Table, current: pa.Table, timestamp: str | None, columns: Sequence[str] | None,
                    types: Mapping[str, str]) -> Reconstruction:
    """The reference's PCA without the timestamp column (the windows' tables do not have it)."""
    column = window_times(current, timestamp)[0]
    reference = reference.drop_columns([column]) if column in reference.column_names else reference
    return fit_reconstruction(reference, current.drop_columns([column]),
                              columns=[c for c in columns or [] if c != column] or None, types=types)


def with_multivariate(run: Runner, multivariate: bool, types: Mapping[str, str],
                      fitted: Reconstruction | None = None) -> Runner:
    """`run`, and when asked the slice's multivariate drift in its report (`DriftReport.multivariate`)."""
    if not multivariate:
        return run

    def run_both(reference: pa.Table, current: pa.Table) -> DriftReport:
        report = run(reference, current)
        if report.errors:
            return report
        try:
            result = fitted.score(current) if fitted else reconstruction_drift(reference, current, types=types)
            report.multivariate = result.to_dict()
        except UserInputError as exc:
            report.multivariate = {"drifted": False, "error": str(exc)}
        return report

    return run_both
