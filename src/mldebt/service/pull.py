"""Pulling from the sources' APIs: Zigpoll responses (on a webhook trigger) and BigCommerce order totals.

Pulled records go through the same parser and the same raw-event path as webhooks, with the
verification recorded as "pulled from the source's API", so they are idempotent on the response id.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from mldebt.ingest.common import Delivery
from mldebt.integrations.bigcommerce import BigCommerceClient
from mldebt.integrations.zigpoll import ZigpollClient
from mldebt.service.ingest import PULLED, receive
from mldebt.service.linker import Linker
from mldebt.settings import ZIGPOLL_API_KEY, ZIGPOLL_URL
from mldebt.store import signals as signal_store
from mldebt.store.database import Store
from mldebt.store.ingest_tables import FeedbackRow
from mldebt.store.raw_events import PARSED

BATCH = 500


@dataclass
class PullResult:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0


def pull_poll(store: Store, linker: Linker, client: ZigpollClient, poll_id: str) -> PullResult:
    """Fetch the poll's responses newer than the newest stored one and ingest them."""
    with store.session() as session:
        newest = session.scalar(select(func.max(FeedbackRow.created_at)).where(FeedbackRow.poll_id == poll_id))
    result = PullResult()
    batch: list[Delivery] = []

    def flush() -> None:
        for outcome in receive(store, batch, linker, {}, verification=PULLED):
            result.stored += outcome.status == PARSED
            result.duplicates += outcome.status != PARSED
        batch.clear()

    for record in client.responses(poll_id=poll_id, created_after=newest):
        result.fetched += 1
        batch.append(Delivery(source="zigpoll", body=json.dumps(record).encode()))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return result


def poll_puller_from_settings(store: Store, linker: Linker) -> Callable[[str], PullResult] | None:
    """A puller for the web app when a Zigpoll API key is configured, else None (triggers are only stored)."""
    key = ZIGPOLL_API_KEY.value()
    if not key:
        return None
    bearer = key.lower().startswith("bearer ")

    def pull(poll_id: str) -> PullResult:
        client = ZigpollClient(ZIGPOLL_URL.value(), key.split(" ", 1)[1] if bearer else key, bearer=bearer)
        try:
            return pull_poll(store, linker, client, poll_id)
        finally:
            client.close()

    return pull


def fill_order_totals(store: Store, client: BigCommerceClient) -> int:
    """Fetch totals of orders named by tickets and order events; returns how many rows got a total."""
    with store.session() as session:
        rows = signal_store.order_rows_without_total(session)
        wanted = sorted({str(getattr(r, "order_id", None) or getattr(r, "resource_id", "")) for r in rows} - {""})
        totals = client.order_totals(wanted)
        filled = 0
        for row in rows:
            order_id = str(getattr(row, "order_id", None) or getattr(row, "resource_id", ""))
            if order_id in totals:
                row.order_total = totals[order_id]
                filled += 1
    return filled
