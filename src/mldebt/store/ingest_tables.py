"""Tables of the ingest feature: raw deliveries, delivery keys, incidents, tickets, feedback, store events, tokens.

- `raw_events` is append-only: every delivery, accepted or not, with its size and SHA-256 and its body
  as received; of a rejected one (failed authentication) only the first 4 KiB of the body and the
  headers without secrets, so that unauthenticated senders cannot fill the disk. Only its status
  moves (failed -> parsed after `mldebt ingest replay`); body and headers never change.
- `delivery_keys` makes idempotency a database guarantee: (source, delivery_id) is the primary key,
  claimed by the first accepted delivery (the raw event of that delivery is the one with status
  `parsed` or `accepted`), so a retry is recognised even with several writers.
- An incident has intervals: a reopen adds an interval, and MTTR is measured per interval.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mldebt.store.base import Base, UtcDateTime


class RawEventRow(Base):
    __tablename__ = "raw_events"
    __table_args__ = (
        Index("ix_raw_events_source_delivery", "source", "delivery_id"),
        Index("ix_raw_events_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    delivery_id: Mapped[str | None] = mapped_column(String(200))
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    body_size: Mapped[int | None] = mapped_column(Integer)  # of the body as received (`body` may be its start)
    body_sha256: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    verification: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(Text)
    parsed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class DeliveryKeyRow(Base):
    __tablename__ = "delivery_keys"

    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(200), primary_key=True)


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("source", "fingerprint", name="uq_incident_identity"),
        # the dashboard's timeline, filtered lists and latest-first reads (docs/dashboard.md)
        Index("ix_incidents_opened_category", "opened_at", "category"),
        Index("ix_incidents_component_opened", "component", "opened_at"),
        Index("ix_incidents_component_last_event", "component", "last_event_at"),
        Index("ix_incidents_category_opened", "category", "opened_at"),
        Index("ix_incidents_source_opened", "source", "opened_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    fingerprint: Mapped[str] = mapped_column(String(200))
    component: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(Text)
    culprit: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(String(30))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    last_event_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())

    intervals: Mapped[list[IncidentIntervalRow]] = relationship(
        back_populates="incident", order_by="IncidentIntervalRow.opened_at")


class IncidentIntervalRow(Base):
    __tablename__ = "incident_intervals"
    __table_args__ = (Index("ix_incident_intervals_opened_span", "opened_at", "incident_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    incident: Mapped[IncidentRow] = relationship(back_populates="intervals")


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_ticket_identity"),
                      Index("ix_tickets_component_created", "component", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str | None] = mapped_column(String(20))
    type: Mapped[str | None] = mapped_column(String(20))
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    component: Mapped[str | None] = mapped_column(String(100), index=True)
    category: Mapped[str] = mapped_column(String(30))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    order_id: Mapped[str | None] = mapped_column(String(50))
    order_total: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class FeedbackRow(Base):
    __tablename__ = "feedback_responses"
    __table_args__ = (Index("ix_feedback_responses_created_component_score", "created_at", "component", "score"),
                      Index("ix_feedback_responses_component_created", "component", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[str] = mapped_column(String(100), unique=True)
    poll_id: Mapped[str] = mapped_column(String(100), index=True)
    slide_id: Mapped[str | None] = mapped_column(String(100))
    participant_id: Mapped[str | None] = mapped_column(String(100))
    answer: Mapped[str] = mapped_column(Text)
    value_type: Mapped[str | None] = mapped_column(String(30))
    score: Mapped[float | None] = mapped_column(Float)
    order_value: Mapped[float | None] = mapped_column(Float)
    component: Mapped[str | None] = mapped_column(String(100), index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class StoreEventRow(Base):
    __tablename__ = "store_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_hash: Mapped[str] = mapped_column(String(200), unique=True)
    scope: Mapped[str] = mapped_column(String(100))
    store_hash: Mapped[str] = mapped_column(String(100))
    resource_type: Mapped[str] = mapped_column(String(30))
    resource_id: Mapped[str] = mapped_column(String(100))
    component: Mapped[str | None] = mapped_column(String(100), index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    order_total: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ApiTokenRow(Base):
    """An API token: only the SHA-256 of the secret is stored; the token is shown once at creation."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
