"""`GET /metrics` (Prometheus text exposition, viewer token) and the server's own request metrics.

The exposition carries revenue-related numbers (interest in money per week, debt per component),
so it is not public: Prometheus sends a viewer token (`authorization: {type: Bearer, credentials_file:
...}` in its scrape config, docs/metrics.md), exactly like every other reader of the API.

`RequestMetrics` is the outermost ASGI layer, so that every answer is counted, webhook deliveries of
the fast path and refusals of the request limits included. The `route` label is the route's template
(`/api/v1/events/{event_id}`), never the raw path, and every path no route matches shares the one
label `(unmatched)`: the label set is bounded by the routes of the app.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from mldebt.metrics.exposition import SnapshotCollector
from mldebt.service.metrics import CachedSnapshot
from mldebt.store.database import Store
from mldebt.web.auth import Caller, viewer
from mldebt.web.limits import HOOKS_PREFIX

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

UNMATCHED = "(unmatched)"
HOOK_ROUTE = HOOKS_PREFIX + "{source}"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

router = APIRouter()


class ServerMetrics:
    """One registry per app: the request metrics and the store collector (tests build many apps)."""

    def __init__(self) -> None:
        disable_created_metrics()  # no `_created` series: they double the series count for nothing we chart
        self.registry = CollectorRegistry()
        self.requests = Counter("mldebt_http_requests", "HTTP requests answered, by method, route template and "
                                "status code.", ["method", "route", "code"], registry=self.registry)
        self.duration = Histogram("mldebt_http_request_duration_seconds", "Time from the request to the end of "
                                  "the answer, by method and route template.", ["method", "route"],
                                  buckets=BUCKETS, registry=self.registry)
        self.snapshot: CachedSnapshot | None = None
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}  # `labels()` costs more than counting

    def watch_store(self, store: Store) -> None:
        self.snapshot = CachedSnapshot(store)
        self.registry.register(SnapshotCollector(self.snapshot))

    def observe(self, method: str, route: str, code: int, seconds: float) -> None:
        key = (method if method in METHODS else "other", route, code)  # bounded: methods x routes x codes
        children = self._children.get(key)
        if children is None:
            children = self._children.setdefault(key, (self.requests.labels(key[0], route, str(code)),
                                                        self.duration.labels(key[0], route)))
        children[0].inc()
        children[1].observe(seconds)


def route_template(scope: Scope) -> str:
    """The template of the route that served the request (Starlette records it in the scope)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    request_path = scope.get("path", "")
    if request_path.startswith(HOOKS_PREFIX) and "/" not in request_path[len(HOOKS_PREFIX):]:
        return HOOK_ROUTE  # the webhook fast path answers before any routing
    return UNMATCHED


class RequestMetrics:
    def __init__(self, app: App, metrics: ServerMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]  # when the app fails before answering, the server answers 500

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counted)
        finally:
            self.metrics.observe(scope.get("method", ""), route_template(scope), status[0],
                                 time.perf_counter() - started)


def _metrics(request: Request) -> ServerMetrics:
    metrics: ServerMetrics = request.app.metrics
    return metrics


@router.get("/metrics", tags=["metrics"], summary="Prometheus metrics (text exposition); needs a viewer token",
            response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def metrics(request: Request, _: Annotated[Caller, Depends(viewer)]) -> Response:
    return Response(generate_latest(_metrics(request).registry), media_type=CONTENT_TYPE_LATEST)
