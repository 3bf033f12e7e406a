"""Request limits on every route: header count and size (431), URL length (414), body size (413).

The same limits hold twice. `web.http_protocol` enforces them inside the HTTP server that `mldebt
serve` runs, while a request is still being read, so that oversized headers never reach memory (the
server's own parser has no bound on them). `RequestLimits`, the outermost ASGI layer, checks them
again for any other server (uvicorn run by hand, a test client) and bounds the bodies of every route
that is not a webhook: the webhook fast path streams its body against its own 1 MiB limit
(`web.hooks`). Every refusal is an answer in the one error shape, never a dropped connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from mldebt.web.errors import error_body, error_response

MAX_HEADERS = 100
MAX_HEADER_BYTES = 16 * 1024  # names and values together
MAX_URL_BYTES = 8 * 1024
MAX_API_BODY = 64 * 1024  # the API's own bodies are a few hundred bytes (a token request, a component link)
HOOKS_PREFIX = "/hooks/"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def header_refusal(count: int, size: int) -> tuple[int, dict[str, Any]] | None:
    """The 431 answer (status, body) for `count` headers of `size` bytes in all, or None when they are fine."""
    if count > MAX_HEADERS:
        return 431, error_body("request_header_fields_too_large",
                               f"{count} request headers are more than the {MAX_HEADERS} accepted")
    if size > MAX_HEADER_BYTES:
        return 431, error_body("request_header_fields_too_large",
                               f"request headers of {size} bytes are over the {MAX_HEADER_BYTES // 1024} KiB limit")
    return None


def url_refusal(length: int) -> tuple[int, dict[str, Any]]:
    return 414, error_body("uri_too_long", f"request target of {length} bytes is over the "
                                           f"{MAX_URL_BYTES // 1024} KiB limit")


def body_refusal(size: int | None) -> dict[str, Any]:
    amount = f"body of {size} bytes" if size is not None else "body"
    return error_body("payload_too_large", f"request {amount} is over the {MAX_API_BODY // 1024} KiB limit "
                                           "of the API")


class RequestLimits:
    """The outermost ASGI layer: headers and URL on every request, the body on every route but the webhooks.

    A body is read here, up to the limit, before the app sees the request (the API's bodies are small),
    so that an oversized one is answered 413 whether or not it declared its length."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        refusal = header_refusal(len(headers), sum(len(k) + len(v) for k, v in headers))
        target = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        if refusal is None and target > MAX_URL_BYTES:
            refusal = url_refusal(target)
        if refusal is not None:
            status, body = refusal
            await error_response(status, body["error"]["code"], body["error"]["message"])(scope, receive, send)
            return
        if scope.get("path", "").startswith(HOOKS_PREFIX):
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in headers if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > MAX_API_BODY:
            await self._too_large(scope, receive, send, int(declared))
            return
        parts, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            parts.append(message.get("body", b""))
            size += len(parts[-1])
            more = message.get("more_body", False)
            if size > MAX_API_BODY:
                await self._too_large(scope, receive, send, None)
                return
        await self.app(scope, _replay(b"".join(parts), receive), send)

    @staticmethod
    async def _too_large(scope: Scope, receive: Receive, send: Send, size: int | None) -> None:
        body = body_refusal(size)
        response = error_response(413, body["error"]["code"], body["error"]["message"],
                                  headers={"connection": "close"})
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body read so far as one message, then waits on the client (disconnect)."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
