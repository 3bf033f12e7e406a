"""Confidence-based performance estimation (CBPE, as NannyML defines it): model quality before the labels arrive.

A calibrated probability p says the row is positive with chance p, so over a chunk of current rows
the confusion matrix is expected to be TP = sum p over predicted-positive rows, FP = sum (1 - p) over
them, FN = sum p over predicted-negative rows, TN = sum (1 - p) over them; precision, recall, F1 and
accuracy follow, and ROC AUC from the expected true- and false-positive rates over the score's
thresholds. Multiclass: each class one-vs-rest, macro averages. The probabilities are checked on the
reference period (where labels exist) and calibrated there if needed (`drift.calibration`).

The band says how far the realized value may fall from the estimate by chance: the standard error
of the realized metric for chunks of this size, from `SAMPLES` bootstrap draws of the reference (the
few contiguous reference chunks give a std that is itself off by a quarter); band = estimate +-
`BAND_WIDTH` SE. An alert: the estimate outside the reference chunks' mean +- `BAND_WIDTH` SE, or
beyond an inventory bound. It holds under covariate shift only: if P(label | features) changes
(concept drift) the calibrated probabilities are wrong and so is the estimate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from mldebt.drift import calibration
from mldebt.drift.performance import ALIASES, classification, roc_auc
from mldebt.drift.result import _num
from mldebt.errors import UserInputError

METRICS = ("roc_auc", "f1", "precision", "recall", "accuracy")
BAND_WIDTH = 3.0
SAMPLES = 100
SEED = 14
CHUNKS = 10
MIN_CHUNK = 100


@dataclass
class CbpeChunk:
    index: int
    start_row: int
    end_row: int  # exclusive
    rows: int
    estimated: dict[str, float | None]
    lower: dict[str, float | None]
    upper: dict[str, float | None]
    realized: dict[str, float | None]
    alerts: dict[str, bool]
    labelled_rows: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "start_row": self.start_row, "end_row": self.end_row, "rows": self.rows,
                "labelled_rows": self.labelled_rows, "estimated": _nums(self.estimated), "lower": _nums(self.lower),
                "upper": _nums(self.upper), "realized": _nums(self.realized), "alerts": dict(self.alerts)}


@dataclass
class CbpeResult:
    metrics: list[str]
    classes: list[str]
    calibrated: bool
    ece_before: float
    ece_after: float
    chunk_size: int
    reference_chunks: int
    standard_errors: dict[str, float | None]
    thresholds: dict[str, tuple[float | None, float | None]]
    chunks: list[CbpeChunk] = field(default_factory=list)
    breaches: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"method": "cbpe", "metrics": self.metrics, "classes": self.classes, "calibrated": self.calibrated,
                "ece_before": _num(self.ece_before), "ece_after": _num(self.ece_after),
                "chunk_size": self.chunk_size, "reference_chunks": self.reference_chunks,
                "standard_errors": _nums(self.standard_errors),
                "thresholds": {m: [_num(lo), _num(hi)] for m, (lo, hi) in self.thresholds.items()},
                "chunks": [c.to_dict() for c in self.chunks], "breaches": self.breaches}


def _nums(values: Mapping[str, float | None]) -> dict[str, float | None]:
    return {k: _num(v) for k, v in values.items()}


@dataclass
class _Side:
    scores: np.ndarray  # (n,) binary P(positive), (n, k) multiclass
    predicted: np.ndarray  # class position per row
    labels: np.ndarray | None  # class position per row, -1 where missing; None: no label column


def check_inputs(reference: pa.Table, current: pa.Table, *, scores: Sequence[str], prediction: str,
                 label: str) -> None:
    """The columns exist: checked before any drift work (values are checked by `estimate_performance`)."""
    if not scores:
        raise UserInputError("performance estimation needs the score column(s) (--score)")
    if len(set(scores)) != len(scores):
        raise UserInputError(f"--score {', '.join(scores)}: a column is named twice")
    for name in (*scores, prediction):
        for side, table in (("reference", reference), ("current", current)):
            if name not in table.column_names:
                raise UserInputError(f"performance estimation: no column {name!r} in {side}")
    if label not in reference.column_names:
        raise UserInputError(f"performance estimation: no label column {label!r} in reference (the reference "
                             "needs labels)")


def check_request(reference: pa.Table, current: pa.Table, scores: Sequence[str] | None, prediction: str | None,
                  label: str | None) -> None:
    """`--estimate-performance` with what it needs, checked before any drift work."""
    if not (scores and prediction and label):
        raise UserInputError("--estimate-performance needs --prediction, --score and --label (the reference's labels)")
    check_inputs(reference, current, scores=scores, prediction=prediction, label=label)


def has_labels(table: pa.Table, label: str | None) -> bool:
    """Whether any label has arrived: realized quality is computed only then."""
    return label is not None and label in table.column_names and table[label].null_count < table.num_rows


def estimate_performance(reference: pa.Table, current: pa.Table, *, scores: list[str], prediction: str, label: str,
                         classes: list[Any] | None = None, chunk_size: int | None = None,
                         metrics: tuple[str, ...] = METRICS,
                         bounds: Mapping[str, Mapping[str, float | None]] | None = None) -> CbpeResult:
    """Estimated (and, where current has labels, realized) metrics per chunk of `current`."""
    check_inputs(reference, current, scores=scores, prediction=prediction, label=label)
    names = _metric_names(metrics)
    names_of_classes = _classes(reference, label, classes, scores)
    ref = _side(reference, "reference", scores, prediction, label, names_of_classes)
    cur = _side(current, "current", scores, prediction, label, names_of_classes)
    assert ref.labels is not None
    if (ref.labels < 0).any():
        raise UserInputError(f"label {label!r}: {int((ref.labels < 0).sum())} missing values in reference")
    size = chunk_size if chunk_size is not None else max(MIN_CHUNK, math.ceil(len(cur.predicted) / CHUNKS))
    if size < 2:
        raise UserInputError(f"chunk size {size}: expected at least 2 rows")
    if len(ref.predicted) < size:
        raise UserInputError(f"reference has {len(ref.predicted)} rows: fewer than one chunk ({size} rows)")
    ece_before = calibration.calibration_error(ref.scores, ref.labels)
    calibrate = calibration.any_needs_calibration(ref.scores, ref.labels)
    ece_after = calibration.cross_fitted_error(ref.scores, ref.labels) if calibrate else ece_before
    probabilities = calibration.fit_calibrator(ref.scores, ref.labels)(cur.scores) if calibrate else cur.scores
    k = len(names_of_classes)
    se = _standard_errors(ref, size, k, names)
    ref_chunks = _chunk_bounds(len(ref.predicted), size)
    means = _mean_realized(ref, ref_chunks, k, names)
    thresholds = {m: _clip_pair(means[m], se[m]) for m in names}
    limits = {ALIASES.get(n, n): b for n, b in (bounds or {}).items() if ALIASES.get(n, n) in names}
    result = CbpeResult(names, names_of_classes, calibrate, ece_before, ece_after, size, len(ref_chunks), se,
                        thresholds)
    for index, (start, end) in enumerate(_chunk_bounds(len(cur.predicted), size)):
        rows = slice(start, end)
        estimated = _estimate(probabilities[rows], cur.predicted[rows], cur.scores[rows], k)
        estimated = {m: estimated[m] for m in names}
        scale = math.sqrt(size / (end - start))
        lower = {m: _band(estimated[m], se[m], -scale) for m in names}
        upper = {m: _band(estimated[m], se[m], scale) for m in names}
        realized, labelled = _realized_chunk(cur, rows, k, names)
        alerts = {m: _alert(estimated[m], thresholds[m], limits.get(m, {})) for m in names}
        result.chunks.append(CbpeChunk(index, start, end, end - start, estimated, lower, upper, realized, alerts,
                                       labelled))
    result.breaches = _breaches(result, limits)
    return result


def _metric_names(metrics: Sequence[str]) -> list[str]:
    names = list(dict.fromkeys(ALIASES.get(m, m) for m in metrics))
    unknown = [m for m in names if m not in METRICS]
    if unknown or not names:
        raise UserInputError(f"estimated metrics {', '.join(unknown) or '(none)'}: expected some of "
                             f"{', '.join(METRICS)}")
    return names


def _strings(column: pa.ChunkedArray) -> list[str | None]:
    return [None if v is None else str(v) for v in column.to_pylist()]


def _classes(reference: pa.Table, label: str, classes: list[Any] | None, scores: Sequence[str]) -> list[str]:
    seen = sorted({v for v in _strings(reference[label]) if v is not None})
    names = [str(c) for c in classes] if classes is not None else seen
    if len(set(names)) != len(names):
        raise UserInputError(f"classes {names}: a class is named twice")
    if len(seen) < 2:
        raise UserInputError(f"label {label!r} has one class only in reference ({', '.join(seen) or 'none'}): "
                             "performance estimation needs at least two")
    if len(scores) == 1 and len(names) != 2:
        raise UserInputError(f"one score column ({scores[0]}) is P(positive) of a binary model, but there are "
                             f"{len(names)} classes ({', '.join(names[:6])}); for multiclass give one score per class")
    if len(scores) > 1 and (len(scores) != len(names) or len(names) < 3):
        raise UserInputError(f"{len(scores)} score columns for {len(names)} classes ({', '.join(names[:6])}): "
                             "give one score (binary) or one per class in class order (3 or more classes)")
    return names


def _positions(values: list[str | None], classes: list[str], what: str, side: str, allow_missing: bool) -> np.ndarray:
    index = {c: i for i, c in enumerate(classes)}
    out = np.array([index.get(v, -2) if v is not None else -1 for v in values], dtype=np.int64)
    unknown = [v for v, i in zip(values, out, strict=True) if i == -2]
    if unknown:
        raise UserInputError(f"{what} in {side}: {len(unknown)} values not among the classes ({', '.join(classes)}), "
                             f"first {unknown[0]!r}")
    if not allow_missing and (out == -1).any():
        raise UserInputError(f"{what} in {side}: {int((out == -1).sum())} missing values")
    return out


def _side(table: pa.Table, side: str, scores: Sequence[str], prediction: str, label: str,
          classes: list[str]) -> _Side:
    columns = [_score_values(table[name], name, side) for name in scores]
    values = columns[0] if len(columns) == 1 else np.column_stack(columns)
    predicted = _positions(_strings(table[prediction]), classes, f"prediction {prediction!r}", side, False)
    labels = None
    if label in table.column_names:
        labels = _positions(_strings(table[label]), classes, f"label {label!r}", side, True)
    return _Side(values, predicted, labels)


def _score_values(column: pa.ChunkedArray, name: str, side: str) -> np.ndarray:
    if not (pa.types.is_floating(column.type) or pa.types.is_integer(column.type)):
        raise UserInputError(f"score {name!r} in {side}: expected probabilities in [0, 1], got {column.type} values")
    values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
    if np.isnan(values).any():
        raise UserInputError(f"score {name!r} in {side}: {int(np.isnan(values).sum())} missing values")
    bad = (values < 0) | (values > 1)
    if bad.any():
        raise UserInputError(f"score {name!r} in {side}: {int(bad.sum())} values outside [0, 1], first "
                             f"{values[bad][0]:g}")
    return values


def _chunk_bounds(n: int, size: int) -> list[tuple[int, int]]:
    """Consecutive chunks of `size` rows; a last remainder under half a chunk joins the one before."""
    bounds = [(start, min(start + size, n)) for start in range(0, n, size)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] < size / 2:
        bounds[-2:] = [(bounds[-2][0], n)]
    return bounds


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom > 0 else 0.0  # performance.classification's convention for an empty denominator


def _binary_expected(p: np.ndarray, predicted: np.ndarray, raw: np.ndarray) -> dict[str, float | None]:
    tp, fp = float(p[predicted].sum()), float((1 - p[predicted]).sum())
    fn, tn = float(p[~predicted].sum()), float((1 - p[~predicted]).sum())
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {"precision": precision, "recall": recall, "f1": _ratio(2 * tp, 2 * tp + fp + fn),
            "accuracy": (tp + tn) / len(p), "roc_auc": _expected_auc(p, raw)}


def _expected_auc(p: np.ndarray, raw: np.ndarray) -> float | None:
    """Area under the expected ROC curve: rows ranked by the model's score, each counting p positive and
    1 - p negative; tied scores step together (the realized AUC averages ties the same way)."""
    order = np.argsort(-raw, kind="stable")
    ranked, positive = raw[order], p[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]
    tps, fps = np.cumsum(positive)[last_of_tie], np.cumsum(1 - positive)[last_of_tie]
    if tps[-1] <= 0 or fps[-1] <= 0:
        return None
    tpr, fpr = np.r_[0.0, tps / tps[-1]], np.r_[0.0, fps / fps[-1]]
    return float(np.trapezoid(tpr, fpr))


def _estimate(p: np.ndarray, predicted: np.ndarray, raw: np.ndarray, k: int) -> dict[str, float | None]:
    if p.ndim == 1:
        return _binary_expected(p, predicted == 1, raw)
    per_class = [_binary_expected(p[:, c], predicted == c, raw[:, c]) for c in range(k)]
    macro = {m: _mean([c[m] for c in per_class]) for m in ("precision", "recall", "f1", "roc_auc")}
    return {**macro, "accuracy": float(p[np.arange(len(predicted)), predicted].mean())}


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None


def _realized(labels: np.ndarray, predicted: np.ndarray, raw: np.ndarray, k: int) -> dict[str, float | None]:
    """Realized metrics through `performance.classification` and `performance.roc_auc`."""
    if raw.ndim == 1:
        quality = classification(labels == 1, predicted == 1)
        positive = quality["per_class"].get("True")
        out: dict[str, float | None] = {m: positive[m] if positive else None for m in ("precision", "recall", "f1")}
        return {**out, "accuracy": quality["accuracy"], "roc_auc": roc_auc(labels == 1, raw)}
    quality = classification(labels, predicted)
    per_class = [quality["per_class"].get(str(c)) for c in range(k)]
    macro = {m: float(np.mean([c[m] if c else 0.0 for c in per_class])) for m in ("precision", "recall", "f1")}
    return {**macro, "accuracy": quality["accuracy"],
            "roc_auc": _mean([roc_auc(labels == c, raw[:, c]) for c in range(k)])}


def _realized_chunk(side: _Side, rows: slice, k: int, names: list[str]) -> tuple[dict[str, float | None], int]:
    if side.labels is None:
        return {m: None for m in names}, 0
    known = side.labels[rows] >= 0
    if not known.any():
        return {m: None for m in names}, 0
    values = _realized(side.labels[rows][known], side.predicted[rows][known], side.scores[rows][known], k)
    return {m: values[m] for m in names}, int(known.sum())


def _standard_errors(ref: _Side, size: int, k: int, names: list[str]) -> dict[str, float | None]:
    """Std of the realized metric over `SAMPLES` draws of `size` reference rows (with replacement)."""
    assert ref.labels is not None
    rng = np.random.default_rng(SEED)
    draws: dict[str, list[float]] = {m: [] for m in names}
    for _ in range(SAMPLES):
        rows = rng.integers(0, len(ref.predicted), size)
        values = _realized(ref.labels[rows], ref.predicted[rows], ref.scores[rows], k)
        for m in names:
            if values[m] is not None:
                draws[m].append(float(values[m]))  # type: ignore[arg-type]
    return {m: float(np.std(v, ddof=1)) if len(v) > 1 else None for m, v in draws.items()}


def _mean_realized(ref: _Side, chunks: list[tuple[int, int]], k: int, names: list[str]) -> dict[str, float | None]:
    assert ref.labels is not None
    values = [_realized(ref.labels[a:b], ref.predicted[a:b], ref.scores[a:b], k) for a, b in chunks]
    return {m: _mean([v[m] for v in values]) for m in names}


def _clip_pair(mean: float | None, se: float | None) -> tuple[float | None, float | None]:
    return _band(mean, se, -1.0), _band(mean, se, 1.0)


def _band(value: float | None, se: float | None, direction: float) -> float | None:
    if value is None or se is None:
        return None
    return min(1.0, max(0.0, value + direction * BAND_WIDTH * se))


def _alert(value: float | None, threshold: tuple[float | None, float | None],
           bound: Mapping[str, float | None]) -> bool:
    if value is None:
        return False
    low, high = threshold
    below = [x for x in (low, bound.get("min")) if x is not None]
    above = [x for x in (high, bound.get("max")) if x is not None]
    return any(value < x for x in below) or any(value > x for x in above)


def _breaches(result: CbpeResult, limits: Mapping[str, Mapping[str, float | None]]) -> list[dict[str, Any]]:
    """Per metric, its lowest estimate when below the inventory bound (`kind: bound`) or else below the
    reference threshold (`kind: threshold`): what PERF002 findings report."""
    found = []
    for m in result.metrics:
        estimates = [(c.estimated[m], c.index) for c in result.chunks if c.estimated[m] is not None]
        if not estimates:
            continue
        value, index = min(estimates)
        assert value is not None
        bound, low = limits.get(m, {}).get("min"), result.thresholds[m][0]
        if bound is not None and value < bound:
            found.append({"metric": m, "value": value, "chunk": index, "min": bound, "kind": "bound"})
        elif low is not None and value < low:
            found.append({"metric": m, "value": value, "chunk": index, "threshold": low, "kind": "threshold"})
    return found
