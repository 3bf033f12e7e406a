"""Hand-built incidents, intervals, findings and poll answers written straight to the store (page and view tests)."""

from __future__ import annotations

import datetime as dt

from mldebt.store.ingest_tables import FeedbackRow, IncidentIntervalRow, IncidentRow
from mldebt.store.models import FindingRow

MINUTE = dt.timedelta(minutes=1)


def add_incident(session, number: int, component: str | None, category: str,
                 spans: list[tuple[dt.datetime, float | None]], source: str = "sentry",
                 title: str | None = None) -> int:
    """An incident whose intervals open at each `spans` moment and last the given minutes (None: still open)."""
    intervals = [(opened, None if minutes is None else opened + minutes * MINUTE) for opened, minutes in spans]
    row = IncidentRow(source=source, fingerprint=f"fp-{number}", component=component, category=category,
                      title=title or f"incident {number}", culprit=None, level="error", attributes={}, links=[],
                      opened_at=intervals[0][0], resolved_at=intervals[-1][1], reopen_count=len(intervals) - 1,
                      last_event_at=intervals[-1][1] or intervals[-1][0])
    session.add(row)
    session.flush()
    for opened, resolved in intervals:
        session.add(IncidentIntervalRow(incident_id=row.id, opened_at=opened, resolved_at=resolved))
    session.flush()
    return row.id


def add_finding(session, number: int, rule_id: str, severity: str, component: str, first_seen: dt.datetime,
                status: str = "open", source: str = "incidents", message: str | None = None,
                evidence: dict | None = None) -> int:
    row = FindingRow(source=source, scope=source, fingerprint=f"f{number:063d}", rule_id=rule_id, severity=severity,
                     component=component, message=message or f"finding {number}", evidence=evidence or {},
                     effort_minutes=240, status=status, first_seen_at=first_seen)
    session.add(row)
    session.flush()
    return row.id


def add_answer(session, number: int, component: str | None, score: float | None, created: dt.datetime,
               answer: str | None = None, poll_id: str = "poll-1") -> int:
    """A poll answer as the Zigpoll path stores it (already scored, 0 to 1; None: free text nobody mapped)."""
    row = FeedbackRow(response_id=f"r-{number}", poll_id=poll_id, answer=answer or f"answer {number}",
                      value_type="rating", score=score, component=component, attributes={}, created_at=created)
    session.add(row)
    session.flush()
    return row.id
