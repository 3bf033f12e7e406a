"""Scan runs and test reports: the history behind the code-debt and test KPIs.

A scan run lands together with its findings (`sync_findings` with scope = the scanned root), so a
finding absent from a later scan of the same tree is marked fixed in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mldebt.store.models import PipelineTestReportRow, ScanRunRow


def add_scan_run(session: Session, scope: str, at: dt.datetime, counts: dict[str, int], seconds: float,
                 summary: dict[str, Any]) -> ScanRunRow:
    row = ScanRunRow(scope=scope, started_at=at, seconds=seconds, summary=summary, **counts)
    session.add(row)
    session.flush()
    return row


def scan_runs(session: Session, scope: str | None = None) -> list[ScanRunRow]:
    query = select(ScanRunRow).order_by(ScanRunRow.started_at, ScanRunRow.id)
    if scope is not None:
        query = query.where(ScanRunRow.scope == scope)
    return list(session.scalars(query))


def add_test_report(session: Session, fields: dict[str, Any]) -> tuple[PipelineTestReportRow, bool]:
    """Insert a report unless the same file content was recorded before; returns (row, created)."""
    existing = session.scalar(select(PipelineTestReportRow).where(PipelineTestReportRow.kind == fields["kind"],
                                                          PipelineTestReportRow.digest == fields["digest"]))
    if existing is not None:
        return existing, False
    row = PipelineTestReportRow(**fields)
    session.add(row)
    session.flush()
    return row, True


def list_test_reports(session: Session, kind: str | None = None) -> list[PipelineTestReportRow]:
    query = select(PipelineTestReportRow).order_by(PipelineTestReportRow.recorded_at, PipelineTestReportRow.id)
    if kind is not None:
        query = query.where(PipelineTestReportRow.kind == kind)
    return list(session.scalars(query))
