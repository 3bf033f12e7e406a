"""Multivariate drift of a production component: a DRIFT003 finding and a retrain request."""

import json
import textwrap

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mldebt.service.drift import DriftRequest, run_drift
from mldebt.service.retrain import list_requests
from mldebt.store.findings import open_findings


def write_catalog(tmp_path, lifecycle="production"):
    path = tmp_path / "mldebt.yaml"
    path.write_text(textwrap.dedent(f"""\
        version: 1
        components:
          - name: risk-model
            kind: model
            owner: team
            lifecycle: {lifecycle}
            revenue_critical: true
            training_data: risk-data
            retrain: {{mode: approve, command: "true"}}
          - name: risk-data
            kind: dataset
            owner: team
            lifecycle: {lifecycle}
            schema:
              - {{name: income, type: float}}
              - {{name: debt, type: float}}
        """))
    return path


def write_data(tmp_path, current_rho):
    rng = np.random.default_rng(12)
    paths = []
    for name, n, rho in (("ref", 3000, 0.9), ("cur", 1000, current_rho)):
        income = rng.normal(size=n)
        pq.write_table(pa.table({"income": income, "debt": rho * income + np.sqrt(1 - rho ** 2) * rng.normal(size=n),
                                 "age": rng.normal(40, 10, n)}), tmp_path / f"{name}.parquet")
        paths.append(tmp_path / f"{name}.parquet")
    return paths


def test_a_correlation_flip_is_a_finding_and_requests_a_retrain(store, tmp_path):
    catalog = write_catalog(tmp_path)
    ref, cur = write_data(tmp_path, -0.9)
    outcome = run_drift(store, DriftRequest(ref, cur, component="risk-model", catalog=catalog, multivariate=True))
    assert not outcome.report.dataset_drift and outcome.report.drifted_columns == []
    assert [f.rule_id for f in outcome.findings if f.rule_id.startswith("DRIFT")] == ["DRIFT003"]
    finding = next(f for f in outcome.findings if f.rule_id == "DRIFT003")
    assert str(finding.severity) == "high"  # revenue critical
    assert finding.message.startswith("multivariate drift: 10 of 10 chunks above the reconstruction-error threshold")
    assert set(finding.evidence["columns"][:2]) == {"income", "debt"}
    assert [r.status for r in outcome.retrain] == ["pending"]
    [request] = list_requests(store)
    assert request["component"] == "risk-model"
    with store.session() as session:
        assert "DRIFT003" in {f.rule_id for f in open_findings(session, "risk-model", "drift")}
    stored = json.loads(json.dumps(outcome.to_dict()))
    assert stored["multivariate"]["drifted"] is True


def test_no_multivariate_drift_fixes_the_finding_and_fires_nothing(store, tmp_path):
    catalog = write_catalog(tmp_path)
    ref, cur = write_data(tmp_path, -0.9)
    first = run_drift(store, DriftRequest(ref, cur, component="risk-model", catalog=catalog, multivariate=True))
    fingerprint = next(f.fingerprint for f in first.findings if f.rule_id == "DRIFT003")
    ref, cur = write_data(tmp_path, 0.9)
    again = run_drift(store, DriftRequest(ref, cur, component="risk-model", catalog=catalog, multivariate=True))
    assert again.report.multivariate["drifted"] is False and again.retrain == []
    assert "DRIFT003" not in {f.rule_id for f in again.findings}
    assert again.synced.fixed == [fingerprint]


def test_an_experiment_gets_no_finding_but_its_retrain_still_fires(store, tmp_path):
    catalog = write_catalog(tmp_path, lifecycle="experimental")
    ref, cur = write_data(tmp_path, -0.9)
    outcome = run_drift(store, DriftRequest(ref, cur, component="risk-model", catalog=catalog, multivariate=True))
    assert outcome.findings == [] and outcome.report.multivariate["drifted"] is True
    assert [r.status for r in outcome.retrain] == ["pending"]
