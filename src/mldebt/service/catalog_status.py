"""The stored inventory as `mldebt catalog list` shows it: staleness and open findings per component.

Apart from `service.catalog` (validate and import a file) because it reads only the store: listing
loads neither the inventory's pydantic models nor the YAML loader (tests/service/test_catalog_status.py
checks `sys.modules`), which keeps `mldebt catalog list` quick to start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mldebt.domain.staleness import retrain_status
from mldebt.store.components import list_components
from mldebt.store.database import Store
from mldebt.store.findings import open_counts_by_component


@dataclass(frozen=True)
class ComponentStatus:
    """One row of `mldebt catalog list`."""

    name: str
    kind: str
    owner: str | None
    lifecycle: str
    version: str | None
    last_retrained: dt.date | None
    days_since_retrain: int | None
    stale: bool
    model_card: bool | None
    open_findings: int
    retired: bool

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "owner": self.owner, "lifecycle": self.lifecycle,
                "version": self.version,
                "last_retrained": self.last_retrained.isoformat() if self.last_retrained else None,
                "days_since_retrain": self.days_since_retrain, "stale": self.stale,
                "model_card": self.model_card, "open_findings": self.open_findings, "retired": self.retired}


def list_catalog(store: Store, as_of: dt.date, include_retired: bool = False) -> list[ComponentStatus]:
    """The stored inventory with staleness as of `as_of` and open findings per component."""
    with store.session() as session:
        rows = list_components(session, include_retired)
        counts = open_counts_by_component(session)
        statuses = []
        for row in rows:
            days, stale = retrain_status(row, as_of)
            statuses.append(ComponentStatus(
                name=row.name, kind=row.kind, owner=row.owner, lifecycle=row.lifecycle, version=row.version,
                last_retrained=row.last_retrained, days_since_retrain=days, stale=stale,
                model_card=row.model_card_present, open_findings=counts.get(row.name, 0),
                retired=row.retired_at is not None,
            ))
    return statuses
