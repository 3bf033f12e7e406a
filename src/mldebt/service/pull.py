"""Pulling from the sources' APIs: Zigpoll responses (on a webhook trigger) and BigCommerce order totals.

Pulled records go through the same parser and the same raw-event path as webhooks, with the
verification recorded as "pulled from the source's API", so they are idempotent on the response id.

No outbound HTTP happens while a database transaction is open (a slow vendor must not hold the
store's locks): what a pull needs is read and committed first, then fetched, then written in a
transaction of its own. In `mldebt serve` the writing is the writer's (`write` is
`GroupCommitWriter.submit_from_thread`), so pulls never write beside it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select

from mldebt.ingest.common import Delivery
from mldebt.integrations.zigpoll import ZigpollClient
from mldebt.service.ingest import PULLED, Outcome, Prepared, prepare, write_batch
from mldebt.service.linker import Linker
from mldebt.settings import ZIGPOLL_API_KEY, ZIGPOLL_URL
from mldebt.store import signals as signal_store
from mldebt.store.database import Store
from mldebt.store.ingest_tables import FeedbackRow
from mldebt.store.raw_events import ACCEPTED, DUPLICATE, PARSED

BATCH = 500
StoreDeliveries = Callable[[list[Prepared]], list[Outcome]]
"""Stores prepared deliveries in a transaction of its own and returns their outcomes."""


@dataclass
class PullResult:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    failed: int = 0


def pull_poll(store: Store, linker: Linker, client: ZigpollClient, poll_id: str,
              write: StoreDeliveries | None = None) -> PullResult:
    """Fetch the poll's responses newer than the newest stored one and ingest them.

    `write` stores each batch of records (the server's writer); by default each batch is stored and
    applied in one transaction of its own (the CLI). No transaction is open while pages are fetched."""
    with store.session() as session:
        newest = session.scalar(select(func.max(FeedbackRow.created_at)).where(FeedbackRow.poll_id == poll_id))
    write = write or functools.partial(_store_and_apply, store, linker)
    result = PullResult()
    batch: list[Delivery] = []

    def flush() -> None:
        for outcome in write([prepare(delivery, None, PULLED) for delivery in batch]):
            result.stored += outcome.status in (ACCEPTED, PARSED)
            result.duplicates += outcome.status == DUPLICATE
            result.failed += outcome.status not in (ACCEPTED, PARSED, DUPLICATE)
        batch.clear()

    for record in client.responses(poll_id=poll_id, created_after=newest):
        result.fetched += 1
        batch.append(Delivery(source="zigpoll", body=json.dumps(record).encode()))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return result


def _store_and_apply(store: Store, linker: Linker, batch: list[Prepared]) -> list[Outcome]:
    with store.session() as session:
        return write_batch(session.connection(), batch, linker)


PollPuller = Callable[[str, StoreDeliveries | None], PullResult]
"""`puller(poll_id, write)`: what the web app runs (in a worker thread) on a Zigpoll trigger."""


def poll_puller_from_settings(store: Store, linker: Linker) -> PollPuller | None:
    """A puller for the web app when a Zigpoll API key is configured, else None (triggers are only stored)."""
    key = ZIGPOLL_API_KEY.value()
    if not key:
        return None
    bearer = key.lower().startswith("bearer ")

    def pull(poll_id: str, write: StoreDeliveries | None = None) -> PullResult:
        client = ZigpollClient(ZIGPOLL_URL.value(), key.split(" ", 1)[1] if bearer else key, bearer=bearer)
        try:
            return pull_poll(store, linker, client, poll_id, write)
        finally:
            client.close()

    return pull


class OrderTotals(Protocol):
    """What answers order totals by id: `integrations.bigcommerce.BigCommerceClient` (live, one request
    per order) or the demo's recorded Orders v2 responses (`demo.orders.RecordedOrders`)."""

    def order_totals(self, order_ids: list[str]) -> dict[str, float]: ...


def fill_order_totals(store: Store, client: OrderTotals) -> int:
    """Fetch totals of orders named by tickets and order events; returns how many rows got a total.

    Three steps, so that no transaction is open during the lookups (one HTTP call per order): read
    the order ids and commit, fetch, then fill in the rows still without a total in a second
    transaction (rows that changed meanwhile are read again, not overwritten from a stale copy)."""
    with store.session() as session:
        wanted = sorted({_order_id(row) for row in signal_store.order_rows_without_total(session)} - {""})
    if not wanted:
        return 0
    totals = client.order_totals(wanted)
    filled = 0
    with store.session() as session:
        for row in signal_store.order_rows_without_total(session):
            order_id = _order_id(row)
            if order_id in totals:
                row.order_total = totals[order_id]
                filled += 1
    return filled


def _order_id(row: Any) -> str:
    """The order a ticket (`order_id`) or an order event (`resource_id`) names, "" when none."""
    return str(getattr(row, "order_id", None) or getattr(row, "resource_id", ""))
