"""Builders of the rows the KPIs read, inserted directly (as the ingest paths would leave them)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy.orm import Session

from mldebt.store.debt import add_item, change_item
from mldebt.store.debt_tables import DebtItemRow
from mldebt.store.ingest_tables import FeedbackRow, IncidentIntervalRow, IncidentRow, TicketRow
from mldebt.store.models import ChangeRow, ComponentRow, DriftRunRow, PipelineTestReportRow

_ids = itertools.count(1)


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def component(session: Session, name: str, kind: str = "service", customer_facing: bool = False,
              trained_at: dt.date | None = None, retired_at: dt.datetime | None = None) -> ComponentRow:
    spec: dict[str, Any] = {"name": name, "kind": kind}
    if trained_at is not None:
        spec["trained_at"] = trained_at.isoformat()
    row = ComponentRow(name=name, kind=kind, lifecycle="production", customer_facing=customer_facing,
                       revenue_critical=False, last_retrained=trained_at, spec=spec, spec_hash=name,
                       created_at=at(1, 1), updated_at=at(1, 1), retired_at=retired_at)
    session.add(row)
    session.flush()
    return row


def retrain_entry(session: Session, row: ComponentRow, day: dt.date) -> None:
    session.add(ChangeRow(component_id=row.id, version=f"v{next(_ids)}", date=day, kind="retrain",
                          description="retrain"))


def incident(session: Session, name: str | None, *intervals: tuple[dt.datetime, dt.datetime | None]) -> None:
    row = IncidentRow(source="sentry", fingerprint=f"f{next(_ids)}", component=name, category="error", title="boom",
                      opened_at=intervals[0][0], resolved_at=intervals[-1][1], last_event_at=intervals[-1][0])
    session.add(row)
    session.flush()
    session.add_all(IncidentIntervalRow(incident_id=row.id, opened_at=o, resolved_at=r) for o, r in intervals)


def ticket(session: Session, name: str | None, created: dt.datetime) -> None:
    session.add(TicketRow(source="zendesk", external_id=str(next(_ids)), subject="help", status="open",
                          category="other", component=name, created_at=created, updated_at=created))


def feedback(session: Session, name: str | None, score: float | None, created: dt.datetime) -> None:
    session.add(FeedbackRow(response_id=str(next(_ids)), poll_id="p", answer="x", score=score, component=name,
                            created_at=created))


def junit(session: Session, name: str | None, recorded: dt.datetime, tests: int, failures: int = 0,
          errors: int = 0, skipped: int = 0) -> None:
    session.add(PipelineTestReportRow(kind="junit", component=name, source_file="r.xml", digest=str(next(_ids)),
                                      recorded_at=recorded, tests=tests, failures=failures, errors=errors,
                                      skipped=skipped))


def coverage(session: Session, name: str | None, recorded: dt.datetime, valid: int, covered: int) -> None:
    session.add(PipelineTestReportRow(kind="coverage", component=name, source_file="c.xml", digest=str(next(_ids)),
                                      recorded_at=recorded, lines_valid=valid, lines_covered=covered,
                                      line_rate=covered / valid if valid else None))


def drift_run(session: Session, name: str, created: dt.datetime, drifted: bool) -> None:
    session.add(DriftRunRow(component=name, reference="ref.csv", current="cur.csv", created_at=created,
                            dataset_drift=drifted, drift_share=0.5 if drifted else 0.0, drifted_columns=[], report={}))


def debt_item(session: Session, name: str, created: dt.datetime, effort: tuple[float, float] = (1.0, 2.0),
              interest: tuple[float, float, float] = (0.0, 0.0, 0.0), priority: float = 0.0) -> DebtItemRow:
    values = {"key": f"k{next(_ids)}", "title": f"debt of {name}", "category": "code", "component": name,
              "source": "manual", "severity": "medium", "status": "open", "effort_low_hours": effort[0],
              "effort_high_hours": effort[1], "evidence": [], "evidence_count": 0, "rule_ids": [],
              "first_seen_at": created, "interest_low": interest[0], "interest_high": interest[1],
              "interest_hours": interest[2], "priority": priority}
    return add_item(session, values, "test", created)


def resolve(session: Session, row: DebtItemRow, when: dt.datetime, fixed_by: str) -> None:
    change_item(session, row, {"status": "resolved", "resolved_at": when, "fixed_by": fixed_by}, "test", when,
                action="resolved")


def set_status(session: Session, row: DebtItemRow, status: str, when: dt.datetime) -> None:
    change_item(session, row, {"status": status}, "test", when)
