"""Zendesk: event webhooks (`zen:event-type:ticket.*`) and ticket exports (backfill).

Verification: `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(secret, timestamp + raw body)) with
the timestamp from `X-Zendesk-Webhook-Signature-Timestamp`. Delivery identity: the event `id`; a
ticket record from an export is identified by ticket id and `updated_at`.
"""

from __future__ import annotations

import re
from typing import Any

from mldebt.domain.incident import Ticket
from mldebt.errors import PayloadError
from mldebt.ingest.common import (
    Delivery,
    ParsedDelivery,
    load_json,
    obj,
    text,
    timestamp,
    verify_b64_hmac,
)

name = "zendesk"
kept_headers = ("x-zendesk-webhook-signature", "x-zendesk-webhook-signature-timestamp", "x-zendesk-webhook-id",
                "content-type", "user-agent")
ORDER_TAG = re.compile(r"^order[-_:#]?(\d+)$")


def verify(delivery: Delivery, secret: str) -> None:
    stamp = delivery.header("x-zendesk-webhook-signature-timestamp") or ""
    verify_b64_hmac(delivery.header("x-zendesk-webhook-signature"), secret, stamp.encode() + delivery.body,
                    "X-Zendesk-Webhook-Signature")


def parse(delivery: Delivery) -> ParsedDelivery:
    payload = load_json(delivery.body)
    if isinstance(payload, dict) and isinstance(payload.get("tickets"), list):
        tickets = [_ticket(obj(t, f"body.tickets[{i}]"), f"body.tickets[{i}]")
                   for i, t in enumerate(payload["tickets"])]
        return ParsedDelivery(delivery_id="export:" + ",".join(f"{t.external_id}@{t.updated_at.isoformat()}"
                                                                 for t in tickets), tickets=tickets, kind="export")
    payload = obj(payload, "body")
    if isinstance(payload.get("ticket"), dict):
        payload = payload["ticket"]
    if "detail" not in payload:
        ticket = _ticket(payload, "body")
        return ParsedDelivery(delivery_id=f"ticket:{ticket.external_id}@{ticket.updated_at.isoformat()}",
                              tickets=[ticket], kind="ticket")
    event_type = text(payload, "type", "body") or ""
    if not event_type.startswith("zen:event-type:ticket"):
        raise PayloadError(f"unsupported Zendesk event type {event_type!r}", ["body.type"])
    event_id = delivery.header("x-zendesk-webhook-id") or text(payload, "id", "body")
    detail = obj(payload.get("detail"), "body.detail")
    return ParsedDelivery(delivery_id=f"event:{event_id}", tickets=[_ticket(detail, "body.detail")],
                          kind=event_type.removeprefix("zen:event-type:"))


def _ticket(ticket: dict[str, Any], where: str) -> Ticket:
    ticket_id = text(ticket, "id", where)
    created = timestamp(ticket.get("created_at"), f"{where}.created_at")
    updated = timestamp(ticket["updated_at"], f"{where}.updated_at") if ticket.get("updated_at") else created
    raw_tags = ticket.get("tags", [])
    if not isinstance(raw_tags, list):
        raise PayloadError(f"{where}.tags must be an array", [f"{where}.tags"])
    tags = tuple(str(t).lower() for t in raw_tags if isinstance(t, str | int))
    order_id = next((m.group(1) for t in tags if (m := ORDER_TAG.match(t))), None)
    custom_fields = ticket.get("custom_fields")
    if custom_fields is not None and not isinstance(custom_fields, list):
        raise PayloadError(f"{where}.custom_fields must be an array", [f"{where}.custom_fields"])
    for custom in custom_fields or []:
        if isinstance(custom, dict) and str(custom.get("id")) == "order_id" and custom.get("value"):
            order_id = str(custom["value"])
    via = raw if isinstance(raw := ticket.get("via"), dict) else {}
    return Ticket(
        source=name, external_id=ticket_id or "", subject=text(ticket, "subject", where, required=False) or "",
        status=(text(ticket, "status", where, required=False) or "new").lower(), created_at=created, updated_at=updated,
        priority=text(ticket, "priority", where, required=False), type=text(ticket, "type", where, required=False),
        tags=tags, description=text(ticket, "description", where, required=False) or "", order_id=order_id,
        attributes={"tag": list(tags), "channel": via.get("channel") if isinstance(via.get("channel"), str) else None},
    )
