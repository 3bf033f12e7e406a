import datetime as dt

from sqlalchemy import func, select

from mldebt.demo.events import load_demo_events
from mldebt.demo.scenario import scenario_dir
from mldebt.store.ingest_tables import IncidentRow, RawEventRow


def test_storefront_events_load_through_the_parsers_once(store):
    first = load_demo_events(store, scenario_dir(), dt.date(2026, 11, 25))
    assert {r.source: r.statuses for r in first.loaded} == {
        "sentry": {"parsed": 46}, "alertmanager": {"parsed": 52}, "zendesk": {"parsed": 196},
        "zigpoll": {"parsed": 250}, "bigcommerce": {"parsed": 243}}
    by_component = {r.group: r for r in first.mttr}
    assert set(by_component) == {"(unlinked)", "demand-forecast", "fraud-model", "order-bot-nlp", "recs-api"}
    assert by_component["recs-api"].resolved == 21
    assert [f.component for f in first.recurring] == ["recs-api"]
    again = load_demo_events(store, scenario_dir(), dt.date(2026, 11, 25))
    assert {r.source: r.statuses for r in again.loaded}["sentry"] == {"duplicate": 46}
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(IncidentRow)) == 10
        assert session.scalar(select(func.count()).select_from(RawEventRow)) == 2 * 787
