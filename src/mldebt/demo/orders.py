"""The storefront's orders for the demo: recorded BigCommerce Orders v2 responses instead of a live store.

Revenue at risk needs order totals, which a webhook never carries (BigCommerce's payloads are
light: scope and id). A real installation looks them up with `BigCommerceClient`; the demo has no
store to ask, so `examples/storefront/events/bigcommerce-orders.json` holds the `GET
/v2/orders/{id}` responses of every order its tickets and order events name (written by
`scripts/make-storefront-events`: 4-decimal money strings, RFC-2822 dates, `status_id`). They are
read with the client's own parser and filled in by the same `service.pull.fill_order_totals`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mldebt.errors import UserInputError
from mldebt.ingest.bigcommerce import order_total
from mldebt.service.pull import fill_order_totals
from mldebt.store.database import Store

ORDERS_FILE = Path("events") / "bigcommerce-orders.json"


class RecordedOrders:
    """Answers `order_totals(ids)` like `BigCommerceClient`, from recorded responses (unknown ids left out)."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self._records = {str(record.get("id")): record for record in records}

    @classmethod
    def from_file(cls, path: Path) -> RecordedOrders:
        records = json.loads(path.read_text("utf-8"))
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise UserInputError(f"{path}: expected a JSON array of BigCommerce v2 orders")
        return cls(records)

    def order_totals(self, order_ids: list[str]) -> dict[str, float]:
        totals = {}
        for order_id in order_ids:
            record = self._records.get(order_id)
            if record is not None:
                found, total, _ = order_total(record)
                totals[found] = total
        return totals


def fill_demo_order_totals(store: Store, scenario: Path) -> int:
    """Give the demo's tickets and order events their order totals; returns how many rows got one."""
    path = scenario / ORDERS_FILE
    if not path.is_file():
        return 0
    return fill_order_totals(store, RecordedOrders.from_file(path))
