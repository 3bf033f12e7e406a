"""The writer the web server hands deliveries to: group commit to store, then apply right after.

Two tasks on the server's event loop:
- the *storer* takes every delivery waiting at that moment and stores them in one transaction
  (delivery keys claimed, raw events appended); each `submit` resolves once that transaction has
  committed, so a 2xx always means "stored durably, and counted once";
- the *applier* then applies what the stored deliveries say (incidents, tickets, feedback, store
  events) in its own transactions, again a whole backlog at a time, and marks them `parsed`.

Why two: applying is most of a batch's database work (locks, reads, several inserts). Doing it
before the answer made every sender wait for it; on PostgreSQL at a steady 1,000 deliveries/s that
put p99 at 50-150 ms, storing alone at 11-16 ms (benchmarks/ingest_bench.py). A delivery stored but
not yet applied when the process dies stays `accepted` (without error) and is applied by
`recover_unapplied` at the next start; applying one twice is harmless (lifecycle rules ignore
repeated signals, feedback and store events are unique by key, tickets keep the newest version).

SQLite: both run on the loop itself, as measured fastest (a worker thread per batch made two
CPU-bound threads fight over the GIL); one writer per SQLite file. PostgreSQL: through SQLAlchemy's
asyncio bridge (asyncpg), so the loop serves requests while the server works on a batch.
A batch that fails to store is retried one delivery at a time, and one that cannot be stored even
alone is recorded as `failed` with the storage error; a batch that fails to apply is retried with a
savepoint per delivery. One poisonous delivery cannot fail the others.

Every other write of the server goes through the writer too, so that there is one writer per
store: a Zigpoll pull fetches in a worker thread with no transaction open and hands its records to
`submit_from_thread` (group-committed and applied like webhook deliveries); replay, an incident
linked by hand and a new API token run as units of work (`run`, `run_use_case`), one at a time, in
the writer's own transaction. On SQLite that keeps every write on the event loop's thread, so no
transaction of another thread holds the file's write lock while a webhook waits for its answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from mldebt.errors import StoreError
from mldebt.service.ingest import Outcome, Prepared, apply_stored, store_batch
from mldebt.service.linker import Linker
from mldebt.store.database import Store
from mldebt.store.raw_events import FAILED

MAX_BATCH = 500
_SYNCHRONOUS = {True: "PRAGMA synchronous=FULL", False: "PRAGMA synchronous=NORMAL"}
log = logging.getLogger("mldebt.writer")
T = TypeVar("T")


class GroupCommitWriter:
    def __init__(self, store: Store, linker: Linker, max_batch: int = MAX_BATCH) -> None:
        self.store = store
        self.linker = linker
        self.max_batch = max_batch
        self._incoming: asyncio.Queue[tuple[Prepared, asyncio.Future[Outcome]]] = asyncio.Queue()
        self._stored: asyncio.Queue[Outcome] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._async_engine = store.async_engine()
        self._sqlite = store.engine.dialect.name == "sqlite"
        self._units = asyncio.Lock()  # units of work take turns
        self._loop: asyncio.AbstractEventLoop | None = None
        self.batches = self.deliveries = self.apply_batches = self.applied = self.units = 0
        self.busy_seconds = self.apply_seconds = self.unit_seconds = 0.0
        self.unsettled = 0  # submitted, not yet stored or (when accepted) not yet applied

    def stats(self) -> dict[str, float]:
        return {"batches": self.batches, "deliveries": self.deliveries, "busy_seconds": round(self.busy_seconds, 3),
                "apply_batches": self.apply_batches, "applied": self.applied,
                "apply_seconds": round(self.apply_seconds, 3), "queued": self._incoming.qsize(),
                "unsettled": self.unsettled, "units": self.units, "unit_seconds": round(self.unit_seconds, 3)}

    def start(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._store_loop(), name="mldebt-storer"),
                       loop.create_task(self._apply_loop(), name="mldebt-applier")]

    async def settled(self) -> None:
        """Wait until everything submitted so far is stored and applied."""
        await self._incoming.join()
        await self._stored.join()

    async def stop(self) -> None:
        """Store and apply what is queued and in flight, then stop."""
        await self.settled()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._async_engine is not None:
            await self._async_engine.dispose()

    async def submit(self, prepared: Prepared) -> Outcome:
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.unsettled += 1
        await self._incoming.put((prepared, future))
        return await future

    async def submit_many(self, items: Sequence[Prepared]) -> list[Outcome]:
        """Submit several deliveries at once (a page of pulled records); their outcomes in order.

        Each is stored with whatever else is waiting (group commit) and applied right after, like a
        webhook delivery. When the store is down, the first error is raised once all have settled."""
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[Outcome]] = []
        for prepared in items:
            future: asyncio.Future[Outcome] = loop.create_future()
            self.unsettled += 1
            self._incoming.put_nowait((prepared, future))
            futures.append(future)
        results = await asyncio.gather(*futures, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return [result for result in results if isinstance(result, Outcome)]

    def submit_from_thread(self, items: Sequence[Prepared]) -> list[Outcome]:
        """`submit_many` for a worker thread (a pull that fetched over HTTP there): blocks that
        thread until the deliveries are stored, never the event loop."""
        assert self._loop is not None, "start() the writer first"
        return asyncio.run_coroutine_threadsafe(self.submit_many(items), self._loop).result()

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` as one unit of work in the writer's own transaction: committed when
        it returns, rolled back when it raises (the error is the caller's). Units take turns.

        `work` must do nothing slow but database work (no HTTP, no subprocess): fetch first, then
        hand the results here. On SQLite it runs on the event loop, between two batches."""
        async with self._units:
            started = time.perf_counter()
            try:
                return await self._transaction(_in_session, work)
            finally:
                self.units += 1
                self.unit_seconds += time.perf_counter() - started

    def run_from_thread(self, work: Callable[[Session], T]) -> T:
        """`run` for a worker thread (a monitor run): blocks that thread until the unit committed."""
        assert self._loop is not None, "start() the writer first"
        return asyncio.run_coroutine_threadsafe(self.run(work), self._loop).result()

    async def run_use_case(self, use_case: Callable[..., T], *args: Any) -> T:
        """`run` for a use case written as `use_case(store, *args)` that writes in `with store.session()`
        blocks: it gets a stand-in store whose sessions are the writer's (see `WriterStore`)."""
        return await self.run(lambda session: use_case(WriterStore(session), *args))

    async def _store_loop(self) -> None:
        while True:
            batch = await _take_batch(self._incoming, self.max_batch)
            started = time.perf_counter()
            try:
                outcomes = await self._store(batch)
                self.batches += 1
                self.deliveries += len(batch)
                self.busy_seconds += time.perf_counter() - started
                for outcome in outcomes:
                    if outcome.parsed is not None:
                        self._stored.put_nowait(outcome)
                    else:
                        self.unsettled -= 1
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if not future.done():  # a copy: the applier goes on changing the original
                        future.set_result(dataclasses.replace(outcome, parsed=None))
            except Exception as exc:  # the store is down: nothing was stored; every sender gets a 503 and retries
                self.unsettled -= len(batch)
                error = StoreError(f"the store is unavailable ({type(exc).__name__}); nothing was stored, retry later")
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
            finally:
                for _ in batch:
                    self._incoming.task_done()

    async def _store(self, batch: Sequence[tuple[Prepared, asyncio.Future[Outcome]]]) -> list[Outcome]:
        items = [prepared for prepared, _ in batch]
        try:
            return await self._transaction(store_batch, items)
        except Exception:
            return [await self._store_alone(item) for item in items]

    async def _store_alone(self, item: Prepared) -> Outcome:
        try:
            return (await self._transaction(store_batch, [item]))[0]
        except Exception as exc:
            message = f"could not be stored as received: {type(exc).__name__}".replace("\x00", "")
            raw = dataclasses.replace(item.raw, status=FAILED, delivery_id=None, kind=None, error=message,
                                      headers={k: v.replace("\x00", "") for k, v in item.raw.headers.items()})
            return (await self._transaction(store_batch, [Prepared(raw)]))[0]

    async def _apply_loop(self) -> None:
        while True:
            outcomes = await _take_batch(self._stored, self.max_batch)
            started = time.perf_counter()
            try:
                try:
                    await self._transaction(apply_stored, outcomes, self.linker, careful=False, durable=False)
                except Exception:
                    await self._transaction(apply_stored, outcomes, self.linker, careful=True, durable=False)
                self.apply_batches += 1
                self.applied += len(outcomes)
            except Exception:  # the store is down: they stay `accepted`, applied at the next start
                log.exception("could not apply %d stored deliveries; they are applied at the next start",
                              len(outcomes))
            finally:
                self.apply_seconds += time.perf_counter() - started
                self.unsettled -= len(outcomes)
                for _ in outcomes:
                    self._stored.task_done()

    async def _transaction(self, work: Callable[..., T], *args: Any, durable: bool = True, **kwargs: Any) -> T:
        """Run `work(connection, *args)` in one transaction, committed when it returns.

        On SQLite a `durable` commit is on disk before it returns (synchronous=FULL, the store's
        default): storing, units of work. Applying is not `durable` (NORMAL: no fsync of its own):
        lost to a power cut, its deliveries are still `accepted` and are applied at the next start,
        and the next durable commit flushes it with itself (the WAL is written in order). That
        halves the fsyncs of the ingest path (docs/ingest.md has the measurement)."""
        engine = self._async_engine
        if engine is None:
            with self.store.engine.begin() as connection:
                if self._sqlite:  # pysqlite begins SQLite's transaction at the first write: this is before it
                    connection.exec_driver_sql(_SYNCHRONOUS[durable])
                return work(connection, *args, **kwargs)
        async with engine.begin() as connection:
            return await connection.run_sync(work, *args, **kwargs)


class WriterStore:
    """Stands in for the `Store` of a use case run by the writer, so the use case runs unchanged
    whether the CLI calls it with a real store or the server through the writer.

    `session()` is a savepoint in the writer's open transaction: released when the block ends,
    rolled back when it raises, as a real store's session is committed or rolled back; the writer
    commits the whole unit of work at the end."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._session.begin_nested():
            yield self._session


def _in_session(connection: Connection, work: Callable[[Session], T]) -> T:
    """`work` with an ORM session joined to the writer's transaction on `connection`."""
    with Session(bind=connection, expire_on_commit=False) as session:
        result = work(session)
        session.flush()
        return result


async def _take_batch(queue: asyncio.Queue[T], limit: int) -> list[T]:
    """Everything waiting, once the loop has let requests whose bytes already arrived join it.

    After the first item, yield to the loop while that makes the queue grow: ready requests are
    parsed and queued instead of waiting for the next commit. No timer, so no added wait.
    """
    batch = [await queue.get()]
    for _ in range(8):
        size = queue.qsize()
        await asyncio.sleep(0)
        if queue.qsize() == size:
            break
    while len(batch) < limit and not queue.empty():
        batch.append(queue.get_nowait())
    return batch
