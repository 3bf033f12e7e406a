"""Signing deliveries the way each source does, for tests, the e2e tests and the benchmark.

Written from the documented schemes (docs/integrations.md), independently of the verifiers in
`mldebt.ingest`, so that a test signing with this and verifying with those checks both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
BIGCOMMERCE_SECRET = "whsec_" + base64.b64encode(b"bigcommerce-key-32-bytes-long!!!").decode()
SECRETS = {"sentry": "sentry-client-secret", "alertmanager": "am-token", "zendesk": "zd-signing-secret",
           "zigpoll": "zp-token", "bigcommerce": BIGCOMMERCE_SECRET}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    return json.loads(fixture(name))


def signed_headers(source: str, body: bytes, secret: str | None = None, request_id: str | None = None,
                   now: int | None = None) -> dict[str, str]:
    """Headers that authenticate `body` for `source` with `secret` (default: SECRETS)."""
    secret = SECRETS[source] if secret is None else secret
    headers = {"content-type": "application/json"}
    if source == "sentry":
        headers |= {"sentry-hook-resource": _sentry_resource(body),
                    "sentry-hook-timestamp": str(now or int(time.time())),
                    "sentry-hook-signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
                    "request-id": request_id or str(uuid.uuid4())}
    elif source == "zendesk":
        stamp = "2026-11-22T09:12:01Z"
        digest = hmac.new(secret.encode(), stamp.encode() + body, hashlib.sha256).digest()
        headers |= {"x-zendesk-webhook-signature": base64.b64encode(digest).decode(),
                    "x-zendesk-webhook-signature-timestamp": stamp}
    elif source == "bigcommerce":
        webhook_id, stamp = request_id or f"msg_{uuid.uuid4().hex}", str(now or int(time.time()))
        key = base64.b64decode(secret.removeprefix("whsec_")) if secret.startswith("whsec_") else secret.encode()
        digest = hmac.new(key, f"{webhook_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
        headers |= {"webhook-id": webhook_id, "webhook-timestamp": stamp,
                    "webhook-signature": "v1," + base64.b64encode(digest).decode()}
    else:
        headers["authorization"] = f"Bearer {secret}"
    return headers


def _sentry_resource(body: bytes) -> str:
    try:
        data = json.loads(body).get("data", {})
    except (ValueError, AttributeError):
        return "issue"
    if not isinstance(data, dict):  # a hostile `"data": null` (or a list): the parser answers 4xx for it
        return "issue"
    if "metric_alert" in data:
        return "metric_alert"
    return "event_alert" if "event" in data else "issue"
