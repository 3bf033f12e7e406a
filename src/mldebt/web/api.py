"""REST API under `/api/v1`: raw events, incidents, MTTR, recurring failures, unlinked, signals, tokens.

Every route needs an API token; reads need `viewer`, writes `editor`, token management `admin`.
Routes call the same service functions as the CLI; the ones that write run them through the
server's one writer (`GroupCommitWriter.run_use_case`), never beside it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from mldebt.domain.roles import Role
from mldebt.domain.source_names import Source
from mldebt.errors import NotFoundError
from mldebt.metrics.recurring import RecurrencePolicy
from mldebt.service import incidents as incident_service
from mldebt.service import signals as signal_service
from mldebt.service.ingest import replay
from mldebt.service.tokens import create_api_token
from mldebt.service.writer import GroupCommitWriter
from mldebt.store import raw_events
from mldebt.store.ingest_tables import RawEventRow
from mldebt.web.auth import Caller, admin, editor, viewer
from mldebt.web.context import context

router = APIRouter(prefix="/api/v1")
AsViewer = Annotated[Caller, Depends(viewer)]
AsEditor = Annotated[Caller, Depends(editor)]
AsAdmin = Annotated[Caller, Depends(admin)]
Status = Literal["accepted", "duplicate", "rejected", "failed", "parsed"]


@router.get("/openapi.json", include_in_schema=False)
def openapi_document(request: Request, _: AsViewer) -> dict[str, Any]:
    """The OpenAPI document, for token holders only (a viewer token is enough): it maps the whole API."""
    schema: dict[str, Any] = request.app.openapi()
    return schema


@router.get("/docs", include_in_schema=False)
def no_docs_page() -> None:
    """No interactive page is served: FastAPI's loads its scripts from a CDN and could not send a token."""
    raise NotFoundError("no docs page is served: fetch /api/v1/openapi.json with `Authorization: Bearer <token>` "
                        "(a viewer token is enough) and open it in any OpenAPI viewer")


def _event(row: RawEventRow, with_body: bool = False) -> dict[str, Any]:
    data = {"id": row.id, "source": row.source, "delivery_id": row.delivery_id, "status": row.status,
            "kind": row.kind, "verification": row.verification, "error": row.error, "headers": row.headers,
            "received_at": row.received_at.isoformat(),
            "size": row.body_size if row.body_size is not None else len(row.body), "sha256": row.body_sha256,
            "body_kept": len(row.body)}  # less than `size` for a rejected delivery: only its first 4 KiB
    if with_body:
        data["body"] = row.body.decode("utf-8", "replace")
    return data


@router.get("/events", tags=["events"], summary="Raw deliveries, newest first")
def list_events(request: Request, _: AsViewer, status: Status | None = None, source: Source | None = None,
                limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10_000_000)
                ) -> list[dict[str, Any]]:
    with context(request).store.session() as session:
        return [_event(row) for row in raw_events.list_events(session, status, _name(source), limit, offset)]


@router.get("/events/{event_id}", tags=["events"], summary="One raw delivery with its body")
def get_event(request: Request, _: AsViewer, event_id: int) -> dict[str, Any]:
    with context(request).store.session() as session:
        row = session.get(RawEventRow, event_id) if -(2**62) < event_id < 2**62 else None
        if row is None:
            raise NotFoundError(f"no raw event {event_id}")
        return _event(row, with_body=True)


@router.post("/events/replay", tags=["events"], summary="Re-parse failed and unapplied deliveries")
async def replay_events(request: Request, _: AsEditor, source: Source | None = None) -> dict[str, Any]:
    ctx = context(request)
    return (await _writer(request).run_use_case(replay, ctx.linker, _name(source))).to_dict()


def _name(source: Source | None) -> str | None:
    return source.value if source is not None else None


def _since(value: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(value, dt.time(), dt.UTC) if value else None


@router.get("/incidents", tags=["incidents"], summary="Incidents, most recent activity first")
def list_incidents(request: Request, _: AsViewer, component: str | None = Query(None, max_length=100),
                   since: dt.date | None = None, status: Literal["open", "resolved"] | None = None,
                   limit: int = Query(200, ge=1, le=1000)) -> list[dict[str, Any]]:
    return incident_service.incident_dicts(context(request).store, component, _since(since), status, limit)


@router.get("/incidents/mttr", tags=["incidents"], summary="MTTR (mean, median, p90 minutes) per group")
def mttr(request: Request, _: AsViewer, by: Literal["component", "category", "quarter"] = "component",
         component: str | None = Query(None, max_length=100), since: dt.date | None = None) -> list[dict[str, Any]]:
    results = incident_service.mttr_report(context(request).store, by, component, _since(since))
    return [r.to_dict() for r in results]


@router.get("/incidents/recurring", tags=["incidents"], summary="Recurring failures as findings")
def recurring(request: Request, _: AsViewer, occurrences: int = Query(3, ge=2, le=1000),
              window_days: int = Query(30, ge=1, le=3650)) -> list[dict[str, Any]]:
    findings = incident_service.recurring(context(request).store, dt.datetime.now(dt.UTC),
                                          RecurrencePolicy(occurrences, window_days))
    return [f.to_dict() for f in findings]


class ComponentLink(BaseModel):
    component: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=100)


@router.post("/incidents/{incident_id}/component", tags=["incidents"], summary="Link an incident to a component")
async def link_incident(request: Request, _: AsEditor, incident_id: int, link: ComponentLink
                        ) -> dict[str, Any]:
    if not -(2**62) < incident_id < 2**62:
        raise NotFoundError(f"no incident {incident_id}")
    return await _writer(request).run_use_case(incident_service.set_component, incident_id, link.component)


@router.get("/unlinked", tags=["incidents"], summary="Signals that map to no component, with a suggested rule")
def unlinked(request: Request, _: AsViewer, limit: int = Query(500, ge=1, le=5000)
             ) -> list[dict[str, Any]]:
    ctx = context(request)
    return [item.to_dict() for item in incident_service.unlinked(ctx.store, ctx.linker, limit)]


@router.get("/signals", tags=["signals"], summary="Per component: AI-linked tickets, satisfaction, revenue at risk")
def signals(request: Request, _: AsViewer, since: dt.date | None = None) -> list[dict[str, Any]]:
    return [row.to_dict() for row in signal_service.component_signals(context(request).store, _since(since))]


class TokenRequest(BaseModel):
    role: Role
    name: str = Field("api", min_length=1, max_length=100)


@router.post("/tokens", tags=["tokens"], status_code=201, summary="Create an API token (shown once)")
async def create_token(request: Request, _: AsAdmin, body: TokenRequest) -> dict[str, Any]:
    return await _writer(request).run_use_case(create_api_token, body.role.value, body.name)


def _writer(request: Request) -> GroupCommitWriter:
    """The server's one writer: every write of the API runs in it, as a unit of work."""
    writer = context(request).writer
    assert writer is not None, "the app's lifespan starts the writer"
    return writer
