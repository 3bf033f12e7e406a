"""The board report's KPI table: each KPI of the quarter against the comparison quarter, and its colour.

The comparison values are what the board saw when the comparison quarter was frozen (`mldebt review`)
and are computed from the store otherwise, exactly as `service.kpis.compute_kpis` does for the quarter
before; `--compare` with an older quarter reads that quarter the same way.

Status (the Four Keys / CodeScene colouring of docs/dashboard.md): green when the KPI moved the good
way or did not move, amber when it moved the bad way by less than 10% of the comparison value, red
when by 10% or more (any worsening from 0 is red), none when either value is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from mldebt.metrics.kpis import KPIS, Direction, Quarter
from mldebt.service.board_model import AMBER, GREEN, NO_STATUS, RED, KpiRow
from mldebt.service.kpis import SNAPSHOT, KpiReport, compute_kpis
from mldebt.store.board_queries import Snapshot, review_snapshot
from mldebt.store.database import Store

OPEN_DEBT = "open_debt"  # the KPI the report's open-debt figures replace
AMBER_MARGIN = 0.10  # worse by less than this share of the comparison value: amber; by more: red


def kpi_status(value: float | None, previous: float | None, direction: str) -> str:
    """GREEN / AMBER / RED / NO_STATUS of a KPI that went from `previous` to `value`; `direction` is
    "lower" or "higher" (is better)."""
    if value is None or previous is None:
        return NO_STATUS
    worse_by = previous - value if direction == Direction.HIGHER_IS_BETTER else value - previous
    if worse_by <= 0:
        return GREEN
    if previous != 0 and worse_by < AMBER_MARGIN * abs(previous):
        return AMBER
    return RED


def frozen_values(snapshot: Snapshot | None) -> dict[str, dict[str, Any]]:
    """KPI id -> {value, details, by_component} as frozen in a review ({} without one); a value that is
    not a number is None."""
    entries = snapshot.kpis.get("kpis") if snapshot is not None else None
    found: dict[str, dict[str, Any]] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            details = entry.get("details")
            found[entry["id"]] = {"value": _number(entry.get("value")),
                                  "details": details if isinstance(details, dict) else {}}
    return found


@dataclass(frozen=True)
class KpiTable:
    rows: list[KpiRow]
    report: KpiReport  # the quarter's KPIs (its previous values are the quarter before's)
    compare_snapshot: Snapshot | None  # the comparison quarter's review, when it was frozen


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _by_component(by: Mapping[str, Any] | None) -> dict[str, float | None]:
    if not by:
        return {}
    return {name: _number(by[name].value) for name in sorted(by)}


def kpi_table(store: Store, quarter: Quarter, compare: Quarter, now: dt.datetime) -> KpiTable:
    """Every registered KPI of `quarter` as of `now` with its value in `compare` and its status."""
    report = compute_kpis(store, str(quarter), now)
    with store.session() as session:
        snapshot = review_snapshot(session, str(compare))
    if compare == quarter.previous():
        previous: dict[str, float | None] = {e.spec.id: e.previous for e in report.entries}
    else:
        frozen = frozen_values(snapshot)
        computed: dict[str, float | None] = {}
        if any(spec.id not in frozen for spec in KPIS):
            computed = {e.spec.id: e.value for e in compute_kpis(store, str(compare), now).entries}
        previous = {spec.id: frozen[spec.id]["value"] if spec.id in frozen else computed.get(spec.id)
                    for spec in KPIS}
    rows = []
    for entry in report.entries:
        spec, value = entry.spec, _number(entry.value)
        before = _number(previous.get(spec.id))
        change = None if value is None or before is None else round(value - before, 4)
        rows.append(KpiRow(spec.id, spec.name, spec.unit, value, before, change, str(spec.direction),
                           kpi_status(value, before, str(spec.direction)), spec.definition,
                           _by_component(entry.result.by_component)))
    return KpiTable(rows, report, snapshot)


def with_open_debt(rows: list[KpiRow], value: int, previous: int | None) -> list[KpiRow]:
    """The rows with the open-debt KPI set to the report's own count (`store.board_queries.open_debt_at`),
    so that the table and the headline agree: the KPI counts the items created before `as_of`, which
    leaves out an item written at that very moment (the demo's backlog is built at its `now`)."""
    found = []
    for row in rows:
        if row.id == OPEN_DEBT:
            before = float(previous) if previous is not None else None
            change = None if before is None else round(value - before, 4)
            row = replace(row, value=float(value), previous=before, change=change,
                          status=kpi_status(float(value), before, row.direction), by_component={})
        found.append(row)
    return found


def compare_source(table: KpiTable, compare: Quarter, quarter: Quarter, has_previous: bool) -> str:
    """"snapshot" when the comparison quarter was frozen, "computed" when the store holds records of it,
    "none" otherwise."""
    if table.compare_snapshot is not None or (compare == quarter.previous() and table.report.previous_source
                                              == SNAPSHOT):
        return "snapshot"
    return "computed" if has_previous else "none"
