"""Prometheus metric families built from plain aggregate records of the store (no store access here).

`service.metrics` runs a few aggregate queries and hands a `StoreSnapshot` over; `families` turns it
into prometheus-client families with names after Prometheus' conventions (base units: effort and
recovery time in seconds; ratios in [0, 1] end in `_ratio`; counters end in `_total`). Money stays in
the store's currency per week, with the ISO code as a `currency` label.

Label sets are bounded: at most `MAX_COMPONENTS` component names are exported (those carrying the most
debt first), the rest are folded into `component="(other)"` (parentheses: no component name can take
it). Folding keeps every family meaningful: counts, hours and money add up, the top priority and the
drift share take the worst, MTTR and satisfaction are means weighted by what they average.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from prometheus_client.core import CollectorRegistry, CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from mldebt.domain.debt_groups import root_cause

MAX_COMPONENTS = 500
OTHER = "(other)"
HOUR = 3600.0


@dataclass(frozen=True)
class DebtGroup:
    """Active debt items (open, planned, in progress) of one component, category and currency."""

    component: str
    category: str
    currency: str
    items: int
    effort_low_hours: float
    effort_high_hours: float
    interest_low: float  # money per week
    interest_high: float
    top_priority: float  # the highest priority (money per week per hour of effort) among them


@dataclass(frozen=True)
class IncidentGroup:
    """Incidents linked to one component (AI incidents): resolved outages and their mean duration."""

    component: str
    resolved_intervals: int
    mean_recovery_seconds: float | None
    open_incidents: int


@dataclass(frozen=True)
class DriftLatest:
    component: str
    share: float
    dataset_drift: bool


@dataclass(frozen=True)
class SatisfactionGroup:
    component: str
    responses: int  # scored responses in the window
    mean_score: float  # in [0, 1]


@dataclass(frozen=True)
class FindingGroup:
    component: str
    source: str
    rule_id: str
    count: int


@dataclass(frozen=True)
class StoreSnapshot:
    taken_at: dt.datetime
    seconds: float = 0.0
    debt: tuple[DebtGroup, ...] = ()
    incidents: tuple[IncidentGroup, ...] = ()
    drift: tuple[DriftLatest, ...] = ()
    satisfaction: tuple[SatisfactionGroup, ...] = ()
    findings: tuple[FindingGroup, ...] = ()
    deliveries: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, status) -> rows
    tickets: dict[str, int] = field(default_factory=dict)  # source -> tickets stored
    incidents_by_source: dict[str, int] = field(default_factory=dict)
    satisfaction_window_days: int = 30


def kept_components(snapshot: StoreSnapshot, limit: int = MAX_COMPONENTS) -> set[str]:
    """The `limit` components exported by name."""
    return set(ranked_components(snapshot)[:limit])


def ranked_components(snapshot: StoreSnapshot) -> list[str]:
    """Every component, most interest first, then most open items, findings and open incidents, then by name."""
    weight: dict[str, list[float]] = {}

    def add(component: str, interest: float = 0.0, items: float = 0.0) -> None:
        w = weight.setdefault(component, [0.0, 0.0])
        w[0] += interest
        w[1] += items

    for d in snapshot.debt:
        add(d.component, d.interest_high, d.items)
    for f in snapshot.findings:
        add(f.component, items=f.count)
    for i in snapshot.incidents:
        add(i.component, items=i.open_incidents)
    for name in [s.component for s in snapshot.satisfaction] + [r.component for r in snapshot.drift]:
        add(name)
    return sorted(weight, key=lambda c: (-weight[c][0], -weight[c][1], c))


def _folder(kept: set[str]) -> Callable[[str], str]:
    return lambda component: component if component in kept else OTHER


def _weighted(pairs: Iterable[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in pairs if w)
    return sum(v * w for v, w in pairs) / total if total else None


def _family(kind: type[GaugeMetricFamily] | type[CounterMetricFamily], name: str, doc: str, labels: list[str],
            samples: dict[tuple[str, ...], float]) -> Metric:
    family = kind(name, doc, labels=labels)
    for key in sorted(samples):
        family.add_metric(list(key), samples[key])
    return family


def _gauge(name: str, doc: str, labels: list[str], samples: dict[tuple[str, ...], float]) -> Metric:
    return _family(GaugeMetricFamily, name, doc, labels, samples)


def _counter(name: str, doc: str, labels: list[str], samples: dict[tuple[str, ...], float]) -> Metric:
    return _family(CounterMetricFamily, name, doc, labels, samples)


def _summed(pairs: Iterable[tuple[tuple[str, ...], float]]) -> dict[tuple[str, ...], float]:
    totals: dict[tuple[str, ...], float] = {}
    for key, value in pairs:
        totals[key] = totals.get(key, 0.0) + value
    return totals


def _debt_families(snapshot: StoreSnapshot, fold: Callable[[str], str]) -> Iterator[Metric]:
    rows = [(fold(d.component), d) for d in snapshot.debt]

    def per_category(value: Callable[[DebtGroup], float]) -> dict[tuple[str, ...], float]:
        return _summed(((c, d.category), value(d)) for c, d in rows)

    def per_currency(value: Callable[[DebtGroup], float]) -> dict[tuple[str, ...], float]:
        return _summed(((c, d.category, d.currency), value(d)) for c, d in rows)

    top: dict[tuple[str, ...], float] = {}
    for component, d in rows:
        top[(component,)] = max(top.get((component,), d.top_priority), d.top_priority)
    labels, money = ["component", "category"], ["component", "category", "currency"]
    yield _gauge("mldebt_debt_open_items", "Active debt items (open, planned, in progress).", labels,
                 per_category(lambda d: d.items))
    yield _gauge("mldebt_debt_open_effort_low_seconds", "Remediation effort of active debt, low end.", labels,
                 per_category(lambda d: d.effort_low_hours * HOUR))
    yield _gauge("mldebt_debt_open_effort_high_seconds", "Remediation effort of active debt, high end.", labels,
                 per_category(lambda d: d.effort_high_hours * HOUR))
    yield _gauge("mldebt_debt_open_interest_low_per_week",
                 "Interest (cost of delay) of active debt per week in `currency`, low end.", money,
                 per_currency(lambda d: d.interest_low))
    yield _gauge("mldebt_debt_open_interest_high_per_week",
                 "Interest (cost of delay) of active debt per week in `currency`, high end.", money,
                 per_currency(lambda d: d.interest_high))
    yield _gauge("mldebt_debt_top_priority", "Highest priority among the component's active debt items "
                 "(cost of delay per week / effort hours, CD3).", ["component"], top)


def _incident_families(snapshot: StoreSnapshot, fold: Callable[[str], str]) -> Iterator[Metric]:
    means: dict[tuple[str, ...], list[tuple[float, float]]] = {}
    for i in snapshot.incidents:
        if i.mean_recovery_seconds is not None and i.resolved_intervals:
            means.setdefault((fold(i.component),), []).append((i.mean_recovery_seconds, i.resolved_intervals))
    resolved = _summed(((fold(i.component),), i.resolved_intervals) for i in snapshot.incidents)
    opened = _summed(((fold(i.component),), i.open_incidents) for i in snapshot.incidents)
    mttr = {k: m for k, pairs in means.items() if (m := _weighted(pairs)) is not None}
    yield _gauge("mldebt_ai_incident_mttr_seconds", "Mean time to recovery of the resolved outages of incidents "
                 "linked to the component.", ["component"], mttr)
    yield _gauge("mldebt_ai_incident_resolved_outages", "Resolved outages the MTTR is the mean of.", ["component"],
                 resolved)
    yield _gauge("mldebt_ai_incidents_open", "Incidents linked to the component that are open now.", ["component"],
                 opened)


def _signal_families(snapshot: StoreSnapshot, fold: Callable[[str], str]) -> Iterator[Metric]:
    share: dict[tuple[str, ...], float] = {}
    drifted: dict[tuple[str, ...], float] = {}
    for r in snapshot.drift:
        key = (fold(r.component),)
        share[key] = max(share.get(key, 0.0), r.share)
        drifted[key] = max(drifted.get(key, 0.0), 1.0 if r.dataset_drift else 0.0)
    yield _gauge("mldebt_drift_share_ratio", "Share of drifted columns in the component's latest drift run.",
                 ["component"], share)
    yield _gauge("mldebt_drift_dataset_drifted", "1 when the component's latest drift run found dataset drift.",
                 ["component"], drifted)
    pairs: dict[tuple[str, ...], list[tuple[float, float]]] = {}
    for s in snapshot.satisfaction:
        pairs.setdefault((fold(s.component),), []).append((s.mean_score, s.responses))
    days = snapshot.satisfaction_window_days
    yield _gauge("mldebt_feedback_satisfaction_ratio", f"Mean shopper satisfaction score (0-1) over the last {days} "
                 "days.", ["component"], {k: m for k, p in pairs.items() if (m := _weighted(p)) is not None})
    yield _gauge("mldebt_feedback_scored_responses", f"Scored poll responses of the last {days} days.",
                 ["component"], {k: float(sum(w for _, w in p)) for k, p in pairs.items()})
    findings = _summed(((fold(f.component), f.source, root_cause(f.rule_id).category.value), f.count)
                       for f in snapshot.findings)
    yield _gauge("mldebt_findings_open", "Open findings by detector (`source`) and debt category of their rule.",
                 ["component", "source", "category"], findings)


def _ingest_families(snapshot: StoreSnapshot) -> Iterator[Metric]:
    received = _summed(((source,), count) for (source, _), count in snapshot.deliveries.items())
    yield _counter("mldebt_webhook_deliveries", "Webhook deliveries stored (every status).", ["source"], received)
    yield _gauge("mldebt_webhook_deliveries_by_status", "Stored deliveries by their current status (accepted ones "
                 "become parsed or failed, a replay turns failed into parsed).", ["source", "status"],
                 {k: float(v) for k, v in snapshot.deliveries.items()})
    yield _counter("mldebt_tickets", "Support tickets stored.", ["source"],
                   {(k,): float(v) for k, v in snapshot.tickets.items()})
    yield _counter("mldebt_incidents", "Incidents stored.", ["source"],
                   {(k,): float(v) for k, v in snapshot.incidents_by_source.items()})


def families(snapshot: StoreSnapshot, max_components: int = MAX_COMPONENTS) -> list[Metric]:
    """Every store-derived family of one snapshot, components past `max_components` folded into `(other)`."""
    ranked = ranked_components(snapshot)
    kept = set(ranked[:max_components])
    fold = _folder(kept)
    out: list[Metric] = [
        *_debt_families(snapshot, fold), *_incident_families(snapshot, fold), *_signal_families(snapshot, fold),
        *_ingest_families(snapshot),
        _gauge("mldebt_metrics_folded_components", f"Components past the first {max_components} exported as "
               f"component=\"{OTHER}\".", [], {(): float(len(ranked) - len(kept))}),
        _gauge("mldebt_metrics_snapshot_timestamp_seconds", "When the store was last read for these metrics.", [],
               {(): snapshot.taken_at.timestamp()}),
        _gauge("mldebt_metrics_snapshot_duration_seconds", "How long reading the store took.", [],
               {(): snapshot.seconds}),
    ]
    return out


class SnapshotCollector(Collector):
    """A prometheus-client collector over a function returning the current snapshot (cached by the caller)."""

    def __init__(self, snapshot: Callable[[], StoreSnapshot], max_components: int = MAX_COMPONENTS) -> None:
        self._snapshot = snapshot
        self._max = max_components

    def collect(self) -> Iterable[Metric]:
        return families(self._snapshot(), self._max)

    def describe(self) -> Iterable[Metric]:
        return []  # names depend on nothing, but describing must not read the store at registration


def render(snapshot: StoreSnapshot, max_components: int = MAX_COMPONENTS) -> bytes:
    """The text exposition of one snapshot alone (tests, the dashboard check)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(lambda: snapshot, max_components))
    return generate_latest(registry)
