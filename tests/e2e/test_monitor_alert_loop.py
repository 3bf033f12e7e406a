"""The loop closes: an SLO monitor breaches (a real Prometheus scraping a test exporter), opens its
incident and sends its alert to a real Alertmanager, which routes it back to mldebt's
`/hooks/alertmanager`; the alert joins the monitor's incident instead of opening a second one, and
when the SLO holds again the incident resolves and stays one incident."""

from __future__ import annotations

import time
from pathlib import Path

import yaml
from sqlalchemy import func, select

from mldebt.service.monitoring import run_now
from mldebt.store.database import open_store
from mldebt.store.ingest_tables import IncidentIntervalRow, IncidentRow, RawEventRow
from tests.support.alertmanager import wait_for
from tests.support.prometheus_server import Exporter, PrometheusServer
from tests.support.webhooks import SECRETS


def _catalog(path: Path, prometheus_url: str, alertmanager_url: str) -> Path:
    path.write_text(yaml.safe_dump({"version": 1, "monitoring": {
        "prometheus": {"url": prometheus_url, "timeout": "5s"},
        "channels": [{"name": "am", "kind": "alertmanager", "url": alertmanager_url}]},
        "components": [{"name": "recs-api", "kind": "service", "owner": "personalization", "monitors": [
            {"name": "lag", "kind": "slo", "every": "1m", "objective": "latency_p95", "threshold": 0.3,
             "window": "2s", "step": "1s", "query": "max(rec_latency_p95_seconds)"}]}]}))
    return path


def test_a_monitors_alert_through_alertmanager_joins_its_incident_and_resolves(server_factory, alertmanager,
                                                                                tmp_path):
    database_url = f"sqlite:///{tmp_path / 'mldebt.db'}"
    server = server_factory(database_url)
    am_url = alertmanager(server.url, SECRETS["alertmanager"], resolve_timeout="5m")
    store = open_store(database_url)

    def incidents() -> list[IncidentRow]:
        with store.session() as session:
            return list(session.scalars(select(IncidentRow)))

    def parsed_deliveries() -> int:
        with store.session() as session:
            return session.scalar(select(func.count()).select_from(RawEventRow).where(
                RawEventRow.source == "alertmanager", RawEventRow.status == "parsed")) or 0

    (tmp_path / "prometheus").mkdir()
    with Exporter() as exporter:
        exporter.set("rec_latency_p95_seconds", 0.5)
        with PrometheusServer(tmp_path / "prometheus", exporter.target) as prometheus:
            catalog = _catalog(tmp_path / "mldebt.yaml", prometheus.url, am_url)
            prometheus.wait_for("count_over_time(rec_latency_p95_seconds[3s]) >= 3")
            breach = run_now(store, catalog, component=None, due_only=False)
            assert [(o.job.key, str(o.evaluation.status)) for o in breach.outcomes] == [("recs-api/lag", "breach")]
            assert [(d["channel"], d["kind"], d["status"]) for d in breach.deliveries] == [("am", "firing", "sent")]
            wait_for(lambda: parsed_deliveries() >= 1)
            [incident] = incidents()
            assert (incident.source, incident.fingerprint, incident.component, incident.category) == (
                "monitor", "monitor:recs-api/lag", "recs-api", "latency")
            assert incident.resolved_at is None

            exporter.set("rec_latency_p95_seconds", 0.1)
            time.sleep(3.5)  # the 2 s window holds again at every point
            held = run_now(store, catalog, component=None, due_only=False)
            assert [str(o.evaluation.status) for o in held.outcomes] == ["ok"]
            assert [(d["kind"], d["status"]) for d in held.deliveries] == [("resolved", "sent")]
            wait_for(lambda: parsed_deliveries() >= 2)
    [incident] = incidents()
    assert incident.resolved_at is not None and incident.reopen_count == 0
    with store.session() as session:
        intervals = session.scalar(select(func.count()).select_from(IncidentIntervalRow)) or 0
    store.close()
    assert intervals == 1
