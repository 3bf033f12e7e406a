"""Schemathesis against the published OpenAPI spec of a real `mldebt serve`: no 5xx, one error shape."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from mldebt.service.tokens import create_api_token
from mldebt.store.database import open_store
from tests.support.server import ServerProcess


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("openapi")
    url = f"sqlite:///{workdir / 'api.db'}"
    store = open_store(url)
    token = create_api_token(store, "admin", "fuzz")["token"]
    store.close()
    server = ServerProcess(url, workdir).start()
    yield server, token
    server.stop()


def fuzz(operation, generation, base_url: str, token: str):
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy(generation_mode=generation))
    def check(case):
        response = case.call(base_url=base_url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, f"{operation.label}: {response.text[:300]}"
        if response.status_code >= 400:
            body = response.json()
            assert list(body) == ["error"] and set(body["error"]) == {"code", "message", "details"}

    return check


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_never_answers_5xx_and_errors_have_one_shape(served, mode):
    server, token = served
    schema = schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json",
                                           headers={"Authorization": f"Bearer {token}"})  # the document needs one
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    fuzzed = 0
    for operation in operations:
        try:
            fuzz(operation, mode, server.url, token)()
        except Unsatisfiable:
            assert mode == GenerationMode.NEGATIVE  # nothing to make invalid in an operation without inputs
            continue
        fuzzed += 1
    assert fuzzed >= 8
