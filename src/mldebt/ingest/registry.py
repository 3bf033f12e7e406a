"""The table of source adapters, by the name used in `/hooks/{source}` and `--source`.

Built from the one list of source names (`mldebt.domain.source_names.Source`): the adapter of
source `x` is the module `mldebt.ingest.x`, so a name without an adapter fails at import.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from mldebt.domain.source_names import SOURCE_NAMES
from mldebt.errors import NotFoundError

ADAPTERS: dict[str, ModuleType] = {name: import_module(f"mldebt.ingest.{name}") for name in SOURCE_NAMES}


def adapter(source: str) -> ModuleType:
    try:
        return ADAPTERS[source]
    except KeyError:
        raise NotFoundError(f"unknown source {source!r}: expected one of {', '.join(SOURCE_NAMES)}") from None
