"""Component repository: idempotent upsert of an inventory, retiring what left *that* file.

Running the same import twice changes nothing: a component row is only written when the hash
of its specification changes, change-log entries are keyed by (version, date, kind), and
events are recorded only for real changes.

Each row remembers the inventory file it came from (`catalog_file`, the file's resolved path as
the service layer hands it over). An import retires only the components that left the file being
imported: another team's file, or the demo, keep theirs. A component named in a second file
moves to it (an `updated` event naming `catalog_file`), so one name has one owner file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mldebt.store.models import ChangeRow, ComponentEventRow, ComponentRow


@dataclass(frozen=True)
class ComponentRecord:
    """What the service layer hands the store for one component."""

    name: str
    kind: str
    owner: str | None
    lifecycle: str
    description: str | None
    version: str | None
    customer_facing: bool
    revenue_critical: bool
    last_retrained: dt.date | None
    retrain_every_days: int | None
    model_card_present: bool | None
    spec: dict[str, Any]
    changes: Sequence[dict[str, Any]] = ()

    def spec_hash(self) -> str:
        payload = {**self.spec, "_model_card_present": self.model_card_present}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    changes_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.restored or self.changes_added)

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "retired": self.retired, "restored": self.restored, "changes_added": self.changes_added}


_COPIED = ("kind", "owner", "lifecycle", "description", "version", "customer_facing", "revenue_critical",
           "last_retrained", "retrain_every_days", "model_card_present", "spec")


def upsert_components(
    session: Session, records: Sequence[ComponentRecord], catalog_file: str, now: dt.datetime
) -> ImportResult:
    """Make the stored components of `catalog_file` match `records`; those of that file that are
    absent from them are retired. Components of other files (and rows without a file) are left alone."""
    result = ImportResult()
    rows = session.scalars(select(ComponentRow).options(selectinload(ComponentRow.changes)))
    existing = {row.name: row for row in rows}
    for record in records:
        digest = record.spec_hash()
        row = existing.get(record.name)
        if row is None:
            row = ComponentRow(name=record.name, spec_hash=digest, catalog_file=catalog_file, created_at=now,
                               updated_at=now, **{k: getattr(record, k) for k in _COPIED})
            session.add(row)
            session.flush()
            _event(session, row, now, "added", {"lifecycle": record.lifecycle})
            result.added.append(record.name)
        else:
            if row.retired_at is not None:
                row.retired_at = None
                _event(session, row, now, "restored", {})
                result.restored.append(record.name)
            if row.spec_hash != digest or row.catalog_file != catalog_file:
                changed = sorted(k for k in _COPIED if k != "spec" and getattr(row, k) != getattr(record, k))
                if row.catalog_file != catalog_file:
                    changed = sorted([*changed, "catalog_file"])
                for key in _COPIED:
                    setattr(row, key, getattr(record, key))
                row.spec_hash, row.catalog_file, row.updated_at = digest, catalog_file, now
                _event(session, row, now, "updated", {"fields": changed})
                result.updated.append(record.name)
            elif record.name not in result.restored:
                result.unchanged.append(record.name)
        result.changes_added += _merge_changes(session, row, record.changes)
    present = {r.name for r in records}
    for name, row in existing.items():
        if name not in present and row.retired_at is None and row.catalog_file == catalog_file:
            row.retired_at = now
            _event(session, row, now, "retired", {"reason": "no longer in the inventory file", "file": catalog_file})
            result.retired.append(name)
    return result


def _merge_changes(session: Session, row: ComponentRow, changes: Sequence[dict[str, Any]]) -> int:
    """Add new change-log entries and refresh edited ones; never delete (history stays)."""
    by_key = {(c.version, c.date, c.kind): c for c in row.changes}
    added = 0
    for entry in changes:
        key = (entry["version"], entry["date"], entry["kind"])
        current = by_key.get(key)
        if current is None:
            new = ChangeRow(component_id=row.id, **entry)
            session.add(new)
            by_key[key] = new
            added += 1
        else:
            for attr in ("author", "description", "link"):
                if getattr(current, attr) != entry.get(attr):
                    setattr(current, attr, entry.get(attr))
    return added


def _event(session: Session, row: ComponentRow, now: dt.datetime, action: str, detail: dict[str, Any]) -> None:
    session.add(ComponentEventRow(component_id=row.id, at=now, action=action, detail=detail))


def list_components(session: Session, include_retired: bool = False) -> list[ComponentRow]:
    query = select(ComponentRow).order_by(ComponentRow.name)
    if not include_retired:
        query = query.where(ComponentRow.retired_at.is_(None))
    return list(session.scalars(query))


def component_events(session: Session, name: str) -> list[ComponentEventRow]:
    query = (select(ComponentEventRow).join(ComponentRow, ComponentRow.id == ComponentEventRow.component_id)
             .where(ComponentRow.name == name).order_by(ComponentEventRow.id))
    return list(session.scalars(query))


def component_changes(session: Session, name: str) -> list[ChangeRow]:
    query = (select(ChangeRow).join(ComponentRow).where(ComponentRow.name == name)
             .order_by(ChangeRow.date, ChangeRow.id))
    return list(session.scalars(query))
