from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from mldebt.store.base import Base
from mldebt.store.database import open_store


def test_migrations_create_exactly_the_models(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    assert store.current_revisions() == store.head_revisions()


def test_upgrade_is_idempotent_and_keeps_data(store_url):
    first = open_store(store_url)
    tables = set(inspect(first.engine).get_table_names())
    assert {"components", "component_changes", "component_events", "findings", "alembic_version"} <= tables
    again = open_store(store_url)
    assert again.upgrade() == first.head_revisions()
    first.close()
    again.close()


def test_sqlite_store_uses_wal(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()


def test_raw_event_digest_migration_gives_stored_bodies_their_size(store_url):
    from alembic import command
    from sqlalchemy import text

    from mldebt.store.database import Store, _alembic_config

    store = Store(store_url)
    config = _alembic_config(store.engine)
    command.upgrade(config, "0004_ingest")
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO raw_events (source, headers, body, received_at, verification, status) "
                          "VALUES ('sentry', '{}', :body, :at, 'verified', 'parsed')"),
                     {"body": b"x" * 1234, "at": "2026-11-30 12:00:00+00:00"})
    command.upgrade(config, "heads")
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT body_size, body_sha256 FROM raw_events")).one() == (1234, None)
    store.close()
