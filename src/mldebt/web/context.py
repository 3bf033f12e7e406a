"""What the web app holds while it runs: the store, the linker, the secrets, the writer, pullers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from mldebt.service.kpi_cache import KpiCache
from mldebt.service.linker import Linker
from mldebt.service.pull import PollPuller
from mldebt.service.writer import GroupCommitWriter
from mldebt.store.database import Store


@dataclass
class WebContext:
    store: Store
    linker: Linker
    secrets: Mapping[str, str | None]
    poll_puller: PollPuller | None = None
    writer: GroupCommitWriter | None = None
    background: set[asyncio.Task[Any]] = field(default_factory=set)
    kpis: KpiCache | None = None  # the overview's KPIs, computed at most once a minute (`create_app` sets it)

    def spawn(self, function: Callable[[], Any]) -> None:
        """Run blocking follow-up work (a Zigpoll pull) off the event loop, after the answer."""
        task = asyncio.get_running_loop().create_task(asyncio.to_thread(function))
        self.background.add(task)
        task.add_done_callback(self.background.discard)


def context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx
