"""BigCommerce REST client: v3 catalog products (paginated by `meta.pagination`), v2 orders (bare arrays).

Authentication is `X-Auth-Token`. On 429 it waits `X-Rate-Limit-Time-Reset-Ms`; a 429 without it
means platform load, so it backs off exponentially. When `X-Rate-Limit-Requests-Left` reaches 0 it
waits for the window to reset before the next call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from mldebt.ingest.bigcommerce import order_total
from mldebt.integrations.http_client import ApiClient, RetryingClient, UpstreamError, header_number

PAGE_LIMIT = 250


class BigCommerceClient(ApiClient):
    def __init__(self, base_url: str, store_hash: str, token: str,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = RetryingClient(f"{base_url.rstrip('/')}/stores/{store_hash}",
                                     {"X-Auth-Token": token, "Accept": "application/json"}, _reset_seconds, sleep)

    def _get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        response = self.client.get(path, params)
        left = header_number(response, "x-rate-limit-requests-left")
        if left is not None and left <= 0:
            self.client.wait(_reset_seconds(response) or 1.0)
        return response

    def products(self, limit: int = PAGE_LIMIT) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            body = self._get("/v3/catalog/products", {"page": page, "limit": min(limit, PAGE_LIMIT)}).json()
            yield from body.get("data", [])
            pagination = body.get("meta", {}).get("pagination", {})
            if page >= int(pagination.get("total_pages", page)):
                return
            page += 1

    def orders(self, min_date_modified: str | None = None, limit: int = PAGE_LIMIT) -> Iterator[dict[str, Any]]:
        """v2 orders, page by page; an empty body, 204 or empty array ends the listing."""
        page = 1
        while True:
            response = self._get("/v2/orders", {"min_date_modified": min_date_modified, "page": page,
                                                "limit": min(limit, PAGE_LIMIT)})
            if response.status_code == 204 or not response.content.strip():
                return
            batch = response.json()
            if not isinstance(batch, list):
                raise UpstreamError("BigCommerce /v2/orders did not answer a JSON array")
            yield from batch
            if len(batch) < limit:
                return
            page += 1

    def order_totals(self, order_ids: list[str]) -> dict[str, float]:
        """Totals (including tax) of the given orders; unknown orders are left out."""
        totals = {}
        for order_id in order_ids:
            response = self._get(f"/v2/orders/{order_id}")
            if response.status_code in (204, 404) or not response.content.strip():
                continue
            found, total, _ = order_total(response.json())
            totals[found] = total
        return totals


def _reset_seconds(response: httpx.Response) -> float | None:
    reset = header_number(response, "x-rate-limit-time-reset-ms")
    return reset / 1000.0 if reset is not None else None
