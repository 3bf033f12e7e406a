"""Opening a store: engine set-up per dialect and Alembic migrations run from the package.

SQLite gets WAL (readers do not block the writer), foreign keys on, and a busy timeout;
PostgreSQL gets a pre-pinged pool. `Store.upgrade()` applies every migration head, so migrations
that later issues add on their own branches are applied without a merge revision.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from mldebt.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")  # each commit durable: a 2xx means stored (docs/ingest.md)
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; the parent folder of a SQLite file is created when missing."""
    try:
        parsed = make_url(url)
        parsed.get_dialect()
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreError(f"not a database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise StoreError(f"no driver for {parsed.drivername}: install mldebt[postgres] ({exc.name} missing)") from exc


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


class Store:
    """A database holding mldebt's data."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def upgrade(self) -> list[str]:
        """Apply all pending migrations; returns the revisions now current."""
        try:
            command.upgrade(_alembic_config(self.engine), "heads")
        except OperationalError as exc:
            raise _unreachable(self, exc) from exc
        return self.current_revisions()

    def current_revisions(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(MigrationContext.configure(conn).get_current_heads())

    def head_revisions(self) -> list[str]:
        return sorted(ScriptDirectory.from_config(_alembic_config(self.engine)).get_heads())

    def ensure_current(self) -> None:
        """Migrate when the schema is behind; cheap when it is current."""
        try:
            current = self.current_revisions()
        except OperationalError as exc:
            raise _unreachable(self, exc) from exc
        if current != self.head_revisions():
            self.upgrade()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @property
    def safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def async_engine(self) -> AsyncEngine | None:
        """A new asyncio engine on the same PostgreSQL database (asyncpg), else None; the caller
        disposes of it (`await engine.dispose()`) in its event loop.

        The web server's writer uses it so that the event loop serves requests while PostgreSQL
        works on a batch: with the blocking driver the loop sat idle through every round trip, and
        psycopg's async mode spent more CPU in Python than the batch itself. With asyncpg the p99
        of a steady 1,000 deliveries/s fell from about 150 ms to about 40 ms (benchmarks/ingest_bench.py).
        SQLite has no network wait to hide and stays synchronous.
        """
        if self.engine.dialect.name != "postgresql":
            return None
        try:
            import asyncpg  # noqa: F401
            import greenlet  # noqa: F401  (SQLAlchemy's asyncio bridge needs it)
            from sqlalchemy.ext.asyncio import create_async_engine
        except ImportError:
            return None
        url = make_url(self.url).set(drivername="postgresql+asyncpg")
        query = dict(url.query)
        if "sslmode" in query:  # libpq's name; asyncpg calls it `ssl`
            query["ssl"] = query.pop("sslmode")
        return create_async_engine(url.set(query=query), pool_size=2)

    def close(self) -> None:
        self.engine.dispose()


def _unreachable(store: Store, exc: OperationalError) -> StoreError:
    reason = " ".join(str(exc.orig).split())
    return StoreError(f"cannot open the store at {store.safe_url}: {reason}")


def open_store(url: str, migrate: bool = True) -> Store:
    """Open (and by default migrate) the store at `url`."""
    store = Store(url)
    if migrate:
        store.ensure_current()
    return store
