"""The current quarter's KPIs for the dashboard, computed at most once per `ttl` and refreshed behind the reader.

`compute_kpis` reads every resolved incident's duration (medians need them row by row): about half a
second at 100,000 incidents (benchmarks/backlog_bench.py), too slow for a page that must answer in
well under 200 ms. A quarterly figure a minute old is as good as a fresh one, so the overview reads
it from here: the first reader computes it; afterwards a reader past `ttl` gets the last report at
once and starts one background refresh (stale-while-revalidate), so no page waits for it again.
Every report carries the time it was computed, and the page shows it.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mldebt.service.kpis import compute_kpis, default_quarter
from mldebt.store.database import Store

TTL_SECONDS = 60.0


@dataclass(frozen=True)
class CachedKpis:
    report: dict[str, Any]  # `KpiReport.to_dict()`
    computed_at: dt.datetime


def _compute(store: Store, now: dt.datetime) -> dict[str, Any]:
    return compute_kpis(store, default_quarter(now), now).to_dict()


class KpiCache:
    """Thread-safe: at most one computation at a time, whoever asks."""

    def __init__(self, store: Store, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic,
                 compute: Callable[[Store, dt.datetime], dict[str, Any]] = _compute,
                 wall: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.store = store
        self.ttl = ttl
        self._clock = clock
        self._compute = compute
        self._wall = wall
        self._lock = threading.Lock()
        self._first = threading.Lock()  # held by the one reader computing the first report
        self._refreshing = False
        self._value: CachedKpis | None = None
        self._read_at = 0.0
        self.computations = 0

    def _refresh(self) -> CachedKpis:
        now = self._wall()
        value = CachedKpis(self._compute(self.store, now), now)
        with self._lock:
            self._value, self._read_at = value, self._clock()
            self.computations += 1
            self._refreshing = False
        return value

    def _refresh_quietly(self) -> None:
        try:
            self._refresh()
        except Exception:  # the page keeps the last report; the next reader past `ttl` tries again
            with self._lock:
                self._refreshing = False

    def get(self) -> CachedKpis:
        """The last report; computed now when there is none, refreshed in the background when stale."""
        with self._lock:
            value, stale = self._value, self._clock() - self._read_at >= self.ttl
            start = value is not None and stale and not self._refreshing
            if start:
                self._refreshing = True
        if value is None:
            with self._first:  # readers arriving together wait for one computation
                with self._lock:
                    value = self._value
                return value if value is not None else self._refresh()
        if start:
            threading.Thread(target=self._refresh_quietly, name="mldebt-kpi-refresh", daemon=True).start()
        return value

    def invalidate(self) -> None:
        """Forget the age of the last report: the next reader starts a refresh (after a write that moves a KPI)."""
        with self._lock:
            self._read_at = float("-inf")
