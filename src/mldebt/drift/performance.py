"""Model quality from label and prediction columns, for the reference and the current period.

Classification (categorical or boolean labels): accuracy, macro precision / recall / F1, the
false-positive rate (one-vs-rest, macro), per class; ROC AUC when the prediction is a score in
[0, 1] for a binary label (classes at 0.5). Regression (numeric labels): MAE, RMSE, MAPE, R2.
`check_thresholds` compares the current values with the inventory's `metrics` bounds: a rising
false-positive rate of a sentiment model shows up here as a breached `max`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
from scipy.stats import rankdata

from mldebt.drift.tables import infer_type

ALIASES = {"macro_f1": "f1", "f1_macro": "f1", "fpr": "false_positive_rate", "auc": "roc_auc"}
CLASSIFICATION_METRICS = ("accuracy", "precision", "recall", "f1", "false_positive_rate", "roc_auc")
REGRESSION_METRICS = ("mae", "rmse", "mape", "r2")
METRIC_NAMES = CLASSIFICATION_METRICS + REGRESSION_METRICS
"""What `model_quality` measures (roc_auc only for a score, mape and r2 only when defined), by their names."""


def _values(column: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(column.to_numpy(zero_copy_only=False))


def classification(labels: np.ndarray, predictions: np.ndarray, scores: np.ndarray | None = None) -> dict[str, Any]:
    classes = sorted(set(labels.tolist()) | set(predictions.tolist()), key=str)
    per_class = {}
    for cls in classes:
        tp = int(np.sum((predictions == cls) & (labels == cls)))
        fp = int(np.sum((predictions == cls) & (labels != cls)))
        fn = int(np.sum((predictions != cls) & (labels == cls)))
        tn = len(labels) - tp - fp - fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        per_class[str(cls)] = {
            "precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "false_positive_rate": fp / (fp + tn) if fp + tn else 0.0, "support": tp + fn}
    macro = {name: float(np.mean([m[name] for m in per_class.values()]))
             for name in ("precision", "recall", "f1", "false_positive_rate")}
    if len(classes) == 2:  # the positive class (True, 1, or the later name) carries the binary metrics
        macro = {name: per_class[str(classes[-1])][name] for name in macro}
    result: dict[str, Any] = {"task": "classification", "rows": len(labels),
                              "accuracy": float(np.mean(labels == predictions)), **macro, "per_class": per_class}
    if scores is not None:
        result["roc_auc"] = roc_auc(labels == classes[-1], scores)
    return result


def roc_auc(positive: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve via the rank-sum (Mann-Whitney) identity, ties averaged."""
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = rankdata(scores)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def regression(labels: np.ndarray, predictions: np.ndarray) -> dict[str, Any]:
    keep = np.isfinite(labels) & np.isfinite(predictions)
    y, p = labels[keep], predictions[keep]
    error = p - y
    nonzero = y != 0
    total = float(np.sum((y - y.mean()) ** 2))
    return {"task": "regression", "rows": len(y), "mae": float(np.mean(np.abs(error))),
            "rmse": float(np.sqrt(np.mean(error**2))),
            "mape": float(np.mean(np.abs(error[nonzero] / y[nonzero]))) if nonzero.any() else None,
            "r2": 1 - float(np.sum(error**2)) / total if total else None}


def model_quality(table: pa.Table, label: str, prediction: str) -> dict[str, Any]:
    """Metrics of one period; the task follows the label's type."""
    data = table.select([label, prediction]).drop_null()
    labels, predictions = _values(data[label]), _values(data[prediction])
    if infer_type(data[label]) == "numeric" and len(np.unique(labels)) > 10:
        return regression(labels.astype(np.float64), predictions.astype(np.float64))
    if infer_type(data[prediction]) == "numeric" and len(np.unique(labels)) == 2 and \
            len(np.unique(predictions)) > 2:
        classes = sorted(np.unique(labels).tolist(), key=str)
        predicted = np.where(predictions.astype(np.float64) >= 0.5, classes[-1], classes[0])
        return classification(labels, predicted, predictions.astype(np.float64))
    return classification(labels, predictions)


def check_thresholds(metrics: Mapping[str, Any], bounds: Mapping[str, Mapping[str, float | None]]) -> list[dict]:
    """Metrics of the current period outside the inventory's bounds (`min` / `max`)."""
    breaches = []
    for name, bound in bounds.items():
        value = metrics.get(ALIASES.get(name, name))
        if not isinstance(value, int | float):
            continue
        low, high = bound.get("min"), bound.get("max")
        if low is not None and value < low:
            breaches.append({"metric": name, "value": value, "min": low})
        if high is not None and value > high:
            breaches.append({"metric": name, "value": value, "max": high})
    return breaches


def compare_quality(reference: pa.Table, current: pa.Table, label: str, prediction: str,
                    bounds: Mapping[str, Mapping[str, float | None]] | None = None) -> dict[str, Any]:
    before, after = model_quality(reference, label, prediction), model_quality(current, label, prediction)
    change = {name: after[name] - before[name] for name in after
              if isinstance(after[name], float) and isinstance(before.get(name), float)}
    return {"label": label, "prediction": prediction, "reference": before, "current": after, "change": change,
            "breaches": check_thresholds(after, bounds or {})}
