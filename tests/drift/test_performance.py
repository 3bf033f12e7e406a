"""Model quality: metrics by hand-checked formulas, ROC AUC against the rank-sum identity, bounds."""

import numpy as np
import pyarrow as pa
import pytest

from mldebt.drift.compare import Options, compare
from mldebt.drift.performance import check_thresholds, classification, regression, roc_auc


def test_binary_classification_metrics_by_hand():
    labels = np.array([1, 1, 1, 0, 0, 0, 0, 1])
    preds = np.array([1, 0, 1, 1, 0, 0, 0, 1])
    m = classification(labels, preds)
    # positive class 1: tp=3, fp=1, fn=1, tn=3
    assert (m["accuracy"], m["precision"], m["recall"], m["false_positive_rate"]) == (0.75, 0.75, 0.75, 0.25)
    assert m["f1"] == pytest.approx(0.75)


def test_roc_auc_counts_correctly_ordered_pairs():
    positive = np.array([True, True, False, False, True])
    scores = np.array([0.9, 0.4, 0.5, 0.1, 0.8])
    pairs = [(p, n) for p in scores[positive] for n in scores[~positive]]
    assert roc_auc(positive, scores) == pytest.approx(sum(p > n for p, n in pairs) / len(pairs))


def test_regression_metrics():
    m = regression(np.array([1.0, 2.0, 4.0]), np.array([1.5, 2.0, 3.0]))
    assert m["mae"] == pytest.approx(0.5) and m["rmse"] == pytest.approx(np.sqrt((0.25 + 1) / 3))
    assert m["mape"] == pytest.approx((0.5 + 0 + 0.25) / 3) and m["r2"] == pytest.approx(1 - 1.25 / (14 / 3))


def test_rising_false_positives_breach_the_inventory_bound(rng):
    def period(fp_rate):
        labels = rng.choice(["negative", "positive"], 4000, p=[0.7, 0.3])
        flip = (labels == "negative") & (rng.random(4000) < fp_rate)
        return pa.table({"label": labels, "predicted": np.where(flip, "positive", labels), "x": rng.normal(size=4000)})

    bounds = {"false_positive_rate": {"min": None, "max": 0.08}}
    report = compare(period(0.05), period(0.12), Options(label="label", prediction="predicted", metric_bounds=bounds))
    perf = report.performance
    assert perf["current"]["task"] == "classification"
    assert perf["change"]["false_positive_rate"] > 0.05
    assert [b["metric"] for b in perf["breaches"]] == ["false_positive_rate"]
    assert check_thresholds({"f1": 0.9}, {"macro_f1": {"min": 0.95, "max": None}}) == [
        {"metric": "macro_f1", "value": 0.9, "min": 0.95}]
