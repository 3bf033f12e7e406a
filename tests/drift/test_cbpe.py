"""CBPE on generated data with known answers: the model's probabilities are the true ones (or a known
distortion of them), so the realized metrics are draws around what the estimate should say."""

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from mldebt.drift import calibration
from mldebt.drift.cbpe import estimate_performance
from mldebt.errors import UserInputError

CLASSES = np.array(["cat", "dog", "fox"])


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def binary(rng, n, spread):
    """P(y | x) = sigmoid(2x) never changes (no concept drift); a narrower x (covariate shift) puts more
    rows near the boundary, and every metric falls."""
    p = sigmoid(2 * rng.normal(0, spread, n))
    return p, rng.random(n) < p


def shifted(make, rng, rows, start, step, chunks=10):
    parts = [make(rng, rows, start - step * i) for i in range(chunks)]
    return np.concatenate([p for p, _ in parts]), np.concatenate([y for _, y in parts])


def binary_table(score, y, predicted=None, label=True):
    columns = {"score": score, "pred": score >= 0.5 if predicted is None else predicted}
    if label:
        columns["y"] = y
    return pa.table(columns)


def multi(rng, n, spread):
    z = rng.normal(0, spread, (n, 2)) @ np.array([[2, 0], [-1, 1.7], [-1, -1.7]]).T
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    y = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    return p, y


def multi_table(p, y, predicted=None):
    return pa.table({"p_cat": p[:, 0], "p_dog": p[:, 1], "p_fox": p[:, 2],
                     "pred": CLASSES[p.argmax(axis=1) if predicted is None else predicted], "y": CLASSES[y]})


def inside(result):
    return {m: sum(c.lower[m] <= c.realized[m] <= c.upper[m] for c in result.chunks) for m in result.metrics}


def run_binary(ref, cur, **options):
    return estimate_performance(ref, cur, scores=["score"], prediction="pred", label="y", **options)


def test_a_covariate_shift_moves_every_metric_and_the_estimate_tracks_it_within_its_band():
    rng = np.random.default_rng(0)
    ref, cur = binary_table(*binary(rng, 10_000, 1.5)), binary_table(*shifted(binary, rng, 1000, 1.5, 0.12))
    result = run_binary(ref, cur)
    assert (result.calibrated, result.chunk_size, result.reference_chunks, len(result.chunks)) == (False, 1000, 10, 10)
    assert inside(result) == {"roc_auc": 10, "f1": 10, "precision": 10, "recall": 10, "accuracy": 10}
    first, last = result.chunks[0], result.chunks[-1]
    assert first.estimated["accuracy"] == pytest.approx(0.834, abs=0.001)
    assert last.estimated["accuracy"] == pytest.approx(0.656, abs=0.001)
    assert last.estimated["roc_auc"] == pytest.approx(0.715, abs=0.001)
    assert [sum(c.alerts.values()) for c in result.chunks] == [0, 0, 0, 4, 4, 5, 5, 5, 5, 5]
    assert [(b["metric"], b["chunk"], b["kind"]) for b in result.breaches] == [
        ("roc_auc", 9, "threshold"), ("f1", 9, "threshold"), ("precision", 9, "threshold"),
        ("recall", 8, "threshold"), ("accuracy", 9, "threshold")]


def test_undrifted_data_raises_no_alert_over_100_seeds():
    alerts = 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        result = run_binary(binary_table(*binary(rng, 2000, 1.5)), binary_table(*binary(rng, 2000, 1.5)))
        alerts += sum(v for c in result.chunks for v in c.alerts.values())
    assert (alerts, result.chunk_size, len(result.chunks)) == (0, 200, 10)


def test_a_miscalibrated_model_is_calibrated_on_the_reference_and_then_tracks():
    rng = np.random.default_rng(100)
    ref_p, ref_y = binary(rng, 5000, 1.5)
    cur_p, cur_y = shifted(binary, rng, 500, 1.5, 0.1)
    # The score p**3 ranks as p does but understates it: the same predictions, wrong probabilities.
    result = run_binary(binary_table(ref_p**3, ref_y, ref_p >= 0.5), binary_table(cur_p**3, cur_y, cur_p >= 0.5))
    assert result.calibrated is True
    assert result.ece_before == pytest.approx(0.175, abs=0.001)
    assert result.ece_after < 0.01 < 0.1 < result.ece_before
    assert inside(result) == {"roc_auc": 9, "f1": 10, "precision": 10, "recall": 10, "accuracy": 10}


def test_calibration_check_and_isotonic_map():
    rng = np.random.default_rng(1)
    p, y = binary(rng, 5000, 1.5)
    assert calibration.needs_calibration(p, y) is False
    assert calibration.needs_calibration(p**3, y) is True
    iso = calibration.fit_isotonic(np.array([0.1, 0.2, 0.2, 0.4]), np.array([1, 0, 0, 1]))
    assert iso.scores.tolist() == [0.1, 0.2, 0.4]
    assert iso.fitted.tolist() == pytest.approx([1 / 3, 1 / 3, 1.0])
    assert iso(np.array([0.0, 0.3, 0.9])).tolist() == pytest.approx([1 / 3, 2 / 3, 1.0])


def test_multiclass_three_classes_macro_estimates_track_the_realized_values():
    rng = np.random.default_rng(200)
    ref, cur = multi_table(*multi(rng, 6000, 1.2)), multi_table(*shifted(multi, rng, 600, 1.2, 0.08))
    result = estimate_performance(ref, cur, scores=["p_cat", "p_dog", "p_fox"], prediction="pred", label="y")
    assert (result.classes, result.calibrated, len(result.chunks)) == (["cat", "dog", "fox"], False, 10)
    assert inside(result) == {"roc_auc": 10, "f1": 10, "precision": 10, "recall": 10, "accuracy": 10}
    assert result.chunks[0].estimated["f1"] > 0.79 > 0.64 > result.chunks[-1].estimated["f1"]


def test_an_overconfident_multiclass_model_is_calibrated_per_class_and_renormalised():
    rng = np.random.default_rng(201)
    (ref_p, ref_y), (cur_p, cur_y) = multi(rng, 6000, 1.2), shifted(multi, rng, 600, 1.2, 0.08)

    def sharpen(p):
        return p**3 / (p**3).sum(axis=1, keepdims=True)  # same argmax, probabilities too close to 0 and 1

    result = estimate_performance(multi_table(sharpen(ref_p), ref_y), multi_table(sharpen(cur_p), cur_y),
                                  scores=["p_cat", "p_dog", "p_fox"], prediction="pred", label="y")
    assert result.calibrated is True and result.ece_after < result.ece_before
    assert inside(result) == {"roc_auc": 10, "f1": 10, "precision": 10, "recall": 10, "accuracy": 10}


def test_without_labels_in_current_only_estimates_and_an_inventory_bound_is_a_breach():
    rng = np.random.default_rng(0)
    ref, (cur_p, cur_y) = binary_table(*binary(rng, 10_000, 1.5)), shifted(binary, rng, 1000, 1.5, 0.12)
    result = run_binary(ref, binary_table(cur_p, cur_y, label=False), bounds={"macro_f1": {"min": 0.7}},
                        metrics=("f1", "accuracy"))
    assert result.metrics == ["f1", "accuracy"]
    assert {c.realized["f1"] for c in result.chunks} == {None}
    assert [(b["metric"], b["kind"], b.get("min")) for b in result.breaches] == [("f1", "bound", 0.7),
                                                                                 ("accuracy", "threshold", None)]
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["chunks"][9]["alerts"] == {"f1": True, "accuracy": True}
    assert data["chunks"][0]["realized"] == {"f1": None, "accuracy": None}
    assert data["thresholds"]["f1"][0] == pytest.approx(result.thresholds["f1"][0])


def test_labels_partly_arrived_give_realized_values_where_they_exist():
    rng = np.random.default_rng(2)
    p, y = binary(rng, 1000, 1.5)
    labels = pa.array([bool(v) if i < 300 else None for i, v in enumerate(y)])
    cur = pa.table({"score": p, "pred": p >= 0.5, "y": labels})
    result = run_binary(binary_table(*binary(rng, 3000, 1.5)), cur, chunk_size=250)
    assert [(c.start_row, c.end_row, c.labelled_rows) for c in result.chunks] == [
        (0, 250, 250), (250, 500, 50), (500, 750, 0), (750, 1000, 0)]
    assert [c.realized["accuracy"] is None for c in result.chunks] == [False, False, True, True]


def test_a_short_last_chunk_joins_the_one_before_with_a_wider_band():
    rng = np.random.default_rng(3)
    result = run_binary(binary_table(*binary(rng, 3000, 1.5)), binary_table(*binary(rng, 1040, 1.5)), chunk_size=200)
    assert [c.rows for c in result.chunks] == [200, 200, 200, 200, 240]
    widths = [c.upper["accuracy"] - c.lower["accuracy"] for c in result.chunks]
    assert widths[-1] == pytest.approx(widths[0] * np.sqrt(200 / 240))


@pytest.fixture
def tables():
    rng = np.random.default_rng(4)
    return binary_table(*binary(rng, 500, 1.5)), binary_table(*binary(rng, 500, 1.5))


@pytest.mark.parametrize(("change", "options", "message"), [
    (lambda r, c: (r, c.set_column(0, "score", pa.array(np.r_[1.5, np.full(499, 0.5)]))), {},
     "score 'score' in current: 1 values outside [0, 1], first 1.5"),
    (lambda r, c: (r, c.set_column(0, "score", pa.array(np.r_[np.nan, np.full(499, 0.5)]))), {},
     "score 'score' in current: 1 missing values"),
    (lambda r, c: (r, c.set_column(0, "score", pa.array(["a"] * 500))), {},
     "score 'score' in current: expected probabilities in [0, 1], got string values"),
    (lambda r, c: (r, c.drop_columns(["pred"])), {}, "performance estimation: no column 'pred' in current"),
    (lambda r, c: (r.drop_columns(["y"]), c), {},
     "performance estimation: no label column 'y' in reference (the reference needs labels)"),
    (lambda r, c: (r.set_column(2, "y", pa.array([True] * 500)), c), {},
     "label 'y' has one class only in reference (True): performance estimation needs at least two"),
    (lambda r, c: (r, c), {"metrics": ("f1", "mae")},
     "estimated metrics mae: expected some of roc_auc, f1, precision, recall, accuracy"),
    (lambda r, c: (r, c), {"chunk_size": 600}, "reference has 500 rows: fewer than one chunk (600 rows)"),
    (lambda r, c: (r, c.set_column(1, "pred", pa.array(["yes"] * 500))), {},
     "prediction 'pred' in current: 500 values not among the classes (False, True), first 'yes'"),
])
def test_bad_inputs_are_one_line_errors(tables, change, options, message):
    ref, cur = change(*tables)
    with pytest.raises(UserInputError) as caught:
        run_binary(ref, cur, **options)
    assert str(caught.value) == message


def test_score_columns_must_match_the_classes(tables):
    ref, cur = tables
    with pytest.raises(UserInputError) as caught:
        estimate_performance(ref, cur, scores=["score", "score2"], prediction="pred", label="y")
    assert str(caught.value) == "performance estimation: no column 'score2' in reference"
    three = multi_table(*multi(np.random.default_rng(5), 300, 1.0))
    with pytest.raises(UserInputError) as caught:
        estimate_performance(three, three, scores=["p_cat"], prediction="pred", label="y")
    assert str(caught.value) == ("one score column (p_cat) is P(positive) of a binary model, but there are 3 classes "
                                 "(cat, dog, fox); for multiclass give one score per class")


def test_the_example_in_the_docs_runs_and_finds_the_f1_bound_crossed(capsys):
    text = (Path(__file__).resolve().parents[2] / "docs" / "drift.md").read_text()
    section = text.split("## Performance without labels (CBPE)")[1]
    exec(section.split("```python\n")[1].split("```")[0], {})  # our own documentation, run as a reader would
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "0 0.829 False" and lines[9] == "9 0.658 True"
    assert "'chunk': 9, 'min': 0.7, 'kind': 'bound'" in lines[10]
