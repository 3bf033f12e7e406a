"""The model-quality monitor kind: realized metrics from a labelled table against bounds, PERF001 findings."""

import datetime as dt
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from mldebt.domain.alerts import MonitorStatus
from mldebt.drift.performance import METRIC_NAMES, model_quality
from mldebt.service.catalog import require_catalog
from mldebt.service.monitors import KINDS
from mldebt.service.monitors.base import MonitorJob
from mldebt.service.monitors.quality_monitor import KIND, QualityMonitorKind
from mldebt.store.findings import open_findings
from mldebt.store.models import FindingRow

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
MONITOR = "{name: quality, kind: model-quality, every: 1d, labels: data/labelled.csv, label: chargeback, " \
          "prediction: flagged"


def write_catalog(tmp_path: Path, monitor_tail: str = "}", metrics: str = "{}") -> Path:
    path = tmp_path / "mldebt.yaml"
    path.write_text(textwrap.dedent(f"""\
        version: 1
        components:
          - name: fraud-model
            kind: model
            owner: risk
            lifecycle: production
            revenue_critical: true
            metrics: {metrics}
            monitors:
              - {MONITOR}{monitor_tail}
        """))
    return path


def write_labels(tmp_path: Path) -> Path:
    """100 rows: 50 chargebacks of which 35 flagged, 50 fine of which 5 flagged.

    recall 35/50 = 0.70, precision 35/40 = 0.875, accuracy 80/100 = 0.80, false-positive rate 5/50 = 0.10.
    """
    label = [1] * 50 + [0] * 50
    flagged = [1] * 35 + [0] * 15 + [1] * 5 + [0] * 45
    path = tmp_path / "data" / "labelled.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(pa.table({"chargeback": label, "flagged": flagged}), path)
    return path


def job_for(catalog_path: Path, now: dt.datetime = NOW) -> MonitorJob:
    catalog = require_catalog(catalog_path)
    component = catalog.by_name()["fraud-model"]
    monitor = component.monitors[0]
    return MonitorJob(key=f"fraud-model/{monitor.name}", component=component, monitor=monitor, catalog=catalog,
                      catalog_dir=catalog_path.parent, run_id=1, due_at=now, now=now)


def run(store, job):
    evaluation = KIND.evaluate(job)
    with store.session() as session:
        return KIND.record(session, job, evaluation)


def perf_findings(store) -> list[tuple[str, str, str]]:
    with store.session() as session:
        return sorted((f.rule_id, f.scope, f.message) for f in open_findings(session, "fraud-model", "drift"))


@pytest.fixture
def labelled(tmp_path):
    write_labels(tmp_path)
    return tmp_path


def test_the_kind_is_registered_and_its_metric_names_are_what_model_quality_measures(labelled):
    assert isinstance(KINDS["model-quality"], QualityMonitorKind) and KINDS["model-quality"] is KIND
    table = pa.table({"y": [0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "p": [0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]})
    measured = set(model_quality(table, "y", "p")) | set(model_quality(pa.table({"y": [0, 1, 1], "p": [0.2, 0.9, 0.7]}),
                                                                        "y", "p"))
    assert set(METRIC_NAMES) <= measured


def test_recall_below_its_bound_breaches_and_records_a_perf_finding(store, labelled):
    job = job_for(write_catalog(labelled, ", bounds: {recall: {min: 0.8}}}"))
    evaluation = KIND.evaluate(job)
    assert evaluation.status == MonitorStatus.BREACH and evaluation.summary == "recall 0.70 < 0.80"
    assert evaluation.value == 0.7 and evaluation.threshold == 0.8 and evaluation.category == "model-error"
    assert evaluation.detail["metrics"] == {"recall": 0.7} and evaluation.detail["rows"] == 100
    assert evaluation.detail["breaches"] == [{"metric": "recall", "value": 0.7, "min": 0.8}]
    assert perf_findings(store) == []  # evaluate stores nothing
    with store.session() as session:
        recorded = KIND.record(session, job, evaluation)
    assert recorded.evidence_url == "/inventory/fraud-model"
    assert perf_findings(store) == [("PERF001", "model-quality:fraud-model/quality",
                                     "recall is 0.7 in the current data, outside its inventory bound (min 0.8)")]
    with store.session() as session:
        assert [f.severity for f in session.query(FindingRow)] == ["high"]  # revenue-critical


def test_the_model_metrics_bounds_are_the_default_and_the_worst_breach_comes_first(store, labelled):
    metrics = "{recall: {value: 0.9, min: 0.8}, precision: {min: 0.95}, accuracy: {value: 0.9}}"
    evaluation = run(store, job_for(write_catalog(labelled, "}", metrics)))
    assert evaluation.status == MonitorStatus.BREACH
    assert evaluation.summary == "recall 0.70 < 0.80; precision 0.88 < 0.95"
    assert (evaluation.value, evaluation.threshold) == (0.7, 0.8)
    assert evaluation.detail["bounds"] == {"recall": {"min": 0.8, "max": None}, "precision": {"min": 0.95, "max": None}}
    assert [m for _, _, m in perf_findings(store)] == [
        "precision is 0.875 in the current data, outside its inventory bound (min 0.95)",
        "recall is 0.7 in the current data, outside its inventory bound (min 0.8)"]


def test_within_bounds_is_ok_and_fixes_the_findings_of_an_earlier_breach(store, labelled):
    assert run(store, job_for(write_catalog(labelled, ", bounds: {recall: {min: 0.8}}}"))).status == "breach"
    later = NOW + dt.timedelta(days=1)
    evaluation = run(store, job_for(write_catalog(labelled, ", bounds: {recall: {min: 0.6}, fpr: {max: 0.2}}}"),
                                    later))
    assert evaluation.status == MonitorStatus.OK and evaluation.summary == "recall 0.70, fpr 0.10 within bounds"
    assert (evaluation.value, evaluation.threshold, evaluation.category) == (0.7, 0.6, None)  # nearest its bound
    assert evaluation.detail["findings"] == {"new": 0, "reopened": 0, "fixed": 1}
    assert perf_findings(store) == []


def test_a_false_positive_rate_breach_is_a_false_positives_category(store, labelled):
    evaluation = KIND.evaluate(job_for(write_catalog(labelled, ", bounds: {fpr: {max: 0.05}}}")))
    assert evaluation.status == MonitorStatus.BREACH and evaluation.summary == "fpr 0.10 > 0.05"
    assert evaluation.category == "false-positives"


def test_regression_metrics(store, tmp_path):
    path = tmp_path / "data" / "labelled.csv"
    path.parent.mkdir(parents=True)
    pacsv.write_csv(pa.table({"chargeback": [float(i) for i in range(20)],
                              "flagged": [float(i + 2) for i in range(20)]}), path)
    evaluation = KIND.evaluate(job_for(write_catalog(tmp_path, ", bounds: {rmse: {max: 1.5}, mae: {max: 3}}}")))
    assert evaluation.status == MonitorStatus.BREACH and evaluation.summary == "rmse 2.00 > 1.50"
    assert evaluation.detail["task"] == "regression"


def test_an_unknown_metric_is_an_error_listing_the_known_ones(store, labelled):
    evaluation = run(store, job_for(write_catalog(labelled, ", bounds: {recal: {min: 0.8}}}")))
    assert evaluation.status == MonitorStatus.ERROR
    assert evaluation.summary == ("unknown metric recal in bounds; known: accuracy, auc, f1, f1_macro, "
                                  "false_positive_rate, fpr, macro_f1, mae, mape, precision, r2, recall, rmse, roc_auc")
    assert evaluation.evidence_url is None and perf_findings(store) == []


def test_a_metric_the_data_does_not_give_is_an_error(store, labelled):
    evaluation = KIND.evaluate(job_for(write_catalog(labelled, ", bounds: {rmse: {max: 1}}}")))
    assert evaluation.status == MonitorStatus.ERROR
    assert evaluation.summary == (f"rmse not measured on the classification data in {labelled / 'data/labelled.csv'} "
                                  "(measured: accuracy, precision, recall, f1, false_positive_rate)")


def test_no_bounds_a_missing_file_and_a_missing_column_are_errors(store, tmp_path):
    no_bounds = KIND.evaluate(job_for(write_catalog(tmp_path)))
    assert no_bounds.status == MonitorStatus.ERROR and no_bounds.summary.startswith("no metric bounds")
    missing = run(store, job_for(write_catalog(tmp_path, ", bounds: {recall: {min: 0.8}}}")))
    assert missing.status == MonitorStatus.ERROR
    assert missing.summary == f"no such file: {tmp_path / 'data' / 'labelled.csv'}"
    write_labels(tmp_path)
    text = (tmp_path / "mldebt.yaml").read_text().replace("prediction: flagged", "prediction: score")
    (tmp_path / "mldebt.yaml").write_text(text)
    column = KIND.evaluate(job_for(tmp_path / "mldebt.yaml"))
    assert column.status == MonitorStatus.ERROR
    assert column.summary == (f"prediction score: no column 'score' in {tmp_path / 'data' / 'labelled.csv'} "
                              "(columns: chargeback, flagged)")
    assert perf_findings(store) == []
