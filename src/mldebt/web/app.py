"""The FastAPI application: webhooks, the REST API, health, one error shape, the group-commit writer.

`create_app(store, linker, secrets)` builds it (tests pass their own store and secrets);
`app_from_settings()` builds it from the environment for `mldebt serve` / uvicorn's factory mode.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from mldebt import __version__
from mldebt.service.ingest import recover_unapplied
from mldebt.service.kpi_cache import KpiCache
from mldebt.service.linker import Linker, load_linker
from mldebt.service.monitoring import alert_after_runs
from mldebt.service.pull import poll_puller_from_settings
from mldebt.service.scheduler import SchedulerHandle, ServeMonitors, serve_monitors_from_settings
from mldebt.service.writer import GroupCommitWriter
from mldebt.settings import CATALOG_FILE, DATABASE_URL, WEBHOOK_SOURCES, source_secret
from mldebt.store import raw_events
from mldebt.store.database import Store, open_store
from mldebt.web import api, debt_api, errors, hooks, kpi_api, limits, metrics_route, pages, security, session
from mldebt.web.context import WebContext
from mldebt.web.observability import init_sentry

log = logging.getLogger("mldebt.web")
UNAPPLIED_AFTER = dt.timedelta(seconds=5)
"""A delivery stored and acknowledged this long ago and still `accepted` is reported by /healthz: the
writer applies one within milliseconds, so it is stuck (its error says why; `mldebt ingest replay`)."""


class MldebtApp(FastAPI):
    """FastAPI behind four plain ASGI layers: the request metrics (`metrics_route.RequestMetrics`), the
    security headers (`security.SecurityHeaders`), the request limits (`limits.RequestLimits`), then
    webhook deliveries served by `hooks.WebhookFastPath` before FastAPI's own layers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics_route.ServerMetrics()
        self._outer = metrics_route.RequestMetrics(security.SecurityHeaders(
            limits.RequestLimits(hooks.WebhookFastPath(super().__call__, lambda: self.state.ctx))), self.metrics)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._outer(scope, receive, send)


def create_app(store: Store, linker: Linker | None = None, secrets: Mapping[str, str | None] | None = None,
               poll_puller: Callable[..., Any] | None = None,
               session_keys: session.SessionKeys | None = None, monitors: ServeMonitors | None = None) -> FastAPI:
    """`monitors`: run the inventory's monitors on their schedules in a thread (see `service.scheduler`)."""
    ctx = WebContext(store=store, linker=linker or Linker(), secrets=dict(secrets or {}), poll_puller=poll_puller,
                     kpis=KpiCache(store))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store.refresh_statistics()  # the pages' plans need row counts (docs/dashboard.md, "Speed")
        recovered = recover_unapplied(store, ctx.linker)  # stored by a process that died before applying
        if recovered.parsed or recovered.failed:
            log.warning("applied %d deliveries stored before the last stop (%d failed)", recovered.parsed,
                        recovered.failed)
        ctx.writer = GroupCommitWriter(store, ctx.linker)
        ctx.writer.start()
        scheduler: SchedulerHandle | None = None
        if monitors is not None:  # every write of its runs is a unit of the writer: webhooks never wait on a monitor
            scheduler = monitors.scheduler(ctx.writer.run_from_thread, ctx.linker).start_in_thread(monitors.interval)
        # Everything allocated so far (modules, inventory, engines) lives as long as the process: move
        # it out of the collector's sight, so full collections stay short under load (p99 latency).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if scheduler is not None and not await asyncio.to_thread(scheduler.stop):
                log.warning("a monitor was still running at shutdown; its run is marked abandoned later")
            await asyncio.gather(*ctx.background, return_exceptions=True)  # pulls already started finish
            await ctx.writer.stop()

    # No public schema and no docs page: `api.openapi_document` serves the schema to token holders, and
    # FastAPI's docs pages load their scripts from a CDN (see docs/ingest.md).
    app = MldebtApp(title="mldebt", version=__version__, lifespan=lifespan, openapi_url=None, docs_url=None,
                  redoc_url=None,
                  description="Technical debt in AI/ML systems: webhooks in, incidents, MTTR and signals out.")
    app.state.ctx = ctx
    app.state.session_keys = session_keys or session.SessionKeys.generated()  # signs the dashboard's cookies
    errors.install(app)
    app.include_router(hooks.router)
    app.include_router(api.router)
    app.include_router(metrics_route.router)
    app.metrics.watch_store(store)
    app.include_router(debt_api.router)
    app.include_router(kpi_api.router)
    pages.install(app)  # the dashboard: /login, /, /static/...

    @app.get("/healthz", tags=["health"], summary="Liveness, store reachability, deliveries left unapplied")
    def healthz() -> dict[str, Any]:
        with store.session() as session:
            count, oldest = raw_events.unapplied(session, dt.datetime.now(dt.UTC) - UNAPPLIED_AFTER)
        return {"status": "degraded" if count else "ok", "version": __version__,
                "writer": ctx.writer.stats() if ctx.writer else None,
                "unapplied": {"count": count, "oldest_received_at": oldest.isoformat() if oldest else None,
                              "older_than_seconds": int(UNAPPLIED_AFTER.total_seconds())}}

    return app


def app_from_settings(database_url: str | None = None, catalog: Path | None = None) -> FastAPI:
    """The app as `mldebt serve` runs it: store, inventory and secrets from the settings."""
    init_sentry()
    store = open_store(DATABASE_URL.value(database_url))
    secrets = {source: source_secret(source) for source in WEBHOOK_SOURCES}
    linker = load_linker(catalog)
    monitors = serve_monitors_from_settings(catalog or Path(CATALOG_FILE.value()), alerting=alert_after_runs)
    return create_app(store, linker, secrets, poll_puller_from_settings(store, linker), session.keys_from_settings(),
                      monitors)
