"""SIGKILL in the middle of a burst: every delivery that got a 2xx is in the store after the restart."""

from __future__ import annotations

import asyncio
import json

import httpx
from sqlalchemy import select

from mldebt.store.database import open_store
from mldebt.store.ingest_tables import RawEventRow
from tests.support.webhooks import fixture_json, signed_headers

TOTAL, KILL_AFTER, CONCURRENCY = 3000, 400, 16


def sentry_delivery(n: int) -> tuple[str, bytes]:
    payload = fixture_json("sentry_issue_created.json")
    payload["data"]["issue"]["id"] = str(5_000_000 + n)
    return f"crash-{n}", json.dumps(payload).encode()


async def burst(server) -> set[str]:
    acknowledged: set[str] = set()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(TOTAL):
        queue.put_nowait(n)
    killed = asyncio.Event()

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty() and not killed.is_set():
            request_id, body = sentry_delivery(queue.get_nowait())
            try:
                response = await client.post("/hooks/sentry", content=body,
                                             headers=signed_headers("sentry", body, request_id=request_id))
            except httpx.HTTPError:
                continue  # in flight when the server died: not acknowledged, may or may not be stored
            if 200 <= response.status_code < 300:
                acknowledged.add(request_id)
                if len(acknowledged) >= KILL_AFTER and not killed.is_set():
                    killed.set()
                    server.kill()

    async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
    return acknowledged


def test_every_acknowledged_delivery_survives_sigkill(server_factory, store_url):
    server = server_factory(store_url)
    acknowledged = asyncio.run(burst(server))
    assert len(acknowledged) >= KILL_AFTER and server.process.returncode == -9
    restarted = server_factory(store_url)
    store = open_store(store_url)
    with store.session() as session:
        stored = {row.delivery_id: row.status for row in session.scalars(
            select(RawEventRow).where(RawEventRow.source == "sentry"))}
    store.close()
    assert acknowledged - set(stored) == set()
    assert {stored[d] for d in acknowledged} == {"parsed"}
    request_id, body = sentry_delivery(0)
    retry = httpx.post(f"{restarted.url}/hooks/sentry", content=body,
                       headers=signed_headers("sentry", body, request_id=request_id))
    assert retry.status_code == (200 if request_id in stored else 202)
