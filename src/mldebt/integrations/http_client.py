"""The outbound HTTP seam shared by the Zigpoll and BigCommerce clients.

An `httpx.Client` with a `base_url` (tests point it at a local fake server that speaks the vendor's
documented format), plus waiting on 429: the wait a response asks for, else exponential back-off.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Self

import httpx

from mldebt.errors import MldebtError


class UpstreamError(MldebtError):
    """The source's API answered with an error or could not be reached."""

    code = "upstream_error"
    http_status = 502


class RetryingClient:
    """GET with retries on 429 (and connection errors); `wait_for(response)` says how long to wait."""

    def __init__(self, base_url: str, headers: Mapping[str, str], wait_for: Callable[[httpx.Response], float | None],
                 sleep: Callable[[float], None] = time.sleep, max_attempts: int = 6, timeout: float = 15.0) -> None:
        self.http = httpx.Client(base_url=base_url, headers=dict(headers), timeout=timeout)
        self.wait_for = wait_for
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.waits: list[float] = []

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        for attempt in range(self.max_attempts):
            try:
                response = self.http.get(path, params={k: v for k, v in (params or {}).items() if v is not None})
            except httpx.HTTPError as exc:
                if attempt + 1 == self.max_attempts:
                    raise UpstreamError(f"{self.http.base_url}{path}: {type(exc).__name__}: {exc}") from None
                self.wait(2.0 ** attempt)
                continue
            if response.status_code == 429 and attempt + 1 < self.max_attempts:
                asked = self.wait_for(response)
                self.wait(asked if asked is not None else 2.0 ** (attempt + 1))
                continue
            if response.status_code >= 400 and response.status_code != 404:
                raise UpstreamError(f"{response.request.url}: HTTP {response.status_code}: {response.text[:200]}")
            return response
        raise UpstreamError(f"{self.http.base_url}{path}: still rate limited after {self.max_attempts} attempts")

    def wait(self, seconds: float) -> None:
        seconds = max(0.0, min(seconds, 60.0))
        self.waits.append(seconds)
        self.sleep(seconds)

    def close(self) -> None:
        self.http.close()


class ApiClient:
    """A vendor API client over one `RetryingClient`: closes it, also as a context manager."""

    client: RetryingClient

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def header_number(response: httpx.Response, name: str) -> float | None:
    value = response.headers.get(name)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
