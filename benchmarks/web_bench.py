"""Benchmark: server time of every dashboard page and API list call on a large store (issue 11).

Seeds a temporary SQLite store with the generator of `backlog_bench.py` (200 components, 50,000
findings, 100,000 incidents with their intervals, 20,000 tickets, 10,000 poll answers, 1,000 drift
runs), rebuilds the backlog, then tops the backlog up to 10,000 debt items with scored hand-added
items (bulk inserts). A real `mldebt serve` (uvicorn, the production app) serves it on loopback; one
keep-alive client asks each page `--requests` times in turn (after one warm-up request per page,
reported on its own as "first") and prints p50 and p95 of the time between sending the request and
reading the whole body. That is the server's time plus a loopback round trip, so an upper bound of
the server time.

The reference, measured in the same run, is `/healthz` (no auth, no store query beyond the writer's
counters): the floor of any answer from this server. Target: p95 under 200 ms for every page.
Peak memory is the server process's RSS high-water mark (VmHWM) after all requests.

    PYTHONPATH=src python -m benchmarks.web_bench [--size 1.0] [--requests 40]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import func, select
from tests.support.server import ServerProcess

from benchmarks.backlog_bench import NOW, _insert, generate
from mldebt.domain.debt import DebtCategory
from mldebt.service.backlog import rebuild_backlog
from mldebt.service.tokens import create_api_token
from mldebt.store.database import Store
from mldebt.store.debt_tables import DebtItemRow
from mldebt.store.ingest_tables import IncidentRow
from mldebt.store.models import DriftRunRow, FindingRow

TARGET_MS = 200.0
UNGATED = "API KPIs (no list: computed per call)"
"""Shown for comparison, not held to the target: the overview reads the same KPIs from its cache."""
DEBT_ITEMS = 10_000
STATUSES = [("open", 0.7), ("planned", 0.1), ("in-progress", 0.1), ("accepted", 0.05), ("resolved", 0.05)]


def top_up_debt(store: Store, names: list[str], size: float, rng: random.Random) -> int:
    """Hand-added, scored items until the backlog holds `DEBT_ITEMS x size` rows; returns the total."""
    with store.session() as session:
        have = session.scalar(select(func.count()).select_from(DebtItemRow)) or 0
    wanted = max(0, round(DEBT_ITEMS * size) - have)
    categories = [str(c) for c in DebtCategory]
    statuses, weights = zip(*STATUSES, strict=True)
    rows = []
    for n in range(wanted):
        low = rng.choice([0.5, 1, 2, 4, 8, 16])
        interest = rng.lognormvariate(4, 1.2)
        status = rng.choices(statuses, weights)[0]
        seen = NOW - dt.timedelta(days=rng.uniform(0, 180))
        rows.append({
            "key": f"bench-{n:08d}", "title": f"Hand-added debt {n} in the ranking path", "category":
            rng.choice(categories), "component": rng.choice(names), "source": "manual",
            "severity": rng.choice(["low", "medium", "high", "critical"]), "status": status,
            "owner": rng.choice([None, "ana", "bo", "team-ml", "team-platform"]), "description": "generated",
            "effort_low_hours": low, "effort_high_hours": low * 3, "evidence": [], "evidence_count": 0,
            "rule_ids": [], "risk": rng.uniform(0, 1), "interest_low": interest, "interest_high": interest * 2.5,
            "interest_hours": interest / 90, "priority": interest / (low * 2), "priority_low": interest / (low * 3),
            "priority_high": interest * 2.5 / low, "currency": "USD", "breakdown": {}, "scored_at": NOW,
            "created_by": "bench", "created_at": seen, "updated_at": seen, "first_seen_at": seen,
            "resolved_at": seen + dt.timedelta(days=3) if status == "resolved" else None,
        })
    _insert(store, DebtItemRow.__table__, rows)
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(DebtItemRow)) or 0


def targets(store: Store, names: list[str]) -> list[tuple[str, str]]:
    """(label, path) of every page and API list call timed, with ids taken from the seeded store."""
    with store.session() as session:
        item = session.scalar(select(DebtItemRow.id).order_by(DebtItemRow.priority.desc()).limit(1))
        run = session.scalar(select(DriftRunRow.id).order_by(DriftRunRow.id.desc()).limit(1))
        component = session.scalar(select(IncidentRow.component).group_by(IncidentRow.component)
                                   .order_by(func.count().desc()).limit(1)) or names[0]
        rule = session.scalar(select(FindingRow.rule_id).limit(1))
    return [
        ("/healthz (reference)", "/healthz"),
        ("overview", "/"),
        ("inventory", "/inventory"),
        ("inventory: busiest component", f"/inventory/{component}"),
        ("backlog", "/backlog"),
        ("backlog: page 100", "/backlog?page=100"),
        ("backlog: filtered", f"/backlog?component={component}&status=open&category=model"),
        ("backlog item", f"/backlog/{item}"),
        ("incidents", "/incidents"),
        ("incidents: page 1,000", "/incidents?page=1000"),
        ("incidents: one component", f"/incidents?component={component}"),
        ("drift", "/drift"),
        ("drift run", f"/drift/{run}"),
        ("feedback", "/feedback"),
        ("scan", "/scan"),
        ("scan: one rule", f"/scan?rule={rule}"),
        ("scan: page 500", "/scan?page=500"),
        ("API debt list", "/api/v1/debt?limit=50"),
        ("API debt list, offset 5,000", "/api/v1/debt?limit=50&offset=5000"),
        ("API incidents list", "/api/v1/incidents?limit=200"),
        ("API events list", "/api/v1/events?limit=100"),
        (UNGATED, "/api/v1/kpis"),
    ]


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def server_peak_mb(server: ServerProcess) -> float:
    assert server.process is not None
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(server: ServerProcess, headers: dict[str, str], pages: list[tuple[str, str]], requests: int
            ) -> list[tuple[str, str, int, float, float, float, int]]:
    """(label, path, status, first ms, p50 ms, p95 ms, bytes) per page, pages asked in turn."""
    samples: dict[str, list[float]] = {path: [] for _, path in pages}
    first: dict[str, tuple[float, int, int]] = {}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client, Progress() as progress:
        task = progress.add_task("requests", total=len(pages) * (requests + 1))
        for _, path in pages:
            started = time.perf_counter()
            response = client.get(path)
            first[path] = ((time.perf_counter() - started) * 1000, response.status_code, len(response.content))
            progress.advance(task)
        for _ in range(requests):
            for _, path in pages:
                started = time.perf_counter()
                client.get(path).read()
                samples[path].append((time.perf_counter() - started) * 1000)
                progress.advance(task)
    return [(label, path, first[path][1], first[path][0], statistics.median(samples[path]),
             percentile(samples[path], 95), first[path][2]) for label, path in pages]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=float, default=1.0, help="Fraction of the full size (100,000 incidents...).")
    parser.add_argument("--requests", type=int, default=40, help="Timed requests per page (after one warm-up).")
    args = parser.parse_args()
    console = Console(width=150)
    with tempfile.TemporaryDirectory(prefix="mldebt-web-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        store, generated = generate(args.size, folder)
        rebuild_backlog(store, NOW)
        items = top_up_debt(store, generated.components, args.size, random.Random(1))
        token = create_api_token(store, "viewer", "bench")["token"]
        pages = targets(store, generated.components)
        store.close()
        counts = generated.counts
        console.print(f"Seeded in {time.perf_counter() - started:.1f} s: {counts['components']:,} components, "
                      f"{counts['incidents']:,} incidents, {counts['findings']:,} findings, {items:,} debt items, "
                      f"{counts['drift_runs']:,} drift runs, {counts['tickets']:,} tickets, "
                      f"{counts['feedback']:,} poll answers", highlight=False)
        server = ServerProcess(f"sqlite:///{folder / 'bench.db'}", folder).start(timeout=120)
        try:
            rows = measure(server, {"authorization": f"Bearer {token}"}, pages, args.requests)
            peak = server_peak_mb(server)
        finally:
            server.stop()
    reference = rows[0][5]
    table = Table(title=f"Server time per page ({args.requests} requests each, keep-alive client on loopback; "
                        f"reference: /healthz in the same run; target: p95 under {TARGET_MS:g} ms)",
                  title_justify="left")
    for name in ("page", "path", "status", "first (ms)", "p50 (ms)", "p95 (ms)", "p95 / reference", "KB"):
        table.add_column(name, justify="left" if name in ("page", "path") else "right")
    ok = True
    for label, path, status, first_ms, p50, p95, size in rows:
        table.add_row(label, path[:60], str(status), f"{first_ms:.1f}", f"{p50:.1f}", f"{p95:.1f}",
                      f"{p95 / reference:.1f}x", f"{size / 1024:.0f}")
        ok = ok and status == 200 and (p95 < TARGET_MS or label == UNGATED)
    console.print(table)
    console.print(f"server peak RSS: {peak:.0f} MB")
    console.print("target met" if ok else f"target MISSED (a page answered non-200 or p95 >= {TARGET_MS:g} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
