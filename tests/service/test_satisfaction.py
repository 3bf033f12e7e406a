import datetime as dt

from mldebt.service.satisfaction import sync_satisfaction
from mldebt.store.findings import open_findings
from mldebt.store.ingest_tables import FeedbackRow

NOW = dt.datetime(2026, 11, 25, 23, 59, 59, tzinfo=dt.UTC)


def add_answers(store, component, scores, days_ago, prefix):
    with store.session() as session:
        session.add_all(FeedbackRow(response_id=f"{prefix}-{n}", poll_id="p1", answer=str(score), value_type="rating",
                                    score=score, component=component, order_value=50.0 if score == 0.0 else None,
                                    attributes={}, created_at=NOW - dt.timedelta(days=days_ago, minutes=n))
                        for n, score in enumerate(scores))


def test_a_satisfaction_drop_is_stored_once_and_fixed_when_shoppers_are_happy_again(store):
    add_answers(store, "order-bot-nlp", [0.0] * 8 + [0.75] * 16, 2, "cur")     # mean 12 / 24 = 0.5
    add_answers(store, "order-bot-nlp", [0.75] * 20, 45, "prev")               # mean 0.75
    add_answers(store, None, [0.0] * 30, 2, "unlinked")                        # no component: not judged
    findings, result = sync_satisfaction(store, NOW)
    assert [(f.rule_id, f.component, str(f.severity)) for f in findings] == [("FB001", "order-bot-nlp", "high")]
    assert findings[0].evidence["current"] == {"responses": 24, "mean": 0.5, "low_score_share": 0.3333,
                                               "low_score_order_value": 400.0}
    assert len(result.new) == 1
    with store.session() as session:
        [row] = open_findings(session, source="feedback")
        assert (row.scope, row.rule_id, row.component, row.severity) == ("feedback", "FB001", "order-bot-nlp", "high")
    _, again = sync_satisfaction(store, NOW)
    assert (again.new, again.still_open) == ([], 1)
    add_answers(store, "order-bot-nlp", [1.0] * 40, -20, "later")  # 20 days after NOW: a happier month
    _, recovered = sync_satisfaction(store, NOW + dt.timedelta(days=29))
    assert recovered.fixed == [findings[0].fingerprint]
    with store.session() as session:
        assert open_findings(session, source="feedback") == []
