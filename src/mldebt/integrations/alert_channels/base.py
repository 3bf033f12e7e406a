"""What every alert channel implements: turn one notification into one HTTP request, and send it.

A `Notification` is one message to one channel: the alerts of one component (grouped), or a digest
of the alerts folded once the component's budget for the day was spent. `send` posts it with
retries and exponential back-off on 5xx, 429 and connection errors (never on another 4xx: a request
the receiver refuses will not improve by repetition) and says what happened, for the delivery log.
No channel touches the store: `service.alerting` decides what to send and records the outcome.

`post_json` is that shared sending: every channel builds its body and headers, and hands them over.
The `sleep` it is given is the only way it waits, so tests record the back-off instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urljoin

from mldebt import __version__
from mldebt.domain.alerts import Alert

if TYPE_CHECKING:
    import httpx


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
    delivery_id: str | None = None  # the signed webhook's X-Mldebt-Delivery, for the delivery log


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
RESPONSE_READ_LIMIT = 64 * 1024
"""Bytes of a receiver's answer read at most: enough for an error message, never a flood."""
ERROR_SNIPPET_CHARS = 200
USER_AGENT = f"mldebt/{__version__}"

Headers = Mapping[str, str] | Callable[[], Mapping[str, str]]
"""Fixed headers, or a function called before each attempt (a signature over a fresh timestamp)."""


def post_json(target: ChannelTarget, body: bytes, headers: Headers | None = None,
              sleep: Callable[[float], None] | None = None, url: str | None = None) -> SendResult:
    """POST `body` (JSON) to `url` (default `target.url`), retrying what may succeed later.

    Retried: RETRYABLE_STATUSES (5xx, 429) and connection errors or timeouts, at most RETRY_ATTEMPTS
    attempts, waiting RETRY_BASE_SECONDS and doubling up to RETRY_MAX_SECONDS (a 429's Retry-After
    replaces the wait, within the same cap). Any other status below 200 or from 300 on is final.
    Errors name the channel, never its URL: a Slack webhook URL is itself the secret.
    """
    import httpx

    sleep = time.sleep if sleep is None else sleep
    waits: list[float] = []
    status: int | None = None
    error: str | None = None
    with httpx.Client(timeout=target.timeout, follow_redirects=False) as client:
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            extra = headers() if callable(headers) else (headers or {})
            request_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                               "Accept-Encoding": "identity", **extra}
            asked: float | None = None
            try:
                with client.stream("POST", url or target.url, content=body, headers=request_headers) as response:
                    status = response.status_code
                    answer = _read_bounded(response)
                    retry_after = response.headers.get("Retry-After")
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                status, error = None, f"{target.name}: {_exception_text(exc)}"
            except httpx.HTTPError as exc:  # an invalid URL, an unsupported scheme: no retry helps
                return SendResult(ok=False, attempts=attempt, error=f"{target.name}: {_exception_text(exc)}",
                                  waits=tuple(waits))
            else:
                if 200 <= status < 300:
                    return SendResult(ok=True, attempts=attempt, http_status=status, waits=tuple(waits))
                error = f"{target.name}: HTTP {status}{_snippet(answer)}"
                if status not in RETRYABLE_STATUSES:
                    return SendResult(ok=False, attempts=attempt, http_status=status, error=error, waits=tuple(waits))
                if status == 429:
                    asked = retry_after_seconds(retry_after)
            if attempt == RETRY_ATTEMPTS:
                break
            wait = backoff_seconds(attempt) if asked is None else min(asked, RETRY_MAX_SECONDS)
            waits.append(wait)
            sleep(wait)
    return SendResult(ok=False, attempts=RETRY_ATTEMPTS, http_status=status,
                      error=f"{error} (after {RETRY_ATTEMPTS} attempts)", waits=tuple(waits))


def backoff_seconds(attempt: int) -> float:
    """The wait after failed attempt `attempt` (1-based): 0.5, 1, 2, 4, ... capped."""
    return float(min(RETRY_BASE_SECONDS * 2 ** (attempt - 1), RETRY_MAX_SECONDS))


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """A Retry-After header as seconds from now: delta-seconds or an HTTP date; None if absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def rfc3339(moment: dt.datetime) -> str:
    """UTC, millisecond precision, `Z` suffix (a naive datetime is taken as UTC, as the store keeps them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def absolute_url(link: str | None, dashboard_url: str) -> str:
    """An alert's evidence link made absolute against the dashboard (the dashboard itself without one)."""
    base = dashboard_url.rstrip("/") + "/"
    if not link:
        return base
    return urljoin(base, link.lstrip("/")) if not link.startswith(("http://", "https://")) else link


def _read_bounded(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():
        chunks.append(chunk[: RESPONSE_READ_LIMIT - size])
        size += len(chunks[-1])
        if size >= RESPONSE_READ_LIMIT:
            break
    return b"".join(chunks)


def _snippet(answer: bytes) -> str:
    text = " ".join(answer[: ERROR_SNIPPET_CHARS * 4].decode("utf-8", "replace").split())[:ERROR_SNIPPET_CHARS]
    return f": {text}" if text else ""


def _exception_text(exc: Exception) -> str:
    detail = " ".join(str(exc).split())[:ERROR_SNIPPET_CHARS]
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
