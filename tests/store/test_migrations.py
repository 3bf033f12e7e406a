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
