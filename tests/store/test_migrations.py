from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from mldebt.store.database import open_store
from mldebt.store.schema import METADATA


def test_migrations_create_exactly_the_models(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), METADATA)
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


def test_0005_moves_the_folder_of_pending_retrain_requests_into_context(store_url):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from mldebt.store.database import MIGRATIONS, Store

    store = Store(store_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = store.engine
    command.upgrade(config, "0002_drift")
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO retrain_requests (id, component, mode, target, status, created_at, outcome) VALUES "
            "(1, 'recs', 'approve', 'make retrain', 'pending', '2026-11-25 10:00:00', '{\"cwd\": \"/srv/ml\"}'), "
            "(2, 'recs', 'auto', 'make retrain', 'failed', '2026-11-25 11:00:00', '{\"exit_code\": 2}')"))
    store.upgrade()
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, status, attempts, context, outcome FROM retrain_requests ORDER BY id"))
        found = [(r.id, r.status, r.attempts, _json(r.context), _json(r.outcome)) for r in rows]
    assert found == [(1, "pending", 0, {"cwd": "/srv/ml"}, {}), (2, "failed", 1, {}, {"exit_code": 2})]
    store.close()


def _json(value):
    import json

    return json.loads(value) if isinstance(value, str) else value


def test_head_revisions_read_without_alembic_are_alembics_own(tmp_path):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from mldebt.store.database import MIGRATIONS
    from mldebt.store.migration_heads import head_revisions

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert head_revisions() == tuple(sorted(ScriptDirectory.from_config(config).get_heads()))
    assert head_revisions() == ("0003_scan", "0005_inventory_file_index", "0008_monitoring")  # 0007 joins three


def test_a_current_store_opens_without_loading_alembic(tmp_path):
    """Commands that only read start fast: Alembic loads only when a migration is due."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'm.db'}"
    probe = "import sys; from mldebt.store.database import open_store; open_store(sys.argv[1]).close(); " \
            "print(any(m.split('.')[0] == 'alembic' for m in sys.modules))"
    first = subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True, check=True)
    again = subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True, check=True)
    assert (first.stdout.strip(), again.stdout.strip()) == ("True", "False")


def test_refresh_statistics_gives_sqlites_planner_row_counts(tmp_path):
    from mldebt.service.tokens import create_api_token
    from mldebt.store.database import open_store

    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        create_api_token(store, "viewer", "a")  # ANALYZE records tables that hold rows
        store.refresh_statistics()
        with store.engine.connect() as conn:
            stats = set(conn.exec_driver_sql("SELECT tbl, idx, stat FROM sqlite_stat1"))
        assert ("api_tokens", "sqlite_autoindex_api_tokens_1", "1 1") in stats  # one row, one per token hash
    finally:
        store.close()
