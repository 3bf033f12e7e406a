"""Benchmark: rebuild and rank the debt backlog, and compute a quarter's KPIs, on a large generated store.

Generates, into a fresh temporary SQLite store per size, an inventory of 200 components (a
generated mldebt.yaml imported with `import_catalog`, dependencies included), 50,000 findings (scan,
inventory, drift, recurring-incident and feedback rules, skewed across the components so that they
group into about 1,600 items; 15% of them fixed),
100,000 incidents with their open/resolve intervals (10% reopened once), 20,000 tickets (half with an
order total), 10,000 scored poll answers, 1,000 drift runs and the pipelines' JUnit/Cobertura rows,
all with bulk DBAPI inserts (about 7 s of CPU at full size, most of it SQLite's own inserts and
index updates). Then times, on the same store:

- `rebuild_backlog(store, now)` on the fresh store (the first build: every item created) and again
  (a repeat rebuild: nothing changed, everything re-scored);
- `compute_kpis(store, "2026Q4", now)`;
- the reference, measured in the same run: one pass over the columns a ranking reads (the open
  findings, every incident interval with its incident's component, every ticket and poll answer)
  as raw DBAPI tuples, the floor of any rebuild that looks at its evidence once. The ratio is our
  time over the reference's.

It runs at three sizes (default 1/4, 1/2 and the full size) to show how the time grows: the `s / size`
column divides the time by the size factor, which stays flat when growth is linear. Target (issue 10):
under 2 s for the full size, growing linearly. Peak memory is the process's RSS high-water mark
during each step (reset through /proc/self/clear_refs on Linux).

    PYTHONPATH=src python benchmarks/backlog_bench.py [--sizes 0.25 0.5 1] [--repeat 3] [--generate-only]

`--generate-only` builds the stores and prints the row counts and generation times without timing the
backlog (for a checkout without `service.backlog` / `service.kpis`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import JSON, select

from mldebt.service.catalog import import_catalog
from mldebt.store.base import UtcDateTime
from mldebt.store.database import Store, open_store
from mldebt.store.ingest_tables import FeedbackRow, IncidentIntervalRow, IncidentRow, StoreEventRow, TicketRow
from mldebt.store.models import DriftRunRow, FindingRow, PipelineTestReportRow

NOW = dt.datetime(2026, 11, 25, 23, 59, 59, tzinfo=dt.UTC)
NAIVE_NOW = NOW.replace(tzinfo=None)  # generated times are naive UTC: SQLite's stored form, formatted fastest
QUARTER = "2026Q4"
SPAN_DAYS = 180
TARGET_SECONDS = 2.0
FULL = {"components": 200, "findings": 50_000, "incidents": 100_000, "tickets": 20_000, "feedback": 10_000,
        "drift_runs": 1_000, "test_reports": 800, "store_events": 5_000}
KINDS = [("model", 0.6), ("service", 0.2), ("pipeline", 0.15), ("dataset", 0.05)]
SCAN_RULES = [("MLD102", "medium", 10), ("MLD103", "medium", 30), ("MLD105", "high", 240), ("MLD301", "low", 15),
              ("MLD302", "high", 61), ("MLD401", "medium", 30), ("MLD402", "medium", 10), ("MLD403", "high", 45),
              ("MLD404", "medium", 30), ("MLD405", "high", 30), ("MLD406", "critical", 30), ("MLD701", "medium", 120),
              ("MLD801", "medium", 60)]
INVENTORY_RULES = [("INV001", "high"), ("INV002", "low"), ("INV003", "high"), ("INV004", "high")]
DRIFT_RULES = [("DRIFT001", "high"), ("DRIFT002", "high"), ("DQ005", "medium"), ("DQ009", "low"), ("PERF001", "high")]
CATEGORIES = ["api-mismatch", "retraining-delay", "latency", "false-positives", "data-quality", "model-error",
              "infrastructure", "other"]


@dataclass
class Generated:
    size: float
    path: Path
    counts: dict[str, int]
    seconds: float
    components: list[str] = field(default_factory=list)


def catalog_text(count: int, rng: random.Random) -> tuple[str, list[str]]:
    """A valid mldebt.yaml with `count` components; each depends on up to two earlier ones."""
    names, lines = [], ["version: 1", "components:"]
    for n in range(count):
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        name = f"{kind}-{n:03d}"
        lifecycle = "deprecated" if n % 20 == 7 else "experimental" if n % 20 == 13 else "production"
        lines += [f"  - name: {name}", f"    kind: {kind}", f"    owner: team-{n % 12}", f"    lifecycle: {lifecycle}",
                  f"    customer_facing: {str(n % 3 == 0).lower()}", f"    revenue_critical: {str(n % 5 == 0).lower()}",
                  f'    paths: ["{name}/**"]']
        if kind == "model":
            lines += [f"    trained_at: {(NOW - dt.timedelta(days=rng.randint(5, 200))).date()}",
                      f"    retrain_every_days: {rng.choice([30, 60, 90])}"]
        if names:
            deps = sorted(set(rng.sample(names[-30:], min(len(names[-30:]), rng.randint(0, 2)))))
            if deps:
                lines.append(f"    depends_on: [{', '.join(deps)}]")
        names.append(name)
    return "\n".join(lines) + "\n", names


def _at(rng: random.Random) -> dt.datetime:
    """A naive UTC moment within the generated span."""
    return NAIVE_NOW - dt.timedelta(seconds=rng.uniform(0, SPAN_DAYS * 86400))


def _stored_form(column: Any) -> Callable[[Any], Any] | None:
    """How SQLAlchemy stores the column's values on SQLite (`UtcDateTime`: naive UTC text; JSON: its
    text), None when a value is stored as it is. Generated datetimes are naive UTC already (`_at`)."""
    if isinstance(column.type, UtcDateTime):
        return lambda v: None if v is None else v.isoformat(" ", "microseconds")
    if isinstance(column.type, JSON):
        return lambda v: None if v is None else json.dumps(v) if v else "{}" if isinstance(v, dict) else "[]"
    return None


def _insert(store: Store, table: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany per table through the DBAPI, values converted per column to SQLite's stored
    form: SQLAlchemy's per-value bind processing would take most of the generation time."""
    if not rows:
        return
    names = list(rows[0])
    forms = [(i, form) for i, name in enumerate(names) if (form := _stored_form(table.c[name])) is not None]
    values = []
    for row in rows:
        value = list(row.values())
        for i, form in forms:
            value[i] = form(value[i])
        values.append(tuple(value))
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    with store.session() as session:
        session.connection().exec_driver_sql(sql, values)


def _evidence(rule: str, n: int, rng: random.Random) -> dict[str, Any]:
    """Evidence shaped like each detector's (what the scoring reads)."""
    if rule.startswith("DRIFT001"):
        return {"column": f"c{n % 40}", "method": "ks", "statistic": 0.05, "pvalue": 1e-9,
                "effect": round(rng.uniform(0.05, 0.6), 4), "effect_measure": "wasserstein_sd"}
    if rule == "DRIFT002":
        return {"drift_share": round(rng.uniform(0.5, 0.9), 2), "columns": ["c1", "c2"]}
    if rule == "INV001":
        return {"days_since_retrain": (days := rng.randint(31, 300)), "retrain_every_days": 30,
                "days_overdue": days - 30}
    if rule == "INC001":
        return {"kind": "fingerprint", "occurrences": rng.randint(3, 9), "window_days": 30,
                "categories": [rng.choice(CATEGORIES)], "incidents": []}
    if rule == "FB001":
        return {"reasons": ["dropped"], "current": {"responses": 40, "mean": 0.5, "low_score_share": 0.3,
                                                    "low_score_order_value": 900.0},
                "previous": {"responses": 38, "mean": 0.66, "low_score_share": 0.2, "low_score_order_value": 500.0},
                "drop": 0.16, "shortfall": 0.1}
    return {}


RULES = ([("scan", rule, severity, effort, 6.0) for rule, severity, effort in SCAN_RULES]
         + [("inventory", rule, severity, 0, 1.0) for rule, severity in INVENTORY_RULES]
         + [("drift", rule, severity, 0, 3.0) for rule, severity in DRIFT_RULES]
         + [("incidents", "INC001", "medium", 240, 0.1), ("feedback", "FB001", "medium", 0, 0.05)])
"""(source, rule, severity, effort minutes, how often the rule fires where it fires at all)."""
SCOPES = {"scan": "/repos/shop", "inventory": "/repos/shop/mldebt.yaml", "incidents": "incidents",
          "feedback": "feedback"}


def finding_rows(count: int, names: list[str], rng: random.Random) -> list[dict[str, Any]]:
    """Findings skewed like real debt: a few components hold most of them (Zipf-like), each component
    has a handful of root causes (4 to 12 of the 24 rules), and scan findings outnumber the others."""
    spread = list(itertools.accumulate(1 / (rank + 1) ** 0.7 for rank in range(len(names))))
    rules_of = {name: rng.sample(RULES, rng.randint(4, 12)) for name in names}
    rule_spread = {name: list(itertools.accumulate(r[4] for r in rules)) for name, rules in rules_of.items()}
    rows = []
    for n in range(count):
        component = rng.choices(names, cum_weights=spread)[0]
        source, rule, severity, effort, _ = rng.choices(rules_of[component], cum_weights=rule_spread[component])[0]
        scanned = source == "scan"
        fixed = rng.random() < 0.15
        first = _at(rng)
        rows.append({"id": n + 1, "source": source, "scope": SCOPES.get(source, f"drift:{component}"),
                     "fingerprint": f"{n:032x}", "rule_id": rule, "severity": severity, "component": component,
                     "message": f"{rule} in {component} #{n}", "evidence": _evidence(rule, n, rng),
                     "file": f"{component}/module_{n % 97}.py" if scanned else None,
                     "line": 1 + n % 400 if scanned else None, "effort_minutes": effort,
                     "status": "fixed" if fixed else "open", "first_seen_at": first,
                     "fixed_at": first + dt.timedelta(days=rng.uniform(1, 30)) if fixed else None})
    return rows


def incident_rows(count: int, names: list[str], rng: random.Random) -> tuple[list[dict], list[dict]]:
    incidents, intervals = [], []
    for n in range(count):
        opened = _at(rng)
        spans = [(opened, opened + dt.timedelta(minutes=max(5.0, rng.expovariate(1 / 180))))]
        if rng.random() < 0.1:
            again = spans[0][1] + dt.timedelta(hours=rng.uniform(1, 72))
            spans.append((again, again + dt.timedelta(minutes=max(5.0, rng.expovariate(1 / 120)))))
        if rng.random() < 0.03:
            spans[-1] = (spans[-1][0], None)  # still open
        component = rng.choice(names) if rng.random() < 0.95 else None
        incidents.append({"id": n + 1, "source": "sentry" if n % 3 else "alertmanager", "fingerprint": f"i{n:031x}",
                          "component": component, "category": rng.choice(CATEGORIES), "title": f"Error {n % 5000}",
                          "culprit": f"svc.handler_{n % 700}", "level": "error", "attributes": {}, "links": [],
                          "opened_at": spans[0][0], "resolved_at": spans[-1][1], "reopen_count": len(spans) - 1,
                          "last_event_at": spans[-1][1] or spans[-1][0]})
        intervals += [{"incident_id": n + 1, "opened_at": a, "resolved_at": b} for a, b in spans]
    return incidents, intervals


def ticket_rows(count: int, names: list[str], rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for n in range(count):
        created = _at(rng)
        order = rng.random() < 0.5
        rows.append({"source": "zendesk", "external_id": str(10_000_000 + n), "subject": f"Chat assistant issue {n}",
                     "status": "solved" if rng.random() < 0.9 else "open", "priority": "normal", "type": "problem",
                     "tags": ["chatbot"], "component": rng.choice(names) if rng.random() < 0.8 else None,
                     "category": rng.choice(CATEGORIES), "attributes": {"channel": "chat"},
                     "order_id": str(500_000 + n) if order else None,
                     "order_total": round(rng.lognormvariate(4.3, 0.6), 2) if order else None,
                     "created_at": created, "updated_at": created + dt.timedelta(hours=rng.uniform(1, 96))})
    return rows


def generate(size: float, folder: Path, seed: int = 0) -> tuple[Store, Generated]:
    """A migrated SQLite store at `folder` filled with `size` x the full counts."""
    rng = random.Random(seed)
    counts = {name: max(1, round(full * size)) for name, full in FULL.items()}
    started = time.perf_counter()
    store = open_store(f"sqlite:///{folder / 'bench.db'}")
    text, names = catalog_text(counts["components"], rng)
    (folder / "mldebt.yaml").write_text(text)
    import_catalog(store, folder / "mldebt.yaml", NOW.date(), now=NOW - dt.timedelta(days=SPAN_DAYS))
    with store.session() as session:  # the import's own health findings come first; ours continue the ids
        offset = session.scalar(select(FindingRow.id).order_by(FindingRow.id.desc()).limit(1)) or 0
    findings = finding_rows(counts["findings"], names, rng)
    for row in findings:
        row["id"] += offset
    _insert(store, FindingRow.__table__, findings)
    incidents, intervals = incident_rows(counts["incidents"], names, rng)
    _insert(store, IncidentRow.__table__, incidents)
    _insert(store, IncidentIntervalRow.__table__, intervals)
    _insert(store, TicketRow.__table__, ticket_rows(counts["tickets"], names, rng))
    _insert(store, FeedbackRow.__table__, [
        {"response_id": f"r{n:023d}", "poll_id": f"poll-{n % 40}", "answer": str(score), "value_type": "rating",
         "score": (score - 1) / 4, "order_value": round(rng.uniform(20, 400), 2) if n % 3 == 0 else None,
         "component": rng.choice(names), "attributes": {}, "created_at": _at(rng)}
        for n, score in ((n, rng.choices([1, 2, 3, 4, 5], [2, 2, 3, 5, 6])[0]) for n in range(counts["feedback"]))])
    _insert(store, DriftRunRow.__table__, [
        {"component": rng.choice(names), "reference": "ref.parquet", "current": "cur.parquet", "created_at": _at(rng),
         "dataset_drift": (drifted := rng.random() < 0.3), "drift_share": rng.uniform(0.5, 0.9) if drifted else
         rng.uniform(0, 0.4), "drifted_columns": ["price"] if drifted else [], "report": {"columns": []}}
        for _ in range(counts["drift_runs"])])
    _insert(store, PipelineTestReportRow.__table__, [
        {"kind": kind, "component": rng.choice(names), "source_file": f"reports/{n}.xml", "digest": f"{n:064x}",
         "recorded_at": _at(rng), "tests": 40 if kind == "junit" else None,
         "failures": rng.randint(0, 3) if kind == "junit" else None, "errors": 0 if kind == "junit" else None,
         "skipped": 0 if kind == "junit" else None, "pass_rate": None, "line_rate": rng.uniform(0.3, 0.9)
         if kind == "coverage" else None, "branch_rate": None, "lines_valid": 400 if kind == "coverage" else None,
         "lines_covered": None, "details": {}}
        for n, kind in ((n, "junit" if n % 2 else "coverage") for n in range(counts["test_reports"]))])
    _insert(store, StoreEventRow.__table__, [
        {"event_hash": f"e{n:039x}", "scope": "store/order/statusUpdated", "store_hash": "bench",
         "resource_type": "order", "resource_id": str(600_000 + n), "component": rng.choice(names), "attributes": {},
         "data": {"type": "order", "id": 600_000 + n, "status": {"previous_status_id": 11,
                                                                 "new_status_id": rng.choice([2, 4, 5, 10, 12])}},
         "order_total": round(rng.lognormvariate(4.3, 0.6), 2), "created_at": _at(rng)}
        for n in range(counts["store_events"])])
    counts["intervals"] = len(intervals)
    return store, Generated(size, folder, counts, time.perf_counter() - started, names)


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(step: Callable[[], object]) -> tuple[float, float]:
    """(seconds, peak RSS MB during the step) of one call."""
    _reset_peak()
    started = time.perf_counter()
    step()
    return time.perf_counter() - started, _peak_mb()


EVIDENCE_QUERIES = (
    "SELECT id, source, rule_id, severity, component, fingerprint, effort_minutes, first_seen_at FROM findings "
    "WHERE status = 'open'",
    "SELECT i.component, i.category, v.opened_at, v.resolved_at FROM incident_intervals v "
    "JOIN incidents i ON i.id = v.incident_id",
    "SELECT component, created_at, order_total FROM tickets",
    "SELECT component, created_at, score, order_value FROM feedback_responses",
)


def read_evidence(store: Store) -> int:
    """The reference: one pass over the columns a ranking reads (open findings, every incident interval,
    ticket and poll answer), as raw DBAPI tuples: the floor of any rebuild that looks at its evidence."""
    rows = 0
    with store.engine.connect() as connection:
        for query in EVIDENCE_QUERIES:
            rows += len(connection.exec_driver_sql(query).fetchall())
    return rows


def measure(store: Store, size: float, repeat: int) -> list[tuple[str, float, float, float]]:
    """(step, seconds, reference seconds, peak RSS MB) of each timed step on one generated store."""
    from mldebt.service.backlog import rebuild_backlog  # issue 10's backlog and KPI modules, imported late so
    from mldebt.service.kpis import compute_kpis  # that --generate-only runs on a checkout without them

    reference = statistics.median(timed(lambda: read_evidence(store))[0] for _ in range(repeat))
    first = timed(lambda: rebuild_backlog(store, NOW))
    again = [timed(lambda: rebuild_backlog(store, NOW)) for _ in range(repeat)]
    kpis = [timed(lambda: compute_kpis(store, QUARTER, NOW)) for _ in range(repeat)]
    return [("rebuild_backlog (first build)", first[0], reference, first[1]),
            ("rebuild_backlog (repeat)", statistics.median(s for s, _ in again), reference, max(m for _, m in again)),
            ("compute_kpis", statistics.median(s for s, _ in kpis), reference, max(m for _, m in kpis))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.25, 0.5, 1.0],
                        help="Fractions of the full size (200 components, 50,000 findings, 100,000 incidents, ...).")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs of each repeatable step (median kept).")
    parser.add_argument("--generate-only", action="store_true",
                        help="Only build the stores and print their row counts (no backlog timing).")
    args = parser.parse_args()
    generated_table = Table(title="Generated stores (bulk inserts into a temporary SQLite file)", title_justify="left")
    for name in ("size", *FULL, "intervals", "generation s"):
        generated_table.add_column(name, justify="right")
    results = Table(title=f"Backlog rebuild and KPIs for {QUARTER} (reference: one raw pass over the evidence; "
                          f"target: under {TARGET_SECONDS:g} s at full size, linear)", title_justify="left")
    for name in ("size", "step", "ours (s)", "reference (s)", "ratio", "s / size", "peak RSS (MB)"):
        results.add_column(name, justify="left" if name == "step" else "right")
    ok = True
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="mldebt-backlog-bench-") as tmp:
            store, generated = generate(size, Path(tmp))
            try:
                generated_table.add_row(f"{size:g}", *(f"{generated.counts[k]:,}" for k in (*FULL, "intervals")),
                                        f"{generated.seconds:.1f}")
                steps = [] if args.generate_only else measure(store, size, args.repeat)
            finally:
                store.close()
        for name, seconds, reference, peak in steps:
            results.add_row(f"{size:g}", name, f"{seconds:.3f}", f"{reference:.3f}", f"{seconds / reference:.1f}x",
                            f"{seconds / size:.3f}", f"{peak:.0f}")
            ok = ok and (size < 1.0 or seconds < TARGET_SECONDS)
        if steps:
            reference = steps[0][2]
            results.add_row(f"{size:g}", "reference: one raw pass over the evidence", f"{reference:.3f}", "-", "-",
                            f"{reference / size:.3f}", "-")
    console = Console()
    console.print(generated_table)
    if not args.generate_only:
        console.print(results)
        console.print("target met" if ok else f"target MISSED (>= {TARGET_SECONDS:g} s at full size)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
