"""KPIs of a quarter, each with the previous quarter's value and whether the change is good.

The previous quarter's value comes from its frozen review (`mldebt review`) when there is one: the
board saw those numbers, and an item edited since must not change them. Without a snapshot it is
computed from the store like the quarter itself. docs/kpis.md defines every KPI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mldebt.metrics.kpis import KPIS, KpiResult, KpiSpec, Period, Quarter, QuarterData, parse_quarter
from mldebt.service.kpi_records import load_quarters
from mldebt.store.database import Store
from mldebt.store.debt_tables import ReviewSnapshotRow

SNAPSHOT = "snapshot"
COMPUTED = "computed"


@dataclass(frozen=True)
class KpiEntry:
    spec: KpiSpec
    result: KpiResult
    previous: float | None

    @property
    def value(self) -> float | None:
        return self.result.total.value

    def to_dict(self) -> dict[str, Any]:
        change = None if self.value is None or self.previous is None else round(self.value - self.previous, 4)
        entry: dict[str, Any] = {
            "id": self.spec.id, "name": self.spec.name, "value": self.value, "unit": self.spec.unit,
            "previous": self.previous, "change": change,
            "change_is_good": self.spec.change_is_good(self.value, self.previous),
            "direction": f"{self.spec.direction} is better", "definition": self.spec.definition,
            "details": dict(self.result.total.details)}
        by_component = self.result.by_component_dict()
        if by_component is not None:
            entry["by_component"] = by_component
        return entry


@dataclass(frozen=True)
class KpiReport:
    period: Period
    entries: list[KpiEntry]
    previous_quarter: Quarter
    previous_source: str  # snapshot | computed
    previous_taken_at: dt.datetime | None = None
    frozen: dict[str, Any] | None = None  # this quarter's own review, when it was frozen
    ai_features: list[str] = field(default_factory=list)

    @property
    def quarter(self) -> Quarter:
        return self.period.quarter

    def entry(self, kpi_id: str) -> KpiEntry:
        return next(e for e in self.entries if e.spec.id == kpi_id)

    def to_dict(self) -> dict[str, Any]:
        taken = self.previous_taken_at.isoformat() if self.previous_taken_at else None
        return {"quarter": str(self.quarter), "period": self.period.to_dict(),
                "previous": {"quarter": str(self.previous_quarter), "source": self.previous_source,
                             "taken_at": taken},
                "frozen": self.frozen, "ai_features": self.ai_features,
                "kpis": [e.to_dict() for e in self.entries]}


def default_quarter(now: dt.datetime) -> str:
    return str(Quarter.of(now))


def compute_kpis(store: Store, quarter: str, now: dt.datetime) -> KpiReport:
    """Every registered KPI of `quarter` ("2026Q4") as of `now`, with the previous quarter's values."""
    wanted = parse_quarter(quarter, now)
    period = Period.for_quarter(wanted, now)
    before = wanted.previous()
    with store.session() as session:
        snapshot = _snapshot(session, before)
        own = _snapshot(session, wanted)
        frozen_values = _values(snapshot.kpis) if snapshot is not None else {}
        periods = [period]
        if any(spec.id not in frozen_values for spec in KPIS):  # not frozen: computed like this quarter
            periods.append(Period.for_quarter(before, now))
        data, *previous = load_quarters(session, periods, now)
        previous_data = previous[0] if previous else None
    entries = [KpiEntry(spec, spec.compute(data), _previous(spec, frozen_values, previous_data)) for spec in KPIS]
    frozen = {"taken_at": own.taken_at.isoformat(), "actor": own.actor} if own is not None else None
    return KpiReport(period, entries, before, SNAPSHOT if snapshot is not None else COMPUTED,
                     snapshot.taken_at if snapshot is not None else None, frozen, data.ai_features())


def _previous(spec: KpiSpec, frozen: dict[str, float | None], data: QuarterData | None) -> float | None:
    if spec.id in frozen:
        return frozen[spec.id]
    return spec.compute(data).total.value if data is not None else None


def _snapshot(session: Session, quarter: Quarter) -> Any:
    """(taken_at, actor, kpis) of the quarter's review, None when it was never frozen; not its backlog,
    which may be large."""
    r = ReviewSnapshotRow
    return session.execute(select(r.taken_at, r.actor, r.kpis).where(r.quarter == str(quarter))).first()


def _values(kpis: Any) -> dict[str, float | None]:
    """KPI id -> the value frozen in a review (a KPI added after it is missing, and is computed)."""
    entries = kpis.get("kpis") if isinstance(kpis, dict) else None
    values: dict[str, float | None] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            value = entry.get("value")
            number = isinstance(value, int | float) and not isinstance(value, bool)
            values[entry["id"]] = value if number else None
    return values
