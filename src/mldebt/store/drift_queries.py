"""The drift page's reads: per-component summaries, each component's latest runs, a page of runs.

Every query selects the run's verdict columns only, never `report` (a run's full report can hold
thousands of columns and their histograms): the report is read for one run, on its own page
(`drift_run`). Aggregates are one GROUP BY, the latest run per component is a window function
(SQLite >= 3.25 and PostgreSQL), lists are LIMIT/OFFSET in (created_at, id) order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mldebt.store.base import as_aware
from mldebt.store.models import DriftRunRow

R = DriftRunRow


@dataclass(frozen=True)
class RunSummary:
    """One run without its report."""

    id: int
    component: str
    reference: str
    current: str
    created_at: dt.datetime
    dataset_drift: bool
    drift_share: float
    drifted_columns: tuple[str, ...]


@dataclass(frozen=True)
class ComponentRuns:
    """A component's number of runs and its latest run."""

    component: str
    runs: int
    latest: RunSummary


_COLUMNS = (R.id, R.component, R.reference, R.current, R.created_at, R.dataset_drift, R.drift_share,
            R.drifted_columns)


def _summary(row: Sequence[Any]) -> RunSummary:
    columns = row[7] if isinstance(row[7], list) else []
    return RunSummary(int(row[0]), str(row[1]), str(row[2]), str(row[3]), as_aware(row[4]), bool(row[5]),
                      float(row[6] or 0.0), tuple(str(c) for c in columns))


def _ranked(components: Sequence[str] | None = None) -> Any:
    """Runs numbered per component, newest first (rank 1 = the latest run), of `components` or all."""
    rank = func.row_number().over(partition_by=R.component, order_by=(R.created_at.desc(), R.id.desc()))
    query = select(*_COLUMNS, rank.label("rank"))
    if components is not None:
        query = query.where(R.component.in_(list(components)))
    return query.subquery()


def runs_per_component(session: Session, component: str | None = None, limit: int = 100) -> tuple[
        list[ComponentRuns], int]:
    """Per component (at most `limit`, most drifted latest run first): its run count and latest run;
    and how many components have runs at all."""
    counts = select(R.component, func.count().label("runs")).group_by(R.component)
    if component is not None:
        counts = counts.where(R.component == component)
    counted = counts.subquery()
    ranked = _ranked(None if component is None else [component])
    query = (select(*(ranked.c[c.key] for c in _COLUMNS), counted.c.runs)
             .join(counted, counted.c.component == ranked.c.component)
             .where(ranked.c.rank == 1)
             .order_by(ranked.c.dataset_drift.desc(), ranked.c.drift_share.desc(), ranked.c.component)
             .limit(limit))
    rows = [ComponentRuns(str(row[1]), int(row[8]), _summary(row)) for row in session.execute(query)]
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    return rows, int(total)


def latest_runs_of(session: Session, components: Sequence[str], per_component: int) -> dict[str, list[RunSummary]]:
    """The latest `per_component` runs of each of `components`, oldest first (a chart's x order)."""
    if not components:
        return {}
    ranked = _ranked(components)
    query = (select(*(ranked.c[c.key] for c in _COLUMNS))
             .where(ranked.c.rank <= per_component)
             .order_by(ranked.c.component, ranked.c.created_at, ranked.c.id))
    found: dict[str, list[RunSummary]] = {name: [] for name in components}
    for row in session.execute(query):
        found[str(row[1])].append(_summary(row))
    return found


def runs_page(session: Session, component: str | None, limit: int, offset: int) -> tuple[list[RunSummary], int]:
    """A page of runs, newest first, and the total matching the filter."""
    query = select(*_COLUMNS).order_by(R.created_at.desc(), R.id.desc()).limit(limit).offset(offset)
    count = select(func.count()).select_from(R)
    if component is not None:
        query, count = query.where(R.component == component), count.where(R.component == component)
    return [_summary(row) for row in session.execute(query)], int(session.scalar(count) or 0)


def drift_run(session: Session, run_id: int) -> tuple[RunSummary, dict[str, Any]] | None:
    """One run and its full report, or None."""
    row = session.execute(select(*_COLUMNS, R.report).where(R.id == run_id)).first()
    if row is None:
        return None
    report = row[8] if isinstance(row[8], dict) else {}
    return _summary(row), report


def has_run_of(session: Session, component: str, current: str) -> bool:
    """Whether `component` has a run whose current data was `current` (the demo records its weeks once)."""
    return session.scalar(select(R.id).where(R.component == component, R.current == current).limit(1)) is not None
