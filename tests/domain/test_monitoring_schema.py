"""The `monitors:`, `monitoring:` and `governance:` sections of mldebt.yaml: what validates, what is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from mldebt.domain.alerts import Alert, AlertStatus, alert_key, incident_fingerprint
from mldebt.domain.monitoring import format_duration, parse_duration
from mldebt.inventory.loader import load_catalog_text

HEAD = "version: 1\ncomponents:\n  - name: fraud\n    kind: model\n    owner: risk\n"


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("5m", 300), ("1h", 3600), ("2d", 172800),
                                               ("1w", 604800), (" 90 s ", 90), (45, 45)])
def test_durations_parse(text, seconds):
    assert parse_duration(text) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "5", "1y", "-5m", "1.5h", True])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_durations_print_in_their_largest_exact_unit():
    assert [format_duration(dt.timedelta(seconds=s)) for s in (90, 3600, 86400, 5400)] == ["90s", "1h", "1d", "90m"]


def test_a_drift_monitor_and_an_slo_monitor_load():
    loaded = load_catalog_text(HEAD + """\
    monitors:
      - {name: daily-drift, kind: drift, every: 1d, reference: ref.csv, current: cur.csv}
      - {name: lag, kind: slo, every: 1m, objective: latency_p95, query: 'rec_p95', threshold: 0.3, window: 5m}
""")
    assert loaded.problems == []
    drift, slo = loaded.catalog.components[0].monitors
    assert (drift.kind, drift.every, drift.severity) == ("drift", dt.timedelta(days=1), "warning")
    assert (slo.kind, slo.threshold, slo.window, slo.comparison) == ("slo", 0.3, dt.timedelta(minutes=5), "above")


def test_monitor_mistakes_are_located():
    loaded = load_catalog_text(HEAD + """\
    monitors:
      - {name: a, kind: drift, every: 1s, reference: r, current: c}
      - {name: a, kind: slo, every: 1m, query: up}
""")
    messages = sorted(p.message for p in loaded.problems)
    assert loaded.catalog is None
    assert any("every must be between 10s and 366d" in m for m in messages)
    assert any("needs a threshold or a burn_rate" in m for m in messages)


def test_monitor_names_are_unique_within_a_component():
    loaded = load_catalog_text(HEAD + """\
    monitors:
      - {name: a, kind: drift, every: 1h, reference: r, current: c}
      - {name: a, kind: drift, every: 1h, reference: r, current: c}
""")
    assert [p.message for p in loaded.problems] == ["monitor names must be unique within a component: a"]


def test_a_channel_needs_exactly_one_of_url_and_url_env():
    loaded = load_catalog_text(HEAD + """\
monitoring:
  channels:
    - {name: team, kind: slack, url: https://hooks.example/x, url_env: SLACK_URL}
""")
    assert [p.message for p in loaded.problems] == [
        "give url or url_env (the name of an environment variable holding it), not both"]


def test_governance_records_audits_with_a_cadence():
    loaded = load_catalog_text(HEAD + """\
    governance:
      cadence_days: 180
      fairness: {date: 2026-06-01, reviewer: ana}
""")
    governance = loaded.catalog.components[0].governance
    assert governance.cadence_days == 180
    assert {k: (a.date, a.reviewer) if a else None for k, a in governance.audits().items()} == {
        "fairness": (dt.date(2026, 6, 1), "ana"), "explainability": None, "privacy": None}


def test_alert_labels_are_the_same_firing_and_resolved():
    started = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    firing = Alert(alert_key("fraud", "lag"), "fraud", "lag", "slo", "critical", AlertStatus.FIRING,
                   "p95 0.41 s", "over 0.3 s for 5m", started, value=0.41, threshold=0.3, category="latency")
    resolved = Alert(firing.key, "fraud", "lag", "slo", "critical", AlertStatus.RESOLVED, "p95 0.12 s", "holds",
                     started, ends_at=started + dt.timedelta(minutes=9), value=0.12, threshold=0.3, category="latency")
    assert firing.labels == resolved.labels == {
        "alertname": "MldebtSloBreach", "mldebt_alert": "fraud/lag", "component": "fraud", "monitor": "lag",
        "kind": "slo", "severity": "critical", "source": "mldebt", "category": "latency"}
    assert firing.annotations == {"summary": "p95 0.41 s", "description": "over 0.3 s for 5m", "value": "0.41",
                                  "threshold": "0.3"}
    assert incident_fingerprint(firing.key) == "monitor:fraud/lag"
