from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.alertmanager import alertmanager_factory
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


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator:
    """A real Alertmanager routing to the mldebt server given to `start(url, token)`."""
    yield from alertmanager_factory(tmp_path)
