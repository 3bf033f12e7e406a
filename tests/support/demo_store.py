"""The storefront scenario loaded once per test module, on SQLite and on PostgreSQL.

Loading the demo takes seconds, so modules that only read it share one store:
`demo_store = pytest.fixture(scope="module", params=BACKENDS)(demo_store_fixture)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from mldebt.demo.events import end_of_day
from mldebt.demo.scenario import load_demo
from mldebt.store.database import Store, open_store

AS_OF = dt.date(2026, 11, 25)
NOW = end_of_day(AS_OF)  # the moment the demo's backlog was scored: pages and views are read at it
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def demo_store_fixture(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("demo")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'demo.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").fresh_database()
    store = open_store(url)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(folder)  # the demo writes its generated data under ./.mldebt
            load_demo(store, AS_OF)
        yield store
    finally:
        store.close()
