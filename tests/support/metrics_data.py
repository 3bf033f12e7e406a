"""A store with known rows for the metrics tests, and the exposition values they must give (worked by hand).

Debt (active = open, planned, in progress):
- chatbot/code: open 2-6 h, $100-300/week, priority 50; planned 1-3 h, $50-150, priority 75
  -> 2 items, 3-9 h (10,800-32,400 s), $150-450/week; a resolved 10-20 h item does not count.
- chatbot/model: in progress 4-8 h, $200-400, priority 40. Top priority of chatbot: 75.
- analytics-job/code: open 8-24 h, $10-30, priority 1.25; its accepted item does not count.
Incidents: chatbot's sentry incident was down 30 min then 60 min (MTTR 45 min = 2,700 s, 2 outages);
its alertmanager incident is open; an unlinked incident (10 min) is no AI incident.
Drift: chatbot's latest run 0.25 (an older one 0.5), recs-api 0.6 with dataset drift.
Feedback: chatbot 1.0 and 0.5 in the last 30 days (mean 0.75 of 2); 0.0 forty days ago and an unscored
answer do not count.
Findings: chatbot 2 open MLD102 (dependencies) and 1 open MLD301 (code) from the scanner; a fixed one.
Ingest: sentry 2 parsed + 1 duplicate deliveries, zendesk 1 rejected; 2 zendesk tickets; incidents
sentry 2, alertmanager 1.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mldebt.store import debt
from mldebt.store.database import Store
from mldebt.store.drift import add_drift_run
from mldebt.store.ingest_tables import FeedbackRow, IncidentIntervalRow, IncidentRow, RawEventRow, TicketRow
from mldebt.store.models import FindingRow

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)

ITEMS = (  # component, category, status, effort low-high, interest low-high, priority
    ("chatbot", "code", "open", (2, 6), (100, 300), 50.0),
    ("chatbot", "code", "planned", (1, 3), (50, 150), 75.0),
    ("chatbot", "model", "in-progress", (4, 8), (200, 400), 40.0),
    ("chatbot", "code", "resolved", (10, 20), (1000, 2000), 100.0),
    ("analytics-job", "code", "open", (8, 24), (10, 30), 1.25),
    ("analytics-job", "documentation", "accepted", (1, 2), (5, 10), 5.0),
)

EXPECTED: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {
    ("mldebt_debt_open_items", (("category", "code"), ("component", "chatbot"))): 2.0,
    ("mldebt_debt_open_items", (("category", "model"), ("component", "chatbot"))): 1.0,
    ("mldebt_debt_open_items", (("category", "code"), ("component", "analytics-job"))): 1.0,
    ("mldebt_debt_open_effort_low_seconds", (("category", "code"), ("component", "chatbot"))): 10_800.0,
    ("mldebt_debt_open_effort_high_seconds", (("category", "code"), ("component", "chatbot"))): 32_400.0,
    ("mldebt_debt_open_interest_low_per_week",
     (("category", "code"), ("component", "chatbot"), ("currency", "USD"))): 150.0,
    ("mldebt_debt_open_interest_high_per_week",
     (("category", "code"), ("component", "chatbot"), ("currency", "USD"))): 450.0,
    ("mldebt_debt_top_priority", (("component", "chatbot"),)): 75.0,
    ("mldebt_debt_top_priority", (("component", "analytics-job"),)): 1.25,
    ("mldebt_ai_incident_mttr_seconds", (("component", "chatbot"),)): 2700.0,
    ("mldebt_ai_incident_resolved_outages", (("component", "chatbot"),)): 2.0,
    ("mldebt_ai_incidents_open", (("component", "chatbot"),)): 1.0,
    ("mldebt_drift_share_ratio", (("component", "chatbot"),)): 0.25,
    ("mldebt_drift_share_ratio", (("component", "recs-api"),)): 0.6,
    ("mldebt_drift_dataset_drifted", (("component", "chatbot"),)): 0.0,
    ("mldebt_drift_dataset_drifted", (("component", "recs-api"),)): 1.0,
    ("mldebt_feedback_satisfaction_ratio", (("component", "chatbot"),)): 0.75,
    ("mldebt_feedback_scored_responses", (("component", "chatbot"),)): 2.0,
    ("mldebt_findings_open", (("category", "dependencies"), ("component", "chatbot"), ("source", "scan"))): 2.0,
    ("mldebt_findings_open", (("category", "code"), ("component", "chatbot"), ("source", "scan"))): 1.0,
    ("mldebt_webhook_deliveries_total", (("source", "sentry"),)): 3.0,
    ("mldebt_webhook_deliveries_total", (("source", "zendesk"),)): 1.0,
    ("mldebt_webhook_deliveries_by_status", (("source", "sentry"), ("status", "parsed"))): 2.0,
    ("mldebt_webhook_deliveries_by_status", (("source", "sentry"), ("status", "duplicate"))): 1.0,
    ("mldebt_webhook_deliveries_by_status", (("source", "zendesk"), ("status", "rejected"))): 1.0,
    ("mldebt_tickets_total", (("source", "zendesk"),)): 2.0,
    ("mldebt_incidents_total", (("source", "sentry"),)): 2.0,
    ("mldebt_incidents_total", (("source", "alertmanager"),)): 1.0,
    ("mldebt_metrics_folded_components", ()): 0.0,
}


def _item(now: dt.datetime, n: int, component: str, category: str, status: str, effort: tuple[int, int],
          interest: tuple[int, int], priority: float) -> dict[str, Any]:
    return {"key": f"item-{n}", "title": f"item {n}", "category": category, "component": component,
            "source": "manual", "severity": "high", "status": status, "effort_low_hours": float(effort[0]),
            "effort_high_hours": float(effort[1]), "interest_low": float(interest[0]),
            "interest_high": float(interest[1]), "priority": priority, "currency": "USD", "first_seen_at": now}


def _incident(now: dt.datetime, source: str, fingerprint: str, component: str | None,
              outages: list[tuple[float, float | None]]) -> IncidentRow:
    """Outages as (hours before `now` it opened, minutes it lasted or None while open)."""
    intervals = [IncidentIntervalRow(opened_at=now - dt.timedelta(hours=h),
                                     resolved_at=None if m is None else now - dt.timedelta(hours=h, minutes=-m))
                 for h, m in outages]
    return IncidentRow(source=source, fingerprint=fingerprint, component=component, category="model-error",
                       title=fingerprint, opened_at=intervals[0].opened_at, resolved_at=intervals[-1].resolved_at,
                       last_event_at=now, intervals=intervals)


def _finding(now: dt.datetime, n: int, rule_id: str, status: str = "open") -> FindingRow:
    return FindingRow(source="scan", scope="repo", fingerprint=f"f{n}", rule_id=rule_id, severity="medium",
                      component="chatbot", message="m", status=status, first_seen_at=now)


def _feedback(now: dt.datetime, n: int, score: float | None, days_ago: float) -> FeedbackRow:
    return FeedbackRow(response_id=f"r{n}", poll_id="p1", answer="a", score=score, component="chatbot",
                       created_at=now - dt.timedelta(days=days_ago))


def _delivery(now: dt.datetime, n: int, source: str, status: str) -> RawEventRow:
    return RawEventRow(source=source, delivery_id=f"d{n}", headers={}, body=b"{}", received_at=now,
                       verification="verified", status=status)


def seed(store: Store, now: dt.datetime = NOW) -> None:
    with store.session() as session:
        for n, spec in enumerate(ITEMS):
            debt.add_item(session, _item(now, n, *spec), "test", now)
        session.add_all([
            _incident(now, "sentry", "chatbot-misroute", "chatbot", [(5.0, 30.0), (3.0, 60.0)]),
            _incident(now, "alertmanager", "chatbot-latency", "chatbot", [(1.0, None)]),
            _incident(now, "sentry", "unlinked", None, [(2.0, 10.0)]),
            *[_finding(now, n, rule, status) for n, rule, status in
              ((1, "MLD102", "open"), (2, "MLD102", "open"), (3, "MLD301", "open"), (4, "MLD102", "fixed"))],
            *[_feedback(now, n, score, days) for n, score, days in
              ((1, 1.0, 1), (2, 0.5, 29), (3, 0.0, 40), (4, None, 1))],
            *[_delivery(now, n, source, status) for n, source, status in
              ((1, "sentry", "parsed"), (2, "sentry", "parsed"), (3, "sentry", "duplicate"),
               (4, "zendesk", "rejected"))],
            *[TicketRow(source="zendesk", external_id=str(n), subject="s", status="open", tags=[], category="other",
                        attributes={}, created_at=now, updated_at=now) for n in (1, 2)],
        ])
        for component, share, drifted, at in (("chatbot", 0.5, True, now - dt.timedelta(days=2)),
                                             ("chatbot", 0.25, False, now - dt.timedelta(days=1)),
                                             ("recs-api", 0.6, True, now)):
            add_drift_run(session, component, "ref.csv", "cur.csv",
                          {"dataset_drift": drifted, "drift_share": share, "drifted_columns": []}, at)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a text exposition: (name, sorted labels) -> value."""
    from prometheus_client.parser import text_string_to_metric_families

    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}
