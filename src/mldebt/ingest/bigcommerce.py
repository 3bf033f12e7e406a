"""BigCommerce webhook callbacks for the order, product and cart scopes.

Verification, both documented possibilities: Standard Webhooks signing (`webhook-id`,
`webhook-timestamp` within 5 minutes, `webhook-signature: v1,<base64 HMAC-SHA256(secret,
"{id}.{timestamp}.{body}")>`, a `whsec_` secret is base64) or a shared secret echoed from the
subscription's `headers` (`X-Mldebt-Secret: <secret>` or `Authorization: Bearer <secret>`).
Delivery identity: the body's `hash`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from mldebt.domain.incident import StoreEvent
from mldebt.errors import PayloadError, UnauthorizedError
from mldebt.ingest.common import (
    Delivery,
    ParsedDelivery,
    hmac_sha256,
    load_json,
    obj,
    same,
    text,
    timestamp,
    verify_bearer,
)

name = "bigcommerce"
kept_headers = ("webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "user-agent")
SCOPES = ("store/order/", "store/product/", "store/cart/")
TOLERANCE = dt.timedelta(minutes=5)


def signing_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except (binascii.Error, ValueError):
            pass
    return secret.encode()


def sign(secret: str, webhook_id: str, stamp: str, body: bytes) -> str:
    """The `webhook-signature` value for a delivery (used by tests and the benchmark's sender)."""
    digest = hmac_sha256(signing_key(secret), f"{webhook_id}.{stamp}.".encode() + body)
    return "v1," + base64.b64encode(digest).decode()


def verify(delivery: Delivery, secret: str) -> None:
    signature = delivery.header("webhook-signature")
    if signature is None:
        shared = delivery.header("x-mldebt-secret")
        if shared is not None:
            if not same(shared, secret):
                raise UnauthorizedError("X-Mldebt-Secret does not match")
            return
        verify_bearer(delivery, secret)
        return
    webhook_id, stamp = delivery.header("webhook-id"), delivery.header("webhook-timestamp")
    if not webhook_id or not stamp or not (stamp.isascii() and stamp.isdigit()):
        raise UnauthorizedError("webhook-signature needs webhook-id and a numeric webhook-timestamp")
    sent = dt.datetime.fromtimestamp(int(stamp), dt.UTC) if len(stamp) < 12 else None
    if sent is None or abs(delivery.received_at - sent) > TOLERANCE:
        raise UnauthorizedError("webhook-timestamp is more than 5 minutes away")
    expected = sign(secret, webhook_id, stamp, delivery.body).removeprefix("v1,")
    offered = [part.partition(",")[2] for part in signature.split() if part.startswith("v1,")]
    if not any(same(candidate, expected) for candidate in offered):
        raise UnauthorizedError("webhook-signature does not match the body")


def parse(delivery: Delivery) -> ParsedDelivery:
    payload = obj(load_json(delivery.body), "body")
    scope = text(payload, "scope", "body") or ""
    if not scope.startswith(SCOPES):
        raise PayloadError(f"unsupported scope {scope!r}: expected store/order/*, store/product/* or store/cart/*",
                           ["body.scope"])
    data = obj(payload.get("data"), "body.data")
    event_hash = text(payload, "hash", "body") or ""
    store_hash = text(payload, "store_id", "body", required=False) or ""
    producer = text(payload, "producer", "body", required=False) or ""
    if producer.startswith("stores/"):
        store_hash = producer.removeprefix("stores/")
    event = StoreEvent(
        event_hash=event_hash, scope=scope, store_hash=store_hash,
        resource_type=text(data, "type", "body.data", required=False) or scope.split("/")[1],
        resource_id=text(data, "id", "body.data") or "",
        created_at=timestamp(payload.get("created_at"), "body.created_at"),
        data=data, attributes={"store_hash": store_hash, "scope": scope},
    )
    return ParsedDelivery(delivery_id=event_hash, store_events=[event], kind=scope)


def order_total(record: dict[str, object]) -> tuple[str, float, dt.datetime | None]:
    """(order id, total including tax, date created) of a v2 order: money is a string, dates RFC-2822."""
    order_id = text(record, "id", "order") or ""
    raw_total = record.get("total_inc_tax", record.get("total_ex_tax"))
    try:
        total = float(str(raw_total))
    except ValueError:
        raise PayloadError(f"order {order_id}: total_inc_tax {raw_total!r} is not a money amount",
                           ["order.total_inc_tax"]) from None
    created = record.get("date_created")
    return order_id, total, timestamp(created, "order.date_created") if created else None
