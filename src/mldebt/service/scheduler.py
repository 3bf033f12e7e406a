"""Running monitors: what is due (or everything, by hand), one claim, one evaluation, one record at a time.

A run is claimed in a unit of work of its own (`store.monitors.claim_due`: a compare-and-set, so
two servers, a restart or the CLI beside a server never run one slot twice), evaluated with no
transaction open (drift on a large table, a Prometheus query), recorded in one unit (`kind.record`),
followed by the evaluation's `after` work, and finished in one more unit. `mldebt serve` runs
`MonitorScheduler` in a thread of its own with the server's writer as `units`: every write is the
writer's, so a monitor that runs for minutes never delays a webhook's answer, and only the
scheduler that holds the store's lease runs anything.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from mldebt.domain.alerts import MonitorStatus, alert_key
from mldebt.domain.component import Catalog
from mldebt.errors import NotFoundError, short_description
from mldebt.service.linker import Linker
from mldebt.service.monitors import KINDS
from mldebt.service.monitors.base import Evaluation, MonitorJob, MonitorKind, OnOutcomes, RunOutcome
from mldebt.service.units import Units
from mldebt.store.monitors import (
    Claim,
    abandon_stale,
    acquire_lease,
    claim_due,
    claim_manual,
    due_schedules,
    finish_run,
    release_lease,
    sync_schedules,
)

log = logging.getLogger("mldebt.scheduler")
LEASE_NAME = "monitors"
LEASE_TTL = dt.timedelta(seconds=60)
"""How long a scheduler that stopped renewing (crashed, hung) keeps others from taking over."""
STALE_AFTER = dt.timedelta(hours=2)
"""A run still `running` this long after it started is marked `abandoned` (its process died)."""
TICK_SECONDS = 5.0
"""How often `mldebt serve` looks for due monitors (the finest `every` is 10 s)."""
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def default_holder() -> str:
    """`host:pid`: which process claimed a run or holds the lease, as `monitor list` shows it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_monitors(units: Units, catalog: Catalog, catalog_dir: Path, *, now: dt.datetime, due_only: bool,
                 component: str | None = None, holder: str, kinds: Mapping[str, MonitorKind] = KINDS,
                 on_outcomes: OnOutcomes | None = None, linker: Linker | None = None,
                 clock: Clock | None = None, still_holder: Callable[[], bool] | None = None) -> list[RunOutcome]:
    """Sync the schedules with `catalog`, then run what is due at `now` (`due_only`) or every enabled
    monitor by hand, each claimed just before it runs; `on_outcomes` gets them all at the end.

    `clock` stamps each run's end (default: `now`); `still_holder` is asked before each claim, and
    a False stops the batch (the scheduler lost its lease, or is stopping)."""
    components = catalog.by_name()
    if component is not None and component not in components:
        raise NotFoundError(f"no component {component!r} in the inventory")
    linker = linker or Linker.from_catalog(catalog)

    def sync_and_list(session: Session) -> list[tuple[str, dt.datetime | None]]:
        sync_schedules(session, catalog, now)
        if due_only:
            return [(row.key, row.next_due_at) for row in due_schedules(session, now, component)]
        return [(alert_key(c.name, m.name), None) for c in catalog.components for m in c.monitors
                if m.enabled and component in (None, c.name)]

    outcomes: list[RunOutcome] = []
    for key, due in units(sync_and_list):
        if still_holder is not None and not still_holder():
            log.info("monitor runs stopped before %s: this scheduler no longer holds the lease or is stopping", key)
            break
        if due is None:
            claim = units(functools.partial(_claim_manual, key=key, now=now, holder=holder))
        else:
            claim = units(functools.partial(_claim_due, key=key, due=due, now=now, holder=holder))
        if claim is None:
            continue  # another scheduler (or the CLI) claimed the slot first
        outcomes.append(_run_claim(units, claim, catalog, catalog_dir, now, kinds, linker, clock or (lambda: now)))
    if on_outcomes is not None:
        on_outcomes(units, outcomes, now)
    return outcomes


def _claim_manual(session: Session, *, key: str, now: dt.datetime, holder: str) -> Claim | None:
    return claim_manual(session, key, now, holder)


def _claim_due(session: Session, *, key: str, due: dt.datetime, now: dt.datetime, holder: str) -> Claim | None:
    return claim_due(session, key, due, now, holder)


def _run_claim(units: Units, claim: Claim, catalog: Catalog, catalog_dir: Path, now: dt.datetime,
               kinds: Mapping[str, MonitorKind], linker: Linker, clock: Clock) -> RunOutcome:
    component = catalog.by_name()[claim.component]
    monitor = next(m for m in component.monitors if m.name == claim.monitor)
    job = MonitorJob(key=claim.key, component=component, monitor=monitor, catalog=catalog, catalog_dir=catalog_dir,
                     run_id=claim.run_id, due_at=claim.due_at, now=now, linker=linker)
    kind = kinds.get(claim.kind)
    if kind is None:
        evaluation = Evaluation(MonitorStatus.ERROR, f"no monitor kind {claim.kind!r} is installed")
    else:
        evaluation = _evaluate_and_record(units, kind, job)
    detail = _json_safe(evaluation.detail)
    if claim.missed > 1:
        detail = {**detail, "missed_slots": claim.missed}
    units(lambda session: finish_run(session, claim.run_id, status=str(evaluation.status),
                                     summary=evaluation.summary, now=clock(), value=evaluation.value,
                                     threshold=evaluation.threshold, detail=detail,
                                     evidence_url=evaluation.evidence_url))
    return RunOutcome(job=job, evaluation=evaluation, trigger=claim.trigger)


def _evaluate_and_record(units: Units, kind: MonitorKind, job: MonitorJob) -> Evaluation:
    """The kind's two steps; an exception in either is the run's error (one line), never the batch's."""
    try:
        evaluation = kind.evaluate(job)  # no transaction open: the slow part
    except Exception as exc:
        log.exception("monitor %s (run %d) failed to evaluate", job.key, job.run_id)
        return Evaluation(MonitorStatus.ERROR, short_description(exc))
    try:
        evaluation = units(lambda session: kind.record(session, job, evaluation))
    except Exception as exc:
        log.exception("monitor %s (run %d) failed to record its result", job.key, job.run_id)
        return Evaluation(MonitorStatus.ERROR, f"could not record the result: {short_description(exc)}",
                          value=evaluation.value, threshold=evaluation.threshold, detail=evaluation.detail)
    for work in evaluation.after:
        try:
            work(units)
        except Exception:
            log.exception("work after monitor %s (run %d) failed", job.key, job.run_id)
    return evaluation


def _json_safe(detail: dict[str, Any]) -> dict[str, Any]:
    """The detail as JSON stores it (a date or a Path becomes its string), never a failed run for it."""
    return dict(json.loads(json.dumps(detail, default=str)))


class MonitorScheduler:
    """Runs due monitors when it holds the store's lease; `tick()` once, or `start_in_thread()`."""

    def __init__(self, units: Units, catalog_loader: Callable[[], Catalog], catalog_dir: Path, holder: str,
                 clock: Clock = utc_now, kinds: Mapping[str, MonitorKind] = KINDS,
                 on_outcomes: OnOutcomes | None = None, lease_ttl: dt.timedelta = LEASE_TTL,
                 stale_after: dt.timedelta = STALE_AFTER, linker: Linker | None = None,
                 lease_name: str = LEASE_NAME) -> None:
        self.units = units
        self.catalog_loader = catalog_loader
        self.catalog_dir = catalog_dir
        self.holder = holder
        self.clock = clock
        self.kinds = kinds
        self.on_outcomes = on_outcomes
        self.lease_ttl = lease_ttl
        self.stale_after = stale_after
        self.linker = linker
        self.lease_name = lease_name
        self._stopping = threading.Event()

    def renew(self) -> bool:
        """Take or renew the lease now; False while another scheduler holds it."""
        now = self.clock()
        return bool(self.units(lambda session: acquire_lease(session, self.lease_name, self.holder, now,
                                                             self.lease_ttl)))

    def release(self) -> None:
        self.units(lambda session: release_lease(session, self.lease_name, self.holder))

    def tick(self) -> list[RunOutcome]:
        """One round: [] unless this scheduler holds the lease; else abandon stale runs and run what is due."""
        if not self.renew():
            return []
        now = self.clock()
        abandoned = self.units(lambda session: abandon_stale(session, now, self.stale_after))
        if abandoned:
            log.warning("marked %d monitor run(s) abandoned: still running after %s", len(abandoned),
                        self.stale_after)
        catalog = self.catalog_loader()
        return run_monitors(self.units, catalog, self.catalog_dir, now=now, due_only=True, holder=self.holder,
                            kinds=self.kinds, on_outcomes=self.on_outcomes, linker=self.linker, clock=self.clock,
                            still_holder=lambda: not self._stopping.is_set() and self.renew())

    def start_in_thread(self, interval: float = TICK_SECONDS) -> SchedulerHandle:
        """Tick every `interval` seconds in a daemon thread until the handle's `stop()`."""
        self._stopping.clear()
        thread = threading.Thread(target=self._loop, args=(interval,), name="mldebt-monitors", daemon=True)
        handle = SchedulerHandle(thread, self._stopping)
        thread.start()
        return handle

    def _loop(self, interval: float) -> None:
        while not self._stopping.is_set():
            try:
                self.tick()
            except Exception:  # the store is down, the inventory unreadable: log, try again next tick
                log.exception("monitor scheduler round failed; next try in %.0f s", interval)
            self._stopping.wait(interval)
        try:
            self.release()
        except Exception:
            log.exception("could not release the monitor scheduler's lease; it expires in %s", self.lease_ttl)


@dataclass
class SchedulerHandle:
    """A running scheduler thread. From async code: `await asyncio.to_thread(handle.stop)`."""

    thread: threading.Thread
    stopping: threading.Event

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop after the monitor running now (no new claims), release the lease; False when the
        thread is still busy after `timeout` seconds (its run is marked abandoned later)."""
        self.stopping.set()
        self.thread.join(timeout)
        return not self.thread.is_alive()


@dataclass(frozen=True)
class ServeMonitors:
    """How `mldebt serve` runs monitors (`web.app.create_app(monitors=...)`)."""

    catalog_loader: Callable[[], Catalog]
    catalog_dir: Path
    holder: str = field(default_factory=default_holder)
    interval: float = TICK_SECONDS
    kinds: Mapping[str, MonitorKind] = field(default_factory=lambda: KINDS)
    on_outcomes: OnOutcomes | None = None
    clock: Clock = utc_now
    lease_ttl: dt.timedelta = LEASE_TTL

    def scheduler(self, units: Units, linker: Linker | None = None) -> MonitorScheduler:
        return MonitorScheduler(units, self.catalog_loader, self.catalog_dir, self.holder, clock=self.clock,
                                kinds=self.kinds, on_outcomes=self.on_outcomes, lease_ttl=self.lease_ttl,
                                linker=linker)


def catalog_file_loader(path: Path) -> Callable[[], Catalog]:
    """The inventory at `path`, parsed again only when the file changed; while an edit leaves it
    invalid, the last valid version (logged), so a typo does not stop monitoring."""
    from mldebt.service.catalog import require_catalog

    state: dict[str, Any] = {}

    def load() -> Catalog:
        try:
            status = path.stat()
            stamp: tuple[int, int] | None = status.st_mtime_ns, status.st_size
        except OSError:
            stamp = None  # removed or being replaced: require_catalog says so
        if stamp is None or state.get("stamp") != stamp:
            try:
                state["catalog"] = require_catalog(path)
            except Exception as exc:
                if "catalog" not in state:
                    raise
                log.warning("%s: %s; monitors keep running on its last valid version", path, exc)
            state["stamp"] = stamp
        catalog: Catalog = state["catalog"]
        return catalog

    return load


def serve_monitors_from_settings(catalog_path: Path, on_outcomes: OnOutcomes | None = None,
                                 alerting: Callable[[Callable[[], Catalog]], OnOutcomes] | None = None,
                                 ) -> ServeMonitors | None:
    """What `mldebt serve` runs: None when MLDEBT_MONITORS is off, or the inventory is absent or has no monitors.
    `alerting(loader)` builds the after-round hook from the inventory's loader (`on_outcomes` wins)."""
    from mldebt.settings import MONITORS

    if MONITORS.value().strip().lower() == "off" or not catalog_path.is_file():
        return None
    loader = catalog_file_loader(catalog_path)
    if not any(c.monitors for c in loader().components):
        return None
    if on_outcomes is None and alerting is not None:
        on_outcomes = alerting(loader)
    return ServeMonitors(loader, catalog_path.resolve().parent, on_outcomes=on_outcomes)
