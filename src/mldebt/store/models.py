"""Tables. Every schema change here comes with an Alembic migration in `migrations/versions/`.

The tables of ingestion live in `ingest_tables`; `schema` imports both (the whole schema).

Design choices:
- Components are never deleted: a component that leaves the inventory gets `retired_at`, and
  `component_events` keeps what happened to it and when.
- Findings from every detector share one table, keyed by (source, fingerprint); a finding that a
  later run of the same source and scope no longer reports is marked fixed, not deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mldebt.store.base import Base, UtcDateTime


class ComponentRow(Base):
    __tablename__ = "components"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str | None] = mapped_column(String(200))
    lifecycle: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(100))
    customer_facing: Mapped[bool] = mapped_column(Boolean, default=False)
    revenue_critical: Mapped[bool] = mapped_column(Boolean, default=False)
    last_retrained: Mapped[dt.date | None] = mapped_column(Date)
    retrain_every_days: Mapped[int | None] = mapped_column(Integer)
    model_card_present: Mapped[bool | None] = mapped_column(Boolean)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    spec_hash: Mapped[str] = mapped_column(String(64))
    catalog_file: Mapped[str | None] = mapped_column(Text, index=True)  # the inventory file it came from
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    retired_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    changes: Mapped[list[ChangeRow]] = relationship(back_populates="component", order_by="ChangeRow.date")


class ChangeRow(Base):
    """The change log of a component; entries removed from the file stay (history is kept)."""

    __tablename__ = "component_changes"
    __table_args__ = (UniqueConstraint("component_id", "version", "date", "kind", name="uq_change_identity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(100))
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(30))
    author: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)

    component: Mapped[ComponentRow] = relationship(back_populates="changes")


class ComponentEventRow(Base):
    """What happened to a component's inventory entry: added, updated, retired, restored."""

    __tablename__ = "component_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    action: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("source", "fingerprint", name="uq_finding_identity"),
        Index("ix_findings_component_status", "component", "status"),
        # /scan's groups and list over open findings, index-only (covering: a plain (status, rule_id) index
        # makes SQLite look up every row and is slower than a scan)
        Index("ix_findings_open_rule", "status", "rule_id", "severity", "effort_minutes"),
        Index("ix_findings_open_component", "status", "component", "severity", "effort_minutes"),
        Index("ix_findings_open_file", "status", "file", "severity", "effort_minutes"),
        Index("ix_findings_open_severity", "status", "severity", "id"),  # the list, worst first, deep pages
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(30))
    scope: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    component: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    file: Mapped[str | None] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    effort_minutes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="open")
    first_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    fixed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class ScanRunRow(Base):
    """One `mldebt scan` of one tree (scope = the resolved root); its findings live in `findings`."""

    __tablename__ = "scan_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(Text, index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    files: Mapped[int] = mapped_column(Integer)
    lines: Mapped[int] = mapped_column(Integer)
    findings: Mapped[int] = mapped_column(Integer)
    suppressed: Mapped[int] = mapped_column(Integer)
    new: Mapped[int] = mapped_column(Integer)
    fixed: Mapped[int] = mapped_column(Integer)
    debt_minutes: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PipelineTestReportRow(Base):
    """A pipeline's JUnit test results or Cobertura coverage, recorded for the test KPIs."""

    __tablename__ = "test_reports"
    __table_args__ = (UniqueConstraint("kind", "digest", name="uq_test_report_digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    component: Mapped[str | None] = mapped_column(String(100), index=True)
    source_file: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    tests: Mapped[int | None] = mapped_column(Integer)
    failures: Mapped[int | None] = mapped_column(Integer)
    errors: Mapped[int | None] = mapped_column(Integer)
    skipped: Mapped[int | None] = mapped_column(Integer)
    pass_rate: Mapped[float | None] = mapped_column(Float)
    line_rate: Mapped[float | None] = mapped_column(Float)
    branch_rate: Mapped[float | None] = mapped_column(Float)
    lines_valid: Mapped[int | None] = mapped_column(Integer)
    lines_covered: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DriftRunRow(Base):
    """One `mldebt drift` run stored for a component: the verdict, and the full report as JSON."""

    __tablename__ = "drift_runs"
    __table_args__ = (Index("ix_drift_runs_component_created", "component", "created_at"),
                      Index("ix_drift_runs_created", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    component: Mapped[str] = mapped_column(String(100))
    reference: Mapped[str] = mapped_column(Text)
    current: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    dataset_drift: Mapped[bool] = mapped_column(Boolean)
    drift_share: Mapped[float] = mapped_column(Float)
    drifted_columns: Mapped[list[Any]] = mapped_column(JSON, default=list)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)


class RetrainRequestRow(Base):
    """A retrain trigger that fired: pending approval, running, or run (command / webhook) with the
    outcome of its last attempt.

    `context` keeps what every attempt needs (the folder to run in, the drift payload), apart from
    `outcome`, which each attempt replaces; `attempts` counts the runs (a failed request can be
    approved again).
    """

    __tablename__ = "retrain_requests"
    __table_args__ = (Index("ix_retrain_requests_component_status", "component", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    component: Mapped[str] = mapped_column(String(100))
    drift_run_id: Mapped[int | None] = mapped_column(ForeignKey("drift_runs.id", ondelete="SET NULL"))
    mode: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
