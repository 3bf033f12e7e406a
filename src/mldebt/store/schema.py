"""The whole schema: every table module, registered on `Base.metadata`.

A command imports only the table modules it queries (listing the inventory needs no ingest table,
and SQLAlchemy then maps only those classes); what needs every table at once (Alembic's
environment, the test that holds the migrations equal to the models) takes `METADATA` from here.
A new table module is added to the import below.
"""

from __future__ import annotations

from mldebt.store import debt_tables, ingest_tables, models, monitor_tables  # noqa: F401  (importing them registers their tables on Base)
from mldebt.store.base import Base

METADATA = Base.metadata
