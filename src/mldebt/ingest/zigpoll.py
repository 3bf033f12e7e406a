"""Zigpoll: response records (webhook, backfill, or a pulled `/responses` page) and pull triggers.

Zigpoll's webhook schema and signing are not public, so both shapes are accepted: a body that is a
response record (`_id`, `pollId`, `response`) becomes feedback directly; a body that only names a
`pollId` asks the service to pull `/responses` for that poll. Authentication: a bearer token we
issue (`MLDEBT_ZIGPOLL_SECRET`). Delivery identity: the response `_id`, else the body digest.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from mldebt.domain.incident import FeedbackResponse
from mldebt.errors import PayloadError
from mldebt.ingest.common import (
    Delivery,
    ParsedDelivery,
    body_digest,
    load_json,
    obj,
    text,
    timestamp,
    verify_bearer,
)

name = "zigpoll"
kept_headers = ("content-type", "user-agent")


def verify(delivery: Delivery, secret: str) -> None:
    verify_bearer(delivery, secret)


def parse(delivery: Delivery) -> ParsedDelivery:
    payload = load_json(delivery.body)
    if isinstance(payload, dict) and isinstance(payload.get("data"), list):
        responses = [response(obj(r, f"body.data[{i}]"), f"body.data[{i}]") for i, r in enumerate(payload["data"])]
        return ParsedDelivery(delivery_id="page:" + ",".join(r.response_id for r in responses), feedback=responses,
                              kind="responses")
    payload = obj(payload, "body")
    record = raw if isinstance(raw := payload.get("response"), dict) else payload
    if "_id" in record and "response" in record:
        feedback = response(record, "body")
        return ParsedDelivery(delivery_id=feedback.response_id, feedback=[feedback], kind="response")
    poll_id = text(payload, "pollId", "body", required=False)
    if poll_id is None:
        raise PayloadError("body is neither a Zigpoll response (_id, pollId, response) nor a trigger with pollId",
                           ["body.pollId"])
    return ParsedDelivery(delivery_id=f"trigger:{body_digest(delivery.body)}", pull_polls=[poll_id], kind="trigger")


def response(record: dict[str, Any], where: str) -> FeedbackResponse:
    """One response record as documented for `/responses`."""
    answer = record.get("response")
    if isinstance(answer, list):
        answer = ", ".join(str(a) for a in answer)
    if answer is not None and not isinstance(answer, str | int | float):
        raise PayloadError(f"{where}.response must be text", [f"{where}.response"])
    order_value = record.get("orderValue")
    try:
        order = float(order_value) if order_value not in (None, "") else None
    except (TypeError, ValueError):
        raise PayloadError(f"{where}.orderValue must be a number, got {order_value!r}",
                           [f"{where}.orderValue"]) from None
    poll_id = text(record, "pollId", where) or ""
    metadata = raw if isinstance(raw := record.get("metadata"), dict) else {}
    return FeedbackResponse(
        response_id=text(record, "_id", where) or "", poll_id=poll_id,
        created_at=timestamp(record.get("createdAt"), f"{where}.createdAt"),
        answer=strip_html("" if answer is None else str(answer)),
        slide_id=text(record, "slideId", where, required=False),
        participant_id=text(record, "participantId", where, required=False),
        value_type=text(record, "valueType", where, required=False), order_value=order,
        attributes={"poll_id": poll_id, "slide_id": record.get("slideId"),
                    **{f"meta_{k}": v for k, v in metadata.items() if isinstance(v, str)}},
    )


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def strip_html(value: str) -> str:
    """Answer text without tags (answers may contain HTML); entities decoded, whitespace collapsed."""
    if "<" not in value and "&" not in value:
        return " ".join(value.split())
    parser = _TextOnly()
    parser.feed(value)
    parser.close()
    return " ".join("".join(parser.parts).split())
