"""Shared fixtures: stores on SQLite and on a throwaway PostgreSQL cluster."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mldebt.store.database import Store, open_store
from tests.support.postgres import PostgresCluster, find_bindir

IN_CI = os.environ.get("CI", "").lower() == "true"


def missing_service(reason: str) -> None:
    """Skip locally; under CI=true a missing service is a failure, never a skip."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: services must be installed by scripts/ensure-services)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    bindir = find_bindir()
    if bindir is None:
        missing_service("PostgreSQL binaries not found (initdb); run scripts/ensure-services as root")
    cluster = PostgresCluster(bindir).start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mldebt.db'}"
    return request.getfixturevalue("pg_cluster").fresh_database()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated store, once on SQLite and once on PostgreSQL."""
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()
