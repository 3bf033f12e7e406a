"""Opening a store: engine set-up per dialect and Alembic migrations run from the package.

SQLite gets WAL (readers do not block the writer), foreign keys on, and a busy timeout;
PostgreSQL gets a pre-pinged pool. `Store.upgrade()` applies every migration head, so migrations
that later issues add on their own branches are applied without a merge revision.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from mldebt.errors import StoreError
from mldebt.store.migration_heads import head_revisions

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_HEADER = b"SQLite format 3\x00"


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
        if database and database != ":memory:" and not _is_uri(parsed):
            _check_sqlite_file(parsed, Path(database).expanduser())
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise StoreError(f"no driver for {parsed.drivername}: install mldebt[postgres] ({exc.name} missing)") from exc


def _is_uri(url: URL) -> bool:
    """`sqlite:///file:x.db?mode=ro&uri=true`: SQLite parses the name itself; no checks here."""
    return str(url.query.get("uri", "")).lower() in ("true", "1") or str(url.database).startswith("file:")


def _check_sqlite_file(url: URL, path: Path) -> None:
    """Refuse, in one line, what SQLite would report late or as a bug: a folder that cannot be
    created or written (SQLite writes its `-wal` and `-shm` files beside the database), a path that
    is a directory or not a regular file, a read-only database file, a file that is not SQLite."""
    where = f"cannot open the store at {url.render_as_string(hide_password=True)}"
    folder = path.parent
    blocking = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise StoreError(f"{where}: {blocking} is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{where}: cannot create the folder {folder} ({exc.strerror or exc})") from None
    if path.is_dir():
        raise StoreError(f"{where}: {path} is a directory")
    if path.exists() and not path.is_file():
        raise StoreError(f"{where}: {path} is not a regular file")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"{where}: the folder {folder} is read-only")
    if not path.exists():
        return
    if not os.access(path, os.R_OK):
        raise StoreError(f"{where}: {path} is not readable")
    if not os.access(path, os.W_OK):
        raise StoreError(f"{where}: {path} is read-only")
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise StoreError(f"{where}: {path} is not an SQLite database")


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


ANALYSIS_ROWS = 10_000  # rows per index that ANALYZE samples (0 would read every row)


class Store:
    """A database holding mldebt's data."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def upgrade(self) -> list[str]:
        """Apply all pending migrations; returns the revisions now current."""
        from alembic import command

        try:
            command.upgrade(_alembic_config(self.engine), "heads")
        except DatabaseError as exc:
            if not _cannot_open(exc):
                raise
            raise _unreachable(self, exc) from exc
        return self.current_revisions()

    def current_revisions(self) -> list[str]:
        """The revisions recorded in Alembic's own table (none for an empty database)."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return []
            return sorted(row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version")))

    def head_revisions(self) -> list[str]:
        return list(head_revisions())

    def ensure_current(self) -> None:
        """Migrate when the schema is behind; cheap when it is current."""
        try:
            current = self.current_revisions()
        except DatabaseError as exc:
            if not _cannot_open(exc):
                raise
            raise _unreachable(self, exc) from exc
        if current != self.head_revisions():
            self.upgrade()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on error."""
        try:
            with self._sessions() as session, session.begin():
                yield session
        except OperationalError as exc:
            if "readonly database" in str(exc.orig):  # e.g. `?mode=ro&uri=true`, or made read-only since
                raise _unreachable(self, exc) from exc
            raise

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

    def refresh_statistics(self) -> None:
        """Give SQLite's query planner row statistics (`ANALYZE`, sampled: bounded time at any size).

        Without them SQLite picks an index by its shape alone: on /scan filtered by rule it walked the
        40,000 open findings of the component index (55 ms) instead of the rule's 1,600 (5 ms). A fresh
        store has none, and they go stale as it grows, so `mldebt serve` refreshes them as it starts
        (70 ms at the web benchmark's 100,000 incidents; 2,000 samples were too few for the right plan).
        PostgreSQL's autovacuum keeps its own.
        """
        if self.engine.dialect.name != "sqlite":
            return
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA analysis_limit = {ANALYSIS_ROWS}")
            conn.exec_driver_sql("ANALYZE")

    def close(self) -> None:
        self.engine.dispose()


def _cannot_open(exc: DatabaseError) -> bool:
    """A store that cannot be reached or read (the user's to fix), not a bug such as an integrity error."""
    return isinstance(exc, OperationalError) or "file is not a database" in str(exc.orig)


def _unreachable(store: Store, exc: DatabaseError) -> StoreError:
    """One line naming the store and SQLite's or PostgreSQL's reason, in words a user acts on."""
    reason = " ".join(str(exc.orig).split())
    if "file is not a database" in reason:
        reason = "not an SQLite database"
    elif "readonly database" in reason:
        reason = "the database is read-only"
    return StoreError(f"cannot open the store at {store.safe_url}: {reason}")


def open_store(url: str, migrate: bool = True) -> Store:
    """Open (and by default migrate) the store at `url`."""
    store = Store(url)
    if migrate:
        store.ensure_current()
    return store
