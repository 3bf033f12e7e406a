"""Local fake Zigpoll and BigCommerce servers speaking their documented wire formats.

They serve the recorded fixture payloads under tests/fixtures/ingest/, check credentials the way
the vendors do, and answer 429 once (with the vendor's rate-limit headers) so that clients prove
they wait and retry. Each runs `http.server` on a free 127.0.0.1 port in a thread.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from mldebt.ingest.common import timestamp
from tests.support.webhooks import fixture_json


class FakeServer:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
        server = self

        class Bound(handler):  # type: ignore[misc, valid-type]
            fake = server

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Bound)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeServer
    throttled = False

    def log_message(self, *_: Any) -> None:
        pass

    def _record(self) -> tuple[str, dict[str, list[str]]]:
        parsed = urlparse(self.path)
        query = parse_qs(parsed.query)
        self.fake.requests.append((parsed.path, query, {k.lower(): v for k, v in self.headers.items()}))
        return parsed.path, query

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _throttle_once(self, headers: dict[str, str]) -> bool:
        if type(self).throttled:
            return False
        type(self).throttled = True
        self._send(429, {"status": 429, "title": "Too many requests"}, headers)
        return True


class ZigpollHandler(_Handler):
    """`GET /responses?pollId&limit&startCursor&createdAfter` -> {data, hasNextPage, endCursor}."""

    api_key = "zp-api-key"

    def do_GET(self) -> None:
        path, query = self._record()
        if self.headers.get("Authorization") not in (self.api_key, f"Bearer {self.api_key}"):
            return self._send(401, {"message": "Unauthorized"})
        if path != "/responses":
            return self._send(404, {"message": "Not found"})
        if self._throttle_once({"retry-after": "0"}):
            return None
        name = "zigpoll_responses_page2.json" if "startCursor" in query else "zigpoll_responses_page1.json"
        page = fixture_json(name)
        after = int(query.get("createdAfter", ["0"])[0])
        page["data"] = [r for r in page["data"] if timestamp(r["createdAt"], "createdAt").timestamp() * 1000 > after]
        return self._send(200, page)


class BigCommerceHandler(_Handler):
    """v3 catalog products (meta.pagination), v2 orders (bare arrays, 204 past the end), X-Auth-Token."""

    store_hash = "n0rthw1nd"
    token = "bc-token"

    def do_GET(self) -> None:
        path, query = self._record()
        if self.headers.get("X-Auth-Token") != self.token:
            return self._send(401, [{"status": 401, "message": "You are not authorized"}])
        limits = {"X-Rate-Limit-Requests-Left": "149", "X-Rate-Limit-Requests-Quota": "150",
                  "X-Rate-Limit-Time-Window-Ms": "30000", "X-Rate-Limit-Time-Reset-Ms": "15"}
        if self._throttle_once({**limits, "X-Rate-Limit-Requests-Left": "0"}):
            return None
        prefix = f"/stores/{self.store_hash}"
        page = int(query.get("page", ["1"])[0])
        orders = fixture_json("bigcommerce_orders_page1.json")
        if path == f"{prefix}/v3/catalog/products":
            return self._send(200, fixture_json(f"bigcommerce_products_page{page}.json"), limits)
        if path == f"{prefix}/v2/orders":
            return self._send(200, orders, limits) if page == 1 else self._send(204, None, limits)
        if path.startswith(f"{prefix}/v2/orders/"):
            wanted = path.rsplit("/", 1)[1]
            found = [o for o in orders if str(o["id"]) == wanted]
            return self._send(200, found[0], limits) if found else self._send(404, [{"status": 404}], limits)
        return self._send(404, [{"status": 404}])
