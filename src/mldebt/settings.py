"""Settings are data: one table of (name, environment variable, default, help).

The CLI options, `docs/settings.md` and the tests read this table, so a setting cannot exist
without documentation. Later issues add their settings here.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass

from mldebt.domain.source_names import SOURCE_NAMES
from mldebt.errors import MldebtError
from mldebt.input_files import read_input_bytes


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str

    def value(self, override: str | None = None) -> str:
        """The explicit override, else the environment, else the settings file, else the default."""
        if override:
            return override
        from_env = os.environ.get(self.env)
        if from_env:
            return from_env
        if self.name == "settings_file":
            return self.default
        from_file = _settings_file().get(self.name)
        return str(from_file) if from_file not in (None, "") else self.default


def _settings_file() -> dict[str, object]:
    """The TOML settings file (keys are setting names); empty when absent or unreadable.

    Read through `read_input_bytes`: a settings path naming a FIFO or `/dev/zero` must not hang.
    """
    try:
        return tomllib.loads(read_input_bytes(SETTINGS_FILE.value()).decode("utf-8"))
    except (MldebtError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


DEFAULT_DB_PATH = ".mldebt/mldebt.db"

DATABASE_URL = Setting(
    "database_url", "MLDEBT_DATABASE_URL", f"sqlite:///{DEFAULT_DB_PATH}",
    "SQLAlchemy URL of the store, e.g. postgresql+psycopg://user@host/db. Default: SQLite in .mldebt/.",
)
CATALOG_FILE = Setting(
    "catalog_file", "MLDEBT_CATALOG", "mldebt.yaml",
    "The inventory file read by `mldebt catalog ...` when no FILE is given.",
)


# --- ingest (issue 5): webhook secrets, outbound clients, rule files, error reporting -----------------
WEBHOOK_SOURCES = SOURCE_NAMES  # every ingested source has a webhook
SOURCE_SECRETS: dict[str, Setting] = {
    source: Setting(
        f"{source}_secret", f"MLDEBT_{source.upper()}_SECRET", "",
        f"Secret that authenticates {source} webhooks (HMAC key or bearer token). Unset: deliveries are refused (401).",
    )
    for source in WEBHOOK_SOURCES
}
ZIGPOLL_API_KEY = Setting("zigpoll_api_key", "MLDEBT_ZIGPOLL_API_KEY", "",
                          "Zigpoll API key; when set, a Zigpoll webhook triggers a pull of /responses.")
ZIGPOLL_URL = Setting("zigpoll_url", "MLDEBT_ZIGPOLL_URL", "https://v1.zigpoll.com", "Zigpoll REST base URL.")
BIGCOMMERCE_TOKEN = Setting("bigcommerce_token", "MLDEBT_BIGCOMMERCE_TOKEN", "",
                            "BigCommerce API account token (X-Auth-Token) used to fetch order totals.")
BIGCOMMERCE_STORE_HASH = Setting("bigcommerce_store_hash", "MLDEBT_BIGCOMMERCE_STORE_HASH", "",
                                 "BigCommerce store hash (stores/{hash}).")
BIGCOMMERCE_URL = Setting("bigcommerce_url", "MLDEBT_BIGCOMMERCE_URL", "https://api.bigcommerce.com",
                          "BigCommerce REST base URL.")
CATEGORY_RULES_FILE = Setting("category_rules_file", "MLDEBT_CATEGORY_RULES", "",
                              "JSON file of failure-category rules replacing the defaults.")
FEEDBACK_SCORES_FILE = Setting("feedback_scores_file", "MLDEBT_FEEDBACK_SCORES", "",
                               "JSON file {poll_id: {answer: score}} mapping poll answers to satisfaction scores.")
SENTRY_DSN = Setting("sentry_dsn", "SENTRY_DSN", "",
                     "Report mldebt's own exceptions to Sentry (bodies and customer data stripped). Unset: off.")
SETTINGS_FILE = Setting("settings_file", "MLDEBT_SETTINGS_FILE", ".mldebt/settings.toml",
                        "TOML file of settings by name (e.g. sentry_secret = \"...\"), read when the env var is unset.")

BOT_AUTHORS = Setting("bot_authors", "MLDEBT_BOT_AUTHORS", "dependabot,renovate",
                      "Comma-separated change-log authors that are bots (besides any name ending in [bot]): a debt "
                      "item their change closed is fixed_by automated.")


# --- dashboard (issue 11): sign-in sessions ---------------------------------------------------------
SESSION_SECRET = Setting("session_secret", "MLDEBT_SESSION_SECRET", "",
                         "Key (at least 32 characters) that signs the dashboard's session cookies (HMAC-SHA256). "
                         "Unset: a random key generated once and kept in .mldebt/session_secret (mode 0600).")
SESSION_HOURS = Setting("session_hours", "MLDEBT_SESSION_HOURS", "12",
                        "How long a dashboard sign-in lasts, in hours (1 to 168): the cookie's Max-Age and expiry.")


# --- monitoring (issue 13): the scheduler of `mldebt serve` ---------------------------------------------
MONITORS = Setting("monitors", "MLDEBT_MONITORS", "on",
                   "`off`: `mldebt serve` does not run the inventory's monitors on their schedules (run them with "
                   "`mldebt monitor run --due`). Default `on`, when the inventory declares monitors.")


def source_secret(source: str) -> str | None:
    """The webhook secret of `source`, or None when none is configured (deliveries are then refused)."""
    setting = SOURCE_SECRETS.get(source)
    return (setting.value() or None) if setting is not None else None


SETTINGS: tuple[Setting, ...] = (
    DATABASE_URL, CATALOG_FILE, *SOURCE_SECRETS.values(), ZIGPOLL_API_KEY, ZIGPOLL_URL, BIGCOMMERCE_TOKEN,
    BIGCOMMERCE_STORE_HASH, BIGCOMMERCE_URL, CATEGORY_RULES_FILE, FEEDBACK_SCORES_FILE, SENTRY_DSN, SETTINGS_FILE,
    BOT_AUTHORS, SESSION_SECRET, SESSION_HOURS, MONITORS,
)
