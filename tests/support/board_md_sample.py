"""Small hand-built board reports for the Markdown renderer's tests (every number chosen by hand)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from mldebt.service.board_model import (
    AMBER,
    GREEN,
    NO_STATUS,
    RED,
    Appendix,
    BoardReport,
    Failures,
    KpiRow,
    MoneyRange,
    Progress,
    RiskRow,
)

UTC = dt.UTC


def kpi(id: str, name: str, unit: str, value: float | None, previous: float | None, direction: str, status: str,
        **extra: Any) -> KpiRow:
    change = None if value is None or previous is None else round(value - previous, 6)
    return KpiRow(id=id, name=name, unit=unit, value=value, previous=previous, change=change, direction=direction,
                  status=status, definition=f"The definition of {name}.", **extra)


def risk(rank: int, title: str = "Stale intent model", component: str = "chatbot", **extra: Any) -> RiskRow:
    fields: dict[str, Any] = {
        "rank": rank, "item_id": 40 + rank, "title": title, "component": component, "owner": "ml-team",
        "category": "model", "interest_month": MoneyRange(1300.0, 2600.0, "USD"), "effort_low_hours": 4.0,
        "effort_high_hours": 12.0, "evidence_count": 7, "reason": "12 model errors in 90 days"}
    fields.update(extra)
    return RiskRow(**fields)


def sample_report(**overrides: Any) -> BoardReport:
    """A quarter with data, compared with a frozen previous quarter."""
    report = BoardReport(
        store="sqlite:///board.db",
        quarter="2026Q4",
        compare="2026Q3",
        compare_source="snapshot",
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 12, 31),
        as_of=dt.datetime(2026, 11, 15, 12, 0, tzinfo=UTC),
        complete=False,
        generated_at=dt.datetime(2026, 11, 15, 12, 5, tzinfo=UTC),
        has_data=True,
        has_previous=True,
        currency="USD",
        summary=["Open debt fell from 12 to 9 items since 2026Q3.",
                 "Delay costs $2.1k-4.3k per month, down from $3k-5.6k."],
        kpis=[
            kpi("mttr_ai_incidents", "MTTR of AI incidents", "hours", 5.5, 7.5, "lower", GREEN),
            kpi("pipeline_test_pass_rate", "Automated test pass rate of AI pipelines", "share", 0.9, 0.95, "higher",
                AMBER),
            kpi("ai_linked_tickets", "Support tickets linked to AI errors", "tickets", 30, 20, "lower", RED),
            kpi("satisfaction_by_feature", "Satisfaction per AI feature", "score 0-1", 0.8, None, "higher", NO_STATUS,
                by_component={"chatbot": 0.75, "search": None}),
        ],
        open_debt_items=9,
        open_debt_items_previous=12,
        interest_month=MoneyRange(2100.0, 4300.0, "USD"),
        interest_month_previous=MoneyRange(3000.0, 5600.0, "USD"),
        risks=[risk(1), risk(2, "Unpinned feature pipeline", "search", owner=None, category="data",
                              interest_month=MoneyRange(400.0, 400.0, "USD"), effort_low_hours=2.0,
                              effort_high_hours=2.0, evidence_count=1, reason="drift alerts on 3 columns")],
        progress=Progress(
            week_labels=["2026-10-04", "2026-10-11"], opened=[2, 1], resolved=[0, 3], open_at_end=[11, 9],
            opened_total=3, resolved_total=3, interest_removed_month=MoneyRange(900.0, 1500.0, "USD"),
            effort_spent_hours=18.0, return_per_hour=MoneyRange(50.0, 83.0, "USD"),
            ageing=[("< 30 days", 3), ("30-90 days", 4), ("90-180 days", 2), ("> 180 days", 0)]),
        failures=Failures(
            incidents_by_category=[("model-error", 5), ("latency", 2)],
            incidents_by_component=[("chatbot", 6), ("search", 1)],
            recurring=[{"component": "chatbot", "title": "Intent model timeout", "count": 4}],
            drift_alerts=[{"component": "search", "runs": 6, "alerts": 2,
                           "last_at": dt.datetime(2026, 11, 2, 9, 30, tzinfo=UTC)}],
            test_scores=[("search", None), ("chatbot", 2.5)],
            overdue_reviews=[{"component": "chatbot", "what": "model card review", "due": dt.date(2026, 10, 20)}]),
        appendix=Appendix(
            kpi_definitions=[("MTTR of AI incidents", "hours", "Mean hours from opened to resolved."),
                             ("Open debt", "items", "Active debt items at the end of the quarter.")],
            model={"priority": "interest per week / effort hours", "rates": {"currency": "USD", "incident_hour": 300.0},
                   "defaults_used": ["incident_hour"]}),
        notes=["No coverage report was recorded in 2026Q4."],
    )
    return dataclasses.replace(report, **overrides)


def empty_report(**overrides: Any) -> BoardReport:
    """A quarter with nothing recorded, and nothing stored for the quarter before."""
    base = sample_report()
    return dataclasses.replace(
        base, has_data=False, has_previous=False, compare_source="none", summary=[],
        kpis=[dataclasses.replace(k, value=None, previous=None, change=None, status=NO_STATUS, by_component={})
              for k in base.kpis],
        open_debt_items=0, open_debt_items_previous=None, interest_month=MoneyRange(0.0, 0.0, "USD"),
        interest_month_previous=None, risks=[],
        progress=Progress(week_labels=[], opened=[], resolved=[], open_at_end=[], opened_total=0, resolved_total=0,
                          interest_removed_month=MoneyRange(0.0, 0.0, "USD"), effort_spent_hours=0.0,
                          return_per_hour=None, ageing=[("< 30 days", 0), ("30-90 days", 0), ("90-180 days", 0),
                                                        ("> 180 days", 0)]),
        failures=Failures([], [], [], [], [], []), notes=[], **overrides)
