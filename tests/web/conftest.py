"""An ASGI client of the app over the `store` fixture (SQLite and PostgreSQL), with the storefront's rules."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mldebt.service.linker import Linker
from mldebt.service.tokens import create_api_token
from mldebt.store.database import Store
from mldebt.web.app import create_app
from tests.support.webhooks import SECRETS, signed_headers

STOREFRONT = Path(__file__).resolve().parents[2] / "examples" / "storefront" / "mldebt.yaml"


@pytest.fixture
def linker() -> Linker:
    from mldebt.service.catalog import require_catalog

    return Linker.from_catalog(require_catalog(STOREFRONT))


@pytest.fixture
def client(store: Store, linker: Linker) -> Iterator[TestClient]:
    with TestClient(create_app(store, linker, SECRETS), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def token(store: Store):
    def make(role: str = "viewer") -> dict[str, str]:
        return {"authorization": f"Bearer {create_api_token(store, role, 'test')['token']}"}

    return make


def post_hook(client: TestClient, source: str, body: bytes, **kwargs):
    """Post a signed delivery and wait until what it says is applied (the answer comes once it is stored)."""
    response = client.post(f"/hooks/{source}", content=body, headers=signed_headers(source, body, **kwargs))
    settle(client)
    return response


def settle(client: TestClient, timeout: float = 10.0) -> None:
    """Wait until the server's writer has stored and applied everything it was given."""
    deadline = time.monotonic() + timeout
    while client.get("/healthz").json()["writer"]["unsettled"]:
        assert time.monotonic() < deadline, "the writer did not settle"
        time.sleep(0.002)
