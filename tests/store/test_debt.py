import datetime as dt

from mldebt.store.debt import add_item, change_item, get_item, item_history, list_items

T0 = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


def values(key: str, component: str = "svc", priority: float = 0.0, risk: float = 0.0,
           status: str = "open", category: str = "code") -> dict[str, object]:
    return {"key": key, "title": f"item {key}", "category": category, "component": component, "source": "scan",
            "severity": "medium", "status": status, "effort_low_hours": 1.0, "effort_high_hours": 3.0,
            "evidence": [], "evidence_count": 0, "rule_ids": [], "first_seen_at": T0, "priority": priority,
            "risk": risk}


def test_an_item_keeps_who_created_and_changed_what_and_when(store):
    with store.session() as s:
        item_id = add_item(s, values("k1"), "cli:priya", T0).id
    with store.session() as s:
        row = get_item(s, item_id)
        assert row is not None
        changed = change_item(s, row, {"status": "planned", "owner": "marco", "priority": 9.0}, "token:ops", T1,
                              note="next sprint")
        assert changed == {"status": ["open", "planned"], "owner": [None, "marco"]}  # scores are not history
        assert change_item(s, row, {"status": "planned"}, "token:ops", T1) == {}  # no change, no entry
    with store.session() as s:
        history = [(h.action, h.actor, h.changes, h.note, h.at) for h in item_history(s, item_id)]
        row = get_item(s, item_id)
        assert row is not None and row.updated_at == T1 and row.created_by == "cli:priya"
    assert history[0][:2] == ("created", "cli:priya")
    assert history[0][2]["first_seen_at"] == [None, "2026-11-01T09:30:00+00:00"]
    assert history[1] == ("updated", "token:ops", {"status": ["open", "planned"], "owner": [None, "marco"]},
                          "next sprint", T1)
    assert len(history) == 2


def test_the_list_is_by_priority_then_risk_and_shows_active_items_unless_asked(store):
    with store.session() as s:
        add_item(s, values("a", priority=2.0, risk=1.0), "t", T0)
        add_item(s, values("b", priority=5.0, risk=1.0), "t", T0)
        add_item(s, values("c", priority=2.0, risk=7.0, component="other"), "t", T0)
        add_item(s, values("d", priority=99.0, status="resolved"), "t", T0)
        add_item(s, values("e", priority=1.0, status="accepted", category="data"), "t", T0)
    with store.session() as s:
        rows, total = list_items(s)
        assert ([r.key for r in rows], total) == (["b", "c", "a"], 3)
        rows, total = list_items(s, limit=1, offset=1)
        assert ([r.key for r in rows], total) == (["c"], 3)
        rows, _ = list_items(s, statuses=["resolved", "accepted"])
        assert [r.key for r in rows] == ["d", "e"]
        assert [r.key for r in list_items(s, component="other")[0]] == ["c"]
        assert [r.key for r in list_items(s, category="data", statuses=["accepted"])[0]] == ["e"]
