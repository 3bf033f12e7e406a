"""Inventory use cases: validate and import a file, and the health findings an import records.

Listing the stored inventory is `service.catalog_status`: it reads only the store, so it loads
neither the inventory's pydantic models nor the YAML loader imported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mldebt.domain.component import Catalog, ChangeKind, Kind, Model
from mldebt.domain.finding import Finding
from mldebt.domain.health import inventory_findings
from mldebt.errors import CatalogInvalidError, NotFoundError
from mldebt.inventory.loader import LoadedCatalog, load_catalog_file
from mldebt.store.components import ComponentRecord, ImportResult, upsert_components
from mldebt.store.database import Store
from mldebt.store.findings import SyncResult, sync_findings
from mldebt.store.monitors import sync_schedules

INVENTORY_SOURCE = "inventory"


def validate_catalog(path: Path) -> LoadedCatalog:
    """Every problem of the file; `problems` is empty when it is valid."""
    if not path.exists():
        raise NotFoundError(f"no inventory file at {path} (create one with `mldebt init`)")
    return load_catalog_file(path)


def require_catalog(path: Path) -> Catalog:
    """The parsed catalog, or a `CatalogInvalidError` listing every blocking problem."""
    loaded = validate_catalog(path)
    if loaded.catalog is None or loaded.blocking:
        problems = loaded.blocking or loaded.problems
        raise CatalogInvalidError(
            f"{path} has {len(problems)} error(s); run `mldebt catalog validate {path}`: {problems[0]}",
            [str(p) for p in problems],
        )
    return loaded.catalog


def model_card_checker(catalog: Catalog, base: Path) -> dict[str, bool]:
    """Whether each model's card file exists, relative to the inventory file's folder."""
    return {c.name: (base / c.model_card).is_file() for c in catalog.components
            if isinstance(c, Model) and c.model_card}


@dataclass
class CatalogImport:
    file: str
    components: ImportResult
    findings: SyncResult
    health: list[Finding]

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "components": self.components.to_dict(),
                "findings": {"new": len(self.findings.new), "reopened": len(self.findings.reopened),
                             "fixed": len(self.findings.fixed), "open": len(self.health)}}


def import_catalog(store: Store, path: Path, as_of: dt.date, now: dt.datetime | None = None) -> CatalogImport:
    """Upsert the inventory and its health findings; idempotent for the same file and day."""
    catalog = require_catalog(path)
    now = now or dt.datetime.now(dt.UTC)
    cards = model_card_checker(catalog, path.parent)
    records = [_record(c, cards.get(c.name)) for c in catalog.components]
    health = inventory_findings(catalog, as_of, lambda name: cards.get(name, False))
    scope = str(path.resolve())
    with store.session() as session:
        components = upsert_components(session, records, scope, now)
        synced = sync_findings(session, INVENTORY_SOURCE, scope, health, now)
        sync_schedules(session, catalog, now)  # a new monitor is listed (and due) from the import on
    return CatalogImport(str(path), components, synced, health)


def _record(comp: Any, card_present: bool | None) -> ComponentRecord:
    spec = comp.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    spec["kind"] = str(comp.kind)
    return ComponentRecord(
        name=comp.name, kind=str(comp.kind), owner=comp.owner, lifecycle=str(comp.lifecycle),
        description=comp.description, version=comp.version, customer_facing=comp.customer_facing,
        revenue_critical=comp.revenue_critical, last_retrained=comp.last_retrained,
        retrain_every_days=getattr(comp, "retrain_every_days", None),
        model_card_present=bool(card_present) if comp.kind == Kind.MODEL else None,
        spec=spec,
        changes=[{"version": ch.version, "date": ch.date, "kind": ChangeKind(ch.kind).value, "author": ch.author,
                  "description": ch.description, "link": ch.link} for ch in comp.changes],
    )
