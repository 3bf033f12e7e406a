"""A real Prometheus Alertmanager delivers firing and resolved alerts to a running mldebt."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import select

from mldebt.store.database import open_store
from mldebt.store.ingest_tables import IncidentRow, RawEventRow
from tests.support.alertmanager import wait_for


def test_alertmanager_delivers_firing_then_resolved(server_factory, alertmanager, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'mldebt.db'}"
    server = server_factory(database_url)
    am_url = alertmanager(server.url, "am-token")
    now = dt.datetime.now(dt.UTC)
    alert = {"labels": {"alertname": "RecsLatencyHigh", "service": "recs-api", "severity": "page"},
             "annotations": {"summary": "recs-api p99 latency above 800ms"},
             "startsAt": now.isoformat(), "endsAt": (now + dt.timedelta(seconds=4)).isoformat(),
             "generatorURL": "http://prometheus.test/graph"}
    assert httpx.post(f"{am_url}/api/v2/alerts", json=[alert], timeout=5).status_code == 200
    store = open_store(database_url)

    def incident():
        with store.session() as session:
            return session.scalar(select(IncidentRow))

    firing = wait_for(incident)
    assert (firing.component, firing.category, firing.source) == ("recs-api", "latency", "alertmanager")
    resolved = wait_for(lambda: (row := incident()) is not None and row.resolved_at is not None and row)
    assert resolved.reopen_count == 0
    with store.session() as session:
        statuses = [(r.status, r.verification) for r in session.scalars(select(RawEventRow))]
    store.close()
    assert ("parsed", "verified") in statuses and all(s in ("parsed", "duplicate") for s, _ in statuses)
    assert len([s for s, _ in statuses if s == "parsed"]) == 2
