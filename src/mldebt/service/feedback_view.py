"""What the dashboard's feedback page shows: satisfaction per AI feature over time, this quarter
against the last, and the latest negative answers, as plain data (the page draws it).

Satisfaction is the KPI's (`metrics.kpis.satisfaction_by_feature`): the mean score (0 to 1,
`domain.feedback.score_answer`) of the scored answers linked to a component; a week's point is
the mean of that week's answers, a quarter's value the KPI's value for that component (this
quarter to date, the previous one whole). A negative answer is one scored at or below the
satisfaction rule's low score (`SatisfactionPolicy.low_score`, 0.25: 1-2 stars, "dissatisfied").
The database sums and counts per week and per quarter; the list is one page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mldebt.errors import UserInputError
from mldebt.metrics.kpis.period import Quarter
from mldebt.service.incident_view import MAX_NAME, week_labels, window_start
from mldebt.service.satisfaction import DEFAULT_POLICY
from mldebt.store import feedback_queries as queries
from mldebt.store.database import Store
from mldebt.store.incident_queries import component_names

WEEKS = 26
MAX_CHART_SERIES = 12  # report.charts.MAX_SERIES: the components with the most answers are drawn
LOW_SCORE = DEFAULT_POLICY.low_score
DECIMALS = 3  # as the KPI rounds
MAX_COMPONENT_CHOICES = 500


@dataclass(frozen=True)
class Trend:
    labels: list[str]
    series: dict[str, list[float | None]]  # component -> weekly mean score (None: no answers that week)
    responses: dict[str, int]  # component -> scored answers in the window, for the charted components
    left_out: int  # components with answers in the window that are not charted


def satisfaction_trend(store: Store, now: dt.datetime, weeks: int = WEEKS) -> Trend:
    """Weekly mean score per component over the last `weeks` weeks (the current one to now)."""
    start = window_start(now, weeks)
    boundaries = [start + dt.timedelta(weeks=k) for k in range(weeks)] + [now]
    with store.session() as session:
        rows = queries.weekly_scores(session.connection(), boundaries)
    counts: dict[str, list[int]] = {}
    sums: dict[str, list[float]] = {}
    for week, component, n, total in rows:
        counts.setdefault(component, [0] * weeks)[week] += n
        sums.setdefault(component, [0.0] * weeks)[week] += total
    ranked = sorted(counts, key=lambda name: (-sum(counts[name]), name))
    charted = sorted(ranked[:MAX_CHART_SERIES])
    series = {name: [round(s / n, DECIMALS) if n else None for s, n in zip(sums[name], counts[name], strict=True)]
              for name in charted}
    return Trend(week_labels(start, weeks), series, {name: sum(counts[name]) for name in charted},
                 len(ranked) - len(charted))


@dataclass(frozen=True)
class FeatureSatisfaction:
    """One component this quarter (to date) against the previous quarter."""

    component: str
    responses: int
    satisfaction: float | None
    low_share: float | None  # share of this quarter's answers that are negative
    previous_responses: int
    previous: float | None

    @property
    def change(self) -> float | None:
        if self.satisfaction is None or self.previous is None:
            return None
        return round(self.satisfaction - self.previous, DECIMALS)

    @property
    def change_is_good(self) -> bool | None:
        """Higher satisfaction is better; no change, or nothing to compare, is neither."""
        change = self.change
        return None if change is None or change == 0 else change > 0

    def to_dict(self) -> dict[str, Any]:
        return {"component": self.component, "responses": self.responses, "satisfaction": self.satisfaction,
                "low_share": self.low_share, "previous_responses": self.previous_responses,
                "previous": self.previous, "change": self.change, "change_is_good": self.change_is_good}


@dataclass(frozen=True)
class QuarterTable:
    quarter: str
    previous_quarter: str
    rows: list[FeatureSatisfaction]


def _mean(total: float, n: int) -> float | None:
    return round(total / n, DECIMALS) if n else None


def satisfaction_by_quarter(store: Store, now: dt.datetime) -> QuarterTable:
    """Per component: scored answers and mean score this quarter to date and in the whole previous one."""
    quarter = Quarter.of(now)
    before = quarter.previous()
    with store.session() as session:
        found = queries.period_scores(session.connection(), before.start, quarter.start, min(quarter.end, now),
                                      LOW_SCORE)
    rows = [FeatureSatisfaction(p.component, p.responses, _mean(p.score_sum, p.responses),
                                round(p.low / p.responses, DECIMALS) if p.responses else None,
                                p.previous_responses, _mean(p.previous_score_sum, p.previous_responses))
            for p in found]
    return QuarterTable(str(quarter), str(before), rows)


def component_filter(component: str | None) -> str | None:
    if component and len(component) > MAX_NAME:
        raise UserInputError(f"component: at most {MAX_NAME} characters, got {len(component)}")
    return component or None


def negative_answers(store: Store, component: str | None, offset: int, limit: int
                     ) -> tuple[int, list[dict[str, Any]]]:
    """(how many negative answers, one page newest first): id, when, component, poll, answer, score."""
    with store.session() as session:
        total, rows = queries.low_score_page(session.connection(), LOW_SCORE, component, offset, limit)
    return total, [{"id": r.id, "created_at": r.created_at, "component": r.component, "poll_id": r.poll_id,
                    "answer": r.answer, "score": r.score, "value_type": r.value_type} for r in rows]


def component_choices(store: Store) -> list[str]:
    with store.session() as session:
        return component_names(session.connection(), MAX_COMPONENT_CHOICES)
