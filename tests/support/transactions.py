"""Watching a store's engine: which threads have a transaction open, and which threads write.

Built on SQLAlchemy's engine events (begin / commit / rollback, before_cursor_execute), so it sees
every transaction and statement of the engine whatever code opened it, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, event

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class EngineWatch:
    """`open_here()`: transactions open in the calling thread; `writer_threads`: threads that wrote."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._open: dict[int, set[int]] = {}
        self._lock = threading.Lock()
        self.writer_threads: set[str] = set()
        self._listeners = [("begin", self._begin), ("commit", self._end), ("rollback", self._end),
                           ("before_cursor_execute", self._statement)]
        for name, listener in self._listeners:
            event.listen(engine, name, listener)

    def close(self) -> None:
        for name, listener in self._listeners:
            event.remove(self.engine, name, listener)

    def open_here(self) -> int:
        with self._lock:
            return len(self._open.get(threading.get_ident(), set()))

    def _begin(self, connection: Any) -> None:
        with self._lock:
            self._open.setdefault(threading.get_ident(), set()).add(id(connection))

    def _end(self, connection: Any) -> None:
        with self._lock:
            for connections in self._open.values():
                connections.discard(id(connection))

    def _statement(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(WRITES):
            self.writer_threads.add(threading.current_thread().name)


def watched_client(request: Any, client: Any, engine: Engine) -> tuple[EngineWatch, list[int]]:
    """Watch `engine` and record, at each HTTP request `client` sends, how many transactions the
    sending thread holds open (0 is the rule: no outbound HTTP inside a transaction). Both are
    closed with the test (`request.addfinalizer`)."""
    request.addfinalizer(client.close)
    watch = EngineWatch(engine)
    request.addfinalizer(watch.close)
    open_at_request: list[int] = []
    client.client.http.event_hooks["request"] = [lambda _: open_at_request.append(watch.open_here())]
    return watch, open_at_request
