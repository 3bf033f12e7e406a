"""The `webhook` alert channel: a JSON document POSTed to any URL, signed with HMAC-SHA256.

The receiver checks that the request came from mldebt and was not replayed:

    X-Mldebt-Delivery:  a uuid4 per notification, the same on every retry (the receiver's dedup key)
    X-Mldebt-Timestamp: unix seconds when this attempt was made (reject ones too old)
    X-Mldebt-Signature: "sha256=" + hex(HMAC-SHA256(secret, f"{timestamp}.{raw body}"))

The timestamp is part of what is signed, so an old request cannot be re-sent with a new timestamp;
each retry is signed afresh, so a receiver's freshness window only has to cover one attempt. An
unsigned request would be worthless to a receiver, so a target without a secret sends nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from mldebt.domain.alerts import Alert
from mldebt.integrations.alert_channels.base import (
    ChannelTarget,
    Notification,
    SendResult,
    absolute_url,
    post_json,
    rfc3339,
)

VERSION = 1
DELIVERY_HEADER = "X-Mldebt-Delivery"
TIMESTAMP_HEADER = "X-Mldebt-Timestamp"
SIGNATURE_HEADER = "X-Mldebt-Signature"
SIGNATURE_PREFIX = "sha256="
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify_signature(secret: str, timestamp: str, body: bytes, signed: str, now: float | None = None,
                     tolerance: float = TOLERANCE_SECONDS) -> bool:
    """What a receiver does (in Python): the signature matches and the timestamp is recent."""
    try:
        age = (time.time() if now is None else now) - int(timestamp)
    except ValueError:
        return False
    return abs(age) <= tolerance and hmac.compare_digest(signature(secret, timestamp, body), signed)


def alert_document(alert: Alert, dashboard_url: str) -> dict[str, Any]:
    return {"key": alert.key, "status": alert.status.value, "labels": alert.labels, "annotations": alert.annotations,
            "starts_at": rfc3339(alert.starts_at), "ends_at": rfc3339(alert.ends_at) if alert.ends_at else None,
            "generator_url": absolute_url(alert.generator_url, dashboard_url), "value": alert.value,
            "threshold": alert.threshold}


def document(notification: Notification, delivery_id: str) -> dict[str, Any]:
    return {"version": VERSION, "delivery_id": delivery_id, "component": notification.component,
            "digest": notification.digest, "resend": notification.resend,
            "alerts": [alert_document(a, notification.dashboard_url) for a in notification.alerts]}


class SignedWebhookChannel:
    kind = "webhook"

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock

    def send(self, target: ChannelTarget, notification: Notification,
             sleep: Callable[[float], None] | None = None) -> SendResult:
        if not target.secret:
            return SendResult(ok=False, attempts=0, error=f"{target.name}: webhook channel has no secret "
                                                          "(set secret_env to the variable holding the signing key)")
        if not notification.alerts:
            return SendResult(ok=True, attempts=0)
        delivery_id = str(uuid.uuid4())
        body = json.dumps(document(notification, delivery_id), separators=(",", ":"), ensure_ascii=False).encode()
        secret = target.secret

        def signed_headers() -> dict[str, str]:
            timestamp = str(int(self.clock()))
            return {DELIVERY_HEADER: delivery_id, TIMESTAMP_HEADER: timestamp,
                    SIGNATURE_HEADER: signature(secret, timestamp, body)}

        result = post_json(target, body, signed_headers, sleep=sleep)
        return SendResult(ok=result.ok, attempts=result.attempts, http_status=result.http_status, error=result.error,
                          waits=result.waits, delivery_id=delivery_id)


CHANNEL = SignedWebhookChannel()
