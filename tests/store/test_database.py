"""Which engine the web server's writer gets: asyncpg on PostgreSQL (same URL), none on SQLite."""

import asyncio

from mldebt.store.database import Store


def test_postgresql_writer_engine_is_asyncpg_on_the_same_database(tmp_path):
    store = Store("postgresql+psycopg://ops:pw@db.example:6543/mldebt?sslmode=require&application_name=x")
    engine = store.async_engine()
    assert engine is not None
    url = engine.url
    assert (url.drivername, url.username, url.password, url.host, url.port, url.database) == (
        "postgresql+asyncpg", "ops", "pw", "db.example", 6543, "mldebt")
    assert dict(url.query) == {"ssl": "require", "application_name": "x"}
    asyncio.run(engine.dispose())
    store.close()
    assert Store(f"sqlite:///{tmp_path / 'x.db'}").async_engine() is None
