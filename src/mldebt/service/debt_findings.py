"""The open findings as the backlog rebuild reads them: in bulk, as plain tuples, only the columns it needs.

SQLAlchemy's ORM objects (and even its Core rows) cost more to build and read than the grouping
itself at 50,000 findings; a named tuple per finding, read by Core, and the evidence JSON only for
the root causes kept per finding (the only ones whose grouping reads it) keep the rebuild fast.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import case, func, null, select
from sqlalchemy.orm import Session

from mldebt.domain.debt_groups import ROOT_CAUSES, root_cause
from mldebt.store.base import as_aware
from mldebt.store.findings import OPEN
from mldebt.store.models import FindingRow

_PER_FINDING_RULES = sorted(rule for rule, cause in ROOT_CAUSES.items() if cause.per_finding)


class OpenFinding(NamedTuple):
    """What grouping reads of an open finding: a plain tuple (SQLAlchemy's rows are slower to read)."""

    id: int
    source: str
    rule_id: str
    severity: str
    component: str
    message: str
    fingerprint: str
    file: str | None
    line: int | None
    effort_minutes: int
    evidence: Any  # a dict for root causes kept per finding (grouping reads it); None for the others
    first_seen_at: dt.datetime


def open_findings(session: Session) -> list[OpenFinding]:
    """The open findings, by Core (no ORM objects) and with the evidence JSON only where grouping reads it."""
    evidence = case((FindingRow.rule_id.in_(_PER_FINDING_RULES), FindingRow.evidence), else_=null())
    query = select(FindingRow.id, FindingRow.source, FindingRow.rule_id, FindingRow.severity, FindingRow.component,
                   FindingRow.message, FindingRow.fingerprint, FindingRow.file, FindingRow.line,
                   FindingRow.effort_minutes, evidence, FindingRow.first_seen_at).where(FindingRow.status == OPEN)
    return [OpenFinding._make(row) for row in session.connection().execute(query)]


def latest_seen(session: Session) -> dict[tuple[str, str], dt.datetime]:
    """Newest `first_seen_at` of the open findings per (component, root-cause group)."""
    query = (select(FindingRow.component, FindingRow.rule_id, func.max(FindingRow.first_seen_at))
             .where(FindingRow.status == OPEN).group_by(FindingRow.component, FindingRow.rule_id))
    latest: dict[tuple[str, str], dt.datetime] = {}
    for component, rule_id, seen in session.execute(query):
        key = (component, root_cause(rule_id).group)
        seen = as_aware(seen)
        if key not in latest or seen > latest[key]:
            latest[key] = seen
    return latest

