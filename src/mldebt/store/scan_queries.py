"""The scan page's reads over open findings and scan runs: one GROUP BY per aggregate, LIMIT/OFFSET
for the list, never a whole table in Python.

Every findings query takes the same `FindingFilter` (rule, component, source, severity; all
optional, `status = 'open'` always), so the aggregates and the list agree. A scan run's `summary`
JSON is read only for the ML Test Score entry of the latest run of each scanned tree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from mldebt.domain.finding import Severity
from mldebt.store.base import as_aware
from mldebt.store.findings import OPEN
from mldebt.store.models import FindingRow, ScanRunRow

F = FindingRow
SEVERITY_RANKS = {str(s): s.rank for s in Severity}
SEVERITY_RANK = case(SEVERITY_RANKS, value=F.severity, else_=-1)
"""A finding's severity as a number (info 0 ... critical 4), to order and to take the worst of a group."""


@dataclass(frozen=True)
class FindingFilter:
    rule: str | None = None
    component: str | None = None
    source: str | None = None
    severity: str | None = None

    def apply(self, query: Any) -> Any:
        query = query.where(F.status == OPEN)
        for column, value in ((F.rule_id, self.rule), (F.component, self.component), (F.source, self.source),
                              (F.severity, self.severity)):
            if value is not None:
                query = query.where(column == value)
        return query


@dataclass(frozen=True)
class Groups:
    """The largest groups, how many groups there are, and how many findings all of them hold."""

    top: list[Group]
    total: int
    findings: int


@dataclass(frozen=True)
class Group:
    """Open findings of one rule, component or file."""

    key: str
    findings: int
    minutes: int
    worst: int  # the highest severity rank in the group
    high: int  # findings of high or critical severity


@dataclass(frozen=True)
class FindingLine:
    id: int
    rule_id: str
    severity: str
    component: str
    source: str
    message: str
    file: str | None
    line: int | None
    first_seen_at: dt.datetime


def _grouped(session: Session, key: Any, where: FindingFilter, limit: int, by_minutes: bool = False) -> Groups:
    """Groups of open findings by `key`, largest first (by count, or by debt minutes); the number of groups
    and of findings in them come from window functions over the grouped rows: the same single pass."""
    count, minutes = func.count(), func.coalesce(func.sum(F.effort_minutes), 0)
    high = func.sum(case((F.severity.in_((str(Severity.HIGH), str(Severity.CRITICAL))), 1), else_=0))
    order = (minutes.desc(), count.desc()) if by_minutes else (count.desc(), minutes.desc())
    query = where.apply(select(key, count, minutes, func.max(SEVERITY_RANK), high, func.count().over(),
                               func.sum(count).over()).where(key.is_not(None)))
    rows = session.execute(query.group_by(key).order_by(*order, key).limit(limit)).all()
    groups = [Group(str(k), int(n), int(m or 0), int(w if w is not None else -1), int(h or 0))
              for k, n, m, w, h, _, _ in rows]
    return Groups(groups, int(rows[0][5]) if rows else 0, int(rows[0][6]) if rows else 0)


def by_rule(session: Session, where: FindingFilter, limit: int) -> Groups:
    """By rule; every finding has a rule, so `findings` is the number of open findings matching `where`."""
    return _grouped(session, F.rule_id, where, limit)


def by_component(session: Session, where: FindingFilter, limit: int) -> Groups:
    return _grouped(session, F.component, where, limit)


def hotspots(session: Session, where: FindingFilter, limit: int, by_minutes: bool = False) -> Groups:
    """The files with the most open findings (or debt minutes); findings without a file are left out."""
    return _grouped(session, F.file, where, limit, by_minutes)


def findings_page(session: Session, where: FindingFilter, limit: int, offset: int, total: int | None = None
                  ) -> tuple[list[FindingLine], int]:
    """A page of open findings, worst first (then oldest first), and the total matching.

    Sorting every open finding by severity to skip `offset` of them costs 150 ms at 40,000: instead the
    matching findings are counted per severity (one GROUP BY), and the page's ids are read from the one
    or two severities it spans, each in id order from the index (`ix_findings_open_severity`), then its
    rows by primary key. The total is the sum of those counts (`total`, kept for callers, is not needed).
    """
    counts = {str(sev): int(n) for sev, n in session.execute(
        where.apply(select(F.severity, func.count())).group_by(F.severity))}
    ordered = sorted(counts, key=lambda sev: (-SEVERITY_RANKS.get(sev, -1), sev))
    ids: list[int] = []
    skip, wanted = max(0, offset), max(0, limit)
    for severity in ordered:
        if len(ids) >= wanted:
            break
        if skip >= counts[severity]:
            skip -= counts[severity]
            continue
        query = where.apply(select(F.id)).where(F.severity == severity).order_by(F.id)
        ids += [int(i) for i in session.scalars(query.limit(wanted - len(ids)).offset(skip))]
        skip = 0
    rows = {int(r[0]): r for r in session.execute(
        select(F.id, F.rule_id, F.severity, F.component, F.source, F.message, F.file, F.line, F.first_seen_at)
        .where(F.id.in_(ids)))} if ids else {}
    lines = [FindingLine(int(i), str(r), str(s), str(c), str(src), str(m or ""), f, int(n) if n is not None else None,
                         as_aware(at)) for i, r, s, c, src, m, f, n, at in (rows[i] for i in ids if i in rows)]
    return lines, sum(counts.values())


@dataclass(frozen=True)
class ScanRunLine:
    id: int
    scope: str
    started_at: dt.datetime
    files: int
    lines: int
    findings: int
    new: int
    fixed: int
    debt_minutes: int
    seconds: float


def latest_scan_runs(session: Session, limit: int) -> tuple[list[ScanRunLine], int]:
    """The latest scan runs (every tree), newest first, without their summaries; and how many runs."""
    r = ScanRunRow
    query = (select(r.id, r.scope, r.started_at, r.files, r.lines, r.findings, r.new, r.fixed, r.debt_minutes,
                    r.seconds).order_by(r.started_at.desc(), r.id.desc()).limit(limit))
    runs = [ScanRunLine(int(i), str(s), as_aware(at), int(fi), int(li), int(n), int(new), int(fx), int(dm),
                        float(sec)) for i, s, at, fi, li, n, new, fx, dm, sec in session.execute(query)]
    return runs, int(session.scalar(select(func.count()).select_from(r)) or 0)


def latest_test_scores(session: Session, scopes: int) -> list[tuple[str, dt.datetime, Any]]:
    """(scope, started_at, ML Test Score entries) of the latest run of each of the `scopes` most recently
    scanned trees, newest first; only that key of the summary JSON is read."""
    r = ScanRunRow
    rank = func.row_number().over(partition_by=r.scope, order_by=(r.started_at.desc(), r.id.desc()))
    ranked = select(r.id, r.scope, r.started_at, rank.label("rank")).subquery()
    latest = (select(ranked.c.id).where(ranked.c.rank == 1)
              .order_by(ranked.c.started_at.desc(), ranked.c.id.desc()).limit(scopes))
    query = (select(r.scope, r.started_at, r.summary["ml_test_score"]).where(r.id.in_(latest))
             .order_by(r.started_at.desc(), r.id.desc()))
    return [(str(scope), as_aware(at), scores) for scope, at, scores in session.execute(query)]
