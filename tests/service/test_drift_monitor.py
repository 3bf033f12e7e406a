"""The drift monitor kind: evaluate with no transaction, record like `mldebt drift`, retrain after the commit."""

import datetime as dt
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mldebt.domain.alerts import MonitorStatus
from mldebt.service.catalog import require_catalog
from mldebt.service.monitors import KINDS
from mldebt.service.monitors.base import MonitorJob
from mldebt.service.monitors.drift_monitor import KIND, DriftMonitorKind
from mldebt.service.retrain import list_requests
from mldebt.service.units import direct_units
from mldebt.store.drift import drift_runs
from mldebt.store.findings import open_findings

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def write_catalog(tmp_path: Path, monitor: str, retrain: str = "{mode: off}") -> Path:
    path = tmp_path / "mldebt.yaml"
    path.write_text(textwrap.dedent(f"""\
        version: 1
        components:
          - name: shop-model
            kind: model
            owner: team
            lifecycle: production
            customer_facing: true
            training_data: shop-data
            retrain: {retrain}
            monitors:
              - {monitor}
          - name: shop-data
            kind: dataset
            owner: team
            lifecycle: production
            schema:
              - {{name: price, type: float}}
              - {{name: channel, type: categorical}}
        drift:
          alpha: 0.01
        """))
    return path


def write_table(path: Path, seed: int, shift: float) -> None:
    rng = np.random.default_rng(seed)
    n = 4000
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"price": rng.normal(10 + shift, 1, n),
                             "channel": rng.choice(["web", "app"], n, p=[0.6 - shift / 5, 0.4 + shift / 5])}), path)


def job_for(catalog_path: Path, run_id: int = 1, now: dt.datetime = NOW) -> MonitorJob:
    catalog = require_catalog(catalog_path)
    component = catalog.by_name()["shop-model"]
    monitor = component.monitors[0]
    return MonitorJob(key=f"shop-model/{monitor.name}", component=component, monitor=monitor, catalog=catalog,
                      catalog_dir=catalog_path.parent, run_id=run_id, due_at=now, now=now)


MONITOR = "{name: daily-drift, kind: drift, every: 1d, reference: data/ref.parquet, current: data/cur.parquet}"


@pytest.fixture
def drifted(tmp_path):
    write_table(tmp_path / "data" / "ref.parquet", 0, 0.0)
    write_table(tmp_path / "data" / "cur.parquet", 1, 1.0)
    return tmp_path


def run(store, job):
    evaluation = KIND.evaluate(job)
    with store.session() as session:
        return KIND.record(session, job, evaluation)


def test_the_kind_is_registered_under_its_name():
    assert isinstance(KINDS["drift"], DriftMonitorKind) and KINDS["drift"] is KIND


def test_drifted_data_breaches_and_stores_a_drift_run_with_its_findings(store, drifted):
    job = job_for(write_catalog(drifted, MONITOR))
    evaluation = KIND.evaluate(job)
    assert evaluation.status == MonitorStatus.BREACH
    assert evaluation.summary == "2 of 2 columns drifted: price, channel"
    assert evaluation.value == 1.0 and evaluation.threshold == 0.5
    assert evaluation.category == "data-quality" and evaluation.evidence_url is None
    assert [d["column"] for d in evaluation.detail["drifted"]] == ["price", "channel"]
    assert [d["method"] for d in evaluation.detail["drifted"]] == ["ks", "ztest"]
    assert all(d["pvalue"] < 0.01 for d in evaluation.detail["drifted"])
    assert evaluation.detail["current"] == str(drifted / "data" / "cur.parquet")
    with store.session() as session:
        assert drift_runs(session, "shop-model") == []  # evaluate stores nothing
        recorded = KIND.record(session, job, evaluation)
    with store.session() as session:
        runs = drift_runs(session, "shop-model")
        assert [r.dataset_drift for r in runs] == [True]
        assert recorded.evidence_url == f"/drift/{runs[0].id}" and recorded.detail["drift_run_id"] == runs[0].id
        assert runs[0].current == str(drifted / "data" / "cur.parquet")
        found = sorted((f.rule_id, f.message.split(" ")[0]) for f in open_findings(session, "shop-model", "drift")
                       if f.rule_id.startswith("DRIFT"))
    assert found == [("DRIFT001", "channel"), ("DRIFT001", "price"), ("DRIFT002", "dataset")]
    assert recorded.after == [] and recorded.detail["retrain"] == [
        {"component": "shop-model", "mode": "off", "status": "reported", "request_id": None}]


def test_undrifted_data_is_ok_and_fixes_the_findings_of_an_earlier_breach(store, drifted):
    catalog = write_catalog(drifted, MONITOR)
    assert run(store, job_for(catalog)).status == MonitorStatus.BREACH
    write_table(drifted / "data" / "cur.parquet", 2, 0.0)
    evaluation = run(store, job_for(catalog, run_id=2, now=NOW + dt.timedelta(days=1)))
    assert evaluation.status == MonitorStatus.OK and evaluation.summary == "0 of 2 columns drifted"
    assert evaluation.value == 0.0 and evaluation.category is None and evaluation.detail["drifted"] == []
    with store.session() as session:
        runs = drift_runs(session, "shop-model")
        assert [r.dataset_drift for r in runs] == [True, False]
        assert evaluation.evidence_url == f"/drift/{runs[1].id}"
        assert [f.rule_id for f in open_findings(session, "shop-model", "drift") if f.rule_id.startswith("DRIFT")] == []


def test_a_missing_file_is_an_error_naming_it_and_stores_no_run(store, drifted):
    job = job_for(write_catalog(drifted, MONITOR.replace("data/cur.parquet", "data/gone.parquet")))
    evaluation = run(store, job)
    assert evaluation.status == MonitorStatus.ERROR
    assert evaluation.summary == f"no such file: {drifted / 'data' / 'gone.parquet'}"
    assert evaluation.evidence_url is None and evaluation.after == []
    with store.session() as session:
        assert drift_runs(session, "shop-model") == []


def test_an_unreadable_file_and_an_absolute_path_are_handled(store, drifted):
    bad = drifted / "data" / "broken.parquet"
    bad.write_bytes(b"not parquet")
    job = job_for(write_catalog(drifted, MONITOR.replace("data/cur.parquet", str(bad))))
    evaluation = run(store, job)
    assert evaluation.status == MonitorStatus.ERROR and evaluation.summary.startswith(f"cannot read {bad}: ")
    with store.session() as session:
        assert drift_runs(session, "shop-model") == []


def test_monitor_columns_methods_and_thresholds_override_the_policy(store, drifted):
    monitor = MONITOR.replace("}", ", columns: [price], methods: {price: psi}, thresholds: {price: 0.2}}")
    evaluation = KIND.evaluate(job_for(write_catalog(drifted, monitor)))
    assert evaluation.status == MonitorStatus.BREACH and evaluation.summary == "1 of 1 columns drifted: price"
    assert [(d["column"], d["method"]) for d in evaluation.detail["drifted"]] == [("price", "psi")]


def test_a_bad_override_is_an_error_not_an_exception(store, drifted):
    evaluation = KIND.evaluate(job_for(write_catalog(drifted, MONITOR.replace("}", ", columns: [nope]}"))))
    assert evaluation.status == MonitorStatus.ERROR and "no column 'nope'" in evaluation.summary


def test_an_auto_retrain_runs_only_in_after(store, drifted):
    marker = drifted / "retrained.txt"
    (drifted / "retrain.py").write_text(f"open({str(marker)!r}, 'w').write('ok')\n")
    job = job_for(write_catalog(drifted, MONITOR, "{mode: auto, command: '{python} retrain.py'}"))
    evaluation = run(store, job)
    assert evaluation.status == MonitorStatus.BREACH and len(evaluation.after) == 1
    assert not marker.exists()
    assert [(r["status"], r["drift_run_id"]) for r in list_requests(store)] == [
        ("running", evaluation.detail["drift_run_id"])]
    units_run = []

    def counted(work):  # the step's writes go through the Units it is given (serve hands its one writer)
        units_run.append(work)
        return direct_units(store)(work)

    outcomes = [step(counted) for step in evaluation.after]
    assert len(units_run) == 2  # read the claimed request, then record its outcome: the command runs between
    assert [(o.component, o.status) for o in outcomes] == [("shop-model", "succeeded")]
    assert marker.read_text() == "ok"
    assert [r["status"] for r in list_requests(store)] == ["succeeded"]


def test_a_multivariate_monitor_breaches_on_a_correlation_flip_no_column_shows(store, tmp_path):
    rng = np.random.default_rng(4)
    for name, rho in (("ref", 0.9), ("cur", -0.9)):
        income = rng.normal(size=3000)
        debt = rho * income + np.sqrt(1 - rho ** 2) * rng.normal(size=3000)
        (tmp_path / "data").mkdir(exist_ok=True)
        pq.write_table(pa.table({"price": income, "debt": debt}), tmp_path / "data" / f"{name}.parquet")
    plain = job_for(write_catalog(tmp_path, MONITOR))
    assert KIND.evaluate(plain).status == MonitorStatus.OK
    job = job_for(write_catalog(tmp_path, MONITOR.replace("}", ", multivariate: true}")))
    evaluation = run(store, job)
    assert evaluation.status == MonitorStatus.BREACH
    assert evaluation.summary.startswith("0 of 2 columns drifted; multivariate drift in ")
    assert evaluation.evidence_url == f"/drift/{evaluation.detail['drift_run_id']}"
