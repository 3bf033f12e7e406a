"""What the outside systems tell us, as domain objects: incident signals, tickets, feedback, store events.

An `IncidentSignal` is one observation from a source (Sentry issue created, an alert firing, an
alert resolved); the store turns signals into `Incident`s with intervals, so that a reopen starts a
new interval and MTTR counts each outage separately. Every object carries `attributes`: the
source's identifiers that the inventory's `sources` rules map to a component.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Category(StrEnum):
    """The common signs of ML technical debt that a failure points at."""

    API_MISMATCH = "api-mismatch"
    RETRAINING_DELAY = "retraining-delay"
    LATENCY = "latency"
    FALSE_POSITIVES = "false-positives"
    DATA_QUALITY = "data-quality"
    MODEL_ERROR = "model-error"
    INFRASTRUCTURE = "infrastructure"
    OTHER = "other"


class SignalAction(StrEnum):
    OPEN = "open"
    RESOLVE = "resolve"


@dataclass(frozen=True)
class IncidentSignal:
    """One source's statement that a problem (identified by `key`) started or ended."""

    source: str
    key: str
    action: SignalAction
    at: dt.datetime
    title: str
    started_at: dt.datetime | None = None
    culprit: str | None = None
    level: str | None = None
    url: str | None = None
    text: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    component: str | None = None  # known at the source (a monitor's own signal): no `sources` rule needed


@dataclass(frozen=True)
class Incident:
    """A problem of a component with its current interval; `reopen_count` counts earlier intervals."""

    source: str
    fingerprint: str
    component: str | None
    category: Category
    title: str
    opened_at: dt.datetime
    resolved_at: dt.datetime | None
    reopen_count: int = 0
    culprit: str | None = None
    source_links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ticket:
    """A support ticket (Zendesk); `order_id` ties it to revenue at risk."""

    source: str
    external_id: str
    subject: str
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    priority: str | None = None
    type: str | None = None
    tags: tuple[str, ...] = ()
    description: str = ""
    order_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedbackResponse:
    """One answer to one poll question (Zigpoll); `answer` is plain text (HTML stripped)."""

    response_id: str
    poll_id: str
    created_at: dt.datetime
    answer: str
    slide_id: str | None = None
    participant_id: str | None = None
    value_type: str | None = None
    order_value: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoreEvent:
    """A BigCommerce webhook event: an order, product or cart changed."""

    event_hash: str
    scope: str
    store_hash: str
    resource_type: str
    resource_id: str
    created_at: dt.datetime
    data: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def order_id(self) -> str | None:
        return self.resource_id if self.scope.startswith("store/order/") else None
