"""An estimated drop in performance (CBPE) requests a retrain before any label confirms it."""

import textwrap

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mldebt.service.drift import DriftRequest, run_drift
from mldebt.service.retrain import list_requests


def _catalog(tmp_path):
    path = tmp_path / "mldebt.yaml"
    path.write_text(textwrap.dedent("""\
        version: 1
        components:
          - name: fraud-model
            kind: model
            owner: risk
            lifecycle: production
            retrain: {mode: approve, command: "true"}
        """))
    return path


def _data(tmp_path, spread):
    rng = np.random.default_rng(3)
    paths = []
    for name, rows, scale in (("ref", 4000, 1.5), ("cur", 2000, spread)):
        x = rng.normal(0, scale, rows)  # a narrow spread crowds the decision boundary: accuracy drops
        p = 1 / (1 + np.exp(-2 * x))
        pq.write_table(pa.table({"x": x, "other": rng.normal(size=rows), "p": p, "pred": (p > 0.5).astype(int),
                                 "y": (rng.random(rows) < p).astype(int)}), tmp_path / f"{name}.parquet")
        paths.append(tmp_path / f"{name}.parquet")
    return paths


def _run(store, tmp_path, spread):
    ref, cur = _data(tmp_path, spread)
    return run_drift(store, DriftRequest(ref, cur, component="fraud-model", catalog=_catalog(tmp_path),
                                         columns=["other"], label="y", prediction="pred", scores=["p"],
                                         estimate_performance=True))


def test_an_estimated_drop_without_column_drift_requests_a_retrain(store, tmp_path):
    outcome = _run(store, tmp_path, 0.3)
    assert outcome.report.dataset_drift is False and outcome.report.multivariate is None
    assert outcome.report.estimated_performance["breaches"] != []
    assert "PERF002" in {f.rule_id for f in outcome.findings}
    assert [r.status for r in outcome.retrain] == ["pending"]
    assert [r["component"] for r in list_requests(store)] == ["fraud-model"]


def test_no_estimated_drop_requests_nothing(store, tmp_path):
    outcome = _run(store, tmp_path, 1.5)
    assert outcome.report.estimated_performance["breaches"] == [] and outcome.retrain == []
