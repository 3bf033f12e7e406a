"""`POST /hooks/{source}`: store every delivery before answering; 2xx only once it is committed.

Answers: 202 stored (what it says is applied right after, see `service.writer`); 200 a duplicate
of an earlier delivery (acknowledged, not counted again); 401 failed verification or no secret
configured (kept as rejected); 422 not parseable (kept as failed, the message names the problem);
413 over 1 MiB; 404 unknown source. Malformed input never gets a 5xx, because Alertmanager
retries 5xx forever.

Deliveries are served by `WebhookFastPath`, a plain ASGI layer outside FastAPI's middleware,
routing and dependency machinery: per delivery those cost more CPU than verifying it (py-spy,
benchmarks/ingest_bench.py). The FastAPI route below runs the same `receive_delivery` and is what
the OpenAPI document describes; it also serves any request the fast path hands on.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mldebt.domain.source_names import SOURCE_NAMES
from mldebt.errors import MldebtError, PayloadError, PayloadTooLargeError
from mldebt.ingest.common import Delivery, forensic_headers
from mldebt.ingest.registry import ADAPTERS, adapter
from mldebt.service.ingest import STATUS_CODES, Outcome, Prepared, prepare
from mldebt.store.raw_events import DUPLICATE, REJECTED, RawEvent
from mldebt.web.context import WebContext, context
from mldebt.web.errors import error_response, from_mldebt
from mldebt.web.limits import HOOKS_PREFIX as PREFIX

MAX_BODY = 1024 * 1024
router = APIRouter()
log = logging.getLogger("mldebt.web")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

BODY_SCHEMA: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "description": "The source's webhook payload, signed as the source documents."}}}},
    "responses": {"401": {"description": "verification failed; kept as rejected"},
                  "413": {"description": "body over 1 MiB"},
                  "422": {"description": "payload not parseable; kept as failed"}},
}


@router.post("/hooks/{source}", status_code=202, tags=["webhooks"], openapi_extra=BODY_SCHEMA,
             summary=f"Receive a webhook from {', '.join(SOURCE_NAMES[:-1])} or {SOURCE_NAMES[-1]}")
async def receive_hook(source: str, request: Request) -> JSONResponse:
    adapter(source)  # 404 for an unknown source, before anything is read or stored
    headers = {k.lower(): v for k, v in request.headers.items()}
    return await receive_delivery(context(request), source, headers, request.stream())


async def receive_delivery(ctx: WebContext, source: str, headers: dict[str, str],
                           chunks: AsyncIterator[bytes]) -> JSONResponse:
    """Read, verify, parse and store one delivery of a known source; the answer once it is committed."""
    received_at = dt.datetime.now(dt.UTC)
    try:
        body = await _read_limited(headers, chunks)
    except PayloadTooLargeError as exc:
        raw = RawEvent(source=source, delivery_id=None, headers=forensic_headers(headers), body=b"",
                       received_at=received_at,
                       verification="rejected: body over 1 MiB", status=REJECTED, error=exc.message)
        outcome = await _submit(ctx, Prepared(raw, error=exc))
        return from_mldebt(exc, [f"kept as raw event {outcome.raw_id}"])
    prepared = prepare(Delivery(source=source, body=body, headers=headers, received_at=received_at),
                       ctx.secrets.get(source))
    outcome = await _submit(ctx, prepared)
    puller = ctx.poll_puller
    if puller is not None and ctx.writer is not None:
        for poll_id in outcome.pull_polls:  # fetched in a thread, stored by the writer
            ctx.spawn(functools.partial(puller, poll_id, ctx.writer.submit_from_thread))
    return _answer(outcome)


class WebhookFastPath:
    """The outermost ASGI layer: `POST /hooks/<known source>` straight to `receive_delivery`;
    everything else (and an unknown source, for its 404) to the FastAPI app it wraps."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]],
                 ctx: Callable[[], WebContext]) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "POST" or not path.startswith(PREFIX) \
                or path[len(PREFIX):] not in ADAPTERS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            response = await receive_delivery(self.ctx(), path[len(PREFIX):], headers, _body_chunks(receive))
        except MldebtError as exc:  # the store is down (503): the sender retries later
            response = from_mldebt(exc)
            response.headers["Retry-After"] = "5"
        except Exception as exc:  # a bug, never the payload's fault: the same 500 shape as the app's
            log.exception("webhook delivery failed")
            _report(exc)
            response = error_response(500, "internal_error", f"internal error: {type(exc).__name__} "
                                      "(it has been logged)")
        await response(scope, receive, send)


async def _body_chunks(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


def _report(exc: Exception) -> None:
    try:
        import sentry_sdk
    except ImportError:  # pragma: no cover - sentry-sdk is a dependency
        return
    sentry_sdk.capture_exception(exc)


async def _submit(ctx: WebContext, prepared: Prepared) -> Outcome:
    assert ctx.writer is not None, "the app's lifespan starts the writer"
    return await ctx.writer.submit(prepared)


async def _read_limited(headers: dict[str, str], chunks: AsyncIterator[bytes]) -> bytes:
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise PayloadTooLargeError(f"body of {declared} bytes is over the 1 MiB limit")
    parts, size = [], 0
    async for chunk in chunks:
        size += len(chunk)
        if size > MAX_BODY:
            raise PayloadTooLargeError("body is over the 1 MiB limit")
        parts.append(chunk)
    return b"".join(parts)


def _answer(outcome: Outcome) -> JSONResponse:
    status = STATUS_CODES.get(outcome.status, 202)
    if status >= 400:
        error = outcome.error or PayloadError("delivery could not be stored as received; it is kept as failed")
        return from_mldebt(error, [f"kept as raw event {outcome.raw_id} ({outcome.status})"])
    body = {"status": outcome.status, "delivery_id": outcome.delivery_id, "raw_event_id": outcome.raw_id}
    if outcome.status == DUPLICATE:
        body["message"] = "already received; acknowledged and not counted again"
    else:
        body["message"] = "stored; what it says is applied right after"
    return JSONResponse(body, status_code=status)
