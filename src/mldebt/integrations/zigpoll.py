"""Zigpoll REST client: `/responses` with cursor pagination and `createdAfter`, retrying 429s.

The API key goes in the `Authorization` header, raw or as `Bearer <key>` (`bearer=True`), since
vendor code shows both. `retry-after` (seconds) is honoured on 429.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from mldebt.integrations.http_client import ApiClient, RetryingClient, UpstreamError, header_number

PAGE_LIMIT = 1000


class ZigpollClient(ApiClient):
    def __init__(self, base_url: str, api_key: str, bearer: bool = False,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        auth = f"Bearer {api_key}" if bearer else api_key
        self.client = RetryingClient(base_url, {"Authorization": auth, "Accept": "application/json"},
                                     _retry_after, sleep)

    def responses(self, poll_id: str | None = None, account_id: str | None = None,
                  created_after: dt.datetime | None = None, limit: int = PAGE_LIMIT) -> Iterator[dict[str, Any]]:
        """Every response record, page by page, oldest cursor first."""
        params: dict[str, Any] = {"pollId": poll_id, "accountId": account_id, "limit": min(limit, PAGE_LIMIT),
                                  "createdAfter": int(created_after.timestamp() * 1000) if created_after else None}
        while True:
            page = self.client.get("/responses", params).json()
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                raise UpstreamError("Zigpoll /responses did not answer {data, hasNextPage, endCursor}")
            yield from (record for record in page["data"] if isinstance(record, dict))
            cursor = page.get("endCursor")
            if not page.get("hasNextPage") or not cursor:
                return
            params["startCursor"] = cursor


def _retry_after(response: httpx.Response) -> float | None:
    return header_number(response, "retry-after")
