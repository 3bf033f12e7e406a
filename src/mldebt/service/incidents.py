"""Incident use cases: MTTR reports, recurring-failure findings, the unlinked list and re-linking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from mldebt.domain.finding import Finding
from mldebt.domain.linking import suggest
from mldebt.errors import NotFoundError, UserInputError
from mldebt.metrics.mttr import MttrResult, mttr_by, quarter
from mldebt.metrics.recurring import SOURCE, Occurrence, RecurrencePolicy, recurring_failures
from mldebt.service.linker import Linker
from mldebt.store import incidents as incident_store
from mldebt.store import signals as signal_store
from mldebt.store.database import Store
from mldebt.store.findings import SyncResult, sync_findings
from mldebt.store.ingest_tables import IncidentRow

GROUPINGS = ("component", "category", "quarter")
UNLINKED = "(unlinked)"
RECURRING_SCOPE = "incidents"
DEFAULT_POLICY = RecurrencePolicy()


def mttr_report(store: Store, by: str = "component", component: str | None = None,
                since: dt.datetime | None = None) -> list[MttrResult]:
    """MTTR per component, category or quarter (of the interval's opening)."""
    if by not in GROUPINGS:
        raise UserInputError(f"--by: {by!r} is not one of {', '.join(GROUPINGS)}")
    with store.session() as session:
        records = incident_store.intervals(session, component, since)
    keys: dict[str, Any] = {"component": lambda r: r.component or UNLINKED, "category": lambda r: r.category,
                            "quarter": lambda r: quarter(r.opened_at)}
    return mttr_by(records, keys[by])


def incident_dicts(store: Store, component: str | None = None, since: dt.datetime | None = None,
                   status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    with store.session() as session:
        return [incident_dict(row) for row in incident_store.list_incidents(session, component, since, status, limit)]


def incident_dict(row: IncidentRow) -> dict[str, Any]:
    return {"id": row.id, "source": row.source, "fingerprint": row.fingerprint, "component": row.component,
            "category": row.category, "title": row.title, "culprit": row.culprit, "level": row.level,
            "opened_at": _iso(row.opened_at), "resolved_at": _iso(row.resolved_at), "reopen_count": row.reopen_count,
            "intervals": [{"opened_at": _iso(i.opened_at), "resolved_at": _iso(i.resolved_at)} for i in row.intervals],
            "links": row.links}


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None  # UtcDateTime columns are aware UTC on every store


def recurring(store: Store, now: dt.datetime, policy: RecurrencePolicy = DEFAULT_POLICY) -> list[Finding]:
    since = now - dt.timedelta(days=policy.window_days)
    with store.session() as session:
        records = incident_store.intervals(session, since=since)
    occurrences = [Occurrence(r.incident_id, f"{r.source}:{r.fingerprint}", r.culprit, r.component, r.category,
                              r.title, r.opened_at) for r in records]
    return recurring_failures(occurrences, now, policy)


def sync_recurring(store: Store, now: dt.datetime, policy: RecurrencePolicy = DEFAULT_POLICY
                   ) -> tuple[list[Finding], SyncResult]:
    """Record recurring failures as findings of source "incidents" (new, reopened, fixed)."""
    findings = recurring(store, now, policy)
    with store.session() as session:
        result = sync_findings(session, SOURCE, RECURRING_SCOPE, findings, now)
    return findings, result


@dataclass(frozen=True)
class UnlinkedItem:
    kind: str
    id: int
    source: str
    label: str
    attributes: dict[str, Any]
    suggestion: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "source": self.source, "label": self.label,
                "attributes": self.attributes, "suggestion": self.suggestion}


def _describe(kind: str, row: Any) -> tuple[str, str, dict[str, Any]]:
    """(source, label, link attributes) of an unlinked row."""
    if kind == "incident":
        return row.source, row.title, dict(row.attributes or {})
    if kind == "ticket":
        return row.source, row.subject, {"tag": list(row.tags or []), **(row.attributes or {})}
    if kind == "feedback":
        return "zigpoll", row.answer[:80], {"poll_id": row.poll_id, **(row.attributes or {})}
    return "bigcommerce", f"{row.scope} {row.resource_id}", dict(row.attributes or {})


def unlinked(store: Store, linker: Linker, limit: int = 500) -> list[UnlinkedItem]:
    with store.session() as session:
        items = []
        for kind, row in signal_store.unlinked(session, limit):
            source, label, attributes = _describe(kind, row)
            items.append(UnlinkedItem(kind, row.id, source, label, attributes,
                                      suggest(source, attributes, linker.components)))
    return items


def relink(store: Store, linker: Linker) -> int:
    """Link what the current rules now map (after an inventory change); returns how many were linked."""
    linked = 0
    with store.session() as session:
        for kind, row in signal_store.unlinked(session, limit=100_000):
            source, _, attributes = _describe(kind, row)
            component = linker.component(source, attributes)
            if component is not None:
                row.component = component
                linked += 1
    return linked


def set_component(store: Store, incident_id: int, component: str) -> dict[str, Any]:
    """Link one incident by hand (API `POST /api/v1/incidents/{id}/component`)."""
    with store.session() as session:
        row = session.scalar(select(IncidentRow).where(IncidentRow.id == incident_id))
        if row is None:
            raise NotFoundError(f"no incident {incident_id}")
        row.component = component
        session.flush()
        return incident_dict(row)
