import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from mldebt.demo.events import load_demo_events
from mldebt.demo.orders import ORDERS_FILE, RecordedOrders, fill_demo_order_totals
from mldebt.demo.scenario import scenario_dir
from mldebt.errors import PayloadError, UserInputError
from mldebt.store.ingest_tables import StoreEventRow, TicketRow


def test_recorded_orders_answer_like_the_client_with_the_v2_money_strings():
    orders = RecordedOrders([{"id": 100000, "total_inc_tax": "82.6100", "currency_code": "USD", "status_id": 12},
                             {"id": 100001, "total_ex_tax": "10.0000"}])
    assert orders.order_totals(["100000", "100001", "999"]) == {"100000": 82.61, "100001": 10.0}
    with pytest.raises(PayloadError, match="order 7: total_inc_tax 'n/a' is not a money amount"):
        RecordedOrders([{"id": 7, "total_inc_tax": "n/a"}]).order_totals(["7"])


def test_a_recorded_orders_file_must_be_an_array_of_orders(tmp_path):
    (tmp_path / "orders.json").write_text('{"id": 1}')
    with pytest.raises(UserInputError, match="expected a JSON array of BigCommerce v2 orders"):
        RecordedOrders.from_file(tmp_path / "orders.json")


def test_the_storefront_has_a_recorded_order_for_every_order_its_tickets_and_events_name():
    records = json.loads((scenario_dir() / ORDERS_FILE).read_text())
    assert len(records) == 194
    assert {r["currency_code"] for r in records} == {"USD"}
    first = records[0]
    assert (first["id"], first["total_inc_tax"], first["status_id"], first["date_created"]) == (
        100000, "82.6100", 12, "Sat, 30 May 2026 06:36:35 +0000")


def test_demo_tickets_and_order_events_get_their_totals_once(store):
    scenario = scenario_dir()
    load_demo_events(store, scenario, dt.date(2026, 11, 25))
    assert fill_demo_order_totals(store, scenario) == 60 + 183  # tickets naming an order, order events
    assert fill_demo_order_totals(store, scenario) == 0
    with store.session() as session:
        bot = session.execute(select(func.count(TicketRow.order_total), func.sum(TicketRow.order_total))
                              .where(TicketRow.component == "order-bot-nlp")).one()
        assert (bot[0], round(bot[1], 2)) == (25, 2007.26)
        missing = (select(func.count()).select_from(StoreEventRow)
                   .where(StoreEventRow.scope.like("store/order/%"), StoreEventRow.order_total.is_(None)))
        assert session.scalar(missing) == 0


def test_orders_the_chatbot_misrouted_are_often_refunded_or_cancelled(store):
    records = {str(r["id"]): r for r in json.loads((scenario_dir() / ORDERS_FILE).read_text())}
    load_demo_events(store, scenario_dir(), dt.date(2026, 11, 25))
    with store.session() as session:
        ids = session.scalars(select(TicketRow.order_id).where(TicketRow.component == "order-bot-nlp",
                                                               TicketRow.order_id.is_not(None))).all()
    statuses = sorted(records[i]["status"] for i in set(ids))
    assert (len(ids), len(statuses)) == (25, 24)  # two tickets about order 100084
    assert statuses.count("Refunded") + statuses.count("Partially Refunded") + statuses.count("Cancelled") == 12
