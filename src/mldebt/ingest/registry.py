"""The table of source adapters, by the name used in `/hooks/{source}` and `--source`."""

from __future__ import annotations

from types import ModuleType

from mldebt.errors import NotFoundError
from mldebt.ingest import alertmanager, bigcommerce, sentry, zendesk, zigpoll

ADAPTERS: dict[str, ModuleType] = {m.name: m for m in (sentry, alertmanager, zendesk, zigpoll, bigcommerce)}
SOURCE_NAMES: tuple[str, ...] = tuple(ADAPTERS)


def adapter(source: str) -> ModuleType:
    try:
        return ADAPTERS[source]
    except KeyError:
        raise NotFoundError(f"unknown source {source!r}: expected one of {', '.join(SOURCE_NAMES)}") from None
