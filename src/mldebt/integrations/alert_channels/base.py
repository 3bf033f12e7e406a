"""What every alert channel implements: turn one notification into one HTTP request, and send it.

A `Notification` is one message to one channel: the alerts of one component (grouped), or a digest
of the alerts folded once the component's budget for the day was spent. `send` posts it with
retries and exponential back-off on 5xx, 429 and connection errors (never on another 4xx: a request
the receiver refuses will not improve by repetition) and says what happened, for the delivery log.
No channel touches the store: `service.alerting` decides what to send and records the outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from mldebt.domain.alerts import Alert


@dataclass(frozen=True)
class ChannelTarget:
    """A channel as configured, with its secrets resolved from the environment."""

    name: str
    kind: str  # domain.monitoring.CHANNEL_KINDS
    url: str
    secret: str | None = None  # the generic webhook's signing key
    timeout: float = 10.0


@dataclass(frozen=True)
class Notification:
    channel: str
    component: str
    alerts: tuple[Alert, ...]
    digest: bool = False  # a digest: `alerts` are the folded ones, summarised in one message
    resend: bool = False  # Alertmanager: an active alert re-sent so it does not time out
    dashboard_url: str = "http://127.0.0.1:8000"
    sent_at: dt.datetime | None = None


@dataclass(frozen=True)
class SendResult:
    ok: bool
    attempts: int
    http_status: int | None = None
    error: str | None = None  # one line: what failed on the last attempt
    waits: tuple[float, ...] = field(default_factory=tuple)  # the back-off waits taken


class AlertChannel(Protocol):
    kind: str

    def send(self, target: ChannelTarget, notification: Notification,
             sleep: Callable[[float], None] | None = None) -> SendResult:
        """Post the notification; never raises for an HTTP or network failure (ok=False instead)."""
        ...


RETRY_ATTEMPTS = 4
RETRY_BASE_SECONDS = 0.5
RETRY_MAX_SECONDS = 8.0
RETRYABLE_STATUSES: Mapping[int, str] = {429: "rate limited", 500: "", 502: "", 503: "", 504: ""}
