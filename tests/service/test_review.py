"""Quarterly reviews: frozen once, and the next quarter's `previous` comes from the frozen numbers."""

import pytest

from mldebt.errors import ConflictError, NotFoundError
from mldebt.service import review
from mldebt.service.kpis import compute_kpis
from mldebt.service.review import freeze_review, get_review, list_reviews
from tests.support import kpi_store as build
from tests.support.kpi_store import at

Q3_END = at(10, 2, 9)  # the review of 2026Q3, the day after it ended
LATER = at(12, 2, 3)


def load(store):
    with store.session() as s:
        build.component(s, "recs-api", "service", customer_facing=True)
        build.incident(s, "recs-api", (at(9, 15, 8), at(9, 15, 12)))  # 4 h in Q3
        build.ticket(s, "recs-api", at(9, 1))
        build.debt_item(s, "recs-api", at(9, 1), effort=(2, 4), interest=(10, 30, 0.5), priority=5.0)
        build.debt_item(s, "recs-api", at(9, 2), priority=9.0)


def test_freezing_stores_the_kpis_and_the_active_backlog_in_priority_order(store):
    load(store)
    frozen = freeze_review(store, "2026Q3", Q3_END, "ana")
    assert (frozen["quarter"], frozen["taken_at"], frozen["actor"]) == ("2026Q3", "2026-10-02T09:00:00+00:00", "ana")
    # the KPIs as computed at the freeze; computed again, they also say the quarter is frozen
    assert frozen["kpis"]["frozen"] is None
    assert frozen["kpis"] | {"frozen": {"taken_at": "2026-10-02T09:00:00+00:00", "actor": "ana"}} == compute_kpis(
        store, "2026Q3", Q3_END).to_dict()
    backlog = frozen["backlog"]
    assert (backlog["total"], [i["priority"] for i in backlog["items"]]) == (2, [9.0, 5.0])
    first = backlog["items"][1]
    assert {k: first[k] for k in ("component", "status", "effort_low_hours", "effort_high_hours", "interest_low",
                                  "interest_high", "interest_hours", "first_seen_at")} == {
        "component": "recs-api", "status": "open", "effort_low_hours": 2.0, "effort_high_hours": 4.0,
        "interest_low": 10.0, "interest_high": 30.0, "interest_hours": 0.5,
        "first_seen_at": "2026-09-01T00:00:00+00:00"}
    assert get_review(store, "2026Q3") == frozen


def test_freezing_a_frozen_quarter_is_a_conflict_naming_when_and_by_whom(store):
    load(store)
    freeze_review(store, "2026Q3", Q3_END, "ana")
    with pytest.raises(ConflictError) as raised:
        freeze_review(store, "2026q3", LATER, "bob")
    assert str(raised.value) == ("quarter 2026Q3 was already frozen on 2026-10-02 09:00 UTC by ana; a frozen review "
                                 "cannot be rewritten")
    assert (raised.value.http_status, raised.value.exit_code) == (409, 2)
    assert [(r["quarter"], r["actor"], r["backlog"]) for r in list_reviews(store)] == [("2026Q3", "ana", {"total": 2})]


def test_previous_comes_from_the_snapshot_not_from_data_edited_after_it(store):
    load(store)
    freeze_review(store, "2026Q3", Q3_END, "ana")
    with store.session() as s:  # after the review: a late Q3 incident of 10 h, a late Q3 ticket
        build.incident(s, "recs-api", (at(9, 20, 0), at(9, 20, 10)))
        build.ticket(s, "recs-api", at(9, 2))
    report = compute_kpis(store, "2026Q4", LATER).to_dict()
    previous = {k["id"]: k["previous"] for k in report["kpis"]}
    assert report["previous"] == {"quarter": "2026Q3", "source": "snapshot", "taken_at": "2026-10-02T09:00:00+00:00"}
    assert (previous["mttr_ai_incidents"], previous["ai_linked_tickets"], previous["open_debt"]) == (4.0, 1, 2)
    recomputed = {k["id"]: k["value"] for k in compute_kpis(store, "2026Q3", LATER).to_dict()["kpis"]}
    assert (recomputed["mttr_ai_incidents"], recomputed["ai_linked_tickets"]) == (7.0, 2)  # (4 + 10) / 2


def test_a_quarter_never_frozen_is_not_found(store):
    with pytest.raises(NotFoundError, match="quarter 2026Q2 has not been frozen"):
        get_review(store, "2026Q2")
    assert list_reviews(store) == []


def test_a_freeze_racing_another_one_loses_with_the_same_conflict(store, monkeypatch):
    load(store)
    real = review._frozen
    calls = []

    def not_yet_frozen(session, quarter):  # the two checks see nothing: the other process commits in between
        calls.append(quarter)
        return None if len(calls) <= 2 else real(session, quarter)

    monkeypatch.setattr(review, "_frozen", not_yet_frozen)
    monkeypatch.setattr(review, "compute_kpis", lambda *args: _freeze_elsewhere(store, args))
    with pytest.raises(ConflictError, match="quarter 2026Q3 was already frozen on 2026-10-02 08:00 UTC by bob"):
        freeze_review(store, "2026Q3", Q3_END, "ana")
    assert [r["actor"] for r in list_reviews(store)] == ["bob"]


def _freeze_elsewhere(store, args):
    with store.session() as s:
        s.add(review.ReviewSnapshotRow(quarter="2026Q3", taken_at=at(10, 2, 8), actor="bob", kpis={}, backlog={}))
    return compute_kpis(*args)


def test_a_kpi_missing_from_an_older_snapshot_is_computed_for_the_previous_quarter(store):
    load(store)
    with store.session() as s:  # frozen before ai_linked_tickets existed, with an MTTR that differs from the data
        s.add(review.ReviewSnapshotRow(quarter="2026Q3", taken_at=Q3_END, actor="ana", backlog={},
                                       kpis={"kpis": [{"id": "mttr_ai_incidents", "value": 9.5}]}))
    previous = {k["id"]: k["previous"] for k in compute_kpis(store, "2026Q4", LATER).to_dict()["kpis"]}
    assert (previous["mttr_ai_incidents"], previous["ai_linked_tickets"]) == (9.5, 1)
