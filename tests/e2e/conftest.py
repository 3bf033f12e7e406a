from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import ServerProcess


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator:
    started: list[ServerProcess] = []

    def start(database_url: str, **kwargs) -> ServerProcess:
        server = ServerProcess(database_url, tmp_path, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
