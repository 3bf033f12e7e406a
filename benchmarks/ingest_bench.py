"""Webhook ingest under a burst: a real `mldebt serve` on loopback, signed deliveries of every source.

Mix: unique deliveries of the five sources, 10% exact re-sends (duplicates), 5% bad signatures,
5% malformed bodies (signed, but not the source's format). Prints accepted/s, p50/p99 latency and
the reconciliation: every acknowledged delivery is in the store exactly once, every rejected one is
kept as rejected, every malformed one as failed. Runs on SQLite and on a throwaway PostgreSQL.

    .venv/bin/python -m benchmarks.ingest_bench --count 5000 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import func, select
from tests.support.postgres import PostgresCluster, find_bindir
from tests.support.server import ServerProcess
from tests.support.webhooks import fixture_json, signed_headers

from benchmarks.loopback_client import build_request, send_all
from mldebt.ingest.common import Delivery
from mldebt.ingest.registry import ADAPTERS
from mldebt.store.database import open_store
from mldebt.store.ingest_tables import DeliveryKeyRow, RawEventRow

SOURCES = ("sentry", "alertmanager", "zendesk", "zigpoll", "bigcommerce")


def unique_payload(source: str, n: int) -> tuple[dict, str]:
    """A documented payload made unique by its delivery identity; returns (payload, request id)."""
    if source == "sentry":
        p = fixture_json("sentry_issue_created.json")
        p["data"]["issue"]["id"] = str(7_000_000 + n)
    elif source == "alertmanager":
        p = fixture_json("alertmanager_firing.json")
        p["alerts"][0]["fingerprint"] = f"{n:016x}"
    elif source == "zendesk":
        p = fixture_json("zendesk_ticket_created.json")
        p["id"], p["detail"]["id"] = f"bench-{n}", str(90_000 + n)
    elif source == "zigpoll":
        p = fixture_json("zigpoll_response.json")
        p["_id"] = f"bench{n:020d}"
    else:
        p = fixture_json("bigcommerce_order_created.json")
        p["hash"], p["data"]["id"] = f"bench{n:035d}", 200_000 + n
    return p, f"bench-{source}-{n}"


def build(count: int, rng: random.Random) -> list[dict]:
    """Each item: source, body, headers, expected ('new' | 'duplicate' | 'rejected' | 'failed')."""
    items: list[dict] = []
    originals: list[dict] = []
    for n in range(count):
        roll = rng.random()
        source = SOURCES[n % len(SOURCES)]
        if roll < 0.10 and originals:
            items.append({**rng.choice(originals), "expected": "duplicate"})
            continue
        payload, request_id = unique_payload(source, n)
        body = json.dumps(payload).encode()
        if roll < 0.15:
            items.append({"source": source, "body": body, "expected": "rejected",
                          "headers": signed_headers(source, body, secret="not-the-secret", request_id=request_id)})
            continue
        if roll < 0.20:
            body = json.dumps({"unexpected": n}).encode()
            items.append({"source": source, "body": body, "expected": "failed",
                          "headers": signed_headers(source, body, request_id=request_id)})
            continue
        item = {"source": source, "body": body, "expected": "new",
                "headers": signed_headers(source, body, request_id=request_id)}
        originals.append(item)
        items.append(item)
    return items


async def fire(url: str, items: list[dict], concurrency: int) -> tuple[list[tuple[dict, int, float]], float]:
    port = int(url.rsplit(":", 1)[1])
    requests = [(item, build_request(f"/hooks/{item['source']}", item["body"], item["headers"])) for item in items]
    return await send_all("127.0.0.1", port, requests, concurrency)


def delivery_identity(item: dict) -> tuple[str, str]:
    """What the server keys the delivery on, computed with the same parser (for reconciliation only)."""
    parsed = ADAPTERS[item["source"]].parse(Delivery(item["source"], item["body"], item["headers"]))
    return item["source"], parsed.delivery_id


def reconcile(database_url: str, results: list[tuple[dict, int, float]]) -> dict[str, int]:
    store = open_store(database_url)
    with store.session() as session:
        statuses = Counter({s: c for s, c in session.execute(
            select(RawEventRow.status, func.count()).group_by(RawEventRow.status)).all()})
        keys = {(k.source, k.delivery_id) for k in session.scalars(select(DeliveryKeyRow))}
        parsed = Counter(session.execute(select(RawEventRow.source, RawEventRow.delivery_id)
                                         .where(RawEventRow.status == "parsed")).all())
    store.close()
    answered = Counter(status for _, status, _ in results)
    acknowledged = {delivery_identity(item) for item, status, _ in results if 200 <= status < 300}
    return {"acknowledged": answered[200] + answered[202], "new (202)": answered[202], "duplicate (200)": answered[200],
            "stored parsed": statuses["parsed"], "stored duplicate": statuses["duplicate"],
            "lost": len(acknowledged - keys) + len([k for k in acknowledged if parsed[k] == 0]),
            "doubled": sum(c - 1 for c in parsed.values() if c > 1),
            "401 answered": answered[401], "kept rejected": statuses["rejected"],
            "422 answered": answered[422], "kept failed": statuses["failed"],
            "5xx": sum(v for k, v in answered.items() if k >= 500)}


def run(name: str, database_url: str, workdir: Path, count: int, concurrency: int) -> dict:
    items = build(count, random.Random(0))
    server = ServerProcess(database_url, workdir).start()
    try:
        httpx.get(f"{server.url}/healthz", timeout=5)
        results, elapsed = asyncio.run(fire(server.url, items, concurrency))
        writer = httpx.get(f"{server.url}/healthz", timeout=5).json()["writer"]
    finally:
        server.stop()
    latencies = sorted(seconds * 1000 for _, _, seconds in results)
    check = reconcile(database_url, results)
    return {"store": name, "deliveries": len(items), "seconds": elapsed, "per_s": len(items) / elapsed,
            "accepted_per_s": check["acknowledged"] / elapsed, "p50": statistics.median(latencies),
            "p99": latencies[int(0.99 * (len(latencies) - 1))], "writer": writer, **check}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--stores", default="sqlite,postgresql")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="mldebt-bench-") as tmp:
        workdir = Path(tmp)
        for name in args.stores.split(","):
            if name == "sqlite":
                rows.append(run(name, f"sqlite:///{workdir / 'bench.db'}", workdir, args.count, args.concurrency))
            else:
                bindir = find_bindir()
                if bindir is None:
                    print("postgresql: skipped (no initdb; run scripts/ensure-services)")
                    continue
                cluster = PostgresCluster(bindir).start()
                try:
                    rows.append(run(name, cluster.url(), workdir, args.count, args.concurrency))
                finally:
                    cluster.stop()
    print(f"\nmldebt ingest burst: {args.count} signed deliveries, concurrency {args.concurrency}, one uvicorn "
          "process on 127.0.0.1 (10% duplicates, 5% bad signatures, 5% malformed)\n")
    print("| store | deliveries/s | accepted/s | p50 ms | p99 ms | acknowledged | stored once | lost | doubled | "
          "401 / kept rejected | 422 / kept failed | 5xx |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['store']} | {r['per_s']:,.0f} | {r['accepted_per_s']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
              f"{r['acknowledged']} | {r['stored parsed']} + {r['stored duplicate']} dup | {r['lost']} | "
              f"{r['doubled']} | {r['401 answered']} / {r['kept rejected']} | {r['422 answered']} / "
              f"{r['kept failed']} | {r['5xx']} |")
    for r in rows:
        w = r["writer"]
        print(f"{r['store']}: writer committed {w['deliveries']} deliveries in {w['batches']} transactions "
              f"(mean {w['deliveries'] / max(1, w['batches']):.1f} per commit), busy {w['busy_seconds']:.1f} s")


if __name__ == "__main__":
    main()
