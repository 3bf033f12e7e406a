"""Tables of the backlog: debt items, the history of every change to them, and frozen quarterly reviews.

- `debt_items`: one row per root cause (`key`, unique). Rows are never deleted: a resolved item
  keeps its evidence and breakdown, and reopens (same row, a history entry) when its evidence returns.
  The score columns (`risk`, `interest_*`, `priority*`, `breakdown`) are what the last rebuild
  computed, so lists, filters, metrics and the dashboard read them without recomputing.
- `debt_item_changes`: append-only; who changed what (`changes` = {field: [old, new]}) and when.
- `review_snapshots`: `mldebt review` freezes a quarter's KPIs and backlog here; a quarter is frozen
  once, so a later edit of an item cannot rewrite what the board saw.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mldebt.store.base import Base, UtcDateTime


class DebtItemRow(Base):
    __tablename__ = "debt_items"
    __table_args__ = (
        Index("ix_debt_items_component", "component"),
        Index("ix_debt_items_owner", "owner"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20))
    component: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    effort_low_hours: Mapped[float] = mapped_column(Float)
    effort_high_hours: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)  # at most MAX_EVIDENCE_KEPT entries
    evidence_count: Mapped[int] = mapped_column(Integer, default=0)
    rule_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Scores of the last rebuild (money per week in the inventory's currency; priority = money / hour).
    risk: Mapped[float] = mapped_column(Float, default=0.0)
    interest_low: Mapped[float] = mapped_column(Float, default=0.0)
    interest_high: Mapped[float] = mapped_column(Float, default=0.0)
    interest_hours: Mapped[float] = mapped_column(Float, default=0.0)  # engineering hours lost per week
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    priority_low: Mapped[float] = mapped_column(Float, default=0.0)
    priority_high: Mapped[float] = mapped_column(Float, default=0.0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scored_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Lifecycle.
    fixed_by: Mapped[str | None] = mapped_column(String(10))
    accepted_reason: Mapped[str | None] = mapped_column(Text)
    accepted_until: Mapped[dt.date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    first_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    changes: Mapped[list[DebtItemChangeRow]] = relationship(
        back_populates="item", order_by="DebtItemChangeRow.id", passive_deletes=True)


# The backlog's order (list_items: priority, then risk, highest first, then oldest): pages by index.
Index("ix_debt_items_rank", DebtItemRow.status, DebtItemRow.priority.desc(), DebtItemRow.risk.desc(), DebtItemRow.id)


class DebtItemChangeRow(Base):
    __tablename__ = "debt_item_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("debt_items.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))  # created | updated | resolved | reopened | rescored
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)

    item: Mapped[DebtItemRow] = relationship(back_populates="changes")


class ReviewSnapshotRow(Base):
    __tablename__ = "review_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quarter: Mapped[str] = mapped_column(String(6), unique=True)  # "2026Q4"
    taken_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    kpis: Mapped[dict[str, Any]] = mapped_column(JSON)
    backlog: Mapped[dict[str, Any]] = mapped_column(JSON)
