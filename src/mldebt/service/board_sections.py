"""The board report's remediation progress and the origins of failures, from the store's aggregates.

Progress is counted per week of the quarter, weeks starting on the quarter's first day (the last week
ends at `as_of` while the quarter runs). Interest removed is the last scored interest of the items
resolved in the quarter (a resolved item is not rescored, so its columns keep what it cost while it
was open); the effort spent is the midpoint of their effort ranges, and the return per hour is the
interest removed per month over that effort.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy.orm import Session

from mldebt.domain.governance import governance_of, overdue_reviews
from mldebt.metrics.kpis import Period
from mldebt.metrics.recurring import RULE_ID as RECURRING_RULE
from mldebt.metrics.recurring import SOURCE as RECURRING_SOURCE
from mldebt.service.board_model import WEEKS_PER_MONTH, Failures, MoneyRange, Progress
from mldebt.store import board_queries as q
from mldebt.store.incident_queries import recurring_findings
from mldebt.store.scan_queries import latest_test_scores

AGE_BUCKETS = (("< 30 days", 30), ("30-90 days", 90), ("90-180 days", 180), ("> 180 days", None))
MIN_LAST_WEEK_DAYS = 3  # a shorter end of a complete quarter joins the week before
TOP_COMPONENTS = 10
TOP_RECURRING = 10
MAX_DRIFT_COMPONENTS = 50
TEST_SCORE_SCOPES = 20  # scanned trees whose latest run's ML Test Score is read (as on /scan)
MAX_TEST_SCORES = 50
MAX_GOVERNED_MODELS = 1000  # production models whose governance reviews are read
MAX_OVERDUE_REVIEWS = 100
NO_REVIEW_DATES = ("No production model in the inventory records its governance reviews (`governance:` in "
                   "mldebt.yaml), so every review of each is listed as never done.")


def week_ends(period: Period) -> list[dt.datetime]:
    """The end of each week of the quarter up to `as_of`: start + 7 days, + 14 days, ..., then `as_of`
    (the last week of a complete quarter takes its one or two days left over: 13 weeks, not 14)."""
    ends = []
    moment = period.start + dt.timedelta(days=7)
    while moment < period.as_of:
        ends.append(moment)
        moment += dt.timedelta(days=7)
    if period.complete and ends and period.as_of - ends[-1] < dt.timedelta(days=MIN_LAST_WEEK_DAYS):
        ends.pop()
    ends.append(period.as_of)
    return ends


def week_label(end: dt.datetime) -> str:
    """The last day a week ending at `end` covers (a week ending at midnight covers the day before)."""
    return (end - dt.timedelta(microseconds=1)).date().isoformat()


def progress(session: Session, period: Period, currency: str) -> Progress:
    ends = week_ends(period)
    burn = q.burn_down(session, period.start, ends)
    paid = q.paid_down(session, period.start, period.as_of)
    removed = MoneyRange(paid.interest_low * WEEKS_PER_MONTH, paid.interest_high * WEEKS_PER_MONTH, currency)
    per_hour = None
    if paid.effort_hours > 0:
        per_hour = MoneyRange(removed.low / paid.effort_hours, removed.high / paid.effort_hours, currency)
    counts = q.ageing(session, period.as_of, [days for _, days in AGE_BUCKETS if days is not None])
    return Progress(week_labels=[week_label(end) for end in ends], opened=burn.opened, resolved=burn.resolved,
                    open_at_end=burn.open_at_end, opened_total=sum(burn.opened), resolved_total=sum(burn.resolved),
                    interest_removed_month=removed, effort_spent_hours=round(paid.effort_hours, 1),
                    return_per_hour=per_hour, ageing=[(name, n) for (name, _), n in zip(AGE_BUCKETS, counts,
                                                                                         strict=True)])


def _score(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def test_scores(session: Session) -> list[tuple[str, float | None]]:
    """Each component's ML Test Score from the newest scan run that scored it, lowest first (unscored last)."""
    found: dict[str, float | None] = {}
    for _scope, _at, entries in latest_test_scores(session, TEST_SCORE_SCOPES):
        for entry in entries if isinstance(entries, list) else []:
            name = entry.get("component") if isinstance(entry, dict) else None
            if isinstance(name, str) and name not in found and len(found) < MAX_TEST_SCORES:
                found[name] = _score(entry.get("final"))
    return sorted(found.items(), key=lambda pair: (pair[1] is None, pair[1] or 0.0, pair[0]))


def _recurring(session: Session) -> list[dict[str, Any]]:
    _, rows = recurring_findings(session.connection(), RECURRING_SOURCE, RECURRING_RULE, TOP_RECURRING)
    found = []
    for row in rows:
        evidence = row["evidence"] if isinstance(row["evidence"], dict) else {}
        occurrences = evidence.get("occurrences")
        count = occurrences if isinstance(occurrences, int) and not isinstance(occurrences, bool) else None
        found.append({"component": str(row["component"]), "title": str(row["message"] or ""), "count": count})
    return found


def governance_reviews(session: Session, as_of: dt.date) -> tuple[list[dict[str, str]], list[str]]:
    """The missing and overdue governance reviews of the stored production models as of `as_of`
    (`domain.governance.overdue_reviews`), and a note when none of them records any review."""
    models = [(name, governance_of(spec)) for name, spec in q.production_model_specs(session, MAX_GOVERNED_MODELS)]
    rows = overdue_reviews(models, as_of)
    notes = [NO_REVIEW_DATES] if models and all(governance is None for _, governance in models) else []
    if len(rows) > MAX_OVERDUE_REVIEWS:
        notes.append(f"{len(rows)} governance reviews are missing or overdue; the {MAX_OVERDUE_REVIEWS} most "
                     "overdue are listed.")
    return rows[:MAX_OVERDUE_REVIEWS], notes


def failures(session: Session, period: Period, end: dt.datetime) -> tuple[Failures, list[str]]:
    """Where failures came from in [the quarter's start, `end`), and the notes on what could not be shown."""
    start = period.start
    # the report's day: the quarter's last day once it is over (its `as_of` is the midnight after it)
    reviews, notes = governance_reviews(session, (period.as_of - dt.timedelta(microseconds=1)).date())
    drift = [{"component": c, "runs": runs, "alerts": alerts, "last_at": last.date().isoformat()}
             for c, runs, alerts, last in q.drift_runs_by_component(session, start, end, MAX_DRIFT_COMPONENTS)]
    found = Failures(
        incidents_by_category=q.incidents_by(session, start, end, by_component=False, limit=50),
        incidents_by_component=q.incidents_by(session, start, end, by_component=True, limit=TOP_COMPONENTS),
        recurring=_recurring(session), drift_alerts=drift, test_scores=test_scores(session),
        overdue_reviews=reviews)
    return found, notes
