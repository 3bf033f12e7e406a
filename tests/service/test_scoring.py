"""Scoring over a real store (SQLite and PostgreSQL): a misrouting chatbot against a deprecated export job.

The world, as of NOW, with a 12-week window (84 days) and the recent window of 30 days, default
rates (incident hour 300, ticket 15, AI revenue share 0.1, dissatisfied order loss 0.2, engineer 100):

- order-bot-nlp (service, production, customer facing, revenue critical) depends on
  order-intent-model (model, production, customer facing); demand-forecast (production, revenue
  critical) depends on legacy-analytics-export (deprecated).
- items: the bot's hard-coded routing threshold (model, medium, 0.5-1 h), the intent model's overdue
  retrain (model, high, 2-8 h), the export's notebook code (code, high, 0.5-1.5 h) and TODO (code,
  low, 0.5 h, in a file changed 26 times in 12 months), the forecast's dependency on the export
  (infrastructure, high, 8-40 h).
- the bot: model-error intervals of 2 h and 4 h (plus one before the window and one after NOW),
  an api-mismatch interval of 3 h and one of 3 h straddling the window's start (1 h inside), an
  open latency interval of 2 h; 12 tickets (4 recent); orders 1001 ($100, ticket and refund),
  1002 ($200, ticket), 1003 ($400, cancelled); 10 poll answers (4 dissatisfied, $50 orders each,
  2 recent), 5 answers in the window before (0.9 each).
- the forecast: one 10 h data-quality interval. The intent model: drifting for 6 days (share 0.6).
"""

import datetime as dt

import pytest
from sqlalchemy import select

from mldebt.domain.costs import CostRates
from mldebt.domain.debt_groups import group_findings
from mldebt.service.scoring import score_items
from mldebt.store import debt as debt_store
from mldebt.store.debt_tables import DebtItemRow
from mldebt.store.ingest_tables import FeedbackRow, IncidentIntervalRow, IncidentRow, StoreEventRow, TicketRow
from mldebt.store.models import ComponentRow, DriftRunRow, FindingRow

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
SINCE = NOW - dt.timedelta(days=84)
RATES = CostRates.from_mapping({"window_days": 84})
BOT, INTENT, LEGACY, FORECAST = "order-bot-nlp", "order-intent-model", "legacy-analytics-export", "demand-forecast"


def ago(days: float = 0, hours: float = 0) -> dt.datetime:
    return NOW - dt.timedelta(days=days, hours=hours)


def component(name, kind, lifecycle, facing=False, critical=False, depends_on=()):
    return ComponentRow(name=name, kind=kind, lifecycle=lifecycle, customer_facing=facing, revenue_critical=critical,
                        spec={"name": name, "depends_on": list(depends_on)}, spec_hash="x", created_at=NOW,
                        updated_at=NOW)


def finding(n, rule, severity, name, file=None, minutes=0, source="scan", **evidence):
    return FindingRow(source=source, scope="repo", fingerprint=f"fp{n}", rule_id=rule, severity=severity,
                      component=name, message=f"{rule} finding", evidence=evidence, file=file, line=1 if file else None,
                      effort_minutes=minutes, status="open", first_seen_at=ago(30))


def incident(n, name, category, *spans):
    row = IncidentRow(source="sentry", fingerprint=f"inc{n}", component=name, category=category, title=f"incident {n}",
                      opened_at=spans[0][0], last_event_at=spans[-1][0])
    row.intervals = [IncidentIntervalRow(opened_at=start, resolved_at=None if hours is None
                                         else start + dt.timedelta(hours=hours)) for start, hours in spans]
    return row


def ticket(n, at, order=None, total=None):
    return TicketRow(source="zendesk", external_id=str(n), subject="bot sent me to returns", status="open",
                     component=BOT, category="other", order_id=order, order_total=total, created_at=at, updated_at=at)


def answer(n, at, score, value):
    return FeedbackRow(response_id=str(n), poll_id="p1", answer="x", score=score, order_value=value, component=BOT,
                       created_at=at)


def order_event(n, scope, order, total, at, status=None):
    data = {"type": "order", "id": order} | ({"status": {"new_status_id": status}} if status else {})
    return StoreEventRow(event_hash=f"ev{n}", scope=scope, store_hash="s", resource_type="order",
                         resource_id=str(order), component=BOT, data=data, order_total=total, created_at=at)


def drift_run(at, drifted, share):
    return DriftRunRow(component=INTENT, reference="r", current="c", created_at=at, dataset_drift=drifted,
                       drift_share=share, report={})


def build(session):
    session.add_all([
        component(BOT, "service", "production", True, True, [INTENT]), component(INTENT, "model", "production", True),
        component(LEGACY, "pipeline", "deprecated"), component(FORECAST, "model", "production", False, True, [LEGACY]),
        finding(1, "MLD401", "medium", BOT, "chatbot/route.py", 30, threshold=0.62),
        finding(2, "INV001", "high", INTENT, source="inventory"),
        finding(3, "MLD201", "high", LEGACY, "legacy/export.ipynb", 60),
        finding(4, "MLD301", "low", LEGACY, "legacy/job.py", 15, changes=26),
        finding(5, "INV004", "high", FORECAST, source="inventory"),
        incident(1, BOT, "model-error", (ago(100), 5), (ago(10), 2), (ago(3), 4), (ago(-1), 1)),
        incident(2, BOT, "api-mismatch", (ago(50), 3), (SINCE - dt.timedelta(hours=2), 3)),
        incident(3, BOT, "latency", (ago(hours=2), None)),
        incident(4, FORECAST, "data-quality", (ago(20), 10)),
        *[ticket(i, ago(5), "1001" if i == 0 else None, 100.0 if i == 0 else None) for i in range(4)],
        *[ticket(10 + i, ago(40), "1002" if i == 0 else None, 200.0 if i == 0 else None) for i in range(8)],
        ticket(99, ago(90), "1999", 999.0),
        order_event(1, "store/order/refund/created", 1001, 100.0, ago(4)),
        order_event(2, "store/order/statusUpdated", 1003, 400.0, ago(60), status=5),
        order_event(3, "store/order/statusUpdated", 1004, 999.0, ago(3), status=11),
        *[answer(i, ago(5), 0.2, 50.0) for i in range(2)], *[answer(10 + i, ago(40), 0.2, 50.0) for i in range(2)],
        *[answer(20 + i, ago(40), 0.8, 30.0) for i in range(6)],
        *[answer(30 + i, ago(100), 0.9, 80.0) for i in range(5)],
        drift_run(ago(8), False, 0.1), drift_run(ago(6), True, 0.4), drift_run(ago(1), True, 0.6),
    ])
    session.flush()
    for draft in group_findings(session.scalars(select(FindingRow))):
        debt_store.add_item(session, {
            "key": draft.key, "title": draft.title, "category": str(draft.category), "component": draft.component,
            "source": str(draft.source), "severity": str(draft.severity), "status": "open",
            "effort_low_hours": draft.effort.low_hours, "effort_high_hours": draft.effort.high_hours,
            "evidence": [e.to_dict() for e in draft.evidence], "evidence_count": draft.evidence_count,
            "rule_ids": list(draft.rule_ids), "first_seen_at": draft.first_seen_at}, "test", NOW)
    items = list(session.scalars(select(DebtItemRow)))
    return {(item.component, item.rule_ids[0]): item for item in items}


@pytest.fixture
def scored(store):
    with store.session() as session:
        items = build(session)
        scores = score_items(session, list(items.values()), RATES, NOW)
        yield {key: scores[item.id] for key, item in items.items()}, items


# The bot's pools, per week over 12 weeks (recent: the same costs over the last 30 days = 30/7 weeks):
MODEL_ERROR = 6 * 300 / 12  # 150 (recent: 6 h)
API_MISMATCH = (3 + 1) * 300 / 12  # 100: the straddling interval counts its hour inside (recent: none)
LATENCY = 2 * 300 / 12  # 50: the open interval up to now (recent: 2 h)
TICKETS = 12 * 15 / 12  # 15 (recent: 4 tickets)
REVENUE = (100 + 200 + 400) * 0.1 / 12  # order 1001 once; 1004 is not at risk; 1999 is before the window
UNHAPPY = 4 * 50 * 0.2 / 12  # (recent: 2 answers, $100 of orders)
MATCHED = MODEL_ERROR + TICKETS + REVENUE + UNHAPPY  # pools the threshold and the retrain (both model debt) explain
UNMATCHED = API_MISMATCH + LATENCY  # code and infrastructure incidents: neither item is relevant (0.02)
RECENT_MATCHED = (6 * 300 + 4 * 15 + 100 * 0.1 + 100 * 0.2) / (30 / 7)  # 441
RECENT_UNMATCHED = 2 * 300 / (30 / 7)  # 140
# Each matched pool: the threshold weighs 2 (own), the retrain 4 x 0.5 (upstream): halves. Each unmatched pool:
# 2 x 0.02 = 0.04 and 4 x 0.02 x 0.5 = 0.04, claimed at the best relevance 0.02: 0.04 / (0.08 / 0.02) = 0.01 each,
# the rest unexplained.
THRESHOLD = 0.5 * MATCHED + 0.01 * UNMATCHED  # 0.5 x 174.17 + 0.01 x 150 = 88.58
THRESHOLD_RECENT = 0.5 * RECENT_MATCHED + 0.01 * RECENT_UNMATCHED  # 0.5 x 441 + 0.01 x 140 = 221.90


def test_the_bots_threshold_takes_half_of_the_bot_costs_it_explains_and_its_priority_is_interest_over_effort(
        scored):
    scores, _ = scored
    threshold = scores[(BOT, "MLD401")]
    assert threshold.interest_low == pytest.approx(THRESHOLD)  # the full window is the lower rate
    assert threshold.interest_high == pytest.approx(THRESHOLD_RECENT)
    assert threshold.priority == pytest.approx(THRESHOLD / 0.75)  # mid effort of 0.5-1 h: 118.1
    assert (threshold.priority_low, threshold.priority_high) == (pytest.approx(THRESHOLD / 1.0),
                                                                 pytest.approx(THRESHOLD_RECENT / 0.5))
    assert threshold.interest_hours == pytest.approx((6 * 0.5 + (4 + 2) * 0.01) / 12)  # its incident hours a week
    assert threshold.currency == "USD"


def test_the_thresholds_likelihood_and_risk_by_hand(scored):
    scores, _ = scored
    b = scores[(BOT, "MLD401")].breakdown
    signals = {s["name"]: s for s in b["likelihood"]["signals"]}
    frequency = (2 * 1 + 1 * 0.02 + 1 * 0.02) / 12  # model-error intervals count fully, the others at relevance 0.02
    assert signals["incident_frequency"]["value"] == pytest.approx(frequency, abs=1e-4)
    assert signals["time_to_resolve"]["value"] == 3.0  # model-error: 6 h over 2 resolved intervals
    assert signals["ticket_volume"]["value"] == 1.0  # 12 tickets / 12 weeks
    assert signals["dissatisfaction"]["value"] == 0.4  # 4 of 10 answers below 0.5
    assert signals["satisfaction_drop"]["value"] == pytest.approx(0.9 - 0.56)  # mean 0.56 against 0.9 before
    assert b["likelihood"]["without_evidence"] == ["drift_share", "drift_duration", "churn"]
    likelihood = 1 - 0.95 * (1 - frequency / (frequency + 1)) * (1 - 3 / 7) * (1 - 1 / 6) * (1 - 0.4 / 0.65) * (
        1 - 0.34 / 0.44)
    assert b["likelihood"]["value"] == pytest.approx(likelihood, abs=1e-4)
    assert b["impact"]["value"] == 6.0  # medium 2 x (1 + facing + critical) x production 1 x no dependants
    assert scores[(BOT, "MLD401")].risk == pytest.approx(6.0 * likelihood)


def test_the_breakdown_names_the_evidence_behind_each_cost(scored):
    scores, _ = scored
    parts = {(p["kind"], p["category"]): p for p in scores[(BOT, "MLD401")].breakdown["interest"]["parts"]}
    assert parts[("incidents", "model-error")]["observed"] | {"incident_ids": None} == {
        "incidents": 1, "intervals": 2, "hours": 6.0, "recent_intervals": 2, "recent_hours": 6.0, "resolved": 2,
        "mean_hours_to_resolve": 3.0, "incident_ids": None}
    assert parts[("incidents", "api-mismatch")]["observed"]["hours"] == 4.0
    assert parts[("incidents", "latency")]["observed"]["resolved"] == 0
    assert parts[("revenue_at_risk", None)]["observed"] | {"order_ids": None} == {
        "orders": 3, "revenue": 700.0, "recent_orders": 1, "recent_revenue": 100.0, "order_ids": None}
    assert parts[("revenue_at_risk", None)]["observed"]["order_ids"] == ["1001", "1002", "1003"]
    assert parts[("tickets", "other")]["observed"]["tickets"] == 12
    assert parts[("dissatisfied_orders", None)]["observed"]["dissatisfied_order_value"] == 200.0
    assert {key: p["share"] for key, p in parts.items()} == {
        ("incidents", "model-error"): 0.5, ("incidents", "api-mismatch"): 0.01, ("incidents", "latency"): 0.01,
        ("tickets", "other"): 0.5, ("revenue_at_risk", None): 0.5, ("dissatisfied_orders", None): 0.5}
    assert {p["relation"] for p in parts.values()} == {"own"}


def test_the_intent_models_retrain_shares_the_bots_costs_and_drifts(scored):
    scores, _ = scored
    retrain = scores[(INTENT, "INV001")]
    assert retrain.priority == pytest.approx(THRESHOLD / 5)  # the same shares, over 5 h mid effort
    b = retrain.breakdown
    assert {p["relation"] for p in b["interest"]["parts"]} == {"upstream"}
    signals = {s["name"]: s for s in b["likelihood"]["signals"]}
    assert signals["drift_share"]["value"] == 0.6 and signals["drift_duration"]["value"] == 6.0
    assert b["impact"]["value"] == pytest.approx(4 * 2 * 1.1)  # high x facing x one dependant (the bot)


def test_the_deprecated_jobs_debt_claims_little_of_the_forecasts_incident_and_ranks_below_the_chatbot(scored):
    scores, _ = scored
    pool = 10 * 300 / 12  # 250 a week
    # weights: a data-quality incident names a dependency on a retiring component as a cause, so the forecast's
    # own item weighs 4 x 1 = 4; the export's items are code debt (0.02), upstream (x 0.5) and deprecated (x 0.2):
    # notebooks 4 x 0.02 x 0.5 x 0.2 = 0.008, TODO 1 x 0.02 x 0.5 x 0.2 = 0.002; total max(4, 0.01) + 0.01 = 4.01
    notebooks, todo = scores[(LEGACY, "MLD201")], scores[(LEGACY, "MLD301")]
    assert notebooks.interest_low == pytest.approx(pool * 0.008 / 4.01)  # 0.50 a week
    assert notebooks.priority == pytest.approx(pool * 0.008 / 4.01 / 1.0)  # over the mid effort of 0.5-1.5 h: 0.50
    drag = 0.1 * 0.5 * 26 / (365 / 7)  # a tenth of 0.5 h per change, 26 changes a year: 0.0249 h a week
    assert todo.interest_low == pytest.approx(pool * 0.002 / 4.01 + drag * 100)  # 0.12 + 2.49 = 2.62 a week
    assert todo.priority == pytest.approx((pool * 0.002 / 4.01 + drag * 100) / 0.5)  # 5.24
    assert todo.breakdown["interest"]["drag"]["changes_per_week"] == pytest.approx(26 / (365 / 7), abs=1e-4)
    migrate = scores[(FORECAST, "INV004")]
    assert migrate.interest_low == pytest.approx(pool * 4 / 4.01)  # 249.38 a week, over 8-40 h
    assert migrate.priority == pytest.approx(pool * 4 / 4.01 / 24)  # 10.39
    ranked = sorted(scores, key=lambda key: (-scores[key].priority, -scores[key].risk))
    assert ranked == [(BOT, "MLD401"), (INTENT, "INV001"), (FORECAST, "INV004"), (LEGACY, "MLD301"),
                      (LEGACY, "MLD201")]
    assert notebooks.breakdown["impact"]["lifecycle_weight"] == 0.2


def test_interest_of_all_items_adds_up_to_the_costs_they_explain(scored):
    scores, _ = scored
    total = sum(s.breakdown["interest"]["shared_per_week"] for s in scores.values())
    # the pools some item is relevant to in full; a fiftieth of the two bot incidents no item is relevant to
    # (174.17 + 3 + 250 = 427.17)
    assert total == pytest.approx(MATCHED + 0.02 * UNMATCHED + 10 * 300 / 12, abs=0.05)  # breakdowns round to cents


def test_an_item_with_an_impossible_effort_still_scores_finite_numbers(store):
    with store.session() as session:
        build(session)
        odd = DebtItemRow(id=10_000, component=BOT, category="model", severity="bogus", effort_low_hours=float("nan"),
                          effort_high_hours=-3.0, evidence=[{"kind": "finding", "ref": "x9"}, "junk"], rule_ids=[7])
        score = score_items(session, [odd], RATES, NOW)[10_000]
    assert score.breakdown["priority"]["effort_low_hours"] == 0.5 == score.breakdown["priority"]["effort_high_hours"]
    assert score.priority == pytest.approx(score.breakdown["interest"]["per_week"] / 0.5, abs=0.01)
    assert score.breakdown["impact"]["severity_weight"] == 2.0  # an unknown severity weighs as medium


def test_no_items_no_queries(store):
    with store.session() as session:
        assert score_items(session, [], RATES, NOW) == {}


def test_scoring_as_of_an_earlier_day_ignores_what_happened_after_it(store):
    with store.session() as session:
        items = build(session)
        earlier = NOW - dt.timedelta(days=7)
        scores = score_items(session, list(items.values()), RATES, earlier)
    parts = {(p["kind"], p["category"]): p for p in scores[items[(BOT, "MLD401")].id].breakdown["interest"]["parts"]}
    assert parts[("incidents", "model-error")]["observed"]["intervals"] == 1  # the 3-day-old one had not happened
    assert ("incidents", "latency") not in parts
    assert scores[items[(INTENT, "INV001")].id].breakdown["likelihood"]["without_evidence"][-3:] == [
        "drift_share", "drift_duration", "churn"]  # the run 8 days before NOW did not drift
