"""`POST /hooks/{source}`: store every delivery before answering; 2xx only once it is committed.

Answers: 202 stored and applied; 200 a duplicate of an earlier delivery (acknowledged, not counted
again); 401 failed verification or no secret configured (kept as rejected); 422 not parseable
(kept as failed, the message names the problem); 413 over 1 MiB; 404 unknown source. Malformed
input never gets a 5xx, because Alertmanager retries 5xx forever.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mldebt.errors import PayloadError, PayloadTooLargeError
from mldebt.ingest.common import Delivery
from mldebt.ingest.registry import adapter
from mldebt.service.ingest import STATUS_CODES, Outcome, Prepared, prepare
from mldebt.store.raw_events import DUPLICATE, REJECTED, RawEvent
from mldebt.web.context import WebContext, context
from mldebt.web.errors import from_mldebt

MAX_BODY = 1024 * 1024
router = APIRouter()

BODY_SCHEMA: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "description": "The source's webhook payload, signed as the source documents."}}}},
    "responses": {"401": {"description": "verification failed; kept as rejected"},
                  "413": {"description": "body over 1 MiB"},
                  "422": {"description": "payload not parseable; kept as failed"}},
}


@router.post("/hooks/{source}", status_code=202, tags=["webhooks"], openapi_extra=BODY_SCHEMA,
             summary="Receive a webhook from sentry, alertmanager, zendesk, zigpoll or bigcommerce")
async def receive_hook(source: str, request: Request) -> JSONResponse:
    ctx = context(request)
    module = adapter(source)
    received_at = dt.datetime.now(dt.UTC)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        body = await _read_limited(request)
    except PayloadTooLargeError as exc:
        kept = {k: v for k, v in headers.items() if k in module.kept_headers or k == "content-length"}
        raw = RawEvent(source=source, delivery_id=None, headers=kept, body=b"", received_at=received_at,
                       verification="rejected: body over 1 MiB", status=REJECTED, error=exc.message)
        outcome = await _submit(ctx, Prepared(raw, error=exc))
        return from_mldebt(exc, [f"kept as raw event {outcome.raw_id}"])
    prepared = prepare(Delivery(source=source, body=body, headers=headers, received_at=received_at),
                       ctx.secrets.get(source))
    outcome = await _submit(ctx, prepared)
    puller = ctx.poll_puller
    if puller is not None:
        for poll_id in outcome.pull_polls:
            ctx.spawn(functools.partial(puller, poll_id))
    return _answer(outcome)


async def _submit(ctx: WebContext, prepared: Prepared) -> Outcome:
    assert ctx.writer is not None, "the app's lifespan starts the writer"
    return await ctx.writer.submit(prepared)


async def _read_limited(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise PayloadTooLargeError(f"body of {declared} bytes is over the 1 MiB limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise PayloadTooLargeError("body is over the 1 MiB limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(outcome: Outcome) -> JSONResponse:
    status = STATUS_CODES.get(outcome.status, 202)
    if status >= 400:
        error = outcome.error or PayloadError("delivery could not be stored as received; it is kept as failed")
        return from_mldebt(error, [f"kept as raw event {outcome.raw_id} ({outcome.status})"])
    body = {"status": outcome.status, "delivery_id": outcome.delivery_id, "raw_event_id": outcome.raw_id}
    if outcome.status == DUPLICATE:
        body["message"] = "already received; acknowledged and not counted again"
    return JSONResponse(body, status_code=status)
