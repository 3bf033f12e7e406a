"""`compare(reference, current)`: the whole drift and data-quality check of two tables.

Aligns the schemas, settles each column's type, runs the engine's one-pass summaries in
parallel, applies the policy (test per column, Holm correction, effect floor, overrides) and the
data-quality rules, and returns a `DriftReport`. Text columns, model quality, segments, time
windows and multivariate drift (`reconstruction`, `multivariate`) are added by their own modules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mldebt.drift import quality
from mldebt.drift.cbpe import check_request, estimate_performance, has_labels
from mldebt.drift.engine import (
    CategoricalSummary,
    NumericSummary,
    background,
    parallel_map,
    summarize_categorical,
    summarize_numeric,
)
from mldebt.drift.estimates_by_slice import with_estimates
from mldebt.drift.multivariate import fit_for_windows, with_multivariate
from mldebt.drift.performance import compare_quality
from mldebt.drift.policy import (
    MIN_EXPECTED,
    Policy,
    check_overrides,
    dataset_share,
    holm_adjust,
    missing_column,
    pool_rare,
)
from mldebt.drift.reconstruction import reconstruction_drift
from mldebt.drift.report import Chart, ColumnDrift, DriftReport, QualityIssue
from mldebt.drift.result import DistanceThreshold, PValueThreshold
from mldebt.drift.samples import js_distance
from mldebt.drift.segments import by_segment, by_window, check_slices
from mldebt.drift.stats import get_statistic
from mldebt.drift.stats.chisquare import contingency
from mldebt.drift.stats.fisher import fisher_from_counts
from mldebt.drift.stats.ztest import proportions_z
from mldebt.drift.tables import (
    DECLARED_TYPES,
    as_strings,
    infer_type,
    numeric_share_of_strings,
    numeric_values,
    to_table,
)
from mldebt.drift.text import summarize_text
from mldebt.errors import UserInputError

IDENTIFIER_SHARE = 0.5  # a categorical column with more distinct values than half its rows is an identifier
TOP_CATEGORIES = 12


@dataclass
class Options:
    columns: Sequence[str] | None = None
    types: Mapping[str, str] = field(default_factory=dict)  # declared types (mldebt.yaml schema)
    policy: Policy = field(default_factory=Policy)
    label: str | None = None
    prediction: str | None = None
    metric_bounds: Mapping[str, Mapping[str, float | None]] = field(default_factory=dict)
    segment_by: str | None = None
    window: str | None = None
    timestamp: str | None = None
    scores: Sequence[str] | None = None  # probability columns: one (binary) or one per class, for CBPE
    estimate_performance: bool = False
    multivariate: bool = False  # PCA reconstruction drift per chunk (drift/reconstruction.py)


def compare(reference: Any, current: Any, options: Options | None = None) -> DriftReport:
    """Drift, data quality, and (when asked) model quality, segments and windows."""
    options = options or Options()
    ref, cur = to_table(reference), to_table(current)
    check_slices(ref, cur, options.segment_by, options.window, options.timestamp)
    if options.estimate_performance:
        check_request(ref, cur, options.scores, options.prediction, options.label)
    realized = not options.estimate_performance or has_labels(cur, options.label)  # estimation: labels may lag
    if (options.label or options.prediction) and realized:
        _check_quality_columns(ref, cur, options)
    report = compare_columns(ref, cur, options)
    if report.errors:
        return report
    if options.label and options.prediction and realized:
        report.performance = compare_quality(ref, cur, options.label, options.prediction, options.metric_bounds)
    if options.estimate_performance and options.label and options.prediction:
        report.estimated_performance = estimate_performance(
            ref, cur, scores=list(options.scores or []), prediction=options.prediction, label=options.label,
            bounds=options.metric_bounds).to_dict()
    if options.multivariate:
        report.multivariate = reconstruction_drift(ref, cur, columns=list(options.columns or []) or None,
                                                   types=options.types).to_dict()
    plain = replace(options, label=None, prediction=None, segment_by=None, window=None, columns=None,
                    multivariate=False)
    # The overrides were checked on the whole tables; a segment's tables lack the segment column.
    def columns_only(r: pa.Table, c: pa.Table) -> DriftReport:
        return compare_columns(r, c, plain, check=False)

    estimating = (options.scores, options.prediction, options.label) if options.estimate_performance else (None,) * 3
    if options.segment_by:
        report.segments = by_segment(ref, cur, options.segment_by, with_estimates(
            with_multivariate(columns_only, options.multivariate, options.types), *estimating))
    if options.window:
        fitted = fit_for_windows(ref, cur, options.timestamp, options.columns, options.types) \
            if options.multivariate else None
        chunk_size = (report.estimated_performance or {}).get("chunk_size")
        report.windows = by_window(ref, cur, options.timestamp, options.window, with_estimates(
            with_multivariate(columns_only, options.multivariate, options.types, fitted), *estimating, chunk_size))
    return report


def _check_quality_columns(ref: pa.Table, cur: pa.Table, options: Options) -> None:
    """`--label` and `--prediction`, checked before any work."""
    if not (options.label and options.prediction):
        raise UserInputError("model quality needs both --label and --prediction")
    for option, name in (("--label", options.label), ("--prediction", options.prediction)):
        if name not in ref.column_names or name not in cur.column_names:
            raise UserInputError(f"{option} {name}: no column {name!r} in both inputs")


def compare_columns(ref: pa.Table, cur: pa.Table, options: Options, check: bool = True) -> DriftReport:
    """Drift per column, the dataset verdict and data quality of two tables.

    `check` validates the columns and per-column overrides first (`policy.check_overrides`): a bad
    `--method` or `--threshold` stops the run with one message before any work.
    """
    policy = options.policy
    report = DriftReport(ref.num_rows, cur.num_rows, drift_share_threshold=policy.drift_share, alpha=policy.alpha,
                         min_effect=policy.min_effect)
    shared = [name for name in ref.column_names if name in cur.column_names]
    if not shared:
        raise UserInputError(f"reference and current share no column (reference: {_names(ref)}; current: "
                             f"{_names(cur)})")
    selected = list(dict.fromkeys(options.columns)) if options.columns else shared
    for name in selected:
        if name not in shared:
            raise UserInputError(f"--columns {','.join(options.columns or [])}: {missing_column(name, shared, shared)}")
    types = {name: (_column_type(ref[name], name, options.types, "reference"),
                    _column_type(cur[name], name, options.types, "current")) for name in selected}
    if check:
        check_overrides(policy, shared, {name: a if a == b else None for name, (a, b) in types.items()},
                        lambda name: _distinct(ref[name], cur[name]))
    shared = selected
    report.quality += quality.size_issues(ref.num_rows, cur.num_rows)
    report.quality += quality.schema_issues(ref.schema, cur.schema, types)
    if ref.num_rows == 0 or cur.num_rows == 0:
        report.errors.append(next(q.message for q in report.quality if q.rule_id == "DQ001"))
        return report
    duplicates = background(quality.duplicate_issues, ref.select(shared), cur.select(shared))
    numeric, categorical, text = [], [], []
    for name in shared:
        ref_type, cur_type = types[name]
        column = ColumnDrift(name=name, type=ref_type, method=None)
        report.columns.append(column)
        if ref_type != cur_type:
            column.note = f"not compared: type changed ({ref_type} -> {cur_type})"
            continue
        missing = quality.missing_issues(name, _missing(ref[name]), ref.num_rows, _missing(cur[name]), cur.num_rows)
        report.quality += missing
        if any(q.rule_id == "DQ006" for q in missing):
            column.note = "not compared: no values on one side"
        elif ref_type == "datetime":
            column.note = "not compared: datetime columns order the data (use --window)"
        elif ref_type == "text":
            text.append(column)
        elif ref_type == "numeric":
            numeric.append(column)
        else:
            categorical.append(column)
            report.quality += _mixed_type_issue(name, ref[name], cur[name])
    numeric_summaries = parallel_map(lambda c: _numeric(ref[c.name], cur[c.name]), numeric)
    categorical_summaries = parallel_map(lambda c: summarize_categorical(ref[c.name], cur[c.name]), categorical)
    for column, (summary, infinite) in zip(numeric, numeric_summaries, strict=True):
        if summary is None:
            column.note = "not compared: no finite values on one side"
            report.quality.append(quality.issue("DQ006", quality.Severity.HIGH, column.name,
                                                f"column {column.name!r} has no finite values on one side"))
            continue
        report.quality += quality.numeric_issues(column.name, summary, infinite)
        _judge_numeric(column, summary, ref[column.name], cur[column.name], policy)
    for column, counts in zip(categorical, categorical_summaries, strict=True):
        distinct = int(((counts.reference_counts + counts.current_counts) > 0).sum())
        if column.type == "categorical" and distinct > 20 and distinct > IDENTIFIER_SHARE * max(
                counts.reference_counts.sum(), counts.current_counts.sum()):
            column.note = f"not tested: looks like an identifier ({distinct} distinct values)"
            continue
        report.quality += quality.categorical_issues(column.name, counts)
        _judge_categorical(column, counts, ref[column.name], cur[column.name], policy)
    for column in text:
        _judge_text(column, ref[column.name], cur[column.name], report)
    report.quality += duplicates.result()
    _apply_policy(report, policy)
    return report


def _judge_text(column: ColumnDrift, ref: pa.ChunkedArray, cur: pa.ChunkedArray, report: DriftReport) -> None:
    try:
        summary = summarize_text(ref, cur)
    except ValueError as exc:
        column.note = f"not compared: {exc}"
        return
    column.n_reference, column.n_current = len(ref) - ref.null_count, len(cur) - cur.null_count
    column.method, column.corrected = "text", True
    column.statistic, column.pvalue = summary.oov_statistic, summary.pvalue
    column.effect, column.effect_measure = summary.token_js, "token_jensenshannon"
    report.text.append({"name": column.name, **summary.to_dict()})


def _distinct(ref: pa.ChunkedArray, cur: pa.ChunkedArray) -> int:
    """How many values a categorical column takes over both inputs (nulls left out)."""
    values: set[Any] = set()
    for side in (ref, cur):
        values.update(pc.unique(as_strings(side).drop_null()).to_pylist())
    return len(values)


def _names(table: pa.Table) -> str:
    names = table.column_names
    return ", ".join(names[:8]) + (", ..." if len(names) > 8 else "") if names else "no columns"


def _missing(column: pa.ChunkedArray) -> int:
    """Nulls, and NaN in float columns (pandas and numpy write missing numbers as NaN)."""
    if pa.types.is_floating(column.type):
        return column.null_count + int(pc.sum(pc.is_nan(column)).as_py() or 0)
    return column.null_count


def _column_type(column: pa.ChunkedArray, name: str, declared: Mapping[str, str], side: str) -> str:
    """The declared type (mldebt.yaml schema) when there is one, else the inferred one.

    Text declared numeric must read as numbers: otherwise one line naming the value, not a crash.
    """
    if name not in declared:
        return infer_type(column)
    kind = DECLARED_TYPES[declared[name]]
    if kind == "numeric" and (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        try:
            column.cast(pa.float64())
        except pa.ArrowInvalid as exc:
            bad = str(exc).removeprefix("Failed to parse string: ").split(" as a scalar")[0]
            raise UserInputError(f"column {name!r} is declared {declared[name]} in the inventory schema, but the "
                                 f"{side} holds {bad}") from None
    return kind


def _mixed_type_issue(name: str, ref: pa.ChunkedArray, cur: pa.ChunkedArray) -> list[QualityIssue]:
    if not (pa.types.is_string(ref.type) or pa.types.is_large_string(ref.type)):
        return []
    share = max(numeric_share_of_strings(ref), numeric_share_of_strings(cur))
    if 0.5 <= share < 1.0:
        return [quality.issue("DQ013", quality.Severity.MEDIUM, name, f"{name!r} mixes numbers ({share:.0%}) and "
                              "text; compared as categories", numeric_share=round(share, 4))]
    return []


def _numeric(ref: pa.ChunkedArray, cur: pa.ChunkedArray) -> tuple[NumericSummary | None, int]:
    ref_values, cur_values = numeric_values(ref), numeric_values(cur)
    infinite = int(np.isinf(cur_values).sum() + np.isinf(ref_values).sum())
    try:
        return summarize_numeric(ref_values, cur_values), infinite
    except ValueError:
        return None, infinite


def _judge_numeric(column: ColumnDrift, summary: NumericSummary, ref: pa.ChunkedArray, cur: pa.ChunkedArray,
                   policy: Policy) -> None:
    column.n_reference, column.n_current = summary.n_reference, summary.n_current
    total_ref, total_cur = max(summary.reference_hist.sum(), 1), max(summary.current_hist.sum(), 1)
    labels = [f"{summary.edges[i]:.4g}..{summary.edges[i + 1]:.4g}" for i in range(len(summary.edges) - 1)]
    column.chart = Chart(labels, (summary.reference_hist / total_ref).round(6).tolist(),
                         (summary.current_hist / total_cur).round(6).tolist())
    if column.name in policy.methods:
        _override(column, numeric_values(ref), numeric_values(cur), policy)
        return
    column.method, column.corrected = "ks", True
    column.statistic, column.pvalue = summary.ks_statistic, summary.ks_pvalue
    column.effect, column.effect_measure = summary.wasserstein_sd, "wasserstein_sd"


def _judge_categorical(column: ColumnDrift, summary: CategoricalSummary, ref: pa.ChunkedArray,
                       cur: pa.ChunkedArray, policy: Policy) -> None:
    ref_counts, cur_counts = summary.reference_counts, summary.current_counts
    column.n_reference, column.n_current = int(ref_counts.sum()), int(cur_counts.sum())
    column.chart = _category_chart(summary)
    if column.name in policy.methods:
        _override(column, as_strings(ref).drop_null().to_numpy(zero_copy_only=False),
                  as_strings(cur).drop_null().to_numpy(zero_copy_only=False), policy)
        return
    column.effect, column.effect_measure = js_distance(ref_counts, cur_counts), "jensenshannon"
    column.corrected = True
    seen = (ref_counts + cur_counts) > 0
    distinct = int(seen.sum())
    if distinct <= 2:
        table_ref, table_cur = ref_counts[seen], cur_counts[seen]
        if distinct == 1:
            column.method, column.statistic, column.pvalue = "ztest", 0.0, 1.0
            return
        if _expected_min(table_ref, table_cur) < MIN_EXPECTED:
            column.statistic, column.pvalue = fisher_from_counts(table_ref, table_cur)
            column.method = "fisher"
            return
        names = [summary.categories[i] for i in np.flatnonzero(seen)]
        hit = names.index(max(names))  # the share of the later name ("true", "yes", "positive") is tested
        z, p = proportions_z((int(table_ref[hit]), int(table_cur[hit])), (int(table_ref.sum()), int(table_cur.sum())))
        column.method, column.statistic, column.pvalue = "ztest", z, p
        return
    pooled_ref, pooled_cur, pooled = pool_rare(ref_counts, cur_counts)
    column.method = "chisquare"
    column.statistic, column.pvalue = contingency(pooled_ref, pooled_cur)
    if pooled:
        column.note = f"{pooled} rare categories pooled for the chi-square test"


def _expected_min(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    total = ref_counts.sum() + cur_counts.sum()
    pooled = ref_counts + cur_counts
    return float(min((pooled * ref_counts.sum()).min(), (pooled * cur_counts.sum()).min()) / max(total, 1))


def _category_chart(summary: CategoricalSummary) -> Chart:
    ref, cur = summary.reference_counts, summary.current_counts
    order = np.argsort(-(ref / max(ref.sum(), 1) + cur / max(cur.sum(), 1)), kind="stable")
    top, rest = order[:TOP_CATEGORIES], order[TOP_CATEGORIES:]
    labels = [summary.categories[i] for i in top]
    ref_share = (ref[top] / max(ref.sum(), 1)).round(6).tolist()
    cur_share = (cur[top] / max(cur.sum(), 1)).round(6).tolist()
    if rest.size:
        labels.append(f"({rest.size} others)")
        ref_share.append(round(float(ref[rest].sum() / max(ref.sum(), 1)), 6))
        cur_share.append(round(float(cur[rest].sum() / max(cur.sum(), 1)), 6))
    return Chart(labels, ref_share, cur_share)


def _override(column: ColumnDrift, ref: np.ndarray, cur: np.ndarray, policy: Policy) -> None:
    """A user-chosen method with its own (or the user's) threshold; not part of the correction."""
    statistic = get_statistic(policy.methods[column.name])  # it fits the column: `check_overrides` saw to it
    threshold = statistic.default_threshold
    if column.name in policy.thresholds:
        value = policy.thresholds[column.name]
        threshold = PValueThreshold(value) if threshold.kind == "pvalue" else DistanceThreshold(value)
    if column.type == "numeric":
        ref, cur = ref[np.isfinite(ref)], cur[np.isfinite(cur)]
    try:
        result = statistic(ref, cur, threshold)
    except ValueError as exc:
        column.note = f"not compared: {exc}"
        return
    column.method, column.statistic, column.pvalue = result.method, result.statistic, result.pvalue
    column.effect, column.effect_measure, column.threshold = result.effect, result.effect_measure, result.threshold
    column.drifted = result.drifted


def _apply_policy(report: DriftReport, policy: Policy) -> None:
    family = [c for c in report.columns if c.corrected and c.pvalue is not None]
    pvalues = [c.pvalue for c in family if c.pvalue is not None]  # all of them: narrows the type for mypy
    for column, adjusted in zip(family, holm_adjust(pvalues), strict=True):
        column.adjusted_pvalue = adjusted
        threshold = policy.thresholds.get(column.name, policy.alpha)
        column.threshold = threshold
        column.drifted = adjusted < threshold and (column.effect or 0.0) >= policy.min_effect
        if adjusted < threshold and not column.drifted:
            column.note = f"significant but the effect {column.effect:.3g} is below the floor {policy.min_effect:g}"
    judged = {c.name: c.drifted for c in report.columns if c.method is not None}
    report.drift_share = round(dataset_share(judged, policy.importance), 6)
    report.dataset_drift = bool(judged) and report.drift_share >= policy.drift_share
