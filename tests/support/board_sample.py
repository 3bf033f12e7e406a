"""Hand-built `BoardReport`s for the renderers' tests, until (and besides) `build_board_report`.

Deterministic: fixed dates, fixed numbers. `full_report()` is a realistic quarter (2026Q4 of a
storefront, compared with 2026Q3's frozen review); `empty_report()` a quarter with nothing stored
(has_data False); `no_previous_report()` a first quarter with nothing to compare with. Every
function accepts field overrides (`full_report(risks=[...])`) so a test can change one thing.
"""

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

STORE = "sqlite:///.mldebt/mldebt.db"
QUARTER, COMPARE = "2026Q4", "2026Q3"
AS_OF = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
GENERATED_AT = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
CURRENCY = "USD"

SUMMARY = [
    "Open AI debt fell from 19 to 16 items this quarter (3 fewer), and its interest fell from "
    "$9.1k-14k to $7.4k-12k per month.",
    "Every month these 16 items stay open costs the business $7.4k-12k in incidents, tickets and manual work.",
    "The three risks that matter most: Checkout fraud model has no drift monitoring (recurring chargebacks), "
    "Search ranking retrains by hand, and Recommendations feature pipeline has no tests.",
    "The team resolved 7 items this quarter, removing $2.1k-3.5k of interest per month for 96 hours of work.",
]

KPI_DEFINITIONS = {
    "mttr_ai_incidents": ("MTTR of AI incidents", "hours", "lower",
                          "Mean time from an AI incident's start to its resolution (resolved in the quarter)."),
    "models_retrained_share": ("Models retrained in the quarter", "share", "higher",
                               "Share of the catalog's models with at least one successful retraining in the quarter."),
    "ai_linked_tickets": ("Support tickets linked to AI errors", "tickets", "lower",
                          "Support tickets opened in the quarter that are linked to an AI component's error."),
    "pipeline_test_pass_rate": ("Automated test pass rate of AI pipelines", "share", "higher",
                                "Passed tests over tests run, in the CI reports of AI pipelines in the quarter."),
    "retraining_coverage": ("Coverage of retraining code", "share", "higher",
                            "Lines of retraining code covered by tests, over all such lines (latest report)."),
    "automated_fix_rate": ("Automated fix rate", "share", "higher",
                           "Share of the quarter's resolved debt items fixed by an automated retrain or rollback."),
    "satisfaction_by_feature": ("Satisfaction per AI feature", "score 0-1", "higher",
                                "Mean survey score of the quarter's answers about AI features, 0 (worst) to 1 (best)."),
    "drift_alerts": ("Drift alerts", "alerts", "lower", "Drift checks in the quarter that crossed their threshold."),
    "open_debt": ("Open debt", "items", "lower", "Active debt items at the quarter's end (or as of now)."),
}

# (id, value, previous, status)
KPI_VALUES: list[tuple[str, float | None, float | None, str]] = [
    ("mttr_ai_incidents", 6.5, 9.25, GREEN),
    ("models_retrained_share", 0.6, 0.4, GREEN),
    ("ai_linked_tickets", 42, 40, AMBER),
    ("pipeline_test_pass_rate", 0.912, 0.955, AMBER),
    ("retraining_coverage", 0.58, 0.71, RED),
    ("automated_fix_rate", 0.286, 0.2, GREEN),
    ("satisfaction_by_feature", 0.74, 0.79, AMBER),
    ("drift_alerts", 11, 6, RED),
    ("open_debt", 16, 19, GREEN),
]

RISKS = [
    # (title, component, owner, category, interest low-high per month, effort low-high, evidence, reason)
    ("Checkout fraud model has no drift monitoring", "fraud-model", "risk-team", "model", (2100, 3400),
     (16, 32), 14, "14 chargeback incidents in 90 days trace to unmonitored drift in the fraud scores."),
    ("Search ranking retrains by hand", "search-ranking", "search-team", "process", (1500, 2600), (24, 40), 9,
     "9 manual retrains this quarter, each a half day of an engineer and a stale model in between."),
    ("Recommendations feature pipeline has no tests", "recs-features", "recs-team", "code", (1200, 2000),
     (12, 24), 7, "7 failed pipeline runs reached production; the pipeline has no tests to stop them."),
    ("Chatbot answers from a stale product catalog", "support-bot", None, "data", (800, 1300), (8, 16), 22,
     "22 support tickets say the bot quoted prices or stock that had changed."),
    ("Price model trained on last year's promotions", "price-model", "pricing-team", "data", (600, 1100),
     (16, 24), 5, "5 incidents of wrong discounts; its training window ends before this year's promotions."),
    ("Recurring timeout of the embedding service", "embedding-svc", "platform", "infrastructure", (450, 800),
     (4, 8), 12, "12 timeouts this quarter, recurring weekly; each blocks search for about 20 minutes."),
    ("Duplicated feature code in two pipelines", "recs-features", "recs-team", "code", (300, 550), (8, 12), 3,
     "The same 400 lines in two pipelines; 3 fixes this quarter were made in one copy only."),
    ("No owner for the returns classifier", "returns-clf", None, "process", (250, 450), (2, 4), 2,
     "No one is named to review its alerts; 2 alerts waited over a week."),
    ("Hard-coded thresholds in the fraud rules", "fraud-model", "risk-team", "code", (200, 350), (4, 8), 4,
     "4 thresholds are constants in code; changing one needs a release."),
    ("Unpinned model dependencies", "search-ranking", "search-team", "infrastructure", (120, 250), (2, 6), 6,
     "6 dependencies float; the last upgrade changed rankings without notice."),
]


def _kpis(values: list[tuple[str, float | None, float | None, str]]) -> list[KpiRow]:
    rows = []
    for kpi_id, value, previous, status in values:
        name, unit, direction, definition = KPI_DEFINITIONS[kpi_id]
        change = None if value is None or previous is None else round(value - previous, 6)
        by_component: dict[str, float | None] = (
            {"search": 0.81, "recommendations": 0.77, "support-bot": 0.62} if kpi_id == "satisfaction_by_feature"
            else {})
        rows.append(KpiRow(kpi_id, name, unit, value, previous, change, direction, status, definition, by_component))
    return rows


def _risks() -> list[RiskRow]:
    return [RiskRow(rank, 100 + rank, title, component, owner, category, MoneyRange(low, high, CURRENCY),
                    effort[0], effort[1], evidence, reason)
            for rank, (title, component, owner, category, (low, high), effort, evidence, reason)
            in enumerate(RISKS, 1)]


WEEKS = [(dt.date(2026, 10, 4) + dt.timedelta(weeks=i)).isoformat() for i in range(9)]


def _progress() -> Progress:
    opened = [2, 1, 0, 1, 0, 0, 0, 0, 0]
    resolved = [0, 1, 2, 0, 1, 1, 0, 2, 0]
    open_at_end, level = [], 19
    for o, r in zip(opened, resolved, strict=True):
        level += o - r
        open_at_end.append(level)
    return Progress(WEEKS, opened, resolved, open_at_end, sum(opened), sum(resolved),
                    MoneyRange(2100, 3500, CURRENCY), 96.0, MoneyRange(21.9, 36.5, CURRENCY),
                    [("< 30 days", 2), ("30-90 days", 5), ("90-180 days", 6), ("> 180 days", 3)])


def _failures() -> Failures:
    return Failures(
        incidents_by_category=[("model drift", 14), ("data quality", 9), ("pipeline failure", 7), ("latency", 5)],
        incidents_by_component=[("fraud-model", 14), ("recs-features", 7), ("price-model", 5),
                                ("embedding-svc", 5), ("search-ranking", 4)],
        recurring=[{"component": "embedding-svc", "title": "Embedding service timeout", "count": 12},
                   {"component": "fraud-model", "title": "Chargeback spike after score drift", "count": 6}],
        drift_alerts=[{"component": "recs-model", "runs": 13, "alerts": 7, "last_at": "2026-11-28"},
                      {"component": "fraud-model", "runs": 9, "alerts": 4, "last_at": "2026-11-25"}],
        test_scores=[("recs-features", 1.0), ("fraud-model", 2.5), ("search-ranking", 3.5), ("returns-clf", None)],
        overdue_reviews=[{"component": "fraud-model", "what": "model risk review", "due": "2026-10-15"}],
    )


MODEL = {
    "ranking": "cost of delay per hour of work (interest per week / midpoint effort)",
    "interest_per_incident_hour": 120.0,
    "interest_per_ticket": 18.0,
    "engineer_hour": 95.0,
    "evidence_window_days": 90,
    "currency": CURRENCY,
}


def full_report(**changes: Any) -> BoardReport:
    """A realistic 2026Q4 report compared with 2026Q3's frozen review."""
    kpis = _kpis(KPI_VALUES)
    report = BoardReport(
        store=STORE, quarter=QUARTER, compare=COMPARE, compare_source="snapshot",
        period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 12, 31), as_of=AS_OF, complete=False,
        generated_at=GENERATED_AT, has_data=True, has_previous=True, currency=CURRENCY, summary=list(SUMMARY),
        kpis=kpis, open_debt_items=16, open_debt_items_previous=19,
        interest_month=MoneyRange(7400, 12000, CURRENCY), interest_month_previous=MoneyRange(9100, 14000, CURRENCY),
        risks=_risks(), progress=_progress(), failures=_failures(),
        appendix=Appendix([(k.name, k.unit, k.definition) for k in kpis], dict(MODEL)),
        notes=["2026Q4 is still running: figures are as of 2026-12-01."],
    )
    return dataclasses.replace(report, **changes)


def empty_report(**changes: Any) -> BoardReport:
    """2027Q1 of the same store: nothing stored in the quarter (has_data False)."""
    kpis = _kpis([(kpi_id, None, None, NO_STATUS) for kpi_id, *_ in KPI_VALUES])
    report = BoardReport(
        store=STORE, quarter="2027Q1", compare="2026Q4", compare_source="computed",
        period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 3, 31),
        as_of=dt.datetime(2027, 3, 31, 23, 59, 59, tzinfo=dt.UTC), complete=True,
        generated_at=GENERATED_AT, has_data=False, has_previous=True, currency=CURRENCY,
        summary=["Nothing was recorded for 2027Q1: no incidents, tickets, feedback, findings or debt in the quarter."],
        kpis=kpis, open_debt_items=0, open_debt_items_previous=16,
        interest_month=MoneyRange(0, 0, CURRENCY), interest_month_previous=MoneyRange(7400, 12000, CURRENCY),
        risks=[], progress=Progress([], [], [], [], 0, 0, MoneyRange(0, 0, CURRENCY), 0.0, None, []),
        failures=Failures([], [], [], [], [], []),
        appendix=Appendix([(k.name, k.unit, k.definition) for k in kpis], dict(MODEL)),
        notes=["No data was stored for 2027Q1; check that ingestion ran."],
    )
    return dataclasses.replace(report, **changes)


def no_previous_report(**changes: Any) -> BoardReport:
    """2026Q4 of a store whose first quarter it is: nothing stored for 2026Q3 (has_previous False)."""
    kpis = [dataclasses.replace(k, previous=None, change=None, status=NO_STATUS) for k in _kpis(KPI_VALUES)]
    return full_report(compare_source="none", has_previous=False, kpis=kpis, open_debt_items_previous=None,
                       interest_month_previous=None,
                       summary=["Open AI debt stands at 16 items costing $7.4k-12k per month; 2026Q3 has no "
                                "stored data to compare with."],
                       notes=["Nothing is stored for 2026Q3, so no KPI has a comparison."], **changes)
