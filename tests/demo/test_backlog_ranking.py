"""The storefront's ranked backlog: the misrouting chatbot's debt above the deprecated analytics job's,
for reasons its breakdown shows (incidents, tickets, dissatisfied shoppers), never by a special case."""

import datetime as dt

import pytest

from mldebt.demo.scenario import load_demo
from mldebt.service.backlog import backlog_page
from mldebt.store.database import open_store

CHATBOT = {"order-bot-nlp", "order-intent-model"}
LEGACY = "legacy-analytics-export"


@pytest.fixture(scope="module")
def demo_backlog(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)  # the demo writes its generated data under ./.mldebt
        store = open_store(f"sqlite:///{folder / 'demo.db'}")
        try:
            first = load_demo(store, dt.date(2026, 11, 25))
            again = load_demo(store, dt.date(2026, 11, 25))
            items, total = backlog_page(store, limit=500)
        finally:
            store.close()
    return first, again, items, total


def test_the_chatbots_debt_ranks_above_the_deprecated_analytics_jobs(demo_backlog):
    _, _, items, total = demo_backlog
    assert len(items) == total
    chatbot = [i for i in items if i["component"] in CHATBOT]
    legacy = [i for i in items if i["component"] == LEGACY]
    assert [i["title"] for i in legacy] == [  # the scanner's findings in jobs/analytics_export
        "Deprecated library APIs in legacy-analytics-export (2 findings)",
        "Acknowledged debt (TODO/FIXME/HACK) in legacy-analytics-export",
        "End-of-support ML framework in legacy-analytics-export"]
    top = chatbot[0]
    assert top["title"] == "Deprecated BigCommerce endpoints in order-bot-nlp"
    assert items.index(top) < min(items.index(i) for i in legacy)
    assert top["priority"]["value"] > 50 * max(i["priority"]["value"] for i in legacy)
    chatbot_interest = sum(i["interest"]["high"] for i in chatbot)
    legacy_interest = sum(i["interest"]["high"] for i in legacy)
    assert chatbot_interest > 20 * legacy_interest


def test_the_chatbots_top_item_is_explained_by_its_own_incidents_tickets_and_shoppers(demo_backlog):
    _, _, items, _ = demo_backlog
    top = next(i for i in items if i["component"] in CHATBOT)
    parts = {(p["kind"], p["category"]) for p in top["breakdown"]["interest"]["parts"] if p["per_week"] > 0}
    assert ("incidents", "api-mismatch") in parts  # KeyError 'shipping_status' from the deprecated v2 API
    assert top["breakdown"]["reasons"][0].startswith("order-bot-nlp incidents (api-mismatch)")
    assert top["breakdown"]["impact"]["customer_facing"] and top["breakdown"]["impact"]["revenue_critical"]
    assert {s["name"] for s in top["breakdown"]["likelihood"]["signals"]} >= {"incident_frequency", "ticket_volume"}


def test_the_deprecated_jobs_debt_has_no_evidence_of_harm_of_its_own(demo_backlog):
    _, _, items, _ = demo_backlog
    for item in (i for i in items if i["component"] == LEGACY):
        own = [p for p in item["breakdown"]["interest"]["parts"] if p["relation"] == "own"]
        assert own == []  # no incident, ticket, order or poll answer names the job
        assert item["breakdown"]["impact"]["lifecycle"] == "deprecated"
        assert item["risk"] < 0.5


def test_loading_the_demo_again_changes_no_item(demo_backlog):
    first, again, _, total = demo_backlog
    assert first.backlog is not None and again.backlog is not None
    assert len(first.backlog.created) == total == 34
    assert (again.backlog.created, again.backlog.resolved, again.backlog.reopened) == ([], [], [])
