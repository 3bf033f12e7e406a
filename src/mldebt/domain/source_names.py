"""The outside sources mldebt ingests: the one list of their names.

Everything that names sources derives from `Source`: the ingest registry (one adapter module per
name, `mldebt.ingest.<name>`), the inventory's `sources:` keys, the `/hooks/{source}` and
`/api/v1/events?source=` values, the `MLDEBT_<SOURCE>_SECRET` settings and `--source`. Adding a
source is adding a member here and its adapter module. tests/test_docs.py checks the docs' tables.
"""

from __future__ import annotations

from enum import StrEnum


class Source(StrEnum):
    SENTRY = "sentry"
    ALERTMANAGER = "alertmanager"
    ZENDESK = "zendesk"
    ZIGPOLL = "zigpoll"
    BIGCOMMERCE = "bigcommerce"


SOURCE_NAMES: tuple[str, ...] = tuple(source.value for source in Source)
