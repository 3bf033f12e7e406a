"""The open findings as the backlog rebuild reads them: in bulk, as plain tuples, only the columns it needs.

SQLAlchemy's ORM objects (and even its Core rows) cost more to build and read than the grouping
itself at 50,000 findings; a named tuple per finding, read by Core, and the evidence JSON only for
the root causes kept per finding (the only ones whose grouping reads it) keep the rebuild fast.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import DateTime, String, case, null, select, type_coerce
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
    """The open findings, by Core (no ORM objects) and with the evidence JSON only where grouping reads it.

    `first_seen_at` is read as the driver gives it and made UTC-aware once per distinct value: the
    findings of one scan share one timestamp, so 50,000 findings need a handful of conversions."""
    evidence = case((FindingRow.rule_id.in_(_PER_FINDING_RULES), FindingRow.evidence), else_=null())
    db = session.connection()
    # SQLite returns the stored text: `fromisoformat` (C) parses it twice as fast as SQLAlchemy's regex
    as_text = db.dialect.name == "sqlite"
    seen = type_coerce(FindingRow.first_seen_at, String if as_text else DateTime(timezone=True))
    query = select(FindingRow.id, FindingRow.source, FindingRow.rule_id, FindingRow.severity, FindingRow.component,
                   FindingRow.message, FindingRow.fingerprint, FindingRow.file, FindingRow.line,
                   FindingRow.effort_minutes, evidence, seen).where(FindingRow.status == OPEN)
    aware: dict[dt.datetime, dt.datetime] = {}
    found = []
    make = OpenFinding._make
    for row in db.execute(query).all():
        at = row[11]
        utc = aware.get(at)
        if utc is None:
            utc = aware[at] = as_aware(dt.datetime.fromisoformat(at) if as_text else at)
        found.append(make((*row[:11], utc)))
    return found


def latest_seen(findings: Iterable[OpenFinding]) -> dict[tuple[str, str], dt.datetime]:
    """Newest `first_seen_at` per (component, root-cause group): when its newest open finding appeared."""
    newest: dict[tuple[str, str], dt.datetime] = {}
    for finding in findings:
        key = (finding.component, finding.rule_id)
        if key not in newest or finding.first_seen_at > newest[key]:
            newest[key] = finding.first_seen_at
    latest: dict[tuple[str, str], dt.datetime] = {}
    for (component, rule_id), at in newest.items():
        group = (component, root_cause(rule_id).group)
        if group not in latest or at > latest[group]:
            latest[group] = at
    return latest
