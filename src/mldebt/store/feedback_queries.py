"""The feedback page's queries: weekly and per-period score sums per component, one page of low scores.

Sums and counts, not means, come back, so that weeks and periods add up exactly and the means are
the KPI's (`satisfaction_by_feature`: the mean score of the scored answers linked to a component).
Each statement reads a bounded window (or a LIMIT).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, case, func, select

from mldebt.store.ingest_tables import FeedbackRow
from mldebt.store.week_buckets import per_week

SCORED = (FeedbackRow.component.is_not(None), FeedbackRow.score.is_not(None))


def weekly_scores(conn: Connection, boundaries: Sequence[dt.datetime]) -> list[tuple[int, str, int, float]]:
    """(week index, component, scored answers, sum of their scores) per week [boundaries[k], boundaries[k+1])."""
    query = per_week(boundaries, FeedbackRow.created_at, FeedbackRow.component,
                     [func.count(), func.sum(FeedbackRow.score)], SCORED)
    return [(int(week), str(component), int(n), float(total or 0.0)) for week, component, n, total in
            conn.execute(query)]


@dataclass(frozen=True)
class PeriodScores:
    """One component's scored answers in the current and the previous period."""

    component: str
    responses: int
    score_sum: float
    low: int  # answers scored at or below the low-score threshold
    previous_responses: int
    previous_score_sum: float


def period_scores(conn: Connection, previous_start: dt.datetime, current_start: dt.datetime, end: dt.datetime,
                  low_score: float) -> list[PeriodScores]:
    """Per component, over [previous_start, current_start) and [current_start, end): one GROUP BY."""
    current = FeedbackRow.created_at >= current_start
    score = FeedbackRow.score
    query = (select(FeedbackRow.component,
                    func.sum(case((current, 1), else_=0)), func.sum(case((current, score), else_=0.0)),
                    func.sum(case((current & (score <= low_score), 1), else_=0)),
                    func.sum(case((current, 0), else_=1)), func.sum(case((current, 0.0), else_=score)))
             .where(*SCORED, FeedbackRow.created_at >= previous_start, FeedbackRow.created_at < end)
             .group_by(FeedbackRow.component).order_by(FeedbackRow.component))
    return [PeriodScores(str(component), int(n or 0), float(total or 0.0), int(low or 0), int(before or 0),
                         float(before_total or 0.0))
            for component, n, total, low, before, before_total in conn.execute(query)]


LOW_COLUMNS = (FeedbackRow.id, FeedbackRow.created_at, FeedbackRow.component, FeedbackRow.poll_id,
               FeedbackRow.answer, FeedbackRow.score, FeedbackRow.value_type)


def low_score_page(conn: Connection, low_score: float, component: str | None, offset: int, limit: int
                   ) -> tuple[int, Sequence[Any]]:
    """(how many answers scored at or below `low_score`, one page of them newest first)."""
    conditions: list[Any] = [FeedbackRow.score.is_not(None), FeedbackRow.score <= low_score]
    if component is not None:
        conditions.append(FeedbackRow.component == component)
    total = conn.scalar(select(func.count()).select_from(FeedbackRow).where(*conditions)) or 0
    newest = (FeedbackRow.created_at.desc(), FeedbackRow.id.desc())
    ids = select(FeedbackRow.id).where(*conditions).order_by(*newest).offset(offset).limit(limit).subquery()
    query = select(*LOW_COLUMNS).join(ids, ids.c.id == FeedbackRow.id).order_by(*newest)
    return int(total), conn.execute(query).all()
