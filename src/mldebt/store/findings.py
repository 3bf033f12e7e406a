"""Finding repository shared by every detector (inventory, scanner, drift).

`sync_findings` is how a detector run lands: findings it reports are inserted (or reopened
when they had been fixed), open findings of the same source and scope that it no longer reports
are marked fixed. Nothing is deleted, so fixed-debt KPIs can count what was paid down and when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mldebt.domain.finding import Finding
from mldebt.store.models import FindingRow

OPEN, FIXED = "open", "fixed"


@dataclass
class SyncResult:
    new: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    still_open: int = 0


def sync_findings(
    session: Session, source: str, scope: str, findings: Sequence[Finding], now: dt.datetime
) -> SyncResult:
    """Record one run of `source` over `scope` (a catalog file, a scanned tree, a dataset)."""
    result = SyncResult()
    rows = {
        row.fingerprint: row
        for row in session.scalars(select(FindingRow).where(FindingRow.source == source, FindingRow.scope == scope))
    }
    reported: set[str] = set()
    for finding in findings:
        if finding.fingerprint in reported:
            continue
        reported.add(finding.fingerprint)
        row = rows.get(finding.fingerprint)
        if row is None:
            row = session.scalar(select(FindingRow).where(FindingRow.source == source,
                                                         FindingRow.fingerprint == finding.fingerprint))
        if row is None:
            session.add(FindingRow(source=source, scope=scope, status=OPEN, first_seen_at=now,
                                   **_fields(finding)))
            result.new.append(finding.fingerprint)
            continue
        if row.status == FIXED:
            row.status, row.fixed_at = OPEN, None
            result.reopened.append(finding.fingerprint)
        else:
            result.still_open += 1
        row.scope = scope
        for key, value in _fields(finding).items():
            if getattr(row, key) != value:
                setattr(row, key, value)
    for fingerprint, row in rows.items():
        if fingerprint not in reported and row.status == OPEN:
            row.status, row.fixed_at = FIXED, now
            result.fixed.append(fingerprint)
    return result


def _fields(finding: Finding) -> dict[str, object]:
    return {"fingerprint": finding.fingerprint, "rule_id": finding.rule_id, "severity": str(finding.severity),
            "component": finding.component, "message": finding.message, "evidence": finding.evidence,
            "file": finding.file, "line": finding.line, "effort_minutes": finding.effort_minutes}


def open_findings(session: Session, component: str | None = None, source: str | None = None) -> list[FindingRow]:
    query = select(FindingRow).where(FindingRow.status == OPEN).order_by(FindingRow.component, FindingRow.rule_id)
    if component is not None:
        query = query.where(FindingRow.component == component)
    if source is not None:
        query = query.where(FindingRow.source == source)
    return list(session.scalars(query))


def open_counts_by_component(session: Session) -> dict[str, int]:
    query = (select(FindingRow.component, func.count()).where(FindingRow.status == OPEN)
             .group_by(FindingRow.component))
    return {component: count for component, count in session.execute(query).all()}
