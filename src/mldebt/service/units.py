"""Units of work: how a use case that runs outside the event loop writes to the store.

A monitor run is slow work (reading tables, querying Prometheus, posting alerts) with short writes in
between. It takes a `Units` callable and hands it each write as `work(session)`: the CLI runs the
work in its own transaction (`direct_units`); `mldebt serve` runs the monitors in a worker thread and
hands each write to the server's one writer (`GroupCommitWriter.units_from_thread`), so no
transaction of another thread holds SQLite's write lock while a webhook waits, and nothing slow runs
inside a transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from mldebt.store.database import Store

T = TypeVar("T")


class Units(Protocol):
    def __call__(self, work: Callable[[Session], T], /) -> T:
        """Run `work(session)` as one transaction: committed when it returns, rolled back when it raises."""
        ...


def direct_units(store: Store) -> Units:
    """Each unit in its own `store.session()` transaction (the CLI, tests)."""

    def run(work: Callable[[Session], T]) -> T:
        with store.session() as session:
            return work(session)

    return run
