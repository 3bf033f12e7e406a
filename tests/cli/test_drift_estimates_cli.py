"""`mldebt drift --estimate-performance --score COL`: estimated quality per chunk before the labels arrive."""

import json
import textwrap

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mldebt.store.database import open_store
from mldebt.store.findings import open_findings
from tests.support.cli import enter_tmp, run

ESTIMATE = ["--prediction", "pred", "--score", "score", "--label", "y", "--estimate-performance"]


def binary(rng, n, spread):
    p = 1 / (1 + np.exp(-2 * rng.normal(0, spread, n)))
    return p, rng.random(n) < p


@pytest.fixture(autouse=True)
def data(tmp_path, monkeypatch):
    """A calibrated model whose current inputs drift toward its boundary: quality falls chunk by chunk.
    The current file has no labels yet (they arrive weeks later)."""
    enter_tmp(tmp_path, monkeypatch)
    rng = np.random.default_rng(0)
    ref_p, ref_y = binary(rng, 4000, 1.5)
    parts = [binary(rng, 400, 1.5 - 0.12 * i) for i in range(10)]
    cur_p, cur_y = np.concatenate([p for p, _ in parts]), np.concatenate([y for _, y in parts])
    pq.write_table(pa.table({"score": ref_p, "pred": ref_p >= 0.5, "y": ref_y}), tmp_path / "ref.parquet")
    pq.write_table(pa.table({"score": cur_p, "pred": cur_p >= 0.5}), tmp_path / "cur.parquet")
    pq.write_table(pa.table({"score": cur_p, "pred": cur_p >= 0.5, "y": cur_y}), tmp_path / "labelled.parquet")
    return tmp_path


def test_the_table_sets_estimates_per_chunk_beside_realized_values(capsys):
    code, out, err = run(capsys, "drift", "ref.parquet", "labelled.parquet", *ESTIMATE)
    assert (code, err) == (0, "")
    rows = [line for line in out.splitlines() if line.startswith("│")]
    estimates = rows[rows.index(next(r for r in rows if r.startswith("│ 0  "))):]
    assert estimates[0].split("│")[1:4] == [" 0          ", "     0-399 ", "      400 "]
    assert estimates[9].split("│")[2].strip() == "3600-3999" and estimates[10].split("│")[1].strip() == "thresholds"
    assert [cell.strip() for cell in estimates[9].split("│")[4:9]] == [
        "0.703 / 0.705 !", "0.636 / 0.642 !", "0.644 / 0.641 !", "0.628 / 0.644 !", "0.646 / 0.657 !"]
    assert "scores already calibrated: ECE 0.009 -> 0.009; chunks of 400 rows, 10 reference chunks" in out
    assert "estimated accuracy = 0.646 in chunk 9: below its threshold 0.780" in out


def test_json_holds_the_estimates_and_realized_values_wait_for_labels(capsys):
    code, out, err = run(capsys, "drift", "ref.parquet", "cur.parquet", *ESTIMATE, "--format", "json")
    report = json.loads(out)
    estimated = report["estimated_performance"]
    assert (code, err, report["performance"]) == (0, "", None)
    assert (estimated["method"], estimated["classes"], estimated["calibrated"], estimated["chunk_size"]) == (
        "cbpe", ["False", "True"], False, 400)
    assert [c["labelled_rows"] for c in estimated["chunks"]] == [0] * 10
    assert {v for c in estimated["chunks"] for v in c["realized"].values()} == {None}
    assert [sum(c["alerts"].values()) for c in estimated["chunks"]] == [0, 0, 0, 0, 2, 3, 4, 5, 5, 5]


def test_an_estimate_below_the_inventory_bound_is_a_stored_perf002_finding(capsys, data):
    (data / "mldebt.yaml").write_text(textwrap.dedent("""\
        version: 1
        components:
          - name: fraud-model
            kind: model
            owner: risk
            lifecycle: production
            revenue_critical: true
            metrics:
              f1: {value: 0.84, min: 0.7}
        """))
    code, out, err = run(capsys, "drift", "ref.parquet", "cur.parquet", *ESTIMATE, "--component", "fraud-model",
                         "--format", "json")
    assert (code, err) == (0, "")
    perf = [f for f in json.loads(out)["findings"] if f["rule_id"] == "PERF002"]
    assert [(f["severity"], f["message"]) for f in perf][:2] == [
        ("medium", "estimated roc_auc is 0.703 in chunk 9 of the current data, below the reference period's "
                   "threshold (0.881)"),
        ("high", "estimated f1 is 0.636 in chunk 9 of the current data, below its inventory bound (min 0.7)")]
    store = open_store("sqlite:///.mldebt/mldebt.db")
    try:
        with store.session() as session:
            rows = open_findings(session, "fraud-model")
            stored = sorted(f.message.split()[1] for f in rows if f.rule_id == "PERF002")
    finally:
        store.close()
    assert stored == ["accuracy", "f1", "precision", "recall", "roc_auc"]


@pytest.mark.parametrize(("options", "message"), [
    (["--prediction", "pred", "--label", "y", "--estimate-performance"],
     "--estimate-performance needs --prediction, --score and --label (the reference's labels)"),
    (["--prediction", "pred", "--score", "score", "--label", "y"],
     "--score score: scores are read by --estimate-performance only; add it"),
    (["--prediction", "pred", "--score", "nope", "--label", "y", "--estimate-performance"],
     "performance estimation: no column 'nope' in reference"),
    (["--prediction", "pred", "--score", "score", "--label", "z", "--estimate-performance"],
     "performance estimation: no label column 'z' in reference (the reference needs labels)"),
    (["--prediction", "score", "--score", "score", "--label", "y", "--estimate-performance"],
     "prediction 'score' in reference: 4000 values not among the classes (False, True), first '0.5931953467844481'"),
])
def test_bad_estimate_options_are_one_line_and_exit_2(capsys, options, message):
    code, out, err = run(capsys, "drift", "ref.parquet", "cur.parquet", *options)
    assert (code, out, err) == (2, "", f"error: {message}\n")


def test_an_experiment_gets_no_perf002_finding_and_html_is_written(capsys, data):
    (data / "mldebt.yaml").write_text("version: 1\ncomponents:\n  - {name: fraud-model, kind: model, owner: risk, "
                                      "lifecycle: experimental, metrics: {f1: {min: 0.7}}}\n")
    code, out, err = run(capsys, "drift", "ref.parquet", "cur.parquet", *ESTIMATE, "--component", "fraud-model",
                         "--format", "json")
    report = json.loads(out)
    assert (code, err, report["findings"]) == (0, "", [])
    assert [b["kind"] for b in report["estimated_performance"]["breaches"]] == ["threshold", "bound", "threshold",
                                                                                "threshold", "threshold"]
    code, out, err = run(capsys, "drift", "ref.parquet", "cur.parquet", *ESTIMATE, "--format", "html")
    assert (code, err) == (0, "wrote drift-report.html\n")


def test_per_segment_the_table_shows_each_segments_estimate(tmp_path, capsys):
    rng = np.random.default_rng(5)
    tables = []
    for rows, spread in ((3000, 1.5), (1200, 1.5)):
        p_a, y_a = binary(rng, rows, spread)
        p_b, y_b = binary(rng, rows, spread if rows == 3000 else 0.3)  # store b's traffic crowds the boundary
        tables.append(pa.table({"store": ["a"] * rows + ["b"] * rows, "score": np.concatenate([p_a, p_b]),
                                "pred": np.concatenate([p_a, p_b]) >= 0.5, "y": np.concatenate([y_a, y_b])}))
    pq.write_table(tables[0], tmp_path / "seg-ref.parquet")
    pq.write_table(tables[1], tmp_path / "seg-cur.parquet")
    code, out, _ = run(capsys, "drift", "seg-ref.parquet", "seg-cur.parquet", *ESTIMATE, "--segment-by", "store",
                       "--format", "json")
    segments = {s["segment"]: s["estimated_performance"] for s in json.loads(out)["segments"]}
    assert code == 0 and sorted(segments) == ["a", "b"]
    assert segments["a"]["breaches"] == [] and "accuracy" in segments["b"]["breaches"]
    code, out, _ = run(capsys, "drift", "seg-ref.parquet", "seg-cur.parquet", *ESTIMATE, "--segment-by", "store")
    assert code == 0 and "estimated (lowest / realized)" in out
