"""The board report's content: plain data, built once from the store, rendered three ways.

`service.board_report.build_board_report` fills a `BoardReport`; `report.board` renders it as HTML
(standalone), PDF (WeasyPrint, from that HTML) and Markdown. Renderers compute nothing: every number
and every sentence a reader sees is here, so the three formats cannot disagree. Money is per month
(the backlog stores interest per week: x 52 / 12), always a low-high range in `currency`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

WEEKS_PER_MONTH = 52 / 12

GREEN, AMBER, RED, NO_STATUS = "green", "amber", "red", "none"
"""A KPI's status against the comparison quarter: green = better (or unchanged and the target direction
is held), amber = worse by a small margin (under 10% of the previous value), red = worse by more,
none = no comparison (either value missing)."""


@dataclass(frozen=True)
class MoneyRange:
    low: float
    high: float
    currency: str


@dataclass(frozen=True)
class KpiRow:
    id: str
    name: str
    unit: str
    value: float | None
    previous: float | None
    change: float | None  # value - previous
    direction: str  # "lower" | "higher" (is better)
    status: str  # GREEN | AMBER | RED | NO_STATUS
    definition: str
    by_component: dict[str, float | None] = field(default_factory=dict)  # satisfaction per AI feature, ...


@dataclass(frozen=True)
class RiskRow:
    rank: int
    item_id: int
    title: str
    component: str
    owner: str | None
    category: str
    interest_month: MoneyRange
    effort_low_hours: float
    effort_high_hours: float
    evidence_count: int
    reason: str  # the breakdown's one-line reason, in plain words


@dataclass(frozen=True)
class Progress:
    """Remediation in the quarter: weekly burn-down, what paying down removed, and the age of what is left."""

    week_labels: list[str]  # ISO date of each week's end, within the quarter (up to as_of)
    opened: list[int]  # items first seen that week
    resolved: list[int]  # items resolved that week
    open_at_end: list[int]  # active items at that week's end
    opened_total: int
    resolved_total: int
    interest_removed_month: MoneyRange  # the last scored interest of the items resolved in the quarter
    effort_spent_hours: float  # midpoint effort of those items
    return_per_hour: MoneyRange | None  # interest avoided per month / effort spent; None without effort
    ageing: list[tuple[str, int]]  # ("< 30 days", n), ("30-90 days", n), ("90-180 days", n), ("> 180 days", n)


@dataclass(frozen=True)
class Failures:
    incidents_by_category: list[tuple[str, int]]  # incidents opened in the quarter, most first
    incidents_by_component: list[tuple[str, int]]  # top 10
    recurring: list[dict[str, Any]]  # {component, title, count} of open recurring-failure findings, top 10
    drift_alerts: list[dict[str, Any]]  # {component, runs, alerts, last_at} of the quarter's drift runs
    test_scores: list[tuple[str, float | None]]  # ML Test Score per component (latest scan), lowest first
    overdue_reviews: list[dict[str, Any]]  # {component, what, due}: missing or overdue governance reviews


@dataclass(frozen=True)
class Appendix:
    kpi_definitions: list[tuple[str, str, str]]  # (name, unit, definition) of every KPI
    model: dict[str, Any]  # the prioritization model: its parameters and cost rates, as used


@dataclass(frozen=True)
class BoardReport:
    store: str  # the store's safe URL (no password), for the running header
    quarter: str  # "2026Q4"
    compare: str  # the quarter compared with ("2026Q3" by default)
    compare_source: str  # "snapshot" (its frozen review) | "computed" | "none" (nothing stored for it)
    period_start: dt.date
    period_end: dt.date  # the quarter's last day
    as_of: dt.datetime  # the moment the numbers were read (the quarter's end when complete)
    complete: bool  # the quarter has ended
    generated_at: dt.datetime
    has_data: bool  # False: no incidents, tickets, feedback, findings or debt in the quarter
    has_previous: bool  # False: nothing stored for the comparison quarter
    currency: str
    summary: list[str]  # executive summary: plain sentences, each number with its comparison
    kpis: list[KpiRow]
    open_debt_items: int
    open_debt_items_previous: int | None
    interest_month: MoneyRange  # of the open debt now
    interest_month_previous: MoneyRange | None
    risks: list[RiskRow]  # top 10
    progress: Progress
    failures: Failures
    appendix: Appendix
    notes: list[str] = field(default_factory=list)  # what the report could not show and why
