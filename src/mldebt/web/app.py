"""The FastAPI application: webhooks, the REST API, health, one error shape, the group-commit writer.

`create_app(store, linker, secrets)` builds it (tests pass their own store and secrets);
`app_from_settings()` builds it from the environment for `mldebt serve` / uvicorn's factory mode.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from mldebt import __version__
from mldebt.service.linker import Linker, load_linker
from mldebt.service.pull import poll_puller_from_settings
from mldebt.service.writer import GroupCommitWriter
from mldebt.settings import DATABASE_URL, WEBHOOK_SOURCES, source_secret
from mldebt.store.database import Store, open_store
from mldebt.web import api, errors, hooks
from mldebt.web.context import WebContext
from mldebt.web.observability import init_sentry


def create_app(store: Store, linker: Linker | None = None, secrets: Mapping[str, str | None] | None = None,
               poll_puller: Callable[[str], Any] | None = None) -> FastAPI:
    ctx = WebContext(store=store, linker=linker or Linker(), secrets=dict(secrets or {}), poll_puller=poll_puller)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx.writer = GroupCommitWriter(store, ctx.linker)
        ctx.writer.start()
        try:
            yield
        finally:
            await asyncio.gather(*ctx.background, return_exceptions=True)  # pulls already started finish
            await ctx.writer.stop()

    app = FastAPI(title="mldebt", version=__version__, lifespan=lifespan, openapi_url="/api/v1/openapi.json",
                  docs_url="/api/v1/docs", redoc_url=None,
                  description="Technical debt in AI/ML systems: webhooks in, incidents, MTTR and signals out.")
    app.state.ctx = ctx
    errors.install(app)
    app.include_router(hooks.router)
    app.include_router(api.router)

    @app.get("/healthz", tags=["health"], summary="Liveness and store reachability")
    def healthz() -> dict[str, Any]:
        with store.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return {"status": "ok", "version": __version__, "writer": ctx.writer.stats() if ctx.writer else None}

    return app


def app_from_settings(database_url: str | None = None, catalog: Path | None = None) -> FastAPI:
    """The app as `mldebt serve` runs it: store, inventory and secrets from the settings."""
    init_sentry()
    store = open_store(DATABASE_URL.value(database_url))
    secrets = {source: source_secret(source) for source in WEBHOOK_SOURCES}
    linker = load_linker(catalog)
    return create_app(store, linker, secrets, poll_puller_from_settings(store, linker))
