"""Alembic environment: runs against the engine that `Store` hands over (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from mldebt.store.schema import METADATA

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
