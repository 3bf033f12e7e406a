"""Settings are data: one table of (name, environment variable, default, help).

The CLI options, `docs/settings.md` and the tests read this table, so a setting cannot exist
without documentation. Later issues add their settings here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str

    def value(self, override: str | None = None) -> str:
        """The explicit override, else the environment, else the default."""
        if override:
            return override
        return os.environ.get(self.env) or self.default


DEFAULT_DB_PATH = ".mldebt/mldebt.db"

DATABASE_URL = Setting(
    "database_url", "MLDEBT_DATABASE_URL", f"sqlite:///{DEFAULT_DB_PATH}",
    "SQLAlchemy URL of the store, e.g. postgresql+psycopg://user@host/db. Default: SQLite in .mldebt/.",
)
CATALOG_FILE = Setting(
    "catalog_file", "MLDEBT_CATALOG", "mldebt.yaml",
    "The inventory file read by `mldebt catalog ...` when no FILE is given.",
)

SETTINGS: tuple[Setting, ...] = (DATABASE_URL, CATALOG_FILE)
