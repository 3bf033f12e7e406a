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
from rich.progress import Progress
from sqlalchemy import func, select
from tests.support.postgres import PostgresCluster, find_bindir
from tests.support.server import ServerProcess
from tests.support.webhooks import fixture_json, signed_headers

from benchmarks.loopback_client import build_request, send_all, send_at_rate
from mldebt.ingest.common import Delivery
from mldebt.ingest.registry import ADAPTERS
from mldebt.store.base import as_aware
from mldebt.store.database import open_store
from mldebt.store.ingest_tables import DeliveryKeyRow, RawEventRow

TARGET_RATE, TARGET_P99_MS = 1000.0, 50.0
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


async def fire(url: str, items: list[dict], concurrency: int, rate: float | None = None
               ) -> tuple[list[tuple[dict, int, float]], float]:
    """A burst (closed loop at `concurrency`) or, with `rate`, a sustained open-loop load."""
    port = int(url.rsplit(":", 1)[1])
    requests = [(item, build_request(f"/hooks/{item['source']}", item["body"], item["headers"])) for item in items]
    if rate is not None:
        return await send_at_rate("127.0.0.1", port, requests, rate)
    return await send_all("127.0.0.1", port, requests, concurrency)


def delivery_identity(item: dict) -> tuple[str, str]:
    """What the server keys the delivery on, computed with the same parser (for reconciliation only)."""
    parsed = ADAPTERS[item["source"]].parse(Delivery(item["source"], item["body"], item["headers"]))
    return item["source"], parsed.delivery_id


def reconcile(database_url: str, results: list[tuple[dict, int, float]]) -> dict[str, float]:
    """What the store holds against what the server answered; `applied_p99` is the time from a
    delivery's arrival to its effects being committed (the answer comes before, once it is stored)."""
    store = open_store(database_url)
    with store.session() as session:
        statuses = Counter({s: c for s, c in session.execute(
            select(RawEventRow.status, func.count()).group_by(RawEventRow.status)).all()})
        keys = {(k.source, k.delivery_id) for k in session.scalars(select(DeliveryKeyRow))}
        parsed = Counter(session.execute(select(RawEventRow.source, RawEventRow.delivery_id)
                                         .where(RawEventRow.status == "parsed")).all())
        times = session.execute(select(RawEventRow.received_at, RawEventRow.parsed_at)
                                .where(RawEventRow.status == "parsed")).all()
        lags = sorted((as_aware(done) - as_aware(received)).total_seconds() * 1000 for received, done in times)
    store.close()
    answered = Counter(status for _, status, _ in results)
    acknowledged = {delivery_identity(item) for item, status, _ in results if 200 <= status < 300}
    return {"acknowledged": answered[200] + answered[202], "new (202)": answered[202], "duplicate (200)": answered[200],
            "stored parsed": statuses["parsed"], "stored duplicate": statuses["duplicate"],
            "lost": len(acknowledged - keys) + len([k for k in acknowledged if parsed[k] == 0]),
            "doubled": sum(c - 1 for c in parsed.values() if c > 1),
            "401 answered": answered[401], "kept rejected": statuses["rejected"],
            "422 answered": answered[422], "kept failed": statuses["failed"],
            "5xx": sum(v for k, v in answered.items() if k >= 500),
            "applied_p99": lags[int(0.99 * (len(lags) - 1))] if lags else float("nan")}


def peak_rss_mb(pid: int) -> float:
    """The server's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(name: str, database_url: str, workdir: Path, count: int, concurrency: int, rate: float | None) -> dict:
    items = build(count, random.Random(0))
    server = ServerProcess(database_url, workdir).start()
    try:
        httpx.get(f"{server.url}/healthz", timeout=5)
        results, elapsed = asyncio.run(fire(server.url, items, concurrency, rate))
        writer = httpx.get(f"{server.url}/healthz", timeout=5).json()["writer"]
        assert server.process is not None
        peak = peak_rss_mb(server.process.pid)
    finally:
        server.stop()
    latencies = sorted(seconds * 1000 for _, _, seconds in results)
    check = reconcile(database_url, results)
    return {"store": name, "load": f"sustained {rate:,.0f}/s offered" if rate else f"burst, {concurrency} in flight",
            "deliveries": len(items), "seconds": elapsed, "per_s": len(items) / elapsed,
            "accepted_per_s": check["acknowledged"] / elapsed, "p50": statistics.median(latencies),
            "p99": latencies[int(0.99 * (len(latencies) - 1))], "writer": writer, "peak_mb": peak, **check}


def median_run(runs: list[dict]) -> dict:
    """Each measure's median over the runs (with its range); reconciliation counts summed over runs."""
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    def spread(key: str, fmt: str) -> str:
        low, high = min(r[key] for r in runs), max(r[key] for r in runs)
        return f" [{low:{fmt}}-{high:{fmt}}]" if len(runs) > 1 else ""

    chosen = dict(runs[0])
    chosen.update({key: median(key) for key in ("per_s", "accepted_per_s", "p50", "p99", "peak_mb", "applied_p99")})
    chosen["range"], chosen["p99_range"] = spread("per_s", ",.0f"), spread("p99", ".1f")
    for key in ("lost", "doubled", "5xx", "401 answered", "kept rejected", "422 answered", "kept failed"):
        chosen[key] = sum(r[key] for r in runs)
    chosen["runs"] = len(runs)
    return chosen


def target(row: dict) -> str:
    met = row["per_s"] >= TARGET_RATE * 0.99 and row["p99"] < TARGET_P99_MS and not (
        row["lost"] or row["doubled"] or row["5xx"])
    return "met" if met else "NOT met"


def print_table(rows: list[dict], args: argparse.Namespace) -> None:
    print(f"\nmldebt ingest: signed deliveries to one `mldebt serve` on 127.0.0.1 (10% duplicates, 5% bad "
          f"signatures, 5% malformed); median of {args.repeat} run(s) of {args.count:,} deliveries, range in brackets; "
          "rejected and failed counts summed over the runs\n")
    print("| store | load | deliveries/s | accepted/s | p50 ms | p99 ms | applied p99 ms | lost | doubled | 5xx | "
          "401 / kept rejected | 422 / kept failed | server peak RSS MB | >= 1,000/s, p99 < 50 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        rate = f"{r['per_s']:,.0f}{r['range']}"
        p99 = f"{r['p99']:.1f}{r['p99_range']}"
        print(f"| {r['store']} | {r['load']} | {rate} | {r['accepted_per_s']:,.0f} | {r['p50']:.1f} | {p99} | "
              f"{r['applied_p99']:.1f} | "
              f"{r['lost']} | {r['doubled']} | {r['5xx']} | {r['401 answered']} / {r['kept rejected']} | "
              f"{r['422 answered']} / {r['kept failed']} | {r['peak_mb']:.0f} | {target(r)} |")
    print()
    for r in rows:
        w = r["writer"]
        print(f"{r['store']}, {r['load']} (last run): stored {w['deliveries']} deliveries in {w['batches']} "
              f"transactions (mean {w['deliveries'] / max(1, w['batches']):.1f} per commit, "
              f"{w['busy_seconds']:.1f} s), "
              f"applied {w['applied']} in {w['apply_batches']} ({w['apply_seconds']:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10000, help="deliveries per run")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight in the burst")
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="offered deliveries/s, sustained load")
    parser.add_argument("--loads", default="sustained,burst", help="sustained, burst or both")
    parser.add_argument("--repeat", type=int, default=3, help="runs per store and load (the median is shown)")
    parser.add_argument("--stores", default="sqlite,postgresql")
    args = parser.parse_args()
    loads = [load.strip() for load in args.loads.split(",")]
    rows = []
    progress = Progress(transient=True, auto_refresh=False)
    with tempfile.TemporaryDirectory(prefix="mldebt-bench-") as tmp, progress:
        task = progress.add_task("ingest runs", total=len(loads) * args.repeat * len(args.stores.split(",")))
        for name in args.stores.split(","):
            cluster = None
            if name == "postgresql":
                bindir = find_bindir()
                if bindir is None:
                    print("postgresql: skipped (no initdb; run scripts/ensure-services)")
                    continue
                cluster = PostgresCluster(bindir, durable=True).start()
            try:
                for load in loads:
                    runs = []
                    for index in range(args.repeat):
                        workdir = Path(tmp) / f"{name}-{load}-{index}"
                        workdir.mkdir()
                        url = cluster.fresh_database() if cluster else f"sqlite:///{workdir / 'bench.db'}"
                        runs.append(run(name, url, workdir, args.count, args.concurrency,
                                        args.rate if load == "sustained" else None))
                        progress.advance(task)
                        progress.refresh()  # between runs only: a refresh thread would steal the client's CPU
                    rows.append(median_run(runs))
            finally:
                if cluster is not None:
                    cluster.stop()
    print_table(rows, args)


if __name__ == "__main__":
    main()
